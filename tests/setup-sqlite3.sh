#!/bin/sh
# SPDX-License-Identifier: MIT
#
# setup-sqlite3.sh OUTDIR
#
# The changed-file and lock tests (tests/cli/changed_files.sh) run the real
# sqlite3.  Record whether it is there: OUTDIR/sqlite3.ok, or
# OUTDIR/sqlite3.skip holding the reason on one line.  If it is missing
# and we are root with apt-get, install the sqlite3 package first (log in
# OUTDIR/sqlite3-setup.log).  Always exits 0: without sqlite3 those tests
# skip, the build does not fail.

OUT=${1:-build/tests}
LOG=$OUT/sqlite3-setup.log

mkdir -p "$OUT" || exit 1
rm -f "$OUT/sqlite3.ok" "$OUT/sqlite3.skip"

probe() {
	got=$(sqlite3 :memory: 'SELECT 6*7;' 2>&1)
	[ "$got" = 42 ] && return 0
	echo "sqlite3 does not run here: ${got:-no output}"
	return 1
}

if command -v sqlite3 > /dev/null 2>&1; then
	why=$(probe)
	rc=$?
elif [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null 2>&1; then
	echo "sqlite3: not installed; installing it with apt-get (log: $LOG)"
	if DEBIAN_FRONTEND=noninteractive apt-get update -q > "$LOG" 2>&1 &&
	   DEBIAN_FRONTEND=noninteractive apt-get install -y -q sqlite3 >> "$LOG" 2>&1; then
		why=$(probe)
		rc=$?
	else
		why="no sqlite3, and apt-get install sqlite3 failed (see $LOG)"
		rc=1
	fi
elif [ "$(id -u)" != 0 ]; then
	why="no sqlite3, and not root, so it was not installed"
	rc=1
else
	why="no sqlite3, and no apt-get to install it with"
	rc=1
fi

if [ $rc -eq 0 ]; then
	echo ok > "$OUT/sqlite3.ok"
else
	echo "$why" > "$OUT/sqlite3.skip"
	echo "sqlite3 tests will be skipped: $why"
fi
exit 0
