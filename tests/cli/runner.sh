# The runner itself, in a scratch tree of its own: a self-checking program
# that fails counts as a failure, whatever its tags say.  There is no tag
# that turns a failure into a skip ("known-failure" was one: a test with it
# could never fail); such a tag is refused as unknown.
. "$SRCDIR/tests/cli/lib.bash"

fake=$TMP/fake
mkdir -p "$fake/src/tests/progs" "$fake/build/tests/progs"
cp "$SRCDIR/tests/harness.h" "$fake/src/tests/"
cp "$TESTBIN/run" "$fake/build/tests/run"
ln -s "$SUDCR" "$fake/build/sudcr"
# The program fails before it gets anywhere.
printf '#!/bin/sh\necho "FAIL: setup, line 1: it does not work"\nexit 1\n' > "$fake/build/tests/progs/broken"
chmod +x "$fake/build/tests/progs/broken"

t=known_failure_tag_refused
# First, without tags: the fake tree works, and the program's failure counts.
printf '// no tags\n' > "$fake/src/tests/progs/broken.c"
if ! run 1 env SRCDIR="$fake/src" "$fake/build/tests/run" progs/broken ||
   ! grep -q "FAIL: broken (restore): expected READY" <<<"$out" || ! grep -q "^0 passed, [1-9][0-9]* failed" <<<"$out"; then
	fail $t "the fake tree does not work: status $status: ${out//FAIL/F-AIL}"
else
	printf '// sudcr-test: known-failure not done yet\n' > "$fake/src/tests/progs/broken.c"
	if run 1 env SRCDIR="$fake/src" "$fake/build/tests/run" progs/broken &&
	   grep -q "FAIL: broken (restore): tests/progs/broken.c: bad tag ' known-failure not done yet'" <<<"$out" &&
	   ! grep -q "SKIP" <<<"$out"; then
		pass $t
	else
		fail $t "status $status: ${out//FAIL/F-AIL}"
	fi
fi
finish
