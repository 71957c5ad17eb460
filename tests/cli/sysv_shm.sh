# System V shm: what the dump refuses (a segment attached in part, an
# attach with madvise state), each with one line naming it, the process
# left running; and what the restore refuses, with one line and no process
# left: a segment with the image's id that is another object, and a gone
# segment whose key another segment has taken.  Once the way is clear, the
# image restores and the segment is made again with its id.
. "$SRCDIR/tests/cli/lib.bash"

# start MODE [KEY]: a shm_holder in $tp, its segment's id in $id
start() {
	rm -f "$TMP/ready"
	"$TESTBIN/targets/shm_holder" "$1" "$TMP/ready" $2 </dev/null >/dev/null 2>&1 9>&- &
	tp=$!
	pids+=($tp)
	for _ in $(seq 250); do [ -s "$TMP/ready" ] && break; sleep 0.02; done
	id=$(cat "$TMP/ready" 2>/dev/null)
}

# shm_exists ID: whether segment ID exists (IPC_STAT)
shm_exists() {
	perl -e 'exit(defined shmctl($ARGV[0], 2, $buf) ? 0 : 1)' "$1"
}

# shm_make KEY: a new segment of one page with KEY (hex), its id on stdout
shm_make() {
	perl -e '$id = shmget(hex($ARGV[0]), 4096, 01600); print defined $id ? $id : -1' "$1"
}

for mode in partial madvise; do
	t=dump_refuses_$mode
	start $mode
	case $mode in
	partial) why="System V shm id $id): a segment attached in part";;
	madvise) why="System V shm id $id): a locked, sealed or madvise()d attach";;
	esac
	if [ -z "$id" ]; then
		fail $t "shm_holder did not start"
	elif run 1 "$SUDCR" dump -t $tp -D "$TMP/img-$mode" && one_error_line && grep -qF "$why" <<<"$err" &&
	     kill -0 $tp 2>/dev/null && [ ! -e "$TMP/img-$mode/core.img" ]; then
		pass $t
	else
		fail $t "status $status: $err"
	fi
	kill -9 $tp 2>/dev/null
	wait $tp 2>/dev/null
done

key_a=$(printf '5d1e%04x' $(($$ & 0xffff)))
key_b=$(printf '5d1f%04x' $(($$ & 0xffff)))
start keyed $key_a
ida=$id
t=dump_keyed
if [ -z "$ida" ]; then
	fail $t "shm_holder did not start"
elif ! run 0 "$SUDCR" dump -t $tp -D "$TMP/img"; then
	fail $t "status $status: $err"
elif ! run 0 "$SUDCR" show -D "$TMP/img" ||
     ! grep -qF "  System V shm segment $ida: key 0x$key_a, 12288 bytes, mode 0600, owner 0:0, creator 0:0 (pid $tp)" <<<"$out" ||
     ! grep -q "^  System V shm attach of segment $ida at 0x[0-9a-f]*, 12288 bytes\$" <<<"$out"; then
	fail $t "show: $out"
elif ! run 0 "$SUDCR" show -D "$TMP/img" --json ||
     ! grep -qF "\"sysv_shm\":[{\"id\":$ida,\"key\":\"0x$key_a\",\"size\":12288,\"mode\":\"0600\"" <<<"$out" ||
     ! grep -qF "\"removed\":false,\"locked\":false}],\"sysv_shm_attaches\":[{\"id\":$ida," <<<"$out"; then
	fail $t "show --json: $out"
else
	pass $t
fi
wait $tp 2>/dev/null

# The segment outlived its process; another with its id but another key replaces it.
t=restore_refuses_other_object
ipcrm -m "$ida"
echo "$ida" >/proc/sys/kernel/shm_next_id
other=$(shm_make $key_b)
if [ "$other" != "$ida" ]; then
	fail $t "could not make another segment with id $ida (got $other)"
elif run 1 "$SUDCR" restore -D "$TMP/img" -d && one_error_line &&
     grep -qF "System V shm segment $ida exists but is not the image's: its key differs" <<<"$err" &&
     ! kill -0 $tp 2>/dev/null && shm_exists "$ida"; then
	pass $t
else
	fail $t "status $status: $err"
fi
[ "$other" -ge 0 ] 2>/dev/null && ipcrm -m "$other"

# Gone, and its key taken by another segment: it cannot be made again.
t=restore_refuses_key_taken
other=$(shm_make $key_a)
if [ "$other" -lt 0 ] || [ "$other" = "$ida" ]; then
	fail $t "could not make another segment with key $key_a (got $other)"
elif run 1 "$SUDCR" restore -D "$TMP/img" -d && one_error_line &&
     grep -qF "cannot make System V shm segment $ida again: another segment has its key 0x$key_a" <<<"$err" &&
     ! kill -0 $tp 2>/dev/null && ! shm_exists "$ida" && [ "$(cat /proc/sys/kernel/shm_next_id)" = -1 ]; then
	pass $t
else
	fail $t "status $status: $err; shm_next_id $(cat /proc/sys/kernel/shm_next_id)"
fi
[ "$other" -ge 0 ] 2>/dev/null && ipcrm -m "$other"

t=restore_makes_it_again
if run 0 "$SUDCR" restore -D "$TMP/img" -d && kill -0 $tp 2>/dev/null &&
   [ "$(perl -e 'print shmget(hex($ARGV[0]), 0, 0) // -1' $key_a)" = "$ida" ] &&
   grep -q "/SYSV$key_a" /proc/$tp/maps; then
	pass $t
else
	fail $t "status $status: $err"
fi
kill -9 $tp 2>/dev/null
ipcrm -m "$ida" 2>/dev/null
finish
