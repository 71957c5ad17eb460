# Rough edges of the command line: "sudcr help", one line for a bad
# option, kernel threads named as such, bytes from a process or an image
# escaped in messages and in show, show listing every fd, and a failed
# dump removing the image directory it made (and only that).
. "$SRCDIR/tests/cli/lib.bash"

t=help_command
ok=1
run 0 "$SUDCR" help && [ "$out" = "$("$SUDCR" --help)" ] || { ok=0; fail $t "help: $status '$out' '$err'"; }
for c in check sud syscall dump restore show; do
	run 0 "$SUDCR" help $c && [ -n "$out" ] && [ "$out" = "$("$SUDCR" $c --help)" ] ||
		{ ok=0; fail $t "help $c: $status '$err'"; }
done
if ! run 2 "$SUDCR" help nosuch || ! one_error_line; then ok=0; fail $t "help nosuch: $status '$err'"; fi
[ $ok = 1 ] && pass $t

# Each bad option is one line that names it, for every command.
t=bad_option_one_line
ok=1
while IFS='|' read -r args want; do
	# shellcheck disable=SC2086
	if ! run 2 "$SUDCR" $args || ! one_error_line || ! grep -qF -- "$want" <<<"$err"; then
		ok=0
		fail $t "'sudcr $args' exited $status with stderr '$err' (want '$want')"
	fi
done <<'LIST'
dump --bogus -t 1 -D x|unknown option '--bogus'
dump -t|option '-t' needs an argument
dump -t 1 -Rx -D x|unknown option '-x'
dump -t 1 --images-dir|option '--images-dir' needs an argument
restore --bogus|unknown option '--bogus'
restore -D|option '-D' needs an argument
show -q -D x|unknown option '-q'
show --json=1 -D x|option '--json' takes no argument
sud get -z 1|unknown option '-z'
sud set --mode|option '--mode' needs an argument
syscall -t|option '-t' needs an argument
syscall --bogus 1 getpid|unknown option '--bogus'
LIST
[ $ok = 1 ] && pass $t

# kthreadd is PID 2 here, a kernel thread: no "are you root?".
t=kernel_thread
if ! grep -q "^Kthread:[[:space:]]*1" /proc/2/status 2>/dev/null && [ "$(cat /proc/2/comm)" != kthreadd ]; then
	skip $t "PID 2 is not kthreadd here"
else
	ok=1
	for args in "dump -t 2 -D $TMP/kt" "sud get 2" "syscall 2 getpid"; do
		# shellcheck disable=SC2086
		if ! run 1 "$SUDCR" $args || ! one_error_line || ! grep -q "2: it is a kernel thread" <<<"$err"; then
			ok=0
			fail $t "'sudcr $args' exited $status with stderr '$err'"
		fi
	done
	[ -e "$TMP/kt" ] && { ok=0; fail $t "the dump left $TMP/kt"; }
	[ $ok = 1 ] && pass $t
fi

# A file whose name holds a CR and a terminal escape, open in a process.
weird=$TMP/$'we\rird\e[2J\x01'
# A file whose name holds a CR and a terminal escape, open in a process.
weird=$TMP/$'we\rird\e[2J\x01'
shown="$TMP/we\\rird\\x1b[2J\\x01"
: > "$weird"
sleep 1000 5>>"$weird" </dev/null >/dev/null 2>&1 9>&- &
tp=$!
pids+=($tp)
# sleep(1) sleeps in clock_nanosleep (230): wait until it is in there.
for _ in $(seq 250); do [[ $(cat /proc/$tp/syscall 2>/dev/null) == "230 "* ]] && break; sleep 0.02; done

# show lists every fd with its kind, flags, position, size and path.
t=show_lists_fds
check_json='
import json, sys
fds = {f["fd"]: f for f in json.load(sys.stdin)["fds"]}
for n in (0, 1, 2):
    assert fds[n]["kind"] == "chardev" and fds[n]["path"] == "/dev/null", fds[n]
