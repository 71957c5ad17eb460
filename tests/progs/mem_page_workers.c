// SPDX-License-Identifier: MIT
/*
 * Page data big enough for the dump to split it among its page workers
 * (more than 8 MiB), in every shape a run of pages can take: a sparse
 * 24 MiB region (one 4 KiB page touched in every 12 KiB, so thousands of
 * short runs), a 12 MiB region touched whole (runs longer than a worker's
 * 1 MiB chunk), 32 adjacent mappings told apart only by their protection
 * (runs must not merge across mappings), and 2 MiB with data made
 * PROT_NONE between them (read through /proc/PID/mem, not
 * process_vm_readv).  Every byte must come back, untouched pages as zero.
 */
#include <sys/mman.h>

#include "progs/prog.h"

#define MiB (1UL << 20)
#define PAGE 4096UL
#define NR_ADJ 32

int main(void)
{
	unsigned char *sparse, *whole, *adj, *hidden;

	sparse = mmap(NULL, 24 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	whole = mmap(NULL, 12 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	adj = mmap(NULL, NR_ADJ * 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	hidden = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SETUP(sparse != MAP_FAILED && whole != MAP_FAILED && adj != MAP_FAILED && hidden != MAP_FAILED, "mmap");
	for (size_t off = 0; off < 24 * MiB; off += 3 * PAGE)
		prog_fill(sparse + off, PAGE, off);
	prog_fill(whole, 12 * MiB, 71);
	prog_fill(adj, NR_ADJ * 4 * PAGE, 72);
	prog_fill(hidden, 2 * MiB, 73);
	for (int i = 1; i < NR_ADJ; i += 2)
		SETUP(!mprotect(adj + i * 4 * PAGE, 4 * PAGE, PROT_READ), "mprotect");
	SETUP(!mprotect(hidden, 2 * MiB, PROT_NONE), "mprotect");

	prog_ready();
	prog_wait();

	for (size_t off = 0; off < 24 * MiB; off += PAGE) {
		if (off % (3 * PAGE) == 0) {
			CHECK(prog_check_fill(sparse + off, PAGE, off) < 0, "sparse page at +%zu differs", off);
		} else {
			for (size_t i = 0; i < PAGE; i++)
				if (sparse[off + i]) {
					CHECK(0, "untouched page at +%zu is not zero", off);
					break;
				}
		}
	}
	CHECK(prog_check_fill(whole, 12 * MiB, 71) < 0, "whole region differs at %ld",
	      prog_check_fill(whole, 12 * MiB, 71));
	CHECK(prog_check_fill(adj, NR_ADJ * 4 * PAGE, 72) < 0, "adjacent mappings differ at %ld",
	      prog_check_fill(adj, NR_ADJ * 4 * PAGE, 72));
	for (int i = 0; i < NR_ADJ; i++) {
		char line[256];

		CHECK(!prog_maps_line(adj + i * 4 * PAGE, line, sizeof(line)) &&
		      !strncmp(strchr(line, ' ') + 1, i % 2 ? "r--p" : "rw-p", 4),
		      "adjacent mapping %d has the wrong protection", i);
	}
	CHECK(!mprotect(hidden, 2 * MiB, PROT_READ) && prog_check_fill(hidden, 2 * MiB, 73) < 0,
	      "data of the PROT_NONE region differs");
	prog_done();
}
