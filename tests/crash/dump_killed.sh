# sudcr killed (SIGKILL) at a random instant inside `dump --leave-running`
# of a busy SUD program (exclusive mode, selector flipped on every call, a
# loop of intercepted calls checked call by call) leaves the program as it
# was: running, not traced, SUD armed with the same config, its signal
# mask and CPU affinity as before, and its counts exact (every call
# intercepted, once).
#
# Run by `make crash-test` (not part of `make test`: see tests/tests.mk).
# Dumps, each killed after a delay drawn uniformly from 0 to 1.5 times the
# time an unkilled dump takes (measured here first; CRASH_MIN_US /
# CRASH_MAX_US override), until CRASH_TRIALS (default 100) kills have
# landed inside a dump (a dump that ended before its kill is not counted
# as a trial; at most 4 times as many dumps).  Prints the delay
# distribution and the outcomes.  A kill that leaves a thread in its
# transit SUD config (tests/crash/transit.bash) is accepted when the
# program runs on exactly, and one more dump must then put it back.
. "$SRCDIR/tests/cli/lib.bash"
. "$SRCDIR/tests/crash/transit.bash"

trials=${CRASH_TRIALS:-100}
st=$TMP/status
img=$TMP/img
KILLER=$TESTBIN/targets/killer
t=dump_killed

status() {
	eval "$(sed -E 's/([a-z]+)=([0-9]+)/s_\1=\2/g; s/ +$//' "$1")"
}

# The state a dump must not change, as /proc and sudcr see it.
observe() {
	# State: running or sleeping, never stopped (T) or traced (t).
	awk '/^State:/ { print ($2 == "R" || $2 == "S") ? "State: live" : "State: " $2 }' /proc/$1/status
	# SigBlk: SIGSYS is blocked while the program's handler runs, nothing else.
	grep -E '^(TracerPid|SigBlk|Cpus_allowed_list):' /proc/$1/status | tr '\n\t' '  ' |
		sed 's/SigBlk: 0000000040000000/SigBlk: 0000000000000000/'
	"$SUDCR" sud get --json $1 2>&1 | sed -E 's/"selector_value":[0-9]+,?//g'	# flips on every call
}

# healthy PID: counts exact and growing, and the rest as observed first.
healthy() {
	local before now
	status "$st"
	before=$s_calls
	for _ in $(seq 200); do status "$st"; [ "$s_calls" -gt "$before" ] && break; sleep 0.01; done
	now=$(observe $1)
	in_transit=0
	if [ "$now" != "$first" ] && [ "$(echo "$now" | untransit_observation $1)" = "$first" ]; then
		in_transit=1
		now=$first
	fi
	[ "$now" = "$first" ] || echo "# differs: $(diff <(echo "$first") <(echo "$now") | tr "\n" " ")"
	[ "$s_calls" -gt "$before" ] && [ "$s_bad" = 0 ] && [ "$s_hits" = "$s_calls" ] && [ "$now" = "$first" ]
}

# After a kill that left a transit config: one more dump puts it back.
transit_repaired() {
	rm -rf "$img"
	"$SUDCR" dump -t $1 -D "$img" --leave-running 2>/dev/null 9>&- && healthy $1 && [ $in_transit = 0 ] &&
		[ "$(vdso_sum $1)" = "$vdso" ]
}

# start: a new program in $tp, its first observation in $first.
start() {
	rm -f "$st"
	# Run outside the test runner (make crash-test): no inherited fds but 0-2.
	(
		for fd in $(ls /proc/$BASHPID/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
		exec "$TESTBIN/targets/sud_status" selector "$st"
	) </dev/null >/dev/null 2>&1 &
	tp=$!
	pids+=($tp)
	for _ in $(seq 100); do [ -s "$st" ] && break; sleep 0.02; done
	sleep 0.2
	first=$(observe $tp)
	vdso=$(vdso_sum $tp)
}

start

full=
for _ in 1 2 3; do
	rm -rf "$img"
	read -r how code us < <("$KILLER" 100000000 "$SUDCR" dump -t $tp -D "$img" --leave-running 2>/dev/null)
	if [ "$how" != exited ] || [ "$code" != 0 ] || ! healthy $tp; then
		fail $t "an unkilled dump failed ($how $code): $(cat "$st") now: $(observe $tp) first: $first"
		finish
	fi
	[ -z "$full" ] || [ "$us" -lt "$full" ] && full=$us
done
max=${CRASH_MAX_US:-$((full * 3 / 2))}
echo "# an unkilled dump takes $full us; kills drawn from ${CRASH_MIN_US:-0} to $max us"

declare -A bins
bad=0 after=0 broken=0 transits=0 i=0 landed=0
while [ $landed -lt "$trials" ] && [ $i -lt $((trials * 4)) ]; do
	i=$((i + 1))
	rm -rf "$img"
	delay=$(( ${CRASH_MIN_US:-0} + (RANDOM * 32768 + RANDOM) % (max + 1 - ${CRASH_MIN_US:-0}) ))
	bin=$((delay * 10 / (max + 1)))
	read -r how code _ < <("$KILLER" $delay "$SUDCR" dump -t $tp -D "$img" --leave-running 2>/dev/null)
	if [ "$how" = exited ]; then
		after=$((after + 1))
	else
		landed=$((landed + 1))
		bins[$bin]=$(( ${bins[$bin]:-0} + 1 ))
	fi
	if ! [ -d /proc/$tp ] || [ "$(awk '/^State:/ { print $2 }' /proc/$tp/status)" = Z ]; then
		fail $t "trial $i ($how after $delay us): the program died: $(cat "$st")"
	elif ! healthy $tp; then
		fail $t "trial $i ($how after $delay us): $(cat "$st") $(observe $tp)"
	elif [ $in_transit = 1 ] && { transits=$((transits + 1)); ! transit_repaired $tp; }; then
		fail $t "trial $i ($how after $delay us): left a transit SUD config that one more dump did not put back: $(observe $tp)"
	else
		continue
	fi
	# Counted; a new program for the trials that follow.
	bad=1
	broken=$((broken + 1))
	kill -9 $tp 2>/dev/null
	wait $tp 2>/dev/null
	start
done
dist=
for b in $(seq 0 9); do dist+=" $((b * max / 10))-$(((b + 1) * max / 10))us:${bins[$b]:-0}"; done
echo "# $i dumps: $landed kills landed inside a dump ($after dumps ended first); program broken after $broken; $transits left a transit SUD config (put back by the next dump)"
[ $landed -ge "$trials" ] || fail $t "only $landed of $trials kills landed inside a dump"
echo "# kills by delay:$dist"
[ $bad = 0 ] && pass $t
finish
