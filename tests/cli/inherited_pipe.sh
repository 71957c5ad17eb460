# Pipes whose other end is outside the process (issue #8, item 7).
# A program holding the read end of a pipe whose writer lives on outside
# (with bytes buffered) is dumped with a warning naming the fd and the
# writer's PID, restored as a new pipe with those bytes and no writer (it
# reads them, then end of file), and with --inherit-fd fd[7]:pipe:[INODE]
# joined to a pipe of sudcr restore's instead (the old bytes come first).
# A program writing to a pipe whose reader is outside (prog | cat) is
# joined by --inherit-fd to a new reader.
# A FIFO with its writer outside is opened again by its name, its bytes
# there once, whether the writer kept it alive or not.
# tclsh reading its script from a process substitution, <(printf ...), is
# dumped and restored and goes on (printf has exited: the pipe has no
# writer anywhere, and is restored exactly, without a warning).
. "$SRCDIR/tests/cli/lib.bash"

T=$TESTBIN/targets/outside_ends
W=$TMP/w
mkdir -p "$W"

# The PID is free once the runner (a subreaper) has reaped the last one.
wait_file() {
	for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done
	return 1
}

# The writer: its stdout is the pipe, held until it is killed.
exec 5< <(printf hello; exec sleep 1000)
wp=$!
pids+=($wp)
"$T" pipe "$W" </dev/null >/dev/null 2>&1 9>&- &
tp=$!
pids+=($tp)
exec 5<&-
wait_file "$W/ready"
ino=$(readlink "/proc/$tp/fd/5" | sed -n 's/^pipe:\[\([0-9]*\)\]$/\1/p')

t=dump_pipe_with_outside_writer
if run 0 "$SUDCR" dump -t $tp -D "$TMP/img" &&
   grep -q "^sudcr: warning: fd 5: pipe:\[$ino\]: its write end is outside the process (PID $wp)" <<<"$err"; then
	pass $t
else
	fail $t "status $status: $err"
fi
kill -9 $tp 2>/dev/null
wait $tp 2>/dev/null

t=restore_pipe_without_writer
rm -f "$W/ready" "$W/result"
if run 0 "$SUDCR" restore -D "$TMP/img" -d &&
   grep -q "^sudcr: warning: fd 5: pipe:\[$ino\]: its write end was held outside the process (PID $wp) and is not restored" <<<"$err" &&
   kill -USR1 $tp && wait_file "$W/result" && [ "$(cat "$W/result")" = "got:hello:eof" ]; then
	pass $t
else
	fail $t "status $status: $err; result: $(cat "$W/result" 2>&1)"
fi

t=restore_inherit_fd
rm -f "$W/ready" "$W/result" "$TMP/gate"
mkfifo "$TMP/gate"
# The new writer writes only once the restore is done (the gate), then ends.
if wait_gone $tp &&
   run 0 "$SUDCR" restore -D "$TMP/img" -d --inherit-fd "fd[7]:pipe:[$ino]" 7< <(exec cat "$TMP/gate") &&
   ! grep -q "fd 5:" <<<"$err" &&
   echo -n world >"$TMP/gate" && kill -USR1 $tp && wait_file "$W/result" &&
   [ "$(cat "$W/result")" = "got:helloworld:eof" ]; then
	pass $t
else
	fail $t "status $status: $err; result: $(cat "$W/result" 2>&1)"
fi
# Let the gate's reader go, whatever happened (a read-write open never blocks).
exec 8<>"$TMP/gate"
exec 8>&-

t=inherit_fd_unknown_pipe
if wait_gone $tp &&
   run 1 "$SUDCR" restore -D "$TMP/img" -d --inherit-fd "fd[0]:pipe:[1$ino]" && one_error_line &&
   grep -q "inherit-fd fd\[0\]:pipe:\[1$ino\]: the process has no pipe:\[1$ino\]" <<<"$err" &&
   ! kill -0 $tp 2>/dev/null; then
	pass $t
else
	fail $t "status $status: $err"
fi
kill -9 $wp 2>/dev/null

