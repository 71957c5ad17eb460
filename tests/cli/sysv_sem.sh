# System V semaphore undo values at restore: a kill-mode dump of a process
# with undo values records the sets, and the restore finds the undo
# values by what the exit did.  What it refuses, with one line and no
# process left, because the undo values cannot be known: a set another
# process operated on since the dump, a set changed by SETVAL, a set
# removed, a semaphore the exit clamped at 0.  Without any of these, the
# restore gives the process its values back (it holds the semaphores
# again).
. "$SRCDIR/tests/cli/lib.bash"

# start MODE: a sem_holder in $tp, its set's id in $id, dumped (kill) into $TMP/img-$t
start() {
	rm -f "$TMP/ready"
	"$TESTBIN/targets/sem_holder" "$1" "$TMP/ready" </dev/null >/dev/null 2>&1 9>&- &
	tp=$!
	pids+=($tp)
	for _ in $(seq 250); do [ -s "$TMP/ready" ] && break; sleep 0.02; done
	id=$(cat "$TMP/ready" 2>/dev/null)
	[ -n "$id" ] && run 0 "$SUDCR" dump -t $tp -D "$TMP/img-$t" && wait $tp 2>/dev/null
	[ -n "$id" ] && ! kill -0 $tp 2>/dev/null
}

# vals ID: the values of set ID's 3 semaphores
vals() {
	perl -e 'for $n (0..2) { push @v, semctl($ARGV[0], $n, 12, 0) + 0 } print "@v"' "$1"
}
# semop_other ID NUM OP: another process's semop, without SEM_UNDO
semop_other() {
	perl -e 'semop($ARGV[0], pack("s!3", $ARGV[1], $ARGV[2], 0)) or exit 1' "$@"
}

semop_other_id() { semop_other "$id" "$@"; }
# a second later than the set's ctime (SETALL), which it changes
setval_id() { sleep 1; perl -e 'semctl($ARGV[0], 2, 16, 0) or exit 1' "$id"; }

# refused T MODE WANT CMD...: dump, do CMD, the restore must fail saying WANT
refused() {
	local want=$3 mode=$2
	t=$1
	shift 3
	if ! start $mode; then
		fail $t "sem_holder did not start or dump: $err"
	elif ! "$@"; then
		fail $t "could not change the set: $*"
	elif run 1 "$SUDCR" restore -D "$TMP/img-$t" -d && one_error_line && grep -qF "$want" <<<"$err" &&
	     ! kill -0 $tp 2>/dev/null; then
		pass $t
	else
		fail $t "status $status: $err"
	fi
	kill -9 $tp 2>/dev/null
	ipcrm -s "$id" 2>/dev/null
}

t=dump_show
if ! start plain; then
	fail $t "sem_holder did not start or dump: $err"
elif [ "$(vals $id)" != "1 5 2" ]; then
	fail $t "the exit did not give back the values: $(vals $id)"
elif ! run 0 "$SUDCR" show -D "$TMP/img-$t" ||
     ! grep -q "^  System V semaphore set $id: key 0x00000000, ctime [0-9]*, otime [0-9]*, at the dump: 0 (pid $tp) 8 (pid $tp) 2 (pid $tp); undo values found at restore\$" <<<"$out"; then
	fail $t "show: $out"
else
	t=restore_takes_them_again
	if run 0 "$SUDCR" restore -D "$TMP/img-dump_show" -d && kill -0 $tp 2>/dev/null && [ "$(vals $id)" = "0 8 2" ]; then
		kill -9 $tp
		for _ in $(seq 100); do kill -0 $tp 2>/dev/null || break; sleep 0.02; done
		if [ "$(vals $id)" = "1 5 2" ]; then
			pass dump_show
			pass $t
		else
			fail $t "the restored process's exit did not give the values back: $(vals $id)"
		fi
	else
		fail $t "status $status: $err; values $(vals $id)"
	fi
