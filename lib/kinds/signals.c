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
 *
 * The restore of signal state, mirror of the dump above: dispositions, alternate
 * signal stacks and pending signals, put in place by injected syscalls.
 *
 * Order matters.  Every disposition is set first, the ones the image does
 * not list back to SIG_DFL: the stub is a fork of sudcr and may carry
 * dispositions sudcr inherited (SIG_IGN from a shell, say).  Setting a
 * disposition that ignores a signal discards it from every queue, so
 * pending signals are queued only after all dispositions are in place, and
 * whatever the stub itself had pending is discarded that way first.
 * Pending signals are queued from inside the process, where any si_code
 * may be queued with its full siginfo: a thread's own with
 * rt_tgsigqueueinfo in that thread, the shared ones with rt_sigqueueinfo
 * in the thread group leader (whose TID is the PID the kernel wants for
 * si_code >= 0).  All signals are blocked during injection, so nothing is
 * delivered before the threads module puts the real masks back.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>

#include "cr.h"
#include <sudcr/log.h>

#include "kinds.h"
#include "../show.h"



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

static int dump_signals(struct dump_ctx *d)
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

/* ---- restore ---- */

static void restore_signals_free(struct restore_ctx *r);

#define NSIG_KERNEL	64

/* Flags rt_sigaction keeps on x86-64 (UAPI_SA_FLAGS); anything else is refused. */
#define KNOWN_SA_FLAGS	(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | 0x400u /* SA_UNSUPPORTED */ | \
			 0x800u /* SA_EXPOSE_TAGBITS */ | 0x04000000u /* SA_RESTORER */ | \
			 SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND)
#define SS_AUTODISARM_FLAG (1u << 31)

/* Syscall numbers for one kind of task. */
struct sig_sc {
	long sigaction, sigaltstack, sigqueueinfo, tgsigqueueinfo;
};

struct restore_signals_state {
	uint64_t have_action;			/* bit sig-1: action[sig-1] is from the image */
	struct ksigaction64 action[NSIG_KERNEL];
	int nr_altstacks;
	struct rec_sigaltstack *altstacks;
	int nr_pending;
	struct rec_sigpending *pending;		/* in image order = queue order */
};

static const uint64_t unqueueable = (1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1));

static bool image_has_thread(const struct restore_ctx *r, int32_t tid)
{
	for (uint32_t i = 0; i < r->proc.nr_threads; i++)
		if (r->threads[i].tid == tid)
			return true;
	return false;
}

static int check_sigaction(struct restore_ctx *r, struct restore_signals_state *s,
			   const void *data, size_t len)
{
	const struct rec_sigaction *rec = data;
	uint32_t sig;

	if (len != sizeof(*rec))
		return img_record_invalid(r->img, "signal action record of %zu bytes, want %zu", len,
					  sizeof(*rec));
	sig = rec->signo;
	if (sig < 1 || sig > NSIG_KERNEL || sig == SIGKILL || sig == SIGSTOP)
		return img_record_invalid(r->img, "action for signal %u, which cannot have one", sig);
	if (rec->pad)
		return img_record_invalid(r->img, "signal %u: non-zero padding", sig);
	if (s->have_action & sig_bit(sig))
		return img_record_invalid(r->img, "signal %u: second action", sig);
	if (rec->flags & ~(uint64_t)KNOWN_SA_FLAGS)
		return img_record_invalid(r->img, "signal %u: unknown action flags 0x%llx", sig,
					  (unsigned long long)(rec->flags & ~(uint64_t)KNOWN_SA_FLAGS));
	if (rec->mask & unqueueable)
		return img_record_invalid(r->img, "signal %u: action mask holds SIGKILL or SIGSTOP",
					  sig);
	if (r->proc.arch == ARCH_IA32 && (rec->handler > UINT32_MAX || rec->restorer > UINT32_MAX))
		return img_record_invalid(r->img, "signal %u: 64-bit handler or restorer in an ia32 image",
					  sig);
	s->have_action |= sig_bit(sig);
	s->action[sig - 1] = (struct ksigaction64){
		.handler = rec->handler,
		.flags = rec->flags,
		.restorer = rec->restorer,
		.mask = rec->mask,
	};
	return 0;
}

