// SPDX-License-Identifier: MIT
/*
 * Fds open on the process's own /proc files are reopened once the process
 * (and each of its threads) exists again: /proc/self/status (which the
 * kernel shows as /proc/PID/status), /proc/self/maps, the main thread's
 * /proc/thread-self/comm, another thread's /proc/self/task/TID/status and
 * its /proc/TID/stat, and the directory /proc/self/task.  Each fd must
 * lead to the same file as its path (same inode), be at its offset, and
 * read the restored process's own, current data.
 */
#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "progs/prog.h"

static int go_pipe[2];
static volatile pid_t thread_tid;

static void *thread_main(void *arg)
{
	char c;

	(void)arg;
	thread_tid = gettid();
	while (read(go_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

struct pfd {
	const char *open_path;
	char path[128];		/* as the kernel shows it */
	int fd;
	off_t pos;
	bool dir;
};

static void check_same(const struct pfd *p)
{
	char proc[64], link[256] = "";
	struct stat a, b;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", p->fd);
	CHECK(readlink(proc, link, sizeof(link) - 1) > 0 && !strcmp(link, p->path),
	      "fd %d is '%s', expected '%s'", p->fd, link, p->path);
	CHECK(!fstat(p->fd, &a) && !stat(p->path, &b) && a.st_ino == b.st_ino && a.st_dev == b.st_dev,
	      "fd %d is not %s (%s)", p->fd, p->path, strerror(errno));
	if (!p->dir)
		CHECK_EQ(lseek(p->fd, 0, SEEK_CUR), p->pos);
}

/* Read the whole of @fd from 0 into @buf (NUL-terminated). */
static long read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	long n;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return -errno;
	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	return len;
}

int main(void)
{
	struct pfd f[6] = {
		{ .open_path = "/proc/self/status" }, { .open_path = "/proc/self/maps" },
		{ .open_path = "/proc/thread-self/comm" }, { .open_path = "task status" },
		{ .open_path = "tid stat" }, { .open_path = "/proc/self/task", .dir = true },
	};
	char buf[65536], want[64], c;
	pthread_t t;
	pid_t pid = getpid();

	SETUP(!pipe(go_pipe), "pipe");
	SETUP(!pthread_create(&t, NULL, thread_main, NULL), "pthread_create");
	while (!thread_tid)
		usleep(1000);
	snprintf(f[0].path, sizeof(f[0].path), "/proc/%d/status", pid);
	snprintf(f[1].path, sizeof(f[1].path), "/proc/%d/maps", pid);
	snprintf(f[2].path, sizeof(f[2].path), "/proc/%d/task/%d/comm", pid, pid);
	snprintf(f[3].path, sizeof(f[3].path), "/proc/%d/task/%d/status", pid, thread_tid);
	snprintf(f[4].path, sizeof(f[4].path), "/proc/%d/stat", thread_tid);
	snprintf(f[5].path, sizeof(f[5].path), "/proc/%d/task", pid);
	for (int i = 0; i < 6; i++) {
		const char *p = i == 3 || i == 4 ? f[i].path : f[i].open_path;

		f[i].fd = open(p, O_RDONLY | (f[i].dir ? O_DIRECTORY : 0));
		SETUP(f[i].fd >= 0, "open %s", p);
		if (!f[i].dir) {
			f[i].pos = i + 3;
			SETUP(read(f[i].fd, buf, f[i].pos) == f[i].pos, "read %s", p);
		}
	}
	for (int i = 0; i < 6; i++)
		check_same(&f[i]);

	prog_ready();
	prog_wait();

	for (int i = 0; i < 6; i++)
		check_same(&f[i]);
	snprintf(want, sizeof(want), "\nPid:\t%d\n", pid);
	CHECK(read_all(f[0].fd, buf, sizeof(buf)) > 0 && strstr(buf, want), "status of fd %d: %.80s",
	      f[0].fd, buf);
	CHECK(read_all(f[1].fd, buf, sizeof(buf)) > 0 && strstr(buf, "[stack]"), "maps of fd %d: %.80s",
	      f[1].fd, buf);
	snprintf(want, sizeof(want), "\nPid:\t%d\n", thread_tid);
	CHECK(read_all(f[3].fd, buf, sizeof(buf)) > 0 && strstr(buf, want),
	      "thread status of fd %d: %.80s", f[3].fd, buf);
	snprintf(want, sizeof(want), "%d (", thread_tid);
	CHECK(read_all(f[4].fd, buf, sizeof(buf)) > 0 && !strncmp(buf, want, strlen(want)),
	      "thread stat of fd %d: %.80s", f[4].fd, buf);
	c = 'x';
	CHECK(write(go_pipe[1], &c, 1) == 1, "wake the thread");
	pthread_join(t, NULL);
	prog_done();
}
