// SPDX-License-Identifier: MIT
/*
 * File locks: a shared flock on one file (at two fds, dup), an exclusive
 * flock on another, an OFD write lock on bytes 100-149 of a third, and
 * POSIX locks on two separate ranges of a fourth (read 0-9, write 20 to
 * EOF).  After restore a child (which owns none of them) sees each one:
 * flock LOCK_NB fails where it must, F_OFD_GETLK and F_GETLK report the
 * type and range, and for POSIX the process's pid; a shared flock lets
 * the child share it.  Then the process itself can still unlock and lock
 * again.
 */
#include <sys/file.h>
#include <sys/wait.h>

#include "progs/prog.h"

static int getlk(int fd, int cmd, short type, off_t start, off_t len, struct flock *out)
{
	*out = (struct flock){ .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, out);
}

/* In a child: what another process sees; exit status 0 if all is right. */
static int child_checks(void)
{
	int fa = open(prog_path("fd_locks.a"), O_RDWR);
	int fb = open(prog_path("fd_locks.b"), O_RDWR);
	int fc = open(prog_path("fd_locks.c"), O_RDWR);
	int fd = open(prog_path("fd_locks.d"), O_RDWR);
	pid_t parent = getppid();
	struct flock fl;

	CHECK(fa >= 0 && fb >= 0 && fc >= 0 && fd >= 0, "child: open");
	/* a: LOCK_SH held: another shared lock goes, an exclusive one does not. */
	CHECK(flock(fa, LOCK_EX | LOCK_NB) == -1 && errno == EWOULDBLOCK, "a: LOCK_EX should conflict");
	CHECK(flock(fa, LOCK_SH | LOCK_NB) == 0, "a: LOCK_SH should be shared");
	flock(fa, LOCK_UN);
	/* b: LOCK_EX held. */
	CHECK(flock(fb, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK, "b: LOCK_SH should conflict");
	/* c: OFD write lock on 100-149. */
	CHECK(!getlk(fc, F_OFD_GETLK, F_RDLCK, 0, 0, &fl), "c: F_OFD_GETLK");
	CHECK(fl.l_type == F_WRLCK && fl.l_start == 100 && fl.l_len == 50 && fl.l_pid == -1,
	      "c: OFD lock type %d start %lld len %lld pid %d", fl.l_type, (long long)fl.l_start,
	      (long long)fl.l_len, fl.l_pid);
	CHECK(!getlk(fc, F_OFD_GETLK, F_WRLCK, 0, 100, &fl) && fl.l_type == F_UNLCK, "c: 0-99 free");
	CHECK(!getlk(fc, F_OFD_GETLK, F_WRLCK, 150, 0, &fl) && fl.l_type == F_UNLCK, "c: 150- free");
	/* d: POSIX read 0-9, write 20-EOF, owned by the parent. */
	CHECK(!getlk(fd, F_GETLK, F_WRLCK, 0, 10, &fl), "d: F_GETLK");
	CHECK(fl.l_type == F_RDLCK && fl.l_start == 0 && fl.l_len == 10 && fl.l_pid == parent,
	      "d: first lock type %d start %lld len %lld pid %d (parent %d)", fl.l_type,
	      (long long)fl.l_start, (long long)fl.l_len, fl.l_pid, parent);
	CHECK(!getlk(fd, F_GETLK, F_RDLCK, 0, 10, &fl) && fl.l_type == F_UNLCK, "d: 0-9 shared");
	CHECK(!getlk(fd, F_GETLK, F_WRLCK, 10, 10, &fl) && fl.l_type == F_UNLCK, "d: 10-19 free");
	CHECK(!getlk(fd, F_GETLK, F_RDLCK, 10, 0, &fl), "d: F_GETLK 2");
	CHECK(fl.l_type == F_WRLCK && fl.l_start == 20 && fl.l_len == 0 && fl.l_pid == parent,
	      "d: second lock type %d start %lld len %lld pid %d", fl.l_type,
	      (long long)fl.l_start, (long long)fl.l_len, fl.l_pid);
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

static int make(const char *name, int flags)
{
	const char *p = prog_path(name);
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);

	SETUP(fd >= 0 && ftruncate(fd, 4096) == 0, "create %s", p);
	close(fd);
	fd = open(p, flags);
	SETUP(fd >= 0, "open %s", p);
	return fd;
}

int main(void)
{
	int a = make("fd_locks.a", O_RDONLY), b = make("fd_locks.b", O_RDWR);
	int c = make("fd_locks.c", O_RDWR), d = make("fd_locks.d", O_RDWR);
	int a2 = dup(a);
	struct flock fl;

	SETUP(a2 >= 0 && !flock(a, LOCK_SH) && !flock(b, LOCK_EX), "flock");
	SETUP(!getlk(c, F_OFD_SETLK, F_WRLCK, 100, 50, &fl), "F_OFD_SETLK");
	SETUP(!getlk(d, F_SETLK, F_RDLCK, 0, 10, &fl), "F_SETLK 0-9");
	SETUP(!getlk(d, F_SETLK, F_WRLCK, 20, 0, &fl), "F_SETLK 20-");
	SETUP(run_child() == 0, "child checks before the dump");

	prog_ready();
	prog_wait();

	CHECK(run_child() == 0, "another process does not see the locks as they were (see stderr)");
	/* The process's own: unlock, lock again, and the child sees the change. */
	CHECK(!flock(a2, LOCK_UN), "a: LOCK_UN");
	CHECK(!flock(b, LOCK_UN) && !flock(b, LOCK_EX | LOCK_NB), "b: unlock and relock");
	CHECK(!getlk(c, F_OFD_SETLK, F_UNLCK, 100, 50, &fl), "c: OFD unlock");
	CHECK(!getlk(c, F_OFD_SETLK, F_RDLCK, 0, 1, &fl), "c: OFD relock");
	CHECK(!getlk(d, F_SETLK, F_UNLCK, 0, 0, &fl), "d: POSIX unlock all");
	CHECK(!getlk(d, F_SETLK, F_WRLCK, 5, 5, &fl), "d: POSIX relock");
	{
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			int fa = open(prog_path("fd_locks.a"), O_RDONLY);
			int fd2 = open(prog_path("fd_locks.d"), O_RDWR);
			struct flock g;
			int ok = fa >= 0 && fd2 >= 0 && !flock(fa, LOCK_EX | LOCK_NB) &&
				 !getlk(fd2, F_GETLK, F_RDLCK, 0, 0, &g) && g.l_type == F_WRLCK &&
				 g.l_start == 5 && g.l_len == 5;

			_exit(ok ? 0 : 1);
		}
		CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 0, "after unlock/relock the child sees the new state");
	}
	prog_done();
}
