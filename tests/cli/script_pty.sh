# script(1) recording a shell on a pty: script holds the master and the
# log file, the shell leads its session on the slave and prints a count
# every 50 ms.  Dumped as a tree (dump -t of script, which kills it) and
# restored with -d, the recording goes on: the log grows past what it
# held at the dump, and the count goes on from where it was (the same
# shell, not a new one), each number once.
. "$SRCDIR/tests/cli/lib.bash"

t=script_pty
if [ -f "$TESTBIN/terminals.skip" ]; then
	skip $t "$(cat "$TESTBIN/terminals.skip")"
	finish
elif [ ! -f "$TESTBIN/terminals.ok" ]; then
	skip $t "no verdict on script (tests/setup-terminals.sh did not run?)"
	finish
fi

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
kill -9 "$sp" 2>/dev/null
finish
