# The init of a PID namespace (unshare -pf --mount-proc sleep): a dump from
# inside the namespace cannot kill it (the kernel drops a SIGKILL sent to
# an init from its own namespace), so it is refused at once with one line
# and the process goes on untouched; with --leave-running it works.  From
# outside the namespace it is refused as any process in a namespace that
# is not sudcr's (tests/cli/namespaces.sh), and goes on.  The dumps run
# under timeout(1) only so that a hang is reported instead of stopping
# the suite: nothing here is timed.
. "$SRCDIR/tests/cli/lib.bash"

if ! command -v unshare >/dev/null || ! command -v nsenter >/dev/null || ! command -v timeout >/dev/null; then
	skip pidns "unshare, nsenter or timeout (util-linux, coreutils) is not installed"
	finish
fi
if ! unshare -pf --mount-proc true 2>"$TMP/unshare.err"; then
	skip pidns "cannot make a PID namespace here: $(cat "$TMP/unshare.err")"
	finish
fi
unshare -pf --mount-proc sleep 1000 </dev/null >/dev/null 2>&1 9>&- &
up=$!
pids+=($up)
init=
for _ in $(seq 200); do
	init=$(pgrep -P $up) && [ "$(readlink /proc/$init/exe)" = "$(readlink -f "$(command -v sleep)")" ] && break
	init=
	sleep 0.02
done
if [ -z "$init" ]; then
	fail pidns "the namespace's init did not start"
	finish
fi
pids+=($init)
# timeout inside the namespace: it kills sudcr itself if it hangs.
inside() { nsenter -t "$init" -p -m timeout -s KILL 60 "$@"; }
state() { sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' /proc/$init/status; }

t=dump_init_from_inside_refused
if run 1 inside "$SUDCR" dump -t 1 -D "$TMP/img" && one_error_line &&
   grep -q "process 1 is the init of sudcr's PID namespace" <<<"$err" &&
   [ ! -e "$TMP/img" ] && [ "$(state)" = S ] && [ "$(grep TracerPid /proc/$init/status | tr -d '[:space:]')" = TracerPid:0 ]; then
	pass $t
else
	fail $t "status $status (124: hung), stderr '$err', state $(state)"
fi

t=dump_init_from_inside_leave_running
if run 0 inside "$SUDCR" dump -t 1 -D "$TMP/img" --leave-running && [ "$(state)" = S ] &&
   run 0 "$SUDCR" show -D "$TMP/img" && grep -q "^process 1 (sleep)" <<<"$out"; then
	pass $t
else
	fail $t "status $status, stderr '$err', state $(state), show '$out'"
fi

# Another process in the namespace (not a child of its init): a dump from
# outside is refused (the namespace is not sudcr's) and both go on.
t=dump_init_from_outside_with_members
nsenter -t "$init" -p -m sleep 1000 </dev/null >/dev/null 2>&1 9>&- &
np=$!
pids+=($np)
member=
for _ in $(seq 200); do
	member=$(pgrep -P $np) && [ "$(readlink /proc/$member/exe)" = "$(readlink -f "$(command -v sleep)")" ] && break
	member=
	sleep 0.02
done
if [ -z "$member" ]; then
	fail $t "the second process did not start in the namespace"
else
	pids+=($member)
	if run 1 timeout -s KILL 60 "$SUDCR" dump -t $init -D "$TMP/img3" && one_error_line &&
	   grep -qF "cannot dump process $init: it is in PID namespace pid:[" <<<"$err" &&
	   [ ! -e "$TMP/img3" ] && [ "$(state)" = S ] && [ -e /proc/$member/exe ]; then
		pass $t
	else
		fail $t "status $status, stderr '$err', state $(state)"
	fi
	kill -9 $member 2>/dev/null
	wait $np 2>/dev/null
fi

t=dump_init_from_outside
if run 1 timeout -s KILL 60 "$SUDCR" dump -t $init -D "$TMP/img2" && one_error_line &&
   grep -qF "cannot dump process $init: it is in PID namespace pid:[" <<<"$err" &&
   [ ! -e "$TMP/img2" ] && [ "$(state)" = S ] && [ "$(grep TracerPid /proc/$init/status | tr -d '[:space:]')" = TracerPid:0 ]; then
	pass $t
else
	fail $t "status $status (124: hung), stderr '$err', state $(state)"
fi
finish
