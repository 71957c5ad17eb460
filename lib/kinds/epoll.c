// SPDX-License-Identifier: MIT
/*
 * The epoll fd kind (REC_FD_EPOLL): anon_inode:[eventpoll].  What an
 * epoll description watches (fd number, events, data) is kept in its
 * IMG_REC_EPOLL record; the restore makes a new epoll in the stub and,
 * once every fd is at its number, fills it (its after op).  Its ops are
 * in fd_kind_epoll, at the end.
 */
#include <errno.h>
#include <linux/kcmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cr.h"
#include "image.h"
#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"

/* ---- dump ---- */

static int epoll_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	return strcmp(x->p->link, "anon_inode:[eventpoll]") ? FD_NOT_MINE : FD_MINE;
}

/*
 * What epoll @p watches, into *@tfds (the caller frees it).  The kernel
 * keys an entry by file and the fd number it was added with, and keeps it
 * while the file lives, even once that fd is closed or is another file:
 * such an entry cannot be made again by EPOLL_CTL_ADD on the restored
 * fds.  kcmp(KCMP_EPOLL_TFD) says whether the toff-th entry with number
 * tfd is the file at fd tfd now.
 */
static int epoll_read(pid_t pid, const struct proc_fd *p, struct proc_epoll_tfd **tfds, int *nr_tfds)
{
	int ret;

	ret = proc_read_epoll(pid, p->fd, tfds, nr_tfds);
	if (ret) {
		sudcr_error("fd %d (%s): cannot read what it watches: %s", p->fd, p->link,
			    strerror(-ret));
		return ret;
	}
	for (int k = 0; k < *nr_tfds; k++) {
		struct proc_epoll_tfd *t = &(*tfds)[k];
		struct kcmp_epoll_slot slot = { .efd = (uint32_t)p->fd, .tfd = (uint32_t)t->tfd };
		long r;

		for (int j = 0; j < k; j++)
			if ((*tfds)[j].tfd == t->tfd)
				slot.toff++;
		r = syscall(SYS_kcmp, pid, pid, KCMP_EPOLL_TFD, t->tfd, (unsigned long)&slot);
		if (r == 0)
			continue;
		if (r > 0 || errno == EBADF) {
			sudcr_error("fd %d: %s: watches a file that fd %d no longer is (%s): an epoll entry whose file left its fd number is not supported yet",
				    p->fd, p->link, t->tfd,
				    r > 0 ? "it is another file now" : "it is closed");
			return -EOPNOTSUPP;
		}
		ret = -errno;
		sudcr_error("fd %d (%s): kcmp(KCMP_EPOLL_TFD) of fd %d: %s", p->fd, p->link,
			    t->tfd, strerror(-ret));
		return ret;
	}
	return 0;
}


/* The watch list, read while the fds are checked (kcmp, fd numbers). */
static int epoll_dump_check(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];

	if (x->desc != i)
		return 0;
	return epoll_read(f->d->proc_pid, x->p, &x->tfds, &x->nr_tfds);
}

/* Its IMG_REC_EPOLL record; a watched file of another thread's /proc is refused. */
static int epoll_dump(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	struct rec_epoll *h;
	struct rec_epoll_tfd *e;
	size_t len;
	int ret;

	if (x->desc != i)
		return 0;
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

/* ---- validation ---- */

static int epoll_check_record(struct restore_ctx *r, struct restore_files_state *s,
			      uint32_t type, const void *data, size_t len)
{
	const struct rec_epoll *h = data;
	const struct rec_epoll_tfd *t;
	int i;

	(void)type;
	if (len < sizeof(*h) || (len - sizeof(*h)) / sizeof(*t) != h->nr ||
	    (len - sizeof(*h)) % sizeof(*t))
		return img_record_invalid(r->img, "bad epoll record length");
	t = (const struct rec_epoll_tfd *)(h + 1);
	i = rf_find_fd(s, h->fd);
	if (i < 0 || s->fds[i].rec->kind != REC_FD_EPOLL || s->fds[i].desc != i ||
	    s->fds[i].epoll)
		return img_record_invalid(r->img, "epoll record for fd %d, which is no epoll description before it",
					  h->fd);
	for (uint32_t k = 0; k < h->nr; k++)
		if (t[k].tfd < 0 || t[k].tfd >= FILES_FD_MAX)
			return img_record_invalid(r->img, "fd %d: epoll watches fd %d", h->fd,
						  t[k].tfd);
	s->fds[i].epoll = h;
	return 0;
}

/* Every description has its record; every fd it watches is in the image, once, and is not the epoll itself. */
static int epoll_check_table(struct restore_files_state *s, int i)
{
	const struct rec_epoll *h = s->fds[i].epoll;
	const struct rec_epoll_tfd *t;
	int *seen, ret = 0;

	if (s->fds[i].desc != i)
		return 0;
	if (!h) {
		sudcr_error("image: fd %d (epoll): no epoll record", s->fds[i].rec->fd);
		return -EINVAL;
	}
	t = (const struct rec_epoll_tfd *)(h + 1);
	if (!h->nr)
		return 0;
	seen = malloc(sizeof(int) * h->nr);
	if (!seen)
		return -ENOMEM;
	for (uint32_t k = 0; k < h->nr; k++) {
		int j = rf_find_fd(s, t[k].tfd);

		if (j < 0 || s->fds[j].desc == i) {
			sudcr_error("image: fd %d (epoll) watches fd %d, %s", h->fd, t[k].tfd,
				    j < 0 ? "which the image does not have" : "itself");
			ret = -EINVAL;
			goto out;
		}
		seen[k] = t[k].tfd;
	}
	qsort(seen, h->nr, sizeof(int), rf_cmp_int);
	for (uint32_t k = 1; k < h->nr; k++) {
		if (seen[k] == seen[k - 1]) {
			sudcr_error("image: fd %d (epoll) watches fd %d twice", h->fd, seen[k]);
			ret = -EINVAL;
			goto out;
		}
	}
out:
	free(seen);
	return ret;
}


/* ---- in the stub ---- */

#define EP_PRIVATE_BITS	((uint32_t)(EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE))
#define EP_POLL_BITS	((uint32_t)(EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLRDNORM | \
				    EPOLLRDBAND | EPOLLWRNORM | EPOLLWRBAND | EPOLLMSG | EPOLLRDHUP))

