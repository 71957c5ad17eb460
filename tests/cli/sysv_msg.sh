# System V message queues: the dump records the queue a process used, with
# its messages (show), and takes none of them.  What the restore refuses,
# with one line and no process left: a queue with the image's id that is
# another object, and a gone queue whose key another queue has taken.
# Once the way is clear, the restore makes the queue again with its id,
# key, mode, qbytes and messages in order, and the restored process reads
# them from it.
. "$SRCDIR/tests/cli/lib.bash"

key=$(printf '5e11%04x' $(($$ & 0xffff)))
key_b=$(printf '5e12%04x' $(($$ & 0xffff)))
READY=$TMP/ready

# msg_make KEY: a new queue with KEY (hex), its id on stdout
msg_make() {
	perl -e '$id = msgget(hex($ARGV[0]), 01600); print defined $id ? $id : -1' "$1"
}
# msg_id KEY: the id of the queue with KEY, -1 if none
msg_id() {
	perl -e '$id = msgget(hex($ARGV[0]), 0); print defined $id ? $id : -1' "$1"
}
msg_exists() {
	perl -e 'exit(defined msgctl($ARGV[0], 2, $buf) ? 0 : 1)' "$1"
}

"$TESTBIN/targets/msg_holder" "$READY" $key </dev/null >/dev/null 2>&1 9>&- &
tp=$!
pids+=($tp)
for _ in $(seq 250); do [ -s "$READY" ] && break; sleep 0.02; done
id=$(cat "$READY" 2>/dev/null)

t=dump_show
if [ -z "$id" ]; then
	fail $t "msg_holder did not start"
	finish
elif ! run 0 "$SUDCR" dump -t $tp -D "$TMP/img"; then
	fail $t "status $status: $err"
elif ! run 0 "$SUDCR" show -D "$TMP/img" ||
     ! grep -qF "  System V message queue $id: key 0x$key, mode 0640, owner 0:0, creator 0:0, qbytes 3000, ctime " <<<"$out" ||
     ! grep -qF ", 3 messages (19 bytes)" <<<"$out"; then
	fail $t "show: $out"
elif ! run 0 "$SUDCR" show -D "$TMP/img" --json ||
     ! grep -qF "\"sysv_msg\":[{\"id\":$id,\"key\":\"0x$key\",\"mode\":\"0640\",\"uid\":0,\"gid\":0,\"cuid\":0,\"cgid\":0,\"qbytes\":3000," <<<"$out" ||
     ! grep -qF '"messages":[{"type":5,"len":3},{"type":1,"len":11},{"type":5,"len":5}]}]' <<<"$out"; then
	fail $t "show --json: $out"
elif [ "$(ipcs -q | awk -v id=$id '$2 == id { print $5 " " $6 }')" != "19 3" ]; then
	fail $t "the dump changed the queue: $(ipcs -q)"
else
	pass $t
fi
wait $tp 2>/dev/null

# The queue outlived its process; another with its id but another key replaces it.
t=restore_refuses_other_object
ipcrm -q "$id"
echo "$id" >/proc/sys/kernel/msg_next_id
other=$(msg_make $key_b)
if [ "$other" != "$id" ]; then
	fail $t "could not make another queue with id $id (got $other)"
elif run 1 "$SUDCR" restore -D "$TMP/img" -d && one_error_line &&
     grep -qF "System V message queue $id exists but is not the image's: its key differs" <<<"$err" &&
     ! kill -0 $tp 2>/dev/null && msg_exists "$id"; then
	pass $t
else
	fail $t "status $status: $err"
fi
[ "$other" -ge 0 ] 2>/dev/null && ipcrm -q "$other"

# Gone, and its key taken by another queue: it cannot be made again.
t=restore_refuses_key_taken
other=$(msg_make $key)
if [ "$other" -lt 0 ] || [ "$other" = "$id" ]; then
	fail $t "could not make another queue with key $key (got $other)"
elif run 1 "$SUDCR" restore -D "$TMP/img" -d && one_error_line &&
     grep -qF "cannot make System V message queue $id again: another queue has its key 0x$key" <<<"$err" &&
     ! kill -0 $tp 2>/dev/null && ! msg_exists "$id" && [ "$(cat /proc/sys/kernel/msg_next_id)" = -1 ]; then
	pass $t
else
	fail $t "status $status: $err; msg_next_id $(cat /proc/sys/kernel/msg_next_id)"
fi
[ "$other" -ge 0 ] 2>/dev/null && ipcrm -q "$other"

t=restore_makes_it_again
rm -f "$READY.out"
if ! run 0 "$SUDCR" restore -D "$TMP/img" -d || ! kill -0 $tp 2>/dev/null; then
	fail $t "status $status: $err"
elif [ "$(msg_id $key)" != "$id" ] ||
     [ "$(ipcs -q | awk -v id=$id '$2 == id { print $4 " " $5 " " $6 }')" != "640 19 3" ] ||
     ! ipcs -q -i "$id" | grep -q "qbytes=3000"; then
	fail $t "the queue made again: $(ipcs -q; ipcs -q -i $id)"
else
	kill -USR1 $tp
	for _ in $(seq 250); do [ -s "$READY.out" ] && break; sleep 0.02; done
	if [ "$(cat "$READY.out" 2>/dev/null)" = "$(printf '5 one\n1 two, type 1\n5 three\nend')" ]; then
		pass $t
	else
		fail $t "the restored process read: $(cat "$READY.out" 2>/dev/null)"
	fi
fi
kill -9 $tp 2>/dev/null
wait $tp 2>/dev/null
ipcrm -q "$id" 2>/dev/null
finish
