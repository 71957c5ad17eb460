# A hard limit above sudcr restore's own cannot be raised without
# CAP_SYS_RESOURCE: the restore keeps sudcr's hard limit (and the soft
# limit under it) and says so in one warning naming each such limit.
# Every other limit comes back exactly.
. "$SRCDIR/tests/cli/lib.bash"

# "NAME: SOFT HARD" per limit (the kernel's columns: 25 + 1, 20 + 1, 20).
limits() {
	awk 'NR > 1 { n = substr($0, 1, 25); sub(/ +$/, "", n); s = substr($0, 27, 20); h = substr($0, 48, 20)
		      sub(/ +$/, "", s); sub(/ +$/, "", h); print n ": " s " " h }' "/proc/$1/limits"
}

t=rlimit_hard_limit_lowered
prlimit --core=unlimited:unlimited --nofile=777:4096 -- sleep 1000 </dev/null >/dev/null 2>&1 9>&- &
p=$!
pids+=($p)
sleep 0.2
before=$(limits $p)
if ! grep -qx "Max core file size: unlimited unlimited" <<<"$before"; then
	skip $t "cannot give the target an unlimited core limit here: $(grep core <<<"$before")"
elif ! run 0 "$SUDCR" dump -t $p -D "$TMP/img"; then
	fail $t "dump: status $status: $err"
else
	wait $p 2>/dev/null
	if run 0 prlimit --core=0:0 -- "$SUDCR" restore -D "$TMP/img" -d &&
	   grep -q "^sudcr: warning: hard limits lowered to sudcr's own (raising them needs CAP_SYS_RESOURCE): RLIMIT_CORE unlimited -> 0$" <<<"$err" &&
	   after=$(limits $p) && grep -qx "Max core file size: 0 0" <<<"$after" &&
	   [ "$(grep -v "core file" <<<"$before")" = "$(grep -v "core file" <<<"$after")" ] &&
	   grep -qx "Max open files: 777 4096" <<<"$after"; then
		pass $t
	else
		fail $t "status $status: $err; after: $(limits $p 2>&1)"
	fi
fi
finish
