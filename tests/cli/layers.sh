# The layering of the source tree, checked from its #include lines:
#  - include/sudcr/ holds exactly the public headers, tests/abi/public-headers
#    (what `make install` installs; a header made public by accident, or one
#    lost, fails here: after a deliberate change, update the list);
#  - a public header includes only system headers and other public ones,
#    and every function it declares is exported (SUDCR_API): the private
#    half of a layer is declared beside its code (lib/task.h, lib/log.h);
#  - cli/ and examples/ include only public headers, system headers and
#    (cli/) cli.h: everything they need comes through the public API;
#  - no file in lib/ includes, directly or through other headers of the
#    tree, headers of lib/dump/ and of lib/restore/ both: what the two
#    drivers share is in lib/cr.h or a kind's header.
# A quoted include "X" of file F is F's directory's X, else lib/X (the
# library's private -Ilib), else include/X; one found nowhere (a generated
# table in the build tree) is not the tree's.
. "$SRCDIR/tests/cli/lib.bash"

cd "$SRCDIR" || { fail layers "cannot enter $SRCDIR"; finish; }

# The tree's headers a file includes, one path (relative to the tree) a line.
includes_of() {
	local f=$1 d inc
	d=$(dirname "$f")
	sed -n -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*("[^"]+"|<sudcr\/[^>]+>).*/\1/p' "$f" |
	while IFS= read -r inc; do
		case $inc in
		\<sudcr/*)
			inc=${inc#<}; inc=${inc%>}
			echo "include/$inc"
			;;
		\"*)
			inc=${inc#\"}; inc=${inc%\"}
			if [ -f "$d/$inc" ]; then
				realpath --relative-to=. "$d/$inc"
			elif [ -f "lib/$inc" ]; then
				echo "lib/$inc"
			elif [ -f "include/$inc" ]; then
				echo "include/$inc"
			fi
			;;
		esac
	done
}

# Every file's includes, read once: INC[file] = the headers it names.
declare -A INC=()
for f in $(find lib include cli examples -name '*.[ch]' 2>/dev/null | LC_ALL=C sort); do
	INC[$f]=$(includes_of "$f" | tr '\n' ' ')
done

# All the tree's headers @1 reaches, itself excluded.
reach_of() {
	local -A seen=()
	local todo=("$1") f h
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		for h in ${INC[$f]}; do
			[ -n "${seen[$h]}" ] && continue
			seen[$h]=1
			todo+=("$h")
			echo "$h"
		done
	done
}

# 1. The public headers are the committed list.
ls include/sudcr/ | LC_ALL=C sort > "$TMP/public.have"
LC_ALL=C sort tests/abi/public-headers > "$TMP/public.want"
if diff -u "$TMP/public.want" "$TMP/public.have" > "$TMP/public.diff"; then
	pass layers_public_headers
else
	d=$(tail -n +4 "$TMP/public.diff" | grep '^[-+]' | tr '\n' ' ')
	fail layers_public_headers "include/sudcr/ differs from tests/abi/public-headers (+ there, not listed; - listed, not there): $d"
fi

is_public() {
	case $1 in
	include/sudcr/*) grep -qx "${1#include/sudcr/}" tests/abi/public-headers ;;
	*) return 1 ;;
	esac
}

# 2. Public headers include only public headers (and nothing by a quoted or relative path).
bad=
for h in include/sudcr/*.h; do
	if grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"|__has_include' "$h" > "$TMP/q"; then
		bad+=" $h:$(head -1 "$TMP/q" | cut -d: -f1) (quoted include)"
	fi
	for i in ${INC[$h]}; do
		is_public "$i" || bad+=" $h -> $i"
	done
done
if [ -z "$bad" ]; then
	pass layers_public_self_contained
else
	fail layers_public_self_contained "public headers that reach private ones:$bad"
fi

# 2b. ... and declare only what the library exports.
bad=
for h in include/sudcr/*.h; do
	# A declaration at the start of a line: "type name(" not marked SUDCR_API.
	while IFS= read -r l; do
		bad+=" $h: ${l%%(*}"
	done < <(grep -E '^[a-z][a-z_0-9 *]*[ *][a-z_][a-z_0-9]*\(' "$h" | grep -vE '^(SUDCR_API|typedef|static) ')
done
if [ -z "$bad" ]; then
	pass layers_public_exported_only
else
	fail layers_public_exported_only "functions declared in public headers but not exported (SUDCR_API):$bad"
fi

# 3. cli/ and examples/ see only the public API.
bad=
for f in cli/*.[ch] examples/*.c; do
	[ -f "$f" ] || continue
	for i in ${INC[$f]}; do
		[ "$i" = cli/cli.h ] && [[ $f == cli/* ]] && continue
		is_public "$i" || bad+=" $f -> $i"
	done
done
if [ -z "$bad" ]; then
	pass layers_cli_public_only
else
	fail layers_cli_public_only "includes of headers that are not public:$bad"
fi

# 4. No file of lib/ reaches headers of both drivers.
bad=
for f in $(find lib -name '*.[ch]' | LC_ALL=C sort); do
	r=$(reach_of "$f")
	if grep -q '^lib/dump/' <<< "$r" && grep -q '^lib/restore/' <<< "$r"; then
		bad+=" $f ($(grep -E '^lib/(dump|restore)/' <<< "$r" | tr '\n' ' '))"
	fi
done
if [ -z "$bad" ]; then
	pass layers_drivers_apart
else
	fail layers_drivers_apart "files that include headers of lib/dump/ and lib/restore/ both:$bad"
fi
finish
