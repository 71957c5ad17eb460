# sudcr sud get/set and sudcr syscall against real SUD programs, 64-bit and
# ia32: the JSON reports exactly what the program set, and an injected
# getppid returns the real parent while the program's own interception
# count stays exact.
. "$SRCDIR/tests/cli/lib.bash"

# Start sud_config MODE (BITS "" or "-32"); sets $cpid and $want (expected JSON).
start_config() {
	local mode=$1 bits=$2 line
	"$TESTBIN/targets/sud_config$bits" "$mode" < "$HOLD" > "$TMP/cfg.out" &
	cpid=$!
	pids+=($cpid)
	for _ in $(seq 100); do [ -s "$TMP/cfg.out" ] && break; sleep 0.02; done
	sleep 0.1
	line=$(head -1 "$TMP/cfg.out")
	# mode=M selector=S selector_value=V offset=O len=L
	eval "$(sed -E 's/([a-z_]+)=([^ ]+)/c_\1=\2/g' <<<"$line")"
	local sel=null
	[ "$c_selector" != null ] && sel="\"$c_selector\""
	want="{\"pid\":$cpid,\"threads\":[{\"tid\":$cpid,\"mode\":\"$c_mode\",\"selector\":$sel,\"selector_value\":$c_selector_value,\"offset\":\"$c_offset\",\"len\":$c_len}]}"
}

for bits in "" -32; do
	arch=${bits:+ia32}
	arch=${arch:-x86_64}
	t=sud_get_json_$arch
	if [ -n "$bits" ] && why=$(ia32_reason); then skip $t "$why"; continue; fi
	ok=1
	for mode in selector selector-block range inclusive off; do
		start_config $mode "$bits"
		if ! run 0 "$SUDCR" sud get --json $cpid || [ "$out" != "$want" ]; then
			ok=0
			fail $t "$mode: got '$out' (status $status, $err), want '$want'"
		fi
		# The text form names the same mode and the target survives.
		run 0 "$SUDCR" sud get $cpid && grep -q "^$cpid: mode $c_mode" <<<"$out" ||
			{ ok=0; fail $t "$mode: text '$out'"; }
		kill -0 $cpid 2>/dev/null || { ok=0; fail $t "$mode: target died"; }
		kill -9 $cpid
		wait $cpid 2>/dev/null
	done
	[ $ok = 1 ] && pass $t
done

# sud set: off, then back on; sud get sees each; the kernel rejects nonsense.
t=sud_set_roundtrip
start_config selector ""
sel=$c_selector
ok=1
run 0 "$SUDCR" sud set $cpid off || { ok=0; fail $t "set off: $status $err"; }
run 0 "$SUDCR" sud get --json $cpid && grep -q '"mode":"off"' <<<"$out" || { ok=0; fail $t "after off: $out"; }
run 0 "$SUDCR" sud set $cpid --mode inclusive --offset 0x40000 --len 4096 || { ok=0; fail $t "set inclusive: $err"; }
run 0 "$SUDCR" sud get --json $cpid &&
	grep -q '"mode":"inclusive","selector":null,"selector_value":null,"offset":"0x40000","len":4096' <<<"$out" ||
	{ ok=0; fail $t "after inclusive: $out"; }
run 0 "$SUDCR" sud set $cpid --mode exclusive --offset 0 --len 0 --selector $sel || { ok=0; fail $t "set exclusive: $err"; }
run 0 "$SUDCR" sud get --json $cpid && grep -q "\"mode\":\"exclusive\",\"selector\":\"$sel\",\"selector_value\":0" <<<"$out" ||
	{ ok=0; fail $t "after exclusive: $out"; }
run 1 "$SUDCR" sud set $cpid --mode inclusive --offset 0x1000 --len 0 && one_error_line || { ok=0; fail $t "empty inclusive range accepted: $status $err"; }
run 1 "$SUDCR" sud set $cpid --mode exclusive --offset 0 --len 0 --selector 0xffffffffffff0000 && one_error_line ||
	{ ok=0; fail $t "kernel selector accepted: $status $err"; }
kill -0 $cpid 2>/dev/null || { ok=0; fail $t "target died"; }
[ $ok = 1 ] && pass $t
kill -9 $cpid; wait $cpid 2>/dev/null

# The Done-when of the foundation issue: a busy SUD loop intercepting
# getppid; sudcr syscall getppid returns the real parent; the program's
# counts stay exact and it keeps intercepting.
for bits in "" -32; do
	arch=${bits:+ia32}
	arch=${arch:-x86_64}
	for mode in selector range inclusive; do
		t=syscall_getppid_${mode}_$arch
		if [ -n "$bits" ] && why=$(ia32_reason); then skip $t "$why"; continue; fi
		coproc TGT { exec "$TESTBIN/targets/sud_target$bits" $mode; }
		tp=$TGT_PID
		pids+=($tp)
		read -r ready <&"${TGT[0]}"
		ok=1
		echo check >&"${TGT[1]}"; read -r before <&"${TGT[0]}"
		for i in 1 2 3 4 5; do
			run 0 "$SUDCR" syscall $tp getppid && [ "$out" = $$ ] || { ok=0; fail $t "round $i: got '$out' want $$ ($err)"; }
			run 0 "$SUDCR" syscall $tp getpid && [ "$out" = $tp ] || { ok=0; fail $t "getpid: '$out' ($err)"; }
		done
		sleep 0.05
		echo check >&"${TGT[1]}"; read -r after <&"${TGT[0]}"
		eval "$(sed -E 's/([a-z]+)=([0-9]+)/b_\1=\2/g' <<<"$before")"
		eval "$(sed -E 's/([a-z]+)=([0-9]+)/a_\1=\2/g' <<<"$after")"
		[ "$a_bad" = 0 ] && [ "$a_hits" = "$a_calls" ] && [ "$a_calls" -gt "$b_calls" ] ||
			{ ok=0; fail $t "counts before '$before' after '$after'"; }
		echo quit >&"${TGT[1]}"; read -r final <&"${TGT[0]}"
		wait $tp
		rc=$?
		[ $rc = 0 ] || { ok=0; fail $t "target exited $rc ($final)"; }
		[ $ok = 1 ] && pass $t
	done
done

# exit_group does not return: sudcr lets the thread go into it with SUD
# off, so even a selector at BLOCK does not hand it to the (absent) handler.
t=syscall_exit_group
start_config selector-block ""
if run 0 "$SUDCR" syscall $cpid exit_group 7 && [ -z "$out" ]; then
	wait $cpid
	rc=$?
	[ $rc = 7 ] && pass $t || fail $t "target exited with $rc, expected 7"
else
	fail $t "exit $status, out '$out', err '$err'"
fi

finish
