# Hostile images of pidfds, inotify instances and fanotify groups: records
# with valid checksums and damaged contents, one for each check of their
# validators (lib/kinds/pidfd.c, inotify.c, fanotify.c).  Each restore
# must fail with one line naming what is wrong, before anything exists:
# the programs dumped (progs/fd_pidfd, fd_inotify, fd_fanotify, dumped with
# --leave-running) still run, so an image that got past validation would
# fail with "PID ... is taken" instead (each baseline checks that).
. "$SRCDIR/tests/cli/lib.bash"

ED=$TESTBIN/targets/img_edit

# dump_prog NAME: start progs/NAME (stdin: the fifo that never speaks), dump it to $TMP/NAME.
dump_prog() {
	"$TESTBIN/progs/$1" <&9 >"$TMP/$1.out" 2>"$TMP/$1.err" &
	local p=$!
	pids+=($p)
	for _ in $(seq 500); do grep -q READY "$TMP/$1.out" 2>/dev/null && break; sleep 0.02; done
	if ! run 0 "$SUDCR" dump -t $p -D "$TMP/$1" --leave-running --shell-job; then
		fail "$1_dump" "cannot dump: $err"
		return 1
	fi
	if run 1 "$SUDCR" restore -D "$TMP/$1" -d --shell-job && one_error_line && grep -q "is taken" <<<"$err"; then
		pass "$1_baseline"
	else
		fail "$1_baseline" "the undamaged image should fail only on its taken PID: exit $status, stderr '$err'"
	fi
}

# hostile IMAGE NAME EXPECTED EDIT... : each EDIT is one img_edit command line (words after DIR).
hostile() {
	local img=$TMP/$1 name=$2 want=$3 e words
	shift 3
	rm -rf "$TMP/bad"
	cp -r "$img" "$TMP/bad"
	for e in "$@"; do
		read -ra words <<<"$e"
		if ! "$ED" "$TMP/bad" "${words[@]}"; then
			fail "hostile_$name" "img_edit $e failed"
			return
		fi
	done
	if cmp -s "$TMP/bad/core.img" "$img/core.img"; then
		fail "hostile_$name" "the edit changed nothing"
	elif ! run 1 "$SUDCR" restore -D "$TMP/bad" -d --shell-job; then
		fail "hostile_$name" "exit $status (want 1), stderr '$err'"
	elif ! one_error_line; then
		fail "hostile_$name" "not one error line: '$err'"
	elif grep -q "is taken" <<<"$err"; then
		fail "hostile_$name" "got past validation: '$err'"
	elif ! grep -qF -- "$want" <<<"$err"; then
		fail "hostile_$name" "want '$want' in '$err'"
	else
		pass "hostile_$name"
	fi
}

if dump_prog fd_pidfd; then
	S=$("$ED" "$TMP/fd_pidfd" find fd kind 30)	# fd 3: the process itself
	D=$("$ED" "$TMP/fd_pidfd" find fd xflags 3)	# the first dead one, with its status
	if [ "$S" = -1 ] || [ "$D" = -1 ]; then
		fail hostile_pidfd "the image lacks a live or a dead pidfd"
	else
		hostile fd_pidfd pidfd_other_pid "pidfd of PID 1, not the process's" "set fd $S count 1"
		hostile fd_pidfd pidfd_xflags "bad pidfd state" "set fd $S xflags 4"
		hostile fd_pidfd pidfd_exit_without_dead "bad pidfd state" "set fd $S xflags 2"
		hostile fd_pidfd pidfd_flags "bad pidfd state" "set fd $S flags 0"
		hostile fd_pidfd pidfd_core_status "bad exit status 0x83" "set fd $D count 0x83"
		hostile fd_pidfd pidfd_stop_status "bad exit status 0x13" "set fd $D count 0x13"
		hostile fd_pidfd pidfd_high_status "bad exit status 0x10000" "set fd $D count 0x10000"
		hostile fd_pidfd pidfd_dead_no_status "bad exit status 0x700" "set fd $D xflags 1"
		hostile fd_pidfd pidfd_object_differs "differs from fd" "set fd $((D + 1)) count 0x800"
	fi
