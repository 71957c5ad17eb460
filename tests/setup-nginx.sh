#!/bin/sh
# SPDX-License-Identifier: MIT
#
# setup-nginx.sh OUTDIR
#
# nginx for tests/cli/net_nginx.sh, which calls this.  If it is missing
# and we are root with apt-get, install nginx-light (log in
# OUTDIR/nginx-setup.log).  The verdict: OUTDIR/nginx.ok, or
# OUTDIR/nginx.skip holding the reason on one line, which the test
# prints with its SKIP.  Always exits 0.  The package may start an nginx
# of its own on port 80: not ours to touch; the test runs its own, with
# its own configuration and port.

OUT=${1:-build/tests}
LOG=$OUT/nginx-setup.log

mkdir -p "$OUT" || exit 1
rm -f "$OUT/nginx.ok" "$OUT/nginx.skip"

why=
if ! command -v nginx > /dev/null 2>&1 && ! [ -x /usr/sbin/nginx ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null 2>&1; then
		echo "nginx: not installed; installing nginx-light with apt-get (log: $LOG)"
		if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light > "$LOG" 2>&1 ||
		       { DEBIAN_FRONTEND=noninteractive apt-get update -q >> "$LOG" 2>&1 &&
			 DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >> "$LOG" 2>&1; }; }; then
			why="nginx is not installed, and apt-get install nginx-light failed (see $LOG)"
		fi
	elif [ "$(id -u)" != 0 ]; then
		why="nginx is not installed (not root, so it was not installed)"
	else
		why="nginx is not installed (no apt-get to install it with)"
	fi
fi
if [ -z "$why" ] && { command -v nginx > /dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }; then
	echo ok > "$OUT/nginx.ok"
else
	echo "${why:-nginx is not installed}" > "$OUT/nginx.skip"
fi
exit 0