fi
kill -9 $tp 2>/dev/null

# Hostile records (tests/targets/img_edit), refused before anything exists.
# struct rec_sysv_sem_undo: id 0, key 4, pid 8, nsems 12, ctime 16, otime 24, at 32;
# the semaphores at 40: value, last operator's PID (8 bytes each).
hostile() {
	local name=$1 want=$2 e words n
	n=$("$SUDCR" show -D "$TMP/img-dump_show" --json | grep -o '"sysv_sem_undo":\[.*' |
	    grep -o '{"id":[0-9]*,"key"' | grep -n "\"id\":$id," | cut -d: -f1)
	n=$((n - 1))
	shift 2
	rm -rf "$TMP/bad"
	cp -r "$TMP/img-dump_show" "$TMP/bad"
	for e in "$@"; do
		read -ra words <<<"${e//@/$n}"
		"$TESTBIN/targets/img_edit" "$TMP/bad" "${words[@]}" || { fail "hostile_$name" "img_edit $e"; return; }
	done
	if run 1 "$SUDCR" restore -D "$TMP/bad" -d && one_error_line && grep -qF -- "$want" <<<"$err"; then
		pass "hostile_$name"
	else
		fail "hostile_$name" "status $status: $err"
	fi
}
hostile sem_len "System V semaphore record of 56 bytes" "len 164 @ 56"
hostile sem_nsems "System V semaphore record of 64 bytes" "poke 164 @ 12 2 4"
hostile sem_pid "System V semaphore set $id: bad id, or of process 1" "poke 164 @ 8 1 4"
hostile sem_value "System V semaphore set $id: bad semaphore 1" "poke 164 @ 48 40000 4"
hostile sem_twice "System V semaphore set $id: repeated" "dup 164 @"
ipcrm -s "$id" 2>/dev/null

refused restore_refuses_used plain "semaphore 0 of System V semaphore set" semop_other_id 0 -1
refused restore_refuses_setval plain "was changed since the dump" setval_id
# Removed: the process's undo entry went with it, as it would have had it lived on.
t=restore_set_gone
if ! start plain; then
	fail $t "sem_holder did not start or dump: $err"
elif ipcrm -s "$id" && run 0 "$SUDCR" restore -D "$TMP/img-$t" -d && kill -0 $tp 2>/dev/null; then
	pass $t
else
	fail $t "status $status: $err"
fi
kill -9 $tp 2>/dev/null
refused restore_refuses_clamped clamp "semaphore 2 of System V semaphore set" true

# A multi-threaded process (an undo list, empty) among sets operated on
# only before it started has no undo values: --leave-running dumps it.
# Once a set is operated on, it may have some: refused.
t=leave_running_threads
other=$(perl -e '$id = semget(0, 1, 01600); semop($id, pack("s!3", 0, 1, 0)) or exit 1; print $id')
sleep 1.2
rm -f "$TMP/mt"
"$TESTBIN/targets/sud_status_mt" "$TMP/mt" </dev/null >/dev/null 2>&1 9>&- &
tp=$!
pids+=($tp)
for _ in $(seq 250); do [ -s "$TMP/mt" ] && break; sleep 0.02; done
if [ -z "$other" ]; then
	fail $t "cannot make a semaphore set"
elif ! run 0 "$SUDCR" dump -t $tp -D "$TMP/img-$t" --leave-running; then
	fail $t "status $status: $err"
elif ! semop_other "$other" 0 1; then
	fail $t "cannot operate on set $other"
elif run 1 "$SUDCR" dump -t $tp -D "$TMP/img-$t-2" --leave-running && one_error_line &&
     grep -qF "process $tp may have System V semaphore undo values" <<<"$err" && kill -0 $tp; then
	pass $t
else
	fail $t "after a semop: status $status: $err"
fi
kill -9 $tp 2>/dev/null
wait $tp 2>/dev/null
[ -n "$other" ] && ipcrm -s "$other"
finish
