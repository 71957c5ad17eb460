# Netlink and packet sockets (lib/kinds/netlink.c, packet.c), from the
# images of tests/progs/net_netlink_route and net_packet: what `show`
# says of them (text and JSON); hostile NETLINK and PACKET records
# (edited with valid checksums by img_edit), each refused with one line
# and no process left; a port id held by another socket when the restore
# binds it, refused with one line; then each image as dumped restores and
# passes.
. "$SRCDIR/tests/cli/lib.bash"

wait_for() {
	for _ in $(seq 400); do "$@" && return 0; sleep 0.05; done
	return 1
}

# dump_prog NAME: start tests/progs/NAME, dump it (killed) into $TMP/NAME.img; its PID in $tp.
dump_prog() {
	local n=$1
	mkfifo "$TMP/$n.in" "$TMP/$n.fifo"
	cat "$TMP/$n.fifo" >"$TMP/$n.out" &
	pids+=($!)
	"$TESTBIN/progs/$n" <"$TMP/$n.in" >"$TMP/$n.fifo" 2>"$TMP/$n.err" 9>&- &
	tp=$!
	pids+=("$tp")
	exec 8>"$TMP/$n.in"
	if ! wait_for grep -q 'READY\|SKIP' "$TMP/$n.out"; then
		fail "$n" "not ready: $(cat "$TMP/$n.out" "$TMP/$n.err")"
		return 1
	fi
	if grep -q SKIP "$TMP/$n.out"; then
		skip "$n" "$(cat "$TMP/$n.out")"
		return 1
	fi
	if ! run 0 "$SUDCR" dump -t "$tp" -D "$TMP/$n.img" --shell-job; then
		fail "$n" "dump: status $status: $err"
		return 1
	fi
	exec 8>&-
	wait "$tp" 2>/dev/null
	return 0
}

# restore_prog NAME: the image as dumped restores, and the program passes.
restore_prog() {
	local n=$1 st
	rm -f "$TMP/$n.in"
	mkfifo "$TMP/$n.in" "$TMP/$n.fifo2"
	cat "$TMP/$n.fifo2" >"$TMP/$n.out2" &
	pids+=($!)
	"$SUDCR" restore -D "$TMP/$n.img" --shell-job <"$TMP/$n.in" >"$TMP/$n.fifo2" 2>"$TMP/$n.rerr" &
	rp=$!
	pids+=("$rp")
	exec 8>"$TMP/$n.in"
	echo go >&8
	exec 8>&-
	wait "$rp"
	st=$?
	if [ "$st" = 0 ] && wait_for grep -q '^PASS$' "$TMP/$n.out2"; then
		pass "${n}_restore_as_dumped"
	else
		fail "${n}_restore_as_dumped" "status $st: $(cat "$TMP/$n.out2" "$TMP/$n.rerr")"
	fi
}

# hostile IMG TYPE < NAME EXPECTED EDIT lines (img_edit words after DIR; + for a blank).
hostile() {
	local img=$1 kind=$2 name want edit words t
	while read -r name want edit; do
		t=hostile_${kind}_$name
		rm -rf "$TMP/h-img"
		cp -a "$img" "$TMP/h-img"
		read -ra words <<<"${edit//+/ }"
		"$TESTBIN/targets/img_edit" "$TMP/h-img" "${words[@]}" || { fail $t "img_edit $edit failed"; continue; }
		if run 1 "$SUDCR" restore -D "$TMP/h-img" -d --shell-job && one_error_line &&
		   grep -q -- "${want//+/ }" <<<"$err" && ! kill -0 "$tp" 2>/dev/null; then
			pass $t
		else
			fail $t "status $status: $err"
		fi
	done
}

