// SPDX-License-Identifier: MIT
/*
 * pidfds: of the process itself (thread-group, non-blocking and
 * close-on-exec, a dup of it, PIDFD_THREAD of the leader) and dead ones,
 * of children that exited and were reaped (exit code 7, two opens of one
 * child; killed by SIGTERM).  After restore each refers to what it did:
 * the live ones to this process (the same pidfs inode as a new pidfd, its
 * PID in fdinfo and PIDFD_GET_INFO, a signal 0 goes through), the dead
 * ones to no process (Pid -1, ESRCH), readable, with the same exit
 * statuses, the two opens of one child on one inode apart from the other.
 */
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "progs/prog.h"

struct info {
	uint64_t mask, cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
	uint32_t coredump_mask, spare;
};
#define GET_INFO _IOWR(0xFF, 11, struct info)
#define INFO_PID (1UL << 0)
#define INFO_EXIT (1UL << 3)

static int fdinfo_pid(int fd)
{
	char path[64], buf[1024], *p;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (prog_read_file(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, "\nPid:")))
		return -100;
	return atoi(p + 5);
}

static ino_t ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

static int dead_child(int how, int nr, int *fds)
{
	pid_t c = fork();

	if (c < 0)
		return -1;
	if (!c) {
		if (how)
			pause();
		_exit(7);
	}
	for (int i = 0; i < nr; i++)
		fds[i] = (int)syscall(SYS_pidfd_open, c, 0);
	if (how)
		kill(c, how);
	return waitpid(c, NULL, 0) == c ? 0 : -1;
}

static int32_t exit_of(int fd)
{
	struct info in = { .mask = INFO_EXIT };

	if (ioctl(fd, GET_INFO, &in) || !(in.mask & INFO_EXIT))
		return -1;
	return in.exit_code;
}

int main(void)
{
	int self, nb, dup_nb, thr, d7[2], dterm, fl[4];
	bool have_info;
	struct info in = { .mask = INFO_PID };
	struct pollfd p[3];

	self = (int)syscall(SYS_pidfd_open, getpid(), 0);
	SETUP(self >= 0 && fcntl(self, F_SETFD, 0) == 0, "pidfd_open: %s", strerror(errno));
	nb = (int)syscall(SYS_pidfd_open, getpid(), O_NONBLOCK);
	SETUP(nb >= 0 && fcntl(nb, F_SETFD, FD_CLOEXEC) == 0, "pidfd_open(PIDFD_NONBLOCK)");
	dup_nb = dup(nb);
	thr = (int)syscall(SYS_pidfd_open, getpid(), O_EXCL /* PIDFD_THREAD */);
	if (thr < 0 && errno == EINVAL)
		prog_log("no PIDFD_THREAD (kernel before 6.9): not tested");
	SETUP(!dead_child(0, 2, d7) && d7[0] >= 0 && d7[1] >= 0, "child exiting 7");
	SETUP(!dead_child(SIGTERM, 1, &dterm) && dterm >= 0, "child killed by SIGTERM");
	have_info = exit_of(d7[0]) >= 0;
	if (!have_info)
		prog_log("no PIDFD_INFO_EXIT (kernel before 6.15): exit statuses not compared");
	SETUP(!have_info || (exit_of(d7[0]) == 7 << 8 && exit_of(dterm) == SIGTERM), "exit statuses");
	fl[0] = fcntl(self, F_GETFL);
	fl[1] = fcntl(nb, F_GETFL);
	fl[2] = thr >= 0 ? fcntl(thr, F_GETFL) : 0;
	fl[3] = fcntl(d7[1], F_GETFL);

	prog_ready();
	prog_wait();

	/* Live: this process, on the pidfs inode of its PID. */
	int fresh = (int)syscall(SYS_pidfd_open, getpid(), 0);

	CHECK(fresh >= 0 && ino_of(self) == ino_of(fresh) && ino_of(nb) == ino_of(fresh),
	      "self pidfds not on the process's pidfs inode (%lu %lu, new %lu)", (unsigned long)ino_of(self),
	      (unsigned long)ino_of(nb), (unsigned long)ino_of(fresh));
	CHECK(fdinfo_pid(self) == getpid() && fdinfo_pid(nb) == getpid(), "fdinfo Pid %d %d, process %d",
	      fdinfo_pid(self), fdinfo_pid(nb), getpid());
	CHECK(!ioctl(self, GET_INFO, &in) && in.pid == (uint32_t)getpid(), "PIDFD_GET_INFO pid %u", in.pid);
	CHECK(syscall(SYS_pidfd_send_signal, self, 0, NULL, 0) == 0, "signal 0 through the pidfd: %s",
	      strerror(errno));
	CHECK(fcntl(self, F_GETFL) == fl[0] && fcntl(nb, F_GETFL) == fl[1] && fcntl(d7[1], F_GETFL) == fl[3],
	      "flags 0%o 0%o 0%o, were 0%o 0%o 0%o", fcntl(self, F_GETFL), fcntl(nb, F_GETFL),
	      fcntl(d7[1], F_GETFL), fl[0], fl[1], fl[3]);
	CHECK(fcntl(self, F_GETFD) == 0 && fcntl(nb, F_GETFD) == FD_CLOEXEC && fcntl(dup_nb, F_GETFD) == 0,
	      "fd flags");
	fcntl(dup_nb, F_SETFL, 0);
	CHECK(!(fcntl(nb, F_GETFL) & O_NONBLOCK), "the dup no longer shares nb's description");
	if (thr >= 0) {
		CHECK(fcntl(thr, F_GETFL) == fl[2] && (fl[2] & O_EXCL), "PIDFD_THREAD flags 0%o, were 0%o",
		      fcntl(thr, F_GETFL), fl[2]);
		CHECK(fdinfo_pid(thr) == getpid() && ino_of(thr) == ino_of(fresh), "PIDFD_THREAD pidfd");
	}

	/* Dead: no process, readable, the same exits; the two opens of one child on one inode. */
	CHECK(fdinfo_pid(d7[0]) == -1 && fdinfo_pid(d7[1]) == -1 && fdinfo_pid(dterm) == -1,
	      "fdinfo Pid of the dead pidfds: %d %d %d", fdinfo_pid(d7[0]), fdinfo_pid(d7[1]), fdinfo_pid(dterm));
	CHECK(syscall(SYS_pidfd_send_signal, d7[0], 0, NULL, 0) < 0 && errno == ESRCH,
	      "signal through a dead pidfd did not fail with ESRCH");
	CHECK(ino_of(d7[0]) == ino_of(d7[1]) && ino_of(d7[0]) != ino_of(dterm) && ino_of(d7[0]) != ino_of(self),
	      "inodes of the dead pidfds %lu %lu %lu", (unsigned long)ino_of(d7[0]), (unsigned long)ino_of(d7[1]),
	      (unsigned long)ino_of(dterm));
	for (int i = 0; i < 3; i++)
		p[i] = (struct pollfd){ .fd = i == 0 ? d7[0] : i == 1 ? d7[1] : dterm, .events = POLLIN };
	CHECK(poll(p, 3, 0) == 3, "dead pidfds not all readable");
	p[0] = (struct pollfd){ .fd = self, .events = POLLIN };
	CHECK(poll(p, 1, 0) == 0, "the live pidfd is readable");
	if (have_info)
		CHECK(exit_of(d7[0]) == 7 << 8 && exit_of(d7[1]) == 7 << 8 && exit_of(dterm) == SIGTERM,
		      "exit statuses 0x%x 0x%x 0x%x", exit_of(d7[0]), exit_of(d7[1]), exit_of(dterm));
	prog_done();
}
