# Page data is written by one worker per CPU, each to its own page file:
# a process with 48 MiB gets as many page files as sudcr has CPUs (at most
# 8), which `sudcr show` lists and whose sizes add up to the pages stored,
# and the memory comes back intact; a process with 1 MiB gets one.
. "$SRCDIR/tests/cli/lib.bash"

cpus=$(nproc)
[ "$cpus" -gt 8 ] && cpus=8

# ask FILE PID: SIGUSR1, then wait for the verdict in FILE
ask() {
	: >"$1"
	kill -USR1 "$2"
	for _ in $(seq 200); do [ -s "$1" ] && break; sleep 0.02; done
	cat "$1"
}

for mib in 48 1; do
	t=page_files_${mib}m
	st=$TMP/fill.$mib
	img=$TMP/img-fill.$mib
	want=$([ $mib = 48 ] && echo $cpus || echo 1)
	"$TESTBIN/targets/mem_fill" $mib "$st" </dev/null >/dev/null 2>&1 9>&- &
	tp=$!
	pids+=($tp)
	for _ in $(seq 200); do [ -s "$st" ] && break; sleep 0.02; done
	if ! run 0 "$SUDCR" dump -t $tp -D "$img"; then
		fail $t "dump exited $status: $err"
		kill -9 $tp
		continue
	fi
	wait $tp 2>/dev/null
	if ! run 0 "$SUDCR" show -D "$img" --json; then
		fail $t "show exited $status: $err"
		continue
	fi
	files=$(sed -E 's/.*"page_files":\[([0-9,]*)\].*/\1/' <<<"$out")
	stored=$(sed -E 's/.*"pages_stored":([0-9]+).*/\1/' <<<"$out")
	nfiles=$(tr ',' '\n' <<<"$files" | grep -c .)
	sum=$(( ${files//,/+} ))
	on_disk=$(ls "$img" | grep -c '^pages-[0-9]*\.img$')
	if [ "$nfiles" != "$want" ] || [ "$on_disk" != "$want" ] || [ "$sum" != "$stored" ] ||
	   [ "$stored" -lt $((mib * 1024 * 1024 * 15 / 16)) ]; then
		fail $t "page files [$files] ($on_disk on disk), want $want holding $stored bytes"
		continue
	fi
	if ! run 0 "$SUDCR" restore -D "$img" -d; then
		fail $t "restore exited $status: $err"
		continue
	fi
	verdict=$(ask "$st" $tp)
	kill -9 $tp 2>/dev/null
	[ "$verdict" = ok ] && pass "$t ($nfiles page files: $files)" || fail $t "after restore: $verdict"
done

finish
