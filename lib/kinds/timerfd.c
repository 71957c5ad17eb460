// SPDX-License-Identifier: MIT
/*
 * The timerfd fd kind (REC_FD_TIMERFD): an anon inode whose fdinfo shows
 * the clock, the flags of timerfd_settime(), the ticks not read yet and
 * the time left.  A description's timer is kept in its IMG_REC_TIMERFD
 * record.  The restore makes a new timerfd in the stub (a disarmed one
 * complete there) and arms an armed one by injection, once the process
 * is about to run (its late op).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "cr.h"
#include "image.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "fd.h"
#include "fd_dump.h"
#include "files.h"

/* ---- dump ---- */

static int timerfd_recognise(struct files_dump *f, struct dump_fd *x)
{
	(void)f;
	return x->p->has_timerfd && !strcmp(x->p->link, "anon_inode:[timerfd]") ? FD_MINE :
									  FD_NOT_MINE;
}

static int timerfd_check_ticks(const struct proc_fd *p, uint64_t ticks)
{
	if (!ticks || cr_can_set_timerfd_ticks())
		return 0;
	sudcr_error("fd %d: %s: %llu expirations not read yet, which this kernel cannot set again (TFD_IOC_SET_TICKS needs CONFIG_CHECKPOINT_RESTORE)",
		    p->fd, p->link, (unsigned long long)ticks);
	return -EOPNOTSUPP;
}

/*
 * The state of a timerfd, one consistent view: fdinfo prints the ticks and
 * the time left under one lock.  An interval timer that expired shows 0
 * left until something reads it or asks for its time: timerfd_gettime()
 * moves it on to its next expiry and adds the periods missed to its
 * ticks, so it is asked first, through a second reference (@g, which
 * the fd driver got by pidfd_getfd).  The process cannot tell (a read
 * returns the same count, the next expiry is the same); the kernel does
 * the same on any read or gettime.
 */
static int timerfd_write(struct img_writer *img, const struct proc_fd *p, int g)
{
	struct rec_timerfd t = { .fd = p->fd };
	struct itimerspec cur;
	struct timespec now = { 0 };
	struct proc_fd *pf;
	int ret = 0;

	pf = malloc(sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	for (int tries = 0;; tries++) {
		if (timerfd_gettime(g, &cur)) {
			ret = -errno;
			sudcr_error("fd %d (%s): timerfd_gettime: %s", p->fd, p->link,
				    strerror(-ret));
			goto out;
		}
		ret = proc_read_fd(getpid(), g, pf);
		clock_gettime(CLOCK_REALTIME, &now);
		if (!ret && !pf->has_timerfd)
			ret = -EINVAL;
		if (ret) {
			sudcr_error("fd %d (%s): cannot read its timer from fdinfo: %s", p->fd,
				    p->link, strerror(-ret));
			goto out;
		}
		/* Expired again in between: a period of microseconds. */
		if (pf->timerfd_value_sec || pf->timerfd_value_nsec ||
		    (!pf->timerfd_interval_sec && !pf->timerfd_interval_nsec) || tries == 8)
			break;
	}
	t.clockid = pf->timerfd_clockid;
	t.settime_flags = pf->timerfd_settime_flags;
	t.ticks = pf->timerfd_ticks;
	t.value_sec = pf->timerfd_value_sec;
	t.value_nsec = pf->timerfd_value_nsec;
	t.interval_sec = pf->timerfd_interval_sec;
	t.interval_nsec = pf->timerfd_interval_nsec;
	/* Still overdue: due at once (0 would disarm it). */
	if (!t.value_sec && !t.value_nsec && (t.interval_sec || t.interval_nsec))
		t.value_nsec = 1;
	if ((t.value_sec || t.value_nsec) && (t.settime_flags & TFD_TIMER_ABSTIME) &&
	    (t.clockid == CLOCK_REALTIME || t.clockid == CLOCK_REALTIME_ALARM)) {
		uint64_t ns = (uint64_t)now.tv_nsec + t.value_nsec;

		t.wall_sec = (uint64_t)now.tv_sec + t.value_sec + ns / 1000000000;
		t.wall_nsec = ns % 1000000000;
	}
	ret = timerfd_check_ticks(p, t.ticks);
	if (!ret)
		ret = img_write_record(img, IMG_REC_TIMERFD, &t, sizeof(t));
out:
	free(pf);
	return ret;
}

/* Its unread expirations, once the fds are linked. */
static int timerfd_dump_check(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];

	if (x->desc == i && timerfd_check_ticks(x->p, x->p->timerfd_ticks))
		return -EOPNOTSUPP;
	return 0;
}

