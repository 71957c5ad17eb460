// SPDX-License-Identifier: MIT
/*
 * Dump of the file descriptor table: one IMG_REC_FD record per fd, in fd
 * order, each object's contents (pipe buffers, deleted files, memfds) in
 * IMG_REC_FILE_DATA records right after the record of its lowest fd.
 *
 * This is the driver: it lists the fds, asks the fd kinds (lib/kinds/fd.c's
 * table) which kind each is, links the fds that share a description or an
 * object, has each kind check and fill its fds, and writes them in order.
 * What a kind keeps and how it reads it is in its file, lib/kinds/NAME.c.
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
 *    its data must be read (pipes), a timer asked (timerfds) or a socket
 *    described;
 *  - contents of deleted files and memfds are read through a new O_RDONLY
 *    open of /proc/PID/fd/N, with pread, so no position moves;
 *  - AF_UNIX socket pairs: sock_diag gives each socket's peer, the queues
 *    are peeked at through pidfd_getfd (lib/kinds/unix.c);
 *  - file locks: the "lock:" lines of fdinfo, per description, checked
 *    against /proc/locks (lib/kinds/locks.c);
 *  - the job's terminal under --shell-job (its modes, lib/kinds/tty.c);
 *  - buffered pipe data, and who holds the other end of a pipe or FIFO
 *    the process holds one end of (lib/kinds/pipe.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "../kinds/fd.h"
#include "../kinds/fd_dump.h"
#include "../kinds/locks.h"

_Static_assert(sizeof(struct rec_fd) == 120, "rec_fd layout");
_Static_assert(sizeof(struct rec_file_data) == 24, "rec_file_data layout");

#define DELETED_SUFFIX		" (deleted)"
/* Contents of deleted files and memfds, all fds together. */
#define DATA_TOTAL_MAX		(512ull << 20)

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int fd_dump_getfd(struct files_dump *f, int fd)
{
	int ret = (int)syscall(SYS_pidfd_getfd, f->pidfd, fd, 0);

	return ret < 0 ? -errno : ret;
}

int fd_dump_getfd_of(struct files_dump *f, const struct dump_fd *x)
{
	int g = fd_dump_getfd(f, x->p->fd);

	if (g < 0)
		sudcr_error("fd %d (%s): pidfd_getfd: %s", x->p->fd, x->p->link, strerror(-g));
	return g;
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
static void socket_detail(struct files_dump *f, struct dump_fd *x)
{
	int family = -1, type = -1, protocol = -1;
	socklen_t len = sizeof(int);
	const char *fam;
	int s = fd_dump_getfd(f, x->p->fd);

	if (s < 0)
		return;
	getsockopt(s, SOL_SOCKET, SO_DOMAIN, &family, &len);
	len = sizeof(int);
	getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &len);
	len = sizeof(int);
	getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &protocol, &len);
	close(s);
	x->sk_family = family;
	x->sk_type = type;
	x->sk_protocol = protocol;
	fam = sock_family_name(family);
	if (fam)
		snprintf(x->detail, sizeof(x->detail), "%s %s", fam,
			 sock_type_name(family, type, protocol));
	else if (family >= 0)
		snprintf(x->detail, sizeof(x->detail), "family %d", family);
}

/*
 * What the kinds recognise an fd entry by: its link, fdinfo (in x->p),
 * stat through the magic link, and for a path whether it names an
 * unlinked file; for a socket its family, type and protocol.
 */
static int describe(struct files_dump *f, struct dump_fd *x)
{
	const char *l = x->p->link;
	char proc[64];
	struct stat st;

	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", f->d->proc_pid, x->p->fd);
	if (stat(proc, &x->st)) {
		int err = -errno;

		sudcr_error("fd %d (%s): cannot stat: %s", x->p->fd, l, strerror(-err));
		return err;
	}
	x->path = x->p->link;
	x->inherit_fd = -1;
	x->rfd = -1;
	x->sk_family = x->sk_type = x->sk_protocol = -1;
	if (!strncmp(l, "socket:[", 8)) {
		x->what = "socket";
		socket_detail(f, x);
	} else if (l[0] == '/') {
		x->is_path = true;
		/*
		 * " (deleted)" is the kernel's mark of an unlinked dentry, or
		 * part of a real name: the name tells which when it still
		 * leads to the file.
		 */
		if (ends_with(x->path, DELETED_SUFFIX) &&
		    (stat(x->path, &st) || st.st_dev != x->st.st_dev || st.st_ino != x->st.st_ino)) {
			x->path[strlen(x->path) - strlen(DELETED_SUFFIX)] = '\0';
			x->deleted = true;
		}
	}
	return 0;
}

