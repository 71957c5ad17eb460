# SIGTERM while `sudcr syscall` runs a call that blocks in the target
# (pause, read of an empty FIFO, nanosleep) interrupts the call and leaves
# the process as it was: sudcr exits 1 with one line, the SUD config is
# unchanged and the program's interception counts stay exact and keep
# growing.  A non-blocking call with SIGTERM arriving around it either
# completes or is interrupted, never harms the target.  SIGINT ignored at
# start (a background job's) stays ignored, which is why the tests use
# SIGTERM.  A thread that was itself in a restartable sleep keeps sleeping
# its own sleep after an injected nanosleep is abandoned.
. "$SRCDIR/tests/cli/lib.bash"

# Address of symbol SYM of the (PIE) executable of process PID.
sym_addr() {
	local pid=$1 sym=$2 exe off base
	exe=$(readlink /proc/$pid/exe)
	off=$(nm "$exe" | awk -v s="$sym" '$3 == s { print $1 }')
	base=$(awk -v e="$exe" '$6 == e && $3 == "00000000" { split($1, a, "-"); print a[1]; exit }' /proc/$pid/maps)
	[ -n "$off" ] && [ -n "$base" ] && printf '0x%x\n' $((0x$base + 0x$off))
}

# wait_gone PID: wait for our child PID, at most 5 s; sets status (999: hung)
wait_gone() {
	local p=$1
	for _ in $(seq 500); do kill -0 $p 2>/dev/null || break; sleep 0.01; done
	if kill -0 $p 2>/dev/null; then
		kill -9 $p
		wait $p 2>/dev/null
		status=999
		return
	fi
	wait $p
	status=$?
}

# interrupt_call DELAY PID CALL...: sudcr syscall PID CALL, SIGTERM DELAY s
# after it started.  Not before the exec: the forked shell would run our
# EXIT trap (cleanup, which kills the targets) on SIGTERM.
interrupt_call() {
	local delay=$1 p comm
	shift
	"$SUDCR" syscall "$@" >"$TMP/stdout" 2>"$TMP/stderr" &
	p=$!
	for _ in $(seq 1000); do
		read -r comm </proc/$p/comm 2>/dev/null || break
		[ "$comm" = sudcr ] && break
	done
	[ "$delay" = 0 ] || sleep "$delay"
	kill -TERM $p 2>/dev/null
	wait_gone $p
	out=$(cat "$TMP/stdout")
	err=$(cat "$TMP/stderr")
}

# The status line of sud_status, as c_calls, c_hits, c_bad.
counts() {
	eval "$(sed -E 's/([a-z]+)=([0-9]+)/c_\1=\2/g' "$1")"
}

# The SUD config of PID as `sudcr sud get --json` prints it, less the
# selector's value (the selector setup's loop flips it all the time); in $out.
sud_json() {
	run 0 "$SUDCR" sud get --json "$1" && out=$(sed -E 's/"selector_value":[^,]*,//g' <<<"$out")
}

# target_ok T STATUSFILE PID JSON_BEFORE CALLS_BEFORE: SUD as before, counts exact and growing.
target_ok() {
	local t=$1 st=$2 tp=$3 json=$4 before=$5 c1
	if ! sud_json $tp || [ "$out" != "$json" ]; then
		fail $t "SUD config after: '$out' ($err), before: '$json'"
		return 1
	fi
	counts "$st"
	c1=$c_calls
	sleep 0.1
	counts "$st"
	if [ "$c_bad" != 0 ] || [ "$c_hits" != "$c_calls" ] || [ "$c_calls" -le "$c1" ] ||
	   [ "$c1" -le "$before" ]; then
		fail $t "counts: $(cat "$st") (before the call: calls=$before, then $c1)"
		return 1
	fi
	case $(awk '/^State:/ { print $2 }' /proc/$tp/status) in
	R|S) ;;
	*) fail $t "target state: $(grep State: /proc/$tp/status)"; return 1 ;;
	esac
	return 0
}

