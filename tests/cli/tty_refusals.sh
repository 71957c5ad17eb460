# Terminals the kernel drives are refused with one line each, naming
# what they are, and the process is left running: the system console
# (/dev/console), a virtual console (/dev/ttyN) and a serial terminal
# (/dev/ttyS0), held at fd 5 by a process whose stdio is no terminal.
. "$SRCDIR/tests/cli/lib.bash"

T=$TESTBIN/targets/outside_ends
wait_for() {
	for _ in $(seq 400); do "$@" && return 0; sleep 0.05; done
	return 1
}

refused() {
	local t=$1 dev=$2 what=$3 W=$TMP/$1 tp
	mkdir -p "$W"
	if ! [ -c "$dev" ] || ! (exec 5<>"$dev") 2>/dev/null; then
		skip "$t" "$dev cannot be opened here"
		return
	fi
	"$T" hold "$W" 5<>"$dev" </dev/null >/dev/null 2>&1 9>&- &
	pids+=($!)
	if wait_for test -s "$W/ready" && tp=$(cat "$W/ready") &&
	   run 1 "$SUDCR" dump -t "$tp" -D "$W/img" && one_error_line &&
	   grep -q "fd 5: $dev is $what, .*not supported" <<<"$err" && kill -0 "$tp" &&
	   ! [ -e "$W/img/core.img" ]; then
		pass "$t"
	else
		fail "$t" "status $status: $err"
	fi
	kill -9 "$tp" 2>/dev/null
}

refused console_refused /dev/console "the system console"
refused virtual_console_refused /dev/tty1 "a virtual console"
refused serial_refused /dev/ttyS0 "a serial terminal"
finish
