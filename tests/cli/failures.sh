# Failure paths of dump and restore from the command line: a full disk, a
# directory we cannot write, an image that is not there.  Each is one line
# on stderr and exit status 1; the process goes on running untouched, and
# no image that looks complete is left behind.
. "$SRCDIR/tests/cli/lib.bash"

start_target() {
	"$TESTBIN/targets/sud_status" selector "$TMP/status" </dev/null >/dev/null 2>&1 9>&- &
	tp=$!
	pids+=($tp)
	for _ in $(seq 100); do [ -s "$TMP/status" ] && break; sleep 0.02; done
}

# still_fine: the target runs, its SUD is as it was, its counts are exact and growing.
still_fine() {
	local before after
	before=$(sed -E 's/.*calls=([0-9]+).*/\1/' "$TMP/status")
	sleep 0.2
	after=$(sed -E 's/.* calls=([0-9]+) hits=([0-9]+) bad=([0-9]+).*/\1 \2 \3/' "$TMP/status")
	set -- $after
	kill -0 $tp 2>/dev/null && [ "$1" -gt "$before" ] && [ "$1" = "$2" ] && [ "$3" = 0 ] &&
		"$SUDCR" sud get --json $tp | grep -q '"mode":"exclusive"'
}

start_target

t=dump_disk_full
mkdir -p "$TMP/small"
# Mounted in our own mount namespace (sudcr refuses a target in another
# one), and unmounted again at once.
if mount -t tmpfs -o size=64k none "$TMP/small" 2>"$TMP/mount.err"; then
	run 1 "$SUDCR" dump -t $tp -D "$TMP/small/img" --leave-running
	umount -l "$TMP/small"
	if ! one_error_line || ! grep -qi "no space" <<<"$err"; then
		fail $t "exit $status, stderr '$err'"
	elif ! still_fine; then
		fail $t "the target was harmed: $(cat "$TMP/status")"
	else
		pass $t
	fi
else
	skip $t "cannot mount a small tmpfs: $(cat "$TMP/mount.err")"
fi

t=dump_dir_not_writable
mkdir -p "$TMP/ro"
chmod 0555 "$TMP/ro"
if run 1 setpriv --reuid=0 --inh-caps=-all --bounding-set=-dac_override,-dac_read_search,-fowner \
	"$SUDCR" dump -t $tp -D "$TMP/ro/img" && one_error_line && still_fine && [ ! -e "$TMP/ro/img/core.img" ]; then
	pass $t
else
	fail $t "exit $status, stderr '$err'"
fi

t=dump_into_existing_image
run 0 "$SUDCR" dump -t $tp -D "$TMP/img" --leave-running || fail $t "first dump: $err"
if run 1 "$SUDCR" dump -t $tp -D "$TMP/img" --leave-running && one_error_line && still_fine; then
	pass $t
else
	fail $t "second dump into the same directory: exit $status, stderr '$err'"
fi

t=restore_missing_image
if run 1 "$SUDCR" restore -D "$TMP/nothing-here" && one_error_line; then
	pass $t
else
	fail $t "exit $status, stderr '$err'"
fi

t=restore_pid_taken
if run 1 "$SUDCR" restore -D "$TMP/img" -d && one_error_line && grep -q "$tp" <<<"$err" && still_fine; then
	pass $t
else
	fail $t "exit $status, stderr '$err'"
fi

t=show_damaged_image
cp -r "$TMP/img" "$TMP/img-bad"
printf '\xff' | dd of="$TMP/img-bad/core.img" bs=1 seek=100 conv=notrunc 2>/dev/null
if run 1 "$SUDCR" show -D "$TMP/img-bad" && one_error_line; then
	pass $t
else
	fail $t "exit $status, stderr '$err'"
fi

finish