f = fds[5]
assert (f["kind"], f["flags"], f["pos"], f["size"], f["path"]) == ("file", "w,append", 0, 0, sys.argv[1]), f
assert f["locks"] == [] and f["cloexec"] is False and f["desc"] == 5, f
'
if ! run 0 "$SUDCR" dump -t $tp -D "$TMP/img" --leave-running; then
	fail $t "dump: $status $err"
else
	run 0 "$SUDCR" show -D "$TMP/img"
	text=$out
	run 0 "$SUDCR" show -D "$TMP/img" --json
	json=$out
	ok=1
	for fd in 0 1 2; do
		grep -qE "^  fd +$fd chardev +[rw]+ pos 0 size 0 (\(shares fd [0-9]\) )?/dev/null$" <<<"$text" ||
			{ ok=0; fail $t "fd $fd missing: $text"; }
	done
	grep -qxF "  fd   5 file         w,append pos 0 size 0 $shown" <<<"$text" ||
		{ ok=0; fail $t "fd 5 missing or unescaped: $(printf '%q' "$text")"; }
	if ! command -v python3 >/dev/null; then
		ok=0; fail $t "python3 is needed to check the JSON"
	elif ! python3 -c "$check_json" "$weird" <<<"$json" 2>"$TMP/py.err"; then
		ok=0; fail $t "JSON fds wrong: $(cat "$TMP/py.err")"
	fi
	[ $ok = 1 ] && pass $t
fi

# show says what the restore does with a sleep cut short (DESIGN.md,
# "Restart block").
t=show_restart_block
if [ ! -e "$TMP/img/core.img" ]; then
	fail $t "no image"
elif run 0 "$SUDCR" show -D "$TMP/img" &&
     grep -qF "    in clock_nanosleep (syscall 230), cut short with a restart block: restore issues it again with its original arguments (a relative timeout starts over; an absolute one is exact)" <<<"$out" &&
     run 0 "$SUDCR" show -D "$TMP/img" --json && grep -qF '"restart_block":{"syscall":230,"name":"clock_nanosleep"}' <<<"$out"; then
	pass $t
else
	fail $t "$status: $out"
fi

# Messages escape what came from the image: one line whatever the path.
t=messages_escaped
if ! run 0 "$SUDCR" dump -t $tp -D "$TMP/img2"; then
	fail $t "dump: $status $err"
else
	wait $tp 2>/dev/null
	echo grown >> "$weird"
	if run 1 "$SUDCR" restore -D "$TMP/img2" -d && one_error_line &&
	   grep -qF "($shown): file size changed 0 -> 6" <<<"$err"; then
		pass $t
	else
		fail $t "status $status, stderr: $(printf '%q' "$err")"
	fi
fi

# A dump that fails (one process, -p, with a child) removes the directory it created, not one it found.
t=failed_dump_removes_its_dir
sh -c 'sleep 1000 & wait' </dev/null >/dev/null 2>&1 9>&- &
pp=$!
pids+=($pp)
kid=
for _ in $(seq 100); do kid=$(pgrep -P $pp) && break; sleep 0.02; done
[ -n "$kid" ] && pids+=($kid)
ok=1
if ! run 1 "$SUDCR" dump -p $pp -D "$TMP/new" || ! one_error_line; then
	ok=0; fail $t "dump of a process with a child: $status $err"
fi
[ -e "$TMP/new" ] && { ok=0; fail $t "$TMP/new is left: $(ls -la "$TMP/new")"; }
mkdir "$TMP/mine"
if ! run 1 "$SUDCR" dump -p $pp -D "$TMP/mine" || [ ! -d "$TMP/mine" ] || [ -n "$(ls -A "$TMP/mine")" ]; then
	ok=0; fail $t "with a directory of the caller's: $status $err, $(ls -la "$TMP/mine" 2>&1)"
fi
[ $ok = 1 ] && pass $t
finish
