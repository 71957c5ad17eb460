# Hostile images: records with valid checksums and damaged contents, one
# for every check of every record validator (lengths, counts, offsets,
# overlaps, terminators, values).  Each restore must fail with one clear
# line naming what is wrong, and before anything exists: the image's
# process is still running when it is tried, so an image that got past
# validation would fail with "PID ... is taken" instead (the baseline
# case checks exactly that).  img_edit (tests/targets/img_edit.c) makes
# each change and then every checksum and count valid again.
. "$SRCDIR/tests/cli/lib.bash"

ED=$TESTBIN/targets/img_edit
mkdir -p "$TMP/t"
"$TESTBIN/targets/hostile_target" "$TMP/t" </dev/null >/dev/null 2>&1 &
tp=$!
pids+=($tp)
for _ in $(seq 200); do [ -s "$TMP/t/ready" ] && break; sleep 0.02; done
if ! run 0 "$SUDCR" dump -t $tp -D "$TMP/img" --leave-running; then
	fail hostile_dump "cannot dump the target: $err"
	finish
fi

t=hostile_baseline
if run 1 "$SUDCR" restore -D "$TMP/img" -d && one_error_line && grep -q "is taken" <<<"$err"; then
	pass $t
else
	fail $t "the undamaged image should fail only on its taken PID: exit $status, stderr '$err'"
fi

# Record numbers the cases need, found in the image rather than assumed.
first() { "$ED" "$TMP/img" first "$@"; }
V_MEMFD=$(first vma flags 0x400)
V_SHMEM=$(first vma flags 0x800)
V_VVAR=$(first vma flags 0x100)
V_VDSO=$(first vma flags 0x80)
V_FILE=$(first vma flags 0x4)
VP=$("$ED" "$TMP/img" off vma path0)	# where a mapping's path starts
F_REG=$("$ED" "$TMP/img" find fd kind 1)
F_DELETED=$("$ED" "$TMP/img" find fd kind 2)
F_PIPE=$("$ED" "$TMP/img" find fd kind 5)
F_EVENTFD=$("$ED" "$TMP/img" find fd kind 7)
F_MEMFD=$("$ED" "$TMP/img" find fd kind 8)
F_EPOLL=$("$ED" "$TMP/img" find fd kind 13)
for v in V_MEMFD V_SHMEM V_VVAR V_VDSO V_FILE F_REG F_DELETED F_PIPE F_EVENTFD F_MEMFD F_EPOLL; do
	if [ "${!v}" = -1 ]; then
		fail hostile_image "the target's image lacks the record for $v"
		finish
	fi
done

IMG=$TMP/img
IMG_PID=$tp
# hostile NAME EXPECTED EDIT... : each EDIT is one img_edit command line (words after DIR).
ncases=0
hostile() {
	local name=$1 want=$2 e words
	shift 2
	ncases=$((ncases + 1))
	rm -rf "$TMP/bad"
	cp -r "$IMG" "$TMP/bad"
	for e in "$@"; do
		read -ra words <<<"$e"	# split, but no globbing of FIELD[I]
		if ! "$ED" "$TMP/bad" "${words[@]}"; then
			fail "hostile_$name" "img_edit $e failed"
			return
		fi
	done
	if cmp -s "$TMP/bad/core.img" "$IMG/core.img"; then
		fail "hostile_$name" "the edit changed nothing"
		return
	fi
	if ! run 1 "$SUDCR" restore -D "$TMP/bad" -d; then
		fail "hostile_$name" "exit $status (want 1), stderr '$err'"
	elif ! one_error_line; then
		fail "hostile_$name" "not one error line: '$err'"
	elif grep -q "is taken" <<<"$err"; then
		fail "hostile_$name" "got past validation: '$err'"
	elif ! grep -qF -- "$want" <<<"$err"; then
		fail "hostile_$name" "want '$want' in '$err'"
	elif ! kill -0 $tp 2>/dev/null || ! kill -0 $IMG_PID 2>/dev/null; then
		fail "hostile_$name" "the running target is gone"
	else
		pass "hostile_$name"
	fi
}

# Container: a record type nobody knows, with a valid checksum.
hostile unknown_type "unknown record type 999" "type misc 0 999"

