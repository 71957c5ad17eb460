# Files opened through a mount: a process holds fd 3 on a file of a
# read-only bind mount.  Dumped (kill), then the mount is changed: the
# restore must refuse, with one error line naming the fd and the mount,
# when the path now leads through another mount: the bind mount unmounted
# (its mount point's own directory has a file of that name), remounted
# read-write, or mounted over.  Unchanged, it restores, and the fd is on
# the read-only mount again.
. "$SRCDIR/tests/cli/lib.bash"

A=$TMP/a B=$TMP/b C=$TMP/c
mkdir -p "$A" "$B" "$C"
echo bound >"$A/f"
echo under >"$B/f"
echo other >"$C/f"

cleanup_mounts() {
	while grep -q " $B " /proc/self/mountinfo; do umount -l "$B" || break; done
}
trap 'cleanup_mounts; cleanup' EXIT

if ! mount --bind "$A" "$B" 2>/dev/null; then
	skip fd_mounts "cannot bind-mount here"
	exit 0
fi
mount -o remount,bind,ro "$B"

# start: a process with fd 3 on $B/f, dumped (kill) into $TMP/img-$t
start() {
	# Its own file: one left by the last start would not wait for this exec.
	rm -f "$TMP/sleeps"
	"$TESTBIN/targets/sleeper" "$TMP/sleeps" 3<"$B/f" </dev/null >/dev/null 2>&1 9>&- &
	tp=$!
	pids+=($tp)
	for _ in $(seq 250); do [ -s "$TMP/sleeps" ] && break; sleep 0.02; done
	run 0 "$SUDCR" dump -t $tp -D "$TMP/img-$t" && wait $tp 2>/dev/null
	! kill -0 $tp 2>/dev/null
}

# One error line; warnings (the file stamps') may come before it.
one_error() {
	[ "$(grep -vc '^sudcr: warning: ' <<<"$err")" = 1 ]
}

# refused T WANT CMD...: dump, change the mounts with CMD, the restore must fail saying WANT
refused() {
	local want=$2
	t=$1
	shift 2
	if ! start; then
		fail $t "cannot dump: $err"
	elif ! "$@"; then
		fail $t "cannot change the mounts: $*"
	elif run 1 "$SUDCR" restore -D "$TMP/img-$t" -d && one_error && grep -qF -- "$want" <<<"$err" &&
	     ! kill -0 $tp 2>/dev/null; then
		pass $t
	else
		fail $t "status $status: $err"
	fi
	kill -9 $tp 2>/dev/null
	wait $tp 2>/dev/null
	# Back to the one read-only bind mount.
	cleanup_mounts
	mount --bind "$A" "$B" && mount -o remount,bind,ro "$B"
}

t=restore_same_mount
if ! start; then
	fail $t "cannot dump: $err"
elif ! run 0 "$SUDCR" restore -D "$TMP/img-$t" -d || ! kill -0 $tp 2>/dev/null; then
	fail $t "status $status: $err"
elif [ "$(awk '/^mnt_id:/ { print $2 }' /proc/$tp/fdinfo/3)" != "$(awk -v b="$B" '$5 == b { print $1 }' /proc/self/mountinfo)" ]; then
	fail $t "fd 3 is on mount $(awk '/^mnt_id:/ { print $2 }' /proc/$tp/fdinfo/3), not the bind mount"
else
	pass $t
fi
kill -9 $tp 2>/dev/null
wait $tp 2>/dev/null

refused restore_refuses_unmounted "cannot restore fd 3 ($B/f): it was opened through mount" umount "$B"
refused restore_refuses_unmounted_gone ", which is gone; its path leads through " umount "$B"
refused restore_refuses_remounted "ro,relatime), which is gone; its path leads through $B (/" \
	mount -o remount,bind,rw "$B"
refused restore_refuses_mounted_over "which is still there but out of the path's way (mounted over?)" \
	mount --bind "$C" "$B"
finish
