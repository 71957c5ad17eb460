# The target killed (SIGKILL, by someone else) in the middle of a dump:
# the dump fails with exit status 1 and exactly one line, leaves no image,
# and does not hang.  The kill comes at a random instant of a dump of
# 300 MiB; a trial whose dump ended first (exit 0) is not counted.
. "$SRCDIR/tests/cli/lib.bash"

t=target_killed_mid_dump
flag=$TMP/ready
img=$TMP/img
landed=0 ok=1
for i in $(seq 12); do
	rm -f "$flag"
	rm -rf "$img"
	"$TESTBIN/targets/mem_fill" 300 "$flag" </dev/null >/dev/null 2>&1 9>&- &
	tp=$!
	pids+=($tp)
	for _ in $(seq 500); do grep -q ready "$flag" 2>/dev/null && break; sleep 0.02; done
	"$SUDCR" dump -t $tp -D "$img" --leave-running 2>"$TMP/err" &
	sp=$!
	sleep 0.0$((RANDOM % 10))$((RANDOM % 10))
	kill -9 $tp
	wait $sp
	rc=$?
	wait $tp 2>/dev/null
	[ $rc = 0 ] && continue	# the dump was done first
	landed=$((landed + 1))
	err=$(cat "$TMP/err")
	if [ $rc != 1 ]; then
		ok=0; fail $t "trial $i: exit status $rc: $err"
	elif ! one_error_line; then
		ok=0; fail $t "trial $i: not one line: $(tr '\n' '|' <<<"$err")"
	elif [ -e "$img/core.img" ]; then
		ok=0; fail $t "trial $i: an image was left: $(ls "$img")"
	fi
done
echo "# 12 trials, $landed kills during the dump"
[ $landed -gt 0 ] || { ok=0; fail $t "no kill landed during a dump"; }
[ $ok = 1 ] && pass $t
finish
