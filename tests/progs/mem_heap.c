// SPDX-License-Identifier: MIT
/*
 * Private anonymous memory: the brk heap (small malloc()s), a large malloc()
 * that glibc serves with its own mmap, a sparse anonymous mapping with only
 * a few pages touched (the rest must stay zero), and pages whose contents
 * are zero after having been written.
 */
#include <sys/mman.h>

#include "progs/prog.h"

#define NR_SMALL	200
#define BIG_LEN		(3 << 20)
#define SPARSE_PAGES	1024

static unsigned char *small[NR_SMALL];
static size_t small_len[NR_SMALL];

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned char *big, *sparse;
	char line[256];

	for (int i = 0; i < NR_SMALL; i++) {
		small_len[i] = 16 + (i * 37) % 3000;
		small[i] = malloc(small_len[i]);
		SETUP(small[i], "malloc");
		prog_fill(small[i], small_len[i], 1000 + i);
	}
	big = malloc(BIG_LEN);
	SETUP(big, "malloc big");
	prog_fill(big, BIG_LEN, 7);
	sparse = mmap(NULL, SPARSE_PAGES * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SETUP(sparse != MAP_FAILED, "mmap");
	for (int i = 0; i < SPARSE_PAGES; i += 97)
		prog_fill(sparse + i * page, page, 5000 + i);
	/* Written, then zeroed again: present pages full of zeros. */
	memset(sparse + 3 * page, 0x5a, page);
	memset(sparse + 3 * page, 0, page);

	prog_ready();
	prog_wait();

	for (int i = 0; i < NR_SMALL; i++) {
		long off = prog_check_fill(small[i], small_len[i], 1000 + i);

		CHECK(off < 0, "heap block %d (%zu bytes at %p) differs at byte %ld", i, small_len[i],
		      (void *)small[i], off);
	}
	CHECK(prog_check_fill(big, BIG_LEN, 7) < 0, "big block differs at byte %ld",
	      prog_check_fill(big, BIG_LEN, 7));
	for (int i = 0; i < SPARSE_PAGES; i++) {
		const unsigned char *p = sparse + i * page;

		if (i % 97 == 0) {
			CHECK(prog_check_fill(p, page, 5000 + i) < 0, "sparse page %d differs", i);
			continue;
		}
		for (size_t j = 0; j < page; j++)
			if (p[j]) {
				CHECK(0, "sparse page %d byte %zu is 0x%x, expected 0", i, j, p[j]);
				break;
			}
	}
	CHECK(!prog_maps_line(sparse, line, sizeof(line)), "no mapping at %p", (void *)sparse);
	CHECK(strstr(line, " rw-p "), "sparse mapping is '%s', expected rw-p", line);
	/* The heap still works. */
	for (int i = 0; i < NR_SMALL; i++)
		free(small[i]);
	void *again = malloc(100000);
	CHECK(again != NULL, "malloc after restore failed");
	prog_done();
}
