// SPDX-License-Identifier: MIT
/*
 * The process's interval timers (ITIMER_REAL, VIRTUAL and PROF): one
 * ITIMER record each, counted in the MISC record (misc.c).  An ia32 task
 * reads and sets them in its own 32-bit layout; the image holds 64 bits.
 */
#include <errno.h>
#include <stdint.h>

#include "cr.h"
#include <sudcr/log.h>

#include "kinds.h"
#include "misc.h"

static int itimer_collect(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;
	struct cr_thread *th = &d->threads[0];
	uint64_t v[4];		/* struct itimerval: interval, then value */
	int32_t v32[4];		/* the same of ia32 tasks */
	int ret;

	for (int which = 0; which < 3; which++) {
		ret = misc_dump_inject(th, "getitimer", arch_sc_nr(th->inj.kind, SC_GETITIMER), NULL,
				       which, m->scratch, 0, 0);
		if (!ret && th->inj.kind == ARCH_IA32) {
			ret = misc_dump_read(th, "getitimer", m->scratch, v32, sizeof(v32));
			for (int k = 0; k < 4; k++)
				v[k] = (uint64_t)(int64_t)v32[k];
		} else if (!ret) {
			ret = misc_dump_read(th, "getitimer", m->scratch, v, sizeof(v));
		}
		if (ret)
			return ret;
		m->itimer[which] = (struct rec_itimer){
			.which = which,
			.interval_sec = v[0], .interval_usec = v[1],
			.value_sec = v[2], .value_usec = v[3],
		};
	}
	m->misc.nr_itimers = 3;
	return 0;
}

static int itimer_dump(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;
	int ret = 0;

	for (unsigned int i = 0; !ret && i < m->misc.nr_itimers; i++)
		ret = img_write_record(d->img, IMG_REC_ITIMER, &m->itimer[i], sizeof(m->itimer[i]));
	return ret;
}

static bool timeval_ok(uint64_t sec, uint64_t usec)
{
	return sec <= INT64_MAX && usec < 1000000;
}

static int itimer_prepare(struct restore_ctx *r)
{
	struct restore_misc_state *s = r->misc_state;
	const struct rec_itimer *it;
	const void *data;
	uint32_t n = 0, mask = 0;
	size_t len;
	int ret;

	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_ITIMER, &data, &len)) == 1) {
		if (len != sizeof(*it))
			return img_record_invalid(r->img, "itimer record of %zu bytes", len);
		it = data;
		if (it->which > 2 || (mask & (1u << it->which)))
			return img_record_invalid(r->img, "itimer %u unknown or repeated", it->which);
		if (!timeval_ok(it->value_sec, it->value_usec) ||
		    !timeval_ok(it->interval_sec, it->interval_usec))
			return img_record_invalid(r->img, "itimer %u: bad time", it->which);
		s->itimer[it->which] = *it;
		mask |= 1u << it->which;
		n++;
	}
	if (ret < 0)
		return ret;
	if (n != s->misc.nr_itimers) {
		sudcr_error("%s: %u itimer records, the misc record says %u", r->opts.dir, n,
			    s->misc.nr_itimers);
		return -EINVAL;
	}
	return 0;
}

static int itimer_restore(struct restore_ctx *r)
{
	struct restore_misc_state *s = r->misc_state;
	struct cr_thread *th = cthread_of(r, r->proc.pid);
	uint64_t scratch;
	int ret;

	if (!th)
		return -ESRCH;
	ret = misc_scratch(r, &scratch);
	if (ret)
		return ret;
	for (int which = 0; which < 3; which++) {
		const struct rec_itimer *it = &s->itimer[which];
		/* struct itimerval: interval, then value. */
		uint64_t v[4] = { it->interval_sec, it->interval_usec, it->value_sec,
				  it->value_usec };
		/* ia32: struct compat_itimerval, 32-bit fields (the dump read them so). */
		int32_t v32[4] = { (int32_t)v[0], (int32_t)v[1], (int32_t)v[2], (int32_t)v[3] };
		bool ia32 = th->inj.kind == ARCH_IA32;

		if (!it->value_sec && !it->value_usec)
			continue;	/* disarmed, as in the new process */
		ret = ia32 ? misc_write(th, scratch, v32, sizeof(v32)) : misc_write(th, scratch, v, sizeof(v));
		if (!ret)
			ret = misc_inject(th, "an interval timer", NR(th, SETITIMER), NULL, which,
					  scratch, 0, 0);
		if (ret)
			return ret;
	}
	return 0;
}

const struct cr_kind cr_kind_itimer = {
	.name = "itimer",
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_ITIMER, "itimer" },
		{ 0, NULL },
	},
	.collect = itimer_collect,
	.dump = itimer_dump,
	.prepare = itimer_prepare,
	.restore = itimer_restore,
};
