# sudcr — checkpoint/restore for processes using Syscall User Dispatch.
#
#   make            build sudcr, libsudcr.a, libsudcr.so, sudcr.pc
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
             -fPIC -DSUDCR_VERSION='"$(VERSION)"' $(SAN) $(EXTRA_CFLAGS)
LDFLAGS   := $(SAN) $(EXTRA_LDFLAGS)

LIB_SRCS  := $(wildcard lib/*.c lib/arch/x86/*.c lib/dump/*.c lib/restore/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(B)/%.o)
CLI_SRCS  := $(wildcard cli/*.c)
CLI_OBJS  := $(CLI_SRCS:%.c=$(B)/%.o)
HEADERS   := $(wildcard include/sudcr/*.h)

UNISTD    := /usr/include/x86_64-linux-gnu/asm
GEN       := $(B)/gen/syscalls_64.inc $(B)/gen/syscalls_32.inc

all: $(B)/sudcr $(B)/libsudcr.a $(B)/libsudcr.so $(B)/sudcr.pc

# Syscall name tables, from the installed kernel headers.
$(GEN): $(B)/gen/syscalls_%.inc: $(UNISTD)/unistd_%.h
	@mkdir -p $(@D)
	awk '$$1 == "#define" && $$2 ~ /^__NR_/ && $$3 ~ /^[0-9]+$$/ \
		{ printf "\t{ \"%s\", %s },\n", substr($$2, 6), $$3 }' $< > $@

$(B)/%.o: %.c $(HEADERS) $(GEN)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/libsudcr.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(B)/libsudcr.so: $(LIB_OBJS)
	$(CC) -shared -Wl,-soname,libsudcr.so.0 $(LDFLAGS) -o $@ $^

$(B)/sudcr: $(CLI_OBJS) $(B)/libsudcr.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(B)/libsudcr.a

$(B)/sudcr.pc: sudcr.pc.in Makefile
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/sudcr $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(B)/sudcr $(DESTDIR)$(PREFIX)/bin/
	install -m 644 docs/sudcr.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 $(B)/libsudcr.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(B)/libsudcr.so $(DESTDIR)$(PREFIX)/lib/libsudcr.so.0
	ln -sf libsudcr.so.0 $(DESTDIR)$(PREFIX)/lib/libsudcr.so
	install -m 644 $(HEADERS) $(DESTDIR)$(PREFIX)/include/sudcr/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' sudcr.pc.in \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/sudcr.pc

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
asan-test:
	$(MAKE) B=build-asan SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" \
		OPT=-O1 test

.PHONY: demo asan-test

$(B)/bench/bench: bench/bench.c $(B)/libsudcr.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(B)/libsudcr.a $(LDFLAGS)

bench: all $(B)/bench/bench
	$(B)/bench/bench

.PHONY: bench
