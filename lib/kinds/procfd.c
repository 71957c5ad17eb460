// SPDX-License-Identifier: MIT
/*
 * Fds on the process's own /proc files (the procfd fds), regular files and
 * directories (reg.c, dir.c) that the fd drivers treat apart: the dump's
 * test for those of another thread (the driver and epoll.c ask it), and
 * their restore (lib/restore/files.c hands them here).  /proc/PID/status, as /proc/self/status shows itself, or
 * /proc/PID/maps cannot be opened before the PID exists: such an fd is
 * opened by the stub, which has the PID.  One of another thread, under
 * /proc/PID/task/TID or /proc/TID, can only be opened once that thread
 * exists: the stub holds its number with a placeholder, and
 * rf_reopen_own_proc() opens the file in the process by injection (after
 * restore_create_threads()) and puts it on every fd of the description.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cr.h"
#include <sudcr/log.h>

#include "fd.h"
#include "files.h"

/* ---- dump ---- */

/*
 * A file under /proc of another thread of the process (/proc/PID/task/TID,
 * /proc/TID): the restore opens it only once the threads exist, after the
 * epolls are filled (below).
 */
bool procfd_other_thread(const struct dump_ctx *d, const char *path)
{
	char *end;
	long n;

	if (strncmp(path, "/proc/", 6))
		return false;
	n = strtol(path + 6, &end, 10);
	if (n == d->pid && !strncmp(end, "/task/", 6))
		n = strtol(end + 6, &end, 10);
	if (n <= 0 || n == d->pid || (*end && *end != '/'))
		return false;
	for (int i = 0; i < d->nr_threads; i++)
		if (d->threads[i].tid == n)
			return true;
	return false;
}

/* ---- restore ---- */

/* Flags open(2) takes from the image, and those only F_SETFL sets (as RF_*_FLAGS in files.h). */
#define PROCFD_OPEN_FLAGS	(O_ACCMODE | O_APPEND | O_NONBLOCK | O_SYNC | O_DIRECT | \
				 O_NOATIME | O_LARGEFILE)
#define PROCFD_SETFL_FLAGS	(O_APPEND | O_ASYNC | O_DIRECT | O_NOATIME | O_NONBLOCK)

/* "/proc/N" followed by '/' or the end: N, else -1.  *rest: after it. */
static long proc_number(const char *p, const char **rest)
{
	char *end;
	long n;

	if (strncmp(p, "/proc/", 6) || p[6] < '1' || p[6] > '9')
		return -1;
	errno = 0;
	n = strtol(p + 6, &end, 10);
	if (errno || n <= 0 || n > INT_MAX || (*end && *end != '/'))
		return -1;
	*rest = *end ? end + 1 : end;
	return n;
}

/*
 * A file or directory under /proc/PID (the process's own, as /proc/self
 * shows it), /proc/PID/task/TID or /proc/TID of one of its threads does
 * not exist before the restore: it is opened in the new process once the
 * PID (the stub) or the thread (restore_files(), by injection) is there.
 */
void rf_mark_own_proc(const struct restore_ctx *r, struct rf_fd *e)
{
	const char *rest;
	long n, tid;

	if (e->rec->kind != REC_FD_REG && e->rec->kind != REC_FD_DIR)
		return;
	n = proc_number(e->path, &rest);
	if (n == r->proc.pid) {
		e->proc_tid = (pid_t)n;
		if (!strncmp(rest, "task/", 5)) {
			char sub[REC_PATH_MAX + 8];

			/* "/proc/PID/task/TID..." needs what "/proc/TID..." needs. */
			snprintf(sub, sizeof(sub), "/proc/%s", rest + 5);
			tid = proc_number(sub, &rest);
			if (tid > 0 && restore_image_thread_index(r, tid) >= 0)
				e->proc_tid = (pid_t)tid;
		}
	} else if (n > 0 && restore_image_thread_index(r, n) >= 0) {
		e->proc_tid = (pid_t)n;
	}
	e->proc_later = e->proc_tid && e->proc_tid != r->proc.pid;
}

/*
 * The stub fills epolls with what is at each fd number, and a file of
 * another thread's /proc is only a placeholder there: refuse rather than
 * watch the placeholder.
 */
