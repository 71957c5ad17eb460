// SPDX-License-Identifier: MIT
/*
 * Signal state: dispositions (one table per process), pending signals
 * (each thread's private queue and the process-wide shared queue) and each
 * thread's alternate signal stack.  The blocked mask is the threads
 * module's (rec_thread.sigmask).
 *
 * Dispositions and alternate stacks are read by injecting rt_sigaction and
 * sigaltstack, because no /proc file shows handler addresses, flags or
 * masks.  Pending signals come from PTRACE_PEEKSIGINFO with their full
 * siginfo, in queue order: the order in which instances of one RT signal
 * are delivered is the order of the queue.  A signal the task layer
 * swallowed while stopping a thread (task_thread.intercepted) was already
 * on its way to that thread: it is saved as the first of its pending
 * signals.  siginfo is kept in the native 64-bit layout ptrace gives a
 * 64-bit tracer, for ia32 tasks too; restore converts it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>

#include <sudcr/cr.h>
#include <sudcr/log.h>

#define KSIGSET_SIZE	8	/* the kernel's sigset_t: 64 signals */
#define PEEK_BATCH	32

static uint64_t sig_bit(int sig)
{
	return 1ULL << (sig - 1);
}

static bool sig_is_rt(int sig)
{
	return sig >= 32;	/* the kernel's SIGRTMIN; glibc reserves 32-34 */
}

static int dump_sigactions(struct dump_ctx *d)
{
	struct cr_thread *th = &d->threads[0];
	enum arch_kind kind = th->inj.kind;
	long nr_sigaction = arch_sc_nr(kind, SC_RT_SIGACTION);
	struct ksigaction64 ksa;
	struct ksigaction32 ksa32;
	struct rec_sigaction rec;
	uint64_t addr;
	int64_t r;
	int ret, nr = 0;

	if (nr_sigaction < 0)
		return -ENOSYS;
	ret = cr_scratch(th, sizeof(ksa), &addr);
	if (ret)
		return ret;
	for (int sig = 1; sig <= 64; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		ret = cr_inject(th, nr_sigaction, &r, sig, 0, addr, KSIGSET_SIZE, 0, 0);
		if (ret)
			return ret;
		if (r) {
			sudcr_error("process %d: cannot read the action of signal %d: %s", d->pid, sig,
				    strerror((int)-r));
			return (int)r;
		}
		if (kind == ARCH_IA32) {
			ret = inject_read_mem(th->tid, addr, &ksa32, sizeof(ksa32));
			ksa.handler = ksa32.handler;
			ksa.flags = ksa32.flags;
			ksa.restorer = ksa32.restorer;
			ksa.mask = ksa32.mask[0] | (uint64_t)ksa32.mask[1] << 32;
		} else {
			ret = inject_read_mem(th->tid, addr, &ksa, sizeof(ksa));
		}
		if (ret) {
			sudcr_error("process %d: cannot read the action of signal %d: %s", d->pid, sig,
				    strerror(-ret));
			return ret;
		}
		if (ksa.handler == (uintptr_t)SIG_DFL && !ksa.flags && !ksa.mask && !ksa.restorer)
			continue;
		memset(&rec, 0, sizeof(rec));
		rec.signo = sig;
		rec.handler = ksa.handler;
		rec.flags = ksa.flags;
		rec.restorer = ksa.restorer;
		rec.mask = ksa.mask;
		ret = img_write_record(d->img, IMG_REC_SIGACTION, &rec, sizeof(rec));
		if (ret)
			return ret;
		nr++;
	}
	sudcr_debug("process %d: %d signal actions", d->pid, nr);
	return 0;
}

static int dump_sigaltstack(struct dump_ctx *d, struct cr_thread *th)
{
	long nr_sigaltstack = arch_sc_nr(th->inj.kind, SC_SIGALTSTACK);
	struct rec_sigaltstack rec;
	struct kstack64 ss;
	struct kstack32 ss32;
	uint64_t addr;
	int64_t r;
	int ret;

	if (nr_sigaltstack < 0)
		return -ENOSYS;
	ret = cr_scratch(th, sizeof(ss), &addr);
	if (ret)
		return ret;
	ret = cr_inject(th, nr_sigaltstack, &r, 0, addr, 0, 0, 0, 0);
	if (ret)
		return ret;
	if (r) {
		sudcr_error("thread %d: cannot read its alternate signal stack: %s", th->tid,
			    strerror((int)-r));
		return (int)r;
	}
	if (th->inj.kind == ARCH_IA32) {
		ret = inject_read_mem(th->tid, addr, &ss32, sizeof(ss32));
		ss.sp = ss32.sp;
		ss.flags = ss32.flags;
		ss.size = ss32.size;
	} else {
		ret = inject_read_mem(th->tid, addr, &ss, sizeof(ss));
	}
	if (ret) {
		sudcr_error("thread %d: cannot read its alternate signal stack: %s", th->tid,
			    strerror(-ret));
		return ret;
	}
	memset(&rec, 0, sizeof(rec));
	rec.tid = th->tid;
	rec.flags = ss.flags;
	if (!(ss.flags & SS_DISABLE)) {
		rec.sp = ss.sp;
		rec.size = ss.size;
	}
	return img_write_record(d->img, IMG_REC_SIGALTSTACK, &rec, sizeof(rec));
}

