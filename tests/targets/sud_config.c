// SPDX-License-Identifier: MIT
/*
 * sud_config MODE - arm SUD with a known config, print it, then sit still,
 * for tests of `sudcr sud get`.  Built 64-bit and ia32.
 *
 * It prints one line before arming, in the form sudcr's JSON uses:
 *   mode=M selector=0xADDR|null selector_value=V|null offset=0xADDR len=N
 * then arms SUD and either blocks in read(0) (modes whose config lets the
 * read through) or spins without syscalls until killed.
 *
 * Modes: selector (exclusive, no range, selector byte ALLOW: blocks in
 * read), selector-block (selector byte BLOCK: spins), range (exclusive,
 * allowed range elsewhere, NULL selector: spins), inclusive (dispatch range
 * where no code runs: blocks in read), off (blocks in read).
 */
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "kernel_compat.h"

static volatile unsigned char selector;

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	unsigned long offset = 0, len = 0, m = PR_SYS_DISPATCH_OFF;
	const char *mname = "off";
	volatile unsigned char *sel = NULL;
	int spin = 0;
	char c;

	if (!strcmp(mode, "selector") || !strcmp(mode, "selector-block")) {
		m = PR_SYS_DISPATCH_EXCLUSIVE_ON;
		mname = "exclusive";
		sel = &selector;
		selector = !strcmp(mode, "selector-block");
		spin = selector;
	} else if (!strcmp(mode, "range")) {
		m = PR_SYS_DISPATCH_EXCLUSIVE_ON;
		mname = "exclusive";
		offset = 0x10000;
		len = 0x3000;
		spin = 1;
	} else if (!strcmp(mode, "inclusive")) {
		m = PR_SYS_DISPATCH_INCLUSIVE_ON;
		mname = "inclusive";
		offset = 0x20000;
		len = 0x1000;
	} else if (strcmp(mode, "off")) {
		fprintf(stderr, "usage: sud_config selector|selector-block|range|inclusive|off\n");
		return 2;
	}
	if (sel)
		printf("mode=%s selector=0x%lx selector_value=%u offset=0x%lx len=%lu\n", mname,
		       (unsigned long)sel, *sel, offset, len);
	else
		printf("mode=%s selector=null selector_value=null offset=0x%lx len=%lu\n", mname, offset, len);
	fflush(stdout);
	if (m != PR_SYS_DISPATCH_OFF &&
	    prctl(PR_SET_SYSCALL_USER_DISPATCH, m, offset, len, (unsigned long)sel)) {
		perror("prctl");
		return 2;
	}
	if (spin)
		for (;;)
			__asm__ volatile("" ::: "memory");
	return read(0, &c, 1) < 0;
}
