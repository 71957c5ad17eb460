# Plain `sudcr dump -t PID -D DIR` and `sudcr restore -D DIR -d` of a SUD
# program in each setup, 64-bit and ia32 (sud_status-32): it comes back
# with the same PID, keeps intercepting, and its own counts stay exact
# (hits == calls, no bad result) and go on growing.
. "$SRCDIR/tests/cli/lib.bash"

# status FILE: sets s_pid s_calls s_hits s_bad from the program's status line
status() {
	eval "$(sed -E 's/([a-z]+)=([0-9]+)/s_\1=\2/g; s/ +$//' "$1")"
}

for bits in "" -32; do
for mode in selector range inclusive; do
	t=dump_restore${bits:+_ia32}_$mode
	st=$TMP/status$bits.$mode
	img=$TMP/img$bits.$mode
	if [ -n "$bits" ] && why=$(ia32_reason); then skip $t "$why"; continue; fi
	"$TESTBIN/targets/sud_status$bits" $mode "$st" </dev/null >/dev/null 2>&1 9>&- &
	tp=$!
	pids+=($tp)
	for _ in $(seq 100); do [ -s "$st" ] && break; sleep 0.02; done
	sleep 0.2
	ok=1
	if ! run 0 "$SUDCR" dump -t $tp -D "$img"; then
		fail $t "dump exited $status: $err"
		kill -9 $tp
		continue
	fi
	wait $tp 2>/dev/null	# killed by the dump: reap it so its PID is free
	status "$st"
	before=$s_calls
	[ "$s_bad" = 0 ] && [ "$s_hits" = "$s_calls" ] || { ok=0; fail $t "before the dump: $(cat "$st")"; }
	if ! run 0 "$SUDCR" restore -D "$img" -d; then
		fail $t "restore exited $status: $err"
		continue
	fi
	sleep 0.3
	status "$st"
	[ "$s_pid" = $tp ] || { ok=0; fail $t "status written by PID $s_pid, not $tp"; }
	[ -d /proc/$tp ] || { ok=0; fail $t "PID $tp is not running after restore"; }
	[ "$s_calls" -gt "$before" ] && [ "$s_bad" = 0 ] && [ "$s_hits" = "$s_calls" ] ||
		{ ok=0; fail $t "after restore: $(cat "$st") (before: $before calls)"; }
	run 0 "$SUDCR" sud get --json $tp && grep -q "\"mode\":\"$( [ $mode = inclusive ] && echo inclusive || echo exclusive)\"" <<<"$out" ||
		{ ok=0; fail $t "sud get after restore: $out $err"; }
	if [ -n "$bits" ]; then
		run 0 "$SUDCR" show -D "$img" && grep -q "^process $tp (sud_status-32), ia32," <<<"$out" ||
			{ ok=0; fail $t "the image is not of an ia32 process: $(head -n1 <<<"$out")"; }
	fi
	kill -9 $tp 2>/dev/null
	[ $ok = 1 ] && pass $t
done
done

finish
