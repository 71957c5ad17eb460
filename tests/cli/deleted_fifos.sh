# FIFOs whose name was removed (lib/kinds/pipe.c) that cannot be made
# again: one with its other end held by another process (a new FIFO could
# not be joined to it), and one whose directory was removed too.  The dump
# fails with one line naming the fd and why, and the process goes on.
. "$SRCDIR/tests/cli/lib.bash"

t=deleted_fifo_end_outside_refused
mkfifo "$TMP/f"
exec 8<>"$TMP/f"
sleep 1000 5<"$TMP/f" </dev/null >/dev/null 2>&1 9>&- 8>&- &
p=$!
pids+=($p)
for _ in $(seq 250); do [ "$(readlink /proc/$p/fd/5 2>/dev/null)" = "$TMP/f" ] && break; sleep 0.02; done
rm "$TMP/f"
if [ "$(readlink /proc/$p/fd/5 2>/dev/null)" != "$TMP/f (deleted)" ]; then
	fail $t "the process holds no deleted FIFO at fd 5"
elif run 1 "$SUDCR" dump -t $p -D "$TMP/img" && one_error_line &&
     grep -qxE "sudcr: fd 5: deleted FIFO $TMP/f: its write end is held outside the process \(PID [0-9]+( and others)?\): not supported" <<<"$err" &&
     [ ! -e "$TMP/img/core.img" ] && kill -0 $p 2>/dev/null; then
	pass $t
else
	fail $t "status $status: $err"
fi
kill -9 $p 2>/dev/null
exec 8>&-

t=deleted_fifo_dir_gone_refused
mkdir "$TMP/d"
mkfifo "$TMP/d/f"
sh -c 'exec 5<>"$1" && rm "$1" && rmdir "${1%/f}" && exec sleep 1000' sh "$TMP/d/f" \
	</dev/null >/dev/null 2>&1 9>&- &
p=$!
pids+=($p)
for _ in $(seq 250); do [ ! -e "$TMP/d" ] && [ "$(readlink /proc/$p/exe)" != "$(readlink -f /bin/sh)" ] && break; sleep 0.02; done
if [ "$(readlink /proc/$p/fd/5 2>/dev/null)" != "$TMP/d/f (deleted)" ]; then
	fail $t "the process holds no deleted FIFO at fd 5"
elif run 1 "$SUDCR" dump -t $p -D "$TMP/img2" && one_error_line &&
     grep -qxF "sudcr: fd 5: $TMP/d/f (deleted FIFO whose directory is gone too) is not supported yet" <<<"$err" &&
     [ ! -e "$TMP/img2/core.img" ] && kill -0 $p 2>/dev/null; then
	pass $t
else
	fail $t "status $status: $err"
fi
kill -9 $p 2>/dev/null
finish
