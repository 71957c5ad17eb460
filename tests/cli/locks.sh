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

# The image holds both locks, on the fd they were taken through: show lists
# them under fd 3, and counts two lock records.
t=dump_process_with_locks
lock_lines='  fd   3 file         rw pos 0 size 100 '"$F"'
      lock: flock LOCK_EX
      lock: posix write bytes 0-9'
if ! run 0 "$SUDCR" dump -t $tp -D "$TMP/img"; then
	fail $t "status $status: $err"
elif ! run 0 "$SUDCR" show -D "$TMP/img"; then
	fail $t "show: status $status: $err"
elif ! grep -qxF -- "$(head -1 <<<"$lock_lines")" <<<"$out" ||
     [ "$(grep -A2 -xF -- "$(head -1 <<<"$lock_lines")" <<<"$out")" != "$lock_lines" ] ||
     ! grep -q "^records:.* lock 2\b" <<<"$out"; then
	fail $t "show does not list the two locks of fd 3: $out"
elif ! run 0 "$SUDCR" show -D "$TMP/img" --json ||
     ! grep -qF '"fd":3,"kind":"file"' <<<"$out" ||
     ! grep -qF '"locks":[{"kind":"flock","type":"LOCK_EX","start":0,"len":0},{"kind":"posix","type":"write","start":0,"len":10}]' <<<"$out"; then
	fail $t "show --json does not list the two locks of fd 3: $out"
else
	pass $t
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
