# Hostile INET records (tests/progs/net_tcp_listen's image, edited with
# valid checksums by img_edit): each is refused by the restore's own
# validation with one line, before any process is made; the image as
# dumped restores and passes.
. "$SRCDIR/tests/cli/lib.bash"

wait_for() {
	for _ in $(seq 400); do "$@" && return 0; sleep 0.05; done
	return 1
}

P=$TESTBIN/progs/net_tcp_listen
mkfifo "$TMP/in"
# stdout a pipe: --shell-job gives the restored process the restorer's.
mkfifo "$TMP/out.fifo" "$TMP/out2.fifo"
cat "$TMP/out.fifo" >"$TMP/out" &
pids+=($!)
"$P" <"$TMP/in" >"$TMP/out.fifo" 2>"$TMP/err" &
tp=$!
pids+=("$tp")
exec 8>"$TMP/in"
if ! wait_for grep -q READY "$TMP/out" || ! run 0 "$SUDCR" dump -t "$tp" -D "$TMP/img" --shell-job; then
	fail dump "status $status: $err; $(cat "$TMP/out" "$TMP/err")"
	finish
fi
wait "$tp" 2>/dev/null

# NAME EXPECTED EDIT (img_edit words after DIR; + for a blank in both).
# rec_inet: family at 4, state 16, flags 76, nr_filter 84; the options
# from 88, 48 bytes each: level, name at +4, len at +8.
while read -r name want edit; do
	t=hostile_inet_$name
	rm -rf "$TMP/h-img"
	cp -a "$TMP/img" "$TMP/h-img"
	read -ra words <<<"${edit//+/ }"
	"$TESTBIN/targets/img_edit" "$TMP/h-img" "${words[@]}" || { fail $t "img_edit $edit failed"; continue; }
	if run 1 "$SUDCR" restore -D "$TMP/h-img" -d --shell-job && one_error_line &&
	   grep -q -- "${want//+/ }" <<<"$err" && ! kill -0 "$tp" 2>/dev/null; then
		pass $t
	else
		fail $t "status $status: $err"
	fi
done <<-'EOF'
family not+a+TCP+or+UDP+socket poke+120+0+4+3+4
close_wait_tcp a+state+that+cannot+be+restored poke+120+0+16+8+4
unknown_option an+option+sudcr+does+not+restore poke+120+0+92+26+4
option_length an+option+sudcr+does+not+restore poke+120+0+96+8+4
option_twice an+option+twice poke+120+0+140+2+4
filter_length bad+length poke+120+0+84+5000+4
not_bound an+address+but+not+bound poke+120+0+76+0+4
missing no+inet+socket+record hide+120+0
EOF

exec 8>&-
rm -f "$TMP/in"
mkfifo "$TMP/in"
cat "$TMP/out2.fifo" >"$TMP/out2" &
pids+=($!)
"$SUDCR" restore -D "$TMP/img" --shell-job <"$TMP/in" >"$TMP/out2.fifo" 2>"$TMP/rerr" &
rp=$!
pids+=("$rp")
exec 8>"$TMP/in"
echo go >&8
exec 8>&-
wait "$rp"
st=$?
if [ "$st" = 0 ] && wait_for grep -q '^PASS$' "$TMP/out2"; then
	pass restore_as_dumped
else
	fail restore_as_dumped "status $st: $(cat "$TMP/out2" "$TMP/rerr")"
fi
finish