/* What an fd no kind knows is, for the message that refuses it. */
static void describe_unknown(struct dump_fd *x)
{
	const char *l = x->p->link;

	if (!strncmp(l, "socket:[", 8)) {
		return;		/* "socket", and its family in detail */
	} else if (!strncmp(l, "anon_inode:", 11)) {
		x->what = anon_inode_name(l);
	} else if (l[0] == '/') {
		if (S_ISBLK(x->st.st_mode)) {
			x->what = "block device";
			snprintf(x->detail, sizeof(x->detail), "%u:%u", major(x->st.st_rdev),
				 minor(x->st.st_rdev));
		} else {
			x->what = "special file";
		}
	} else if (strchr(l, ':')) {
		x->what = "namespace or special file";
	} else {
		x->what = "special file";
	}
}

/* The kind of fd entry @x: the first of fd.c's recognition order that says so. */
static int classify(struct files_dump *f, struct dump_fd *x)
{
	int ret = describe(f, x);

	if (ret)
		return ret;
	if (fd_refused(x))
		return 0;	/* lib/kinds/refused.c: io_uring, userfaultfd, BPF, perf, KVM */
	for (int k = 0; fd_kinds_order[k]; k++) {
		const struct fd_kind *kind = fd_kinds_order[k];

		ret = kind->recognise(f, x);
		if (ret < 0) {
			sudcr_error("fd %d (%s): %s", x->p->fd, x->p->link, strerror(-ret));
			return ret;
		}
		if (ret == FD_MINE)
			x->kind = kind->kind;
		if (ret != FD_NOT_MINE)
			return 0;
	}
	describe_unknown(x);
	return 0;
}

static int kcmp_file(pid_t pid, int fd1, int fd2)
{
	return (int)syscall(SYS_kcmp, pid, pid, KCMP_FILE, fd1, fd2);
}

