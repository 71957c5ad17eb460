# sudcr killed (SIGKILL) at each of its calls that touch the target, one
# dump each, deterministically: build/tests/sudcr-dieat with SUDCR_DIE_AT=N
# dies right before its Nth ptrace, waitpid, waitid, process_vm_writev or
# sched_setaffinity call (tests/dieat.c), and N goes from 1 until a dump
# ends by itself.  After each kill the busy SUD program (exclusive mode,
# selector flipped on every call) must run on exactly: counts exact and
# growing, untraced, signal mask, affinity and SUD config as before; and
# once one more sudcr has touched it (an unkilled dump), no mapping more
# than it had.  For each kill point that breaks it, prints the call and
# what differed.  A kill right after sudcr set a thread's transit SUD
# config, or right before it put the thread's own back, leaves the
# transit config (tests/crash/transit.bash): accepted when the program
# runs on exactly, and then the next dump must put its config back.
#
# Run by `make crash-test` over every kill point (SWEEP_STEP=1), and by
# tests/cli/killed_sweep*.sh over samples.  SWEEP_FROM / SWEEP_TO bound N
# (< 0: counted from the end of an unkilled dump's calls).
# The sweep ends at SWEEP_TO or after 20 dumps in a row that ended first.
# The four-thread program has an undo list (every pthread_create makes
# one), and the dump refuses it while any System V semaphore set exists
# in sudcr's IPC namespace (lib/kinds/sysv_sem.c): other tests running on
# the machine make some.  In an IPC namespace of its own, the sweep sees
# none of theirs.
if [ "${SWEEP_MT:-0}" = 1 ] && [ "${SWEEP_IPC_OWN:-0}" != 1 ]; then
	export SWEEP_IPC_OWN=1 SWEEP_NAME SWEEP_MT SWEEP_FROM SWEEP_TO SWEEP_STEP
	exec unshare -i bash "${BASH_SOURCE[0]}"
fi
. "$SRCDIR/tests/cli/lib.bash"
. "$SRCDIR/tests/crash/transit.bash"

t=${SWEEP_NAME:-dump_sweep}
st=$TMP/status
img=$TMP/img
DIEAT=$TESTBIN/sudcr-dieat
step=${SWEEP_STEP:-1}

# SWEEP_MT=1: the four-thread program (tests/targets/sud_status_mt: SUD
# with a selector, with a range, inclusive, and none), whose threads share
# one safety mapping.
mt=${SWEEP_MT:-0}

# counts: one line per counting thread, "calls hits bad" (and the worker).
counts() {
	if [ $mt = 1 ]; then
		sed -E 's/^w([0-9]) tid=[0-9]+ calls=([0-9]+) hits=([0-9]+) bad=([0-9]+).*/\2 \3 \4 \1/' "$st"
	else
		sed -E 's/.*calls=([0-9]+) hits=([0-9]+) bad=([0-9]+).*/\1 \2 \3 0/' "$st"
	fi
}

# exact: every count as it must be (with SUD: each call intercepted once;
# the mt program's count may be one call ahead of its handler's, and its
# worker without SUD is never dispatched).
exact() {
	local calls hits bad w
	while read -r calls hits bad w; do
		[ "$bad" = 0 ] || return 1
		if [ $mt = 1 ] && [ "$w" = 3 ]; then
			[ "$hits" = 0 ] || return 1
		elif [ $mt = 1 ]; then
			[ $((hits - calls)) -ge 0 ] && [ $((hits - calls)) -le 1 ] || return 1
		else
			[ "$hits" = "$calls" ] || return 1
		fi
	done < <(counts)
}

# grown BEFORE: every thread counted more calls than in BEFORE.
grown() {
	paste -d' ' <(echo "$1") <(counts) | awk '$5 <= $1 { bad = 1 } END { exit bad }'
}

