# Allocation failures: `dump --leave-running` of a busy SUD program and a
# restore, with the Nth allocation of sudcr's own code failing
# (build/tests/sudcr-failalloc, SUDCR_FAIL_ALLOC=N), for every N until the
# run needs fewer allocations.  Each failing run must fail cleanly: exit
# status 1, no image left (dump) and no process left (restore), no crash;
# the dumped program goes on exactly as before (counts exact, SUD armed,
# not traced, mask and affinity as found).
. "$SRCDIR/tests/cli/lib.bash"

FA=$TESTBIN/sudcr-failalloc
st=$TMP/status
img=$TMP/img

status() {
	eval "$(sed -E 's/([a-z]+)=([0-9]+)/s_\1=\2/g; s/ +$//' "$1")"
}

observe() {
	awk '/^State:/ { print ($2 == "R" || $2 == "S") ? "State: live" : "State: " $2 }' /proc/$1/status
	grep -E '^(TracerPid|SigBlk|Cpus_allowed_list):' /proc/$1/status | tr '\n\t' '  ' |
		sed 's/SigBlk: 0000000040000000/SigBlk: 0000000000000000/'
	"$SUDCR" sud get --json $1 2>&1 | sed -E 's/"selector_value":[0-9]+,?//g'
}

healthy() {
	local before
	status "$st"
	before=$s_calls
	for _ in $(seq 200); do status "$st"; [ "$s_calls" -gt "$before" ] && break; sleep 0.01; done
	[ "$s_calls" -gt "$before" ] && [ "$s_bad" = 0 ] && [ "$s_hits" = "$s_calls" ] && [ "$(observe $1)" = "$first" ]
}

"$TESTBIN/targets/sud_status" selector "$st" </dev/null >/dev/null 2>&1 9>&- &
tp=$!
pids+=($tp)
for _ in $(seq 100); do [ -s "$st" ] && break; sleep 0.02; done
sleep 0.2
first=$(observe $tp)

t=dump_alloc_failures
ok=1
for n in $(seq 1 5000); do
	rm -rf "$img"
	SUDCR_FAIL_ALLOC=$n "$FA" dump -t $tp -D "$img" --leave-running >/dev/null 2>"$TMP/err"
	rc=$?
	if ! grep -q "^sudcr-failalloc: failing allocation $n\$" "$TMP/err"; then
		[ $rc = 0 ] || { ok=0; fail $t "no allocation failed (N=$n) but the dump exited $rc: $(cat "$TMP/err")"; }
		break
	fi
	if [ $rc = 0 ]; then
		# An allocation whose failure only costs speed (CPU pinning): the
		# dump went on, and its image must be whole.
		run 0 "$SUDCR" show -D "$img" || { ok=0; fail $t "allocation $n failed, dump exited 0, image unreadable: $err"; }
		healthy $tp || { ok=0; fail $t "allocation $n failed: the program is not as found: $(cat "$st") $(observe $tp)"; break; }
		went_on+=" $n"
	elif [ $rc != 1 ]; then
		ok=0; fail $t "allocation $n failed: exit status $rc, expected 1: $(cat "$TMP/err")"
	elif [ -e "$img/core.img" ]; then
		ok=0; fail $t "allocation $n failed: an image was left: $(ls "$img")"
	elif ! [ -d /proc/$tp ]; then
		ok=0; fail $t "allocation $n failed: the program died: $(cat "$st")"; break
	elif ! healthy $tp; then
		ok=0; fail $t "allocation $n failed: the program is not as found: $(cat "$st") $(observe $tp)"; break
	fi
done
echo "# dump: $((n - 1)) allocations, each failed once; the dump went on (whole image) after:${went_on:- none}"
[ $ok = 1 ] && pass $t

# An image to restore, then the program goes: the restores need its PID.
rm -rf "$img"
"$SUDCR" dump -t $tp -D "$img" || { fail restore_alloc_failures "dump failed"; finish; }
wait $tp 2>/dev/null
t=restore_alloc_failures
ok=1
# Each restored copy rewrites the status file it had open for writing, which
# the next restore of the same image would refuse: allowed here.
for n in $(seq 1 5000); do
	for _ in $(seq 500); do [ -d /proc/$tp ] || break; sleep 0.01; done
	SUDCR_FAIL_ALLOC=$n "$FA" restore -D "$img" -d --allow-changed-files >/dev/null 2>"$TMP/err"
	rc=$?
	if ! grep -q "^sudcr-failalloc: failing allocation $n\$" "$TMP/err"; then
		[ $rc = 0 ] || { ok=0; fail $t "no allocation failed (N=$n) but the restore exited $rc: $(cat "$TMP/err")"; }
		kill -9 $tp 2>/dev/null
		# Gone (reaped by the runner) before the test ends.
		for _ in $(seq 500); do [ -d /proc/$tp ] || break; sleep 0.01; done
		break
	fi
	if [ $rc = 0 ]; then
		# Went on: then the process must be whole (intercepting, exact).
		sleep 0.1
		status "$st"
		{ [ "$s_pid" = $tp ] && [ "$s_bad" = 0 ] && [ "$s_hits" = "$s_calls" ]; } ||
			{ ok=0; fail $t "allocation $n failed, restore exited 0, process not right: $(cat "$st")"; }
		r_went_on+=" $n"
		kill -9 $tp 2>/dev/null
		continue
	fi
	if [ $rc != 1 ]; then
		ok=0; fail $t "allocation $n failed: exit status $rc, expected 1: $(cat "$TMP/err")"
	fi
	for _ in $(seq 500); do [ -d /proc/$tp ] || break; sleep 0.01; done
	if [ -d /proc/$tp ]; then
		ok=0; fail $t "allocation $n failed: a process still holds PID $tp"
		kill -9 $tp
	fi
done
echo "# restore: $((n - 1)) allocations, each failed once; the restore went on after:${r_went_on:- none}"
[ $ok = 1 ] && pass $t
finish
