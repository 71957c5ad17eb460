# redis-server on a TCP port and on a unix socket (installed by
# tests/setup-servers.sh), dumped (killed) and restored with -d, answers
# on both with a key set before the dump still there; its socket file
# keeps its mode.
. "$SRCDIR/tests/cli/lib.bash"

for p in redis-server redis-cli; do
	if ! command -v $p >/dev/null; then
		skip redis "$p is not installed: $(cat "$TESTBIN/servers.skip" 2>/dev/null || echo "run make test as root with apt-get")"
		finish
	fi
done
wait_for() {
	for _ in $(seq 400); do "$@" && return 0; sleep 0.05; done
	return 1
}
gone() { ! [ -e "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
cli() { timeout 10 redis-cli -h 127.0.0.1 -p "$PORT" "$@" 2>&1; }
ucli() { timeout 10 redis-cli -s "$TMP/redis.sock" "$@" 2>&1; }
# Only its two listening sockets left: the connections of redis-cli are closed on its side too.
one_socket() { [ "$(ls -l "/proc/$rp/fd" 2>/dev/null | grep -c 'socket:')" = 2 ]; }

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$TMP" \
	--unixsocket "$TMP/redis.sock" --unixsocketperm 710 \
	</dev/null >"$TMP/redis.log" 2>&1 &
rp=$!
pids+=("$rp")
if ! wait_for eval '[ "$(cli ping)" = PONG ]'; then
	fail redis "did not start: $(cat "$TMP/redis.log")"
	finish
fi
VAL="value of $$"
if [ "$(cli set key "$VAL")" != OK ] || ! wait_for one_socket; then
	fail redis "set: $(cli set key "$VAL")"
	finish
fi
if ! run 0 "$SUDCR" dump -t "$rp" -D "$TMP/img"; then
	fail dump "status $status: $err"
	finish
fi
wait "$rp" 2>/dev/null
if run 0 "$SUDCR" restore -D "$TMP/img" -d && wait_for eval '[ "$(cli get key)" = "$VAL" ]' &&
   [ "$(cli set key2 x)" = OK ] && [ "$(cli get key2)" = x ]; then
	pass redis_tcp
else
	fail redis_tcp "status $status: $err; get: $(cli get key)"
fi
if [ "$(ucli get key)" = "$VAL" ] && [ "$(ucli get key2)" = x ] &&
   [ "$(stat -c %a "$TMP/redis.sock")" = 710 ]; then
	pass redis_unix
else
	fail redis_unix "get: $(ucli get key); mode $(stat -c %a "$TMP/redis.sock")"
fi
kill "$rp" 2>/dev/null
wait_for gone "$rp"
finish
