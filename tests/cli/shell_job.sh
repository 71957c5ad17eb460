# --shell-job as in CRIU (issue #8, item 2).
#  - A job whose stdout is a log file still writes to that file, at its
#    offset, after a --shell-job restore: only the terminal and the
#    caller's pipes are replaced.
#  - A program that put its terminal (a tmux pane) in raw mode, with
#    distinctive control characters and window size, is restored with
#    --shell-job in another tmux window: it is on that window's terminal,
#    with exactly its modes, and one key typed there reaches it alone.
#  - A terminal is never reopened by its path: the dump without
#    --shell-job of a process holding /dev/pts/N is refused naming
#    --shell-job, and so is a plain restore of its --shell-job image.
. "$SRCDIR/tests/cli/lib.bash"

T=$TESTBIN/targets/outside_ends

wait_for() {
	for _ in $(seq 400); do "$@" && return 0; sleep 0.05; done
	return 1
}
gone() { ! [ -e "/proc/$1" ]; }

t=stdout_file_kept
W=$TMP/w-stdout
# (sudcr restore's stdout is a file, not run's $(...): a restored process
# holding that pipe would keep run waiting.)
mkdir -p "$W"
"$T" stdout "$W" </dev/null >"$TMP/log" 2>/dev/null 9>&- &
tp=$!
pids+=($tp)
if wait_for test -s "$W/ready" && run 0 "$SUDCR" dump -t $tp -D "$TMP/img-stdout" --shell-job &&
   { kill -9 $tp 2>/dev/null; wait $tp 2>/dev/null; true; } &&
   { "$SUDCR" restore -D "$TMP/img-stdout" --shell-job -d >"$TMP/restore.out" 2>"$TMP/stderr"
     status=$?; err=$(cat "$TMP/stderr"); [ $status = 0 ]; } &&
   [ "$(readlink "/proc/$tp/fd/1")" = "$TMP/log" ] && kill -USR1 $tp &&
   wait_for test -s "$W/result" && [ "$(cat "$W/result")" = PASS ] &&
   [ "$(cat "$TMP/log")" = "$(printf 'before\nafter')" ] && ! [ -s "$TMP/restore.out" ]; then
	pass $t
else
	fail $t "status $status: $err; log: $(od -c "$TMP/log" | head -3); result: $(cat "$W/result" 2>&1)"
fi
kill -9 $tp 2>/dev/null

if ! command -v tmux >/dev/null; then
	skip terminal_modes "tmux is not installed"
	skip plain_dump_of_pts_refused "tmux is not installed"
	skip plain_restore_of_pts_refused "tmux is not installed"
	finish
fi

SOCK=$TMP/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }
# A session whose first window only keeps it alive while the others come and go.
tm -f /dev/null new-session -d -s t -x 100 -y 30 "exec sleep 100000" ||
	{ fail tmux "cannot start a tmux server"; finish; }
trap 'tm kill-server 2>/dev/null; cleanup' EXIT

t=terminal_modes
W=$TMP/w-raw
mkdir -p "$W"
# Not exec'ed: sh is its parent and reaps it once the dump killed it (tmux
# 3.3a as its parent left it a zombie here, holding the PID, until it got
# another SIGCHLD).
tm new-window -t t:1 "$T raw $W 9>&-; exec sleep 100000"
if wait_for test -s "$W/ready" && tp=$(cat "$W/ready") &&
   run 0 "$SUDCR" dump -t $tp -D "$TMP/img-raw" --shell-job && wait_for gone $tp; then
	# Another window, another pty; the shell stays, or its exit would hang the terminal up.
	tm new-window -t t:2 "$SUDCR restore -D $TMP/img-raw --shell-job -d 2>$W/restore.err; echo \$? >$W/rc; exec sleep 100000"
	if wait_for test -s "$W/rc" && [ "$(cat "$W/rc")" = 0 ] && kill -USR1 $tp &&
	   wait_for test -s "$W/waiting" && tm send-keys -t t:2 x &&
	   wait_for test -s "$W/result" && [ "$(cat "$W/result")" = PASS ]; then
		pass $t
	else
		fail $t "restore: $(cat "$W/rc" "$W/restore.err" 2>&1); result: $(cat "$W/result" 2>&1)"
	fi
else
	fail $t "status $status: $err"
fi
kill -9 $tp 2>/dev/null

# fd 5 on the pane's /dev/pts/N, stdio elsewhere.
W=$TMP/w-hold
mkdir -p "$W"
tm new-window -t t:3 "$T hold $W 5<>\"\$(tty)\" </dev/null >/dev/null 2>&1 9>&-; exec sleep 100000"
t=plain_dump_of_pts_refused
if wait_for test -s "$W/ready" && tp=$(cat "$W/ready") &&
   run 1 "$SUDCR" dump -t $tp -D "$TMP/img-hold-plain" && one_error_line &&
   grep -q "fd 5: /dev/pts/[0-9]* is a terminal.*use --shell-job" <<<"$err" &&
   kill -0 $tp && ! [ -e "$TMP/img-hold-plain/core.img" ]; then
	pass $t
else
	fail $t "status $status: $err"
fi
t=plain_restore_of_pts_refused
if [ -n "$tp" ] && run 0 "$SUDCR" dump -t $tp -D "$TMP/img-hold" --shell-job &&
   wait_for gone $tp && run 1 "$SUDCR" restore -D "$TMP/img-hold" -d && one_error_line &&
   grep -q "fd 5 (/dev/pts/[0-9]*) is the job's terminal: restore with --shell-job" <<<"$err" &&
   gone $tp; then
	pass $t
else
	fail $t "status $status: $err"
fi
kill -9 $tp 2>/dev/null
tm kill-server
finish
