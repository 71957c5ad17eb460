# Tests.  Discovery is by directory, so adding a test is adding a file:
#   tests/unit/NAME.c     unit test, linked with libsudcr.a
#   tests/inject/NAME.c   tests that seize/inject real SUD targets
#   tests/targets/NAME.c  target programs started by tests (64-bit; also
#                         built -m32 as NAME-32 when NAME is listed in
#                         TARGETS_32 and an ia32 toolchain works)
#   tests/cli/NAME.sh     shell tests of the sudcr command line
# Each test binary/script speaks the protocol of tests/harness.h.

T          := $(B)/tests
UNIT_BINS  := $(patsubst tests/unit/%.c,$(T)/unit/%,$(wildcard tests/unit/*.c))
INJ_BINS   := $(patsubst tests/inject/%.c,$(T)/inject/%,$(wildcard tests/inject/*.c))
TGT_BINS   := $(patsubst tests/targets/%.c,$(T)/targets/%,$(wildcard tests/targets/*.c))
TEST_HDRS  := tests/harness.h $(wildcard tests/targets/*.h)
TARGETS_32 ?=
TGT32_BINS := $(patsubst %,$(T)/targets/%-32,$(TARGETS_32))

$(T)/unit/% $(T)/inject/%: tests/$$(notdir $$(@D))/%.c $(B)/libsudcr.a $(TEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(B)/libsudcr.a $(LDFLAGS)

$(T)/targets/%: tests/targets/%.c $(TEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(LDFLAGS)

$(T)/run: tests/run.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

test-build: all $(UNIT_BINS) $(INJ_BINS) $(TGT_BINS) $(T)/run

test: test-build
	$(T)/run

.PHONY: test test-build