static int check_sigaltstack(struct restore_ctx *r, struct restore_signals_state *s,
			     const void *data, size_t len)
{
	const struct rec_sigaltstack *rec = data;
	uint32_t mode;

	if (len != sizeof(*rec))
		return img_record_invalid(r->img, "alternate stack record of %zu bytes, want %zu",
					  len, sizeof(*rec));
	if (!image_has_thread(r, rec->tid))
		return img_record_invalid(r->img, "alternate stack of thread %d, not in the image",
					  rec->tid);
	for (int i = 0; i < s->nr_altstacks; i++)
		if (s->altstacks[i].tid == rec->tid)
			return img_record_invalid(r->img, "thread %d: second alternate stack",
						  rec->tid);
	mode = (uint32_t)rec->flags & ~SS_AUTODISARM_FLAG;
	if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
		return img_record_invalid(r->img, "thread %d: alternate stack flags 0x%x", rec->tid,
					  (uint32_t)rec->flags);
	if (mode == SS_DISABLE ? rec->sp || rec->size : !rec->size || rec->sp + rec->size < rec->sp)
		return img_record_invalid(r->img, "thread %d: alternate stack 0x%llx+0x%llx (flags 0x%x)",
					  rec->tid, (unsigned long long)rec->sp,
					  (unsigned long long)rec->size, (uint32_t)rec->flags);
	if (r->proc.arch == ARCH_IA32 && (rec->sp > UINT32_MAX || rec->size > UINT32_MAX))
		return img_record_invalid(r->img, "thread %d: 64-bit alternate stack in an ia32 image",
					  rec->tid);
	s->altstacks[s->nr_altstacks++] = *rec;
	return 0;
}

static int check_sigpending(struct restore_ctx *r, struct restore_signals_state *s,
			    const void *data, size_t len, uint64_t *std_shared)
{
	const struct rec_sigpending *rec = data;
	siginfo_t si;
	int sig;

	if (len != sizeof(*rec))
		return img_record_invalid(r->img, "pending signal record of %zu bytes, want %zu", len,
					  sizeof(*rec));
	if (rec->pad)
		return img_record_invalid(r->img, "pending signal: non-zero padding");
	if (rec->tid && !image_has_thread(r, rec->tid))
		return img_record_invalid(r->img, "pending signal of thread %d, not in the image",
					  rec->tid);
	memcpy(&si, rec->siginfo, sizeof(si));
	sig = si.si_signo;
	if (sig < 1 || sig > NSIG_KERNEL || sig == SIGKILL || sig == SIGSTOP)
		return img_record_invalid(r->img, "pending signal %d cannot be queued", sig);
	/*
	 * A standard signal is pending at most once per queue (the kernel
	 * would silently drop a second one).  Per-thread queues are checked
	 * after all records are read.
	 */
	if (sig < 32 && !rec->tid) {
		if (*std_shared & sig_bit(sig))
			return img_record_invalid(r->img, "signal %d pending twice in the shared queue",
						  sig);
		*std_shared |= sig_bit(sig);
	}
	s->pending[s->nr_pending++] = *rec;
	return 0;
}

static int check_thread_queues(struct restore_ctx *r, struct restore_signals_state *s)
{
	for (uint32_t t = 0; t < r->proc.nr_threads; t++) {
		int32_t tid = r->threads[t].tid;
		uint64_t seen = 0;

		for (int i = 0; i < s->nr_pending; i++) {
			int sig;

			if (s->pending[i].tid != tid)
				continue;
			memcpy(&sig, s->pending[i].siginfo, sizeof(sig));
			if (sig >= 32)
				continue;
			if (seen & sig_bit(sig)) {
				sudcr_error("%s/core.img: signal %d pending twice in thread %d",
					    r->opts.dir, sig, tid);
				return -EINVAL;
			}
			seen |= sig_bit(sig);
		}
	}
	return 0;
}

/* Count the records first, so the arrays are allocated once. */
static int count_records(struct restore_ctx *r, uint32_t type, int *nr)
{
	const void *data;
	size_t len;
	int ret;

	*nr = 0;
	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, type, &data, &len)) == 1)
		(*nr)++;
	return ret;
}

static int read_records(struct restore_ctx *r, struct restore_signals_state *s)
{
	const void *data;
	uint32_t type;
	uint64_t std_shared = 0;
	size_t len;
	int ret;

	img_rewind(r->img);
	while ((ret = img_next_record(r->img, &type, &data, &len)) == 1) {
		if (type == IMG_REC_SIGACTION)
			ret = check_sigaction(r, s, data, len);
		else if (type == IMG_REC_SIGALTSTACK)
			ret = check_sigaltstack(r, s, data, len);
		else if (type == IMG_REC_SIGPENDING)
			ret = check_sigpending(r, s, data, len, &std_shared);
		else
			continue;
		if (ret)
			return ret;
	}
	return ret < 0 ? ret : check_thread_queues(r, s);
}

