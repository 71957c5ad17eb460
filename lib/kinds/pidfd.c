// SPDX-License-Identifier: MIT
/*
 * The pidfd fd kind (REC_FD_PIDFD): an anon inode "[pidfd]" whose fdinfo
 * shows "Pid:", the process it refers to (-1 once that process is gone and
 * reaped).  Two pidfds are supported:
 *  - a pidfd of the process itself, thread-group or PIDFD_THREAD of its
 *    leader (O_EXCL in its flags): rec_fd.count holds the PID; the restore
 *    opens a new one with pidfd_open(getpid()) in the stub, which has the
 *    PID already;
 *  - a dead pidfd, of a process that has exited and been reaped
 *    (REC_FD_PIDFD_DEAD in rec_fd.xflags): rec_fd.count holds its wait
 *    status from PIDFD_GET_INFO (REC_FD_PIDFD_EXIT when the kernel gave
 *    one).  The restore forks a child in the stub, opens every description
 *    of the object on it while it waits on a pipe, lets it exit with that
 *    status (_exit, or the signal raised at its default action), reaps it,
 *    and checks that the kernel now reports the same status.  A process
 *    that dumped core is refused at dump: the core cannot be made again.
 * All pidfds of one process share one pidfs inode: they are one object
 * (FD_KIND_OBJECT, found by inode), and so they are again.
 * A pidfd of any other live process is refused, naming the fd and the PID;
 * so is one of another thread of the process (PIDFD_THREAD).
 *
 * Process trees: a pidfd of a process of the tree plugs in at
 * pidfd_dump_check() (where a PID that is not ours is refused: look it up
 * among the tree's processes and record which), and pidfd_open_desc()
 * (open it on that process's new PID once the tree exists).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"

/* The flags a pidfd's description can have: pidfd_open's, O_RDWR always. */
#define PIDFD_FLAGS	(O_RDWR | O_NONBLOCK | PIDFD_THREAD)

struct pidfd_dump {
	bool dead, has_exit;
	int32_t status;
};

static int pidfd_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	return x->p->has_pidfd && !strcmp(x->p->link, "anon_inode:[pidfd]") ? FD_MINE :
										  FD_NOT_MINE;
}

/* A dead pidfd's exit status, from our copy of it; none from a kernel before 6.15. */
static int pidfd_dump_exit(struct files_dump *f, struct dump_fd *x, struct pidfd_dump *pd)
{
	struct pidfd_info info = { .mask = PIDFD_INFO_EXIT | PIDFD_INFO_COREDUMP };
	int g = fd_dump_getfd_of(f, x), ret = 0;

	if (g < 0)
		return g;
	if (ioctl(g, PIDFD_GET_INFO, &info)) {
		ret = -errno;
		if (ret == -ENOTTY || ret == -EINVAL)
			ret = 0;	/* no PIDFD_GET_INFO: no status to keep */
		else
			sudcr_error("fd %d (pidfd): PIDFD_GET_INFO: %s", x->p->fd, strerror(-ret));
		goto out;
	}
	if (!(info.mask & PIDFD_INFO_EXIT))
		goto out;
	if ((info.exit_code & 0x80) || ((info.mask & PIDFD_INFO_COREDUMP) && info.coredump_mask)) {
		sudcr_error("fd %d: pidfd of a process that exited dumping core (status 0x%x): not supported, its exit cannot be made again",
			    x->p->fd, (unsigned int)info.exit_code);
		ret = -EOPNOTSUPP;
		goto out;
	}
	pd->has_exit = true;
	pd->status = info.exit_code;
out:
	close(g);
	return ret;
}

static bool is_thread_of(const struct dump_ctx *d, pid_t tid)
{
	for (int k = 0; k < d->nr_threads; k++)
		if (d->threads[k].tid == tid)
			return true;
	return false;
}

static int pidfd_dump_check(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	pid_t pid = x->p->pidfd_pid;
	struct pidfd_dump *pd;

	if (x->p->flags & ~(uint32_t)(PIDFD_FLAGS | O_CLOEXEC) ||
	    (x->p->flags & O_ACCMODE) != O_RDWR) {
		sudcr_error("fd %d: pidfd with flags 0%o: not supported", x->p->fd, x->p->flags);
		return -EOPNOTSUPP;
	}
	if (pid > 0 && pid != f->d->pid) {
		if (is_thread_of(f->d, pid))
			sudcr_error("fd %d: pidfd of thread %d of the process: not supported yet (only of the process itself or of one that has exited)",
				    x->p->fd, pid);
		else
			sudcr_error("fd %d: pidfd of process %d, which is not in the image: not supported (only of the process itself or of one that has exited)",
				    x->p->fd, pid);
		return -EOPNOTSUPP;
	}
	if (pid == 0 || pid < -1) {
		sudcr_error("fd %d: pidfd of PID %d: not supported", x->p->fd, pid);
		return -EOPNOTSUPP;
	}
	pd = calloc(1, sizeof(*pd));
	if (!pd)
		return -ENOMEM;
	x->priv = pd;
	pd->dead = pid == -1;
	return pd->dead ? pidfd_dump_exit(f, x, pd) : 0;
}

