# A restore killed (SIGKILL) at a random instant leaves either nothing or
# a fully restored process, never a half-made one holding the PID: from
# the seize of the new process to the final detach, every thread is
# traced with PTRACE_O_EXITKILL; before the seize the stub's parent-death
# signal is SIGKILL.  The target is the SUD counting loop (selector mode):
# a restored process must keep intercepting with exact counts.  Twice:
# running, and stopped at the dump (a half-made stopped process outlives a
# dead tracer in its group stop, holding the PID for good).
#
# CRASH_TRIALS (default 100) restores of one image, each killed after a
# delay drawn uniformly from 0 to 1.5 times the time an unkilled restore
# takes (measured here first; CRASH_MIN_US/CRASH_MAX_US override), so
# kills land throughout the restore and some after its end.  Prints the
# delay distribution and the outcomes.
. "$SRCDIR/tests/cli/lib.bash"

trials=${CRASH_TRIALS:-100}
st=$TMP/status
KILLER=$TESTBIN/targets/killer

status() {
	eval "$(sed -E 's/([a-z]+)=([0-9]+)/s_\1=\2/g; s/ +$//' "$1")"
}

# Same size as the program's own line: the restore checks the file's size.
blank() { printf '%-127s\n' "pid=0 calls=0 hits=0 bad=0" >"$st"; }

# wait_gone PID: true once no process holds PID (the runner reaps orphans).
wait_gone() {
	for _ in $(seq 500); do [ -d /proc/$1 ] || return 0; sleep 0.01; done
	return 1
}

pstate() { awk '/^State:/ { print $2 }' /proc/$1/status 2>/dev/null; }

# restored PID STOPPED: the whole program is there: stopped if it was, and
# then (after SIGCONT) it runs, intercepts, and its counts are exact.
restored() {
	local before
	if [ "$2" = 1 ]; then
		for _ in $(seq 100); do [ "$(pstate $1)" = T ] && break; sleep 0.01; done
		[ "$(pstate $1)" = T ] || return 1
		kill -CONT $1
	fi
	for _ in $(seq 100); do status "$st"; [ "$s_pid" = "$1" ] && [ "$s_calls" -gt 0 ] && break; sleep 0.02; done
	before=$s_calls
	for _ in $(seq 100); do status "$st"; [ "$s_calls" -gt "$before" ] && break; sleep 0.02; done
	[ "$s_pid" = "$1" ] && [ "$s_calls" -gt "$before" ] && [ "$s_bad" = 0 ] && [ "$s_hits" = "$s_calls" ] &&
		run 0 "$SUDCR" sud get --json "$1" && grep -q '"mode":"exclusive"' <<<"$out"
}

# trials NAME STOPPED
trials() {
	local t=$1 stopped=$2 img=$TMP/img.$1 tp full us how code delay bin max bad=0 nothing=0 whole=0 after=0
	local -A bins

	"$TESTBIN/targets/sud_status" selector "$st" </dev/null >/dev/null 2>&1 9>&- &
	tp=$!
	pids+=($tp)
	for _ in $(seq 100); do [ -s "$st" ] && break; sleep 0.02; done
	sleep 0.2
	if [ $stopped = 1 ]; then
		kill -STOP $tp
		for _ in $(seq 100); do [ "$(pstate $tp)" = T ] && break; sleep 0.01; done
	fi
	if ! run 0 "$SUDCR" dump -t $tp -D "$img"; then
		fail $t "dump exited $status: $err"
		kill -9 $tp
		return
	fi
	wait $tp 2>/dev/null

	# The image is restored again and again, and each restored copy (and
	# blank) rewrites the status file it had open for writing: the changed
	# file is allowed.
	# How long an unkilled restore takes (the best of three).
	for _ in 1 2 3; do
		blank
		wait_gone $tp || { fail $t "PID $tp never became free"; return; }
		read -r how code us < <("$KILLER" 100000000 "$SUDCR" restore -D "$img" -d --allow-changed-files 2>"$TMP/restore.err")
		if [ "$how" != exited ] || [ "$code" != 0 ] || ! restored $tp $stopped; then
			fail $t "an unkilled restore failed ($how $code): $(cat "$st"); stderr: $(cat "$TMP/restore.err")"
			kill -9 $tp 2>/dev/null
			return
		fi
		[ -z "$full" ] || [ "$us" -lt "$full" ] && full=$us
		kill -9 $tp
	done
	max=${CRASH_MAX_US:-$((full * 3 / 2))}
	echo "# $t: an unkilled restore takes $full us; kills drawn from ${CRASH_MIN_US:-0} to $max us"

	for i in $(seq "$trials"); do
		blank
		wait_gone $tp || { fail $t "trial $i: PID $tp never became free"; bad=1; break; }
		delay=$(( ${CRASH_MIN_US:-0} + (RANDOM * 32768 + RANDOM) % (max + 1 - ${CRASH_MIN_US:-0}) ))
		bin=$((delay * 10 / (max + 1)))
		read -r how code _ < <("$KILLER" $delay "$SUDCR" restore -D "$img" -d --allow-changed-files 2>"$TMP/restore.err")
		if [ "$how" = exited ]; then
			# Not killed: it ended first, and must have restored.
			after=$((after + 1))
			if [ "$code" != 0 ] || ! restored $tp $stopped; then
				fail $t "trial $i: the restore ended ($code) but the process is not right: $(cat "$st"); stderr: $(cat "$TMP/restore.err")"
				bad=1
			fi
			kill -9 $tp 2>/dev/null
			continue
		fi
		bins[$bin]=$(( ${bins[$bin]:-0} + 1 ))
		# Killed: now either no process holds the PID, or a whole one is there.
		if wait_gone $tp; then
			nothing=$((nothing + 1))
		elif restored $tp $stopped; then
			whole=$((whole + 1))
		else
			fail $t "trial $i: killed after $delay us: PID $tp is held by a process that is not right (state $(pstate $tp)): $(cat "$st")"
			bad=1
		fi
		kill -9 $tp 2>/dev/null
	done
	wait_gone $tp || { fail $t "PID $tp still held after the last trial"; bad=1; }
	dist=
	for b in $(seq 0 9); do dist+=" $((b * max / 10))-$(((b + 1) * max / 10))us:${bins[$b]:-0}"; done
	echo "# $t: $trials trials: $((trials - after)) kills landed ($after restores ended first); after a kill: nothing $nothing, whole process $whole"
	echo "# $t: kills by delay:$dist"
	[ $bad = 0 ] && pass $t
}

trials restore_killed 0
trials restore_killed_stopped 1
finish
