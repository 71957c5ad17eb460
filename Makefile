# sudcr — checkpoint/restore for processes using Syscall User Dispatch.
#
#   make            build sudcr, libsudcr.a, libsudcr.so, sudcr.pc and the
#                   embeddable core libsudcr-core.a, libsudcr-core.so,
#                   sudcr-core.pc
#   make test       build everything and run the whole test suite
#   make demo       show checkpoint/restore of a SUD program
#   make bench      print dump/restore figures next to memcpy bandwidth
#   make asan-test  the test suite under AddressSanitizer + UBSan
#   make fuzz       fuzz the image reader and validators (FUZZ_RUNS=N, fuzz/fuzz.mk)
#   make install PREFIX=/usr/local

VERSION   := 0.1.0
PREFIX    ?= /usr/local
CC        ?= gcc
B         ?= build
OPT       ?= -O2
SAN       ?=
CFLAGS    := -std=gnu11 -D_GNU_SOURCE $(OPT) -g -Wall -Wextra -Werror -Iinclude -I$(B)/gen \
             -fPIC -fvisibility=hidden -DSUDCR_VERSION='"$(VERSION)"' $(SAN) $(EXTRA_CFLAGS)
LDFLAGS   := $(SAN) $(EXTRA_LDFLAGS)

LIB_SRCS  := $(wildcard lib/*.c lib/image/*.c lib/arch/x86/*.c lib/proc/*.c lib/kinds/*.c lib/dump/*.c lib/restore/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(B)/%.o)
# The embeddable core: SUD, task control, injection, arch and the few /proc
# readers these need (README, "Embedding").  It must link alone.
CORE_SRCS := lib/sud.c lib/task.c lib/inject.c lib/inject_safety.c lib/freeze.c lib/log.c \
             lib/proc/read.c lib/proc/task.c lib/proc/status.c lib/proc/maps.c \
             $(wildcard lib/arch/x86/*.c)
CORE_OBJS := $(CORE_SRCS:%.c=$(B)/%.o)
CLI_SRCS  := $(wildcard cli/*.c)
CLI_OBJS  := $(CLI_SRCS:%.c=$(B)/%.o)
HEADERS   := $(wildcard include/sudcr/*.h)

UNISTD    := /usr/include/x86_64-linux-gnu/asm
SC_NAMES  := $(B)/gen/syscalls_64.inc $(B)/gen/syscalls_32.inc
SC_NRS    := $(B)/gen/sc_nr_64.inc $(B)/gen/sc_nr_32.inc
GEN       := $(SC_NAMES) $(SC_NRS)

CORE_LIBS := $(B)/libsudcr-core.a $(B)/libsudcr-core.so $(B)/sudcr-core.pc \
             $(B)/pkgconfig/sudcr-core.pc

all: $(B)/sudcr $(B)/libsudcr.a $(B)/libsudcr.so $(B)/sudcr.pc $(CORE_LIBS)

# Syscall name tables, from the installed kernel headers.
$(SC_NAMES): $(B)/gen/syscalls_%.inc: $(UNISTD)/unistd_%.h
	@mkdir -p $(@D)
	awk '$$1 == "#define" && $$2 ~ /^__NR_/ && $$3 ~ /^[0-9]+$$/ \
		{ printf "\t{ \"%s\", %s },\n", substr($$2, 6), $$3 }' $< > $@

# The number columns of enum arch_sc (include/sudcr/arch.h): SC_FOO is
# __NR_foo, or for ia32 the name its comment gives after "ia32:"; -1 if none.
$(SC_NRS): $(B)/gen/sc_nr_%.inc: include/sudcr/arch.h $(UNISTD)/unistd_%.h
	@mkdir -p $(@D)
	awk -v abi=$* 'FNR == NR { \
		if (match($$0, /^\tSC_[A-Z0-9_]+,/)) { \
			n = substr($$0, RSTART + 1, RLENGTH - 2); if (n == "SC__MAX") next; names[++k] = n; \
			alias[n] = tolower(substr(n, 4)); \
			if (abi == "32" && match($$0, /ia32: [a-z0-9_]+/)) \
				alias[n] = substr($$0, RSTART + 6, RLENGTH - 6); \
			if (match($$0, /nr: [0-9]+/)) \
				fixed[n] = substr($$0, RSTART + 4, RLENGTH - 4); \
		} \
		next } \
	$$1 == "#define" && $$2 ~ /^__NR_/ && $$3 ~ /^[0-9]+$$/ { nr[substr($$2, 6)] = $$3 } \
	END { for (i = 1; i <= k; i++) \
		printf "\t[%s] = %s,\n", names[i], (alias[names[i]] in nr) ? nr[alias[names[i]]] : \
			(names[i] in fixed) ? fixed[names[i]] : -1 }' \
		include/sudcr/arch.h $(UNISTD)/unistd_$*.h > $@

# The private headers (lib/cr.h, lib/image.h, lib/image_records.h,
# lib/kernel_compat.h, lib/proc/proc.h, ...) are found through -Ilib, which
# the library, the tests and the fuzzer get and cli/ and examples/ do not:
# they see only the public include/sudcr/ (tests/cli/layers.sh).
PRIV_CFLAGS := -Ilib

# -MMD: objects also depend on the private headers they include.
$(B)/lib/%.o: lib/%.c $(HEADERS) $(GEN)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PRIV_CFLAGS) -MMD -MP -c $< -o $@

$(B)/cli/%.o: cli/%.c $(HEADERS) $(GEN)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d)

$(B)/libsudcr.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(B)/libsudcr.so: $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libsudcr.so.0 $(LDFLAGS) -o $@ $^

# For programs linked in the build tree (examples/), as for the core below.
$(B)/libsudcr.so.0: $(B)/libsudcr.so
	ln -sf libsudcr.so $@

$(B)/libsudcr-core.a: $(CORE_OBJS)
	rm -f $@
	ar rcs $@ $^

# --no-undefined: the core needs nothing from the rest of libsudcr.  The
# .so.0 links let programs linked in the build tree run from them.
$(B)/libsudcr-core.so: $(CORE_OBJS)
	$(CC) -shared -Wl,-soname,libsudcr-core.so.0 -Wl,--no-undefined $(LDFLAGS) -o $@ $^
	ln -sf libsudcr-core.so $(B)/libsudcr-core.so.0

$(B)/sudcr: $(CLI_OBJS) $(B)/libsudcr.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(B)/libsudcr.a

$(B)/sudcr.pc: sudcr.pc.in Makefile
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

$(B)/sudcr-core.pc: sudcr-core.pc.in Makefile
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

# For programs built against the build tree (examples/): headers from the
# source tree, the library from $(B), found at run time through the rpath.
$(B)/pkgconfig/sudcr-core.pc $(B)/pkgconfig/sudcr.pc: $(B)/pkgconfig/%.pc: %.pc.in Makefile
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(abspath $(B))|' -e 's|@VERSION@|$(VERSION)|' \
		-e 's|^libdir=.*|libdir=$(abspath $(B))|' \
		-e 's|^includedir=.*|includedir=$(abspath include)|' \
		-e 's|^Libs: .*|Libs: -L$${libdir} -Wl,-rpath,$${libdir} -l$*|' $< > $@

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/sudcr $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(B)/sudcr $(DESTDIR)$(PREFIX)/bin/
	install -m 644 docs/sudcr.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 $(B)/libsudcr.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(B)/libsudcr.so $(DESTDIR)$(PREFIX)/lib/libsudcr.so.0
	ln -sf libsudcr.so.0 $(DESTDIR)$(PREFIX)/lib/libsudcr.so
	install -m 644 $(B)/libsudcr-core.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(B)/libsudcr-core.so $(DESTDIR)$(PREFIX)/lib/libsudcr-core.so.0
	ln -sf libsudcr-core.so.0 $(DESTDIR)$(PREFIX)/lib/libsudcr-core.so
	install -m 644 $(HEADERS) $(DESTDIR)$(PREFIX)/include/sudcr/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' sudcr.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/sudcr.pc
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' sudcr-core.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/sudcr-core.pc

.SECONDEXPANSION:
include tests/tests.mk
include fuzz/fuzz.mk

clean:
	rm -rf $(B)

.PHONY: all install clean

# The main job: build, then checkpoint and restore a SUD program.
$(B)/demo/sud_counter: demo/sud_counter.c
	@mkdir -p $(@D)
	$(CC) $(filter-out -fsanitize=%,$(CFLAGS)) -o $@ $<

demo: all $(B)/demo/sud_counter
	SUDCR=$(B)/sudcr COUNTER=$(B)/demo/sud_counter demo/demo.sh

# The whole suite under AddressSanitizer and UBSan (targets stay plain).
# Undefined behaviour stops the program (no recovery), so that a test sees it
# fail; the sanitizers make sudcr several times slower, hence the longer
# per-test timeout (the 200 killed restores of cli/crash_restore).
asan-test:
	$(MAKE) B=build-asan SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
		OPT=-O1 TEST_ARGS="-t 600 $(TEST_ARGS)" test

.PHONY: demo asan-test

$(B)/bench/bench: bench/bench.c $(B)/libsudcr.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(B)/libsudcr.a $(LDFLAGS)

bench: all $(B)/bench/bench
	$(B)/bench/bench

.PHONY: bench
