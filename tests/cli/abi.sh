# The dynamic symbols libsudcr.so and libsudcr-core.so define are exactly
# the committed lists tests/abi/LIB.symbols: everything else is built with
# -fvisibility=hidden, and only what include/sudcr/api.h's SUDCR_API marks
# is exported.  A symbol exported by accident, or one lost, fails here.
# After a deliberate change of the public API, update the list:
#   nm -D --defined-only build/LIB.so | awk '{print $3}' | LC_ALL=C sort > tests/abi/LIB.symbols
. "$SRCDIR/tests/cli/lib.bash"

bdir=$(dirname "$SUDCR")
if ! command -v nm >/dev/null; then
	skip abi "no nm (binutils) to list the exported symbols"
	finish
fi
for lib in libsudcr libsudcr-core; do
	so=$bdir/$lib.so
	list=$SRCDIR/tests/abi/$lib.symbols
	if [ ! -f "$so" ]; then
		fail "abi_$lib" "$so is missing"
		continue
	fi
	if ! LC_ALL=C nm -D --defined-only "$so" > "$TMP/nm.out" 2>"$TMP/nm.err"; then
		fail "abi_$lib" "nm -D $so: $(head -1 "$TMP/nm.err")"
		continue
	fi
	awk '{ print $NF }' "$TMP/nm.out" | LC_ALL=C sort > "$TMP/$lib.exported"
	if [ ! -s "$TMP/$lib.exported" ]; then
		fail "abi_$lib" "nm -D lists no symbol defined in $so"
		continue
	fi
	if diff -u "$list" "$TMP/$lib.exported" > "$TMP/$lib.diff"; then
		pass "abi_$lib"
	else
		# One line per difference: "+name" exported but not listed,
		# "-name" listed but not exported.
		d=$(tail -n +4 "$TMP/$lib.diff" | grep '^[-+]' | tr '\n' ' ')
		fail "abi_$lib" "exported symbols of $lib.so differ from tests/abi/$lib.symbols (+ exported, not listed; - listed, not exported): $d"
	fi
done
finish
