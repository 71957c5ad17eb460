# Allocation failures in a tree (issue #10): `dump -t --leave-running` of a
# shell with two children and a restore of it, with the Nth allocation of
# sudcr's own code failing (build/tests/sudcr-failalloc, SUDCR_FAIL_ALLOC=N;
# the restore's stubs, forks of sudcr, count on from where their parent
# was, and their failure comes back as their report's "out of memory"),
# for every N until the run needs fewer.  Each failing dump must exit
# 1 with no image left (no core.img, no process subdirectory) and the three
# processes as found (alive, not traced, the children the shell's); each
# failing restore must exit 1 and leave none of the three PIDs taken.
. "$SRCDIR/tests/cli/lib.bash"

FA=$TESTBIN/sudcr-failalloc
img=$TMP/img
W=$TMP/w
mkdir -p "$W"

sh -c 'sleep 1000 & echo $! > "$1"; sleep 1000 & echo $! >> "$1"; wait' - "$W/kids" </dev/null >/dev/null 2>&1 9>&- &
tp=$!
pids+=($tp)
for _ in $(seq 200); do [ "$(wc -l <"$W/kids" 2>/dev/null)" = 2 ] && break; sleep 0.02; done
kids=$(cat "$W/kids")
for k in $kids; do pids+=($k); done

as_found() {
	for p in $tp $kids; do
		[ -d /proc/$p ] || return 1
		grep -q "^TracerPid:[[:space:]]*0$" /proc/$p/status || return 1
	done
	for k in $kids; do
		[ "$(awk '{ print $4 }' /proc/$k/stat)" = $tp ] || return 1
	done
}

t=tree_dump_alloc_failures
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
		run 0 "$SUDCR" show -D "$img" || { ok=0; fail $t "allocation $n failed, dump exited 0, image unreadable: $err"; }
		went_on+=" $n"
	elif [ $rc != 1 ]; then
		ok=0; fail $t "allocation $n failed: exit status $rc, expected 1: $(cat "$TMP/err")"
	elif [ -n "$(ls -A "$img" 2>/dev/null)" ]; then
		ok=0; fail $t "allocation $n failed: an image was left: $(ls -R "$img")"
	fi
	as_found || { ok=0; fail $t "allocation $n failed: the tree is not as found"; break; }
done
echo "# dump: $((n - 1)) allocations, each failed once; the dump went on (whole image) after:${went_on:- none}"
[ $ok = 1 ] && pass $t

rm -rf "$img"
"$SUDCR" dump -t $tp -D "$img" 2>/dev/null || { fail tree_restore_alloc_failures "dump failed"; finish; }
wait $tp 2>/dev/null
gone() {
	for _ in $(seq 500); do
		local left=0
		for p in $tp $kids; do [ -d /proc/$p ] && left=1; done
		[ $left = 0 ] && return 0
		sleep 0.01
	done
	return 1
}
t=tree_restore_alloc_failures
ok=1
for n in $(seq 1 5000); do
	gone || { ok=0; fail $t "before N=$n: a PID of the tree is still taken"; break; }
	SUDCR_FAIL_ALLOC=$n "$FA" restore -D "$img" -d >/dev/null 2>"$TMP/err"
	rc=$?
	# In a stub, the failing allocation's own line goes to the stub's
	# stderr, the image's by then: what reaches us is the stub's report.
	if ! grep -q "^sudcr-failalloc: failing allocation $n\$" "$TMP/err" &&
	   ! { [ $rc = 1 ] && grep -q "^sudcr: out of memory" "$TMP/err"; }; then
		[ $rc = 0 ] || { ok=0; fail $t "no allocation failed (N=$n) but the restore exited $rc: $(cat "$TMP/err")"; }
		kill -9 $tp $kids 2>/dev/null
		gone
		break
	fi
	if [ $rc = 0 ]; then
		r_went_on+=" $n"
		kill -9 $tp $kids 2>/dev/null
		continue
	fi
	[ $rc = 1 ] || { ok=0; fail $t "allocation $n failed: exit status $rc, expected 1: $(cat "$TMP/err")"; }
	gone || { ok=0; fail $t "allocation $n failed: a PID of the tree is still taken"; kill -9 $tp $kids 2>/dev/null; }
done
echo "# restore: $((n - 1)) allocations, each failed once; the restore went on after:${r_went_on:- none}"
[ $ok = 1 ] && pass $t
finish
