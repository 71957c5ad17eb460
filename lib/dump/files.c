// SPDX-License-Identifier: MIT
/*
 * Dump of the file descriptor table: one IMG_REC_FD record per fd, in fd
 * order, each object's contents (pipe buffers, deleted files, memfds) in
 * IMG_REC_FILE_DATA records right after the record of its lowest fd.
 *
 * Everything is read from outside the target, nothing is injected and no
 * open file description of the target is changed in a way the process
 * could see (timerfd_gettime() moves an expired interval timer on, as the
 * kernel would on the next read: see lib/kinds/timerfd.c):
 *  - /proc/PID/fd and fdinfo give the list, link text, flags, position,
 *    the eventfd counter and the signalfd mask; stat() through the magic
 *    link gives the object;
 *  - kcmp(KCMP_FILE) tells which fds share one open file description,
 *    kcmp(KCMP_EPOLL_TFD) whether what an epoll watches is still at the
 *    fd number it was added with;
 *  - pidfd_getfd() gives sudcr a second reference to a description when
 *    its data must be read (pipes), a timer asked (timerfds, see
 *    dump_timerfd()) or a socket described;
 *  - contents of deleted files and memfds are read through a new O_RDONLY
 *    open of /proc/PID/fd/N, with pread, so no position moves;
 *  - AF_UNIX socket pairs: sock_diag gives each socket's peer, the queues
 *    are peeked at through pidfd_getfd (lib/kinds/unix.c);
 *  - file locks: the "lock:" lines of fdinfo, per description, checked
 *    against /proc/locks (lib/kinds/locks.c);
 *  - the job's terminal under --shell-job (its modes), and who holds the
 *    other end of a pipe or FIFO the process holds one end of
 *    (lib/kinds/tty.c).
 *
 * Buffered pipe data is read without consuming it: tee(2) from the
 * reference to the target's read end into a pipe of sudcr's own, sized to
 * the target pipe (F_SETPIPE_SZ: as many slots, so one tee duplicates the
 * whole buffer, which a second tee could not continue), then read from
 * ours.  tee only takes page references, so the live pipe keeps its bytes
 * in order, which is what --leave-running needs.  pidfd_getfd rather than
 * an open of /proc/PID/fd/N, because such an open would be a new reader of
 * the pipe (fifo_open counts and wakes), the dup is not.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/kcmp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <sudcr/cr.h>
#include <sudcr/kernel_compat.h>
#include <sudcr/log.h>

#include "../kinds/fd.h"
#include "tree.h"
#include "../kinds/locks.h"
#include "../kinds/tty.h"
#include "../kinds/unix.h"

_Static_assert(sizeof(struct rec_fd) == 120, "rec_fd layout");
_Static_assert(sizeof(struct rec_file_data) == 24, "rec_file_data layout");

/* udiag_state values (the kernel's TCP_* states). */
#define TCP_ESTABLISHED_STATE	1
#define TCP_LISTEN_STATE	10

#define DELETED_SUFFIX		" (deleted)"
/* One IMG_REC_FILE_DATA record holds at most this much. */
#define DATA_CHUNK		(4u << 20)
/* Contents of deleted files and memfds, all fds together. */
#define DATA_TOTAL_MAX		(512ull << 20)

struct dump_fd {
	struct proc_fd *p;
	struct stat st;
	uint32_t kind;		/* REC_FD_*; 0: not supported */
	const char *what;	/* not supported: what it is */
	char detail[64];	/* and more about it, may be empty */
	char *path;		/* into p->link, " (deleted)" stripped */
	bool stdio_inherit;	/* fd 0-2 taken from the caller (--shell-job) */
	int desc;		/* index of the lowest fd sharing the description */
	int obj;		/* index of the lowest fd of the same object */
	int inherit_fd;
	uint32_t pipe_size;
	uint64_t pipe_bytes;
	uint32_t seals;
	struct proc_epoll_tfd *tfds;	/* epoll descriptions: what it watches */
	int nr_tfds;
	struct unix_diag_info ux;	/* AF_UNIX sockets */
	const char *why;	/* a socket not supported: why, for the message */
	struct proc_lock *locks;	/* description leaders: the locks taken through it */
	int nr_locks;
	dev_t tty;		/* terminals: the one behind the fd (TIOCGDEV) */
	uint32_t outside;	/* pipe objects: REC_PIPE_* end held outside only, or 0 */
	int32_t *out_pids;	/* and who held it */
	int nr_out_pids;
};

struct files_dump {
	struct dump_ctx *d;
	struct dump_fd *x;
	int nr;
	int pidfd;
	struct unix_owner own;	/* uid and gid 0 until asked */
	bool own_read;
	dev_t job_tty;		/* --shell-job: the job's terminal, 0 if none */
	bool job_ctty;		/* it is the controlling terminal */
	bool tty_written;	/* its IMG_REC_TTY */
	uint64_t data_total;
	void *buf;		/* DATA_CHUNK + header */
};

