# POSIX message queues at restore: a named queue is dumped with its
# process killed; another queue by that name made before the restore
# makes it fail with one line and no process left.  With the name free,
# the image restores and the queue is made again.
. "$SRCDIR/tests/cli/lib.bash"

H=$TESTBIN/targets/mq_holder
Q=/sudcr-cli-$$
"$H" hold $Q "$TMP/ready" </dev/null >/dev/null 2>&1 9>&- &
tp=$!
pids+=($tp)
for _ in $(seq 250); do [ -s "$TMP/ready" ] && break; sleep 0.02; done

t=dump_queue
if [ ! -s "$TMP/ready" ]; then
	fail $t "mq_holder did not start"
elif run 0 "$SUDCR" dump -t $tp -D "$TMP/img" && run 0 "$SUDCR" show -D "$TMP/img" &&
     grep -q "^  fd   3 mqueue .* (POSIX message queue) $Q\$" <<<"$out" && grep -q "^records:.* mqueue 1\b" <<<"$out"; then
	pass $t
else
	fail $t "status $status: $err $out"
fi
wait $tp 2>/dev/null

t=restore_refuses_other_queue
if ! "$H" replace $Q; then
	fail $t "cannot make another queue $Q"
elif run 1 "$SUDCR" restore -D "$TMP/img" -d && one_error_line &&
     grep -qF "cannot restore fd 3 (POSIX message queue $Q): another queue has its name now" <<<"$err" &&
     ! kill -0 $tp 2>/dev/null; then
	pass $t
else
	fail $t "status $status: $err"
fi

t=restore_makes_it_again
"$H" unlink $Q
if run 0 "$SUDCR" restore -D "$TMP/img" -d && kill -0 $tp 2>/dev/null &&
   [ "$(readlink /proc/$tp/fd/3)" = "$Q" ]; then
	pass $t
else
	fail $t "status $status: $err"
fi
kill -9 $tp 2>/dev/null
"$H" unlink $Q 2>/dev/null
finish
