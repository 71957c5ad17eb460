// SPDX-License-Identifier: MIT
/*
 * The process's POSIX timers (timer_create): one POSIX_TIMER record each,
 * counted in the MISC record (misc.c).  Listed from /proc/PID/timers, their
 * times read by injected timer_gettime; restored with the ids they had.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "kinds.h"
#include "misc.h"

/* Recent kernels (6.18 has it): timer_create() takes the id from *created_timer_id. */
#ifndef PR_TIMER_CREATE_RESTORE_IDS
#define PR_TIMER_CREATE_RESTORE_IDS 77
#define PR_TIMER_CREATE_RESTORE_IDS_OFF 0
#define PR_TIMER_CREATE_RESTORE_IDS_ON 1
#endif

/* Fillers for holes in timer ids when ids cannot be asked for. */
#define MISC_MAX_TIMER_FILLERS	4096

static int posix_timer_collect(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;
	uint64_t scratch = m->scratch;
	struct cr_thread *th = &d->threads[0];
	struct proc_posix_timer *pt = NULL;
	uint64_t v[4];		/* struct itimerspec: interval, then value */
	int nr = 0, ret;

	ret = proc_parse_timers(d->proc_pid, &pt, &nr);
	if (ret) {
		sudcr_error("process %d: cannot list its POSIX timers (/proc/%d/timers): %s",
			    d->pid, d->pid, strerror(-ret));
		return ret;
	}
	if (!nr)
		goto out;
	m->timers = calloc(nr, sizeof(*m->timers));
	if (!m->timers) {
		sudcr_error("process %d: out of memory", d->pid);
		ret = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < nr; i++) {
		/* timer_gettime64 of ia32 tasks takes the same 64-bit itimerspec. */
		ret = misc_dump_inject(th, "timer_gettime",
				  arch_sc_nr(th->inj.kind, th->inj.kind == ARCH_IA32 ? SC_TIMER_GETTIME64 : SC_TIMER_GETTIME), NULL,
				  pt[i].id, scratch, 0, 0);
		if (!ret)
			ret = misc_dump_read(th, "timer_gettime", scratch, v, sizeof(v));
		if (ret)
			goto out;
		m->timers[i] = (struct rec_posix_timer){
			.id = pt[i].id,
			.clock_id = pt[i].clock_id,
			.signo = pt[i].signo,
			.notify = pt[i].notify_kind,
			.notify_tid = pt[i].notify_tid,
			.sigval = pt[i].sigval,
			.interval_sec = v[0], .interval_nsec = v[1],
			.value_sec = v[2], .value_nsec = v[3],
		};
	}
	m->nr_timers = nr;
	m->misc.nr_posix_timers = nr;
out:
	free(pt);
	return ret;
}

static int posix_timer_dump(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;
	int ret = 0;

	for (int i = 0; !ret && i < m->nr_timers; i++)
		ret = img_write_record(d->img, IMG_REC_POSIX_TIMER, &m->timers[i],
				       sizeof(m->timers[i]));
	return ret;
}

static void posix_timer_dump_free(struct dump_ctx *d)
{
	if (d->misc_dump) {
		free(d->misc_dump->timers);
		d->misc_dump->timers = NULL;
	}
}

static void posix_timer_free(struct restore_ctx *r)
{
	if (r->misc_state)
		free(r->misc_state->timers);
}

