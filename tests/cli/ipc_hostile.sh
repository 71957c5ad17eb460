# Hostile images of System V shm and message queues and POSIX message queues: records with
# valid checksums and damaged contents (tests/targets/img_edit).  Each
# restore must fail with one line naming what is wrong, before anything
# exists: the image's process still runs, so an image that got past
# validation would fail with "PID ... is taken" instead.
. "$SRCDIR/tests/cli/lib.bash"

ED=$TESTBIN/targets/img_edit
key=$(printf '5d20%04x' $(($$ & 0xffff)))
Q=/sudcr-hostile-$$
"$TESTBIN/targets/shm_holder" keyed "$TMP/shm.ready" $key </dev/null >/dev/null 2>&1 9>&- &
ts=$!
"$TESTBIN/targets/mq_holder" hold $Q "$TMP/mq.ready" </dev/null >/dev/null 2>&1 9>&- &
tq=$!
"$TESTBIN/targets/msg_holder" "$TMP/msg.ready" $(printf '5e13%04x' $(($$ & 0xffff))) </dev/null >/dev/null 2>&1 9>&- &
tm=$!
pids+=($ts $tq $tm)
for _ in $(seq 250); do
	[ -s "$TMP/shm.ready" ] && [ -s "$TMP/mq.ready" ] && [ -s "$TMP/msg.ready" ] && break
	sleep 0.02
done
id=$(cat "$TMP/shm.ready" 2>/dev/null)
msgid=$(cat "$TMP/msg.ready" 2>/dev/null)
if ! run 0 "$SUDCR" dump -t $ts -D "$TMP/shm" --leave-running ||
   ! run 0 "$SUDCR" dump -t $tq -D "$TMP/mq" --leave-running ||
   ! run 0 "$SUDCR" dump -t $tm -D "$TMP/msg" --leave-running; then
	fail ipc_hostile_dump "cannot dump the targets: $err"
	kill -9 $ts $tq $tm
	ipcrm -m "$id" 2>/dev/null
	ipcrm -q "$msgid" 2>/dev/null
	"$TESTBIN/targets/mq_holder" unlink $Q
	finish
fi

# hostile NAME IMAGE WANT EDIT...
hostile() {
	local name=$1 img=$TMP/$2 want=$3 e words
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
	if ! run 1 "$SUDCR" restore -D "$TMP/bad" -d; then
		fail "hostile_$name" "exit $status (want 1), stderr '$err'"
	elif ! one_error_line || ! grep -qF -- "$want" <<<"$err"; then
		fail "hostile_$name" "want '$want' in '$err'"
	else
		pass "hostile_$name"
	fi
}

t=hostile_ipc_baseline
if run 1 "$SUDCR" restore -D "$TMP/shm" -d && one_error_line && grep -q "is taken" <<<"$err" &&
   run 1 "$SUDCR" restore -D "$TMP/mq" -d && one_error_line && grep -q "is taken" <<<"$err" &&
   run 1 "$SUDCR" restore -D "$TMP/msg" -d && one_error_line && grep -q "is taken" <<<"$err"; then
	pass $t
else
	fail $t "the undamaged images should fail only on their taken PIDs: '$err'"
fi

# struct rec_sysv_shm: id 0, key 4, mode 8, ... size 32; the content follows at 48.
# struct rec_sysv_shm_attach: addr 0, len 8, id 16, shmflg 20.
V=$("$ED" "$TMP/shm" first vma flags 0x4000)
hostile shm_attach_missing shm "outside any attach" "del 161 0"
hostile shm_segment_missing shm "bad, or of no segment" "del 160 0"
hostile shm_segment_twice shm "System V shm segment $id: bad or repeated" "dup 160 0"
hostile shm_mode shm "System V shm segment $id: bad or repeated" "poke 160 0 8 0x10000 4"
hostile shm_short shm "System V shm record of 100 bytes" "len 160 0 100"
hostile shm_removed_keyed shm "removed but keyed" "poke 160 0 9 0x02 1"
hostile shm_attach_flags shm "bad System V shm attach record" "poke 161 0 20 2 4"
hostile shm_attach_len shm "bad, or of no segment" "poke 161 0 8 4096 8"
hostile shm_attach_id shm "bad, or of no segment" "poke 161 0 16 0x7fffffff 4"
hostile shm_attach_unused shm "System V shm segment 2147483632: not attached" "dup 160 0" "poke 160 1 0 0x7ffffff0 4"
hostile shm_vma_flags shm "System V attach with flags 0x4005" "set vma $V flags 0x4005"
hostile shm_vma_ino shm "its mappings do not match" "set vma $V ino 1"
hostile shm_vma_readonly shm "its mappings do not match" "poke 161 0 20 0x1000 4"

# struct rec_mqueue: fd 0, flags 4, maxmsg 8, msgsize 16, nr_msgs 24, pad 28; messages at 32.
hostile mq_missing mq "no queue record" "del 162 0"
hostile mq_flags mq "bad POSIX message queue record" "poke 162 0 4 2 4"
hostile mq_fd mq "which is no queue description before it" "poke 162 0 0 7 4"
hostile mq_attrs mq "bad message queue attributes" "poke 162 0 24 11 4"
hostile mq_short mq "message queue record too short" "poke 162 0 24 2 4"
hostile mq_long mq "message queue record too long" "len 162 0 60"
hostile mq_msg_len mq "bad queued message 0" "poke 162 0 36 9000 4"
hostile mq_prio mq "bad queued message 0" "poke 162 0 32 40000 4"
hostile mq_name mq "bad POSIX message queue" "set fd 3 path[3] 0x2f"

# struct rec_sysv_msg: id 0, key 4, mode 8, uid 12, gid 16, cuid 20, cgid 24, nr_msgs 28, qbytes 32,
# ctime 40; the messages at 48: type 48, len 56, pad 60, text 64.
hostile msg_twice msg "System V message queue $msgid: repeated" "dup 163 0"
hostile msg_mode msg "System V message queue $msgid: bad id, mode or qbytes" "poke 163 0 8 0x1000 4"
hostile msg_qbytes msg "System V message queue $msgid: bad id, mode or qbytes" "poke 163 0 32 0 8"
hostile msg_id msg "System V message queue -1: bad id, mode or qbytes" "poke 163 0 0 0xffffffff 4"
hostile msg_count msg "System V message queue record of 115 bytes: bad messages" "poke 163 0 28 4 4"
hostile msg_type msg "System V message queue record of 115 bytes: bad messages" "poke 163 0 48 0 8"
hostile msg_len msg "System V message queue record of 115 bytes: bad messages" "poke 163 0 56 9000 4"
hostile msg_pad msg "System V message queue record of 115 bytes: bad messages" "poke 163 0 60 1 4"
hostile msg_short msg "System V message queue record of 40 bytes" "len 163 0 40"

kill -9 $ts $tq $tm 2>/dev/null
wait 2>/dev/null
ipcrm -m "$id" 2>/dev/null
ipcrm -q "$msgid" 2>/dev/null
"$TESTBIN/targets/mq_holder" unlink $Q
finish
