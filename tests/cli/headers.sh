# Every public header compiles alone, in strict C99 (no POSIX feature
# macros) and in GNU C11, with -pedantic: a user's program includes them
# without having to know what they need first.
. "$SRCDIR/tests/cli/lib.bash"

cc=${CC:-cc}
if ! command -v "$cc" >/dev/null; then
	skip headers "no C compiler ($cc)"
	finish
fi
for std in c99 gnu11; do
	t=headers_$std
	ok=1
	for h in "$SRCDIR"/include/sudcr/*.h; do
		name=sudcr/$(basename "$h")
		printf '#include <%s>\n#include <%s>\nint sudcr_header_test;\n' "$name" "$name" > "$TMP/h.c"
		if ! "$cc" -std=$std -pedantic -Wall -Wextra -Werror -I"$SRCDIR/include" \
			-c "$TMP/h.c" -o "$TMP/h.o" 2>"$TMP/cc.err"; then
			ok=0
			fail $t "$name: $(head -3 "$TMP/cc.err" | tr '\n' ' ')"
		fi
	done
	[ $ok = 1 ] && pass $t
done
finish