/*
 * One queue being written: a standard signal is pending at most once per
 * queue, and the kernel drops a second one when queued again, so keep the
 * first and say so.
 */
struct queue_out {
	struct dump_ctx *d;
	pid_t tid;		/* 0: shared queue */
	uint64_t std_seen;
	int nr;
};

static int write_pending(struct queue_out *q, const siginfo_t *si)
{
	struct rec_sigpending rec;
	int sig = si->si_signo;
	char where[48];

	_Static_assert(sizeof(rec.siginfo) == sizeof(*si), "siginfo size");
	if (q->tid)
		snprintf(where, sizeof(where), "thread %d", q->tid);
	else
		snprintf(where, sizeof(where), "the shared queue of process %d", q->d->pid);
	if (sig < 1 || sig > 64) {
		sudcr_error("%s: pending signal with number %d", where, sig);
		return -EINVAL;
	}
	if (sig == SIGKILL || sig == SIGSTOP) {
		/*
		 * SIGKILL: the process is dying anyway.  SIGSTOP cannot be
		 * blocked, so queueing it would stop restore's own injection;
		 * a process dumped in a group stop is restored stopped
		 * (REC_PROC_STOPPED).
		 */
		sudcr_warn("%s: pending signal %d is not saved", where, sig);
		return 0;
	}
	if (!sig_is_rt(sig)) {
		if (q->std_seen & sig_bit(sig)) {
			sudcr_warn("%s: signal %d pending twice (one was being delivered): kept the first",
				   where, sig);
			return 0;
		}
		q->std_seen |= sig_bit(sig);
	}
	memset(&rec, 0, sizeof(rec));
	rec.tid = q->tid;
	memcpy(rec.siginfo, si, sizeof(rec.siginfo));
	q->nr++;
	return img_write_record(q->d->img, IMG_REC_SIGPENDING, &rec, sizeof(rec));
}

static int dump_queue(struct queue_out *q, pid_t tid, bool shared)
{
	struct __ptrace_peeksiginfo_args args = {
		.off = 0,
		.flags = shared ? PTRACE_PEEKSIGINFO_SHARED : 0,
		.nr = PEEK_BATCH,
	};
	siginfo_t si[PEEK_BATCH];

	for (;;) {
		long n = ptrace(PTRACE_PEEKSIGINFO, tid, &args, si);
		int ret;

		if (n < 0) {
			ret = -errno;
			sudcr_error("thread %d: cannot read %s signal queue: %s", tid,
				    shared ? "the shared" : "its", strerror(-ret));
			return ret;
		}
		if (n == 0)
			return 0;
		for (long i = 0; i < n; i++) {
			ret = write_pending(q, &si[i]);
			if (ret)
				return ret;
		}
		args.off += n;
	}
}

static int dump_thread_pending(struct dump_ctx *d, struct cr_thread *th)
{
	struct queue_out q = { .d = d, .tid = th->tid };
	struct task_thread *t = th->task;
	int ret;

	/*
	 * Signals swallowed while the thread was being stopped had already
	 * left the queue for delivery: they go first, before anything that
	 * was queued after them.
	 */
	for (int i = 0; i < t->nr_intercepted; i++) {
		ret = write_pending(&q, &t->intercepted[i]);
		if (ret)
			return ret;
	}
	ret = dump_queue(&q, th->tid, false);
	if (!ret && q.nr)
		sudcr_debug("thread %d: %d pending signals (%d being delivered)", th->tid, q.nr,
			    t->nr_intercepted);
	return ret;
}

int dump_signals(struct dump_ctx *d)
{
	struct queue_out shared = { .d = d, .tid = 0 };
	int ret;

	ret = dump_sigactions(d);
	for (int i = 0; i < d->nr_threads && !ret; i++)
		ret = dump_sigaltstack(d, &d->threads[i]);
	for (int i = 0; i < d->nr_threads && !ret; i++)
		ret = dump_thread_pending(d, &d->threads[i]);
	if (!ret)
		ret = dump_queue(&shared, d->threads[0].tid, true);
	if (!ret && shared.nr)
		sudcr_debug("process %d: %d pending signals in the shared queue", d->pid, shared.nr);
	return ret;
}
