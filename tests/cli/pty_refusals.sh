# A pty that cannot come back under its name is refused: script(1) and
# its shell, dumped as a tree, are restored while another terminal has
# their pty's name /dev/pts/N (programs show the name, so no other is
# taken): the restore fails with one line naming it, and leaves no
# process behind.
. "$SRCDIR/tests/cli/lib.bash"

have_terminals pty_index_taken || finish

wait_for() {
	for _ in $(seq 400); do "$@" && return 0; sleep 0.05; done
	return 1
}
gone() { ! [ -e "/proc/$1" ]; }
# The pty of script's child (the shell), once it runs.
child_pty() {
	local c
	c=$(cat "/proc/$1/task/$1/children" 2>/dev/null | tr -d ' ') && [ -n "$c" ] &&
		readlink "/proc/$c/fd/0" | grep '^/dev/pts/'
}

t=pty_index_taken
script -q -c 'exec sleep 100000' /dev/null <&9 >/dev/null 2>&1 9>&- &
sp=$!
pids+=("$sp")
if ! wait_for child_pty "$sp" >/dev/null; then
	fail $t "script did not start"
	finish
fi
pts=$(child_pty "$sp")
sh=$(cat "/proc/$sp/task/$sp/children" | tr -d ' ')
if ! run 0 "$SUDCR" dump -t "$sp" -D "$TMP/img" --shell-job || ! wait_for gone "$sp" ||
   ! wait_for gone "$sh"; then
	fail $t "dump: status $status: $err"
	finish
fi
wait "$sp" 2>/dev/null
# Another script takes the lowest free index: the same one.
script -q -c 'exec sleep 100000' /dev/null <&9 >/dev/null 2>&1 9>&- &
other=$!
pids+=("$other")
if ! wait_for child_pty "$other" >/dev/null || [ "$(child_pty "$other")" != "$pts" ]; then
	skip $t "another terminal did not get $pts (it got $(child_pty "$other"))"
	finish
fi
if run 1 "$SUDCR" restore -D "$TMP/img" --shell-job -d <&9 9>&- && one_error_line &&
   grep -q "the pty $pts cannot be made again: another terminal has that name now" <<<"$err" &&
   gone "$sp" && gone "$sh"; then
	pass $t
else
	fail $t "status $status: $err"
fi
kill -9 "$other" $(cat "/proc/$other/task/$other/children" 2>/dev/null) 2>/dev/null
finish