static bool same_inode(const struct dump_fd *a, const struct dump_fd *b)
{
	return a->st.st_dev == b->st.st_dev && a->st.st_ino == b->st.st_ino;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* A second reference to the target's description of @fd, or -errno. */
static int get_target_fd(struct files_dump *f, int fd)
{
	int ret = (int)syscall(SYS_pidfd_getfd, f->pidfd, fd, 0);

	return ret < 0 ? -errno : ret;
}

static const char *anon_inode_name(const char *link)
{
	static const struct {
		const char *link, *name;
	} names[] = {
		{ "anon_inode:[eventpoll]", "epoll" },
		{ "anon_inode:[signalfd]", "signalfd" },
		{ "anon_inode:[timerfd]", "timerfd" },
		{ "anon_inode:inotify", "inotify" },
		{ "anon_inode:[fanotify]", "fanotify" },
		{ "anon_inode:[pidfd]", "pidfd" },
		{ "anon_inode:[io_uring]", "io_uring" },
		{ "anon_inode:[userfaultfd]", "userfaultfd" },
		{ "anon_inode:[perf_event]", "perf event" },
		{ "anon_inode:[eventfd]", "eventfd" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(link, names[i].link))
			return names[i].name;
	if (!strncmp(link, "anon_inode:bpf", 14))
		return "BPF object";
	return "anonymous inode";
}

static const char *sock_family_name(int family)
{
	switch (family) {
	case AF_UNIX: return "AF_UNIX";
	case AF_INET: return "AF_INET";
	case AF_INET6: return "AF_INET6";
	case AF_NETLINK: return "AF_NETLINK";
	case AF_PACKET: return "AF_PACKET";
	case AF_VSOCK: return "AF_VSOCK";
	default: return NULL;
	}
}

static const char *sock_type_name(int family, int type, int protocol)
{
	if (family == AF_INET || family == AF_INET6) {
		if (protocol == IPPROTO_TCP)
			return "TCP";
		if (protocol == IPPROTO_UDP)
			return "UDP";
		if (protocol == IPPROTO_ICMP || protocol == IPPROTO_ICMPV6)
			return "ICMP";
		if (protocol == IPPROTO_SCTP)
			return "SCTP";
	}
	switch (type) {
	case SOCK_STREAM: return "SOCK_STREAM";
	case SOCK_DGRAM: return "SOCK_DGRAM";
	case SOCK_SEQPACKET: return "SOCK_SEQPACKET";
	case SOCK_RAW: return "SOCK_RAW";
	default: return "";
	}
}

/* "AF_INET TCP", from a second reference to the socket; empty if unknown. */
static void socket_detail(struct files_dump *f, struct dump_fd *x, int *pfamily, int *ptype)
{
	int family = -1, type = -1, protocol = -1;
	socklen_t len = sizeof(int);
	const char *fam;
	int s = get_target_fd(f, x->p->fd);

	*pfamily = *ptype = -1;
	if (s < 0)
		return;
	getsockopt(s, SOL_SOCKET, SO_DOMAIN, &family, &len);
	len = sizeof(int);
	getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &len);
	len = sizeof(int);
	getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &protocol, &len);
	close(s);
	*pfamily = family;
	*ptype = type;
	fam = sock_family_name(family);
	if (fam)
		snprintf(x->detail, sizeof(x->detail), "%s %s", fam,
			 sock_type_name(family, type, protocol));
	else if (family >= 0)
		snprintf(x->detail, sizeof(x->detail), "family %d", family);
}

/* mem devices (null, zero, full, random, urandom) and terminals. */
static bool chr_supported(dev_t rdev)
{
	unsigned int maj = major(rdev), min = minor(rdev);

	if (maj == 1)
		return min == 3 || min == 5 || min == 7 || min == 8 || min == 9;
	if (maj == 4)			/* tty0-63 (virtual consoles), ttyS* */
		return true;
	if (maj == 5)			/* /dev/tty, /dev/console; not /dev/ptmx */
		return min == 0 || min == 1;
	return maj >= 136 && maj <= 143;	/* /dev/pts/N */
}

static bool is_tty_rdev(dev_t rdev)
{
	return chr_supported(rdev) && major(rdev) != 1;
}

static int classify_path(struct files_dump *f, struct dump_fd *x)
{
	bool deleted = false;
	struct stat st;

	/*
	 * " (deleted)" is the kernel's mark of an unlinked dentry, or part of
	 * a real name: the name tells which when it still leads to the file.
	 */
	if (ends_with(x->path, DELETED_SUFFIX)) {
		if (stat(x->path, &st) || st.st_dev != x->st.st_dev || st.st_ino != x->st.st_ino) {
			x->path[strlen(x->path) - strlen(DELETED_SUFFIX)] = '\0';
			deleted = true;
		}
	}
	if (x->p->flags & O_PATH) {
		if (deleted)
			x->what = "O_PATH descriptor of a deleted file";
		else
			x->kind = REC_FD_PATH;
		return 0;
	}
	switch (x->st.st_mode & S_IFMT) {
	case S_IFREG:
		if (!deleted) {
			x->kind = REC_FD_REG;
		} else if (!strncmp(x->path, "/memfd:", 7)) {
			int ret = memfd_classify(f->d->proc_pid, x->p->fd, &x->kind, &x->what);

			if (ret)
				return ret;
		} else {
			x->kind = REC_FD_DELETED;
		}
		break;
	case S_IFDIR:
		if (deleted)
			x->what = "deleted directory";
		else
			x->kind = REC_FD_DIR;
		break;
	case S_IFCHR:
		if (deleted || !chr_supported(x->st.st_rdev)) {
			x->what = "character device";
			snprintf(x->detail, sizeof(x->detail), "%u:%u", major(x->st.st_rdev),
				 minor(x->st.st_rdev));
		} else {
			x->kind = REC_FD_CHR;
		}
		break;
	case S_IFIFO:
		if (deleted)
			x->what = "deleted FIFO";
		else
			x->kind = REC_FD_FIFO;
		break;
	case S_IFBLK:
		x->what = "block device";
		snprintf(x->detail, sizeof(x->detail), "%u:%u", major(x->st.st_rdev),
			 minor(x->st.st_rdev));
		break;
	default:
		x->what = "special file";
		break;
	}
	return 0;
}

