# What the dump refuses of TCP and UDP sockets, each in one line that
# says why (tests/progs/neg_*: an established connection, named with the
# flag it needs; a connection queued and not accepted, named by its peer;
# a connection that has ended; a pending socket error; a unix socket
# connection waiting to be accepted), and each program
# goes on as it was (its queue, its error, its EOF still there: it
# passes its own checks after the failed dump).
. "$SRCDIR/tests/cli/lib.bash"

wait_for() {
	for _ in $(seq 400); do "$@" && return 0; sleep 0.05; done
	return 1
}

# $1 program, $2 and $3: what the error line must contain.
refused() {
	local name=$1 in=$TMP/$1.in p
	mkfifo "$in"
	"$TESTBIN/progs/$name" <"$in" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	p=$!
	pids+=("$p")
	exec 8>"$in"
	if ! wait_for grep -q READY "$TMP/$name.out"; then
		fail "$name" "not ready: $(cat "$TMP/$name.out" "$TMP/$name.err")"
	elif run 1 "$SUDCR" dump -t "$p" -D "$TMP/img-$name" --shell-job && one_error_line &&
		[[ $err == *"$2"* && $err == *"$3"* ]]; then
		pass "$name"
	else
		fail "$name" "status $status: $err"
	fi
	echo go >&8
	exec 8>&-
	wait "$p"
	local st=$?
	if [ "$st" = 0 ] && grep -q '^PASS$' "$TMP/$name.out"; then
		pass "$name after"
	else
		fail "$name after" "status $st: $(cat "$TMP/$name.out" "$TMP/$name.err")"
	fi
}

refused neg_tcp_socket "ESTABLISHED" "--tcp-established"
refused neg_tcp_queued "1 connections are queued and not accepted yet (from 127.0.0.1:" "--tcp-established"
refused neg_tcp_ended "connection has ended" "TCP 127.0.0.1:"
refused neg_udp_error "a socket error is pending (SO_ERROR)" "UDP 127.0.0.1:"
refused neg_unix_pending "1 connections wait to be accepted" "p.sock"
finish