/* A one-shot entry that fired: nothing left to report until EPOLL_CTL_MOD. */
static bool ep_disarmed(uint32_t events)
{
	return (events & EPOLLONESHOT) && !(events & ~EP_PRIVATE_BITS);
}

static void ep_ctl(const struct rf_fd *e, int op, int tfd, uint32_t events,
		   uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	if (epoll_ctl(e->rec->fd, op, tfd, &ev)) {
		int err = errno;

		rf_stub_die("cannot restore fd %d (epoll): %s of fd %d (events %#x): %s",
			 e->rec->fd, op == EPOLL_CTL_ADD ? "EPOLL_CTL_ADD" : "EPOLL_CTL_MOD", tfd,
			 events, strerror(err));
	}
}

/*
 * Fill the epoll of @e, every fd being at its number.  EPOLL_CTL_ADD
 * always adds EPOLLERR|EPOLLHUP, so a disarmed one-shot entry cannot be
 * added as it was: it is added armed for everything, alone in the epoll,
 * and one epoll_wait() disarms those whose file is ready for anything,
 * as a delivery would have.  Those not ready are left armed for
 * EPOLLERR|EPOLLHUP only (EPOLL_CTL_MOD), the nearest the kernel allows.
 * Then the other entries.  An entry that is ready comes out of
 * epoll_wait() once more, even edge-triggered: the ready list is not
 * kept.  Entries that watch another epoll need nothing more: every
 * epoll and its targets exist by now, in any order.
 */
static void epoll_fill(struct restore_files_state *s, int i)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rec_epoll *h = e->epoll;
	const struct rec_epoll_tfd *t;
	uint32_t nr_disarmed = 0;

	if (!h)
		return;		/* not a description: it has the one of its lowest fd */
	t = (const struct rec_epoll_tfd *)(h + 1);
	for (uint32_t k = 0; k < h->nr; k++) {
		if (!ep_disarmed(t[k].events))
			continue;
		ep_ctl(e, EPOLL_CTL_ADD, t[k].tfd, t[k].events | EP_POLL_BITS, t[k].data);
		nr_disarmed++;
	}
	if (nr_disarmed) {
		struct epoll_event *evs = calloc(nr_disarmed, sizeof(*evs));
		struct proc_epoll_tfd *now = NULL;
		int nr_now = 0, n, ret, err;

		if (!evs)
			rf_stub_die("out of memory");
		n = epoll_wait(e->rec->fd, evs, (int)nr_disarmed, 0);
		err = errno;	/* before free() */
		free(evs);
		if (n < 0)
			rf_stub_die("cannot restore fd %d (epoll): epoll_wait: %s", e->rec->fd,
				 strerror(err));
		ret = (uint32_t)n == nr_disarmed ? 0 : proc_read_epoll(getpid(), e->rec->fd, &now, &nr_now);
		if (ret)
			rf_stub_die("cannot restore fd %d (epoll): reading it back: %s", e->rec->fd,
				 strerror(-ret));
		for (int j = 0; j < nr_now; j++) {
			if (!(now[j].events & ~EP_PRIVATE_BITS))
				continue;
			for (uint32_t k = 0; k < h->nr; k++) {
				if (t[k].tfd != now[j].tfd)
					continue;
				ep_ctl(e, EPOLL_CTL_MOD, t[k].tfd, t[k].events, t[k].data);
				sudcr_warn("fd %d (epoll): the one-shot entry of fd %d had fired; it comes back armed for EPOLLERR|EPOLLHUP (the kernel adds them to every entry)",
					  e->rec->fd, t[k].tfd);
			}
		}
		free(now);
	}
	for (uint32_t k = 0; k < h->nr; k++)
		if (!ep_disarmed(t[k].events))
			ep_ctl(e, EPOLL_CTL_ADD, t[k].tfd, t[k].events, t[k].data);
}

static int epoll_open(struct restore_files_state *s, int i, bool *own)
{
	(void)s;
	(void)i;
	(void)own;
	return epoll_create1(EPOLL_CLOEXEC);
}

const struct fd_kind fd_kind_epoll = {
	.kind = REC_FD_EPOLL,
	.name = "epoll",
	.show_name = "epoll",
	.records = { IMG_REC_EPOLL },
	.recognise = epoll_recognise,
	.dump_check = epoll_dump_check,
	.dump = epoll_dump,
	.check_record = epoll_check_record,
	.check_table = epoll_check_table,
	.open = epoll_open,
	.after = epoll_fill,
};
