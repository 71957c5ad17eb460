# The command line itself: help, version, usage errors, missing processes,
# missing permissions.  Every error is one line on stderr and a documented
# exit code.
. "$SRCDIR/tests/cli/lib.bash"

t=version
if run 0 "$SUDCR" --version && [[ $out =~ ^sudcr\ [0-9]+\.[0-9]+\.[0-9]+$ ]]; then pass $t; else fail $t "'$out' ($status)"; fi

t=help_lists_commands
if run 0 "$SUDCR" --help && for c in check sud syscall dump restore show netlock; do
	grep -q "^  $c " <<<"$out" || exit 1; done; then pass $t; else fail $t "$out"; fi

t=command_help
ok=1
for c in check sud syscall dump restore show netlock; do
	run 0 "$SUDCR" $c --help && grep -q "^Usage: sudcr $c" <<<"$out" || { ok=0; fail $t "$c --help: $status $out"; }
done
[ $ok = 1 ] && pass $t

# The man page documents every option and command the help texts name.
t=man_page_complete
ok=1
man=$SRCDIR/docs/sudcr.1
for c in "" check sud syscall dump restore show netlock; do
	# shellcheck disable=SC2086
	run 0 "$SUDCR" $c --help || { ok=0; fail $t "$c --help: $status"; continue; }
	for o in $(grep -oE -- '--[a-z][a-z-]+' <<<"$out" | sort -u); do
		grep -qF -- "$(sed 's/-/\\-/g' <<<"$o")" "$man" || { ok=0; fail $t "docs/sudcr.1 lacks $o (from sudcr $c --help)"; }
	done
	[ -z "$c" ] || grep -q "^\.BI\? \"\?$c\b\|^\.B sudcr $c\b\|^\.B $c\b" "$man" || { ok=0; fail $t "docs/sudcr.1 lacks the command $c"; }
done
[ $ok = 1 ] && pass $t

t=usage_errors
ok=1
for args in "" "nosuch" "--bogus" "sud" "sud get" "sud get abc" "sud get 1 2" "sud set 1" \
	    "sud set 1 --mode exclusive" "sud set 1 --mode weird --offset 0 --len 1" "sud set 1 off --len 3" \
	    "syscall" "syscall 1" "syscall 1 no_such_syscall" "syscall 1 getpid x" "syscall 1 getpid 1 2 3 4 5 6 7" \
	    "dump" "dump -t 1" "dump -D /tmp/x" "restore" "show" "check extra"; do
	# shellcheck disable=SC2086
	if ! run 2 "$SUDCR" $args || ! one_error_line; then
		ok=0
		fail $t "'sudcr $args' exited $status with stderr '$err'"
	fi
done
[ $ok = 1 ] && pass $t

# A PID that does not exist: ESRCH, one line, exit 1.
nopid=$(( $(cat /proc/sys/kernel/pid_max) - 1 ))
while [ -e /proc/$nopid ]; do nopid=$((nopid - 1)); done
t=no_such_process
ok=1
for args in "sud get $nopid" "sud set $nopid off" "syscall $nopid getpid" "dump -t $nopid -D $TMP/img"; do
	# shellcheck disable=SC2086
	if ! run 1 "$SUDCR" $args || ! one_error_line || ! grep -q "$nopid" <<<"$err"; then
		ok=0
		fail $t "'sudcr $args' exited $status with stderr '$err'"
	fi
done
[ -e "$TMP/img/core.img" ] && { ok=0; fail $t "dump of a missing process left an image"; }
[ $ok = 1 ] && pass $t

# Not allowed to trace: an unprivileged sudcr against a root process.
t=permission_denied
"$TESTBIN/targets/sud_target" selector < "$HOLD" > "$TMP/target.out" &
tp=$!
pids+=($tp)
sleep 0.3
if ! command -v setpriv >/dev/null; then
	skip $t "setpriv (util-linux) is not installed"
else
	ok=1
	for args in "sud get $tp" "syscall $tp getpid" "dump -t $tp -D $TMP/img2"; do
		# shellcheck disable=SC2086
		if ! run 1 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$SUDCR" $args ||
		   ! one_error_line || ! grep -q "Operation not permitted\|Permission denied" <<<"$err"; then
			ok=0
			fail $t "'sudcr $args' as nobody exited $status with stderr '$err'"
		fi
	done
	kill -0 $tp 2>/dev/null || { ok=0; fail $t "the target died"; }
	[ $ok = 1 ] && pass $t
fi

# Another tracer attached: seize fails with EPERM, the message says why.
t=already_traced
if run 0 "$SUDCR" check; then :; fi
"$TESTBIN/targets/sud_config" off < "$HOLD" > /dev/null &
cp=$!
pids+=($cp)
sleep 0.2
if command -v gdb >/dev/null; then
	# In a session of its own, so that its `sleep` goes with it (kill -- -$gp).
	setsid gdb -q -batch -p $cp -ex 'shell sleep 3' >/dev/null 2>&1 &
	gp=$!
	pids+=($gp)
	for _ in $(seq 50); do grep -q "TracerPid:[[:space:]]*[1-9]" /proc/$cp/status && break; sleep 0.1; done
	if run 1 "$SUDCR" sud get $cp && one_error_line && grep -q "already traced\|another tracer" <<<"$err"; then
		pass $t
	else
		fail $t "exited $status with stderr '$err'"
	fi
	kill -9 -- -$gp 2>/dev/null
	wait $gp 2>/dev/null
else
	skip $t "gdb is not installed"
fi

t=check
if run 0 "$SUDCR" check && grep -q "^SUD ptrace requests (Linux 6.3+) *yes" <<<"$out" &&
   [ "$(grep -c ' yes \| no ' <<<"$out")" -ge 12 ]; then pass $t; else fail $t "$status: $out $err"; fi

finish
