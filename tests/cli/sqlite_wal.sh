# POSIX locks on mapped files, with the real sqlite3 (issue #13): sqlite3 in
# WAL mode inside a transaction holds POSIX locks on its -shm file, which
# it maps shared, and on the database.  Dumped (killed) and restored with
# -d, it holds the very same locks again (another client cannot write),
# and its COMMIT after the restore lands.
. "$SRCDIR/tests/cli/lib.bash"

t=sqlite3_wal_transaction_restored
if [ -f "$TESTBIN/sqlite3.skip" ]; then
	skip $t "$(cat "$TESTBIN/sqlite3.skip")"
	finish
elif ! command -v sqlite3 >/dev/null; then
	skip $t "no sqlite3 (tests/setup-sqlite3.sh did not run?)"
	finish
fi

# locks PID: the process's file locks as fdinfo shows them, one per line, sorted.
locks() { cat /proc/$1/fdinfo/* 2>/dev/null | sed -n 's/^lock:\t[0-9]*: //p' | sort; }

DB=$TMP/wal.db
sqlite3 "$DB" "PRAGMA journal_mode=wal; CREATE TABLE t(id INTEGER PRIMARY KEY, who TEXT);
	       INSERT INTO t VALUES(1, 'first');" >/dev/null
exec 7> >(exec sqlite3 "$DB" >"$TMP/sqlite.out" 2>&1 9>&-)
p=$!
pids+=($p)
printf "BEGIN;\nINSERT INTO t VALUES(2, 'a');\n" >&7
# The WAL write lock on the -shm file says the INSERT ran.
for _ in $(seq 250); do [ "$(locks $p | grep -c "POSIX  ADVISORY  WRITE")" -ge 1 ] && break; sleep 0.02; done
before=$(locks $p)
ino=$(readlink /proc/$p/fd/0 | tr -dc 0-9)
if ! grep -q "POSIX  ADVISORY  WRITE" <<<"$before" || ! grep -q -- "-shm$" <<<"$(grep " rw-s " /proc/$p/maps)"; then
	fail $t "sqlite3 $p holds no write lock or maps no -shm file: locks '$before'"
elif ! run 0 "$SUDCR" dump -t $p -D "$TMP/img"; then
	fail $t "dump: status $status: $err"
else
	wait $p 2>/dev/null
	if ! run 0 "$SUDCR" restore -D "$TMP/img" -d --inherit-fd "fd[7]:pipe:[$ino]"; then
		fail $t "restore: status $status: $err"
	elif [ "$(locks $p)" != "$before" ]; then
		fail $t "the locks after the restore: '$(locks $p)', before the dump: '$before'"
	elif out=$(sqlite3 "$DB" "INSERT INTO t VALUES(3, 'b');" 2>&1) || ! grep -q "database is locked" <<<"$out"; then
		fail $t "another client could write while the transaction is open: $out"
	else
		printf "COMMIT;\n" >&7
		for _ in $(seq 250); do
			rows=$(sqlite3 "$DB" "SELECT group_concat(id) FROM t;" 2>&1)
			[ "$rows" = "1,2" ] && break
			sleep 0.02
		done
		check=$(sqlite3 "$DB" "PRAGMA integrity_check;" 2>&1)
		if [ "$rows" != "1,2" ] || [ "$check" != ok ]; then
			fail $t "after COMMIT the table holds '$rows' (integrity: $check); sqlite3 said: $(cat "$TMP/sqlite.out")"
		elif [ -s "$TMP/sqlite.out" ]; then
			fail $t "sqlite3 said: $(cat "$TMP/sqlite.out")"
		else
			pass $t
		fi
	fi
fi
exec 7>&-
finish
