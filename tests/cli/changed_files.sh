# Files changed behind the image (lib/kinds/changed.c): a file the process
# had open for writing, locked or mapped (its program, its libraries) that
# changed between dump and restore refuses the restore, one line naming
# it, no process left; --allow-changed-files restores with one warning
# naming it; a file open only for reading is warned of.  And the lost
# update of issue #13 with the real sqlite3: refused, the database left as
# the other client left it.
. "$SRCDIR/tests/cli/lib.bash"

# dump_it NAME PID: dump (kill) PID into $TMP/NAME, wait for it to be gone.
dump_it() {
	rm -rf "$TMP/$1"
	run 0 "$SUDCR" dump -t "$2" -D "$TMP/$1" || { fail "$1" "dump: status $status: $err"; return 1; }
	wait "$2" 2>/dev/null
	return 0
}

# exec_done PID: until PID has run its exec (so its redirections are made): the
# dump of a shell still forking would see neither the program nor its fds.
exec_done() {
	local sh
	sh=$(readlink /proc/$$/exe)
	for _ in $(seq 250); do
		[ -e "/proc/$1/exe" ] && [ "$(readlink "/proc/$1/exe")" != "$sh" ] && return 0
		sleep 0.02
	done
	return 1
}

# refused NAME IMG PID TEXT [OPTION...]: restore of IMG fails with one line holding TEXT, PID not there.
refused() {
	if run 1 "$SUDCR" restore -D "$TMP/$2" -d "${@:5}" && one_error_line && grep -qF -- "$4" <<<"$err" &&
	   ! kill -0 "$3" 2>/dev/null; then
		return 0
	fi
	fail "$1" "status $status, stderr: $err"
	return 1
}

# Rewrite the first 5 bytes of FILE in place: same size, same inode.
scribble() { printf 'XXXXX' | dd of="$1" conv=notrunc status=none; }

# ---- a file open for writing, changed in place (same size) ----
F=$TMP/written
printf 'hello world\n' > "$F"
sleep 1000 5<>"$F" </dev/null >/dev/null 2>&1 9>&- &
p=$!
exec_done $p
pids+=($p)
t=written_file_changed_refused
if dump_it img_w $p; then
	scribble "$F"
	refused $t img_w $p "cannot restore: $F changed since the dump (modified, same size) and the process had it open for writing (--allow-changed-files restores it anyway)" &&
		{ [ "$(cat "$F")" = "XXXXX world" ] && pass $t || fail $t "the file is now '$(cat "$F")'"; }
fi

t=written_file_changed_allowed
if ! run 0 "$SUDCR" restore -D "$TMP/img_w" -d --allow-changed-files; then
	fail $t "status $status: $err"
elif [ "$(grep -c "$F" <<<"$err")" != 1 ] ||
     ! grep -qF "warning: $F changed since the dump (modified, same size) and the process had it open for writing: restored anyway (--allow-changed-files)" <<<"$err"; then
	fail $t "not one warning naming $F: $err"
elif ! kill -0 $p 2>/dev/null || [ "$(readlink /proc/$p/fd/5)" != "$F" ]; then
	fail $t "process $p not back with fd 5 on $F"
else
	pass $t
fi
kill -9 $p 2>/dev/null

# ---- a file open only for reading: warned of, restored ----
F=$TMP/read
printf 'hello world\n' > "$F"
sleep 1000 5<"$F" </dev/null >/dev/null 2>&1 9>&- &
p=$!
exec_done $p
pids+=($p)
t=read_file_changed_warned
if dump_it img_r $p; then
	scribble "$F"
	if run 0 "$SUDCR" restore -D "$TMP/img_r" -d && kill -0 $p 2>/dev/null &&
	   [ "$(grep -c "$F" <<<"$err")" = 1 ] &&
	   grep -qF "warning: $F changed since the dump (modified, same size); the process had it open for reading" <<<"$err"; then
		pass $t
	else
		fail $t "status $status: $err"
	fi
fi
kill -9 $p 2>/dev/null

# ---- a lock through an fd open for reading: refused ----
F=$TMP/locked
printf 'hello world\n' > "$F"
sh -c 'flock -s 5 && exec sleep 1000' 5<"$F" </dev/null >/dev/null 2>&1 9>&- &
p=$!
pids+=($p)
for _ in $(seq 250); do grep -q "^lock:" /proc/$p/fdinfo/5 2>/dev/null && [ "$(readlink /proc/$p/exe)" != "$(readlink -f /bin/sh)" ] && break; sleep 0.02; done
t=locked_file_changed_refused
if ! grep -q "^lock:.*FLOCK" /proc/$p/fdinfo/5 2>/dev/null; then
	fail $t "the process holds no flock on fd 5"
elif dump_it img_l $p; then
	scribble "$F"
	refused $t img_l $p "cannot restore: $F changed since the dump (modified, same size) and the process held a lock on it" &&
		pass $t
fi
kill -9 $p 2>/dev/null

