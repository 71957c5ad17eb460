# examples/checkpoint embeds the high-level API (sudcr/sudcr.h) as a user
# would: built through the build tree's sudcr.pc, linked with libsudcr.so,
# it checkpoints a running process into an image, leaving it running, and
# prints the image as JSON, which must be exactly what `sudcr show --json`
# prints of that image.
. "$SRCDIR/tests/cli/lib.bash"

bdir=$(dirname "$SUDCR")
ex=$bdir/examples/checkpoint
if [ ! -x "$ex" ]; then
	fail api_example_built "$ex is missing (make test-build builds it)"
	finish
fi

needed=$(LC_ALL=C readelf -d "$ex" 2>&1 | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
resolved=$(ldd "$ex" 2>&1 | awk '$1 == "libsudcr.so.0" { print $3 }')
if [[ " $needed " != *" libsudcr.so.0 "* ]]; then
	fail api_example_links "NEEDED of $ex: $needed(no libsudcr.so.0)"
elif [ "$resolved" != "$(cd "$bdir" && pwd)/libsudcr.so.0" ]; then
	fail api_example_links "ldd $ex: libsudcr.so.0 => '$resolved', want the build tree's"
else
	pass api_example_links
fi

"$TESTBIN/targets/sleeper" "$TMP/sleeps" </dev/null >/dev/null 2>&1 9>&- &
tp=$!
pids+=($tp)
for _ in $(seq 100); do [ -s "$TMP/sleeps" ] && break; sleep 0.02; done

t=api_example_checkpoint
if ! run 0 "$ex" $tp "$TMP/img"; then
	fail $t "exit $status: $err"
elif [[ $out != '{"process":{"pid":'$tp',"arch":"x86_64",'* ]]; then
	fail $t "output: $out"
else
	json=$out
	if ! run 0 "$SUDCR" show --json -D "$TMP/img"; then
		fail $t "sudcr show of its image: exit $status: $err"
	elif [ "$json" != "$out" ]; then
		fail $t "its JSON differs from sudcr show's: $(diff <(echo "$json") <(echo "$out") | head -3 | tr '\n' ' ')"
	else
		# Left running: it goes on sleeping (its count grows).
		before=$(cat "$TMP/sleeps")
		for _ in $(seq 200); do [ "$(cat "$TMP/sleeps")" != "$before" ] && break; sleep 0.02; done
		if [ "$(cat "$TMP/sleeps")" = "$before" ] || ! [ -d /proc/$tp ]; then
			fail $t "the process did not go on: $(cat "$TMP/sleeps")"
		else
			pass $t
		fi
	fi
fi

# Errors come from the library, one line, exit 1.
t=api_example_error
if run 1 "$ex" $tp "$TMP/img" && one_error_line && [[ $err == *"$TMP/img"* ]]; then
	pass $t
else
	fail $t "a second dump into the same image: exit $status, stderr '$err'"
fi
finish
