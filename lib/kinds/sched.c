// SPDX-License-Identifier: MIT
/*
 * Dump of each thread's scheduling: policy, priority, flags and nice
 * (sched_getattr), I/O priority (ioprio_get), CPU affinity and timer
 * slack.  All are per thread; only the timer slack needs the thread
 * itself (PR_GET_TIMERSLACK; /proc/PID/timerslack_ns is the leader's).
 *
 * The affinity is the one the thread had before the injection pinned it
 * to one CPU (inject.c keeps it).
 *
 * Restore of each thread's scheduling (the dump above).
 *
 * Timer slack is set by injection, before the seccomp filters (only a thread sets
 * its own), before the policy: the kernel keeps no slack for FIFO, RR and
 * DEADLINE threads and ignores PR_SET_TIMERSLACK from them.
 *
 * The rest is set from sudcr, after the end of injection
 * (sched_finish()): injection pins each thread to one CPU and puts
 * its affinity back at the end, a FIFO thread at a high priority would
 * starve sudcr on that CPU, and a thread at nice 19 or SCHED_IDLE would
 * slow every injected call.  Affinity goes first (a DEADLINE thread must
 * fit its root domain when it becomes one), then nice (setpriority also
 * sets the nice value kept for FIFO/RR threads, which sched_setattr leaves
 * alone), then policy, priority and flags, then I/O priority.  Affinity and
 * policy are read back: a value the kernel changed (a CPU not allowed
 * here) fails the restore rather than leave the thread different.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "attrs.h"
#include "kinds.h"

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#define SCHED_KEPT_FLAGS	0x07ULL	/* RESET_ON_FORK, RECLAIM, DL_OVERRUN */

/* struct sched_attr of sched_getattr(2), with the utilization clamps (4.20+). */
struct sched_attr_v1 {
	uint32_t size;
	uint32_t policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};
#define SCHED_ATTR_SIZE_VER0	48
#define SCHED_UTIL_MAX		1024

static int dump_thread_sched(struct cr_thread *th, struct rec_sched *rec)
{
	struct sched_attr_v1 a = { 0 };
	cpu_set_t cpus;
	int64_t slack;
	long prio, nr;
	int ret, nice;

	rec->tid = th->tid;
	if (syscall(SYS_sched_getattr, th->tid, &a, sizeof(a), 0)) {
		ret = -errno;
		sudcr_error("thread %d: cannot read its scheduling policy: %s", th->tid,
			    strerror(errno));
		return ret;
	}
	/*
	 * Without CONFIG_UCLAMP_TASK both clamps read 0; with it, a thread
	 * that never set them has 0 and 1024.  Others are not restored.
	 */
	if (a.size > SCHED_ATTR_SIZE_VER0 && a.util_max &&
	    (a.util_min || a.util_max != SCHED_UTIL_MAX)) {
		sudcr_error("thread %d: utilization clamps %u..%u (SCHED_FLAG_UTIL_CLAMP): not "
			    "supported", th->tid, a.util_min, a.util_max);
		return -EOPNOTSUPP;
	}
	if (a.flags & ~SCHED_KEPT_FLAGS) {
		sudcr_error("thread %d: scheduling flags %#llx: not supported", th->tid,
			    (unsigned long long)a.flags);
		return -EOPNOTSUPP;
	}
	rec->policy = a.policy;
	rec->flags = a.flags;
	rec->priority = a.priority;
	/* sched_getattr says 0 for RT threads; their nice is kept all the same. */
	errno = 0;
	nice = getpriority(PRIO_PROCESS, th->tid);
	if (nice == -1 && errno) {
		ret = -errno;
		sudcr_error("thread %d: cannot read its nice value: %s", th->tid, strerror(errno));
		return ret;
	}
	rec->nice = nice;
	if (a.policy == SCHED_DEADLINE) {
		rec->dl_runtime = a.runtime;
		rec->dl_deadline = a.deadline;
		rec->dl_period = a.period;
	}

	errno = 0;
	prio = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, th->tid);
	if (prio < 0) {
		ret = -errno;
		sudcr_error("thread %d: cannot read its I/O priority: %s", th->tid, strerror(errno));
		return ret;
	}
	rec->ioprio = (uint32_t)prio;

	if (th->inj_active && th->inj.affinity_set) {
		cpus = th->inj.saved_target_cpus;
	} else if (sched_getaffinity(th->tid, sizeof(cpus), &cpus)) {
		ret = -errno;
		sudcr_error("thread %d: cannot read its CPU affinity: %s", th->tid, strerror(errno));
		return ret;
	}
	rec->nr_cpus = sizeof(rec->cpus) * 8;
	for (unsigned int cpu = 0; cpu < rec->nr_cpus && cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &cpus))
			rec->cpus[cpu / 64] |= 1ULL << (cpu % 64);

	nr = arch_sc_nr(th->inj.kind, SC_PRCTL);
	ret = cr_inject(th, nr, &slack, PR_GET_TIMERSLACK, 0, 0, 0, 0, 0);
	if (ret)
		return ret;
	if (slack < 0 && slack >= -4095) {
		sudcr_error("thread %d: prctl(PR_GET_TIMERSLACK): %s", th->tid,
			    strerror((int)-slack));
		return (int)slack;
	}
	/* ia32: the syscall returns an int, and the slack fits (it is at most ULONG_MAX there). */
	rec->timerslack_ns = th->inj.kind == ARCH_IA32 ? (uint32_t)slack : (uint64_t)slack;
	return 0;
}