/* An AF_UNIX socket: supported if it is one end of an unbound connected pair. */
static void classify_unix(struct dump_fd *x)
{
	int ret = unix_diag_get((uint32_t)x->st.st_ino, &x->ux);

	if (ret) {
		x->why = ret == -ENOENT ? "sock_diag does not know it (another network namespace?)" :
					  "sock_diag cannot tell its peer";
		return;
	}
	if (x->ux.named)
		x->why = "bound to a name (a path or an abstract name)";
	else if (x->ux.state == TCP_LISTEN_STATE)
		x->why = "a listening socket";
	else if (x->ux.state != TCP_ESTABLISHED_STATE || !x->ux.peer)
		x->why = "not connected, or its peer was closed";
	else
		x->kind = REC_FD_UNIX;
}

static int classify(struct files_dump *f, struct dump_fd *x)
{
	const char *l = x->p->link;
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", f->d->proc_pid, x->p->fd);
	if (stat(proc, &x->st)) {
		int err = -errno;

		sudcr_error("fd %d (%s): cannot stat: %s", x->p->fd, l, strerror(-err));
		return err;
	}
	x->path = x->p->link;
	x->inherit_fd = -1;
	if (!strncmp(l, "socket:[", 8)) {
		int family, type;

		x->what = "socket";
		socket_detail(f, x, &family, &type);
		if (family == AF_UNIX &&
		    (type == SOCK_STREAM || type == SOCK_DGRAM || type == SOCK_SEQPACKET))
			classify_unix(x);
	} else if (!strncmp(l, "pipe:[", 6)) {
		x->kind = REC_FD_PIPE;
	} else if (!strncmp(l, "anon_inode:", 11)) {
		if (eventfd_found(x->p))
			x->kind = REC_FD_EVENTFD;
		else if (signalfd_found(x->p))
			x->kind = REC_FD_SIGNALFD;
		else if (timerfd_found(x->p))
			x->kind = REC_FD_TIMERFD;
		else if (epoll_found(x->p))
			x->kind = REC_FD_EPOLL;
		else
			x->what = anon_inode_name(l);
	} else if (l[0] == '/') {
		int ret = classify_path(f, x);

		if (ret) {
			sudcr_error("fd %d (%s): %s", x->p->fd, l, strerror(-ret));
			return ret;
		}
	} else if (strchr(l, ':')) {
		x->what = "namespace or special file";
	} else {
		x->what = "special file";
	}
	return 0;
}

/*
 * Terminals.  Their other side (a pty master, the console) is outside the
 * process, and a path like /dev/pts/3 may name someone else's terminal by
 * the time of the restore: without --shell-job they are refused.  With it,
 * the job's terminal (the controlling one, else the first at fds 0-2)
 * becomes REC_FD_TTY, which the restore replaces by its own; another
 * terminal cannot be replaced by anything and is refused.
 */