# A FIFO whose writer outside keeps it open: it lives on, its bytes still in
# it, and the restore (which opens it again by its name) must not add them
# a second time.  Once the writer is gone, so are they: then the image's.
F=$TMP/fifo
mkfifo "$F"
rm -f "$W/ready" "$W/result"
exec 6<>"$F"
printf hello >&6
"$T" pipe "$W" </dev/null >/dev/null 2>&1 5<"$F" 6>&- 9>&- &
tp=$!
pids+=($tp)
sleep 1000 7>"$F" </dev/null >/dev/null 2>&1 6>&- 9>&- &
fw=$!
pids+=($fw)
exec 6>&-
t=fifo_with_outside_writer
if wait_file "$W/ready" && run 0 "$SUDCR" dump -t $tp -D "$TMP/img-fifo" &&
   grep -q "^sudcr: warning: fd 5: FIFO $F: its write end is held outside the process (PID $fw)" <<<"$err" &&
   { kill -9 $tp 2>/dev/null; wait $tp 2>/dev/null; true; } &&
   rm -f "$W/ready" && run 0 "$SUDCR" restore -D "$TMP/img-fifo" -d && kill -USR1 $tp &&
   kill -9 $fw && wait_file "$W/result" && [ "$(cat "$W/result")" = "got:hello:eof" ]; then
	pass $t
else
	fail $t "status $status: $err; result: $(cat "$W/result" 2>&1)"
fi
kill -9 $fw 2>/dev/null
t=fifo_writer_gone
rm -f "$W/ready" "$W/result"
if wait_gone $tp && run 0 "$SUDCR" restore -D "$TMP/img-fifo" -d && kill -USR1 $tp &&
   wait_file "$W/result" && [ "$(cat "$W/result")" = "got:hello:eof" ]; then
	pass $t
else
	fail $t "status $status: $err; result: $(cat "$W/result" 2>&1)"
fi
kill -9 $tp 2>/dev/null

# prog | cat: the reader of its stdout is outside.  Dumped with a warning
# naming the reader only (this shell, a writer of the same pipe as the
# program through fd 8, is not named); with --inherit-fd its stdout is a new
# reader's pipe.
rm -f "$W/ready" "$W/result"
exec 8> >(exec cat >"$TMP/tee.log")
cp=$!
pids+=($cp)
"$T" stdout "$W" </dev/null >&8 2>/dev/null 9>&- &
pids+=($!)
t=pipe_to_outside_reader
if wait_file "$W/ready" && tp=$(cat "$W/ready") &&
   ino=$(readlink "/proc/$tp/fd/1" | sed -n 's/^pipe:\[\([0-9]*\)\]$/\1/p') &&
   run 0 "$SUDCR" dump -t $tp -D "$TMP/img-tee" &&
   grep -q "^sudcr: warning: fd 1: pipe:\[$ino\]: its read end is outside the process (PID $cp):" <<<"$err" &&
   wait_gone $tp &&
   run 0 "$SUDCR" restore -D "$TMP/img-tee" -d --inherit-fd "fd[7]:pipe:[$ino]" 7> >(exec cat >"$TMP/tee2.log") &&
   kill -USR1 $tp && wait_file "$W/result" && [ "$(cat "$W/result")" = PASS ] &&
   wait_file "$TMP/tee2.log" && [ "$(cat "$TMP/tee.log")" = before ] && [ "$(cat "$TMP/tee2.log")" = after ]; then
	pass $t
else
	fail $t "status $status: $err; result: $(cat "$W/result" 2>&1); logs: $(cat "$TMP/tee.log" "$TMP/tee2.log" 2>&1)"
fi
kill -9 $tp 2>/dev/null
exec 8>&-

t=tclsh_process_substitution
if ! command -v tclsh >/dev/null; then
	skip $t "tclsh is not installed"
else
	rm -f "$W/ready" "$W/result"
	# tclsh reads the whole script from the pipe, then polls for $W/go.
	# What `tclsh <(printf ...)` gives it: a pipe fd (63 there) and its name;
	# made here so that printf is our child, not tclsh's, as it is an
	# interactive shell's (a backgrounded `tclsh <(...)` would be its parent).
	exec 60< <(printf '%s\n' 'set d $env(W)' \
		'set f [open $d/ready w]; puts $f ready; close $f' \
		'while {![file exists $d/go]} { after 20 }' \
		'set f [open $d/result w]; puts $f "tclsh goes on"; close $f')
	W=$W tclsh /dev/fd/60 </dev/null >/dev/null 2>&1 9>&- &
	tp=$!
	pids+=($tp)
	exec 60<&-
	if wait_file "$W/ready" && ls -l "/proc/$tp/fd" | grep -q ' -> pipe:' &&
	   run 0 "$SUDCR" dump -t $tp -D "$TMP/img-tcl" && { kill -9 $tp 2>/dev/null; wait $tp 2>/dev/null; true; } &&
	   wait_gone $tp && run 0 "$SUDCR" restore -D "$TMP/img-tcl" -d &&
	   touch "$W/go" && wait_file "$W/result" && [ "$(cat "$W/result")" = "tclsh goes on" ]; then
		pass $t
	else
		fail $t "status $status: $err; result: $(cat "$W/result" 2>&1)"
	fi
fi
finish