# process, thread, xstate, mm (restore.c)
hostile process_len "bad or repeated process record" "len process 0 32"
hostile process_twice "bad or repeated process record" "dup process 0"
hostile process_missing "lacks its process, mm or thread records" "del process 0"
hostile process_threads "inconsistent process record" "set process 0 nr_threads 2"
hostile process_pid "inconsistent process record" "set process 0 pid 0"
hostile process_arch "unknown architecture 7" "set process 0 arch 7"
hostile process_page_size "page size 8192" "set process 0 page_size 8192"
hostile thread_len "thread record of" "len thread 0 100"
hostile thread_twice "bad or repeated thread id" "dup thread 0" "set process 0 nr_threads 2"
hostile xstate_len_field "bad xstate record" "set xstate 0 len 17"
hostile xstate_too_short "bad xstate record" "len xstate 0 24" "set xstate 0 len 16"
hostile xstate_too_long "bad xstate record" "len xstate 0 20008" "set xstate 0 len 20000"
hostile xstate_missing "has no extended CPU state" "del xstate 0"
hostile xstate_twice "unknown or repeated thread" "dup xstate 0"
hostile xstate_thread "unknown or repeated thread 1" "set xstate 0 tid 1"
hostile mm_len "bad or repeated mm record" "len mm 0 100"
hostile mm_twice "bad or repeated mm record" "dup mm 0"
hostile mm_auxv_long "bad auxv length 66" "set mm 0 auxv_len 66"
hostile mm_auxv_odd "bad auxv length 3" "set mm 0 auxv_len 3"
hostile mm_exe_unterminated "executable path not terminated" "set mm 0 exe 0x41"
hostile mm_exe_relative "executable path not absolute" "set mm 0 exe[0] 0x61"
hostile mm_pad "non-zero padding in the mm record" "set mm 0 pad 1"

# vma, pages (restore/mm.c)
hostile vma_len "bad mapping record length" "len vma 0 50"
hostile vma_path_len "bad mapping record length" "set vma 0 path_len 9"
hostile vma_empty "bad mapping" "set vma 0 end 0"
hostile vma_pgoff_unaligned "bad mapping" "set vma 0 pgoff 1"
hostile vma_prot "bad mapping" "set vma 0 prot 8"
hostile vma_flags_unknown "unknown flags 0x8000" "set vma 0 flags 0x8002"
hostile vma_order "out of order" "move vma 0"
hostile vma_overlap "overlap" "dup vma 0"
hostile vma_file_relative "without an absolute path" "set vma $V_FILE path0 0x78"
hostile vma_path_nul "NUL in its path" "set vma $V_FILE path[1] 0"
hostile vma_memfd_short "memfd without a" "len vma $V_MEMFD $((VP + 3))" "set vma $V_MEMFD path_len 3"
hostile vma_memfd_prefix "memfd without a" "set vma $V_MEMFD path[1] 0x4e"
hostile vma_memfd_long "memfd without a" "len vma $V_MEMFD $((VP + 300)) 0x61" "set vma $V_MEMFD path_len 300"
hostile vma_pgoff_wraps "out of range" "set vma $V_MEMFD pgoff 0xfffffffffffff000"
hostile vma_shmem_huge "out of range" "set vma $V_SHMEM pgoff 0x800000000000"
hostile vma_two_specials "more than one of vvar" "set vma $V_VDSO flags 0x180"
hostile vma_two_vdso "two vdso mappings" "set vma $V_VVAR flags 0x80"
hostile vma_no_vdso "no [vdso] mapping" "set vma $V_VDSO flags 0x2"
hostile pages_len "bad pages record length" "len pages 0 24"
hostile pages_none "bad page range" "set pages 0 nr_pages 0"
hostile pages_wrap "bad page range" "set pages 0 nr_pages 0x10000000000000"
hostile pages_unaligned "bad page range" "set pages 0 vaddr 0x1001"
hostile pages_outside "outside any mapping" "set pages 0 vaddr 0x1000"
hostile pages_file "page file 5" "set pages 0 file 5"
hostile pages_offset "outside the page data" "set pages 0 offset 0x100000000"
hostile pages_offset_header "outside the page data" "set pages 0 offset 0"
hostile pages_offset_unaligned "not page-aligned" "set pages 0 offset 4097"
hostile pages_twice "twice" "dup pages 0"

t=hostile_page_file_truncated
rm -rf "$TMP/bad" && cp -r "$TMP/img" "$TMP/bad"
truncate -s -4096 "$TMP/bad/pages-0.img"
if run 1 "$SUDCR" restore -D "$TMP/bad" -d && one_error_line && grep -q "does not match the header" <<<"$err"; then
	pass $t
else
	fail $t "exit $status, stderr '$err'"
fi

