# Tests.  Discovery is by directory, so adding a test is adding a file:
#   tests/unit/NAME.c     unit test, linked with libsudcr.a (also built -m32
#                         as NAME-32, linked with the ia32 libsudcr-core.a,
#                         when NAME is listed in UNIT_32)
#   tests/inject/NAME.c   tests that seize/inject real SUD targets
#   tests/targets/NAME.c  target programs started by tests (64-bit; also
#                         built -m32 as NAME-32 when NAME is listed in
#                         TARGETS_32 and an ia32 toolchain works)
#   tests/cli/NAME.sh     shell tests of the sudcr command line
#   tests/progs/NAME.c    self-checking programs (see tests/progs/prog.h):
#                         the runner dumps and restores each around its
#                         wait, and runs it once more with --leave-running
#                         (also built -m32 as NAME-32 when NAME is listed
#                         in PROGS_32; a stub that says SKIP without ia32)
#   examples/NAME.c       programs that embed libsudcr-core, built through
#                         pkg-config; run by tests/cli/core_example.sh
# Each test binary/script speaks the protocol of tests/harness.h.
# build/tests/run runs them all (make test TEST_ARGS="-v FILTER" to pass
# options; see tests/run.c).
#
# ia32: tests/setup-ia32.sh decides once whether -m32 programs can be built
# and run (installing gcc-multilib when root with apt-get) and caches the
# verdict in $(T)/ia32.ok or $(T)/ia32.skip (one line: why not).  Without
# ia32, NAME-32 targets are not built (a test that wants one reports SKIP
# with the reason from $(T)/ia32.skip) and each NAME-32 unit test is a stub
# that prints "SKIP: NAME-32: <reason>".  Delete the verdict file to ask
# again.

