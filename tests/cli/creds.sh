# Credentials: processes started by setpriv with other uids, gids, groups,
# capability sets, securebits and no_new_privs come back with the same
# Uid/Gid/Groups/Cap*/NoNewPrivs lines in /proc/PID/status and the same
# securebits (PR_GET_SECUREBITS, asked inside with `sudcr syscall`).  A
# restorer that could not hold an image's credentials itself is refused
# before anything is created, and so is an image others could have changed.
. "$SRCDIR/tests/cli/lib.bash"

PR_GET_SECUREBITS=27
LINES='^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):'

# start_as SETPRIV-ARGS...: a sleep under setpriv; its PID in $tp.
start_as() {
	setpriv "$@" -- sleep 1000 </dev/null >/dev/null 2>&1 9>&- 251>&- &
	tp=$!
	pids+=($tp)
	# setpriv execs sleep: wait for that, so the dump sees the final state.
	for _ in $(seq 200); do
		[ "$(cat /proc/$tp/comm 2>/dev/null)" = sleep ] && return 0
		sleep 0.01
	done
	return 1
}

creds_of() {
	grep -E "$LINES" /proc/$1/status
	echo "securebits: $("$SUDCR" syscall $1 prctl $PR_GET_SECUREBITS 2>&1)"
}

# same_after_restore NAME SETPRIV-ARGS...  (restored by "${restore_as[@]}" sudcr)
restore_as=()
same_after_restore() {
	local t=$1 img=$TMP/img-$1 before after
	shift
	if ! start_as "$@"; then
		fail $t "setpriv $* did not start sleep"
		return
	fi
	before=$(creds_of $tp)
	if ! run 0 "$SUDCR" dump -t $tp -D "$img"; then
		fail $t "dump: status $status: $err"
		return
	fi
	wait $tp 2>/dev/null
	if ! run 0 "${restore_as[@]}" "$SUDCR" restore -D "$img" -d 9>&- 251>&-; then
		fail $t "restore: status $status: $err"
		return
	fi
	after=$(creds_of $tp)
	kill -9 $tp 2>/dev/null
	if [ "$before" = "$after" ]; then
		pass $t
	else
		fail $t "before: $(echo $before) / after: $(echo $after)"
	fi
}

same_after_restore creds_dropped_all --reuid 18943 --regid 18943 --clear-groups \
	--inh-caps=-all --bounding-set=-all --no-new-privs
same_after_restore creds_split_ids_groups --ruid 1001 --euid 1002 --rgid 1003 --egid 1004 \
	--groups 5,6,7
same_after_restore creds_ambient_kept --reuid 1005 --regid 1005 --clear-groups \
	--inh-caps +net_bind_service --ambient-caps +net_bind_service
# Root without CAP_SETPCAP restores (keep_caps instead of securebits).
restore_as=(setpriv --bounding-set -setpcap --)
same_after_restore creds_restorer_without_setpcap --bounding-set -setpcap --reuid 1001 --regid 1001 \
	--clear-groups --inh-caps +net_bind_service --ambient-caps +net_bind_service
restore_as=()
same_after_restore creds_root_securebits --securebits +no_setuid_fixup,+no_setuid_fixup_locked,+noroot_locked \
	--bounding-set -sys_module,-chown --inh-caps +kill --groups 0,44

t=show_credentials
if run 0 "$SUDCR" show -D "$TMP/img-creds_split_ids_groups" &&
   grep -q ": uid 1001/1002/1002/1002 gid 1003/1004/1004/1004 groups 5,6,7$" <<<"$out" &&
   run 0 "$SUDCR" show -D "$TMP/img-creds_split_ids_groups" --json &&
   grep -q '"creds":\[{"tid":[0-9]*,"uid":\[1001,1002,1002,1002\],"gid":\[1003,1004,1004,1004\],"groups":\[5,6,7\],' <<<"$out"; then
	pass $t
else
	fail $t "status $status: $out $err"
fi

