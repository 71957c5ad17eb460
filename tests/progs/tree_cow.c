// SPDX-License-Identifier: MIT
/*
 * Private memory a tree still shares copy-on-write after fork: 32 MiB of
 * anonymous memory, 8 MiB of heap (brk) and 2 MiB of a private mapping of a
 * file (its copied pages) filled by the parent, then a child A (which then writes
 * page 7 and drops page 9, and forks a grandchild G that writes page 11),
 * the parent writing page 5, and a child B.  After the restore every
 * process sees its own content (each page as it was in that process), and
 * while all four are alive each one's /proc/self/smaps shows the region
 * shared: Shared_* nearly all of it and a Pss near a quarter of it (a
 * private copy in each would be a Pss of all of it), and so the heap and
 * the file mapping.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

#define PG 4096UL
#define SIZE (32UL << 20)
#define HEAP (8UL << 20)

#define FMAP (2UL << 20)

static volatile unsigned long *m, *heap, *fmap;

/* What page @p holds in process @who ('P' parent, 'A', 'G', 'B'). */
static unsigned long want(char who, unsigned long p)
{
	if (p == 5 && (who == 'P' || who == 'B'))
		return 'P';
	if (p == 7 && (who == 'A' || who == 'G'))
		return 'A';
	if (p == 9 && (who == 'A' || who == 'G'))
		return 0;
	if (p == 11 && who == 'G')
		return 'G';
	return p * 2654435761UL + 1;
}

static void put(unsigned long p, unsigned long v)
{
	for (unsigned long i = 0; i < PG / 8; i += 64)
		m[p * PG / 8 + i] = v;
}

/* Rss, Pss and Shared_* (kB) of the mappings whose /proc/self/smaps line starts with @start (or names it); how many. */
static int region_kib(const char *start, unsigned long *rss, unsigned long *pss, unsigned long *sh)
{
	char line[256];
	unsigned long v, kb;
	int n = 0, in = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	*rss = *pss = *sh = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-", &v) == 1 && strchr(line, '-') && strchr(line, ' ') &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = start[0] == '[' ? !!strstr(line, start) : !strncmp(line, start, strlen(start));
			n += in;
		} else if (in && sscanf(line, "Rss: %lu kB", &kb) == 1) {
			*rss += kb;
		} else if (in && sscanf(line, "Pss: %lu kB", &kb) == 1) {
			*pss += kb;
		} else if (in && (sscanf(line, "Shared_Clean: %lu kB", &kb) == 1 ||
				  sscanf(line, "Shared_Dirty: %lu kB", &kb) == 1)) {
			*sh += kb;
		}
	}
	fclose(f);
	return n;
}

/* 0 if the content and the sharing are right; else a line on stderr. */
static int check(char who)
{
	unsigned long rss, pss, sh;
	char start[64];
	int n;

	for (unsigned long p = 0; p < SIZE / PG; p++)
		for (unsigned long i = 0; i < PG / 8; i += 64)
			if (m[p * PG / 8 + i] != want(who, p)) {
				prog_log("%c: page %lu word %lu is %#lx, not %#lx\n", who, p, i, m[p * PG / 8 + i],
					 want(who, p));
				return 1;
			}
	for (unsigned long i = 0; i < HEAP / 8; i += 64)
		if (heap[i] != ~i) {
			prog_log("%c: heap word %lu is %#lx\n", who, i, heap[i]);
			return 1;
		}
	for (unsigned long i = 0; i < FMAP / 8; i += 64)
		if (fmap[i] != i * 3) {
			prog_log("%c: file mapping word %lu is %#lx\n", who, i, fmap[i]);
			return 1;
		}
	snprintf(start, sizeof(start), "%lx-", (unsigned long)fmap);
	n = region_kib(start, &rss, &pss, &sh);
	if (n != 1 || rss < FMAP / 1024 || sh < FMAP / 1024 - 16 || pss > FMAP / 1024 / 4 + 64) {
		prog_log("%c: the file mapping is not shared: %d mappings, Rss %lu Pss %lu Shared %lu kB\n", who, n,
			 rss, pss, sh);
		return 1;
	}
	snprintf(start, sizeof(start), "%lx-", (unsigned long)m);
	n = region_kib(start, &rss, &pss, &sh);
	/* All four share all but a few pages. */
	if (n != 1 || rss < SIZE / 1024 - 16 || sh < SIZE / 1024 - 64 || pss > SIZE / 1024 / 4 + 128) {
		prog_log("%c: the region is not shared: %d mappings, Rss %lu Pss %lu Shared %lu kB\n", who, n, rss,
			 pss, sh);
		return 1;
	}
	/* The heap too, but for the pages stdio and the checks wrote since (and where it grew). */
	n = region_kib("[heap]", &rss, &pss, &sh);
	if (n < 1 || rss < HEAP / 1024 || sh < HEAP / 1024 - 256 || pss > HEAP / 1024 / 4 + 512) {
		prog_log("%c: the heap is not shared: %d mappings, Rss %lu Pss %lu Shared %lu kB\n", who, n, rss, pss,
			 sh);
		return 1;
	}
	return 0;
}

