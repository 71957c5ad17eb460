// SPDX-License-Identifier: MIT
/*
 * Syscall numbers of x86-64 and ia32 tasks.  The name tables are generated
 * at build time from the installed <asm/unistd_{64,32}.h> (see Makefile).
 */
#include <string.h>

#include <sudcr/arch.h>

struct sc_entry {
	const char *name;
	long nr;
};

static const struct sc_entry table_64[] = {
#include "syscalls_64.inc"
};

static const struct sc_entry table_32[] = {
#include "syscalls_32.inc"
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

long arch_syscall_by_name(enum arch_kind kind, const char *name)
{
	const struct sc_entry *t = kind == ARCH_IA32 ? table_32 : table_64;
	size_t n = kind == ARCH_IA32 ? N(table_32) : N(table_64);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return t[i].nr;
	return -1;
}

const char *arch_syscall_name(enum arch_kind kind, long nr)
{
	const struct sc_entry *t = kind == ARCH_IA32 ? table_32 : table_64;
	size_t n = kind == ARCH_IA32 ? N(table_32) : N(table_64);

	for (size_t i = 0; i < n; i++)
		if (t[i].nr == nr)
			return t[i].name;
	return NULL;
}

/* mmap for ia32 is mmap2 (offset in pages); callers pass page offsets. */
static const long sc_64[SC__MAX] = {
	[SC_MMAP] = 9, [SC_MUNMAP] = 11, [SC_MPROTECT] = 10, [SC_MREMAP] = 25,
	[SC_GETPID] = 39, [SC_GETTID] = 186, [SC_RT_TGSIGQUEUEINFO] = 297,
	[SC_RT_SIGACTION] = 13, [SC_PRCTL] = 157, [SC_CLOSE] = 3,
	/* the memory dump and transplant */
	[SC_ARCH_PRCTL] = 158, [SC_BRK] = 12, [SC_FCNTL] = 72, [SC_FTRUNCATE] = 77, [SC_MADVISE] = 28,
	[SC_MEMFD_CREATE] = 319, [SC_MLOCK2] = 325, [SC_MLOCKALL] = 151, [SC_MSEAL] = 462,
	[SC_OPENAT] = 257, [SC_UNLINKAT] = 263,
};

static const long sc_32[SC__MAX] = {
	[SC_MMAP] = 192, [SC_MUNMAP] = 91, [SC_MPROTECT] = 125, [SC_MREMAP] = 163,
	[SC_GETPID] = 20, [SC_GETTID] = 224, [SC_RT_TGSIGQUEUEINFO] = 335,
	[SC_RT_SIGACTION] = 174, [SC_PRCTL] = 172, [SC_CLOSE] = 6,
	/* the memory dump and transplant */
	[SC_ARCH_PRCTL] = 384, [SC_BRK] = 45, [SC_FCNTL] = 55, [SC_FTRUNCATE] = 93, [SC_MADVISE] = 219,
	[SC_MEMFD_CREATE] = 356, [SC_MLOCK2] = 376, [SC_MLOCKALL] = 152, [SC_MSEAL] = 462,
	[SC_OPENAT] = 295, [SC_UNLINKAT] = 301,
};

long arch_sc_nr(enum arch_kind kind, enum arch_sc sc)
{
	return kind == ARCH_IA32 ? sc_32[sc] : sc_64[sc];
}