static int restore_signals_prepare(struct restore_ctx *r)
{
	struct restore_signals_state *s;
	int nr_alt, nr_pend, ret;

	if (r->proc.arch != ARCH_X86_64 && r->proc.arch != ARCH_IA32) {
		sudcr_error("%s: unknown architecture %u", r->opts.dir, r->proc.arch);
		return -EINVAL;
	}
	ret = count_records(r, IMG_REC_SIGALTSTACK, &nr_alt);
	if (!ret)
		ret = count_records(r, IMG_REC_SIGPENDING, &nr_pend);
	if (ret)
		return ret;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->altstacks = calloc(nr_alt ? nr_alt : 1, sizeof(*s->altstacks));
	s->pending = calloc(nr_pend ? nr_pend : 1, sizeof(*s->pending));
	r->sig_state = s;
	if (!s->altstacks || !s->pending) {
		restore_signals_free(r);
		return -ENOMEM;
	}
	ret = read_records(r, s);
	if (ret) {
		restore_signals_free(r);
		return ret;
	}
	sudcr_debug("signals: %d actions, %d alternate stacks, %d pending",
		    __builtin_popcountll(s->have_action), s->nr_altstacks, s->nr_pending);
	return 0;
}

static void restore_signals_free(struct restore_ctx *r)
{
	struct restore_signals_state *s = r->sig_state;

	if (!s)
		return;
	free(s->altstacks);
	free(s->pending);
	free(s);
	r->sig_state = NULL;
}

static struct cr_thread *find_cthread(struct restore_ctx *r, pid_t tid)
{
	for (int i = 0; i < r->tp.nr_threads; i++)
		if (r->cthreads[i].tid == tid)
			return &r->cthreads[i];
	sudcr_error("process %d: thread %d of the image is not there", r->pid, tid);
	return NULL;
}

static int get_sc(enum arch_kind kind, struct sig_sc *sc)
{
	sc->sigaction = arch_sc_nr(kind, SC_RT_SIGACTION);
	sc->sigaltstack = arch_sc_nr(kind, SC_SIGALTSTACK);
	sc->sigqueueinfo = arch_sc_nr(kind, SC_RT_SIGQUEUEINFO);
	sc->tgsigqueueinfo = arch_sc_nr(kind, SC_RT_TGSIGQUEUEINFO);
	if (sc->sigaction < 0 || sc->sigaltstack < 0 || sc->sigqueueinfo < 0 ||
	    sc->tgsigqueueinfo < 0) {
		sudcr_error("no signal syscall numbers for %s tasks", arch_name(kind));
		return -ENOSYS;
	}
	return 0;
}

/* What the stub has pending itself, in any queue: discarded before queueing the image's. */
static int stub_pending(struct restore_ctx *r, uint64_t *mask)
{
	struct proc_status st;
	int ret;

	*mask = 0;
	for (int i = 0; i < r->tp.nr_threads; i++) {
		ret = proc_parse_status(r->pid, r->cthreads[i].tid, &st);
		if (ret) {
			sudcr_error("cannot read /proc/%d/task/%d/status: %s", r->pid,
				    r->cthreads[i].tid, strerror(-ret));
			return ret;
		}
		*mask |= st.sig_pnd | st.shd_pnd;
	}
	*mask &= ~unqueueable;
	return 0;
}

/* Lay out action @a as a task of @kind passes it, at @out. */
static void encode_action(enum arch_kind kind, const struct ksigaction64 *a, uint8_t *out)
{
	struct ksigaction32 a32;

	if (kind != ARCH_IA32) {
		memcpy(out, a, sizeof(*a));
		return;
	}
	a32.handler = (uint32_t)a->handler;
	a32.flags = (uint32_t)a->flags;
	a32.restorer = (uint32_t)a->restorer;
	a32.mask[0] = (uint32_t)a->mask;
	a32.mask[1] = (uint32_t)(a->mask >> 32);
	memcpy(out, &a32, sizeof(a32));
}

static int set_actions(struct restore_ctx *r, struct restore_signals_state *s,
		       struct cr_thread *leader)
{
	static const struct ksigaction64 ign = { .handler = (uintptr_t)SIG_IGN };
	static const struct ksigaction64 dfl;
	enum arch_kind kind = leader->inj.kind;
	/* Action for signal N at slot N - 1, SIG_IGN in the last one. */
	uint8_t table[(NSIG_KERNEL + 1) * sizeof(struct ksigaction64)];
	size_t slot = kind == ARCH_IA32 ? sizeof(struct ksigaction32) : sizeof(struct ksigaction64);
	uint64_t addr, flush;
	struct sig_sc sc;
	int64_t res;
	int ret;

