# python3 -m http.server, a listening TCP socket with SO_REUSEADDR,
# dumped (killed) and restored with -d, answers again.  Before that, a
# dump with --leave-running leaves it answering, and a restore while
# another socket holds its port fails with one line (EADDRINUSE) and
# leaves no process.
. "$SRCDIR/tests/cli/lib.bash"

if ! command -v python3 >/dev/null; then
	skip http_server "python3 is not installed"
	finish
fi
wait_for() {
	for _ in $(seq 400); do "$@" && return 0; sleep 0.05; done
	return 1
}
gone() { ! [ -e "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
get() {
	python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:%s/page.txt" % sys.argv[1], timeout=5).read().decode())' "$PORT" 2>/dev/null
}
answers() { [ "$(get)" = "$WANT" ]; }

mkdir -p "$TMP/www"
WANT="page of $$"
echo "$WANT" >"$TMP/www/page.txt"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$TMP/www" </dev/null >"$TMP/http.log" 2>&1 &
sp=$!
pids+=("$sp")
if ! wait_for answers; then
	fail http_server "did not start: $(cat "$TMP/http.log")"
	finish
fi

if run 0 "$SUDCR" dump -t "$sp" -D "$TMP/img-leave" --leave-running && answers; then
	pass leave_running
else
	fail leave_running "status $status: $err; answers: $(get)"
fi

if ! run 0 "$SUDCR" dump -t "$sp" -D "$TMP/img"; then
	fail dump "status $status: $err"
	finish
fi
wait "$sp" 2>/dev/null
"$SUDCR" show -D "$TMP/img" >"$TMP/show" 2>&1
if grep -q "socket: TCP 127.0.0.1:$PORT LISTEN backlog [0-9]* options: SO_REUSEADDR=1" "$TMP/show"; then
	pass show
else
	fail show "$(grep -A1 inet-socket "$TMP/show")"
fi

# Another socket on the port: the restore must fail cleanly.
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); print("up", flush=True); time.sleep(1000)' "$PORT" \
	</dev/null >"$TMP/holder.out" 2>&1 &
hp=$!
pids+=("$hp")
if ! wait_for grep -q up "$TMP/holder.out"; then
	fail port_taken "the holder did not start: $(cat "$TMP/holder.out")"
elif run 1 "$SUDCR" restore -D "$TMP/img" -d && one_error_line && [[ $err == *"Address already in use"* ]] &&
	wait_for gone "$sp"; then
	pass port_taken
else
	fail port_taken "status $status: $err"
fi
kill "$hp"
wait "$hp" 2>/dev/null

if run 0 "$SUDCR" restore -D "$TMP/img" -d && wait_for answers; then
	pass restore
else
	fail restore "status $status: $err; answers: $(get)"
fi
kill "$sp" 2>/dev/null
wait_for gone "$sp"
finish
