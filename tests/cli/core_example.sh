# examples/sud_getppid links libsudcr-core alone, through pkg-config, and
# with it seizes a SUD target, runs an injected getppid, releases it and
# checks the target's own count of intercepted calls (see the example).
. "$SRCDIR/tests/cli/lib.bash"

bdir=$(dirname "$SUDCR")
ex=$bdir/examples/sud_getppid
if [ ! -x "$ex" ]; then
	fail core_example_built "$ex is missing (make test-build builds it)"
	finish
fi

# Linked with the shared core and nothing else of sudcr: NEEDED names
# libsudcr-core.so.0 and not libsudcr, the loader finds it in the build
# tree, and the program carries none of sudcr's code itself.
needed=$(LC_ALL=C readelf -d "$ex" 2>&1 | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
resolved=$(ldd "$ex" 2>&1 | awk '$1 == "libsudcr-core.so.0" { print $3 }')
own=$(LC_ALL=C nm --defined-only "$ex" 2>&1 | awk '$2 == "T" && $3 ~ /^(inject|task|sud|arch|freeze|thaw)_/ { print $3 }' | tr '\n' ' ')
if [[ " $needed " != *" libsudcr-core.so.0 "* ]]; then
	fail core_example_links_core "NEEDED of $ex: $needed(no libsudcr-core.so.0)"
elif [[ $needed == *"libsudcr.so"* ]]; then
	fail core_example_links_core "NEEDED of $ex: $needed(libsudcr.so too)"
elif [ "$resolved" != "$(cd "$bdir" && pwd)/libsudcr-core.so.0" ]; then
	fail core_example_links_core "ldd $ex: libsudcr-core.so.0 => '$resolved', want the build tree's"
elif [ -n "$own" ]; then
	fail core_example_links_core "$ex defines sudcr functions itself: $own"
else
	pass core_example_links_core
fi

for bits in 64 32; do
	t=core_example_getppid_$bits
	target=$TESTBIN/targets/sud_target
	if [ $bits = 32 ]; then
		if why=$(ia32_reason); then
			skip $t "$why"
			continue
		fi
		target=$target-32
	fi
	# The example checks the result against its own PID and the counts.
	if run 0 "$ex" "$target" range && [[ $out == "sud_getppid: injected getppid() = "*" (our PID); "* ]]; then
		pass $t
	else
		fail $t "status $status: $(printf '%s %s' "$err" "$out" | tr '\n' ' ')"
	fi
done
finish