static int classify_ttys(struct files_dump *f)
{
	char job[64];

	f->job_tty = dump_tty_of_stat(f->d->stat.tty_nr);
	f->job_ctty = f->job_tty != 0;
	for (int i = 0; i < f->nr; i++) {
		struct dump_fd *x = &f->x[i];
		int g, ret;

		if (x->kind != REC_FD_CHR || !is_tty_rdev(x->st.st_rdev))
			continue;
		if (!f->d->opts.shell_job) {
			sudcr_error("fd %d: %s is a terminal, whose other side is outside the process: use --shell-job (the restore then gives the process the terminal of sudcr restore, with the modes it had)",
				    x->p->fd, x->p->link);
			return -EOPNOTSUPP;
		}
		g = get_target_fd(f, x->p->fd);
		ret = g < 0 ? g : dump_tty_device(g, &x->tty);
		if (g >= 0)
			close(g);
		if (ret) {
			sudcr_error("fd %d (%s): cannot tell which terminal it is (TIOCGDEV): %s",
				    x->p->fd, x->p->link, strerror(-ret));
			return ret;
		}
		if (!f->job_tty && x->p->fd <= 2)
			f->job_tty = x->tty;
	}
	for (int i = 0; i < f->nr; i++) {
		struct dump_fd *x = &f->x[i];

		if (x->kind != REC_FD_CHR || !is_tty_rdev(x->st.st_rdev))
			continue;
		if (f->job_tty && x->tty == f->job_tty) {
			x->kind = REC_FD_TTY;
			continue;
		}
		if (f->job_tty) {
			dump_tty_name(f->job_tty, job, sizeof(job));
			sudcr_error("fd %d: %s is a terminal other than the job's (%s): only the job's own terminal can be given back (--shell-job)",
				    x->p->fd, x->p->link, job);
		} else {
			sudcr_error("fd %d: %s is a terminal, and the job has none (no controlling terminal, none at fds 0-2): only the job's own terminal can be given back (--shell-job)",
				    x->p->fd, x->p->link);
		}
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Pipe ends present among the fds of object @obj, inherited ones left out. */
static void pipe_ends(struct files_dump *f, int obj, bool *rd, bool *wr)
{
	*rd = *wr = false;
	for (int i = 0; i < f->nr; i++) {
		struct dump_fd *y = &f->x[i];
		uint32_t acc = y->p->flags & O_ACCMODE;

		if (y->kind != f->x[obj].kind || y->stdio_inherit || !same_inode(y, &f->x[obj]))
			continue;
		if (acc == O_RDONLY || acc == O_RDWR)
			*rd = true;
		if (acc == O_WRONLY || acc == O_RDWR)
			*wr = true;
	}
}

/* Whether another fd of the process is the other end of @i's pipe. */
static bool pipe_has_other_end(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	uint32_t acc = x->p->flags & O_ACCMODE;

	if (acc == O_RDWR)
		return true;
	for (int j = 0; j < f->nr; j++) {
		struct dump_fd *y = &f->x[j];

		if (j != i && y->kind == x->kind && same_inode(x, y) &&
		    (y->p->flags & O_ACCMODE) != acc)
			return true;
	}
	return false;
}

/* Index of the lowest fd of the other end of AF_UNIX socket @i, -1 if not in the process. */
static int unix_peer_index(struct files_dump *f, int i)
{
	for (int j = 0; j < f->nr; j++)
		if (f->x[j].kind == REC_FD_UNIX && f->x[j].st.st_ino == f->x[i].ux.peer)
			return j;
	return -1;
}

static int kcmp_file(pid_t pid, int fd1, int fd2)
{
	return (int)syscall(SYS_kcmp, pid, pid, KCMP_FILE, fd1, fd2);
}

/* Fill desc, obj and inherit_fd of every fd. */
static int link_fds(struct files_dump *f)
{
	struct dump_opts *o = &f->d->opts;
	pid_t pid = f->d->proc_pid;	/* a live thread: kcmp needs its fd table */

	/*
	 * --shell-job: stdio that is the caller's pipe (or socket) end is
	 * replaced by sudcr restore's; the terminal by classify_ttys();
	 * anything else (a log file, /dev/null) stays what it is.
	 */
	for (int i = 0; i < f->nr; i++) {
		struct dump_fd *x = &f->x[i];

		if (!o->shell_job || x->p->fd > 2)
			continue;
		if (is_pipe_kind(x->kind) ? pipe_has_other_end(f, i) :
		    x->kind == REC_FD_UNIX ? unix_peer_index(f, i) >= 0 :
		    x->kind || !x->what || strcmp(x->what, "socket"))
			continue;
		x->stdio_inherit = true;
		x->kind = REC_FD_INHERIT;
		x->inherit_fd = x->p->fd;
	}

	for (int i = 0; i < f->nr; i++) {
		struct dump_fd *x = &f->x[i];

		x->desc = i;
		if (x->stdio_inherit)
			continue;
		for (int j = 0; j < i; j++) {
			struct dump_fd *y = &f->x[j];
			int r;

			if (y->desc != j || !same_inode(x, y))
				continue;
			r = kcmp_file(pid, x->p->fd, y->p->fd);
			if (r < 0) {
				int err = -errno;

				sudcr_error("kcmp(KCMP_FILE) on process %d: %s", pid, strerror(-err));
				return err;
			}
			if (r == 0) {
				x->desc = j;
				break;
			}
		}
		if (x->desc != i) {
			struct dump_fd *y = &f->x[x->desc];

			if (y->kind == REC_FD_INHERIT) {
				x->kind = REC_FD_INHERIT;
				x->inherit_fd = y->inherit_fd;
				x->what = NULL;
			}
			continue;
		}
		/* Another open of the caller's stdio pipe (/dev/stdin): an open of ours. */
		if (o->shell_job && is_pipe_kind(x->kind)) {
			for (int j = 0; j < f->nr; j++) {
				struct dump_fd *y = &f->x[j];

				if (y->stdio_inherit && same_inode(x, y)) {
					x->kind = REC_FD_INHERIT;
					x->inherit_fd = y->p->fd;
					break;
				}
			}
		}
	}

	for (int i = 0; i < f->nr; i++) {
		struct dump_fd *x = &f->x[i];

		/* Other kinds have no object beyond the description. */
		x->obj = x->desc;
		if (x->kind == REC_FD_UNIX) {
			/* The pair is the object: its lowest fd, either end. */
			for (int j = 0; j < i; j++) {
				struct dump_fd *y = &f->x[j];

				if (y->kind == REC_FD_UNIX && (y->st.st_ino == x->st.st_ino ||
							       y->st.st_ino == x->ux.peer)) {
					x->obj = y->obj;
					break;
				}
			}
			continue;
		}
		if (x->kind != REC_FD_PIPE && x->kind != REC_FD_FIFO && x->kind != REC_FD_MEMFD &&
		    x->kind != REC_FD_DELETED)
			continue;
		for (int j = 0; j < i; j++) {
			if (f->x[j].kind == x->kind && same_inode(x, &f->x[j])) {
				x->obj = f->x[j].obj;
				break;
			}
		}
	}
	return 0;
}

/*
 * Every POSIX lock the process holds was seen through one of its fds, and
 * none is on a file it maps (lib/kinds/locks.c says why).
 */
static int check_posix_locks(struct files_dump *f, int nr_posix)
{
	struct lock_holder *h;
	int n = 0, ret;

	if (!nr_posix)
		return 0;
	h = calloc(f->nr, sizeof(*h));
	if (!h)
		return -ENOMEM;
	for (int i = 0; i < f->nr; i++)
		if (f->x[i].nr_locks)
			h[n++] = (struct lock_holder){ f->x[i].p->fd, f->x[i].p->link, f->x[i].locks,
						       f->x[i].nr_locks };
	ret = dump_locks_check_posix(f->d->proc_pid, f->d->pid, nr_posix, h, n, f->d->vmas,
				     f->d->nr_vmas);
	free(h);
	return ret;
}

/*
 * Pipe or FIFO object @obj, of which the process holds only one end: is
 * the other one (@end) still open somewhere, and by whom?  An anonymous
 * pipe tells by poll: POLLHUP on a read end, POLLERR on a write end, when
 * no one holds the other.  If no one does, the restore is exact and there
 * is nothing to say.  Otherwise the restore cannot bring that end back
 * (unless --inherit-fd joins it): warn, with the holders sudcr can see.
 */
static int find_outside(struct files_dump *f, int obj, uint32_t end)
{
	struct dump_fd *x = &f->x[obj];
	char who[256] = "";
	size_t used = 0;
	bool gone = false;

	if (x->kind == REC_FD_PIPE) {
		struct pollfd pfd = { .events = POLLIN | POLLOUT };
		int g = get_target_fd(f, x->p->fd);

		if (g < 0) {
			sudcr_error("fd %d (%s): pidfd_getfd: %s", x->p->fd, x->p->link, strerror(-g));
			return g;
		}
		pfd.fd = g;
		if (poll(&pfd, 1, 0) == 1)
			gone = pfd.revents & (end == REC_PIPE_WRITE ? POLLHUP : POLLERR);
		close(g);
	}
	x->out_pids = calloc(REC_PIPE_PIDS_MAX, sizeof(*x->out_pids));
	if (!x->out_pids)
		return -ENOMEM;
	if (!gone)
		dump_pipe_holders(f->d->proc_pid, &x->st, x->p->link, x->out_pids,
				  REC_PIPE_PIDS_MAX, &x->nr_out_pids);
	if (gone || (x->kind == REC_FD_FIFO && !x->nr_out_pids)) {
		sudcr_debug("fd %d: %s: no one else holds it", x->p->fd, x->p->link);
		return 0;
	}
	x->outside = end;
	if (dump_tree_pipe_inside(f->d, x->p->fd, x->out_pids, x->nr_out_pids)) {
		sudcr_debug("fd %d: %s: its other end is in the tree", x->p->fd, x->p->link);
		return 0;
	}
	for (int k = 0; k < x->nr_out_pids && used < sizeof(who) - 16; k++)
		used += snprintf(who + used, sizeof(who) - used, "%s%d", k ? ", " : "PID ",
				 x->out_pids[k]);
	if (x->kind == REC_FD_PIPE)
		sudcr_warn("fd %d: %s: its %s end is outside the process (%s): the restore makes a new pipe without it, unless --inherit-fd fd[N]:%s joins fd N of sudcr restore",
			   x->p->fd, x->p->link, end == REC_PIPE_READ ? "read" : "write",
			   used ? who : "held by no process sudcr can see", x->p->link);
	else
		sudcr_warn("fd %d: FIFO %s: its %s end is held outside the process (%s); the restore opens the FIFO again by its name",
			   x->p->fd, x->p->link, end == REC_PIPE_READ ? "read" : "write", who);
	return 0;
}

static int check_supported(struct files_dump *f)
{
	int nr_posix = 0, ret;

	for (int i = 0; i < f->nr; i++) {
		struct dump_fd *x = &f->x[i];
		bool rd, wr;


		if (!x->kind && x->why) {
			sudcr_error("fd %d: %s (%s): %s; only unbound socket pairs with both ends in the process are supported",
				    x->p->fd, x->p->link, x->detail, x->why);
			return -EOPNOTSUPP;
		}
		if (!x->kind) {
			/* "socket:[1234] (AF_INET TCP)", "anon_inode:[eventpoll] (epoll)" */
			bool sock = !strcmp(x->what, "socket") && x->detail[0];

			sudcr_error("fd %d: %s (%s%s%s) is not supported yet", x->p->fd, x->p->link,
				    sock ? "" : x->what, x->detail[0] && !sock ? " " : "", x->detail);
			return -EOPNOTSUPP;
		}
		if (x->desc == i && x->p->nr_locks) {
			const char *bad = x->kind == REC_FD_INHERIT ? "stdio the caller gave (--shell-job)" :
					  x->kind == REC_FD_PATH ? "an O_PATH fd" : NULL;

			ret = dump_locks_read(f->d->proc_pid, x->p->fd, x->p->link, bad, &x->locks,
					      &x->nr_locks, &nr_posix);
			if (ret)
				return ret;
		}
		if (x->kind == REC_FD_INHERIT)
			continue;
		if (x->kind == REC_FD_UNIX && x->desc == i) {
			int j = unix_peer_index(f, i);

			if (j < 0 || f->x[j].ux.peer != x->st.st_ino) {
				sudcr_error("fd %d: %s (%s): its peer socket:[%u] is %s; only unbound socket pairs with both ends in the process are supported",
					    x->p->fd, x->p->link, x->detail, x->ux.peer,
					    j < 0 ? "not in the process" : "connected elsewhere");
				return -EOPNOTSUPP;
			}
		}
		if (x->kind == REC_FD_TIMERFD && x->desc == i &&
		    timerfd_check_ticks(x->p, x->p->timerfd_ticks))
			return -EOPNOTSUPP;
		if (x->kind == REC_FD_EPOLL && x->desc == i) {
			int ret = epoll_read(f->d->proc_pid, x->p, &x->tfds, &x->nr_tfds);

			if (ret)
				return ret;
		}
		if (x->p->flags & O_ASYNC) {
			sudcr_error("fd %d: %s: O_ASYNC (signal-driven I/O) is not supported yet",
				    x->p->fd, x->p->link);
			return -EOPNOTSUPP;
		}
		if (!is_pipe_kind(x->kind) || x->obj != i)
			continue;
		pipe_ends(f, i, &rd, &wr);
		if (!rd || !wr) {
			ret = find_outside(f, i, rd ? REC_PIPE_WRITE : REC_PIPE_READ);
			if (ret)
				return ret;
		}
	}
	return check_posix_locks(f, nr_posix);
}

/*
 * Size and buffered bytes of the pipe object @obj; the bytes go to f->buf.
 * See the top of the file for why tee and pidfd_getfd.
 */
static int read_pipe(struct files_dump *f, int obj)
{
	struct dump_fd *x = &f->x[obj], *rx = NULL;
	int g = -1, tmp[2] = { -1, -1 }, ret = 0, avail = 0, sz;
	size_t got = 0;
	ssize_t n;

	for (int i = obj; i < f->nr && !rx; i++) {
		uint32_t acc = f->x[i].p->flags & O_ACCMODE;

		if (f->x[i].obj == obj && (acc == O_RDONLY || acc == O_RDWR))
			rx = &f->x[i];
	}
	/*
	 * Only a write end: what it holds is for the reader outside, which
	 * keeps it (the pipe lives on with the reader); only the size.
	 */
	if (!rx) {
		x->pipe_bytes = 0;
		g = get_target_fd(f, x->p->fd);
		sz = g < 0 ? g : fcntl(g, F_GETPIPE_SZ);
		ret = sz < 0 ? (g < 0 ? g : -errno) : 0;
		if (g >= 0)
			close(g);
		if (ret)
			sudcr_error("fd %d (%s): cannot read the pipe's size: %s", x->p->fd,
				    x->p->link, strerror(-ret));
		x->pipe_size = (uint32_t)sz;
		return ret;
	}
	g = get_target_fd(f, rx->p->fd);
	if (g < 0) {
		ret = g;
		sudcr_error("fd %d (%s): pidfd_getfd: %s", rx->p->fd, rx->p->link, strerror(-ret));
		return ret;
	}
	sz = fcntl(g, F_GETPIPE_SZ);
	if (sz < 0 || ioctl(g, FIONREAD, &avail) < 0) {
		ret = -errno;
		sudcr_error("fd %d (%s): cannot read the pipe's size: %s", rx->p->fd, rx->p->link,
			    strerror(-ret));
		goto out;
	}
	x->pipe_size = (uint32_t)sz;
	x->pipe_bytes = 0;
	if (avail <= 0)
		goto out;
	if ((size_t)avail > (size_t)sz || (size_t)avail > DATA_CHUNK) {
		ret = -EIO;
		sudcr_error("fd %d (%s): %d bytes buffered in a pipe of %d", rx->p->fd, rx->p->link,
			    avail, sz);
		goto out;
	}
	if (pipe2(tmp, O_CLOEXEC | O_NONBLOCK) || fcntl(tmp[1], F_SETPIPE_SZ, sz) < sz) {
		ret = -errno;
		sudcr_error("fd %d (%s): cannot make a pipe of %d bytes to copy its data: %s",
			    rx->p->fd, rx->p->link, sz, strerror(-ret));
		goto out;
	}
	n = tee(g, tmp[1], (size_t)avail, SPLICE_F_NONBLOCK);
	if (n != avail) {
		ret = n < 0 ? -errno : -EIO;
		sudcr_error("fd %d (%s): tee copied %zd of %d buffered bytes%s%s", rx->p->fd,
			    rx->p->link, n, avail, n < 0 ? ": " : "", n < 0 ? strerror(-ret) : "");
		goto out;
	}
	while (got < (size_t)avail) {
		n = read(tmp[0], (char *)f->buf + sizeof(struct rec_file_data) + got, avail - got);
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			sudcr_error("fd %d (%s): reading the copy of its data: %s", rx->p->fd,
				    rx->p->link, n < 0 ? strerror(-ret) : "short read");
			goto out;
		}
		got += n;
	}
	x->pipe_bytes = got;
out:
	if (tmp[0] >= 0)
		close(tmp[0]);
	if (tmp[1] >= 0)
		close(tmp[1]);
	close(g);
	return ret;
}

/* A timerfd description's timer (lib/kinds/timerfd.c), through a second reference. */
static int dump_timerfd(struct files_dump *f, struct dump_fd *x)
{
	int g, ret;

	g = get_target_fd(f, x->p->fd);
	if (g < 0) {
		sudcr_error("fd %d (%s): pidfd_getfd: %s", x->p->fd, x->p->link, strerror(-g));
		return g;
	}
	ret = timerfd_dump(f->d->img, x->p, g);
	close(g);
	return ret;
}

static int write_epoll(struct files_dump *f, struct dump_fd *x)
{
	struct rec_epoll *h;
	struct rec_epoll_tfd *e;
	size_t len;
	int ret;

	if ((size_t)x->nr_tfds > (IMG_RECORD_MAX - sizeof(*h)) / sizeof(*e)) {
		sudcr_error("fd %d (%s): watches %d files, more than an image record holds",
			    x->p->fd, x->p->link, x->nr_tfds);
		return -EFBIG;
	}
	len = sizeof(*h) + (size_t)x->nr_tfds * sizeof(*e);
	h = calloc(1, len);
	if (!h)
		return -ENOMEM;
	h->fd = x->p->fd;
	h->nr = (uint32_t)x->nr_tfds;
	e = (struct rec_epoll_tfd *)(h + 1);
	for (int k = 0; k < x->nr_tfds; k++) {
		for (int j = 0; j < f->nr; j++) {
			if (f->x[j].p->fd != x->tfds[k].tfd ||
			    !procfd_other_thread(f->d, f->x[j].path))
				continue;
			sudcr_error("fd %d (epoll): watches fd %d (%s), a file of another thread's "
				    "/proc: not supported", x->p->fd, x->tfds[k].tfd, f->x[j].path);
			free(h);
			return -EOPNOTSUPP;
		}
		e[k].tfd = x->tfds[k].tfd;
		e[k].events = x->tfds[k].events;
		e[k].data = x->tfds[k].data;
	}
	ret = img_write_record(f->d->img, IMG_REC_EPOLL, h, len);
	free(h);
	return ret;
}

/* One end of a socket pair: its state and receive queue (lib/kinds/unix.c). */
static int dump_unix(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i], *peer;
	int s, ret, j = unix_peer_index(f, i);

	if (j < 0)
		return -EINVAL;		/* check_supported() found it */
	peer = &f->x[j];

	if (!f->own_read) {
		struct proc_status st;

		ret = proc_parse_status(f->d->proc_pid, f->d->proc_pid, &st);
		if (ret) {
			sudcr_error("cannot read the status of process %d: %s", f->d->pid,
				    strerror(-ret));
			return ret;
		}
		f->own.pid = f->d->pid;
		f->own.uid = st.uid[0];
		f->own.gid = st.gid[0];
		f->own_read = true;
	}
	s = get_target_fd(f, x->p->fd);
	if (s < 0) {
		sudcr_error("fd %d (%s): pidfd_getfd: %s", x->p->fd, x->p->link, strerror(-s));
		return s;
	}
	ret = dump_unix_end(f->d->img, x->p->fd, x->p->link, s, f->x[peer->desc].p->fd, &x->ux,
			    &peer->ux, &f->own);
	close(s);
	return ret;
}

