# Namespaces are not dumped or restored, so a process outside sudcr's
# namespaces is refused (one line naming the kind, the process left
# running untraced), and an image is restored only in the namespaces it
# was dumped in: dumped inside one (nsenter -a, as the refusal advises)
# and restored outside, it is refused; restored inside, it comes back.
# sudcr runs under timeout(1) only so that a hang is reported instead of
# stopping the suite: nothing here is timed.
. "$SRCDIR/tests/cli/lib.bash"

if ! command -v unshare >/dev/null || ! command -v nsenter >/dev/null || ! command -v timeout >/dev/null; then
	skip namespaces "unshare, nsenter or timeout (util-linux, coreutils) is not installed"
	finish
fi
SLEEP=$(readlink -f "$(command -v sleep)")

# start CMD...: runs CMD (which ends in exec'ing sleep 1000, itself or in a
# child) and sets $target to the sleep's PID, "" if it did not start.
start() {
	local up c
	# In a subshell, so that it is no job of ours (no "Killed" notices):
	# the runner, our subreaper, reaps it.
	("$@" sleep 1000 </dev/null >/dev/null 2>&1 9>&- 251>&- & echo $! >"$TMP/up")
	up=$(cat "$TMP/up")
	pids+=($up)
	target=
	for _ in $(seq 250); do
		if [ "$(readlink /proc/$up/exe)" = "$SLEEP" ]; then
			target=$up
		else
			for c in $(pgrep -P $up); do
				[ "$(readlink /proc/$c/exe)" = "$SLEEP" ] && target=$c
			done
		fi
		[ -n "$target" ] && break
		sleep 0.02
	done
	[ -n "$target" ] && pids+=($target)
}
state() { sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' /proc/$1/status 2>/dev/null; }
tracer() { sed -n 's/^TracerPid:[[:space:]]*//p' /proc/$1/status 2>/dev/null; }
nsid() { stat -L -c %i /proc/$1/ns/$2; }

# A sleep in each kind of namespace, dumped from outside (with and without
# --leave-running): refused, naming the kind, no image, left as it was.
while read -r kind name flags; do
	t=dump_refused_$kind
	# shellcheck disable=SC2086
	if ! unshare $flags true 2>"$TMP/unshare.err"; then
		skip $t "cannot make a $name namespace here: $(cat "$TMP/unshare.err")"
		continue
	fi
	# shellcheck disable=SC2086
	start unshare $flags
	if [ -z "$target" ]; then
		fail $t "the sleep did not start in its namespace"
		continue
	fi
	if [ "$(nsid $target $kind)" = "$(nsid $$ $kind)" ]; then
		fail $t "unshare $flags left the sleep in our $name namespace"
		continue
	fi
	ok=1
	for lr in --leave-running ""; do
		# shellcheck disable=SC2086
		if ! run 1 timeout -s KILL 60 "$SUDCR" dump -t $target -D "$TMP/img_$kind" $lr || ! one_error_line ||
		   ! grep -qE "cannot dump process $target: it is in $name( \(for children\))? namespace $kind:\[$(nsid $target $kind)\], not sudcr's $kind:\[$(nsid $$ $kind)\].*nsenter -t $target -a sudcr dump" <<<"$err" ||
		   [ -e "$TMP/img_$kind" ] || [ "$(state $target)" != S ] || [ "$(tracer $target)" != 0 ]; then
			ok=0
			fail $t "dump $lr: status $status (124: hung), stderr '$err', state '$(state $target)', tracer '$(tracer $target)'"
		fi
	done
	[ $ok = 1 ] && pass $t
	kill -9 $target 2>/dev/null
done <<'LIST'
pid PID -p -f --mount-proc
net network -n
mnt mount -m
uts UTS -u
ipc IPC -i
cgroup cgroup -C
user user -U
time time -T
LIST

# What /proc/PID/ns does not show: one thread in a UTS namespace of its
# own, or a process whose children would go to a new PID namespace.  The
# dump checks again once every thread is frozen, refuses, and lets them go.
for mode in thread-uts children-pid; do
	t=dump_refused_$mode
	rm -f "$TMP/ready"
	("$TESTBIN/targets/ns_unshared" $mode "$TMP/ready" </dev/null >/dev/null 2>"$TMP/nsu.err" 9>&- 251>&- & echo $! >"$TMP/up")
	p=$(cat "$TMP/up")
	pids+=($p)
	for _ in $(seq 250); do
		[ -s "$TMP/ready" ] || [ ! -e /proc/$p/exe ] && break
		sleep 0.02
	done
	if [ ! -s "$TMP/ready" ]; then
		fail $t "ns_unshared $mode did not get ready: $(cat "$TMP/nsu.err")"
		continue
	fi
	if [ $mode = thread-uts ]; then
		tid=$(ls /proc/$p/task | grep -vx $p)
		want="cannot dump process $p: its thread $tid is in UTS namespace uts:[$(nsid $p/task/$tid uts)], not sudcr's uts:[$(nsid $$ uts)]: not supported"
	else
		want="cannot dump process $p: its PID (for children) namespace pid:[new, no process in it yet] is not sudcr's pid:[$(nsid $$ pid)]: a restore could not bring it back"
	fi
	ok=1
	for lr in --leave-running ""; do
		# shellcheck disable=SC2086
		if ! run 1 timeout -s KILL 60 "$SUDCR" dump -t $p -D "$TMP/img_$mode" $lr || ! one_error_line ||
		   ! grep -qF "$want" <<<"$err" || [ -e "$TMP/img_$mode" ]; then
			ok=0
			fail $t "dump $lr: status $status (124: hung), stderr '$err' (want '$want')"
		fi
		for task in /proc/$p/task/*; do
			if [ "$(state $p/task/${task##*/})" != S ] || [ "$(tracer $p/task/${task##*/})" != 0 ]; then
				ok=0
				fail $t "after dump $lr, thread ${task##*/} is in state '$(state $p/task/${task##*/})' with tracer '$(tracer $p/task/${task##*/})'"
			fi
		done
	done
	[ "$(ls /proc/$p/task 2>/dev/null | wc -l)" = $([ $mode = thread-uts ] && echo 2 || echo 1) ] ||
		{ ok=0; fail $t "the process lost threads or is gone"; }
	[ $ok = 1 ] && pass $t
	kill -9 $p 2>/dev/null
done

# A UTS namespace with two sleeps: the second one is dumped from inside
# (the way the refusal says), restored outside (refused, and nothing
# runs with its PID), then restored inside (it comes back, in it).
t=restore_outside_refused_uts
start unshare -u
holder=$target
if [ -z "$holder" ]; then
	fail $t "the sleep did not start in a new UTS namespace"
else
	start nsenter -t $holder -u
	member=$target
	if [ -z "$member" ]; then
		fail $t "the second sleep did not start in the UTS namespace"
	elif ! run 0 timeout -s KILL 60 nsenter -t $holder -a "$SUDCR" dump -t $member -D "$TMP/uts_img" || [ -e /proc/$member/exe ]; then
		fail $t "dump inside: status $status, stderr '$err'"
	elif ! run 1 timeout -s KILL 60 "$SUDCR" restore -D "$TMP/uts_img" -d || ! one_error_line ||
	     ! grep -qF "cannot restore $TMP/uts_img: it was dumped in UTS namespace uts:[$(nsid $holder uts)], sudcr runs in uts:[$(nsid $$ uts)]" <<<"$err" ||
	     [ -e /proc/$member/exe ]; then
		fail $t "restore outside: status $status, stderr '$err'"
		kill -9 $member 2>/dev/null
	elif ! run 0 timeout -s KILL 60 nsenter -t $holder -a "$SUDCR" restore -D "$TMP/uts_img" -d ||
	     [ "$(readlink /proc/$member/exe)" != "$SLEEP" ] || [ "$(nsid $member uts)" != "$(nsid $holder uts)" ]; then
		fail $t "restore inside: status $status, stderr '$err'"
		kill -9 $member 2>/dev/null
	else
		pass $t
		kill -9 $member 2>/dev/null
	fi
	kill -9 $holder 2>/dev/null
fi

# The same with a PID namespace (and its mount namespace, with its /proc):
# a process that is not the namespace's init, dumped inside by its PID
# there, is refused outside and comes back inside with that PID.
t=restore_outside_refused_pid
if ! unshare -p -f --mount-proc true 2>"$TMP/unshare.err"; then
	skip $t "cannot make a PID namespace here: $(cat "$TMP/unshare.err")"
	finish
fi
start unshare -p -f --mount-proc
init=$target
if [ -z "$init" ]; then
	fail $t "the namespace's init did not start"
	finish
fi
start nsenter -t $init -p -m
member=$target
inner=$(awk '/^NSpid:/ { print $NF }' /proc/$member/status 2>/dev/null)
if [ -z "$member" ] || [ -z "$inner" ]; then
	fail $t "the second sleep did not start in the PID namespace"
elif ! run 0 timeout -s KILL 60 nsenter -t $init -a "$SUDCR" dump -t $inner -D "$TMP/pid_img" || [ -e /proc/$member/exe ]; then
	fail $t "dump inside: status $status, stderr '$err'"
elif ! run 1 timeout -s KILL 60 "$SUDCR" restore -D "$TMP/pid_img" -d || ! one_error_line ||
     ! grep -qF "cannot restore $TMP/pid_img: it was dumped in PID namespace pid:[$(nsid $init pid)], sudcr runs in pid:[$(nsid $$ pid)], and its PIDs would mean other processes" <<<"$err"; then
	fail $t "restore outside: status $status, stderr '$err'"
elif ! run 0 timeout -s KILL 60 nsenter -t $init -a "$SUDCR" restore -D "$TMP/pid_img" -d ||
     ! back=$(nsenter -t $init -p -m pgrep -x sleep | grep -vx 1) || [ "$back" != "$inner" ]; then
	fail $t "restore inside: status $status, stderr '$err', sleeps in the namespace other than its init: '$back' (want $inner)"
else
	pass $t
fi
# In the PID namespace but with the outer /proc (nsenter -p without -m),
# /proc/1 is not the process sudcr would seize as 1: refused, dump and
# restore, before anything is touched.
t=foreign_procfs_refused
ok=1
if ! run 1 timeout -s KILL 60 nsenter -t $init -p "$SUDCR" dump -t 1 -D "$TMP/procfs_img" --leave-running ||
   ! one_error_line || ! grep -q "^sudcr: /proc is not the procfs of sudcr's PID namespace (/proc/self is [0-9]*, sudcr is [0-9]* there)" <<<"$err" ||
   [ -e "$TMP/procfs_img" ] || [ "$(state $init)" != S ] || [ "$(tracer $init)" != 0 ]; then
	ok=0
	fail $t "dump: status $status (124: hung), stderr '$err', state '$(state $init)', tracer '$(tracer $init)'"
fi
if [ ! -e "$TMP/pid_img" ]; then
	ok=0
	fail $t "no image from restore_outside_refused_pid to restore"
elif ! run 1 timeout -s KILL 60 nsenter -t $init -p "$SUDCR" restore -D "$TMP/pid_img" -d || ! one_error_line ||
     ! grep -q "^sudcr: /proc is not the procfs of sudcr's PID namespace" <<<"$err"; then
	ok=0
	fail $t "restore: status $status, stderr '$err'"
fi
[ $ok = 1 ] && pass $t
# Its init's death ends every process of the namespace.
kill -9 $init 2>/dev/null
finish
