# nginx, a master and two workers (installed by tests/setup-nginx.sh),
# with its own configuration in the scratch directory: the listener on
# 127.0.0.1 that the workers inherit, the socket-pair channels between
# the master and each worker (O_ASYNC, owned by the master), epoll and
# eventfd in each worker, the zone of shared memory they all map.  Dumped
# (killed) and restored with -d, it serves the same file, is the same
# tree (the master the parent of both workers), and a reload (SIGHUP)
# through the restored channels gives it two new workers that serve it
# too.
. "$SRCDIR/tests/cli/lib.bash"

[ -f "$TESTBIN/nginx.ok" ] || sh "$SRCDIR/tests/setup-nginx.sh" "$TESTBIN" >/dev/null
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if ! [ -f "$TESTBIN/nginx.ok" ] || ! [ -x "$NGINX" ]; then
	skip nginx "$(cat "$TESTBIN/nginx.skip" 2>/dev/null || echo "nginx is not installed")"
	finish
fi
wait_for() {
	for _ in $(seq 400); do "$@" && return 0; sleep 0.05; done
	return 1
}
gone() { ! [ -e "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
get() {
	python3 -c 'import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode(), end="")
except Exception as e:
    print("error:", e)' "http://127.0.0.1:$PORT/index.html" 2>&1
}
workers() { cat "/proc/$np/task/$np/children" 2>/dev/null; }
two_workers() { [ "$(workers | wc -w)" = 2 ]; }

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$TMP/www" "$TMP/logs"
BODY="served by nginx for $$"
echo "$BODY" > "$TMP/www/index.html"
cat > "$TMP/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 2;
user root;
pid $TMP/nginx.pid;
error_log $TMP/logs/error.log;
events { worker_connections 64; }
http {
	access_log $TMP/logs/access.log;
	client_body_temp_path $TMP/body;
	proxy_temp_path $TMP/proxy;
	fastcgi_temp_path $TMP/fastcgi;
	uwsgi_temp_path $TMP/uwsgi;
	scgi_temp_path $TMP/scgi;
	server {
		listen 127.0.0.1:$PORT;
		root $TMP/www;
	}
}
CONF
"$NGINX" -p "$TMP" -e "$TMP/logs/error.log" -c "$TMP/nginx.conf" </dev/null >"$TMP/nginx.out" 2>&1 9>&- &
np=$!
pids+=("$np")
if ! wait_for eval '[ "$(get)" = "$BODY" ]' || ! wait_for two_workers; then
	fail nginx "did not start: $(cat "$TMP/nginx.out" "$TMP/logs/error.log" 2>/dev/null)"
	finish
fi
before=$(workers | tr '\n' ' ')
# shellcheck disable=SC2206
pids+=($before)
if ! run 0 "$SUDCR" dump -t "$np" -D "$TMP/img"; then
	fail dump "status $status: $err"
	finish
fi
wait "$np" 2>/dev/null
for w in $before; do wait_for gone "$w"; done
if run 0 "$SUDCR" restore -D "$TMP/img" -d && wait_for eval '[ "$(get)" = "$BODY" ]'; then
	pass nginx_serves
else
	fail nginx_serves "status $status: $err; got: $(get)"
fi
if [ "$(workers | tr '\n' ' ')" = "$before" ]; then
	pass nginx_tree
else
	fail nginx_tree "the master's children are '$(workers | tr '\n' ' ')', were '$before'"
fi
kill -HUP "$np" 2>/dev/null
if wait_for eval 'two_workers && [ "$(workers | tr "\n" " ")" != "$before" ]' &&
   wait_for eval '[ "$(get)" = "$BODY" ]'; then
	pass nginx_reload
else
	fail nginx_reload "workers '$(workers | tr '\n' ' ')' (were '$before'); got: $(get); $(tail -3 "$TMP/logs/error.log")"
fi
# shellcheck disable=SC2207
pids+=($(workers))
kill -QUIT "$np" 2>/dev/null
wait_for gone "$np" || kill -9 "$np" 2>/dev/null
finish
