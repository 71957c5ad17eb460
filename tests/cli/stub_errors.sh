# An error inside the new process before it is the image's (the stub) is
# reported by sudcr restore as one line of its own, even when the image's
# fd 2 is closed: here the working directory is gone at restore time.
# No process is left behind.
. "$SRCDIR/tests/cli/lib.bash"

t=stub_error_reported
dir=$TMP/cwd-that-goes
st=$TMP/status.stub
img=$TMP/img-stub
mkdir -p "$dir"
(cd "$dir" && exec "$TESTBIN/targets/sud_status" selector "$st" </dev/null >/dev/null 2>&- 9>&-) &
tp=$!
pids+=($tp)
for _ in $(seq 100); do [ -s "$st" ] && break; sleep 0.02; done
if ! run 0 "$SUDCR" dump -t $tp -D "$img"; then
	fail $t "dump exited $status: $err"
	finish
fi
wait $tp 2>/dev/null
rmdir "$dir"
if ! run 1 "$SUDCR" restore -D "$img" -d; then
	fail $t "restore with the cwd gone exited $status, expected 1: $err"
elif ! one_error_line || [[ $err != *"working directory $dir"* ]]; then
	fail $t "expected one line naming the working directory, got: $err"
elif [ -d /proc/$tp ]; then
	fail $t "PID $tp exists after the failed restore"
else
	pass "$t ($err)"
fi
finish
