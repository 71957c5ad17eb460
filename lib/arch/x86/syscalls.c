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

/* Generated from enum arch_sc and the kernel headers; mmap for ia32 is mmap2. */
static const long sc_64[SC__MAX] = {
#include "sc_nr_64.inc"
};

static const long sc_32[SC__MAX] = {
#include "sc_nr_32.inc"
};

long arch_sc_nr(enum arch_kind kind, enum arch_sc sc)
{
	return kind == ARCH_IA32 ? sc_32[sc] : sc_64[sc];
}