/* A child: ready, then on its go byte the check's verdict, then wait for the end. */
static void __attribute__((noreturn)) child_main(char who, int ready, int go, int res, int bye, pid_t kid)
{
	char c;
	int bad, st;

	if (write(ready, &who, 1) != 1)
		_exit(3);
	tree_wait_byte(go);
	bad = check(who);
	c = bad ? 'b' : 'o';
	if (write(res, &c, 1) != 1)
		_exit(3);
	tree_wait_byte(bye);
	/* A waits for its child G: none is left when the parent is done. */
	if (kid > 0 && (waitpid(kid, &st, 0) != kid || !WIFEXITED(st) || WEXITSTATUS(st)))
		bad = 1;
	_exit(bad);
}

int main(void)
{
	int ready[2], go[2], res[2], bye[2], st, bad = 0;
	pid_t a, b;
	char c;

	m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SETUP(m != MAP_FAILED, "mmap");
	SETUP(!pipe(ready) && !pipe(go) && !pipe(res) && !pipe(bye), "pipe");
	for (unsigned long p = 0; p < SIZE / PG; p++)
		put(p, want('-', p));
	{
		const char *path = prog_path("tree-cow-file");
		int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		SETUP(fd >= 0 && !ftruncate(fd, FMAP), "create %s", path);
		fmap = mmap(NULL, FMAP, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		SETUP(fmap != MAP_FAILED, "mmap %s", path);
		close(fd);
		for (unsigned long i = 0; i < FMAP / 8; i += 64)
			fmap[i] = i * 3;
	}
	heap = sbrk(HEAP);
	SETUP(heap != (void *)-1, "sbrk");
	for (unsigned long i = 0; i < HEAP / 8; i += 64)
		heap[i] = ~i;
	a = fork();
	SETUP(a >= 0, "fork");
	if (!a) {
		pid_t g;

		close(bye[1]);
		put(7, 'A');
		SETUP(!madvise((void *)(m + 9 * PG / 8), PG, MADV_DONTNEED), "madvise");
		g = fork();
		if (g < 0)
			_exit(3);
		if (!g) {
			put(11, 'G');
			child_main('G', ready[1], go[0], res[1], bye[0], 0);
		}
		child_main('A', ready[1], go[0], res[1], bye[0], g);
	}
	put(5, 'P');
	b = fork();
	SETUP(b >= 0, "fork");
	if (!b) {
		close(bye[1]);
		child_main('B', ready[1], go[0], res[1], bye[0], 0);
	}
	/* The parent keeps every end: the children share them through it. */
	for (int i = 0; i < 3; i++)
		SETUP(read(ready[0], &c, 1) == 1, "the children's ready");

	prog_ready();
	prog_wait();

	CHECK(!check('P'), "the parent's memory (see stderr)");
	CHECK(write(go[1], "ggg", 3) == 3, "write to the children");
	for (int i = 0; i < 3; i++)
		if (read(res[0], &c, 1) != 1 || c != 'o')
			bad++;
	CHECK(!bad, "%d of the 3 children found their memory wrong (see stderr)", bad);
	close(bye[1]);
	CHECK(waitpid(b, &st, 0) == b && WIFEXITED(st) && !WEXITSTATUS(st), "B's exit: %#x", st);
	CHECK(waitpid(a, &st, 0) == a && WIFEXITED(st) && !WEXITSTATUS(st), "A's (and G's) exit: %#x", st);
	prog_done();
}
