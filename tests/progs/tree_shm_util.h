/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_TESTS_TREE_SHM_UTIL_H
#define SUDCR_TESTS_TREE_SHM_UTIL_H

/*
 * Shared memory across a tree (tests/progs/tree_shm_*.c): a parent, its
 * child and a grandchild share @m (4 pages or more, made by the caller),
 * each having written a page of its own before the dump (page 0 the
 * parent before the fork, 1 the child, 2 the grandchild, 3 the parent
 * after the fork), so each page is present in the page tables of one of
 * them only.  After the restore each checks every page and writes one
 * byte the others must see: the memory is one object again, with all its
 * content.  @child_view, if not NULL, is called in the child after the
 * fork: another mapping of the object of its own (returns it, or NULL).
 * The caller ends with prog_done().
 */

#include <sys/mman.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

#define SHM_PAGE 4096

static int shm_check_pages(volatile char *m, const char *who)
{
	static const char want[4] = { 'P', 'C', 'G', 'Q' };

	for (int p = 0; p < 4; p++)
		for (int i = 0; i < SHM_PAGE; i += 256)
			if (i != 512 && m[p * SHM_PAGE + i] != want[p]) {
				prog_log("%s: page %d byte %d is %#x, not '%c'\n", who, p, i,
					 m[p * SHM_PAGE + i], want[p]);
				return 1;
			}
	return 0;
}

static void shm_fill(volatile char *m, int page, char c)
{
	for (int i = 0; i < SHM_PAGE; i++)
		m[page * SHM_PAGE + i] = i == 512 ? 0 : c;
}

/* Wait for the byte in @go, check the pages and the marks written before, write @mark at byte 512 of @page. */
static int shm_member(volatile char *m, volatile char *view, int go, const char *who, int page, char mark)
{
	int bad;

	tree_wait_byte(go);
	bad = shm_check_pages(m, who);
	if (view && !bad && view[0] != 'C') {
		prog_log("%s: its own view reads %#x, not 'C'\n", who, view[0]);
		bad = 1;
	}
	if (!bad && (m[3 * SHM_PAGE + 512] != 'p' || (page == 2 && m[1 * SHM_PAGE + 512] != 'c'))) {
		prog_log("%s: the writes of the others are not seen\n", who);
		bad = 1;
	}
	m[page * SHM_PAGE + 512] = mark;
	return bad;
}

static PROG_UNUSED void tree_shm_run(volatile char *m, volatile char *(*child_view)(void))
{
	int go[2], ready[2], ggo[2], st;
	pid_t child;
	char c;

	SETUP(!pipe(go) && !pipe(ready) && !pipe(ggo), "pipe");
	shm_fill(m, 0, 'P');
	child = fork();
	SETUP(child >= 0, "fork");
	if (!child) {
		volatile char *view = child_view ? child_view() : NULL;
		pid_t g;
		int bad;

		close(go[1]);
		close(ready[0]);
		shm_fill(m, 1, 'C');
		g = fork();
		if (g < 0)
			_exit(3);
		if (!g) {
			close(ggo[1]);
			shm_fill(m, 2, 'G');
			if (write(ready[1], "g", 1) != 1)
				_exit(3);
			_exit(shm_member(m, NULL, ggo[0], "grandchild", 2, 'g'));
		}
		close(ggo[0]);
		if (write(ready[1], "c", 1) != 1)
			_exit(3);
		bad = shm_member(m, view, go[0], "child", 1, 'c');
		/* The grandchild goes after the child wrote: it sees that too. */
		if (write(ggo[1], "g", 1) != 1)
			_exit(3);
		if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st)) {
			prog_log("child: grandchild's exit %#x\n", st);
			bad = 1;
		}
		if (!bad && (m[1 * SHM_PAGE + 512] != 'c' || m[2 * SHM_PAGE + 512] != 'g')) {
			prog_log("child: the grandchild's write is not seen\n");
			bad = 1;
		}
		_exit(bad);
	}
	close(go[0]);
	close(ready[1]);
	close(ggo[0]);
	close(ggo[1]);
	shm_fill(m, 3, 'Q');
	SETUP(read(ready[0], &c, 1) == 1 && read(ready[0], &c, 1) == 1, "the children's ready");

	prog_ready();
	prog_wait();

	CHECK(!shm_check_pages(m, "parent"), "the parent's pages");
	m[3 * SHM_PAGE + 512] = 'p';
	CHECK(write(go[1], "g", 1) == 1, "write to the child");
	CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && !WEXITSTATUS(st), "the child's exit: %#x", st);
	CHECK(m[1 * SHM_PAGE + 512] == 'c' && m[2 * SHM_PAGE + 512] == 'g',
	      "the parent sees the child's and grandchild's writes: %#x %#x", m[1 * SHM_PAGE + 512],
	      m[2 * SHM_PAGE + 512]);
}

#endif
