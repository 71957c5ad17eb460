// SPDX-License-Identifier: MIT
/*
 * Dump of each thread's scheduling: policy, priority, flags and nice
 * (sched_getattr), I/O priority (ioprio_get), CPU affinity and timer
 * slack.  All are per thread; only the timer slack needs the thread
 * itself (PR_GET_TIMERSLACK; /proc/PID/timerslack_ns is the leader's).
 *
 * The affinity is the one the thread had before the injection pinned it
 * to one CPU (inject.c keeps it).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sudcr/cr.h>
#include <sudcr/kernel_compat.h>
#include <sudcr/log.h>

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

int dump_sched(struct dump_ctx *d)
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
