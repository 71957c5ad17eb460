# sudcr killed at its answer to the signal-delivery-stop of the seize
# (build/tests/sudcr-dieat: it SIGKILLs itself there) of a busy SUD
# program, which nearly always has the SIGSYS of a dispatch on its way:
# the program must get that signal all the same and go on with exact
# counts (every call intercepted, once), untraced, SUD armed as before.
# sudcr used to collect the stop first, which clears the signal the
# kernel would resume the thread with: hits = calls - 1.
. "$SRCDIR/tests/cli/lib.bash"

t=killed_at_delivery
st=$TMP/status
img=$TMP/img
DIEAT=$TESTBIN/sudcr-dieat

status() {
	eval "$(sed -E 's/([a-z]+)=([0-9]+)/s_\1=\2/g; s/ +$//' "$1")"
}

observe() {
	awk '/^State:/ { print ($2 == "R" || $2 == "S") ? "State: live" : "State: " $2 }' /proc/$1/status
	grep -E '^(TracerPid|SigBlk|Cpus_allowed_list):' /proc/$1/status | tr '\n\t' '  ' |
		sed 's/SigBlk: 0000000040000000/SigBlk: 0000000000000000/'
	"$SUDCR" sud get --json $1 2>&1 | sed -E 's/"selector_value":[0-9]+,?//g'
}

# healthy PID: counts exact and growing, the rest as observed first.
healthy() {
	local before now
	status "$st"
	before=$s_calls
	for _ in $(seq 200); do status "$st"; [ "$s_calls" -gt "$before" ] && break; sleep 0.01; done
	now=$(observe $1)
	[ "$now" = "$first" ] || echo "# differs: $(diff <(echo "$first") <(echo "$now") | tr "\n" " ")"
	[ "$s_calls" -gt "$before" ] && [ "$s_bad" = 0 ] && [ "$s_hits" = "$s_calls" ] && [ "$now" = "$first" ]
}

"$TESTBIN/targets/sud_status" selector "$st" </dev/null >/dev/null 2>&1 9>&- &
tp=$!
pids+=($tp)
for _ in $(seq 100); do [ -s "$st" ] && break; sleep 0.02; done
sleep 0.2
first=$(observe $tp)
landed=0 ok=1
for i in $(seq 30); do
	rm -rf "$img"
	SUDCR_DIE_AT_DELIVERY=1 "$DIEAT" dump -t $tp -D "$img" --leave-running 2>"$TMP/err" 9>&-
	grep -q "sudcr-dieat: dying" "$TMP/err" || continue	# no signal on its way this time
	landed=$((landed + 1))
	if ! healthy $tp; then
		ok=0; fail $t "trial $i: $(cat "$st") $(observe $tp)"
		break
	fi
done
echo "# 30 dumps, $landed killed at a delivery stop"
[ $landed -gt 0 ] || { ok=0; fail $t "no dump met a signal-delivery-stop at the seize"; }
[ $ok = 1 ] && pass $t
finish
