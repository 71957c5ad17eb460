# Four threads, each in a different SUD setup (exclusive with a selector,
# exclusive with a range and no selector, inclusive, off), busy-looping on
# intercepted calls: plain `sudcr dump -t PID -D DIR` and `sudcr restore -D
# DIR -d`.  Every thread keeps its TID, keeps intercepting (no bad result:
# a lost interception answers with a real PID) and its handler and caller
# counts agree (the status line is sampled while the threads run, so a
# call can be between the handler's count and the caller's: at most 1
# apart), and the counts go on growing.  The same for an ia32 process
# (sud_status_mt-32), whose handler finds its worker through %gs-based TLS,
# so each thread's TLS entries must come back too.
. "$SRCDIR/tests/cli/lib.bash"

for bits in "" -32; do
t=four_threads_four_setups${bits:+_ia32}
st=$TMP/status$bits
img=$TMP/img$bits
unset tids calls_now calls_before
if [ -n "$bits" ] && why=$(ia32_reason); then skip $t "$why"; continue; fi
"$TESTBIN/targets/sud_status_mt$bits" "$st" </dev/null >/dev/null 2>&1 9>&- &
tp=$!
pids+=($tp)
for _ in $(seq 100); do [ "$(grep -c tid= "$st" 2>/dev/null)" = 4 ] && break; sleep 0.02; done
sleep 0.3
snapshot() { sed -E 's/ +$//' "$st"; }
check() {	# check WHEN: the four lines are sane
	local line n=0
	while read -r line; do
		eval "$(sed -E 's/^w([0-9]) /w=\1 /; s/([a-z]+)=([0-9]+)/\1=\2/g' <<<"$line")"
		n=$((n + 1))
		tids[w]=${tids[w]:-$tid}
		[ "$tid" = "${tids[w]}" ] || { fail $t "$1: worker $w has TID $tid, had ${tids[w]}"; return 1; }
		[ "$bad" = 0 ] || { fail $t "$1: worker $w: $line"; return 1; }
		if [ "$w" = 3 ]; then
			[ "$hits" = 0 ] || { fail $t "$1: worker without SUD was dispatched: $line"; return 1; }
		elif [ $((hits - calls)) -lt 0 ] || [ $((hits - calls)) -gt 1 ]; then
			fail $t "$1: worker $w counts differ: $line"
			return 1
		fi
		calls_now[w]=$calls
	done < <(snapshot)
	[ $n = 4 ] || { fail $t "$1: $n status lines"; return 1; }
}
ok=1
check "before the dump" || ok=0
calls_before=("${calls_now[@]}")
run 0 "$SUDCR" dump -t $tp -D "$img" || { ok=0; fail $t "dump exited $status: $err"; }
wait $tp 2>/dev/null
if [ $ok = 1 ]; then
	run 0 "$SUDCR" restore -D "$img" -d || { ok=0; fail $t "restore exited $status: $err"; }
	sleep 0.4
	[ -d /proc/$tp ] || { ok=0; fail $t "PID $tp is not running after restore"; }
	check "after restore" || ok=0
	for w in 0 1 2 3; do
		[ "${calls_now[w]}" -gt "${calls_before[w]}" ] ||
			{ ok=0; fail $t "worker $w made no calls after restore (${calls_before[w]} -> ${calls_now[w]})"; }
	done
	run 0 "$SUDCR" sud get $tp && [ "$(grep -c ': mode ' <<<"$out")" = 5 ] &&
		grep -q "mode exclusive offset 0x0 len 0 selector" <<<"$out" && grep -q "mode inclusive" <<<"$out" ||
		{ ok=0; fail $t "sud get after restore: $out"; }
fi
kill -9 $tp 2>/dev/null
[ $ok = 1 ] && pass $t
done
finish