if dump_prog net_netlink_route; then
	nl_pid=$tp
	if run 0 "$SUDCR" show -D "$TMP/net_netlink_route.img" &&
	   grep -q "netlink-socket" <<<"$out" &&
	   grep -q "socket: netlink route port $nl_pid raw groups 1,5,33 filter 1 insns options: SO_RCVBUF=[0-9]* NETLINK_NO_ENOBUFS=1 NETLINK_EXT_ACK=1 NETLINK_GET_STRICT_CHK=1" <<<"$out" &&
	   grep -q "socket: netlink route port -[0-9]* dgram options: NETLINK_BROADCAST_ERROR=1 NETLINK_LISTEN_ALL_NSID=1$" <<<"$out" &&
	   grep -q "socket: netlink route (unbound) raw$" <<<"$out" &&
	   grep -q "socket: netlink usersock port $((0x40000000 + nl_pid)) raw$" <<<"$out" &&
	   grep -q "socket: netlink usersock port $nl_pid raw connected to port $((0x40000000 + nl_pid)) group 0$" <<<"$out"; then
		pass show_netlink
	else
		fail show_netlink "$(grep -A1 netlink-socket <<<"$out")"
	fi
	if run 0 "$SUDCR" show --json -D "$TMP/net_netlink_route.img" &&
	   grep -q '"socket":{"socket":"netlink route port '"$nl_pid"'","protocol":0,"type":"raw","port":'"$nl_pid"',"peer_port":0,"peer_group":0,"filter":1,"filter_locked":false,"groups":\[1,5,33\],"options":{"SO_RCVBUF":[0-9]*,"NETLINK_NO_ENOBUFS":1,"NETLINK_EXT_ACK":1,"NETLINK_GET_STRICT_CHK":1}}' <<<"$out"; then
		pass show_netlink_json
	else
		fail show_netlink_json "$(grep -o '"socket":{"socket":"netlink[^}]*}' <<<"$out" | head -2)"
	fi

	# rec_netlink: type at 4, protocol 8, flags 12, portid 16, events 28, nr_groups 40.
	hostile "$TMP/net_netlink_route.img" netlink <<-'EOF2'
	protocol a+netlink+protocol+sudcr+does+not+restore poke+130+0+8+12+4
	type bad+type poke+130+0+4+1+4
	flags unknown+flags poke+130+0+12+9+4
	portid a+port+id+but+not+bound poke+130+0+16+0+4
	events bad+poll+events poke+130+0+28+5+4
	groups bad+length poke+130+0+40+2000+4
	missing no+netlink+socket+record hide+130+0
	EOF2

	# A port id held by another socket: the restore's bind says so, and nothing is left.
	"$TESTBIN/targets/nl_holder" 0 "$nl_pid" "$TMP/held" &
	hp=$!
	pids+=("$hp")
	if ! wait_for test -e "$TMP/held"; then
		fail netlink_port_taken "nl_holder did not bind port id $nl_pid"
	elif run 1 "$SUDCR" restore -D "$TMP/net_netlink_route.img" -d --shell-job && one_error_line &&
	     grep -q "bind: Address already in use (another socket holds the port id" <<<"$err" &&
	     ! kill -0 "$nl_pid" 2>/dev/null; then
		pass netlink_port_taken
	else
		fail netlink_port_taken "status $status: $err"
	fi
	kill "$hp" 2>/dev/null
	wait "$hp" 2>/dev/null
	restore_prog net_netlink_route
fi

if dump_prog net_packet; then
	if run 0 "$SUDCR" show -D "$TMP/net_packet.img" &&
	   grep -q "packet-socket" <<<"$out" &&
	   grep -q "socket: packet raw lo ETH_P 0x88b5 copy_thresh 128 allmulti lo x1 multicast lo x2 filter 4 insns options: PACKET_VERSION=1 PACKET_RESERVE=64 PACKET_AUXDATA=1 PACKET_ORIGDEV=1 PACKET_TIMESTAMP=16 PACKET_QDISC_BYPASS=1 PACKET_IGNORE_OUTGOING=1" <<<"$out" &&
	   grep -q "socket: packet dgram lo (no protocol) (not hooked) options: SO_RCVBUF=[0-9]*$" <<<"$out"; then
		pass show_packet
	else
		fail show_packet "$(grep -A1 packet-socket <<<"$out")"
	fi
	if run 0 "$SUDCR" show --json -D "$TMP/net_packet.img" &&
	   grep -q '"socket":{"socket":"packet raw lo ETH_P 0x88b5","protocol":34997,"ifindex":1,"copy_thresh":128,"diag_flags":7,"filter":4,"filter_locked":false,"memberships":\[{"device":"lo","type":"allmulti","count":1},{"device":"lo","type":"multicast","count":2}\],"options":{' <<<"$out"; then
		pass show_packet_json
	else
		fail show_packet_json "$(grep -o '"socket":{"socket":"packet[^]]*]' <<<"$out" | head -2)"
	fi

	# rec_packet: type at 4, num 12, events 24, pdi_flags 28, nr_mc 44, ifname 56.
	hostile "$TMP/net_packet.img" packet <<-'EOF2'
	type bad+type poke+131+0+4+1+4
	protocol bad+protocol+or+device poke+131+0+12+65536+4
	events bad+poll+events poke+131+0+24+1+4
	diag_flags unknown+packet_diag+flags poke+131+0+28+256+4
	memberships bad+length poke+131+0+44+300+4
	device device+xo+(index+1+at+the+dump)+is+gone poke+131+0+56+120+1
	missing no+packet+socket+record hide+131+0
	EOF2
	# A device name with a quote in it (an image's) is shown with '?': the JSON stays JSON.
	rm -rf "$TMP/h-img"
	cp -a "$TMP/net_packet.img" "$TMP/h-img"
	if "$TESTBIN/targets/img_edit" "$TMP/h-img" poke 131 0 56 34 1 &&
	   run 0 "$SUDCR" show --json -D "$TMP/h-img" &&
	   grep -q '"socket":{"socket":"packet raw ?o ETH_P 0x88b5"' <<<"$out"; then
		pass show_packet_quoted_name
	else
		fail show_packet_quoted_name "status $status: $(grep -o '"socket":{"socket":"packet[^,]*' <<<"$out")"
	fi
	restore_prog net_packet
fi
finish
