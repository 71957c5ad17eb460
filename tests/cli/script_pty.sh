# script(1) recording a shell on a pty: script holds the master and the
# log file, the shell leads its session on the slave and prints a count
# every 50 ms.  Dumped as a tree (dump -t of script, which kills it) and
# restored with -d, the recording goes on: the log grows past what it
# held at the dump, and the count goes on from where it was (the same
# shell, not a new one), each number once.  Before the restore, show
# lists the pty once, with its index, modes, window size, the session
# it is the controlling terminal of, and every fd on it (text and JSON).
. "$SRCDIR/tests/cli/lib.bash"

t=script_pty
have_terminals script_show script_pty || finish

wait_for() {
	for _ in $(seq 400); do "$@" && return 0; sleep 0.05; done
	return 1
}
gone() { ! [ -e "/proc/$1" ]; }
LOG=$TMP/typescript
lines() { grep -c '^tick ' "$LOG" 2>/dev/null; }
has_lines() { [ "$(lines)" -ge "$1" ]; }

# stdin: the fifo that never ends (lib.bash's fd 9), so script keeps recording.
script -q -f -c 'i=0; while :; do echo "tick $i"; i=$((i + 1)); sleep 0.05; done' "$LOG" \
	<&9 >/dev/null 2>&1 9>&- &
sp=$!
pids+=("$sp")
if ! wait_for has_lines 5; then
	fail $t "script does not record: $(head -c 300 "$LOG" 2>&1)"
	finish
fi
if ! run 0 "$SUDCR" dump -t "$sp" -D "$TMP/img" --shell-job || ! wait_for gone "$sp"; then
	fail $t "dump: status $status: $err"
	finish
fi
wait "$sp" 2>/dev/null
t=script_show
# The shell: script's child, in the tree's table.
run 0 "$SUDCR" show -D "$TMP/img"
sh=$(awk -v sp="$sp" '$2 == sp { print $1; exit }' <<<"$out")
if run 0 "$SUDCR" show -D "$TMP/img" &&
   grep -q "^  /dev/pts/[0-9]* canonical echo, [0-9]*x[0-9]*, controlling terminal of session $sh, foreground group $sh: $sp fd [0-9]* (master), .*$sh fd 0 (slave)" <<<"$out" &&
   run 0 "$SUDCR" show -D "$TMP/img" --json &&
   python3 -c 'import json, sys; t = json.load(sys.stdin)["terminals"]; sys.exit(not (len(t) == 1 and t[0]["session"] == int(sys.argv[1]) and t[0]["holders"][0]["end"] == "master"))' "$sh" <<<"$out"; then
	pass $t
else
	fail $t "status $status: $err; shell $sh: $out"
fi
t=script_pty
before=$(lines)
size=$(stat -c %s "$LOG")
if ! run 0 "$SUDCR" restore -D "$TMP/img" --shell-job -d <&9 9>&-; then
	fail $t "restore: status $status: $err"
	finish
fi
if wait_for has_lines $((before + 10)) && [ "$(stat -c %s "$LOG")" -gt "$size" ]; then
	# 0, 1, 2, ... each once, across the dump.
	if grep '^tick ' "$LOG" | tr -d '\r' | awk '{ if ($2 != NR - 1) exit 1 }'; then
		pass $t
	else
		fail $t "the count broke: $(grep '^tick ' "$LOG" | tr -d '\r' | awk '$2 != NR - 1 { print NR - 1 ": " $0; exit }')"
	fi
else
	fail $t "the log did not grow after the restore: $before lines, $size bytes, now $(lines) lines"
fi
# The restored tree, and what the shell runs now.
for p in $(cat "/proc/$sh/task/$sh/children" 2>/dev/null) $sh $sp; do
	kill -9 "$p" 2>/dev/null
done
finish