static int write_data(struct files_dump *f, int fd, uint64_t off, size_t len)
{
	struct rec_file_data *h = f->buf;

	h->fd = fd;
	h->pad = 0;
	h->offset = off;
	h->len = len;
	return img_write_record(f->d->img, IMG_REC_FILE_DATA, h, sizeof(*h) + len);
}

/*
 * Contents of a deleted file or memfd, holes skipped, through a read-only
 * open of its /proc link (works whatever the target's access mode).
 */
static int dump_contents(struct files_dump *f, struct dump_fd *x, int rfd)
{
	off_t off = 0, end, size = x->st.st_size;
	char *data = (char *)f->buf + sizeof(struct rec_file_data);
	int ret;

	while (off < size) {
		off_t at = lseek(rfd, off, SEEK_DATA);

		if (at < 0) {
			if (errno == ENXIO)
				break;
			if (off) {
				ret = -errno;
				sudcr_error("fd %d (%s): SEEK_DATA: %s", x->p->fd, x->path,
					    strerror(-ret));
				return ret;
			}
			end = size;	/* no SEEK_DATA here: all of it */
		} else {
			off = at;
			end = lseek(rfd, off, SEEK_HOLE);
			if (end < 0 || end > size)
				end = size;
		}
		if (off >= size)
			break;
		f->data_total += end - off;
		if (f->data_total > DATA_TOTAL_MAX) {
			sudcr_error("fd %d (%s): deleted files and memfds hold more than %llu MiB: too much to store in the image",
				    x->p->fd, x->path, DATA_TOTAL_MAX >> 20);
			return -EFBIG;
		}
		while (off < end) {
			size_t want = end - off > DATA_CHUNK ? DATA_CHUNK : (size_t)(end - off);
			size_t got = 0;

			while (got < want) {
				ssize_t n = pread(rfd, data + got, want - got, off + got);

				if (n <= 0) {
					ret = n < 0 ? -errno : -EIO;
					sudcr_error("fd %d (%s): reading its contents: %s", x->p->fd,
						    x->path, n < 0 ? strerror(-ret) : "file shrank");
					return ret;
				}
				got += n;
			}
			ret = write_data(f, x->p->fd, off, want);
			if (ret)
				return ret;
			off += want;
		}
	}
	return 0;
}

