#!/bin/bash
# Remake the seed corpus fuzz/corpus/ from real dumps (run from the source
# tree after `make test-build`, as root): each seed is the core.img of one
# program dumped with --leave-running.  The page files are not kept: the
# fuzz target makes its own to fit each core.img.
set -e
B=${B:-build}
out=fuzz/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Only the program's own fds go into its image (launchers leave pipe ends behind).
close_inherited() {
	local f
	for f in /proc/$BASHPID/fd/*; do
		f=${f##*/}
		[ "$f" -gt 2 ] && eval "exec $f>&-"
	done
	return 0
}

# seed NAME CMD...: start CMD (a test program: prints READY, waits on stdin), dump it, keep core.img.
seed() {
	local name=$1 pid
	shift
	mkfifo "$tmp/in-$name" "$tmp/out-$name"
	(close_inherited; exec "$@" <"$tmp/in-$name" >"$tmp/out-$name" 2>/dev/null) &
	pid=$!
	exec 7>"$tmp/in-$name" 8<"$tmp/out-$name"
	read -r -t 10 line <&8 || true
	if [ "$line" = READY ]; then
		"$B/sudcr" dump -t $pid -D "$tmp/img-$name" --leave-running --shell-job --no-sync &&
			cp "$tmp/img-$name/core.img" "$out/$name"
	else
		echo "make-corpus: $name: not READY ($line)" >&2
	fi
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	exec 7>&- 8<&-
}

mkdir -p "$out" "$tmp/h"
"$B/tests/targets/hostile_target" "$tmp/h" </dev/null >/dev/null 2>&1 &
hp=$!
for _ in $(seq 200); do [ -s "$tmp/h/ready" ] && break; sleep 0.02; done
"$B/sudcr" dump -t $hp -D "$tmp/img-hostile" --leave-running --no-sync && cp "$tmp/img-hostile/core.img" "$out/hostile"
kill -9 $hp; wait $hp 2>/dev/null || true

for p in thr_tls-32 thr_zombie_leader fd_epoll fd_unix_stream fd_timerfd fd_locks fd_memfd mem_deleted_file \
	mem_shared_anon sig_pending_rt misc_seccomp misc_posix_timers sud_selector_block-32 \
	net_netlink_route net_packet; do
	[ -x "$B/tests/progs/$p" ] && seed "$p" "$B/tests/progs/$p"
done
ls -l "$out"
