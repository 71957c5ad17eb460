// SPDX-License-Identifier: MIT
/*
 * Private mappings of shared objects that the process has not written
 * keep following the object; the pages they copied on write stay theirs:
 *  - shared anonymous memory (2 pages), mapped privately through
 *    /proc/self/map_files for 3 pages: one page past the object's end,
 *    which must still fault with SIGBUS;
 *  - a deleted file held open, mapped privately, with no shared mapping;
 *  - a memfd held open, mapped privately.
 * After restore a write to the object (through the shared mapping or the
 * fd) shows through the private view where it had not copied the page.
 */
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

#include "progs/prog.h"

static sigjmp_buf jump;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(jump, 1);
}

/* 1 if reading @p raises SIGBUS. */
static int faults(volatile unsigned char *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	volatile int bus = 0;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(jump, 1))
		bus = 1;
	else
		(void)*p;
	sigaction(SIGBUS, &old, NULL);
	return bus;
}

int main(void)
{
	size_t page = sysconf(_SC_PAGESIZE);
	unsigned char *shm, *shm_view, *del_view, *mfd_view;
	char path[128];
	int fd, del, mfd;

	/* Shared anonymous memory and a private view of it, one page too long. */
	shm = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	SETUP(shm != MAP_FAILED, "mmap shared");
	memset(shm, 's', 2 * page);
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", (unsigned long)shm,
		 (unsigned long)(shm + 2 * page));
	fd = open(path, O_RDWR);
	if (fd < 0)
		prog_skip("cannot open %s: %s", path, strerror(errno));
	shm_view = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	SETUP(shm_view != MAP_FAILED, "mmap the private view");
	close(fd);
	SETUP(shm_view[0] == 's', "view");
	shm_view[page] = 'p';	/* the view's own copy of page 1 */
	SETUP(faults(shm_view + 2 * page), "no SIGBUS past the object before the dump");

	/* A deleted file, open, mapped privately. */
	snprintf(path, sizeof(path), "%s", prog_path("deleted"));
	del = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	SETUP(del >= 0 && !ftruncate(del, 2 * page) && pwrite(del, "file", 4, 0) == 4 && !unlink(path),
	      "deleted file");
	del_view = mmap(NULL, 2 * page, PROT_READ, MAP_PRIVATE, del, 0);
	SETUP(del_view != MAP_FAILED && del_view[0] == 'f', "mmap the deleted file");

	/* A memfd, open, mapped privately. */
	mfd = memfd_create("prog-view", 0);
	SETUP(mfd >= 0 && !ftruncate(mfd, 2 * page) && pwrite(mfd, "memfd", 5, page) == 5, "memfd");
	mfd_view = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, mfd, 0);
	SETUP(mfd_view != MAP_FAILED && mfd_view[page] == 'm', "mmap the memfd");
	mfd_view[0] = 'c';

	prog_ready();
	prog_wait();

	CHECK(shm[0] == 's' && shm_view[0] == 's' && shm_view[page] == 'p', "contents of the shared memory views");
	shm[0] = 'N';
	shm[page] = 'N';
	CHECK(shm_view[0] == 'N', "the private view of shared memory no longer follows it");
	CHECK(shm_view[page] == 'p', "the private view lost its own copy of a page");
	CHECK(faults(shm_view + 2 * page), "the page past the shared object's end no longer faults");

	CHECK(pwrite(del, "FILE", 4, 0) == 4 && del_view[0] == 'F',
	      "the private view of the deleted file no longer follows it");
	CHECK(pwrite(mfd, "MEMFD", 5, page) == 5 && mfd_view[page] == 'M',
	      "the private view of the memfd no longer follows it");
	CHECK(mfd_view[0] == 'c', "the memfd view lost its own copy of a page");
	prog_done();
}