static int dump_sched(struct dump_ctx *d)
{
	for (int i = 0; i < d->nr_threads; i++) {
		struct rec_sched rec = { 0 };
		int ret = dump_thread_sched(&d->threads[i], &rec);

		if (!ret)
			ret = img_write_record(d->img, IMG_REC_SCHED, &rec, sizeof(rec));
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- restore ---- */

#ifndef SCHED_BATCH
#define SCHED_BATCH 3
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#define SCHED_FLAG_RESET_ON_FORK_	0x01ULL
#define SCHED_DL_FLAGS			0x06ULL	/* RECLAIM, DL_OVERRUN */
#define IOPRIO_CLASS_SHIFT_		13

struct sched_attr_v0 {
	uint32_t size;
	uint32_t policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
};

static const char *policy_name(uint32_t p)
{
	switch (p) {
	case SCHED_OTHER: return "SCHED_OTHER";
	case SCHED_FIFO: return "SCHED_FIFO";
	case SCHED_RR: return "SCHED_RR";
	case SCHED_BATCH: return "SCHED_BATCH";
	case SCHED_IDLE: return "SCHED_IDLE";
	case SCHED_DEADLINE: return "SCHED_DEADLINE";
	}
	return "?";
}

static int check_sched(struct restore_ctx *r, const struct rec_sched *t)
{
	bool rt = t->policy == SCHED_FIFO || t->policy == SCHED_RR;
	bool dl = t->policy == SCHED_DEADLINE;
	bool any = false;

	if (!strcmp(policy_name(t->policy), "?"))
		return img_record_invalid(r->img, "thread %d: scheduling policy %u", t->tid,
					  t->policy);
	if ((t->flags & ~(SCHED_FLAG_RESET_ON_FORK_ | SCHED_DL_FLAGS)) ||
	    (!dl && (t->flags & SCHED_DL_FLAGS)))
		return img_record_invalid(r->img, "thread %d: scheduling flags %#llx", t->tid,
					  (unsigned long long)t->flags);
	if (t->nice < -20 || t->nice > 19 || (rt ? t->priority < 1 || t->priority > 99 :
						t->priority != 0))
		return img_record_invalid(r->img, "thread %d: %s with nice %d, priority %u",
					  t->tid, policy_name(t->policy), t->nice, t->priority);
	if (dl ? !t->dl_runtime || t->dl_runtime > t->dl_deadline ||
		 (t->dl_period && t->dl_deadline > t->dl_period) :
		 t->dl_runtime || t->dl_deadline || t->dl_period)
		return img_record_invalid(r->img, "thread %d: deadline parameters", t->tid);
	if ((t->ioprio >> IOPRIO_CLASS_SHIFT_) > 3 || t->ioprio > 0xffff)
		return img_record_invalid(r->img, "thread %d: I/O priority %#x", t->tid, t->ioprio);
	if (t->nr_cpus != sizeof(t->cpus) * 8)
		return img_record_invalid(r->img, "thread %d: CPU set of %u CPUs", t->tid,
					  t->nr_cpus);
	for (size_t k = 0; k < sizeof(t->cpus) / sizeof(t->cpus[0]); k++)
		any |= t->cpus[k] != 0;
	if (!any)
		return img_record_invalid(r->img, "thread %d: empty CPU affinity", t->tid);
	return 0;
}

static int restore_sched_prepare(struct restore_ctx *r, struct restore_attrs_state *s)
{
	const void *data;
	uint32_t seen = 0;
	size_t len;
	int ret;

	s->sched = calloc(r->proc.nr_threads, sizeof(*s->sched));
	if (!s->sched) {
		sudcr_error("out of memory");
		return -ENOMEM;
	}
	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_SCHED, &data, &len)) == 1) {
		const struct rec_sched *t = data;
		uint32_t i;

		if (len != sizeof(*t))
			return img_record_invalid(r->img, "scheduling record of %zu bytes", len);
		for (i = 0; i < r->proc.nr_threads && r->threads[i].tid != t->tid; i++)
			;
		if (i == r->proc.nr_threads || s->sched[i].tid)
			return img_record_invalid(r->img, "scheduling record of unknown or repeated "
						  "thread %d", t->tid);
		ret = check_sched(r, t);
		if (ret)
			return ret;
		s->sched[i] = *t;
		seen++;
	}
	if (ret < 0)
		return ret;
	if (seen != r->proc.nr_threads) {
		sudcr_error("%s: %u of %u threads lack their scheduling record", r->opts.dir,
			    r->proc.nr_threads - seen, r->proc.nr_threads);
		return -EINVAL;
	}
	return 0;
}