	ret = get_sc(kind, &sc);
	if (!ret)
		ret = stub_pending(r, &flush);
	if (ret)
		return ret;
	for (int sig = 1; sig <= NSIG_KERNEL; sig++)
		encode_action(kind, (s->have_action & sig_bit(sig)) ? &s->action[sig - 1] : &dfl,
			      table + (sig - 1) * slot);
	encode_action(kind, &ign, table + NSIG_KERNEL * slot);
	/* One write for the whole table. */
	ret = cr_scratch(leader, sizeof(table), &addr);
	if (!ret)
		ret = inject_write_mem(leader->tid, addr, table, (NSIG_KERNEL + 1) * slot);
	if (ret) {
		sudcr_error("process %d: cannot write signal actions: %s", r->pid, strerror(-ret));
		return ret;
	}
	for (int sig = 1; sig <= NSIG_KERNEL; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (flush & sig_bit(sig)) {
			ret = cr_inject(leader, sc.sigaction, &res, sig, addr + NSIG_KERNEL * slot, 0,
					KSIGSET_SIZE, 0, 0);
			if (ret)
				return ret;
			if (res) {
				sudcr_error("process %d: cannot discard pending signal %d: %s", r->pid,
					    sig, strerror((int)-res));
				return (int)res;
			}
		}
		ret = cr_inject(leader, sc.sigaction, &res, sig, addr + (sig - 1) * slot, 0,
				KSIGSET_SIZE, 0, 0);
		if (ret)
			return ret;
		if (res) {
			const struct ksigaction64 *a = (s->have_action & sig_bit(sig)) ?
							       &s->action[sig - 1] : &dfl;

			sudcr_error("process %d: cannot set the action of signal %d (handler 0x%llx, flags 0x%llx): %s",
				    r->pid, sig, (unsigned long long)a->handler,
				    (unsigned long long)a->flags, strerror((int)-res));
			return (int)res;
		}
	}
	return 0;
}

static int set_altstack(struct restore_signals_state *s, struct cr_thread *th)
{
	struct kstack64 ss = { .flags = SS_DISABLE };
	struct kstack32 ss32;
	const void *buf = &ss;
	size_t len = sizeof(ss);
	struct sig_sc sc;
	uint64_t addr;
	int64_t res;
	int ret;

	ret = get_sc(th->inj.kind, &sc);
	if (ret)
		return ret;
	for (int i = 0; i < s->nr_altstacks; i++) {
		const struct rec_sigaltstack *rec = &s->altstacks[i];

		if (rec->tid != th->tid)
			continue;
		/* SS_ONSTACK is not a setting: the kernel derives it from the stack pointer. */
		ss.flags = rec->flags & ~SS_ONSTACK;
		ss.sp = rec->sp;
		ss.size = rec->size;
	}
	if (th->inj.kind == ARCH_IA32) {
		ss32.sp = (uint32_t)ss.sp;
		ss32.flags = ss.flags;
		ss32.size = (uint32_t)ss.size;
		buf = &ss32;
		len = sizeof(ss32);
	}
	ret = cr_scratch(th, len, &addr);
	if (!ret)
		ret = inject_write_mem(th->tid, addr, buf, len);
	if (ret) {
		sudcr_error("thread %d: cannot write its alternate stack: %s", th->tid, strerror(-ret));
		return ret;
	}
	ret = cr_inject(th, sc.sigaltstack, &res, addr, 0, 0, 0, 0, 0);
	if (ret)
		return ret;
	if (res) {
		sudcr_error("thread %d: cannot set its alternate signal stack 0x%llx+0x%llx (flags 0x%x): %s",
			    th->tid, (unsigned long long)ss.sp, (unsigned long long)ss.size,
			    (uint32_t)ss.flags, strerror((int)-res));
		return (int)res;
	}
	return 0;
}

static int queue_pending(struct restore_ctx *r, const struct rec_sigpending *rec,
			 struct cr_thread *leader)
{
	struct cr_thread *th = rec->tid ? find_cthread(r, rec->tid) : leader;
	uint8_t buf[sizeof(rec->siginfo)];
	struct sig_sc sc;
	siginfo_t si;
	uint64_t addr;
	int64_t res;
	int ret;

