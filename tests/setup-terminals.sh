#!/bin/sh
# SPDX-License-Identifier: MIT
#
# setup-terminals.sh OUTDIR
#
# The terminal tests (tests/cli/tmux_vim.sh, tests/cli/script_pty.sh) run
# the real tmux, vim and script(1).  Record whether they are there:
# OUTDIR/terminals.ok, or OUTDIR/terminals.skip holding the reason on one
# line.  If one is missing and we are root with apt-get, install the
# packages first (log in OUTDIR/terminals-setup.log).  Always exits 0:
# without them those tests skip, the build does not fail.

OUT=${1:-build/tests}
LOG=$OUT/terminals-setup.log
PKGS="tmux vim less bsdutils"

mkdir -p "$OUT" || exit 1
rm -f "$OUT/terminals.ok" "$OUT/terminals.skip"

missing() {
	for p in tmux vim less script; do
		command -v $p > /dev/null 2>&1 || { echo $p; return 0; }
	done
	return 1
}

if ! m=$(missing); then
	rc=0
elif [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null 2>&1; then
	echo "terminals: $m is not installed; installing $PKGS with apt-get (log: $LOG)"
	if DEBIAN_FRONTEND=noninteractive apt-get update -q > "$LOG" 2>&1 &&
	   DEBIAN_FRONTEND=noninteractive apt-get install -y -q $PKGS >> "$LOG" 2>&1 &&
	   ! m=$(missing); then
		rc=0
	else
		why="no $m, and apt-get install $PKGS did not give it (see $LOG)"
		rc=1
	fi
elif [ "$(id -u)" != 0 ]; then
	why="no $m, and not root, so it was not installed"
	rc=1
else
	why="no $m, and no apt-get to install it with"
	rc=1
fi

if [ $rc -eq 0 ]; then
	echo ok > "$OUT/terminals.ok"
else
	echo "$why" > "$OUT/terminals.skip"
	echo "terminal tests will be skipped: $why"
fi
exit 0