# Hostile credentials records: with valid checksums (img_edit), each is
# refused by the restore's own validation, with one line, before anything
# is created.
if start_as --reuid 18943 --regid 18943 --clear-groups --inh-caps=-all --bounding-set=-all &&
   run 0 "$SUDCR" dump -t $tp -D "$TMP/base-img"; then
	wait $tp 2>/dev/null
	# NAME EXPECTED EDIT (img_edit words after DIR; + for a blank in both)
	while read -r name want edit; do
		t=hostile_creds_$name
		rm -rf "$TMP/h-img"
		cp -a "$TMP/base-img" "$TMP/h-img"
		read -ra words <<<"${edit//+/ }"
		"$TESTBIN/targets/img_edit" "$TMP/h-img" "${words[@]}" || { fail $t "img_edit $edit failed"; continue; }
		if run 1 "$SUDCR" restore -D "$TMP/h-img" -d && one_error_line && grep -q -- "${want//+/ }" <<<"$err" &&
		   ! kill -0 $tp 2>/dev/null; then
			pass $t
		else
			fail $t "status $status: $err"
		fi
	done <<-'EOF'
	effective_outside_permitted effective+or+ambient+capabilities+outside set+creds+0+cap_eff+1
	ambient_outside_permitted effective+or+ambient+capabilities+outside set+creds+0+cap_amb+0x400
	unknown_capability capabilities+this+kernel+does+not+know set+creds+0+cap_bnd+0x4000000000000000
	groups_past_the_end credentials+record+of set+creds+0+nr_groups+1000
	unknown_securebits securebits+0x10000 set+creds+0+securebits+0x10000
	no_new_privs_2 no_new_privs+2 set+creds+0+no_new_privs+2
	unknown_thread credentials+of+unknown+or+repeated+thread+99999 set+creds+0+tid+99999
	missing lack+their+credentials+record hide+creds+0
	EOF
else
	fail hostile_creds "dump: status $status: $err"
fi