/*
 * After the procattr kind's prepare, which made the shared state.  sudcr's
 * own timer slack if it runs a fair policy: the stub's threads start with
 * it (see sched_restore()).
 */
static int prepare_sched(struct restore_ctx *r)
{
	int policy = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
	int slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);

	if (policy >= 0 && policy != SCHED_FIFO && policy != SCHED_RR && policy != SCHED_DEADLINE &&
	    slack > 0)
		r->attrs_state->own_slack = slack;
	return restore_sched_prepare(r, r->attrs_state);
}

static int sched_failed(pid_t tid, const char *what, int err)
{
	sudcr_error("thread %d: cannot restore its %s: %s%s", tid, what, strerror(err),
		    err == EPERM ? " (needs CAP_SYS_NICE, or RLIMIT_NICE/RLIMIT_RTPRIO)" : "");
	return -err;
}

/* *@was_fair: whether the thread had a fair policy already. */
static int make_fair(pid_t tid, bool *was_fair)
{
	struct sched_param none = { 0 };
	int policy = sched_getscheduler(tid) & ~SCHED_RESET_ON_FORK;

	*was_fair = false;
	if (policy < 0)
		return sched_failed(tid, "scheduling policy", errno);
	*was_fair = policy != SCHED_FIFO && policy != SCHED_RR && policy != SCHED_DEADLINE;
	if (*was_fair)
		return 0;
	if (sched_setscheduler(tid, SCHED_OTHER, &none))
		return sched_failed(tid, "timer slack (setting SCHED_OTHER first)", errno);
	return 0;
}

static int sched_restore_thread(struct restore_ctx *r, uint32_t i, struct cr_thread *th)
{
	const struct restore_attrs_state *s = r->attrs_state;
	const struct rec_sched *t = &s->sched[i];
	bool was_fair;
	int64_t v;
	int ret;

	/*
	 * The kernel ignores PR_SET_TIMERSLACK from RT threads, and those of
	 * the stub have sudcr's policy (sudcr under chrt, say): a fair one
	 * until sched_finish() sets the image's.
	 */
	ret = make_fair(t->tid, &was_fair);
	if (ret)
		return ret;
	/*
	 * A fair thread of the stub has sudcr's slack, as sudcr had it when
	 * the stub was forked (this thread's parent is the stub, or a clone
	 * of it): nothing to set then.
	 */
	if (was_fair && s->own_slack > 0 && t->timerslack_ns == (uint64_t)s->own_slack)
		return 0;
	ret = cr_inject(th, arch_sc_nr(th->inj.kind, SC_PRCTL), &v,
			PR_SET_TIMERSLACK, t->timerslack_ns, 0, 0, 0, 0);
	if (ret)
		return ret;
	if (v) {
		sudcr_error("thread %d: cannot restore its timer slack %llu ns: %s", t->tid,
			    (unsigned long long)t->timerslack_ns, strerror((int)-v));
		return v < 0 && v >= -4095 ? (int)v : -EIO;
	}
	if (!t->timerslack_ns)
		return 0;	/* an RT thread's: the policy sets it */
	ret = cr_inject(th, arch_sc_nr(th->inj.kind, SC_PRCTL), &v,
			PR_GET_TIMERSLACK, 0, 0, 0, 0, 0);
	if (ret)
		return ret;
	if (th->inj.kind == ARCH_IA32)
		v = (uint32_t)v;
	if ((uint64_t)v != t->timerslack_ns) {
		sudcr_error("thread %d: cannot restore its timer slack %llu ns: it is %lld",
			    t->tid, (unsigned long long)t->timerslack_ns, (long long)v);
		return -EIO;
	}
	return 0;
}