static int pidfd_fill(struct files_dump *f, int i, struct rec_fd *rec)
{
	const struct pidfd_dump *pd = f->x[i].priv;

	if (!pd->dead) {
		rec->count = (uint64_t)f->d->pid;
		return 0;
	}
	rec->xflags |= REC_FD_PIDFD_DEAD;
	if (pd->has_exit) {
		rec->xflags |= REC_FD_PIDFD_EXIT;
		rec->count = (uint32_t)pd->status;
	}
	return 0;
}

/* A wait status a process can die with: exited with a code, or killed by a signal that kills. */
static bool status_valid(uint64_t st)
{
	int sig = (int)(st & 0x7f);

	if (st > 0xffff || (st & 0x80))
		return false;
	if (!sig)
		return true;
	if (st >> 8 || sig == 0x7f || sig > 64)
		return false;
	switch (sig) {
	case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return false;	/* ignored or stopping by default */
	}
	return true;
}

static int pidfd_check_fd(struct restore_ctx *r, const struct rec_fd *rec, const char *path)
{
	(void)path;
	if (rec->xflags & ~(REC_FD_PIDFD_DEAD | REC_FD_PIDFD_EXIT) ||
	    rec->xflags == REC_FD_PIDFD_EXIT || rec->flags & ~(uint32_t)PIDFD_FLAGS ||
	    (rec->flags & O_ACCMODE) != O_RDWR)
		return img_record_invalid(r->img, "fd %d: bad pidfd state", rec->fd);
	if (!(rec->xflags & REC_FD_PIDFD_DEAD)) {
		if (rec->count != (uint64_t)r->proc.pid)
			return img_record_invalid(r->img, "fd %d: pidfd of PID %" PRIu64 ", not the process's",
						  rec->fd, rec->count);
	} else if (rec->xflags & REC_FD_PIDFD_EXIT ? !status_valid(rec->count) : rec->count != 0) {
		return img_record_invalid(r->img, "fd %d: bad exit status 0x%" PRIx64 " of a dead pidfd",
					  rec->fd, rec->count);
	}
	return 0;
}

/* The fds of one object are pidfds of one process: the same in everything. */
static int pidfd_check(struct restore_ctx *r, struct restore_files_state *s, int i)
{
	const struct rec_fd *rec = s->fds[i].rec, *o = s->fds[s->fds[i].obj].rec;

	if (o->xflags != rec->xflags || o->count != rec->count)
		return img_record_invalid(r->img, "fd %d: differs from fd %d of the same process",
					  rec->fd, o->fd);
	return 0;
}

/* In the dead process's child: exit as the process did. */
static void __attribute__((noreturn)) pidfd_child(const struct rec_fd *rec, int wait_fd)
{
	int st = (int)rec->count, sig = st & 0x7f;
	char c;
	sigset_t all;

	/* Nothing of the stub's: another dead object's pipe end would keep that child waiting. */
	if (wait_fd > 0)
		close_range(0, (unsigned int)wait_fd - 1, 0);
	close_range((unsigned int)wait_fd + 1, ~0U, 0);
	while (read(wait_fd, &c, 1) < 0 && errno == EINTR)
		;
	if (!sig)
		_exit((st >> 8) & 0xff);
	/* No core: the process did not dump one (refused at dump otherwise). */
	prctl(PR_SET_DUMPABLE, 0);
	signal(sig, SIG_DFL);
	sigemptyset(&all);
	sigaddset(&all, sig);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	raise(sig);
	_exit(127);
}

/*
 * In the stub, a dead object: a child that waits on a pipe (hold[1], our
 * end) until finish, its pidfd in hold[0].  A live one needs nothing.
 */