/* A description's timer, through a second reference (timerfd_write() says why). */
static int timerfd_dump(struct files_dump *f, int i)
{
	struct dump_fd *x = &f->x[i];
	int g, ret;

	if (x->desc != i)
		return 0;
	g = fd_dump_getfd_of(f, x);
	if (g < 0)
		return g;
	ret = timerfd_write(f->d->img, x->p, g);
	close(g);
	return ret;
}

/* ---- validation ---- */

#define NSEC_PER_SEC	1000000000ull

static bool timerfd_armed(const struct rec_timerfd *t)
{
	return t->value_sec || t->value_nsec;
}

static bool wall_clock(int32_t clockid)
{
	return clockid == CLOCK_REALTIME || clockid == CLOCK_REALTIME_ALARM;
}

static int timerfd_check_record(struct restore_ctx *r, struct restore_files_state *s,
				uint32_t type, const void *data, size_t len)
{
	const struct rec_timerfd *t = data;
	bool wall;
	int i;

	(void)type;
	if (len != sizeof(*t) || t->pad)
		return img_record_invalid(r->img, "bad timerfd record");
	i = rf_find_fd(s, t->fd);
	if (i < 0 || s->fds[i].rec->kind != REC_FD_TIMERFD || s->fds[i].desc != i ||
	    s->fds[i].timer)
		return img_record_invalid(r->img, "timerfd record for fd %d, which is no timerfd description before it",
					  t->fd);
	if (t->clockid != CLOCK_REALTIME && t->clockid != CLOCK_MONOTONIC &&
	    t->clockid != CLOCK_BOOTTIME && t->clockid != CLOCK_REALTIME_ALARM &&
	    t->clockid != CLOCK_BOOTTIME_ALARM)
		return img_record_invalid(r->img, "fd %d: timerfd clock %d", t->fd, t->clockid);
	if (t->settime_flags & ~(uint32_t)(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return img_record_invalid(r->img, "fd %d: timerfd flags %#x", t->fd,
					  t->settime_flags);
	if (t->value_sec > INT64_MAX || t->value_nsec >= NSEC_PER_SEC ||
	    t->interval_sec > INT64_MAX || t->interval_nsec >= NSEC_PER_SEC)
		return img_record_invalid(r->img, "fd %d: bad timerfd time", t->fd);
	wall = timerfd_armed(t) && (t->settime_flags & TFD_TIMER_ABSTIME) && wall_clock(t->clockid);
	if (wall ? t->wall_sec > INT64_MAX || t->wall_nsec >= NSEC_PER_SEC :
		   t->wall_sec || t->wall_nsec)
		return img_record_invalid(r->img, "fd %d: bad timerfd expiry", t->fd);
	s->fds[i].timer = t;
	return 0;
}

/* Every description has its timer. */
static int timerfd_check_table(struct restore_files_state *s, int i)
{
	if (s->fds[i].desc == i && !s->fds[i].timer) {
		sudcr_error("image: fd %d (timerfd): no timerfd record", s->fds[i].rec->fd);
		return -EINVAL;
	}
	return 0;
}

/* ---- in the stub ---- */

static void set_ticks_failed(const struct rf_fd *e, int err)
{
	rf_stub_die("cannot restore fd %d (timerfd): setting its %llu expirations not read yet: %s%s",
		 e->rec->fd, (unsigned long long)e->timer->ticks, strerror(err),
		 err == ENOTTY ? " (TFD_IOC_SET_TICKS needs a kernel with CONFIG_CHECKPOINT_RESTORE)" : "");
}

/*
 * A new timerfd with the clock of the image.  A disarmed one gets its flags
 * and unread expirations here; an armed one is armed by timerfd_arm(),
 * once the process is about to run.
 */
static int timerfd_open(struct restore_files_state *s, int i, bool *own)
{
	const struct rf_fd *e = &s->fds[i];
	const struct rec_timerfd *tr = e->timer;
	struct itimerspec zero = { 0 };
	int t;

	(void)own;
	t = timerfd_create(tr->clockid, TFD_CLOEXEC | TFD_NONBLOCK);
	if (t < 0)
		rf_die_fd(e, "timerfd_create", errno);
	if (timerfd_armed(tr))
		return t;
	if (tr->settime_flags && timerfd_settime(t, (int)tr->settime_flags, &zero, NULL))
		rf_die_fd(e, "timerfd_settime", errno);
	if (tr->ticks && ioctl(t, TFD_IOC_SET_TICKS, &tr->ticks))
		set_ticks_failed(e, errno);
	return t;
}

/* ---- injected ---- */

/*
 * TFD_IOC_SET_TICKS sets the count, it does not add to it: an expiry
 * between timerfd_settime() and the ioctl (a timer due within
 * microseconds, or sudcr descheduled meanwhile) is lost in it.  fdinfo
 * tells: time still left means no expiry yet; none left, the expiry's tick
 * is either in the count already, or lost, or its callback still to run.
 * An expired timer does not fire again before something reads it, so a
 * tick still missing after a short wait was lost: put it back.
 */
static int check_lost_tick(struct restore_ctx *r, struct cr_thread *th, const struct rf_fd *e,
			   uint64_t addr)
{
	uint64_t want = e->timer->ticks + 1;
	struct proc_fd *pf = malloc(sizeof(*pf));
	int ret = 0;

	if (!pf)
		return -ENOMEM;
	for (int waited = 0;; waited++) {
		ret = proc_read_fd(r->pid, e->rec->fd, pf);
		if (!ret && !pf->has_timerfd)
			ret = -EINVAL;
		if (ret) {
			sudcr_error("cannot restore fd %d (timerfd): reading it back: %s",
				    e->rec->fd, strerror(-ret));
			goto out;
		}
		if (pf->timerfd_ticks >= want || pf->timerfd_value_sec || pf->timerfd_value_nsec)
			goto out;
		if (waited == 20)
			break;
		usleep(500);
	}
	sudcr_debug("fd %d: timerfd expired before its ticks were set: one more", e->rec->fd);
	ret = files_write(th, addr, &want, sizeof(want));
	if (!ret)
		ret = files_inject(th, e, "TFD_IOC_SET_TICKS", SYS_ioctl, e->rec->fd,
				   TFD_IOC_SET_TICKS, addr, 0);
out:
	free(pf);
	return ret;
}

/*
 * Arm a timerfd with the time it had left, from now: the process did not
 * run in between.  Absolute timers stay absolute: on the wall clock at the
 * same expiry (due at once if that has passed, with the periods missed
 * counted as the kernel counts them), on the other clocks at now plus what
 * was left, since those clocks start again at every boot.
 */
static int timerfd_arm(struct restore_ctx *r, struct cr_thread *th, const struct rf_fd *e,
		       uint64_t scratch)
{
	const struct rec_timerfd *t = e->timer;
	/* struct itimerspec: interval, then value. */
	uint64_t its[4] = { t->interval_sec, t->interval_nsec, t->value_sec, t->value_nsec };
	int ret;

	if (t->settime_flags & TFD_TIMER_ABSTIME) {
		if (wall_clock(t->clockid)) {
			its[2] = t->wall_sec;
			its[3] = t->wall_nsec;
		} else {
			struct timespec now;

			clock_gettime(t->clockid == CLOCK_MONOTONIC ? CLOCK_MONOTONIC : CLOCK_BOOTTIME,
				      &now);
			its[3] += now.tv_nsec;
			its[2] += now.tv_sec + its[3] / NSEC_PER_SEC;
			its[3] %= NSEC_PER_SEC;
		}
	}
	ret = files_write(th, scratch, its, sizeof(its));
	if (!ret)
		ret = files_inject(th, e, "timerfd_settime", SYS_timerfd_settime, e->rec->fd,
				   t->settime_flags, scratch, 0);
	if (ret || !t->ticks)
		return ret;
	ret = files_write(th, scratch + sizeof(its), &t->ticks, sizeof(t->ticks));
	if (!ret)
		ret = files_inject(th, e, "TFD_IOC_SET_TICKS", SYS_ioctl, e->rec->fd,
				   TFD_IOC_SET_TICKS, scratch + sizeof(its), 0);
	if (!ret)
		ret = check_lost_tick(r, th, e, scratch + sizeof(its));
	return ret;
}

/* An armed timer, once the process is about to run. */
static int timerfd_late(struct restore_ctx *r, struct restore_files_state *s, int i,
			struct rf_late *l)
{
	const struct rf_fd *e = &s->fds[i];
	int ret;

	if (!e->timer || !timerfd_armed(e->timer))
		return 0;
	ret = rf_late_thread(r, l);
	return ret ? ret : timerfd_arm(r, l->th, e, l->scratch);
}

const struct fd_kind fd_kind_timerfd = {
	.kind = REC_FD_TIMERFD,
	.name = "timerfd",
	.show_name = "timerfd",
	.records = { IMG_REC_TIMERFD },
	.recognise = timerfd_recognise,
	.dump_check = timerfd_dump_check,
	.dump = timerfd_dump,
	.check_record = timerfd_check_record,
	.check_table = timerfd_check_table,
	.open = timerfd_open,
	.late = timerfd_late,
};