static int apply_policy(const struct rec_sched *t)
{
	struct sched_attr_v0 a = {
		.size = sizeof(a),
		.policy = t->policy,
		.flags = t->flags,
		.nice = t->nice,
		.priority = t->priority,
		.runtime = t->dl_runtime,
		.deadline = t->dl_deadline,
		.period = t->dl_period,
	};
	struct sched_attr_v0 got = { 0 };
	bool fair = t->policy != SCHED_FIFO && t->policy != SCHED_RR &&
		    t->policy != SCHED_DEADLINE;
	char what[64];
	int nice;

	snprintf(what, sizeof(what), "scheduling policy %s", policy_name(t->policy));
	if (setpriority(PRIO_PROCESS, t->tid, t->nice))
		return sched_failed(t->tid, "nice value", errno);
	if (syscall(SYS_sched_setattr, t->tid, &a, 0))
		return sched_failed(t->tid, what, errno);
	if (syscall(SYS_sched_getattr, t->tid, &got, sizeof(got), 0))
		return sched_failed(t->tid, what, errno);
	errno = 0;
	nice = getpriority(PRIO_PROCESS, t->tid);
	if (nice == -1 && errno)
		return sched_failed(t->tid, "nice value", errno);
	if (got.policy != t->policy || got.flags != t->flags || nice != t->nice ||
	    (fair && got.nice != t->nice) || got.priority != t->priority) {
		sudcr_error("thread %d: its scheduling came back as policy %u flags %#llx nice %d "
			    "priority %u, not %u %#llx %d %u", t->tid, got.policy,
			    (unsigned long long)got.flags, nice, got.priority, t->policy,
			    (unsigned long long)t->flags, t->nice, t->priority);
		return -EIO;
	}
	return 0;
}

static int apply_ioprio(const struct rec_sched *t)
{
	long cur = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, t->tid);

	if (cur < 0)
		return sched_failed(t->tid, "I/O priority", errno);
	if ((uint32_t)cur == t->ioprio)
		return 0;
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, t->tid, (int)t->ioprio))
		return sched_failed(t->tid, "I/O priority", errno);
	return 0;
}

static int apply_affinity(const struct rec_sched *t)
{
	cpu_set_t want, got;

	CPU_ZERO(&want);
	for (unsigned int cpu = 0; cpu < t->nr_cpus && cpu < CPU_SETSIZE; cpu++)
		if (t->cpus[cpu / 64] & (1ULL << (cpu % 64)))
			CPU_SET(cpu, &want);
	if (sched_setaffinity(t->tid, sizeof(want), &want)) {
		int err = errno;

		if (err != EINVAL)
			return sched_failed(t->tid, "CPU affinity", err);
		sudcr_error("thread %d: cannot restore its CPU affinity: none of its %d CPUs is "
			    "allowed here (cpuset or offline CPUs)", t->tid, CPU_COUNT(&want));
		return -err;
	}
	if (sched_getaffinity(t->tid, sizeof(got), &got))
		return sched_failed(t->tid, "CPU affinity", errno);
	if (!CPU_EQUAL(&want, &got)) {
		sudcr_error("thread %d: cannot restore its CPU affinity: %d CPUs asked for, %d "
			    "allowed here (cpuset or offline CPUs)", t->tid, CPU_COUNT(&want),
			    CPU_COUNT(&got));
		return -EINVAL;
	}
	return 0;
}

static int sched_finish(struct restore_ctx *r)
{
	const struct restore_attrs_state *s = r->attrs_state;

	for (uint32_t i = 0; i < r->proc.nr_threads; i++) {
		const struct rec_sched *t = &s->sched[i];
		int ret;

		ret = apply_affinity(t);
		if (!ret)
			ret = apply_policy(t);
		if (!ret)
			ret = apply_ioprio(t);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Its records are freed with the shared state by the procattr kind.  Its
 * finish step runs after the end of injection, when nothing pins the
 * threads and a FIFO thread can starve no injected call.
 */
const struct cr_kind cr_kind_sched = {
	.name = "sched",
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_SCHED, "sched" },
		{ 0, NULL },
	},
	.dump = dump_sched,
	.prepare = prepare_sched,
	.restore_thread = sched_restore_thread,
	.finish = sched_finish,
};
