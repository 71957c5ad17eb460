# Shared by tests/crash/dump_sweep.sh and dump_killed.sh.
#
# A kill of sudcr at two ptrace calls per thread (right after it set the
# thread's transit SUD config, and right before it puts the thread's own
# config back: lib/inject_safety.c) leaves that transit config: the
# thread's own config plus a range or a selector that only sudcr's code
# uses (its bootstrap in the vDSO, or its safety page), which dispatches
# every syscall of the thread's own code exactly as before.  The next
# sudcr that touches the process takes it for the config it stands for.
#
# untransit PID: `sudcr sud get --json PID` (stdin) with each such config
# replaced by the one it stands for; the tests accept the difference only
# when the program runs on exactly, and check that one more dump puts the
# config itself back.
untransit() {
	local pid=$1 json l lo hi r t sel off
	local -a ranges=()
	while read -r l; do
		lo=${l%%-*}
		hi=${l#*-}
		hi=${hi%% *}
		ranges+=("$((16#$lo)) $((16#$hi))")
	done < <(grep -E ' -wxp | r-xp .*\[vdso\]$' /proc/$pid/maps)
	ours() {
		local a=$(($1)) r
		for r in "${ranges[@]}"; do
			[ "$a" -ge "${r% *}" ] && [ "$a" -lt "${r#* }" ] && return 0
		done
		return 1
	}
	json=$(cat)
	{
		echo "$json" | sed 's/},{/}\n{/g' | while read -r t; do
			sel=$(echo "$t" | sed -nE 's/.*"selector":"(0x[0-9a-f]+)".*/\1/p')
			off=$(echo "$t" | sed -nE 's/.*"offset":"(0x[0-9a-f]+)","len":([1-9][0-9]*).*/\1/p')
			if [ -n "$sel" ] && [ -n "$off" ] && ours "$off"; then
				t=$(echo "$t" | sed -E 's/"offset":"0x[0-9a-f]+","len":[0-9]+/"offset":"0x0","len":0/')
			elif [ -n "$sel" ] && ours "$sel"; then
				t=$(echo "$t" | sed -E 's/"selector":"0x[0-9a-f]+"/"selector":null/')
			fi
			echo "$t"
		done
	} | paste -sd,
}

# untransit_observation PID: an observation (observe PID, from the test)
# with its SUD line untransited.
untransit_observation() {
	local pid=$1 l
	while IFS= read -r l; do
		case $l in
		'{"pid"'*) echo "$l" | untransit "$pid" ;;
		*) echo "$l" ;;
		esac
	done
}

# vdso_sum PID: a checksum of the vDSO as the process sees it (sudcr
# writes its bootstrap in the padding and zeros it again).
vdso_sum() {
	local l lo hi
	l=$(grep -E '\[vdso\]$' /proc/$1/maps) || return 0
	lo=$((16#${l%%-*}))
	hi=${l#*-}
	hi=$((16#${hi%% *}))
	dd if=/proc/$1/mem bs=4096 iflag=skip_bytes,count_bytes skip=$lo count=$((hi - lo)) 2>/dev/null | md5sum
}