# An image of a root process, which others may read (not write): only the
# credentials check can refuse it.  Under /tmp, with a copy of sudcr, so
# that uid 1000 can reach both.
t=creds_nonroot_restores_root_image
PUB=$(mktemp -d /tmp/sudcr-creds.XXXXXX)
trap 'cleanup; rm -rf "$PUB"' EXIT
chmod 0755 "$PUB"
cp "$SUDCR" "$PUB/sudcr"
if start_as --reuid 0 && run 0 "$SUDCR" dump -t $tp -D "$PUB/img"; then
	wait $tp 2>/dev/null
	chmod 0755 "$PUB/img"
	chmod 0644 "$PUB/img"/*
	if run 1 setpriv --reuid 1000 --regid 1000 --clear-groups -- "$PUB/sudcr" restore -D "$PUB/img" -d &&
	   one_error_line && grep -q "runs as uid 0/0/0/0; you are uid 1000/1000/1000 without CAP_SETUID" <<<"$err" &&
	   ! kill -0 $tp 2>/dev/null; then
		pass $t
	else
		fail $t "status $status: $err"
	fi
	mv "$PUB/img" "$TMP/root-img"
else
	fail $t "dump: status $status: $err"
fi

t=creds_root_without_a_capability
# As root with CAP_NET_BIND_SERVICE dropped from the bounding set, which
# execve of sudcr then drops from its permitted set too.
if run 1 setpriv --bounding-set -net_bind_service -- "$SUDCR" restore -D "$TMP/root-img" -d &&
   one_error_line && grep -q "holds capabilities you do not have" <<<"$err" && ! kill -0 $tp 2>/dev/null; then
	pass $t
else
	fail $t "status $status: $err"
fi

kill -9 $tp 2>/dev/null	# in case a check above let a restore through
t=image_dir_writable_by_others
chmod 0777 "$TMP/root-img"
if run 1 "$SUDCR" restore -D "$TMP/root-img" -d && one_error_line &&
   grep -q "root-img: writable by group or others (mode 0777): refusing" <<<"$err" &&
   run 1 "$SUDCR" show -D "$TMP/root-img" && one_error_line && ! kill -0 $tp 2>/dev/null; then
	pass $t
else
	fail $t "status $status: $err"
fi
chmod 0700 "$TMP/root-img"

t=image_file_group_writable
chmod 0620 "$TMP/root-img/pages-0.img"
if run 1 "$SUDCR" restore -D "$TMP/root-img" -d && one_error_line &&
   grep -q "pages-0.img: writable by group or others (mode 0620)" <<<"$err"; then
	pass $t
else
	fail $t "status $status: $err"
fi
chmod 0600 "$TMP/root-img/pages-0.img"

t=image_file_of_another_uid
chown 1000 "$TMP/root-img/core.img"
if run 1 "$SUDCR" restore -D "$TMP/root-img" -d && one_error_line &&
   grep -q "core.img: owned by uid 1000, not by you (uid 0) or root" <<<"$err"; then
	pass $t
else
	fail $t "status $status: $err"
fi
chown 0 "$TMP/root-img/core.img"

t=image_restores_once_trusted
if run 0 "$SUDCR" restore -D "$TMP/root-img" -d 9>&- 251>&- && kill -0 $tp 2>/dev/null; then
	pass $t
else
	fail $t "status $status: $err"
fi
kill -9 $tp 2>/dev/null

# Item 7: hard links and symlinks planted at every temporary name the
# writer has used (.core.img.tmp, .pages-K.img.tmp) are left as they are:
# nothing is written through them, nothing chmod'ed.
t=planted_links_untouched
V=$TMP/victim
printf 'victim data\n' >"$V"
chmod 0644 "$V"
mkdir -m 0700 "$TMP/planted"
ln "$V" "$TMP/planted/.core.img.tmp"
for k in 0 1 2 3; do ln "$V" "$TMP/planted/.pages-$k.img.tmp"; done
for k in 4 5 6 7; do ln -s "$V" "$TMP/planted/.pages-$k.img.tmp"; done
ino=$(stat -c %i "$V")
if start_as --reuid 0 && run 0 "$SUDCR" dump -t $tp -D "$TMP/planted"; then
	wait $tp 2>/dev/null
	why=
	[ "$(cat "$V")" = "victim data" ] || why="victim written through: $(head -c 40 "$V" | od -c | head -2)"
	[ "$(stat -c '%a %h %s' "$V")" = "644 6 12" ] || why="$why victim is now $(stat -c '%a %h %s' "$V")"
	for n in .core.img.tmp .pages-{0,1,2,3}.img.tmp; do
		[ "$(stat -c %i "$TMP/planted/$n")" = "$ino" ] || why="$why $n replaced"
	done
	for k in 4 5 6 7; do
		[ "$(readlink "$TMP/planted/.pages-$k.img.tmp")" = "$V" ] || why="$why symlink $k gone"
	done
	if [ -z "$why" ] && run 0 "$SUDCR" restore -D "$TMP/planted" -d 9>&- 251>&- && kill -0 $tp 2>/dev/null; then
		pass $t
	else
		fail $t "${why:-restore: status $status: $err}"
	fi
	kill -9 $tp 2>/dev/null
else
	fail $t "dump with planted links: status $status: $err"
fi

# The same where the file system has no O_TMPFILE (a seccomp filter makes
# it fail as such a file system does): the planted entries are removed,
# what they point to is not touched.
t=planted_links_untouched_without_o_tmpfile
V2=$TMP/victim2
printf 'victim data\n' >"$V2"
chmod 0644 "$V2"
mkdir -m 0700 "$TMP/planted2"
ln "$V2" "$TMP/planted2/.core.img.tmp"
for k in 0 1; do ln "$V2" "$TMP/planted2/.pages-$k.img.tmp"; done
for k in 2 3; do ln -s "$V2" "$TMP/planted2/.pages-$k.img.tmp"; done
if start_as --reuid 0 && run 0 "$TESTBIN/targets/no_tmpfile" "$SUDCR" dump -t $tp -D "$TMP/planted2"; then
	wait $tp 2>/dev/null
	why=
	[ "$(cat "$V2")" = "victim data" ] || why="victim written through: $(head -c 16 "$V2" | od -c | head -1)"
	[ "$(stat -c '%a %s' "$V2")" = "644 12" ] || why="$why victim is now $(stat -c '%a %s' "$V2")"
	if [ -z "$why" ] && run 0 "$SUDCR" restore -D "$TMP/planted2" -d 9>&- 251>&- && kill -0 $tp 2>/dev/null; then
		pass $t
	else
		fail $t "${why:-restore: status $status: $err}"
	fi
	kill -9 $tp 2>/dev/null
else
	fail $t "dump with planted links, no O_TMPFILE: status $status: $err"
fi

# A dump into a directory others can write would make an image the restore
# refuses: refused at once, the process left running.
t=dump_into_dir_others_can_write
mkdir -m 0777 "$TMP/open"
if start_as --reuid 0 && run 1 "$SUDCR" dump -t $tp -D "$TMP/open" && one_error_line &&
   grep -q "open: writable by group or others: others could change an image there" <<<"$err" &&
   kill -0 $tp 2>/dev/null && [ -z "$(ls -A "$TMP/open")" ]; then
	pass $t
else
	fail $t "status $status: $err"
fi
kill -9 $tp 2>/dev/null
finish
