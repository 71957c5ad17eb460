#!/bin/sh
# SPDX-License-Identifier: MIT
#
# setup-ia32.sh CC OUTDIR
#
# Decide whether the ia32 (-m32) tests can be built and run here, and
# record the verdict: OUTDIR/ia32.ok, or OUTDIR/ia32.skip holding the
# reason on one line.  If CC -m32 cannot build a program and we are root
# with apt-get, install gcc-multilib first (log in OUTDIR/ia32-setup.log).
# Always exits 0: a missing ia32 toolchain makes tests skip, not the build
# fail.

CC=${1:-gcc}
OUT=${2:-build/tests}
LOG=$OUT/ia32-setup.log
TMP=$OUT/ia32-probe

mkdir -p "$OUT" || exit 1
rm -f "$OUT/ia32.ok" "$OUT/ia32.skip"

# Prints nothing and returns 0 when CC -m32 builds and runs a libc program;
# otherwise prints one line saying why.
probe() {
	printf '#include <stdio.h>\nint main(void) { printf("ia32 %%d\\n", (int)sizeof(long)); return 0; }\n' \
		> "$TMP.c"
	if ! $CC -m32 -o "$TMP" "$TMP.c" > "$TMP.err" 2>&1; then
		why=$(grep -m1 -i -E 'error|cannot|not found' "$TMP.err")
		echo "$CC -m32 cannot build a program: ${why:-$(head -n1 "$TMP.err")}"
		return 1
	fi
	got=$("$TMP" 2>&1)
	if [ "$got" != "ia32 4" ]; then
		echo "the kernel does not run ia32 programs (CONFIG_IA32_EMULATION off or ia32_emulation=0?): ${got:-no output}"
		return 2
	fi
	return 0
}

cleanup() {
	rm -f "$TMP" "$TMP.c" "$TMP.err"
}

why=$(probe)
rc=$?
if [ $rc -eq 1 ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null 2>&1; then
		echo "ia32: $why; installing gcc-multilib with apt-get (log: $LOG)"
		if DEBIAN_FRONTEND=noninteractive apt-get update -q > "$LOG" 2>&1 &&
		   DEBIAN_FRONTEND=noninteractive apt-get install -y -q gcc-multilib >> "$LOG" 2>&1; then
			why=$(probe)
			rc=$?
			[ $rc -ne 0 ] && why="gcc-multilib installed, but still: $why"
		else
			why="$why; apt-get install gcc-multilib failed (see $LOG)"
		fi
	elif [ "$(id -u)" != 0 ]; then
		why="$why; not root, so gcc-multilib was not installed"
	else
		why="$why; no apt-get to install gcc-multilib with"
	fi
fi
cleanup

if [ $rc -eq 0 ]; then
	echo ok > "$OUT/ia32.ok"
else
	echo "$why" > "$OUT/ia32.skip"
	echo "ia32 tests will be skipped: $why"
fi
exit 0
