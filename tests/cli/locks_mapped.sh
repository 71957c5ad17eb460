# POSIX locks on mapped files that the restore could not keep: the file is
# mapped shared read-write, but the process has it open read-only only
# (tests/targets/lock_mapped_nofd.c).  The dump fails with one line naming
# the fd and why, and the process, left running, still holds its lock.
. "$SRCDIR/tests/cli/lib.bash"

t=lock_mapped_no_fd_refused
mkfifo "$TMP/in"
"$TESTBIN/targets/lock_mapped_nofd" <"$TMP/in" >"$TMP/out" 2>&1 9>&- &
p=$!
pids+=($p)
exec 7>"$TMP/in"
for _ in $(seq 250); do grep -q READY "$TMP/out" && break; sleep 0.02; done
F=$TMP/lock_mapped_nofd.dat
if ! grep -q READY "$TMP/out"; then
	fail $t "the program did not get ready: $(cat "$TMP/out")"
elif run 1 "$SUDCR" dump -t $p -D "$TMP/img" &&
     # one error line (the warning about its stdin, a FIFO we hold, aside)
     [ "$(grep -vc "^sudcr: warning: fd 0: FIFO " <<<"$err")" = 1 ] &&
     grep -qE "^sudcr: fd [0-9]+ \($F\): a POSIX lock on a file the process maps at [0-9a-f]+-[0-9a-f]+ with no fd open with the access of that mapping is not supported yet$" <<<"$err" &&
     [ ! -e "$TMP/img/core.img" ]; then
	echo go >&7
	for _ in $(seq 250); do grep -qE "PASS|FAIL" "$TMP/out" && break; sleep 0.02; done
	if grep -q PASS "$TMP/out"; then pass $t; else fail $t "the program after the dump: $(cat "$TMP/out")"; fi
else
	fail $t "status $status: $err"
fi
exec 7>&-
wait $p 2>/dev/null
finish
