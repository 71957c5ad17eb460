// SPDX-License-Identifier: MIT
/*
 * POSIX locks on files the process also maps, as sqlite3 in WAL mode holds
 * them on its -shm file: a file opened O_RDWR, mapped shared read-write,
 * and locked (write lock on bytes 120-127, read lock on 128-135) through
 * that fd; a second file opened O_RDONLY, mapped private and shared
 * read-only, read-locked on bytes 0-9.  The restore maps them through
 * those fds (an open and close of the file would drop the locks).  After
 * restore a child sees each lock held by the process, the shared mapping
 * and the fd still show one file, and the process can unlock and lock
 * again.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include "progs/prog.h"

static int getlk(int fd, short type, off_t start, off_t len, struct flock *out)
{
	*out = (struct flock){ .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, F_GETLK, out);
}

static int setlk(int fd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	return fcntl(fd, F_SETLK, &fl);
}

static int child_checks(void)
{
	int fa = open(prog_path("fd_lock_mapped.shm"), O_RDWR);
	int fb = open(prog_path("fd_lock_mapped.ro"), O_RDONLY);
	pid_t parent = getppid();
	struct flock fl;

	CHECK(fa >= 0 && fb >= 0, "child: open");
	CHECK(!getlk(fa, F_RDLCK, 120, 8, &fl), "a: F_GETLK");
	CHECK(fl.l_type == F_WRLCK && fl.l_start == 120 && fl.l_len == 8 && fl.l_pid == parent,
	      "a: write lock: type %d start %lld len %lld pid %d (parent %d)", fl.l_type,
	      (long long)fl.l_start, (long long)fl.l_len, fl.l_pid, parent);
	CHECK(!getlk(fa, F_WRLCK, 128, 8, &fl), "a: F_GETLK 2");
	CHECK(fl.l_type == F_RDLCK && fl.l_start == 128 && fl.l_len == 8 && fl.l_pid == parent,
	      "a: read lock: type %d start %lld len %lld pid %d", fl.l_type, (long long)fl.l_start,
	      (long long)fl.l_len, fl.l_pid);
	CHECK(!getlk(fb, F_WRLCK, 0, 10, &fl), "b: F_GETLK");
	CHECK(fl.l_type == F_RDLCK && fl.l_start == 0 && fl.l_len == 10 && fl.l_pid == parent,
	      "b: read lock: type %d start %lld len %lld pid %d", fl.l_type, (long long)fl.l_start,
	      (long long)fl.l_len, fl.l_pid);
	return prog_nr_failed ? 1 : 0;
}

static int run_child(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(child_checks());
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
	const char *pa = prog_path("fd_lock_mapped.shm"), *pb = prog_path("fd_lock_mapped.ro");
	char buf[8];
	int fa, fb;

	fa = open(pa, O_RDWR | O_CREAT | O_TRUNC, 0600);
	SETUP(fa >= 0 && ftruncate(fa, 32768) == 0, "create %s", pa);
	fb = open(pb, O_RDWR | O_CREAT | O_TRUNC, 0600);
	SETUP(fb >= 0 && pwrite(fb, "readonly", 8, 0) == 8 && ftruncate(fb, 4096) == 0 && !close(fb),
	      "create %s", pb);
	fb = open(pb, O_RDONLY);
	SETUP(fb >= 0, "open %s", pb);

	char *shm = mmap(NULL, 32768, PROT_READ | PROT_WRITE, MAP_SHARED, fa, 0);
	char *priv = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fb, 0);
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fb, 0);

	SETUP(shm != MAP_FAILED && priv != MAP_FAILED && ro != MAP_FAILED, "mmap");
	memcpy(shm + 100, "before", 6);
	SETUP(!setlk(fa, F_WRLCK, 120, 8) && !setlk(fa, F_RDLCK, 128, 8) && !setlk(fb, F_RDLCK, 0, 10),
	      "F_SETLK");

	prog_ready();
	prog_wait();

	CHECK(run_child() == 0, "the locks as another process sees them");
	CHECK(!memcmp(shm + 100, "before", 6), "shared mapping contents");
	memcpy(shm + 200, "after!", 6);
	CHECK(pread(fa, buf, 6, 200) == 6 && !memcmp(buf, "after!", 6), "the shared mapping is the file's");
	CHECK(!memcmp(priv, "readonly", 8) && !memcmp(ro, "readonly", 8), "read-only mappings");
	CHECK(!setlk(fa, F_UNLCK, 120, 16) && !setlk(fa, F_WRLCK, 120, 8), "unlock and lock again");
	prog_done();
}
