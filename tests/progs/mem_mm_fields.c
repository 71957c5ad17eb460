// SPDX-License-Identifier: MIT
/*
 * The mm fields the kernel keeps for the process: code/data/brk/stack
 * starts and the arg/env area (/proc/self/stat fields 26-28 and 45-51),
 * the auxiliary vector (/proc/self/auxv), /proc/self/exe, and what the
 * kernel reads through them: /proc/self/cmdline and /proc/self/environ.
 * Started with distinctive arguments and environment (it re-executes
 * itself with them).
 */
#include <sys/auxv.h>

#include "progs/prog.h"

static const int fields[] = { 26, 27, 28, 45, 46, 47, 48, 49, 50, 51 };
#define NR_FIELDS (int)(sizeof(fields) / sizeof(fields[0]))

static void stat_fields(unsigned long *v)
{
	char buf[2048], *p = NULL;
	int f = 3, i = 0;

	memset(v, 0, NR_FIELDS * sizeof(*v));
	if (prog_read_file("/proc/self/stat", buf, sizeof(buf)) > 0)
		p = strrchr(buf, ')');
	if (!p)
		return;
	for (p += 2; p && i < NR_FIELDS; f++) {
		if (f == fields[i])
			v[i++] = strtoul(p, NULL, 10);
		p = strchr(p, ' ');
		if (p)
			p++;
	}
}

static char auxv0[4096], auxv1[4096], cmd0[4096], cmd1[4096], env0[8192], env1[8192];

int main(int argc, char **argv)
{
	unsigned long f0[NR_FIELDS], f1[NR_FIELDS];
	char exe0[4096], exe1[4096];
	long al0, al1, cl0, cl1, el0, el1;
	ssize_t n;
	unsigned char random0[16];
	const unsigned char *at_random;

	if (argc == 1) {
		char *args[] = { argv[0], "--arg-one", "two with spaces", "", "three", NULL };
		char *env[] = { "SUDCR_PROG=mm fields", "EMPTY=", "TESTTMP=/nonexistent", "Z=z", NULL };

		execve("/proc/self/exe", args, env);
		SETUP(0, "execve");
	}
	stat_fields(f0);
	al0 = prog_read_file("/proc/self/auxv", auxv0, sizeof(auxv0));
	cl0 = prog_read_file("/proc/self/cmdline", cmd0, sizeof(cmd0));
	el0 = prog_read_file("/proc/self/environ", env0, sizeof(env0));
	n = readlink("/proc/self/exe", exe0, sizeof(exe0) - 1);
	SETUP(al0 > 0 && cl0 > 0 && el0 > 0 && n > 0, "reading /proc/self");
	exe0[n] = '\0';
	at_random = (const unsigned char *)getauxval(AT_RANDOM);
	SETUP(at_random, "AT_RANDOM");
	memcpy(random0, at_random, 16);

	prog_ready();
	prog_wait();

	stat_fields(f1);
	for (int i = 0; i < NR_FIELDS; i++)
		CHECK(f0[i] == f1[i], "/proc/self/stat field %d is 0x%lx, was 0x%lx", fields[i], f1[i], f0[i]);
	al1 = prog_read_file("/proc/self/auxv", auxv1, sizeof(auxv1));
	CHECK(al1 == al0 && !memcmp(auxv0, auxv1, al0), "/proc/self/auxv differs (%ld bytes, was %ld)", al1, al0);
	cl1 = prog_read_file("/proc/self/cmdline", cmd1, sizeof(cmd1));
	CHECK(cl1 == cl0 && !memcmp(cmd0, cmd1, cl0), "/proc/self/cmdline differs (%ld bytes, was %ld)", cl1, cl0);
	el1 = prog_read_file("/proc/self/environ", env1, sizeof(env1));
	CHECK(el1 == el0 && !memcmp(env0, env1, el0), "/proc/self/environ differs (%ld bytes, was %ld)", el1, el0);
	n = readlink("/proc/self/exe", exe1, sizeof(exe1) - 1);
	exe1[n > 0 ? n : 0] = '\0';
	CHECK(!strcmp(exe0, exe1), "/proc/self/exe is '%s', was '%s'", exe1, exe0);
	CHECK(!memcmp(random0, at_random, 16), "AT_RANDOM bytes changed");
	CHECK(!strcmp(getenv("SUDCR_PROG") ?: "", "mm fields"), "environment variable lost");
	CHECK(argc == 5 && !strcmp(argv[2], "two with spaces"), "argv changed");
	prog_done();
}
