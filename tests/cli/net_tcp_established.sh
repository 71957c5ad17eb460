# Established TCP connections (--tcp-established, issue #11): a server
# (tests/targets/tcp_server) whose client is another process holding the
# connection open.  Dumped (killed) and restored with -d, the server
# answers on the same connection, in order: the request queued unread in
# its receive queue at the dump, the one the client sent while it was
# gone (held by the network lock, an nftables table), and a new one; the
# 512 KiB it had queued to send and not sent arrive whole.  Around that:
# without the option the dump and the restore are refused with one line;
# the lock exists exactly while the image holds the connection; show
# prints the connection and the lock; a dump that fails once the lock is
# taken (a userfaultfd it cannot dump) and one with --leave-running leave
# no lock and a connection that goes on working; an IPv6 connection and an
# IPv4 one on a dual-stack socket (v4-mapped: locked as IPv4) come back;
# so do a connection whose two ends are both the server's (self), and one
# held by a child of a forking server, dumped as a tree (fork); 1001 bytes
# the client got but whose ACKs the test dropped (sent and not
# acknowledged: in the image's send queue, sent again, not read twice).
# Last,
# redis-server (dump -t): a client's GET and INCR sent while it is gone are
# answered after the restore on the same connection, with the key set and
# the counter as before.
. "$SRCDIR/tests/cli/lib.bash"

PATH=$PATH:/usr/sbin:/sbin
if ! command -v python3 >/dev/null; then
	skip tcp_established "python3 is not installed"
	finish
fi
sh "$SRCDIR/tests/setup-nftables.sh" "$TESTBIN" >&2
if ! [ -e "$TESTBIN/nftables.ok" ]; then
	skip tcp_established "$(cat "$TESTBIN/nftables.skip" 2>/dev/null)"
	finish