static int open_contents(struct files_dump *f, struct dump_fd *x, int *rfd)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", f->d->proc_pid, x->p->fd);
	/* O_NOATIME: reading for a dump is not an access by the program. */
	*rfd = open(proc, O_RDONLY | O_CLOEXEC | O_NOATIME);
	if (*rfd < 0 && errno == EPERM)
		*rfd = open(proc, O_RDONLY | O_CLOEXEC);
	if (*rfd < 0) {
		int err = -errno;

		sudcr_error("fd %d (%s): cannot open it to read its contents: %s", x->p->fd,
			    x->path, strerror(-err));
		return err;
	}
	return 0;
}

static int write_outside(struct files_dump *f, struct dump_fd *x)
{
	size_t len = sizeof(struct rec_pipe_outside) + x->nr_out_pids * sizeof(int32_t);
	struct rec_pipe_outside *o = calloc(1, len);
	int ret;

	if (!o)
		return -ENOMEM;
	o->fd = x->p->fd;
	o->outside = x->outside;
	o->nr_pids = (uint32_t)x->nr_out_pids;
	memcpy(o + 1, x->out_pids, x->nr_out_pids * sizeof(int32_t));
	ret = img_write_record(f->d->img, IMG_REC_PIPE_OUTSIDE, o, len);
	free(o);
	return ret;
}

