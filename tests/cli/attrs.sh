# Process attributes and scheduling that the restore cannot give here are
# refused, with one line and no process left: an oom_score_adj below the
# floor sudcr inherited (lowering it needs CAP_SYS_RESOURCE) and a CPU
# affinity with no CPU of this machine.  The records are valid (the
# validators accept them); they are made by editing a real image.  The
# image as it was then restores, with its oom_score_adj.
. "$SRCDIR/tests/cli/lib.bash"

"$TESTBIN/targets/sleeper" "$TMP/sleeps" </dev/null >/dev/null 2>&1 9>&- &
tp=$!
pids+=($tp)
for _ in $(seq 100); do [ -s "$TMP/sleeps" ] && break; sleep 0.02; done
echo 300 >/proc/$tp/oom_score_adj

floor_ok=1
if ! (echo -500 >/proc/self/oom_score_adj) 2>/dev/null; then floor_ok=0; fi

t=dump
if run 0 "$SUDCR" dump -t $tp -D "$TMP/img"; then
	pass $t
else
	fail $t "exit $status, stderr '$err'"
	finish
fi
wait $tp 2>/dev/null
for _ in $(seq 100); do [ -e /proc/$tp ] || break; sleep 0.02; done

# restore_refused NAME IMAGE WORD: one line naming WORD, and nothing left at the PID.
restore_refused() {
	if ! run 1 "$SUDCR" restore -d -D "$2"; then
		fail $1 "exit $status, want 1; stderr '$err'"
	elif ! one_error_line || ! grep -q -- "$3" <<<"$err"; then
		fail $1 "stderr '$err', want one line about $3"
	elif kill -0 $tp 2>/dev/null; then
		fail $1 "a process holds PID $tp after the failed restore"
	else
		pass $1
	fi
}

t=oom_below_floor
if [ $floor_ok = 1 ]; then
	skip $t "sudcr may set any oom_score_adj here (CAP_SYS_RESOURCE)"
else
	cp -r "$TMP/img" "$TMP/img-oom"
	if "$TESTBIN/targets/img_edit" "$TMP/img-oom" set procattr 0 oom_score_adj -500; then
		restore_refused $t "$TMP/img-oom" oom_score_adj
	else
		fail $t "no process attribute record to edit"
	fi
fi

t=affinity_no_cpu
cp -r "$TMP/img" "$TMP/img-cpu"
# Only CPU 1000 (bit 40 of cpus[15]) in the affinity.
if "$TESTBIN/targets/img_edit" "$TMP/img-cpu" set sched 0 cpus 0 &&
   "$TESTBIN/targets/img_edit" "$TMP/img-cpu" set sched 0 'cpus[15]' 0x10000000000 &&
   [ "$(nproc --all)" -lt 1000 ]; then
	restore_refused $t "$TMP/img-cpu" "CPU affinity"
else
	fail $t "no scheduling record to edit (or 1000 CPUs)"
fi

t=restore
if ! run 0 "$SUDCR" restore -d -D "$TMP/img"; then
	fail $t "exit $status, stderr '$err'"
else
	pids+=($tp)
	adj=$(cat /proc/$tp/oom_score_adj 2>/dev/null)
	if [ "$adj" = 300 ]; then pass $t; else fail $t "oom_score_adj '$adj', want 300"; fi
	kill -9 $tp 2>/dev/null
fi
finish
