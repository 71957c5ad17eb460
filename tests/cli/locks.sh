# File locks at restore: a process holding a flock (and a POSIX lock) is
# dumped; another process takes the flock before the restore, which must
# fail with one line naming the fd and leave no process behind.  Once the
# lock is let go, the same image restores and the process holds it again.
. "$SRCDIR/tests/cli/lib.bash"

F=$TMP/locked
truncate -s 100 "$F"
"$TESTBIN/targets/lock_holder" "$F" </dev/null >/dev/null 2>&1 9>&- &
tp=$!
pids+=($tp)
for _ in $(seq 100); do [ -s "$F.ready" ] && break; sleep 0.02; done

t=dump_process_with_locks
if run 0 "$SUDCR" dump -t $tp -D "$TMP/img" && "$SUDCR" show -D "$TMP/img" >/dev/null; then
	pass $t
else
	fail $t "status $status: $err"
fi
wait $tp 2>/dev/null

t=restore_flock_taken
exec 7<>"$F"
if ! flock -x -n 7; then
	fail $t "the flock is still held after the dump killed the process"
elif run 1 "$SUDCR" restore -D "$TMP/img" -d && one_error_line &&
     grep -q "cannot restore fd 3 ($F): its flock (LOCK_EX) is held by another process" <<<"$err" &&
     ! kill -0 $tp 2>/dev/null; then
	pass $t
else
	fail $t "status $status: $err"
fi
exec 7>&-

t=restore_after_release
if run 0 "$SUDCR" restore -D "$TMP/img" -d && kill -0 $tp 2>/dev/null &&
   ! flock -x -n "$F" true; then
	pass $t
else
	fail $t "status $status: $err"
fi
kill -9 $tp 2>/dev/null
finish