for mode in selector range inclusive; do
	st=$TMP/status.$mode
	"$TESTBIN/targets/sud_status" $mode "$st" <"$HOLD" >/dev/null 2>&1 9>&- &
	tp=$!
	pids+=($tp)
	for _ in $(seq 250); do [ -s "$st" ] && break; sleep 0.02; done
	sud_json $tp
	json=$out
	ts=$(sym_addr $tp sud_status_long_sleep)

	# fd 0 is the FIFO nobody writes to; the buffer is never touched.
	for call in pause "read 0 0 1" "nanosleep $ts 0"; do
		name=${call%% *}
		t=syscall_interrupt_${name}_$mode
		if [ $name = nanosleep ] && [ -z "$ts" ]; then
			fail $t "cannot find sud_status_long_sleep in process $tp"
			continue
		fi
		counts "$st"
		before=$c_calls
		# shellcheck disable=SC2086
		interrupt_call 0.3 $tp $call
		msg="syscall $name in $tp interrupted: the call was abandoned and the process left as it was"
		if [ $status != 1 ] || ! one_error_line || [ "$err" != "sudcr: $msg" ] || [ -n "$out" ]; then
			fail $t "exit $status$([ $status = 999 ] && echo ': still running 5 s after SIGTERM'), out '$out', err '$err'"
		elif target_ok $t "$st" $tp "$json" "$before"; then
			pass "$t"
		fi
	done

	# Non-blocking: SIGTERM before, during or after; the call completes or
	# is interrupted, and the target never notices.
	t=syscall_interrupt_getppid_$mode
	counts "$st"
	before=$c_calls
	ok=1 done=0 stopped=0 killed=0
	for delay in 0 0 0 0 0 0.0005 0.001 0.001 0.002 0.004; do
		interrupt_call $delay $tp getppid
		if [ $status = 0 ] && [ "$out" = $$ ] && [ -z "$err" ]; then
			done=$((done + 1))
		elif [ $status = 1 ] && one_error_line && [[ $err == "sudcr: syscall getppid in $tp interrupted: the call was "*" and the process left as it was" ]]; then
			stopped=$((stopped + 1))
		elif [ $status = 143 ] && [ -z "$err" ]; then
			killed=$((killed + 1))	# before it set up its handler
		else
			ok=0
			fail $t "after ${delay}s: exit $status, out '$out', err '$err'"
			break
		fi
	done
	[ $ok = 1 ] && target_ok $t "$st" $tp "$json" "$before" && pass "$t ($done completed, $stopped interrupted, $killed killed before touching it)"

	# sud set (to the config it has) with SIGTERM around it: done or not
	# done, the process never notices.
	[ $mode = selector ] || continue
	t=sud_set_interrupt
	sel=$(sed -E 's/.*"selector":"([^"]+)".*/\1/' <<<"$json")
	counts "$st"
	before=$c_calls
	ok=1
	for delay in 0 0 0 0 0 0.0005 0.001 0.001 0.002 0.004; do
		"$SUDCR" sud set $tp --mode exclusive --offset 0 --len 0 --selector "$sel" 2>"$TMP/stderr" &
		p=$!
		for _ in $(seq 1000); do
			read -r comm </proc/$p/comm 2>/dev/null || break
			[ "$comm" = sudcr ] && break
		done
		[ "$delay" = 0 ] || sleep "$delay"
		kill -TERM $p 2>/dev/null
		wait_gone $p
		err=$(cat "$TMP/stderr")
		if ! { [ $status = 0 ] && [ -z "$err" ]; } && ! { [ $status = 143 ] && [ -z "$err" ]; } &&
		   ! { [ $status = 1 ] && one_error_line && [ "$err" = "sudcr: sud set interrupted: thread $tp left as it was" ]; }; then
			ok=0
			fail $t "after ${delay}s: exit $status, err '$err'"
			break
		fi
	done
	[ $ok = 1 ] && target_ok $t "$st" $tp "$json" "$before" && pass $t
done

# A background job starts with SIGINT ignored: sudcr leaves it so, and
# SIGINT does not stop it; SIGTERM does.
t=syscall_interrupt_sigint_ignored
counts "$st"
before=$c_calls
"$SUDCR" syscall $tp pause >/dev/null 2>"$TMP/stderr" &
p=$!
sleep 0.3	# exec'd long before
kill -INT $p
sleep 0.3
if ! kill -0 $p 2>/dev/null; then
	wait $p
	fail $t "SIGINT stopped it (exit $?): $(cat "$TMP/stderr")"
else
	kill -TERM $p
	wait_gone $p
	err=$(cat "$TMP/stderr")
	if [ $status != 1 ] || ! one_error_line || [[ $err != *"syscall pause in $tp interrupted"* ]]; then
		fail $t "SIGTERM: exit $status, err '$err'"
	elif target_ok $t "$st" $tp "$json" "$before"; then
		pass $t
	fi
fi

# A thread in a nanosleep of its own: the abandoned injected nanosleep must
# not leave its continuation for the thread's restart_syscall (the thread
# would then sleep for 34 years).
t=syscall_interrupt_nanosleep_in_sleep
st=$TMP/sleeper
"$TESTBIN/targets/sleeper" "$st" </dev/null >/dev/null 2>&1 9>&- &
sp=$!
pids+=($sp)
for _ in $(seq 250); do [ -s "$st" ] && break; sleep 0.02; done
ts=$(sym_addr $sp sleeper_long_sleep)
ok=0
for _ in 1 2 3 4 5; do
	# Only a try made while it sleeps counts (230: clock_nanosleep).
	read -r nr _ </proc/$sp/syscall
	[ "$nr" = 230 ] || { sleep 0.01; continue; }
	interrupt_call 0.3 $sp nanosleep "$ts" 0
	if [ $status != 1 ] || ! one_error_line || [[ $err != *"syscall nanosleep in $sp interrupted"* ]]; then
		fail $t "exit $status, err '$err'"
		ok=2
		break
	fi
	n1=$(sed -E 's/sleeps=([0-9]+).*/\1/' "$st")
	sleep 0.3
	n2=$(sed -E 's/sleeps=([0-9]+).*/\1/' "$st")
	if [ "$n2" -gt "$n1" ]; then
		ok=1
		pass "$t (sleeps $n1 -> $n2)"
	else
		fail $t "the sleeper stopped waking up: sleeps $n1 -> $n2, $(cat /proc/$sp/syscall)"
		ok=2
	fi
	break
done
[ $ok = 0 ] && fail $t "the sleeper was never caught in its nanosleep"
finish
