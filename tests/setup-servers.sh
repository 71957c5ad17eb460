#!/bin/sh
# SPDX-License-Identifier: MIT
#
# setup-servers.sh OUTDIR
#
# The real servers the socket tests dump and restore (tests/cli/net_*.sh):
# redis-server.  If it is missing and we are root with apt-get, install
# it (log in OUTDIR/servers-setup.log).  The verdict: OUTDIR/servers.ok,
# or OUTDIR/servers.skip holding the reason on one line, which a test
# whose server is missing prints with its SKIP.  Always exits 0: a
# missing server makes tests skip, not the build fail.

OUT=${1:-build/tests}
LOG=$OUT/servers-setup.log

mkdir -p "$OUT" || exit 1
rm -f "$OUT/servers.ok" "$OUT/servers.skip"

why=
if ! command -v redis-server > /dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null 2>&1; then
		echo "servers: no redis-server; installing it with apt-get (log: $LOG)"
		if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q > "$LOG" 2>&1 &&
		       DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >> "$LOG" 2>&1; }; then
			why="redis-server is not installed, and apt-get install redis-server failed (see $LOG)"
		fi
	elif [ "$(id -u)" != 0 ]; then
		why="redis-server is not installed (not root, so it was not installed)"
	else
		why="redis-server is not installed (no apt-get to install it with)"
	fi
fi
# The package starts a redis-server of its own on port 6379: not ours to
# touch, and the tests use ports of their own.

if [ -z "$why" ] && command -v redis-server > /dev/null 2>&1; then
	echo ok > "$OUT/servers.ok"
else
	echo "${why:-redis-server is not installed}" > "$OUT/servers.skip"
	echo "server tests will be skipped: $(cat "$OUT/servers.skip")"
fi
exit 0
