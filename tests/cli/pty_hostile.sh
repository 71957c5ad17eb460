# Hostile images of a pty of the tree (script(1) and its shell, dumped
# with --leave-running): PTY and FD records with valid checksums and
# damaged contents (tests/targets/img_edit).  Each restore must fail with
# one line naming what is wrong, before anything exists: the tree still
# runs, so an image that got past validation would fail with "PID ... is
# taken" instead.
. "$SRCDIR/tests/cli/lib.bash"

have_terminals pty_hostile || finish
ED=$TESTBIN/targets/img_edit
wait_for() {
	for _ in $(seq 400); do "$@" && return 0; sleep 0.05; done
	return 1
}
has_child() { [ -n "$(cat "/proc/$1/task/$1/children" 2>/dev/null)" ]; }
gone() { ! [ -e "/proc/$1" ]; }

script -q -c 'exec sleep 100000' /dev/null <&9 >/dev/null 2>&1 9>&- &
sp=$!
pids+=("$sp")
if ! wait_for has_child "$sp" || ! sleep 0.2 ||
   ! run 0 "$SUDCR" dump -t "$sp" -D "$TMP/img" --shell-job --leave-running; then
	fail pty_hostile_dump "cannot dump script: $err"
	finish
fi
sh=$(cat "/proc/$sp/task/$sp/children" | tr -d ' ')

# hostile NAME MEMBER WANT EDIT...: EDITs of the image of MEMBER.
hostile() {
	local name=$1 member=$2 want=$3 e words
	shift 3
	rm -rf "$TMP/bad"
	cp -r "$TMP/img" "$TMP/bad"
	for e in "$@"; do
		read -ra words <<<"$e"
		if ! "$ED" "$TMP/bad/$member" "${words[@]}"; then
			fail "hostile_$name" "img_edit $e failed"
			return
		fi
	done
	if ! run 1 "$SUDCR" restore -D "$TMP/bad" --shell-job -d; then
		fail "hostile_$name" "exit $status (want 1), stderr '$err'"
	elif ! one_error_line || ! grep -qF -- "$want" <<<"$err"; then
		fail "hostile_$name" "want '$want' in '$err'"
	else
		pass "hostile_$name"
	fi
}

t=hostile_pty_baseline
if run 1 "$SUDCR" restore -D "$TMP/img" --shell-job -d && one_error_line && grep -q "is taken" <<<"$err"; then
	pass $t
else
	fail $t "the undamaged image should fail only on its taken PIDs: '$err'"
fi

M=$("$ED" "$TMP/img/$sp" find fd xflags 1)
hostile pty_index "$sp" "bad pty record" "set pty 0 index 0x7fffffff"
hostile pty_flags "$sp" "bad pty record" "set pty 0 flags 0x100"
hostile pty_pad "$sp" "bad pty record" "set pty 0 pad2 1"
hostile pty_queue_len "$sp" "bad pty record" "set pty 0 in_len 3"
hostile pty_pgrp "$sp" "bad pty record" "set pty 0 pgrp 5"
hostile pty_record_missing "$sp" "no pty record" "del pty 0"
hostile pty_record_twice "$sp" "pty record for fd" "dup pty 0"
hostile pty_record_fd "$sp" "which is no pty's first fd before it" "set pty 0 fd 1"
hostile pty_end "$sp" "bad pty end" "set fd $M xflags 4"
hostile pty_two_masters "$sp" "master descriptions" "set fd $((M + 1)) xflags 1"
# The slave's holder is read after the master's, whose pty name the
# running tree holds: the tree goes first, then nothing may be made.
kill -9 "$sh" "$sp" 2>/dev/null
wait_for gone "$sp"; wait_for gone "$sh"
hostile pty_slave_record "$sh" "bad pty record" "set pty 0 pgrp -1"
t=pty_hostile_nothing_made
if gone "$sp" && gone "$sh"; then pass $t; else fail $t "a process of the image exists"; fi
finish