# sigaction, sigaltstack, sigpending (restore/signals.c)
hostile sigaction_len "signal action record of" "len sigaction 0 8"
hostile sigaction_signo "cannot have one" "set sigaction 0 signo 9"
hostile sigaction_signo_big "cannot have one" "set sigaction 0 signo 65"
hostile sigaction_pad "non-zero padding" "set sigaction 0 pad 1"
hostile sigaction_twice "second action" "dup sigaction 0"
hostile sigaction_flags "unknown action flags" "set sigaction 0 flags 0x80000000000"
hostile sigaction_mask "SIGKILL or SIGSTOP" "set sigaction 0 mask 0x100"
hostile sigaltstack_len "alternate stack record of" "len sigaltstack 0 8"
hostile sigaltstack_thread "not in the image" "set sigaltstack 0 tid 1"
hostile sigaltstack_twice "second alternate stack" "dup sigaltstack 0"
hostile sigaltstack_flags "alternate stack flags" "set sigaltstack 0 flags 7"
hostile sigaltstack_wraps "alternate stack 0x" "set sigaltstack 0 sp 0xfffffffffffff000"
hostile sigpending_len "pending signal record of" "len sigpending 0 8"
hostile sigpending_pad "non-zero padding" "set sigpending 0 pad 1"
hostile sigpending_thread "not in the image" "set sigpending 0 tid 1"
hostile sigpending_sigkill "cannot be queued" "set sigpending 0 si_signo 9"
hostile sigpending_signo_big "cannot be queued" "set sigpending 0 si_signo 99"

# fd, file_data, timerfd, epoll, unix, unix_queue, lock (restore/files.c, unix.c, locks.c)
hostile fd_len "bad fd record length" "len fd 0 200"
hostile fd_path_len "bad fd record length" "set fd 0 path_len 100000"
hostile fd_path_nul "bad path in fd record" "set fd $F_REG path0 0"
hostile fd_range "out of range" "set fd 0 fd 100000000"
hostile fd_negative "out of range" "set fd 0 fd -1"
hostile fd_order "out of order" "move fd 0"
hostile fd_kind "unknown kind 99" "set fd 0 kind 99"
hostile fd_flags "unknown flags" "set fd 0 flags 0x80000000"
hostile fd_fd_flags "unknown flags" "set fd 0 fd_flags 2"
hostile fd_desc "bad description or object" "set fd 0 desc 1000"
hostile fd_inherit "bad inherited fd" "set fd 0 inherit_fd 5"
hostile fd_eventfd_xflags "bad eventfd state" "set fd $F_EVENTFD xflags 2"
hostile fd_eventfd_count "bad eventfd state" "set fd $F_EVENTFD count 0xffffffffffffffff"
hostile fd_pipe_size "bad pipe size" "set fd $F_PIPE pipe_size 0"
hostile fd_pipe_size_reg "bad pipe size" "set fd $F_REG pipe_size 4096"
hostile fd_memfd_name "bad memfd" "set fd $F_MEMFD path[1] 0x4e"
hostile fd_seals "bad memfd" "set fd $F_REG seals 1"
hostile fd_relative "path is not absolute" "set fd $F_REG path0 0x78"
hostile fd_deleted_size "bad size" "set fd $F_DELETED size 0x8000000000000000"
hostile file_data_len "bad file data record length" "set file_data 0 len 99"
hostile file_data_pad "bad file data record length" "set file_data 0 pad 1"
hostile file_data_fd "comes later or not at all" "set file_data 0 fd 999"
hostile file_data_offset "out of place" "set file_data 0 offset 0xfffffffffffffff0"
hostile timerfd_len "bad timerfd record" "len timerfd 0 16"
hostile timerfd_fd "no timerfd description before it" "set timerfd 0 fd 0"
hostile timerfd_clock "timerfd clock 99" "set timerfd 0 clockid 99"
hostile timerfd_flags "timerfd flags" "set timerfd 0 settime_flags 0x80"
hostile timerfd_time "bad timerfd time" "set timerfd 0 value_nsec 1000000000"
hostile timerfd_missing "no timerfd record" "del timerfd 0"
hostile epoll_len "bad epoll record length" "set epoll 0 nr 1000"
hostile epoll_fd "no epoll description before it" "set epoll 0 fd 0"
hostile epoll_target "which the image does not have" "set epoll 0 tfd0 999"
hostile epoll_missing "no epoll record" "del epoll 0"
hostile unix_len "bad unix socket record" "len unix 0 16"
hostile unix_fd "no unix socket description before it" "set unix 0 fd 0"
hostile unix_type "socket type 9" "set unix 0 type 9"
hostile unix_shutdown "bad unix socket state" "set unix 0 shutdown 9"
hostile unix_queue_len "bad unix queue record length" "set unix_queue 0 nr 1000"
hostile unix_queue_sum "do not add up" "set unix_queue 0 msg0_len 1"
hostile unix_queue_fd "no unix socket record before it" "set unix_queue 0 fd 0"
hostile lock_len "bad lock record" "len lock 0 8"
hostile lock_fd "no description before it" "set lock 0 fd 999"
hostile lock_type "lock type 7" "set lock 0 type 7"