static int write_tty(struct files_dump *f, struct dump_fd *x)
{
	int g = get_target_fd(f, x->p->fd), ret;

	if (g < 0) {
		sudcr_error("fd %d (%s): pidfd_getfd: %s", x->p->fd, x->p->link, strerror(-g));
		return g;
	}
	ret = dump_tty_write(f->d->img, x->p->fd, x->p->link, g, x->tty, f->job_ctty);
	close(g);
	f->tty_written = true;
	return ret;
}

static int write_fd(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	size_t plen = strlen(x->path);
	struct rec_fd *rec;
	int rfd = -1, ret;

	if (plen >= REC_PATH_MAX) {
		sudcr_error("fd %d: path too long", x->p->fd);
		return -ENAMETOOLONG;
	}
	if (x->obj == i && is_pipe_kind(x->kind)) {
		ret = read_pipe(f, i);
		if (ret)
			return ret;
	} else if (x->obj == i && (x->kind == REC_FD_MEMFD || x->kind == REC_FD_DELETED)) {
		ret = open_contents(f, x, &rfd);
		if (ret)
			return ret;
		if (x->kind == REC_FD_MEMFD) {
			ret = memfd_read_seals(x->p->fd, x->path, rfd, &x->seals);
			if (ret)
				goto out;
		}
	} else if (x->obj != i) {
		x->pipe_size = f->x[x->obj].pipe_size;
		x->seals = f->x[x->obj].seals;
	}

	rec = calloc(1, sizeof(*rec) + plen);
	if (!rec) {
		ret = -ENOMEM;
		goto out;
	}
	rec->fd = x->p->fd;
	rec->kind = x->kind;
	/* O_LARGEFILE (0100000) is implied for 64-bit processes; the kernel shows it. */
	rec->flags = x->p->flags & ~(uint32_t)(O_CLOEXEC | 0100000);
	rec->fd_flags = (x->p->flags & O_CLOEXEC) ? FD_CLOEXEC : 0;
	rec->desc = f->x[x->desc].p->fd;
	rec->obj = f->x[x->obj].p->fd;
	rec->inherit_fd = x->inherit_fd;
	rec->mode = x->st.st_mode;
	rec->pos = x->p->pos;
	rec->size = is_pipe_kind(x->kind) ? f->x[x->obj].pipe_bytes : (uint64_t)x->st.st_size;
	rec->mtime_sec = x->st.st_mtim.tv_sec;
	rec->mtime_nsec = x->st.st_mtim.tv_nsec;
	rec->dev = x->st.st_dev;
	rec->ino = x->st.st_ino;
	rec->rdev = x->st.st_rdev;
	rec->uid = x->st.st_uid;
	rec->gid = x->st.st_gid;
	if (x->kind == REC_FD_EVENTFD) {
		eventfd_dump(x->p, rec);
	} else if (x->kind == REC_FD_SIGNALFD) {
		signalfd_dump(x->p, rec);
	}
	rec->pipe_size = is_pipe_kind(x->kind) ? x->pipe_size : 0;
	rec->seals = x->kind == REC_FD_MEMFD ? x->seals : 0;
	rec->path_len = (uint32_t)plen;
	memcpy(rec + 1, x->path, plen);
	ret = img_write_record(f->d->img, IMG_REC_FD, rec, sizeof(*rec) + plen);
	free(rec);
	if (ret)
		goto out;

	if (x->obj == i && is_pipe_kind(x->kind)) {
		if (x->pipe_bytes)
			ret = write_data(f, x->p->fd, 0, x->pipe_bytes);
		if (!ret && x->outside)
			ret = write_outside(f, x);
	} else if (x->kind == REC_FD_TTY) {
		if (!f->tty_written)
			ret = write_tty(f, x);
	} else if (rfd >= 0)
		ret = dump_contents(f, x, rfd);
	if (!ret && rfd >= 0 && x->kind == REC_FD_DELETED) {
		/* As stat saw them before the contents were read (O_NOATIME or not). */
		struct rec_file_times t = {
			.fd = x->p->fd,
			.atime_sec = x->st.st_atim.tv_sec, .atime_nsec = x->st.st_atim.tv_nsec,
			.mtime_sec = x->st.st_mtim.tv_sec, .mtime_nsec = x->st.st_mtim.tv_nsec,
		};

		ret = img_write_record(f->d->img, IMG_REC_FILE_TIMES, &t, sizeof(t));
	}
	else if (x->kind == REC_FD_TIMERFD && x->desc == i)
		ret = dump_timerfd(f, x);
	else if (x->kind == REC_FD_EPOLL && x->desc == i)
		ret = write_epoll(f, x);
	else if (x->kind == REC_FD_UNIX && x->desc == i)
		ret = dump_unix(f, i);
	if (!ret && x->desc == i && x->nr_locks && procfd_other_thread(f->d, x->path)) {
		/* The stub takes locks on what is at the fd: there, a placeholder. */
		sudcr_error("fd %d (%s): a file lock on a file of another thread's /proc: not "
			    "supported", x->p->fd, x->path);
		ret = -EOPNOTSUPP;
	}
	if (!ret && x->desc == i)
		ret = dump_locks_write(f->d->img, x->p->fd, x->locks, x->nr_locks);
	sudcr_debug("fd %d: kind %u %s", x->p->fd, x->kind, x->path);
out:
	if (rfd >= 0)
		close(rfd);
	return ret;
}