T          := $(B)/tests
UNIT_BINS  := $(patsubst tests/unit/%.c,$(T)/unit/%,$(wildcard tests/unit/*.c))
INJ_BINS   := $(patsubst tests/inject/%.c,$(T)/inject/%,$(wildcard tests/inject/*.c))
TGT_BINS   := $(patsubst tests/targets/%.c,$(T)/targets/%,$(wildcard tests/targets/*.c))
PROG_BINS  := $(patsubst tests/progs/%.c,$(T)/progs/%,$(wildcard tests/progs/*.c))
TEST_HDRS  := tests/harness.h $(wildcard tests/targets/*.h)
PROG_HDRS  := $(wildcard tests/progs/*.h tests/targets/*.h)
TARGETS_32 ?= sud_target sud_config sud_status sud_status_mt
TGT32_BINS := $(patsubst %,$(T)/targets/%-32,$(TARGETS_32))
UNIT_32    ?= get_set_sud
UNIT32_BINS := $(patsubst %,$(T)/unit/%-32,$(UNIT_32))
# Self-checking programs that mean the same in an ia32 process.
PROGS_32   ?= blk_nanosleep blk_pause blk_poll blk_read sig_pending_std sig_pending_rt sig_altstack mem_heap mem_stack mem_shared_anon mem_prot_none mem_growsdown mem_memfd_map mem_vdso mem_mm_fields mem_mlock mem_mlockall mem_neighbours mem_object_views misc_itimers misc_itimer_fire misc_posix_timers misc_robust_list misc_rseq misc_personality misc_clear_child_tid thr_tls thr_mutex thr_sig_deliver thr_nanosleep thr_robust thr_zombie_leader sud_selector_block sud_range sud_inclusive sud_selector_loop fd_pipe fd_unix_stream fd_unix_dgram creds_threads creds_zombie_leader
# Process attributes, scheduling and own /proc files (issue #8 item 4).
PROGS_32   += misc_oom_score_adj misc_membarrier misc_thp_disable misc_sched misc_execctl fd_deleted_attrs fd_proc_self
# pidfds, inotify and fanotify (issue #13).
PROGS_32   += fd_pidfd fd_inotify fd_fanotify
PROG32_BINS := $(patsubst %,$(T)/progs/%-32,$(PROGS_32))
TEST_ARGS  ?=

# Targets are what sudcr dumps and restores: no sanitizer runtime in them
# (its shadow mappings would swamp the image, and its interceptors make
# syscalls from code the SUD targets do not allow).  The -m32 builds do
# without sanitizers too: lib32 sanitizer runtimes are often missing.
TGT_CFLAGS  := $(filter-out -fsanitize=%,$(CFLAGS))
TGT_LDFLAGS := $(filter-out -fsanitize=%,$(LDFLAGS))
CFLAGS32    := $(TGT_CFLAGS) -m32
LDFLAGS32   := $(TGT_LDFLAGS) -m32

# The part of libsudcr-core (CORE_SRCS) that builds -m32, for ia32 test
# programs: sudcr itself is a 64-bit program, so injection and the x86-64
# register layer stay out.
LIB32_SRCS := $(filter-out lib/inject.c lib/inject_safety.c lib/freeze.c lib/arch/%,$(CORE_SRCS))
LIB32_OBJS := $(LIB32_SRCS:%.c=$(B)/lib32/%.o)
LIB32      := $(B)/lib32/libsudcr-core.a

# The cached verdict; ia32.ok is the name to make when there is none yet.
IA32_VERDICT := $(firstword $(wildcard $(T)/ia32.ok $(T)/ia32.skip) $(T)/ia32.ok)
IA32_OK      := test -f $(T)/ia32.ok
IA32_SKIPPED := $(wildcard $(T)/ia32.skip)

$(T)/unit/% $(T)/inject/%: tests/$$(notdir $$(@D))/%.c $(B)/libsudcr.a $(TEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PRIV_CFLAGS) -Itests -o $@ $< $(B)/libsudcr.a $(LDFLAGS)

# Targets may include the private headers (img_edit: the record layouts).
$(T)/targets/%: tests/targets/%.c $(TEST_HDRS) $(wildcard lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(TGT_CFLAGS) $(PRIV_CFLAGS) -Itests -o $@ $< $(TGT_LDFLAGS)

# Self-checking programs are dumped and restored like targets: no sanitizers.
$(T)/progs/%: tests/progs/%.c $(PROG_HDRS)
	@mkdir -p $(@D)
	$(CC) $(TGT_CFLAGS) $(PRIV_CFLAGS) -Itests -o $@ $< $(TGT_LDFLAGS)

$(T)/ia32.ok $(T)/ia32.skip: tests/setup-ia32.sh
	@$(SHELL) tests/setup-ia32.sh '$(CC)' $(T)

# The servers of tests/cli/net_*.sh (redis-server), installed once when
# root with apt-get: tests/setup-servers.sh; delete the verdict to ask again.
$(T)/servers.verdict: tests/setup-servers.sh
	@$(SHELL) tests/setup-servers.sh $(T) && touch $@

# The ia32 rules decide at run time, after the verdict is made: on the
# first build the verdict does not exist yet when make reads this file.
$(B)/lib32/%.o: %.c $(HEADERS) $(IA32_VERDICT)
	@mkdir -p $(@D)
	if $(IA32_OK); then $(CC) $(CFLAGS32) $(PRIV_CFLAGS) -c $< -o $@; fi

$(LIB32): $(LIB32_OBJS) $(IA32_VERDICT)
	if $(IA32_OK); then rm -f $@ && ar rcs $@ $(LIB32_OBJS); fi

$(T)/targets/%-32: tests/targets/%.c $(TEST_HDRS) $(IA32_VERDICT)
	@mkdir -p $(@D)
	if $(IA32_OK); then $(CC) $(CFLAGS32) $(PRIV_CFLAGS) -Itests -o $@ $< $(LDFLAGS32); else rm -f $@; fi

$(T)/progs/%-32: tests/progs/%.c $(PROG_HDRS) $(IA32_VERDICT)
	@mkdir -p $(@D)
	if $(IA32_OK); then \
		$(CC) $(CFLAGS32) $(PRIV_CFLAGS) -Itests -o $@ $< $(LDFLAGS32); \
	else \
		printf '#!/bin/sh\necho "SKIP: ia32 unavailable: %s"\n' "$$(cat $(T)/ia32.skip)" > $@; \
		chmod +x $@; \
	fi

$(T)/unit/%-32: tests/unit/%.c $(if $(IA32_SKIPPED),,$(LIB32)) $(TEST_HDRS) $(IA32_VERDICT)
	@mkdir -p $(@D)
	if $(IA32_OK); then \
		$(CC) $(CFLAGS32) $(PRIV_CFLAGS) -Itests -o $@ $< $(LIB32) $(LDFLAGS32); \
	else \
		printf '#!/bin/sh\ncat <<"EOF"\nSKIP: %s: ia32 unavailable: %s\nEOF\n' \
			'$(notdir $@)' "$$(cat $(T)/ia32.skip)" > $@; \
		chmod +x $@; \
	fi

# examples/NAME.c: programs that embed libsudcr-core, or (those listed in
# EX_FULL) the whole libsudcr, built as a user would, through pkg-config
# (the build tree's sudcr-core.pc or sudcr.pc) and none of sudcr's own
# flags; tests/cli/core_example.sh and api_example.sh run them.
EX_FULL    := checkpoint
EX_BINS    := $(patsubst examples/%.c,$(B)/examples/%,$(wildcard examples/*.c))
EX_CFLAGS  := -std=gnu11 $(OPT) -g -Wall -Wextra -Werror $(SAN)
PKG_CONFIG ?= pkg-config
EX_PKG     := PKG_CONFIG_PATH=$(abspath $(B))/pkgconfig $(PKG_CONFIG)
ex_pkg      = $(if $(filter $(1),$(EX_FULL)),sudcr,sudcr-core)

$(B)/examples/%: examples/%.c $(B)/libsudcr-core.so $(B)/libsudcr.so.0 $(B)/pkgconfig/sudcr-core.pc \
		$(B)/pkgconfig/sudcr.pc $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(EX_CFLAGS) $$($(EX_PKG) --cflags $(call ex_pkg,$*)) -o $@ $< \
		$$($(EX_PKG) --libs $(call ex_pkg,$*)) $(LDFLAGS)

test-build: $(EX_BINS)

$(T)/run: tests/run.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DRUN_SRCDIR='"$(CURDIR)"' -o $@ $<

# sudcr with allocation-failure injection (tests/failalloc.c), for tests only.
$(T)/sudcr-failalloc: $(CLI_OBJS) $(B)/libsudcr.a tests/failalloc.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc -o $@ $(CLI_OBJS) tests/failalloc.c \
		$(B)/libsudcr.a $(LDFLAGS)

# sudcr that kills itself at a chosen call (tests/dieat.c), for tests only.
$(T)/sudcr-dieat: $(CLI_OBJS) $(B)/libsudcr.a tests/dieat.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wl,--wrap=ptrace,--wrap=waitpid,--wrap=waitid,--wrap=process_vm_writev,--wrap=sched_setaffinity -o $@ $(CLI_OBJS) tests/dieat.c $(B)/libsudcr.a $(LDFLAGS)

# sqlite3 for tests/cli/changed_files.sh: tests/setup-sqlite3.sh installs it
# where it can (root with apt-get) and caches the verdict, $(T)/sqlite3.ok
# or $(T)/sqlite3.skip (why not, which the test prints as its skip).
SQLITE3_VERDICT := $(firstword $(wildcard $(T)/sqlite3.ok $(T)/sqlite3.skip) $(T)/sqlite3.ok)
$(T)/sqlite3.ok $(T)/sqlite3.skip: tests/setup-sqlite3.sh
	@$(SHELL) tests/setup-sqlite3.sh $(T)

# tmux, vim, less and script(1) for the terminal tests (tests/cli/tmux_vim.sh,
# script_pty.sh): tests/setup-terminals.sh, in the same way.
TERMINALS_VERDICT := $(firstword $(wildcard $(T)/terminals.ok $(T)/terminals.skip) $(T)/terminals.ok)
$(T)/terminals.ok $(T)/terminals.skip: tests/setup-terminals.sh
	@$(SHELL) tests/setup-terminals.sh $(T)

test-build: all $(UNIT_BINS) $(INJ_BINS) $(TGT_BINS) $(PROG_BINS) $(if $(IA32_SKIPPED),,$(TGT32_BINS)) \
	$(UNIT32_BINS) $(PROG32_BINS) $(T)/run $(T)/sudcr-failalloc $(T)/sudcr-dieat $(T)/servers.verdict $(SQLITE3_VERDICT) \
	$(TERMINALS_VERDICT)

# The runner runs what it finds in $(T): a test whose source was removed
# or renamed must not linger there from an earlier build.
STALE_BINS = $(filter-out $(UNIT_BINS) $(UNIT32_BINS) $(INJ_BINS) $(PROG_BINS) $(PROG32_BINS) $(TGT_BINS) $(TGT32_BINS), \
	$(wildcard $(T)/unit/* $(T)/inject/* $(T)/progs/* $(T)/targets/*))

test: test-build
	$(if $(STALE_BINS),rm -f $(STALE_BINS))
	$(T)/run $(TEST_ARGS)

# Dumps of a busy SUD program, each with sudcr killed at a random instant,
# until 100 kills landed inside a dump (tests/crash/dump_killed.sh), then
# one dump killed before each of sudcr's calls that touch it, in turn
# (tests/crash/dump_sweep.sh, about 900; and every third call of a dump of
# four threads).  Each must leave the program running on exactly (README,
# "If sudcr is killed").  Not in `make test`, which runs samples
# (cli/killed_sweep*: the middle, and the beginning and end call by call):
# the whole takes 10 to 20 minutes here.
CRASH_ENV = SUDCR=$(CURDIR)/$(B)/sudcr TESTBIN=$(CURDIR)/$(T) SRCDIR=$(CURDIR)
crash-test: test-build
	@r=0; $(CRASH_ENV) bash tests/crash/dump_killed.sh || r=1; \
	$(CRASH_ENV) bash tests/crash/dump_sweep.sh || r=1; \
	SWEEP_MT=1 SWEEP_STEP=$${SWEEP_STEP:-3} $(CRASH_ENV) bash tests/crash/dump_sweep.sh || r=1; \
	exit $$r

.PHONY: test test-build crash-test