# misc, thread_misc, rlimit, itimer, posix_timer, seccomp (lib/kinds/misc.c, rlimit.c, itimer.c,
# posix_timer.c, seccomp.c)
hostile misc_len "misc record of" "len misc 0 8"
hostile misc_twice "more than one misc record" "dup misc 0"
hostile misc_missing "no misc record" "del misc 0"
hostile misc_cwd_len "bad cwd or root path" "set misc 0 cwd_len 0"
hostile misc_umask "bad umask" "set misc 0 umask 01000"
hostile misc_dumpable "bad umask" "set misc 0 dumpable 5"
hostile misc_rlimit_count "bad record counts" "set misc 0 nr_rlimits 17"
hostile misc_rlimit_missing "rlimit records, the misc record says 15" "set misc 0 nr_rlimits 15"
hostile misc_itimer_count "itimer records, the misc record says 2" "set misc 0 nr_itimers 2"
hostile misc_posix_timers_huge "POSIX timer records, the misc record says 1000000000" "set misc 0 nr_posix_timers 1000000000"
hostile misc_seccomp_huge "seccomp filter records, the misc record says 1000000000" "set misc 0 nr_seccomp 1000000000"
hostile thread_misc_len "thread misc record of" "len thread_misc 0 8"
hostile thread_misc_tid "unknown or repeated" "set thread_misc 0 tid 1"
hostile thread_misc_missing "lack their misc record" "del thread_misc 0"
hostile thread_misc_rseq "bad rseq area" "set thread_misc 0 rseq_len 5"
hostile thread_misc_robust "bad robust list" "set thread_misc 0 robust_len 5"
hostile thread_misc_pdeathsig "bad pdeathsig" "set thread_misc 0 pdeathsig 99"
hostile thread_misc_comm "bad pdeathsig" "set thread_misc 0 comm 0x41"
hostile thread_misc_seccomp "seccomp mode 0 but has filters" "set thread_misc 0 seccomp_mode 0"
hostile rlimit_len "rlimit record of" "len rlimit 0 8"
hostile rlimit_resource "unknown or repeated" "set rlimit 0 resource 99"
hostile rlimit_twice "unknown or repeated" "set rlimit 1 resource 0"
hostile rlimit_soft "soft limit above hard limit" "set rlimit 0 cur 5" "set rlimit 0 max 4"
hostile itimer_len "itimer record of" "len itimer 0 8"
hostile itimer_which "itimer 5 unknown or repeated" "set itimer 0 which 5"
hostile itimer_time "bad time" "set itimer 0 value_usec 1000000"
hostile posix_timer_len "POSIX timer record of" "len posix_timer 0 8"
hostile posix_timer_extra "POSIX timer records, the misc record says 1" "dup posix_timer 0"
hostile posix_timer_id "POSIX timer id -1" "set posix_timer 0 id -1"
hostile posix_timer_time "bad time" "set posix_timer 0 value_nsec 1000000000"
hostile posix_timer_notify "notify 0x63" "set posix_timer 0 notify 99"
hostile posix_timer_signo "signal 0" "set posix_timer 0 signo 0"
hostile posix_timer_tid "not in the image" "set posix_timer 0 notify_tid 1"
hostile seccomp_len "seccomp record of" "len seccomp 0 8"
hostile seccomp_insns "seccomp filter of 2 instructions" "set seccomp 0 nr_insns 2"
hostile seccomp_flags "seccomp filter flags" "set seccomp 0 flags 0x80"
hostile seccomp_thread "seccomp filter of unknown thread 1" "set seccomp 0 tid 1"
hostile seccomp_index "incomplete or mixed" "set seccomp 0 index 1"

# tls (restore.c): only ia32 images have TLS records.
if why=$(ia32_reason); then
	skip hostile_tls "$why"
else
	# Only its own fds: whatever the shell inherited would be refused by the dump.
	(
		for f in /proc/$BASHPID/fd/*; do
			f=${f##*/}
			[ "$f" -gt 2 ] && eval "exec $f>&-"
		done
		exec "$TESTBIN/targets/sud_status-32" selector "$TMP/st32" </dev/null >/dev/null 2>&1
	) &
	tp32=$!
	pids+=($tp32)
	for _ in $(seq 200); do [ -s "$TMP/st32" ] && break; sleep 0.02; done
	if ! run 0 "$SUDCR" dump -t $tp32 -D "$TMP/img32" --leave-running; then
		fail hostile_tls "cannot dump the ia32 target: $err"
	else
		IMG=$TMP/img32
		IMG_PID=$tp32
		hostile tls_len "bad TLS record" "len tls 0 8"
		hostile tls_nr "bad TLS record" "set tls 0 nr 2"
		hostile tls_thread "TLS record for unknown or repeated thread 1" "set tls 0 tid 1"
		hostile tls_twice "TLS record for unknown or repeated thread" "dup tls 0"
		hostile tls_missing "lack their TLS record" "del tls 0"
		hostile tls_entry "TLS entry 99" "set tls 0 desc0_entry_number 99"
	fi
fi

echo "# $ncases hostile images tried"
finish
