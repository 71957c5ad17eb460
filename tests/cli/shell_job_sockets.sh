# --shell-job and sockets at fds 0-2: a TCP socket there is the caller's
# (inherited: the restore gives the process sudcr restore's fd), as a
# socket of a kind the dump does not take is; an AF_UNIX socket bound to
# a name that is not connected (unix_named.c's kind) is the process's own
# and comes back itself, bound to its name again.
. "$SRCDIR/tests/cli/lib.bash"

if ! command -v python3 >/dev/null; then
	skip shell_job_sockets "python3 is not installed"
	finish
fi
wait_for() {
	for _ in $(seq 400); do "$@" && return 0; sleep 0.05; done
	return 1
}
gone() { ! [ -e "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

NAME="sudcr_sj_$$"
python3 -c 'import os, socket, sys, time
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
t.bind(("127.0.0.1", 0))
t.listen(1)
os.dup2(t.fileno(), 0)
t.close()
n = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
n.bind("\0" + sys.argv[1])
os.dup2(n.fileno(), 2)
n.close()
print("READY", flush=True)
while True:
	time.sleep(1)' "$NAME" </dev/null >"$TMP/out" 2>/dev/null &
tp=$!
pids+=("$tp")
if ! wait_for grep -q READY "$TMP/out"; then
	fail start "$(cat "$TMP/out")"
	finish
fi

if ! run 0 "$SUDCR" dump -t "$tp" -D "$TMP/img" --shell-job --leave-running; then
	fail dump "status $status: $err"
	finish
fi
"$SUDCR" show -D "$TMP/img" >"$TMP/show" 2>&1
if grep -q '^  fd   0 inherited .*from restorer fd 0 socket:' "$TMP/show"; then
	pass tcp_stdin_inherited
else
	fail tcp_stdin_inherited "$(grep '^  fd   0' "$TMP/show")"
fi
if grep -q '^  fd   2 unix-socket ' "$TMP/show" &&
   grep -q "^      socket: unix dgram @$NAME UNCONNECTED" "$TMP/show"; then
	pass unix_named_stderr_kept
else
	fail unix_named_stderr_kept "$(grep -A1 '^  fd   2' "$TMP/show")"
fi

# The restore: fd 0 is the restorer's (a file here), fd 2 the socket, bound again.
kill -9 "$tp"
wait "$tp" 2>/dev/null
echo restorer-stdin >"$TMP/in"
if ! wait_for gone "$tp" || ! run 0 "$SUDCR" restore -D "$TMP/img" --shell-job -d <"$TMP/in"; then
	fail restore "status $status: $err"
	finish
fi
if [ "$(readlink "/proc/$tp/fd/0")" = "$TMP/in" ]; then
	pass restored_stdin
else
	fail restored_stdin "fd 0 is $(readlink "/proc/$tp/fd/0")"
fi
ino=$(readlink "/proc/$tp/fd/2" | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p')
if [ -n "$ino" ] && awk -v ino="$ino" -v name="@$NAME" '$7 == ino && $8 == name { found = 1 }
   END { exit !found }' /proc/net/unix; then
	pass restored_stderr_socket
else
	fail restored_stderr_socket "fd 2 is $(readlink "/proc/$tp/fd/2"); $(grep "$NAME" /proc/net/unix)"
fi
finish
