// SPDX-License-Identifier: MIT
/*
 * lock_mapped_nofd, for tests/cli/locks_mapped.sh (the protocol of
 * tests/progs/prog.h): a POSIX lock on a file the process maps shared
 * read-write through an fd it has closed since; what is left open on the
 * file is read-only.  The restore could map it only by opening and
 * closing the file in the process, which drops the lock: the dump must
 * fail with one line naming the fd and the mapping, and the process
 * keeps its lock (checked after "go", by a child).
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include "progs/prog.h"

int main(void)
{
	const char *p = prog_path("lock_mapped_nofd.dat");
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600), status;
	char *m;

	SETUP(fd >= 0 && ftruncate(fd, 4096) == 0, "create");
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	SETUP(m != MAP_FAILED && !close(fd), "mmap");
	fd = open(p, O_RDONLY);
	SETUP(fd >= 0 && !fcntl(fd, F_SETLK, &fl), "F_SETLK");
	m[0] = 1;

	prog_ready();
	prog_wait();

	pid_t pid = fork();

	if (pid == 0) {
		struct flock w = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
		int f = open(p, O_RDWR);

		_exit(f >= 0 && !fcntl(f, F_GETLK, &w) && w.l_type == F_RDLCK && w.l_pid == getppid() ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status),
	      "the lock is still held");
	CHECK(m[0] == 1, "mapping");
	prog_done();
}
