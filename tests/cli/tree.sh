# Process trees (issue #10): dump -t of a process with children, restore -d.
#  - the shell loop of the issue's "Done when", which forks a sleep every
#    50 ms and appends its counter to a file, is dumped with dump -t and
#    restored with -d, and its counter goes on with no gap and no repeat;
#  - show prints the tree (text and JSON), sud get --tree every process;
#  - dump -p (one process) of a process with children is refused as before;
#  - a shell's pipeline, whose pipe has both ends in the tree, is dumped and
#    restored without a word about an outside end;
#  - a tree whose session leader is outside sudcr's PID namespace.
. "$SRCDIR/tests/cli/lib.bash"

W=$TMP/w
mkdir -p "$W"
F=$W/f

wait_lines() {	# FILE N: until FILE has at least N lines
	for _ in $(seq 400); do
		[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
# Lines 0, 1, 2, ... in order, none missing or repeated.
consecutive() {
	awk 'BEGIN { n = 0 } { if ($0 != n) { print "line " NR ": " $0 ", want " n; exit 1 } n++ }' "$1"
}

(cd "$W" && exec bash -c 'while :; do sleep 0.05; echo $((i++)) >> f; done') </dev/null >/dev/null 2>&1 9>&- &
sh=$!
pids+=($sh)
wait_lines "$F" 5

t=tree_dump_shell_loop
if run 0 "$SUDCR" dump -t $sh -D "$TMP/img" && [ -z "$err" ] && [ -s "$TMP/img/core.img" ] &&
   [ -d "$TMP/img/$sh" ]; then
	pass $t
else
	fail $t "status $status: $err; $(ls "$TMP/img" 2>&1)"
fi
# Killed by the dump; by us if the dump failed and left it running.
kill -9 $sh 2>/dev/null
wait $sh 2>/dev/null
wait_gone $sh
before=$(wc -l <"$F")

t=tree_show
kid=$(ls "$TMP/img" | grep -v "^$sh$" | grep -E '^[0-9]+$' | head -1)
if run 0 "$SUDCR" show -D "$TMP/img" &&
   grep -qE "^  $sh +0 +" <<<"$out" && grep -qE "^  [0-9]+ +$sh +.* live +1 +(sleep|bash)" <<<"$out" &&
   run 0 "$SUDCR" show -D "$TMP/img" --json && grep -q "^{\"tree\":\[{\"pid\":$sh,\"ppid\":0," <<<"$out"; then
	pass $t
else
	fail $t "status $status: $out $err"
fi

t=tree_restore_shell_loop_no_gap
# Children of ours once sudcr restore -d exits (we are a subreaper).
if run 0 "$SUDCR" restore -D "$TMP/img" -d && wait_lines "$F" $((before + 10)) &&
   why=$(consecutive "$F"); then
	pass $t
else
	fail $t "status $status: $err; $why; $(tail -3 "$F" 2>&1)"
fi

t=tree_sud_get_tree
if run 0 "$SUDCR" sud get $sh --tree && grep -q "^process $sh:" <<<"$out" &&
   grep -q "^$sh: mode off" <<<"$out" && run 0 "$SUDCR" sud get $sh --tree --json &&
   grep -q "^{\"tree\":\[{\"pid\":$sh,\"threads\":\[{\"tid\":$sh," <<<"$out"; then
	pass $t
else
	fail $t "status $status: $out $err"
fi

kill -9 $sh 2>/dev/null

t=dump_one_process_with_children_refused
bash -c 'sleep 1000 & echo $! > "$1"; wait' - "$W/kid" </dev/null >/dev/null 2>&1 9>&- &
par=$!
pids+=($par)
wait_lines "$W/kid" 1
kid=$(cat "$W/kid")
pids+=($kid)
rm -rf "$TMP/img1"
if run 1 "$SUDCR" dump -p $par -D "$TMP/img1" -R && one_error_line &&
   grep -q "^sudcr: process $par has 1 child process ($kid): process trees are not supported yet" <<<"$err" &&
   [ ! -e "$TMP/img1/core.img" ] && kill -0 $par && kill -0 $kid; then
	pass $t
else
	fail $t "status $status: $err"
fi
t=tree_pipeline_no_outside_warning
# The shell closed both ends: one sleep holds the write end, the other the read end.
bash -c 'sleep 1000 | sleep 1000; :' </dev/null >/dev/null 2>&1 9>&- &
pl=$!
pids+=($pl)
for _ in $(seq 200); do
	kids=$(cat /proc/$pl/task/$pl/children 2>/dev/null)
	[ "$(wc -w <<<"$kids")" = 2 ] && break
	sleep 0.05
done
pids+=($kids)
rm -rf "$TMP/img2"
if [ "$(wc -w <<<"$kids")" != 2 ]; then
	fail $t "the pipeline's two children did not appear: '$kids'"
elif run 0 "$SUDCR" dump -t $pl -D "$TMP/img2" && [ -z "$err" ] && wait_gone $pl &&
     run 0 "$SUDCR" restore -D "$TMP/img2" -d && [ -z "$err" ] && kill -0 $pl &&
     [ "$(cat /proc/$pl/task/$pl/children)" = "$kids" ]; then
	pass $t
else
	fail $t "status $status: $err"
fi
for p in $pl $kids; do kill -9 $p 2>/dev/null; done

t=tree_session_outside_pid_namespace
# In a PID namespace of its own (as under a launcher that unshared one), the
# tree's session and group leader is above it: /proc shows them as 0.  The
# restored tree is in the restorer's session and group, as a dumped root is.
# (CI ran the suite this way: every tree restore was refused.)
if ! unshare -pf --mount-proc true 2>/dev/null; then
	skip $t "unshare -pf --mount-proc failed (no PID namespaces here)"
else
	rm -rf "$TMP/img3"
	run 0 unshare -pf --mount-proc bash -c '
		S=$1 D=$2
		bash -c "sleep 1000 | sleep 1000; :" </dev/null >/dev/null 2>&1 9>&- &
		pl=$!
		for _ in $(seq 200); do
			[ "$(wc -w </proc/$pl/task/$pl/children)" = 2 ] && break
			sleep 0.05
		done
		kids=$(cat /proc/$pl/task/$pl/children)
		read -r -a st </proc/$pl/stat
		echo "before: ${st[4]} ${st[5]}"
		"$S" dump -t $pl -D "$D" >/dev/null 2>&1 || { echo "dump failed: $?"; exit 1; }
		wait $pl 2>/dev/null
		"$S" restore -D "$D" -d 2>&1 || { echo "restore failed"; exit 1; }
		read -r -a st </proc/$pl/stat
		echo "after: ${st[4]} ${st[5]}" $(cat /proc/$pl/task/$pl/children) / $kids
		kill -9 $pl $kids' - "$SUDCR" "$TMP/img3"
	if [ "$status" = 0 ] && grep -q "^before: 0 0$" <<<"$out" &&
	   grep -qE "^after: 0 0 ([0-9]+) ([0-9]+) / \1 \2$" <<<"$out"; then
		pass $t
	else
		fail $t "status $status: $out $err"
	fi
fi
finish