	if (!th)
		return -ESRCH;
	ret = get_sc(th->inj.kind, &sc);
	if (ret)
		return ret;
	/* The image holds the native layout; an ia32 task passes its own. */
	memcpy(&si, rec->siginfo, sizeof(si));
	arch_siginfo_for_task(th->inj.kind, &si, buf);
	ret = cr_scratch(th, sizeof(buf), &addr);
	if (!ret)
		ret = inject_write_mem(th->tid, addr, buf, sizeof(buf));
	if (ret) {
		sudcr_error("thread %d: cannot write a siginfo: %s", th->tid, strerror(-ret));
		return ret;
	}
	if (rec->tid)
		ret = cr_inject(th, sc.tgsigqueueinfo, &res, r->pid, rec->tid, si.si_signo, addr, 0, 0);
	else
		ret = cr_inject(th, sc.sigqueueinfo, &res, r->pid, si.si_signo, addr, 0, 0, 0);
	if (ret)
		return ret;
	if (res) {
		sudcr_error("%s %d: cannot queue pending signal %d (si_code %d) again: %s%s",
			    rec->tid ? "thread" : "process", rec->tid ? rec->tid : r->pid, si.si_signo,
			    si.si_code, strerror((int)-res),
			    res == -EAGAIN ? " (RLIMIT_SIGPENDING reached)" : "");
		return (int)res;
	}
	return 0;
}

static int restore_signals(struct restore_ctx *r)
{
	struct restore_signals_state *s = r->sig_state;
	struct cr_thread *leader;
	int ret;

	if (!s)
		return -EINVAL;
	leader = find_cthread(r, r->pid);
	if (!leader)
		return -ESRCH;
	/*
	 * Signals swallowed while seizing the stub are the stub's, not the
	 * image's: inject_end() must not queue them into the restored process.
	 * A SIGSTOP is the stub's own stop for a process dumped stopped: keep it.
	 */
	for (int i = 0; i < r->tp.nr_threads; i++) {
		struct task_thread *t = r->cthreads[i].task;
		int kept = 0;

		for (int j = 0; j < t->nr_intercepted; j++) {
			int sig = t->intercepted[j].si_signo;

			if (sig == SIGSTOP || sig == SIGKILL) {
				t->intercepted[kept++] = t->intercepted[j];
				continue;
			}
			sudcr_debug("thread %d: dropping the stub's signal %d", t->tid, sig);
		}
		t->nr_intercepted = kept;
	}
	ret = set_actions(r, s, leader);
	for (int i = 0; i < r->tp.nr_threads && !ret; i++)
		ret = set_altstack(s, &r->cthreads[i]);
	for (int i = 0; i < s->nr_pending && !ret; i++)
		ret = queue_pending(r, &s->pending[i], leader);
	return ret;
}

/* ---- show ---- */

static int show_sigaction(struct show_ctx *s, const void *data, size_t len, bool first)
{
	const struct rec_sigaction *a = data;

	if (len != sizeof(*a))
		return 0;
	if (s->json)
		fprintf(s->out, "%s{\"signo\":%u,\"handler\":\"0x%" PRIx64 "\",\"flags\":\"0x%" PRIx64 "\",\"mask\":\"0x%" PRIx64 "\"}",
			first ? "" : ",", a->signo, a->handler, a->flags, a->mask);
	else
		fprintf(s->out, "  signal %2u: handler 0x%" PRIx64 " flags 0x%" PRIx64 " mask 0x%" PRIx64 "\n",
			a->signo, a->handler, a->flags, a->mask);
	return 0;
}

static int show_sigpending(struct show_ctx *s, const void *data, size_t len, bool first)
{
	const struct rec_sigpending *p = data;
	const siginfo_t *si = (const void *)p->siginfo;

	if (len != sizeof(*p))
		return 0;
	if (s->json)
		fprintf(s->out, "%s{\"tid\":%d,\"signo\":%d,\"code\":%d}", first ? "" : ",", p->tid, si->si_signo,
			si->si_code);
	else
		fprintf(s->out, "  pending signal %d (si_code %d) %s %d\n", si->si_signo, si->si_code,
			p->tid ? "for thread" : "for the process", p->tid ? p->tid : 0);
	return 0;
}

static const struct cr_rec_show signals_show[] = {
	{ IMG_REC_SIGACTION, 60, "sigactions", "signals:\n", show_sigaction },
	{ IMG_REC_SIGPENDING, 70, "pending", "", show_sigpending },
	{ 0 },
};

const struct cr_kind cr_kind_signals = {
	.name = "signals",
	.show = signals_show,
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_SIGACTION, "sigaction" },
		{ IMG_REC_SIGPENDING, "sigpending" },
		{ IMG_REC_SIGALTSTACK, "sigaltstack" },
		{ 0, NULL },
	},
	.dump = dump_signals,
	.prepare = restore_signals_prepare,
	.restore = restore_signals,
	.free = restore_signals_free,
};
