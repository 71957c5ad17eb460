# Shared helpers for tests/cli/*.sh (sourced, not a test itself).
# Protocol of tests/harness.h: PASS:/FAIL:/SKIP: lines; exit 1 if any FAIL.

: "${SUDCR:?run through build/tests/run}" "${TESTBIN:?}"
TMP=${TESTTMP:-$(mktemp -d)}
failed=0
pids=()
# A stdin for targets that never sends anything and never hits EOF.
HOLD=$TMP/hold.fifo
rm -f "$HOLD"
mkfifo "$HOLD"
exec 9<>"$HOLD"

cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; failed=1; }
skip() { echo "SKIP: $1: $2"; }
finish() { cleanup; exit $failed; }

# run NAME EXPECTED_STATUS CMD... : runs CMD, keeps stdout in $out, stderr in $err
run() {
	local want=$1
	shift
	out=$("$@" 2>"$TMP/stderr")
	status=$?
	err=$(cat "$TMP/stderr")
	[ "$status" = "$want" ]
}

# wait_gone PID: until /proc/PID is gone (10 s at most)
wait_gone() {
	for _ in $(seq 200); do [ -e "/proc/$1" ] || return 0; sleep 0.05; done
	return 1
}

# One clear line on stderr, starting with "sudcr: ".
one_error_line() {
	[ "$(printf '%s\n' "$err" | grep -c .)" = 1 ] && [[ $err == sudcr:* ]]
}

# The terminal tests' programs (tests/setup-terminals.sh): true if there;
# else a SKIP line for each test named.
have_terminals() {
	local why
	if [ -f "$TESTBIN/terminals.ok" ]; then return 0; fi
	why=$(cat "$TESTBIN/terminals.skip" 2>/dev/null) ||
		why="no verdict on tmux, vim, less and script (tests/setup-terminals.sh did not run?)"
	for t in "$@"; do skip "$t" "$why"; done
	return 1
}

ia32_reason() {
	if [ -x "$TESTBIN/targets/sud_target-32" ]; then return 1; fi
	cat "$TESTBIN/ia32.skip" 2>/dev/null || echo "ia32 unavailable"
}