/* Fill desc, obj and inherit_fd of every fd (the inherited ones: inherit.c). */
static int link_fds(struct files_dump *f)
{
	pid_t pid = f->d->proc_pid;	/* a live thread: kcmp needs its fd table */

	inherit_mark_stdio(f);
	for (int i = 0; i < f->nr; i++) {
		struct dump_fd *x = &f->x[i];

		x->desc = i;
		if (x->stdio_inherit)
			continue;
		for (int j = 0; j < i; j++) {
			struct dump_fd *y = &f->x[j];
			int r;

			if (y->desc != j || !fd_dump_same_inode(x, y))
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
	}
	inherit_spread(f);

	for (int i = 0; i < f->nr; i++) {
		struct dump_fd *x = &f->x[i];
		const struct fd_kind *k = fd_kind(x->kind);

		/* Other kinds have no object beyond the description. */
		x->obj = x->desc;
		if (!k || !(k->flags & FD_KIND_OBJECT))
			continue;
		if (k->find_object) {
			x->obj = k->find_object(f, i);
			continue;
		}
		for (int j = 0; j < i; j++) {
			if (f->x[j].kind == x->kind && fd_dump_same_inode(x, &f->x[j])) {
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

static int check_supported(struct files_dump *f)
{
	int nr_posix = 0, ret;

	for (int i = 0; i < f->nr; i++) {
		struct dump_fd *x = &f->x[i];
		const struct fd_kind *k;

		if (!x->kind && x->why && x->what && strcmp(x->what, "socket")) {
			/* refused.c's */
			sudcr_error("fd %d: %s (%s): not supported: %s", x->p->fd, x->p->link, x->what,
				    x->why);
			return -EOPNOTSUPP;
		}
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
		k = fd_kind(x->kind);
		if (x->desc == i && x->p->nr_locks) {
			ret = dump_locks_read(f->d->proc_pid, x->p->fd, x->p->link, k->no_locks,
					      &x->locks, &x->nr_locks, &nr_posix);
			if (ret)
				return ret;
		}
		/* The caller's own fd, given back as it is: nothing of it is dumped. */
		if (k->flags & FD_KIND_INHERIT_FD)
			continue;
		if (x->desc == i) {
			ret = fown_dump_read(f, x);
			if (ret)
				return ret;
		}
		if (k->dump_check) {
			ret = k->dump_check(f, i);
			if (ret)
				return ret;
		}
	}
	return check_posix_locks(f, nr_posix);
}

int fd_dump_write_data(struct files_dump *f, int fd, uint64_t off, size_t len)
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
int fd_dump_contents(struct files_dump *f, struct dump_fd *x)
{
	off_t off = 0, end, size = x->st.st_size;
	char *data = (char *)f->buf + sizeof(struct rec_file_data);
	int rfd = x->rfd, ret;

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
			ret = fd_dump_write_data(f, x->p->fd, off, want);
			if (ret)
				return ret;
			off += want;
		}
	}
	return 0;
}

int fd_dump_open_contents(struct files_dump *f, struct dump_fd *x)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/%d/fd/%d", f->d->proc_pid, x->p->fd);
	/* O_NOATIME: reading for a dump is not an access by the program. */
	x->rfd = open(proc, O_RDONLY | O_CLOEXEC | O_NOATIME);
	if (x->rfd < 0 && errno == EPERM)
		x->rfd = open(proc, O_RDONLY | O_CLOEXEC);
	if (x->rfd < 0) {
		int err = -errno;

		sudcr_error("fd %d (%s): cannot open it to read its contents: %s", x->p->fd,
			    x->path, strerror(-err));
		return err;
	}
	return 0;
}

static int write_fd(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	const struct fd_kind *k = fd_kind(x->kind);
	size_t plen = strlen(x->path);
	struct rec_fd *rec;
	int ret;

	if (plen >= REC_PATH_MAX) {
		sudcr_error("fd %d: path too long", x->p->fd);
		return -ENAMETOOLONG;
	}
	rec = calloc(1, sizeof(*rec) + plen);
	if (!rec)
		return -ENOMEM;
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
	rec->size = (uint64_t)x->st.st_size;
	rec->mtime_sec = x->st.st_mtim.tv_sec;
	rec->mtime_nsec = x->st.st_mtim.tv_nsec;
	rec->dev = x->st.st_dev;
	rec->ino = x->st.st_ino;
	rec->rdev = x->st.st_rdev;
	rec->uid = x->st.st_uid;
	rec->gid = x->st.st_gid;
	ret = k->fill ? k->fill(f, i, rec) : 0;
	if (ret)
		goto out;
	rec->path_len = (uint32_t)plen;
	memcpy(rec + 1, x->path, plen);
	ret = img_write_record(f->d->img, IMG_REC_FD, rec, sizeof(*rec) + plen);
	if (!ret && k->dump)
		ret = k->dump(f, i);
	if (!ret && x->desc == i && x->nr_locks && procfd_other_thread(f->d, x->path)) {
		/* The stub takes locks on what is at the fd: there, a placeholder. */
		sudcr_error("fd %d (%s): a file lock on a file of another thread's /proc: not "
			    "supported", x->p->fd, x->path);
		ret = -EOPNOTSUPP;
	}
	if (!ret && x->desc == i)
		ret = dump_locks_write(f->d->img, x->p->fd, x->locks, x->nr_locks);
	if (!ret && x->desc == i)
		ret = fown_dump_write(f, x);
	sudcr_debug("fd %d: kind %u %s", x->p->fd, x->kind, x->path);
out:
	free(rec);
	if (x->rfd >= 0)
		close(x->rfd);
	x->rfd = -1;
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
	for (int k = 0; !ret && fd_kinds_order[k]; k++)
		if (fd_kinds_order[k]->dump_prepare)
			ret = fd_kinds_order[k]->dump_prepare(&f);
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
		free(f.x[i].priv);
	}
	free(f.buf);
	free(f.x);
	free(fds);
	return ret;
}