observe() {
	local task
	awk '/^State:/ { print ($2 == "R" || $2 == "S") ? "State: live" : "State: " $2 }' /proc/$1/status
	for task in /proc/$1/task/*; do
		awk '/^State:/ { printf "%s ", ($2 == "R" || $2 == "S") ? "live" : $2 }' $task/status
		grep -E '^(TracerPid|SigBlk|Cpus_allowed_list):' $task/status | tr '\n\t' '  ' |
			sed 's/SigBlk: 0000000040000000/SigBlk: 0000000000000000/'
		echo
	done
	"$SUDCR" sud get --json $1 2>&1 | sed -E 's/"selector_value":[0-9]+,?//g'
}

# healthy PID: counts exact and growing, the rest as observed first.
healthy() {
	local before now ok=0
	before=$(counts)
	# Up to 10 s: under a full suite's load on two cores a thread may get no CPU for seconds.
	for _ in $(seq 1000); do grown "$before" && break; sleep 0.01; done
	now=$(observe $1)
	grown "$before" || { ok=1; echo "no progress ($(tr -s ' ' <"$st" | tr '\n' ' '))"; }
	exact || { ok=1; echo "counts wrong ($(tr -s ' ' <"$st" | tr '\n' ' '))"; }
	if [ "$now" != "$first" ] && [ "$(echo "$now" | untransit_observation $1)" = "$first" ]; then
		echo x >> "$TMP/transits"
	elif [ "$now" != "$first" ]; then
		ok=1
		echo "differs: $(diff <(echo "$first") <(echo "$now") | grep '^[<>]' | tr "\n" " ")"
	fi
	return $ok
}

start() {
	rm -f "$st"
	if [ $mt = 1 ]; then
		"$TESTBIN/targets/sud_status_mt" "$st" </dev/null >/dev/null 2>&1 9>&- &
	else
		"$TESTBIN/targets/sud_status" selector "$st" </dev/null >/dev/null 2>&1 9>&- &
	fi
	tp=$!
	pids+=($tp)
	for _ in $(seq 100); do [ -s "$st" ] && [ $mt = 0 ] || [ "$(grep -c tid= "$st" 2>/dev/null)" = 4 ] && break; sleep 0.02; done
	sleep 0.3
	first=$(observe $tp)
	maps=$(cut -d' ' -f1-2 /proc/$tp/maps)
	vdso=$(vdso_sum $tp)
}

start
# How many calls an unkilled dump makes: the fewest of three (the number
# of waits varies with the load, by a hundred calls or more for four
# threads), so that kill points counted from the end land.
total=
for _ in 1 2 3; do
	rm -rf "$img"
	SUDCR_DIE_TRACE=1 "$DIEAT" dump -t $tp -D "$img" --leave-running 2>"$TMP/trace" 9>&-
	n=$(grep -c '^sudcr-dieat: [0-9]' "$TMP/trace")
	[ -z "$total" ] || [ "$n" -lt "$total" ] && total=$n
done
from=${SWEEP_FROM:-1}
to=${SWEEP_TO:-100000}
[ "$from" -lt 0 ] && from=$((total + from))
[ "$to" -lt 0 ] && to=$((total + to))
echo "# an unkilled dump makes $total calls; kill points $from..$to, step $step"

tried=0 broken=0 missed=0
for ((n = from; n <= to; n += step)); do
	rm -rf "$img"
	( SUDCR_DIE_AT=$n "$DIEAT" dump -t $tp -D "$img" --leave-running 2>"$TMP/err" 9>&-; true ) 2>/dev/null
	at=$(grep -o 'dying at .*' "$TMP/err")
	# This dump ended first (the number of waits varies a little): the
	# sweep ends after 20 such in a row.
	if [ -z "$at" ]; then
		missed=$((missed + 1))
		[ $missed -lt 20 ] && continue
		break
	fi
	missed=0
	tried=$((tried + 1))
	why=
	if ! [ -d /proc/$tp ] || [ "$(awk '/^State:/ { print $2 }' /proc/$tp/status)" = Z ]; then
		why="the program died"
	else
		why=$(healthy $tp) && why=
		# The next sudcr removes what this one left.
		if [ -z "$why" ]; then
			rm -rf "$img"
			"$SUDCR" dump -t $tp -D "$img" --leave-running 2>/dev/null 9>&- || why="the next dump failed"
			now=$(cut -d' ' -f1-2 /proc/$tp/maps)
			[ "$now" = "$maps" ] || why="${why}after one more dump, mappings differ:$(diff <(echo "$maps") <(echo "$now") | grep '^[<>]' | tr "\n" " ")"
			grep -q -- '-wxp' <("$SUDCR" show -D "$img" 2>/dev/null) && why="$why the next image holds a -wx mapping"
			now=$(observe $tp)
			[ "$now" = "$first" ] || why="${why}after one more dump, differs: $(diff <(echo "$first") <(echo "$now") | grep '^[<>]' | tr "\n" " ")"
			[ "$(vdso_sum $tp)" = "$vdso" ] || why="${why}after one more dump, the vDSO differs"
		fi
	fi
	[ -z "$why" ] && continue
	broken=$((broken + 1))
	fail $t "kill point $n ($at): $why"
	{ kill -9 $tp; wait $tp; } 2>/dev/null
	start
done
echo "# $tried kill points, $broken broke the program; $(cat "$TMP/transits" 2>/dev/null | wc -l) left a transit SUD config (put back by the next dump)"
[ $tried -gt 0 ] || fail $t "no kill point landed"
[ $failed = 0 ] && pass $t
finish
