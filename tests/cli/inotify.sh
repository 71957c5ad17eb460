# inotify with a real program: `tail -f FILE` dumped (killed) and restored
# with -d goes on following FILE, printing a line appended after the
# restore.  Stopped with an event queued, it is dumped and restored with a
# warning naming its inotify fd and the bytes of events lost, and goes on
# once continued.  A watcher (targets/inotify_watch) dumped, then the file
# it watches replaced by another at the same path: the restore fails with
# one line (the inode watched is gone) and no process is left; the same
# for a fanotify mark of that file.
. "$SRCDIR/tests/cli/lib.bash"

# wait_for FILE TEXT: FILE holds a line TEXT (bounded: 10 s).
wait_for() {
	for _ in $(seq 500); do grep -qxF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.02; done
	return 1
}

# start_tail NAME: tail -f $TMP/NAME.log > $TMP/NAME.out; $tp its PID, once it printed the first line.
start_tail() {
	echo first >"$TMP/$1.log"
	tail -f "$TMP/$1.log" </dev/null >"$TMP/$1.out" 2>"$TMP/$1.err" 9>&- &
	tp=$!
	pids+=($tp)
	wait_for "$TMP/$1.out" first
}

# gone PID: no process at PID (reaped by us or by the runner).
gone() {
	for _ in $(seq 250); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.02; done
	return 1
}

t=tail_follows
if ! start_tail a; then
	fail $t "tail -f did not start: $(cat "$TMP/a.err")"
elif ! run 0 "$SUDCR" dump -t $tp -D "$TMP/img-a"; then
	fail $t "dump: status $status: $err"
elif ! wait $tp 2>/dev/null; ! gone $tp; then
	fail $t "tail still there after the dump"
elif ! run 0 "$SUDCR" restore -d -D "$TMP/img-a"; then
	fail $t "restore: status $status: $err"
elif [ -n "$err" ]; then
	fail $t "restore said '$err'"
else
	echo "after restore" >>"$TMP/a.log"
	if wait_for "$TMP/a.out" "after restore" && [ "$(cat "$TMP/a.out")" = "first
after restore" ]; then
		pass $t
	else
		fail $t "tail printed '$(cat "$TMP/a.out")', want the line appended after restore"
	fi
	kill -9 $tp 2>/dev/null
fi

t=tail_events_lost_warned
if ! start_tail b; then
	fail $t "tail -f did not start: $(cat "$TMP/b.err")"
else
	kill -STOP $tp
	for _ in $(seq 250); do [ "$(awk '{print $3}' /proc/$tp/stat)" = T ] && break; sleep 0.02; done
	echo "while stopped" >>"$TMP/b.log"
	ifd=$(for f in /proc/$tp/fd/*; do [ "$(readlink "$f")" = anon_inode:inotify ] && basename "$f"; done)
	if ! run 0 "$SUDCR" dump -t $tp -D "$TMP/img-b"; then
		fail $t "dump: status $status: $err"
	elif ! wait $tp 2>/dev/null; ! gone $tp; then
		fail $t "tail still there after the dump"
	elif ! run 0 "$SUDCR" restore -d -D "$TMP/img-b"; then
		fail $t "restore: status $status: $err"
	elif ! grep -q "^sudcr: warning: fd $ifd (inotify): [1-9][0-9]* bytes of events queued at the dump and not read are lost" <<<"$err" ||
	     [ "$(grep -c . <<<"$err")" != 1 ]; then
		fail $t "restore said '$err', want one warning about the events of fd $ifd"
	else
		kill -CONT $tp
		echo "after restore" >>"$TMP/b.log"
		if wait_for "$TMP/b.out" "after restore" && [ "$(cat "$TMP/b.out")" = "first
while stopped
after restore" ]; then
			pass $t
		else
			fail $t "tail printed '$(cat "$TMP/b.out")'"
		fi
	fi
	kill -9 $tp 2>/dev/null
fi

# marked_gone NAME OPTION WANT: the watcher (with OPTION) dumped, its file replaced: the restore says WANT.
marked_gone() {
	rm -rf "$TMP/c.ready" "$TMP/img-c"
	t=$1
	echo data >"$TMP/c.file"
	"$TESTBIN/targets/inotify_watch" $2 "$TMP/c.file" "$TMP/c.ready" </dev/null >"$TMP/c.out" 2>&1 9>&- &
	tp=$!
	pids+=($tp)
	for _ in $(seq 500); do [ -s "$TMP/c.ready" ] && break; sleep 0.02; done
	if ! run 0 "$SUDCR" dump -t $tp -D "$TMP/img-c"; then
		fail $t "dump: status $status: $err"
	elif ! wait $tp 2>/dev/null; ! gone $tp; then
		fail $t "the watcher is still there after the dump"
	else
		# The same name and contents, another inode.
		cp "$TMP/c.file" "$TMP/c.new" && mv "$TMP/c.new" "$TMP/c.file"
		if ! run 1 "$SUDCR" restore -d -D "$TMP/img-c"; then
			fail $t "restore: status $status (want 1): $err"
			kill -9 $tp 2>/dev/null
		elif ! one_error_line ||
		     ! grep -q "$3" <<<"$err"; then
			fail $t "restore said '$err', want one line naming the watch"
		elif ! gone $tp; then
			fail $t "a process holds PID $tp after the failed restore"
		else
			pass $t
		fi
	fi
}
marked_gone watched_inode_gone "" "inotify): watch wd 1 on $TMP/c.file: the inode watched is gone"
marked_gone fanotify_marked_inode_gone --fanotify \
	"fanotify): inode mark on $TMP/c.file: the inode marked is gone"
finish