static int cmp_timer(const void *a, const void *b)
{
	const struct rec_posix_timer *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int check_timer(struct restore_ctx *r, const struct rec_posix_timer *t)
{
	int kind = t->notify & ~SIGEV_THREAD_ID;

	if (t->id < 0)
		return img_record_invalid(r->img, "POSIX timer id %d", t->id);
	if (t->value_sec > INT64_MAX || t->value_nsec >= 1000000000 ||
	    t->interval_sec > INT64_MAX || t->interval_nsec >= 1000000000)
		return img_record_invalid(r->img, "POSIX timer %d: bad time", t->id);
	if (t->notify != SIGEV_NONE && t->notify != SIGEV_SIGNAL && t->notify != SIGEV_THREAD &&
	    t->notify != (SIGEV_SIGNAL | SIGEV_THREAD_ID))
		return img_record_invalid(r->img, "POSIX timer %d: notify %#x", t->id, t->notify);
	if (kind != SIGEV_NONE && (t->signo <= 0 || t->signo >= _NSIG))
		return img_record_invalid(r->img, "POSIX timer %d: signal %d", t->id, t->signo);
	if ((t->notify & SIGEV_THREAD_ID) ? restore_image_thread_index(r, t->notify_tid) < 0 :
					    t->notify_tid != r->proc.pid)
		return img_record_invalid(r->img, "POSIX timer %d: notifies %d, not in the image",
					  t->id, t->notify_tid);
	return 0;
}

static int posix_timer_prepare(struct restore_ctx *r)
{
	struct restore_misc_state *s = r->misc_state;
	const void *data;
	size_t len;
	int ret, n = 0;

	ret = restore_alloc_counted(r, IMG_REC_POSIX_TIMER, s->misc.nr_posix_timers, sizeof(*s->timers),
				    "POSIX timer", (void **)&s->timers);
	if (ret)
		return ret;
	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_POSIX_TIMER, &data, &len)) == 1) {
		if (len != sizeof(*s->timers))
			return img_record_invalid(r->img, "POSIX timer record of %zu bytes", len);
		if ((uint32_t)n >= s->misc.nr_posix_timers)
			return img_record_invalid(r->img, "more POSIX timers than the misc record says");
		memcpy(&s->timers[n], data, len);
		ret = check_timer(r, &s->timers[n]);
		if (ret)
			return ret;
		n++;
	}
	if (ret < 0)
		return ret;
	if ((uint32_t)n != s->misc.nr_posix_timers) {
		sudcr_error("%s: %d POSIX timer records, the misc record says %u", r->opts.dir, n,
			    s->misc.nr_posix_timers);
		return -EINVAL;
	}
	s->nr_timers = n;
	if (n)
		qsort(s->timers, n, sizeof(*s->timers), cmp_timer);
	for (int i = 1; i < n; i++) {
		if (s->timers[i].id == s->timers[i - 1].id) {
			sudcr_error("%s: POSIX timer id %d appears twice", r->opts.dir,
				    s->timers[i].id);
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- injected ---- */

/* struct sigevent of x86-64, as the kernel reads it. */
struct misc_sigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	int32_t pad[11];
};

/* struct compat_sigevent of ia32 tasks: a 32-bit sigval first. */
struct misc_sigevent32 {
	uint32_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	int32_t pad[12];
};

/*
 * Timers get the ids they had: recent kernels take the wanted id from
 * *created_timer_id once PR_TIMER_CREATE_RESTORE_IDS is on.  Older kernels
 * hand out ids in order from 0 in a new process, so holes are made with
 * filler timers, deleted at the end.
 */
static int posix_timer_restore(struct restore_ctx *r)
{
	struct restore_misc_state *s = r->misc_state;
	struct cr_thread *th = cthread_of(r, r->proc.pid);
	uint64_t scratch, ev_addr, id_addr, ts_addr;
	int32_t *fillers = NULL;
	int nr_fillers = 0, ret = 0;
	bool by_id;
	int64_t v;

	if (!th)
		return -ESRCH;
	ret = misc_scratch(r, &scratch);
	if (ret || !s->nr_timers)
		return ret;
	ev_addr = scratch;
	id_addr = scratch + 64;
	ts_addr = scratch + 128;
	ret = cr_inject(th, NR(th, PRCTL), &v, PR_TIMER_CREATE_RESTORE_IDS,
			PR_TIMER_CREATE_RESTORE_IDS_ON, 0, 0, 0, 0);
	if (ret)
		return ret;
	if (v && v != -EINVAL) {
		sudcr_error("thread %d: cannot ask for POSIX timer ids: %s", th->tid,
			    strerror((int)-v));
		return (int)v;
	}
	by_id = !v;
	for (int i = 0; i < s->nr_timers; i++) {
		const struct rec_posix_timer *t = &s->timers[i];
		struct misc_sigevent ev = {
			.value = t->sigval,
			.signo = t->signo,
			.notify = t->notify,
			.tid = t->notify_tid,
		};
		struct misc_sigevent32 ev32 = {
			.value = (uint32_t)t->sigval,
			.signo = t->signo,
			.notify = t->notify,
			.tid = t->notify_tid,
		};
		/* struct itimerspec: interval, then value. */
		uint64_t ts[4] = { t->interval_sec, t->interval_nsec, t->value_sec,
				   t->value_nsec };
		int32_t id = t->id;

		if (th->inj.kind == ARCH_IA32)
			ret = misc_write(th, ev_addr, &ev32, sizeof(ev32));
		else
			ret = misc_write(th, ev_addr, &ev, sizeof(ev));
		if (ret)
			goto out;
		for (;;) {
			ret = misc_write(th, id_addr, &id, sizeof(id));
			if (!ret)
				ret = cr_inject(th, NR(th, TIMER_CREATE), &v, t->clock_id, ev_addr,
						id_addr, 0, 0, 0);
			if (ret)
				goto out;
			if (v) {
				sudcr_error("cannot create POSIX timer %d (clock %d): %s", t->id,
					    t->clock_id, strerror((int)-v));
				ret = (int)v;
				goto out;
			}
			ret = misc_read(th, id_addr, &id, sizeof(id));
			if (ret)
				goto out;
			if (id == t->id)
				break;
			if (by_id || id > t->id || nr_fillers >= MISC_MAX_TIMER_FILLERS) {
				sudcr_error("cannot create POSIX timer %d: the kernel gave id %d%s",
					    t->id, id, by_id || id > t->id ? "" :
					    " (hole too large without PR_TIMER_CREATE_RESTORE_IDS)");
				ret = -EEXIST;
				goto out;
			}
			if (!(nr_fillers & 63)) {
				int32_t *nf = realloc(fillers, (nr_fillers + 64) * sizeof(*nf));

				if (!nf) {
					sudcr_error("out of memory");
					ret = -ENOMEM;
					goto out;
				}
				fillers = nf;
			}
			fillers[nr_fillers++] = id;
			id = t->id;
		}
		if (!t->value_sec && !t->value_nsec)
			continue;	/* disarmed */
		ret = misc_write(th, ts_addr, ts, sizeof(ts));
		if (!ret)
			/* timer_settime64 of ia32 tasks takes the same 64-bit itimerspec. */
			ret = misc_inject(th, "a POSIX timer", th->inj.kind == ARCH_IA32 ?
					  NR(th, TIMER_SETTIME64) : NR(th, TIMER_SETTIME), NULL,
					  t->id, 0, ts_addr, 0);
		if (ret)
			goto out;
	}
	for (int i = 0; i < nr_fillers; i++) {
		ret = misc_inject(th, "POSIX timer ids", NR(th, TIMER_DELETE), NULL, fillers[i], 0, 0,
				  0);
		if (ret)
			goto out;
	}
	if (by_id)
		ret = misc_inject(th, "POSIX timer ids", NR(th, PRCTL), NULL,
				  PR_TIMER_CREATE_RESTORE_IDS, PR_TIMER_CREATE_RESTORE_IDS_OFF, 0,
				  0);
out:
	free(fillers);
	return ret;
}

const struct cr_kind cr_kind_posix_timer = {
	.name = "posix_timer",
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_POSIX_TIMER, "posix_timer" },
		{ 0, NULL },
	},
	.collect = posix_timer_collect,
	.dump = posix_timer_dump,
	.dump_free = posix_timer_dump_free,
	.prepare = posix_timer_prepare,
	.restore = posix_timer_restore,
	.free = posix_timer_free,
};
