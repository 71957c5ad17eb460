// SPDX-License-Identifier: MIT
/*
 * Failure paths: restore of a damaged image (in a copy: a byte of core.img
 * or pages-0.img inverted, either cut to half its size) must fail with one
 * line and leave no process; the intact image then restores. The program
 * holds 16 MiB of data so that the image has page data to damage, and
 * the dump and restore copy it with several workers.
 */
// sudcr-test: restore-fails flip core.img
// sudcr-test: restore-fails truncate core.img
// sudcr-test: restore-fails flip pages-0.img
// sudcr-test: restore-fails truncate pages-0.img
#include "progs/prog.h"

#define LEN (16 << 20)	/* over 8 MiB: dump and restore split it among their workers */

int main(void)
{
	unsigned char *p = malloc(LEN);

	SETUP(p, "malloc");
	prog_fill(p, LEN, 181);

	prog_ready();
	prog_wait();

	CHECK(prog_check_fill(p, LEN, 181) < 0, "memory differs at byte %ld", prog_check_fill(p, LEN, 181));
	prog_done();
}