fi

if dump_prog fd_inotify; then
	I=$("$ED" "$TMP/fd_inotify" find fd kind 31)
	# struct rec_inotify: fd 0, nr 4, queued 8; watches from 16 (32 bytes:
	# wd 0, mask 4, dev 8, ino 16, path_off 24, path_len 28), then the paths.
	hostile fd_inotify inotify_len "bad inotify record length" "len 140 0 20"
	hostile fd_inotify inotify_nr "bad inotify record length" "poke 140 0 4 100 4"
	hostile fd_inotify inotify_fd "which is no inotify description before it" "poke 140 0 0 0 4"
	hostile fd_inotify inotify_twice "which is no inotify description before it" "dup 140 0"
	hostile fd_inotify inotify_missing "without its watches" "del 140 0"
	hostile fd_inotify inotify_count "without its watches" "set fd $I count 7"
	hostile fd_inotify inotify_wd_zero "bad inotify watch 0" "poke 140 0 16 0 4"
	hostile fd_inotify inotify_wd_order "bad inotify watch 1" "poke 140 0 48 1 4"
	hostile fd_inotify inotify_mask "bad inotify watch 0" "poke 140 0 20 0x10000002 4"
	hostile fd_inotify inotify_no_events "bad inotify watch 0" "poke 140 0 20 0x80000000 4"
	hostile fd_inotify inotify_path_off "bad inotify watch 0" "poke 140 0 40 100000 4"
	hostile fd_inotify inotify_path_len "bad inotify watch 0" "poke 140 0 44 0 4"
	hostile fd_inotify inotify_path_rel "bad inotify watch 0" "poke 140 0 112 0x61 1"
	# Watch 1 (wd 2, the file "one") made a watch of the directory (wd 1) too.
	hostile fd_inotify inotify_same_inode "two inotify watches of one inode" \
		"poke 140 0 56 $(stat -c %d "$TMP/inotify-dir") 8" "poke 140 0 64 $(stat -c %i "$TMP/inotify-dir") 8"
fi

if dump_prog fd_fanotify; then
	# struct rec_fanotify: fd 0, nr 4, flags 8, event_flags 12, queued 16;
	# marks from 24 (40 bytes: type 0, mflags 4, mask 8, ignored_mask 12,
	# dev 16, ino 24, path_off 32, path_len 36), then the paths.
	hostile fd_fanotify fanotify_len "bad fanotify record length" "len 141 0 20"
	hostile fd_fanotify fanotify_fd "which is no fanotify description before it" "poke 141 0 0 0 4"
	hostile fd_fanotify fanotify_missing "without its marks" "del 141 0"
	hostile fd_fanotify fanotify_flags "bad fanotify group flags" "poke 141 0 8 0x10000 4"
	hostile fd_fanotify fanotify_event_flags "bad fanotify group flags" "poke 141 0 12 0x40 4"
	hostile fd_fanotify fanotify_classes "bad fanotify group flags" "poke 141 0 8 0xc 4"
	hostile fd_fanotify fanotify_type "bad fanotify mark 0" "poke 141 0 24 7 4"
	hostile fd_fanotify fanotify_mflags "bad fanotify mark 0" "poke 141 0 28 0x1 4"
	hostile fd_fanotify fanotify_empty "bad fanotify mark 0" "poke 141 0 32 0 4" "poke 141 0 36 0 4"
	hostile fd_fanotify fanotify_perm "bad fanotify mark 0" "poke 141 0 8 0x4 4" "poke 141 0 32 0x10000 4"
	hostile fd_fanotify fanotify_path_off "bad fanotify mark 0" "poke 141 0 56 100000 4"
fi
finish
