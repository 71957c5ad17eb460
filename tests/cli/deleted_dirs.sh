# Deleted directories (lib/kinds/deleted_dir.c) and working directories
# (lib/kinds/deleted_cwd.c) that cannot be made again: one whose parent
# directory was removed after it.  The dump fails with one line naming the
# fd or the cwd and why, and the process goes on.
. "$SRCDIR/tests/cli/lib.bash"

t=deleted_dir_parent_gone_refused
sh -c 'mkdir "$1" "$1/c" && exec 5<"$1/c" && rmdir "$1/c" "$1" && exec sleep 1000' sh "$TMP/p" \
	</dev/null >/dev/null 2>&1 9>&- &
p=$!
pids+=($p)
for _ in $(seq 250); do [ "$(readlink /proc/$p/fd/5 2>/dev/null)" = "$TMP/p/c (deleted)" ] && [ ! -e "$TMP/p" ] &&
	[ "$(readlink /proc/$p/exe)" != "$(readlink -f /bin/sh)" ] && break; sleep 0.02; done
if [ "$(readlink /proc/$p/fd/5 2>/dev/null)" != "$TMP/p/c (deleted)" ]; then
	fail $t "the process holds no deleted directory at fd 5"
elif run 1 "$SUDCR" dump -t $p -D "$TMP/img" && one_error_line &&
     grep -qxF "sudcr: fd 5: $TMP/p/c (deleted directory whose parent directory is gone too) is not supported yet" <<<"$err" &&
     [ ! -e "$TMP/img/core.img" ] && kill -0 $p 2>/dev/null; then
	pass $t
else
	fail $t "status $status: $err"
fi
kill -9 $p 2>/dev/null

t=deleted_cwd_parent_gone_refused
sh -c 'mkdir "$1" "$1/c" && cd "$1/c" && rmdir "$1/c" "$1" && exec sleep 1000' sh "$TMP/q" \
	</dev/null >/dev/null 2>&1 9>&- &
p=$!
pids+=($p)
for _ in $(seq 250); do [ "$(readlink /proc/$p/cwd 2>/dev/null)" = "$TMP/q/c (deleted)" ] && [ ! -e "$TMP/q" ] &&
	[ "$(readlink /proc/$p/exe)" != "$(readlink -f /bin/sh)" ] && break; sleep 0.02; done
if [ "$(readlink /proc/$p/cwd 2>/dev/null)" != "$TMP/q/c (deleted)" ]; then
	fail $t "the process's cwd is not a removed directory: $(readlink /proc/$p/cwd)"
elif run 1 "$SUDCR" dump -t $p -D "$TMP/img2" && one_error_line &&
     grep -qxF "sudcr: process $p: its working directory $TMP/q/c was removed, and its parent too: not supported" <<<"$err" &&
     [ ! -e "$TMP/img2/core.img" ] && kill -0 $p 2>/dev/null; then
	pass $t
else
	fail $t "status $status: $err"
fi
kill -9 $p 2>/dev/null
finish