int rf_refuse_watched_later(const struct restore_files_state *s)
{
	for (int i = 0; i < s->nr; i++) {
		const struct rec_epoll *h = s->fds[i].epoll;
		const struct rec_epoll_tfd *t;

		if (!h)
			continue;
		t = (const struct rec_epoll_tfd *)(h + 1);
		for (uint32_t k = 0; k < h->nr; k++) {
			int j = rf_find_fd(s, t[k].tfd);

			if (j >= 0 && s->fds[s->fds[j].desc].proc_later) {
				sudcr_error("cannot restore fd %d (epoll): it watches fd %d (%s), a "
					    "file of another thread's /proc: not supported",
					    h->fd, t[k].tfd, s->fds[j].path);
				return -EOPNOTSUPP;
			}
		}
	}
	return 0;
}

/* In the stub: what holds the number of fd @e until its thread exists (restore_files()). */
int rf_proc_placeholder(const struct rf_fd *e)
{
	bool dir = e->rec->kind == REC_FD_DIR;

	return open(dir ? "/" : "/dev/null", (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
}

/* Inject @name into @th; a failure of the call itself is reported for fd @e. */
static int procfd_inject(struct cr_thread *th, const struct rf_fd *e, enum arch_sc sc,
			 int64_t *res, uint64_t a0, uint64_t a1, uint64_t a2)
{
	long nr = arch_sc_nr(th->inj.kind, sc);
	int64_t v;
	int ret = cr_inject(th, nr, &v, a0, a1, a2, 0, 0, 0);

	if (ret)
		return ret;
	if (v < 0 && v >= -4095) {
		sudcr_error("cannot restore fd %d (%s): %s: %s", e->rec->fd, e->path,
			    arch_syscall_name(th->inj.kind, nr), strerror((int)-v));
		return (int)v;
	}
	if (res)
		*res = v;
	return 0;
}

/*
 * Open description @i, a file under /proc of a thread that now exists, in
 * the process and put it on every fd of the description, in place of the
 * stub's placeholder.
 */
static int reopen_one(struct restore_files_state *s, struct cr_thread *th, int i,
		      uint64_t scratch)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rec_fd *rec = e->rec;
	int flags = (int)(rec->flags & PROCFD_OPEN_FLAGS) | O_CLOEXEC |
		    (rec->kind == REC_FD_DIR ? O_DIRECTORY : 0);
	int64_t nfd;
	int ret;

	ret = inject_write_mem(th->tid, scratch, e->path, strlen(e->path) + 1);
	if (ret) {
		sudcr_error("thread %d: cannot write to its scratch area: %s", th->tid,
			    strerror(-ret));
		return ret;
	}
	ret = procfd_inject(th, e, SC_OPENAT, &nfd, (uint64_t)AT_FDCWD, scratch, flags);
	if (ret)
		return ret;
	for (int j = 0; j < s->nr && !ret; j++) {
		if (s->fds[j].desc == i)
			ret = procfd_inject(th, &s->fds[j], SC_DUP3, NULL, nfd, s->fds[j].rec->fd,
					    s->fds[j].rec->fd_flags & FD_CLOEXEC ? O_CLOEXEC : 0);
	}
	if (!ret && (rec->flags & O_ASYNC))
		ret = procfd_inject(th, e, SC_FCNTL, NULL, rec->fd, F_SETFL,
				    rec->flags & PROCFD_SETFL_FLAGS);
	/* The ia32 lseek takes 32 bits: enough for any position in a /proc file. */
	if (!ret && rec->pos)
		ret = procfd_inject(th, e, SC_LSEEK, NULL, rec->fd, rec->pos, SEEK_SET);
	if (!ret)
		ret = procfd_inject(th, e, SC_CLOSE, NULL, nfd, 0, 0);
	return ret;
}

int rf_reopen_own_proc(struct restore_ctx *r, struct restore_files_state *s)
{
	struct cr_thread *th = NULL;
	uint64_t scratch;
	int ret;

	for (int i = 0; i < s->nr; i++) {
		if (!s->fds[i].proc_later || s->fds[i].desc != i)
			continue;
		for (int k = 0; k < r->tp.nr_threads && !th; k++)
			if (r->cthreads[k].tid == r->pid)
				th = &r->cthreads[k];
		if (!th) {
			sudcr_error("thread %d of the image is missing in the new process", r->pid);
			return -ESRCH;
		}
		ret = cr_scratch(th, REC_PATH_MAX + 64, &scratch);
		if (!ret)
			ret = reopen_one(s, th, i, scratch);
		if (ret)
			return ret;
	}
	return 0;
}