int dump_files(struct dump_ctx *d)
{
	struct files_dump f = { .d = d, .pidfd = -1 };
	struct proc_fd *fds = NULL;
	int nr = 0, ret;

	ret = proc_list_fds(d->proc_pid, &fds, &nr);
	if (ret) {
		sudcr_error("cannot list the fds of process %d: %s", d->pid, strerror(-ret));
		return ret;
	}
	f.nr = nr;
	f.x = calloc(nr ? nr : 1, sizeof(*f.x));
	f.buf = malloc(sizeof(struct rec_file_data) + DATA_CHUNK);
	if (!f.x || !f.buf) {
		ret = -ENOMEM;
		goto out;
	}
	f.pidfd = (int)syscall(SYS_pidfd_open, d->proc_pid, d->leader_zombie ? O_EXCL /* PIDFD_THREAD */ : 0);
	if (f.pidfd < 0) {
		ret = -errno;
		sudcr_error("pidfd_open(%d): %s", d->pid, strerror(-ret));
		goto out;
	}
	for (int i = 0; i < nr; i++) {
		f.x[i].p = &fds[i];
		ret = classify(&f, &f.x[i]);
		if (ret)
			goto out;
	}
	ret = classify_ttys(&f);
	if (!ret)
		ret = link_fds(&f);
	if (!ret)
		ret = check_supported(&f);
	for (int i = 0; !ret && i < nr; i++)
		ret = write_fd(&f, i);
out:
	if (f.pidfd >= 0)
		close(f.pidfd);
	for (int i = 0; f.x && i < nr; i++) {
		free(f.x[i].tfds);
		free(f.x[i].locks);
		free(f.x[i].out_pids);
	}
	free(f.buf);
	free(f.x);
	free(fds);
	return ret;
}