static void pidfd_create(struct restore_files_state *s, struct rf_fd *o)
{
	int p[2], err;
	pid_t child;

	(void)s;
	if (!(o->rec->xflags & REC_FD_PIDFD_DEAD))
		return;
	if (pipe2(p, O_CLOEXEC))
		rf_die_fd(o, "pipe2", errno);
	child = fork();
	if (child < 0)
		rf_die_fd(o, "fork of the process it refers to", errno);
	if (!child) {
		close(p[1]);
		pidfd_child(o->rec, p[0]);
	}
	close(p[0]);
	o->hold[1] = p[1];
	o->hold[0] = (int)syscall(SYS_pidfd_open, child, 0);
	if (o->hold[0] < 0) {
		err = errno;
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		rf_die_fd(o, "pidfd_open of its child", err);
	}
}

/* In the stub: a new pidfd of the process itself, or of the dead object's child. */
static int pidfd_open_desc(struct restore_files_state *s, int i, bool *own)
{
	const struct rf_fd *e = &s->fds[i], *o = &s->fds[e->obj];
	const struct rec_fd *rec = e->rec;
	unsigned int flags = rec->flags & PIDFD_THREAD ? PIDFD_THREAD : 0;
	struct proc_fd pf;
	pid_t pid;

	(void)own;
	if (!(rec->xflags & REC_FD_PIDFD_DEAD)) {
		pid = getpid();
		if ((uint64_t)pid != rec->count)
			rf_stub_die("cannot restore fd %d (pidfd): the process is %d, not %" PRIu64,
				    rec->fd, pid, rec->count);
	} else {
		/* The child's PID, through its pidfd (the object's own), while it waits. */
		int ret = proc_read_fd(getpid(), o->hold[0], &pf);

		if (ret || !pf.has_pidfd || pf.pidfd_pid <= 0)
			rf_die_fd(e, "the PID of its child", ret ? -ret : ESRCH);
		pid = pf.pidfd_pid;
	}
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

/* In the stub, every description made: the dead object's child exits, is reaped and checked. */
static void pidfd_finish(struct rf_fd *o)
{
	const struct rec_fd *rec = o->rec;
	struct pidfd_info info = { .mask = PIDFD_INFO_EXIT };
	siginfo_t si;

	if (!(rec->xflags & REC_FD_PIDFD_DEAD))
		return;
	close(o->hold[1]);
	o->hold[1] = -1;
	if (waitid(P_PIDFD, (id_t)o->hold[0], &si, WEXITED))
		rf_die_fd(o, "waitid of its child", errno);
	if (!(rec->xflags & REC_FD_PIDFD_EXIT))
		return;
	if (ioctl(o->hold[0], PIDFD_GET_INFO, &info))
		rf_die_fd(o, "PIDFD_GET_INFO", errno);
	if (!(info.mask & PIDFD_INFO_EXIT) || (uint64_t)(uint32_t)info.exit_code != rec->count)
		rf_stub_die("cannot restore fd %d (pidfd): its process exited with status 0x%x, not 0x%" PRIx64,
			    rec->fd, info.mask & PIDFD_INFO_EXIT ? (unsigned int)info.exit_code : 0,
			    rec->count);
}

static void pidfd_show(const struct rec_fd *rec, bool json, char *buf, size_t size)
{
	bool dead = rec->xflags & REC_FD_PIDFD_DEAD, has_exit = rec->xflags & REC_FD_PIDFD_EXIT;
	bool thread = rec->flags & PIDFD_THREAD;

	if (json && !dead)
		snprintf(buf, size, ",\"pid\":%" PRIu64 ",\"thread\":%s", rec->count,
			 thread ? "true" : "false");
	else if (json && has_exit)
		snprintf(buf, size, ",\"dead\":true,\"thread\":%s,\"status\":\"0x%" PRIx64 "\"",
			 thread ? "true" : "false", rec->count);
	else if (json)
		snprintf(buf, size, ",\"dead\":true,\"thread\":%s", thread ? "true" : "false");
	else if (!dead)
		snprintf(buf, size, " pid %" PRIu64 "%s", rec->count, thread ? " thread" : "");
	else if (has_exit)
		snprintf(buf, size, " exited%s, status 0x%" PRIx64, thread ? " thread" : "",
			 rec->count);
	else
		snprintf(buf, size, " exited%s", thread ? " thread" : "");
}

const struct fd_kind fd_kind_pidfd = {
	.kind = REC_FD_PIDFD,
	.name = "pidfd",
	.show_name = "pidfd",
	.flags = FD_KIND_OBJECT | FD_KIND_XFLAGS,
	.no_locks = "a pidfd",
	.recognise = pidfd_recognise,
	.dump_check = pidfd_dump_check,
	.fill = pidfd_fill,
	.check_fd = pidfd_check_fd,
	.check = pidfd_check,
	.create = pidfd_create,
	.open = pidfd_open_desc,
	.finish = pidfd_finish,
	.show = pidfd_show,
};