fi
wait_for() {
	for _ in $(seq 600); do "$@" && return 0; sleep 0.05; done
	return 1
}
gone() { ! [ -e "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
# The network lock tables of a dump of PID $1.
locks() { nft list tables 2>/dev/null | grep -c "^table inet sudcr_$1_"; }
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# server NAME PORT [MODE]: started, ready; its PID in $sp
servers=()
server() {
	"$TESTBIN/targets/tcp_server" "$2" $3 </dev/null >"$TMP/$1.log" 2>&1 9>&- 251>&- &
	sp=$!
	pids+=("$sp")
	servers+=("$sp")
	wait_for grep -qs ready "$TMP/$1.log"
}

# The client: python3, one connection for all of it; steps by files in $TMP.
cat >"$TMP/client.py" <<'PY'
import os, socket, sys, time
port, tag, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
six = len(sys.argv) > 4 and sys.argv[4] == "v6"
tmp = os.environ["TMP"]
def mark(name): open(os.path.join(tmp, tag + "." + name), "w").close()
def wait(name):
    for _ in range(600):
        if os.path.exists(os.path.join(tmp, tag + "." + name)): return
        time.sleep(0.05)
    sys.exit("FAIL: no %s.%s" % (tag, name))
def expect(f, want):
    got = f.readline()
    if got != want: sys.exit("FAIL: got %r, want %r" % (got, want))
s = socket.socket(socket.AF_INET6 if six else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
s.connect(("::1" if six else "127.0.0.1", port))
s.settimeout(25)
f = s.makefile("rb")
s.sendall(b"REQ 1\n"); expect(f, b"ANS 1 1\n")
if mode == "queues":
    K = 524288
    # Not read until after the restore: most of it waits in the server's send queue.
    s.sendall(b"BLOB %d\n" % K)
    # Unread by the server, paused, at the dump: in its receive queue.
    s.sendall(b"PAUSE 4\n")
    time.sleep(0.3)
    s.sendall(b"REQ 2\n")
    time.sleep(0.2)
    mark("queued"); wait("dumped")
    # The server is gone: the lock holds this one.
    s.sendall(b"REQ 3\n")
    mark("sent"); wait("restored")
    blob = f.read(K + 1)
    if blob != bytes(ord("a") + i % 26 for i in range(K)) + b"\n":
        sys.exit("FAIL: the server's queued bytes came back otherwise (%d bytes)" % len(blob))
    expect(f, b"ANS 2 2\n"); expect(f, b"ANS 3 3\n")
    s.sendall(b"REQ 4\n"); expect(f, b"ANS 4 4\n")
elif mode == "unacked":
    # Sent by the server once the test drops what this end sends (its ACKs).
    s.sendall(b"PAUSE 1\nBLOB 1000\n")
    with open(os.path.join(tmp, tag + ".port"), "w") as p: p.write("%d\n" % s.getsockname()[1])
    mark("ready")
    blob = f.read(1001)
    if blob != bytes(ord("a") + i % 26 for i in range(1000)) + b"\n":
        sys.exit("FAIL: the blob: %r" % blob[:40])
    mark("got"); wait("go")
    # Its bytes come again after the restore (never acknowledged): not twice in the stream.
    s.sendall(b"REQ 2\n"); expect(f, b"ANS 2 2\n")
else:
    mark("ready"); wait("go")
    s.sendall(b"REQ 2\n"); expect(f, b"ANS 2 2\n")
print("PASS: same connection")
PY
export TMP
# client TAG MODE [v6]: the python client on $PORT, its PID in $cp.
client() {
	python3 "$TMP/client.py" "$PORT" "$@" >"$TMP/$1.out" 2>&1 &
	cp=$!
	pids+=("$cp")
}
# Whether client TAG ($cp) ended well, on the same connection.
client_passed() { wait "$cp" && grep -q "PASS: same connection" "$TMP/$1.out"; }
# A lock a failed check left (a failed restore keeps it, as it should) goes with the test.
unlock_all() {
	for p in "${servers[@]}"; do
		for t in $(nft list tables 2>/dev/null | grep -o "sudcr_${p}_[0-9a-z]*"); do
			nft delete table inet "$t"
		done
	done
	cleanup
}
trap unlock_all EXIT

# ---- the Done-when case ----
PORT=$(free_port)
if ! server srv "$PORT"; then
	fail tcp_established "the server did not start: $(cat "$TMP/srv.log")"
	finish
fi
client a queues
if ! wait_for test -e "$TMP/a.queued"; then
	fail tcp_established "the client did not get going: $(cat "$TMP/a.out")"
	finish
fi
if run 1 "$SUDCR" dump -p "$sp" -D "$TMP/img-no" 9>&- && one_error_line &&
	[[ $err == *"ESTABLISHED"*"--tcp-established"* ]] && [ "$(locks "$sp")" = 0 ] && ! gone "$sp"; then
	pass dump_refused_without_option
else
	fail dump_refused_without_option "status $status: $err"
fi
if run 0 "$SUDCR" dump -p "$sp" -D "$TMP/img" --tcp-established 9>&- && wait_for gone "$sp"; then
	pass dump
else
	fail dump "status $status: $err"
	finish
fi
if [ "$(locks "$sp")" = 1 ]; then
	pass lock_held
else
	fail lock_held "$(nft list tables 2>&1)"
fi
touch "$TMP/a.dumped"
wait_for test -e "$TMP/a.sent"
sleep 0.5
"$SUDCR" show -D "$TMP/img" >"$TMP/show" 2>&1
if grep -q "socket: TCP 127.0.0.1:$PORT -> 127.0.0.1:[0-9]* ESTABLISHED" "$TMP/show" &&
	grep -q "tcp: seq snd [0-9]* rcv [0-9]*, queued to send [1-9][0-9]* (unsent [0-9]*), to read [1-9]" "$TMP/show" &&
	grep -q "^network lock:" "$TMP/show" && grep -q "held until the restore, 1 connection" "$TMP/show" &&
	grep -q "^    127.0.0.1:$PORT -> 127.0.0.1:" "$TMP/show"; then
	pass show
else
	fail show "$(grep -A2 -e inet-socket -e 'network lock' "$TMP/show")"
fi
# Hostile INET_TCP and NETLOCK records (img_edit keeps the checksums
# valid): refused by the validation with one line, no process, the lock
# left.  rec_inet_tcp: unsent_len at 20, mss at 28.
while read -r name want edit; do
	rm -rf "$TMP/h-img"
	cp -a "$TMP/img" "$TMP/h-img"
	read -ra words <<<"${edit//+/ }"
	if ! "$TESTBIN/targets/img_edit" "$TMP/h-img" "${words[@]}" >/dev/null; then
		fail "hostile_$name" "img_edit $edit failed"
	elif run 1 "$SUDCR" restore -D "$TMP/h-img" -d --tcp-established && one_error_line &&
		[[ $err == *"${want//+/ }"* ]] && gone "$sp" && [ "$(locks "$sp")" = 1 ]; then
		pass "hostile_$name"
	else
		fail "hostile_$name" "status $status: $err"
	fi
done <<-'EOF'
	mss_zero bad+MSS poke+123+0+28+0+4
	unsent more+unsent+bytes+than+queued poke+123+0+20+4294967295+4
	tcp_missing no+inet+TCP+record del+123+0
	tcp_twice or+one+already dup+123+0
	lock_name bad+table+name poke+124+0+0+65+1
	lock_length network+lock:+bad+length len+124+0+41
EOF
if run 1 "$SUDCR" restore -D "$TMP/img" -d && one_error_line && [[ $err == *"--tcp-established"* ]] &&
	gone "$sp" && [ "$(locks "$sp")" = 1 ]; then
	pass restore_refused_without_option
else
	fail restore_refused_without_option "status $status: $err"
fi
if run 0 "$SUDCR" restore -D "$TMP/img" -d --tcp-established && [ "$(locks "$sp")" = 0 ]; then
	pass restore
else
	fail restore "status $status: $err; locks: $(locks "$sp")"
fi
touch "$TMP/a.restored"
if client_passed a; then
	pass same_connection
else
	fail same_connection "$(cat "$TMP/a.out")"
fi
kill "$sp" 2>/dev/null
wait_for gone "$sp"

# ---- a dump that fails once the lock is taken, and one with --leave-running;
# IPv6, and IPv4 on a dual-stack socket (v4-mapped), dumped and restored ----
for c in failed leave v6 dual self fork; do
	PORT=$(free_port)
	mode=$c
	[ $c = failed ] && mode=uffd
	[ $c = leave ] && mode=
	if ! server "srv-$c" "$PORT" $mode; then
		skip "$c" "the server did not start: $(cat "$TMP/srv-$c.log")"
		continue
	fi
	client "$c" once $([ $c = v6 ] && echo v6)
	wait_for test -e "$TMP/$c.ready"
	if [ $c = failed ]; then
		# -v -v: the lock's debug line says it was taken before the refusal.
		run 1 "$SUDCR" dump -p "$sp" -D "$TMP/img-$c" --tcp-established -v -v 9>&- &&
			[[ $err == *"network lock sudcr_$sp"* && $err == *"userfaultfd"* ]]
	elif [ $c = leave ]; then
		run 0 "$SUDCR" dump -p "$sp" -D "$TMP/img-$c" --tcp-established --leave-running 9>&-
	else
		# fork: the tree, the connection is its child's (whose lock it is).
		holder=$sp
		[ $c = fork ] && holder=$(cat "/proc/$sp/task/$sp/children" 2>/dev/null | tr -d ' ')
		servers+=("$holder")
		run 0 "$SUDCR" dump $([ $c = fork ] && echo -t || echo -p) "$sp" -D "$TMP/img-$c" \
			--tcp-established 9>&- && wait_for gone "$sp" && [ "$(locks "$holder")" = 1 ] &&
			{ [ $c = fork ] || "$SUDCR" show -D "$TMP/img-$c" |
				grep -q "^    $([ $c = v6 ] && echo '\[::1\]' || echo 127.0.0.1):$PORT -> "; } &&
			run 0 "$SUDCR" restore -D "$TMP/img-$c" -d --tcp-established
	fi
	ok=$?
	touch "$TMP/$c.go"
	wait "$cp"
	cs=$?
	case $c in failed|leave) name=dump_${c}_leaves_no_lock ;; *) name=restore_$c ;; esac
	if [ $ok = 0 ] && [ $cs = 0 ] && ! gone "$sp" && [ "$(locks "$sp")" = 0 ] &&
		grep -q "PASS: same connection" "$TMP/$c.out"; then
		pass "$name"
	else
		fail "$name" "status $status: $(printf '%s\n' "$err" | grep -v debug | head -3); locks: $(locks "$sp"); client: $(cat "$TMP/$c.out")"
	fi
	kill "$sp" 2>/dev/null
	wait_for gone "$sp"
done

# ---- a lock whose image will not be restored: listed, lifted ----
PORT=$(free_port)
if server srv-abandon "$PORT"; then
	client abandon once
	wait_for test -e "$TMP/abandon.ready"
	if run 0 "$SUDCR" dump -p "$sp" -D "$TMP/img-abandon" --tcp-established 9>&- && wait_for gone "$sp" &&
		run 0 "$SUDCR" netlock --list && grep -q "^inet sudcr_${sp}_" <<<"$out" &&
		run 0 "$SUDCR" netlock --lift -D "$TMP/img-abandon" && [ "$(locks "$sp")" = 0 ] &&
		run 0 "$SUDCR" netlock --list && ! grep -q "sudcr_${sp}_" <<<"$out" &&
		run 1 "$SUDCR" netlock --lift -D "$TMP/img-abandon" && one_error_line &&
		run 1 "$SUDCR" netlock --lift --table "not_ours" && one_error_line; then
		pass netlock_list_lift
	else
		fail netlock_list_lift "status $status: $err; $out; locks: $(locks "$sp")"
	fi
	touch "$TMP/abandon.go"
	kill "$cp" 2>/dev/null
	wait "$cp" 2>/dev/null
else
	fail netlock_list_lift "the server did not start"
fi

# ---- data the peer got but whose ACKs never came: sent and not acknowledged ----
PORT=$(free_port)
if server srv-unacked "$PORT"; then
	client unacked unacked
	wait_for test -e "$TMP/unacked.ready"
	cport=$(cat "$TMP/unacked.port")
	# Not a sudcr_ table: the client's packets to the server (its ACKs) dropped.
	drop=sudcrtest_$$
	nft -f - <<-NFT
	table inet $drop {
		chain out { type filter hook output priority -300; policy accept;
			ip saddr 127.0.0.1 tcp sport $cport ip daddr 127.0.0.1 tcp dport $PORT drop
		}
	}
	NFT
	wait_for test -e "$TMP/unacked.got"
	sleep 0.2
	if run 0 "$SUDCR" dump -p "$sp" -D "$TMP/img-unacked" --tcp-established 9>&- && wait_for gone "$sp" &&
		"$SUDCR" show -D "$TMP/img-unacked" | grep -q "queued to send 1001 (unsent 0)" &&
		nft delete table inet "$drop" && run 0 "$SUDCR" restore -D "$TMP/img-unacked" -d --tcp-established; then
		touch "$TMP/unacked.go"
		wait "$cp"
		if [ $? = 0 ] && grep -q "PASS: same connection" "$TMP/unacked.out" && [ "$(locks "$sp")" = 0 ]; then
			pass restore_unacked
		else
			fail restore_unacked "client: $(cat "$TMP/unacked.out")"
		fi
	else
		fail restore_unacked "status $status: $err; $("$SUDCR" show -D "$TMP/img-unacked" 2>&1 | grep 'tcp:')"
		touch "$TMP/unacked.go"
	fi
	nft delete table inet "$drop" 2>/dev/null
	kill "$sp" 2>/dev/null
	wait_for gone "$sp"
else
	fail restore_unacked "the server did not start"
fi

# ---- sudcr killed (SIGKILL, tests/dieat.c) once the lock is taken and the
# socket read: the process, let go, would have a lock holding its peer;
# the guard sudcr left lifts it, and the connection goes on (its socket
# is out of repair mode: sockets are in it only to be read, and from
# right before the kill) ----
DIEAT=$TESTBIN/sudcr-dieat
PORT=$(free_port)
if [ -x "$DIEAT" ] && server srv-killed "$PORT"; then
	client killed once
	wait_for test -e "$TMP/killed.ready"
	SUDCR_DIE_AFTER_PROGRAM=1 "$DIEAT" dump -p "$sp" -D "$TMP/img-killed" --tcp-established 9>&- \
		2>"$TMP/killed.err"
	st=$?
	wait_for eval '[ "$(locks "$sp")" = 0 ]'
	touch "$TMP/killed.go"
	wait "$cp"
	cs=$?
	if [ $st = 137 ] && grep -q "dying after a program" "$TMP/killed.err" && ! gone "$sp" &&
		[ "$(locks "$sp")" = 0 ] && [ $cs = 0 ] && grep -q "PASS: same connection" "$TMP/killed.out"; then
		pass killed_sudcr_guard
	else
		fail killed_sudcr_guard "status $st ($(tail -1 "$TMP/killed.err")); locks: $(locks "$sp"); alive: $(gone "$sp" && echo no || echo yes); client: $(cat "$TMP/killed.out")"
	fi
	kill "$sp" 2>/dev/null
	wait_for gone "$sp"
else
	fail killed_sudcr_guard "no $DIEAT, or the server did not start"
fi

# ---- redis-server (tests/setup-servers.sh) with a client holding its connection ----
if ! command -v redis-server >/dev/null; then
	skip redis_same_connection "redis-server is not installed: $(cat "$TESTBIN/servers.skip" 2>/dev/null)"
	finish
fi
cat >"$TMP/redis_client.py" <<'PY'
import os, socket, sys, time
port, tmp = int(sys.argv[1]), os.environ["TMP"]
def wait(name):
    for _ in range(600):
        if os.path.exists(os.path.join(tmp, name)): return
        time.sleep(0.05)
    sys.exit("FAIL: no " + name)
def cmd(*args):
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
s = socket.create_connection(("127.0.0.1", port))
s.settimeout(25)
f = s.makefile("rb")
def expect(want):
    got = f.readline()
    if got != want: sys.exit("FAIL: got %r, want %r" % (got, want))
s.sendall(cmd(b"SET", b"k", b"before the dump")); expect(b"+OK\r\n")
s.sendall(cmd(b"INCR", b"n")); expect(b":1\r\n")
open(os.path.join(tmp, "redis.ready"), "w").close(); wait("redis.dumped")
# The server is gone: held by the lock, answered after the restore.
s.sendall(cmd(b"GET", b"k") + cmd(b"INCR", b"n"))
open(os.path.join(tmp, "redis.sent"), "w").close(); wait("redis.restored")
expect(b"$15\r\n"); expect(b"before the dump\r\n"); expect(b":2\r\n")
s.sendall(cmd(b"INCR", b"n")); expect(b":3\r\n")
print("PASS: same connection")
PY
PORT=$(free_port)
redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$TMP" \
	</dev/null >"$TMP/redis.log" 2>&1 9>&- 251>&- &
sp=$!
pids+=("$sp")
servers+=("$sp")
if ! wait_for eval 'python3 -c "import socket; socket.create_connection((\"127.0.0.1\", $PORT)).close()" 2>/dev/null'; then
	fail redis_same_connection "redis-server did not start: $(cat "$TMP/redis.log")"
	finish
fi
python3 "$TMP/redis_client.py" "$PORT" >"$TMP/redis.out" 2>&1 &
cp=$!
pids+=("$cp")
wait_for test -e "$TMP/redis.ready"
if run 0 "$SUDCR" dump -t "$sp" -D "$TMP/img-redis" --tcp-established 9>&- && wait_for gone "$sp" &&
	[ "$(locks "$sp")" = 1 ]; then
	touch "$TMP/redis.dumped"
	wait_for test -e "$TMP/redis.sent"
	sleep 0.5
	if run 0 "$SUDCR" restore -D "$TMP/img-redis" -d --tcp-established && [ "$(locks "$sp")" = 0 ]; then
		touch "$TMP/redis.restored"
		wait "$cp"
		if [ $? = 0 ] && grep -q "PASS: same connection" "$TMP/redis.out"; then
			pass redis_same_connection
		else
			fail redis_same_connection "client: $(cat "$TMP/redis.out")"
		fi
	else
		fail redis_same_connection "restore: status $status: $err"
	fi
else
	fail redis_same_connection "dump: status $status: $err; locks: $(locks "$sp")"
fi
kill "$sp" 2>/dev/null
wait_for gone "$sp"
finish