# ---- its program, rewritten in place ----
X=$TMP/prog
cp "$(command -v sleep)" "$X"
"$X" 1000 </dev/null >/dev/null 2>&1 9>&- &
p=$!
exec_done $p
pids+=($p)
t=program_changed_refused
for _ in $(seq 250); do [ "$(readlink /proc/$p/exe)" = "$X" ] && break; sleep 0.02; done
if dump_it img_x $p; then
	size=$(stat -c %s "$X")
	printf '\0' | dd of="$X" bs=1 seek=$((size - 1)) conv=notrunc status=none
	refused $t img_x $p "cannot restore: $X changed since the dump (modified, same size) and the process mapped it as code" &&
		pass $t
fi

# ---- a library replaced by another file at its path (same contents, another inode) ----
L=$TMP/lib
mkdir -p "$L"
libc=$(ldd "$(command -v sleep)" | awk '/libc\.so/ { print $3 }')
cp "$libc" "$L/"
lib=$L/$(basename "$libc")
LD_LIBRARY_PATH=$L sleep 1000 </dev/null >/dev/null 2>&1 9>&- &
p=$!
exec_done $p
pids+=($p)
t=library_replaced_refused
for _ in $(seq 250); do grep -qF "$lib" /proc/$p/maps 2>/dev/null && break; sleep 0.02; done
if ! grep -qF "$lib" /proc/$p/maps; then
	fail $t "sleep does not map $lib"
elif dump_it img_lib $p; then
	cp "$lib" "$lib.new" && mv "$lib.new" "$lib"
	refused $t img_lib $p "cannot restore: $lib changed since the dump (another file at its path:" &&
		pass $t
fi

# ---- a path mounted over (another mount of the same filesystem) since the file was opened ----
t=mounted_over_refused
M=$TMP/mnt
mkdir -p "$M" "$TMP/other"
printf 'first\n' > "$M/file"
printf 'other\n' > "$TMP/other/file"
sleep 1000 5<"$M/file" </dev/null >/dev/null 2>&1 9>&- &
p=$!
exec_done $p
pids+=($p)
for _ in $(seq 250); do [ "$(readlink /proc/$p/fd/5 2>/dev/null)" = "$M/file" ] && break; sleep 0.02; done
if ! mount --bind "$TMP/other" "$M" 2>"$TMP/mount.err"; then
	skip $t "cannot bind-mount here: $(head -1 "$TMP/mount.err")"
else
	run 1 "$SUDCR" dump -t $p -D "$TMP/img_m"
	umount "$M" || umount -l "$M"
	if [ "$status" = 1 ] && one_error_line &&
	   grep -qE "^sudcr: cannot dump fd 5 \($M/file\): opened through mount [0-9]+, but that path now leads through mount [0-9]+ \(mounted over\?\): the restore would open it there$" <<<"$err" &&
	   [ ! -e "$TMP/img_m/core.img" ] && kill -0 $p 2>/dev/null; then
		pass $t
	else
		fail $t "status $status: $err"
	fi
fi
kill -9 $p 2>/dev/null

# ---- the lost update of issue #13, with the real sqlite3 ----
t=sqlite3_lost_update_refused
if [ -f "$TESTBIN/sqlite3.skip" ]; then
	skip $t "$(cat "$TESTBIN/sqlite3.skip")"
elif ! command -v sqlite3 >/dev/null; then
	skip $t "no sqlite3 (tests/setup-sqlite3.sh did not run?)"
else
	DB=$TMP/lost.db
	sqlite3 "$DB" "PRAGMA journal_mode=memory; CREATE TABLE t(id INTEGER PRIMARY KEY, who TEXT);
		       INSERT INTO t VALUES(1, 'first');" >/dev/null
	size0=$(stat -c %s "$DB")
	# Client A: a transaction left open, its row in its own page cache only.
	exec 7> >(exec sqlite3 "$DB" >/dev/null 2>&1 9>&-)
	p=$!
	pids+=($p)
	printf "PRAGMA journal_mode=memory;\nBEGIN;\nINSERT INTO t VALUES(2, 'a');\n" >&7
	# Its RESERVED lock (a POSIX write lock) says the INSERT ran.
	for _ in $(seq 250); do grep -q "^lock:.*POSIX.*WRITE" /proc/$p/fdinfo/* 2>/dev/null && break; sleep 0.02; done
	if ! grep -q "^lock:.*POSIX.*WRITE" /proc/$p/fdinfo/* 2>/dev/null; then
		fail $t "sqlite3 $p took no write lock: $(cat /proc/$p/fdinfo/* 2>/dev/null | grep lock:)"
	elif ino=$(readlink /proc/$p/fd/0 | tr -dc 0-9) && dump_it img_sql $p; then
		# Client B commits while A is in the image: A's locks went with it.
		if ! sqlite3 "$DB" "INSERT INTO t VALUES(3, 'b');"; then
			fail $t "the other client could not commit"
		elif [ "$(stat -c %s "$DB")" != "$size0" ]; then
			fail $t "the database changed size ($size0 -> $(stat -c %s "$DB")): not the same-size case of the issue"
		else
			refused $t img_sql $p "cannot restore: $DB changed since the dump (modified, same size) and the process held a lock on it" \
				--inherit-fd "fd[7]:pipe:[$ino]" &&
			{ rows=$(sqlite3 "$DB" "SELECT group_concat(id) FROM t; PRAGMA integrity_check;" | tr '\n' ' ')
			  [ "$rows" = "1,3 ok " ] && pass $t || fail $t "the database holds: $rows"; }
		fi
	fi
	exec 7>&-
fi

finish
