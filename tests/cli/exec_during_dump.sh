# A thread of the target calls execve() while sudcr seizes and dumps it
# (tests/targets/exec_loop: a thread that execs the program again, in a
# loop, beside three spinning threads).  The kernel's de_thread() waits
# until the other threads are reaped, by us for traced ones: sudcr used to
# stay stuck for ever in waitpid() or PTRACE_SEIZE (1 dump in 3 to 10
# here).  Each dump must end, with status 0 (it caught the process between
# two execs) or 1 and one line; the program is left untraced.  (Not
# checked: that it execs on.  Once in a full `make test` it had died after
# the 30 dumps; not reproduced alone, cause not found: see the issue.)
. "$SRCDIR/tests/cli/lib.bash"

t=exec_during_dump
img=$TMP/img
trials=30
"$TESTBIN/targets/exec_loop" 1000000 </dev/null >/dev/null 2>&1 9>&- &
tp=$!
pids+=($tp)
gen() { tr '\0' ' ' <"/proc/$tp/cmdline" 2>/dev/null | awk '{ print $2 }'; }
for _ in $(seq 100); do [ -n "$(gen)" ] && [ "$(gen)" != 1000000 ] && break; sleep 0.02; done
ok=1 done=0 refused=0
for i in $(seq $trials); do
	rm -rf "$img"
	"$SUDCR" dump -t $tp -D "$img" --leave-running 2>"$TMP/err" 9>&- &
	sp=$!
	# A hang detector only: a dump here takes well under a second.
	for _ in $(seq 600); do [ -d /proc/$sp ] && [ "$(awk '/^State:/ { print $2 }' /proc/$sp/status 2>/dev/null)" != Z ] || break; sleep 0.05; done
	if [ -d /proc/$sp ] && [ "$(awk '/^State:/ { print $2 }' /proc/$sp/status 2>/dev/null)" != Z ]; then
		ok=0; fail $t "trial $i: sudcr still running after 30 s (stuck: $(cat /proc/$sp/wchan))"
		kill -9 $sp
		wait $sp
		break
	fi
	wait $sp
	rc=$?
	err=$(cat "$TMP/err")
	if [ $rc = 0 ]; then
		done=$((done + 1))
	elif [ $rc = 1 ] && one_error_line; then
		refused=$((refused + 1))
	else
		ok=0; fail $t "trial $i: exit status $rc: $(tr '\n' '|' <<<"$err")"
	fi
	tracer=$(awk '/^TracerPid:/ { print $2 }' /proc/$tp/status)
	if [ "$tracer" != 0 ]; then
		ok=0; fail $t "trial $i: the program is left traced by $tracer"
		break
	fi
done
echo "# $trials dumps during execs: $done done, $refused refused"
[ $ok = 1 ] && pass $t
finish
