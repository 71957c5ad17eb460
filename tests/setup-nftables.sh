#!/bin/sh
# SPDX-License-Identifier: MIT
#
# setup-nftables.sh OUTDIR
#
# The nft program, which `sudcr dump --tcp-established` runs for its
# network lock (tests/cli/net_tcp_established.sh).  If it is missing and
# we are root with apt-get, install the nftables package (log in
# OUTDIR/nftables-setup.log).  The verdict: OUTDIR/nftables.ok, or
# OUTDIR/nftables.skip holding the reason on one line.  Always exits 0.

OUT=${1:-build/tests}
LOG=$OUT/nftables-setup.log

mkdir -p "$OUT" || exit 1
rm -f "$OUT/nftables.ok" "$OUT/nftables.skip"
PATH=$PATH:/usr/sbin:/sbin

why=
if ! command -v nft > /dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null 2>&1; then
		echo "nftables: no nft; installing it with apt-get (log: $LOG)"
		if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q > "$LOG" 2>&1 &&
		       DEBIAN_FRONTEND=noninteractive apt-get install -y -q nftables >> "$LOG" 2>&1; }; then
			why="nft is not installed, and apt-get install nftables failed (see $LOG)"
		fi
	elif [ "$(id -u)" != 0 ]; then
		why="nft is not installed (not root, so it was not installed)"
	else
		why="nft is not installed (no apt-get to install it with)"
	fi
fi
# The kernel must take nf_tables rules: a table made and deleted again.
if [ -z "$why" ] && command -v nft > /dev/null 2>&1; then
	t=sudcr_setup_$$
	if nft add table inet "$t" >> "$LOG" 2>&1 && nft delete table inet "$t" >> "$LOG" 2>&1; then
		echo ok > "$OUT/nftables.ok"
		exit 0
	fi
	why="nft cannot make a table here (no nf_tables in the kernel, or no CAP_NET_ADMIN; see $LOG)"
fi
echo "${why:-nft is not installed}" > "$OUT/nftables.skip"
echo "nftables tests will be skipped: $(cat "$OUT/nftables.skip")"
exit 0
