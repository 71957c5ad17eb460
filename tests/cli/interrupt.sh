# SIGTERM in the middle of a dump or a restore stops it cleanly (SIGINT,
# SIGHUP and SIGQUIT take the same path, but a shell starts background
# jobs with SIGINT ignored, and sudcr leaves it so): a dump
# leaves the process running with its memory intact and no image, a
# restore leaves no process and the image usable.  A dump of 512 MiB takes
# long enough to be caught in the middle; if one finishes first anyway,
# the attempt is made again with a shorter delay.
. "$SRCDIR/tests/cli/lib.bash"

st=$TMP/fill.int
"$TESTBIN/targets/mem_fill" 512 "$st" </dev/null >/dev/null 2>&1 9>&- &
tp=$!
pids+=($tp)
for _ in $(seq 500); do [ -s "$st" ] && break; sleep 0.02; done

# ask: SIGUSR1 to the target, then its verdict on its memory
ask() {
	: >"$st"
	kill -USR1 $tp
	for _ in $(seq 250); do [ -s "$st" ] && break; sleep 0.02; done
	cat "$st"
}

# interrupt DELAY CMD...: run CMD, SIGTERM it after DELAY seconds; sets status, err
interrupt() {
	local delay=$1 p
	shift
	"$@" 2>"$TMP/stderr" >/dev/null &
	p=$!
	# Not before the exec: the forked shell would run lib.bash's EXIT trap.
	for _ in $(seq 500); do [ "$(cat /proc/$p/comm 2>/dev/null)" = sudcr ] && break; sleep 0.001; done
	sleep "$delay"
	kill -TERM $p 2>/dev/null
	wait $p
	status=$?
	err=$(cat "$TMP/stderr")
}

t=dump_interrupted
img=$TMP/img-int
done_ok=0
for delay in 0.06 0.04 0.03 0.02 0.01 0.005; do
	rm -rf "$img"
	interrupt $delay "$SUDCR" dump -t $tp -D "$img" --leave-running --no-sync
	[ $status = 0 ] && continue	# finished before the signal: try sooner
	if [ $status != 1 ] || ! one_error_line || [[ $err != *"dump interrupted: process $tp left as it was"* ]]; then
		fail $t "exit $status: $err"
	elif [ -n "$(ls -A "$img" 2>/dev/null)" ]; then
		fail $t "the image directory is not empty: $(ls -A "$img" | tr '\n' ' ')"
	elif [ "$(ask)" != ok ]; then
		fail $t "after the interrupted dump: $(cat "$st")"
	else
		pass "$t (after ${delay}s: $err)"
	fi
	done_ok=1
	break
done
[ $done_ok = 1 ] || fail $t "every dump finished before SIGTERM reached it"

t=restore_interrupted
rm -rf "$img"
if ! run 0 "$SUDCR" dump -t $tp -D "$img" --no-sync; then
	fail $t "dump exited $status: $err"
	finish
fi
wait $tp 2>/dev/null
done_ok=0
for delay in 0.06 0.04 0.03 0.02 0.01 0.005; do
	interrupt $delay "$SUDCR" restore -D "$img" -d
	if [ $status = 0 ]; then
		# Restored before the signal: dump it again (killing it) and retry sooner.
		run 0 "$SUDCR" dump -t $tp -D "$img" --no-sync --overwrite || { fail $t "re-dump: $err"; break; }
		for _ in $(seq 100); do [ -d /proc/$tp ] || break; sleep 0.01; done
		continue
	fi
	done_ok=1
	for _ in $(seq 100); do [ -d /proc/$tp ] || break; sleep 0.01; done
	msg=$err
	if [ $status != 1 ] || ! one_error_line || [[ $err != *"restore interrupted"* ]]; then
		fail $t "exit $status: $err"
	elif [ -d /proc/$tp ]; then
		fail $t "PID $tp exists after the interrupted restore"
	elif ! run 0 "$SUDCR" restore -D "$img" -d; then
		fail $t "the image does not restore afterwards: $err"
	elif [ "$(ask)" != ok ]; then
		fail $t "after restore: $(cat "$st")"
	else
		pass "$t (after ${delay}s: $msg)"
	fi
	break
done
[ $done_ok = 1 ] || fail $t "every restore finished before SIGTERM reached it"
# Not our child any more: wait until it is dead (a zombie for the runner to reap).
kill -9 $tp 2>/dev/null
while [ -d /proc/$tp ] && ! grep -q '^State:.*Z' /proc/$tp/status 2>/dev/null; do sleep 0.01; done

# Once the process runs, `sudcr restore` (waiting for it) passes SIGTERM on.
t=restore_forwards_sigterm
st2=$TMP/fill.fwd
img=$TMP/img-fwd
"$TESTBIN/targets/mem_fill" 1 "$st2" </dev/null >/dev/null 2>&1 9>&- &
tp=$!
pids+=($tp)
for _ in $(seq 200); do [ -s "$st2" ] && break; sleep 0.02; done
if ! run 0 "$SUDCR" dump -t $tp -D "$img"; then
	fail $t "dump exited $status: $err"
	finish
fi
wait $tp 2>/dev/null
"$SUDCR" restore -D "$img" 2>"$TMP/stderr" &
rp=$!
for _ in $(seq 200); do [ -d /proc/$tp ] && break; sleep 0.01; done
sleep 0.2
kill -TERM $rp
wait $rp
status=$?
if [ $status = 143 ] && [ ! -d /proc/$tp ]; then
	pass "$t (sudcr restore exited 143: the process died of SIGTERM)"
else
	fail $t "sudcr restore exited $status, process $([ -d /proc/$tp ] && echo alive || echo gone): $(cat "$TMP/stderr")"
	kill -9 $tp 2>/dev/null
fi
finish
