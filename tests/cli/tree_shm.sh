# Memory shared across a tree (issue #10): a parent with 16 MiB of shared
# memory (anonymous, then a memfd with no fd left) and 4 children that
# wrote into every page of it, so every page is in all 5 page tables; then
# 16 MiB of private memory the parent filled before forking the 4 children,
# which only read it: every page shared copy-on-write by all 5.
#  - dump -t --leave-running stores its pages once: the tree's page files
#    hold less than 1.5 times 16 MiB (5 copies before), and the tree still
#    checks ok; show counts the children's 4 mappings of the parent's object;
#  - restored (-d) from that image, every process maps one object again:
#    each sees the others' writes, and /proc/PID/smaps of each shows the
#    16 MiB as shared (Shared_*) with a Pss of a fifth of it (the private
#    memory comes back shared copy-on-write: one physical page each);
#  - the dump --leave-running itself leaves the private memory shared;
#  - hostile images: a copy-on-write run outside its mapping, a shared
#    memory record naming a later process's mapping or a mapping its image
#    does not have: each restore fails with one line, no process left.
. "$SRCDIR/tests/cli/lib.bash"

MIB=16
N=4

wait_word() {	# FILE WORD: until FILE says WORD
	for _ in $(seq 400); do
		[ "$(cat "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
# Ask the tree to check itself: its parent answers in FILE.
ask() {	# PID FILE
	rm -f "$2"
	kill -USR1 "$1" && wait_word "$2" ok
}
page_bytes() {	# DIR: the bytes of every page file of a tree image
	find "$1" -name 'pages-*.img' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'
}
# KIB_RSS KIB_PSS KIB_SHARED of the mapping of PID that starts with the shared memory's line pattern.
mapping_kib() {	# PID PATTERN
	awk -v pat="$2" '
		/^[0-9a-f]+-[0-9a-f]+ / { f = ($0 ~ pat) }
		f && /^Rss:/ { r += $2 }
		f && /^Pss:/ { p += $2 }
		f && /^Shared_(Clean|Dirty):/ { s += $2 }
		END { print r + 0, p + 0, s + 0 }' "/proc/$1/smaps"
}

for kind in anon memfd private; do
	st=$TMP/st-$kind
	img=$TMP/img-$kind
	pat=$([ $kind = anon ] && echo '/dev/zero' || echo '/memfd:tree_shm_fill')
	rm -rf "$img" "$st"
	"$TESTBIN/targets/tree_shm_fill" $kind $MIB $N "$st" </dev/null >/dev/null 2>&1 9>&- &
	par=$!
	pids+=($par)
	t=tree_shm_${kind}_stored_once
	if ! wait_word "$st" ready; then
		fail $t "the tree did not get ready"
		continue
	fi
	kids=$(cat /proc/$par/task/$par/children)
	pids+=($kids)
	[ $kind = private ] && pat="^$(cat "$st.addr")-"
	shared_kib() {	# every process's Pss of the memory, and whether all of it is shared
		for p in $par $kids; do
			read -r rss pss shared <<<"$(mapping_kib $p "$pat")"
			# Every page in all 5 processes: a Pss of a fifth, all of it shared.
			if [ "$rss" -ne $((MIB * 1024)) ] || [ "$shared" -ne $((MIB * 1024)) ] ||
			   [ "$pss" -gt $((MIB * 1024 / (N + 1) + 64)) ]; then
				echo -n " process $p: Rss $rss Pss $pss Shared $shared kB;"
			fi
		done
	}
	if run 0 "$SUDCR" dump -t $par -D "$img" --leave-running && bytes=$(page_bytes "$img") &&
	   [ "$bytes" -lt $((MIB * 1024 * 1024 * 3 / 2)) ] && [ "$bytes" -ge $((MIB * 1024 * 1024)) ] &&
	   ask $par "$st" && run 0 "$SUDCR" show -D "$img" &&
	   { [ $kind = private ] || grep -q "mappings of an earlier process's memory object: $N\$" <<<"$out"; } &&
	   why=$(shared_kib) && [ -z "$why" ]; then
		pass $t
	else
		fail $t "status $status: $err; page files $bytes bytes for $MIB MiB; $(cat "$st" 2>&1); $why"
	fi
	for p in $par $kids; do kill -9 $p 2>/dev/null; done
	wait $par 2>/dev/null
	for p in $par $kids; do wait_gone $p; done

	t=tree_shm_${kind}_shared_after_restore
	why=
	if run 0 "$SUDCR" restore -D "$img" -d && ask $par "$st" &&
	   [ "$(cat /proc/$par/task/$par/children)" = "$kids" ]; then
		why=$(shared_kib)
	else
		why="status $status: $err; $(cat "$st" 2>&1)"
	fi
	if [ -z "$why" ]; then
		pass $t
	else
		fail $t "$why"
	fi
	for p in $par $kids; do kill -9 $p 2>/dev/null; done
	for p in $par $kids; do wait_gone $p; done
	eval "pids_$kind=\"$par $kids\""
done

# NAME KIND TEXT EDIT...: restore of a copy of KIND's image edited by img_edit EDIT fails saying TEXT.
hostile() {
	local t=$1 kind=$2 text=$3 h=$TMP/img-hostile left=
	shift 3
	rm -rf "$h"
	cp -r "$TMP/img-$kind" "$h"
	if ! "$TESTBIN/targets/img_edit" "$h" "$@" >/dev/null; then
		fail $t "img_edit $*"
		return
	fi
	run 1 "$SUDCR" restore -D "$h" -d
	for p in $(eval echo "\$pids_$kind"); do [ -e /proc/$p ] && left="$left $p"; done
	if one_error_line && grep -q -- "$text" <<<"$err" && [ -z "$left" ]; then
		pass $t
	else
		fail $t "status $status: $err; left:$left"
		for p in $left; do kill -9 $p 2>/dev/null; done
	fi
}
# rec_tree_cow: pid, nr_runs, start, end, then runs (start, end) from byte 24.
hostile tree_cow_run_outside_refused private "copy-on-write record for" poke 111 0 32 0x7ffffffff000 8
# rec_tree_shm: pid, peer, start, peer_start (16), peer_end (24), peer_fd (32).
hostile tree_shm_peer_mapping_missing_refused memfd "which its image does not have" poke 110 0 16 0x1000 8
last_memfd=$(echo $pids_memfd | awk '{ print $NF }')
hostile tree_shm_peer_later_refused memfd "bad shared memory record" poke 110 0 4 $last_memfd 4
finish
