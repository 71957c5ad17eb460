// SPDX-License-Identifier: MIT
/*
 * Syscall injection into a seized thread.  See inject.h for the contract.
 *
 * One injected call is two ptrace stops: PTRACE_SYSCALL from the current
 * stop runs the thread into the vDSO's syscall instruction (syscall-entry
 * stop), a second PTRACE_SYSCALL runs the call (syscall-exit stop).  The
 * next call starts right from that exit stop.  Only at the end do we go
 * back to an interrupt stop, because only there, inside get_signal(), do
 * the original registers get the kernel's syscall-restart treatment when
 * the thread resumes.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

#include <sudcr/inject.h>
#include "kernel_compat.h"
#include <sudcr/log.h>
#include "proc/proc.h"

#include "inject_safety.h"
#include "task.h"

int inject_write_mem(pid_t tid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = { (void *)buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_writev(tid, &local, 1, &remote, 1, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

/*
 * Through /proc/TID/mem, which may read and write what the mapping could
 * be made to allow (FOLL_FORCE): the scratch area inside a safety mapping
 * has no read permission (inject_safety.c: "-wx"), which
 * process_vm_readv() honours; the vDSO, where the bootstrap goes, is
 * read-only.
 */
int inject_mem_forced(pid_t tid, uint64_t addr, void *buf, size_t len, bool write)
{
	char path[32];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "/proc/%d/mem", tid);
	fd = open(path, (write ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write ? pwrite(fd, buf, len, (off_t)addr) : pread(fd, buf, len, (off_t)addr);
	err = n < 0 ? errno : 0;
	close(fd);
	if (n >= 0 && (size_t)n == len)
		return 0;
	/* A read refused this way too: the answer process_vm_readv() gave. */
	return write && err ? -err : -EFAULT;
}

int inject_read_mem(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);

	if (n < 0 && errno == EFAULT)
		return inject_mem_forced(tid, addr, buf, len, false);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

/*
 * A round trip costs ~100 us when tracer and tracee run on different CPUs
 * and ~16 us on the same one: pin both to the CPU the thread last used.
 */
/*
 * sudcr first (harmless if we die: only our own affinity), before the
 * first injected call, so that even the calls that map the safety page
 * are fast round trips; the thread once its safety page knows what to put
 * back (pin_target()).
 */
static void pin_self(struct inject_ctx *c)
{
	cpu_set_t one;
	int cpu;

	if (proc_thread_cpu(c->t->tgid, c->t->tid, &cpu))
		return;
	if (sched_getaffinity(0, sizeof(c->saved_self_cpus), &c->saved_self_cpus) ||
	    sched_getaffinity(c->t->tid, sizeof(c->saved_target_cpus), &c->saved_target_cpus))
		return;
	if (!CPU_ISSET(cpu, &c->saved_self_cpus) || !CPU_ISSET(cpu, &c->saved_target_cpus))
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		return;
	c->self_pinned = true;
	c->pin_cpu = cpu;
}

static void pin_target(struct inject_ctx *c)
{
	cpu_set_t one;

	if (!c->self_pinned)
		return;
	/* The safety page learns the affinity to put back before we change it. */
	c->safety_pinning = true;
	if (safety_update(c)) {
		c->safety_pinning = false;
		return;
	}
	CPU_ZERO(&one);
	CPU_SET(c->pin_cpu, &one);
	if (sched_setaffinity(c->t->tid, sizeof(one), &one))
		return;
	c->affinity_set = true;
}

static void unpin(struct inject_ctx *c)
{
	if (c->affinity_set)
		sched_setaffinity(c->t->tid, sizeof(c->saved_target_cpus), &c->saved_target_cpus);
	if (c->self_pinned)
		sched_setaffinity(0, sizeof(c->saved_self_cpus), &c->saved_self_cpus);
	c->affinity_set = false;
	c->self_pinned = false;
}

/*
 * For a call through the vDSO by a thread that has a safety page (its
 * mmap and munmap) but no bootstrap (inject_safety.c): stack and frame
 * pointer non-canonical, so a thread let go there (sudcr died) faults in
 * the vDSO's epilogue rather than returning into its own code with our
 * registers (x86-64 only).
 */
static void poison_stack(struct arch_regs *regs)
{
	regs->r.rsp = 0x8000000000000000ULL;
	regs->r.rbp = 0x8000000000000000ULL;
}

static int find_syscall_insn(struct inject_ctx *c)
{
	uint64_t start, end;
	int ret;

	/* /proc/TID: a zombie leader's /proc/PID has no maps any more. */
	ret = proc_find_mapping(c->t->tid, "[vdso]", &start, &end);
	if (ret) {
		sudcr_error("thread %d: no [vdso] mapping to inject syscalls through", c->t->tid);
		return ret == -ENOENT ? -ENOEXEC : ret;
	}
	c->vdso_start = start;
	c->vdso_end = end;
	ret = arch_find_syscall_insn(c->t->tid, c->kind, start, end - start, &c->sc_ip);
	if (ret)
		sudcr_error("thread %d: no %s syscall instruction found in its vDSO", c->t->tid,
			    arch_name(c->kind));
	return ret;
}

/*
 * A thread stopped inside an rseq critical section would have it aborted
 * by the kernel when it returns to user mode (the stop preempted it).  But
 * our injected syscalls return to user mode at the vDSO, outside the
 * section, so the kernel only clears rseq_cs there, and the thread would be
 * let go mid-section without the abort.  Do what the kernel would have
 * done, before anything else: ip = abort_ip, rseq_cs = 0.
 */
static int fixup_rseq_cs(struct inject_ctx *c)
{
	struct sudcr_rseq_config cfg;
	struct {
		uint32_t version, flags;
		uint64_t start_ip, post_commit_offset, abort_ip;
	} cs;
	uint64_t cs_ptr, ip = c->saved_regs.r.rip, zero = 0;
	uint32_t sig;
	pid_t tid = c->t->tid;

	if (ptrace(PTRACE_GET_RSEQ_CONFIGURATION, tid, (void *)sizeof(cfg), &cfg) < 0 ||
	    !cfg.rseq_abi_pointer)
		return 0;
	/* struct rseq: u32 cpu_id_start, u32 cpu_id, u64 rseq_cs, ... */
	if (inject_read_mem(tid, cfg.rseq_abi_pointer + 8, &cs_ptr, sizeof(cs_ptr)) || !cs_ptr)
		return 0;
	if (c->kind == ARCH_IA32)
		cs_ptr = (uint32_t)cs_ptr;
	if (inject_read_mem(tid, cs_ptr, &cs, sizeof(cs)))
		return 0;
	if (ip - cs.start_ip >= cs.post_commit_offset)
		return 0;
	/* The kernel kills a thread whose abort handler lacks the signature. */
	if (inject_read_mem(tid, cs.abort_ip - 4, &sig, sizeof(sig)) || sig != cfg.signature) {
		sudcr_error("thread %d is in an rseq critical section whose abort handler is invalid", tid);
		return -EINVAL;
	}
	if (inject_write_mem(tid, cfg.rseq_abi_pointer + 8, &zero, sizeof(zero)))
		return -EFAULT;
	sudcr_debug("thread %d: in an rseq critical section, moved to its abort handler", tid);
	c->saved_regs.r.rip = cs.abort_ip;
	return arch_set_regs(tid, &c->saved_regs);
}

#define ERESTARTSYS		512
#define ERESTARTNOINTR		513
#define ERESTARTNOHAND		514
#define ERESTART_RESTARTBLOCK	516

/*
 * Whether an injected call ended without doing its work because it was
 * interrupted: an -ERESTART* value never reaches user space, -EINTR is an
 * interruption when we asked for one.  The call is abandoned: restarting it
 * is the caller's business, not the thread's.
 */
static bool call_cut_short(int64_t r, bool interrupted)
{
	return r == -ERESTARTSYS || r == -ERESTARTNOINTR || r == -ERESTARTNOHAND ||
	       r == -ERESTART_RESTARTBLOCK || (interrupted && r == -EINTR);
}

/*
 * A call cut short with -ERESTART_RESTARTBLOCK (nanosleep, futex and poll
 * with a timeout...) wrote its own continuation over the thread's restart
 * block.  If the thread itself was interrupted in such a call, its
 * restart_syscall would now run ours: restart its call from its original
 * arguments instead (what a restore does; a relative timeout starts
 * again).  A thread already inside restart_syscall has no arguments to
 * restart from: it gets -EINTR, as if a handler had run.
 */
static void keep_own_restart(struct inject_ctx *c, int64_t r)
{
	struct arch_regs *regs = &c->saved_regs;
	int64_t orig = c->kind == ARCH_IA32 ? (int32_t)regs->r.orig_rax : (int64_t)regs->r.orig_rax;

	if (r != -ERESTART_RESTARTBLOCK || orig < 0 ||
	    arch_syscall_result(regs, c->kind) != -ERESTART_RESTARTBLOCK)
		return;
	if (orig == arch_sc_nr(c->kind, SC_RESTART_SYSCALL)) {
		regs->r.rax = (uint64_t)-EINTR;
		sudcr_debug("thread %d: its restart_syscall gets -EINTR", c->t->tid);
	} else {
		regs->r.rax = (uint64_t)-ERESTARTNOINTR;
		sudcr_debug("thread %d: its syscall %lld restarts from its arguments", c->t->tid,
			    (long long)orig);
	}
}

int inject_begin(struct inject_ctx *c, struct task_thread *t)
{
	return inject_begin_shared(c, t, NULL, 1, 0);
}

int inject_begin_shared(struct inject_ctx *c, struct task_thread *t, const struct inject_ctx *first,
			int nr, int index)
{
	static const uint64_t all = ~0ULL;
	pid_t tid = t->tid;
	bool safe;
	int ret;

	memset(c, 0, sizeof(*c));
	c->t = t;
	c->fresh_mcl = -1;
	if (!index && nr > 0)
		c->safety_area_len = (size_t)nr * SAFETY_LEN;
	else if (first && first->safety_area && index > 0 && index < nr)
		c->safety_slot = first->safety_area + (uint64_t)index * SAFETY_LEN;
	else
		c->safety_area_len = SAFETY_LEN;
	c->saved_xstate = malloc(sizeof(*c->saved_xstate));
	if (!c->saved_xstate)
		return -ENOMEM;
	ret = arch_get_regs(tid, &c->saved_regs);
	if (!ret)
		ret = arch_get_xstate(tid, c->saved_xstate);
	if (ret) {
		sudcr_error("thread %d: cannot read registers: %s", tid, strerror(-ret));
		goto out_free;
	}
	c->kind = arch_regs_kind(&c->saved_regs);
	ret = fixup_rseq_cs(c);
	if (ret)
		goto out_free;
	ret = find_syscall_insn(c);
	if (ret)
		goto out_free;
	if (ptrace(PTRACE_GETSIGMASK, tid, (void *)sizeof(uint64_t), &c->saved_mask)) {
		ret = -errno;
		sudcr_error("thread %d: cannot read signal mask: %s", tid, strerror(-ret));
		goto out_free;
	}
	/*
	 * With a safety page, signals are blocked only once the thread's
	 * registers point into code that puts the mask back (the bootstrap
	 * or its page); without a transit config, only once the page is
	 * there: a signal arriving before is kept by us (lost if we die).
	 */
	safe = safety_wanted(c);
	if (!safe && ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(uint64_t), &all)) {
		ret = -errno;
		sudcr_error("thread %d: cannot block signals: %s", tid, strerror(-ret));
		goto out_free;
	}
	pin_self(c);
	/*
	 * Never the thread's own registers with SUD off: let go then, it
	 * would run on unintercepted.  So first the code a thread let go
	 * runs (inject_safety.c: the bootstrap or the slot).
	 */
	ret = sud_get(tid, &c->saved_sud);
	if (!ret && safe)
		ret = safety_prepare(c);
	if (ret)
		goto out_regs;
	/*
	 * Then what a thread let go runs, behind a transit SUD config that
	 * lets it run (inject_safety.c), before SUD goes off.
	 */
	if (safe) {
		ret = safety_enter(c);
		if (ret)
			goto out_regs;
		if (c->transit >= 0 && ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(uint64_t), &all)) {
			ret = -errno;
			sudcr_error("thread %d: cannot block signals: %s", tid, strerror(-ret));
			goto out_regs;
		}
	}
	if (c->saved_sud.mode != SUD_MODE_OFF) {
		static const struct sud_config off = { .mode = SUD_MODE_OFF };

		ret = sud_set(tid, &off);
		if (ret)
			goto out_regs;
	}
	c->active = true;
	if (safe) {
		ret = safety_map(c);
		if (ret == -EOPNOTSUPP) {
			ret = 0;
		} else if (ret) {
			inject_end(c);
			return ret;
		}
		if (c->transit < 0 && ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(uint64_t), &all)) {
			ret = -errno;
			sudcr_error("thread %d: cannot block signals: %s", tid, strerror(errno));
			inject_end(c);
			return ret;
		}
	}
	pin_target(c);
	ret = safety_clear_leftovers(c);
	if (ret) {
		inject_end(c);
		return ret;
	}
	return 0;

out_regs:
	/* The mask, then the registers: the transit config is harmless under them. */
	ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(uint64_t), &c->saved_mask);
	if (safe) {
		arch_set_regs(tid, &c->saved_regs);
		if (c->transit > 0)
			sud_put_back(tid, &c->saved_sud);
		safety_unprepare(c);
	}
	if (c->self_pinned)
		sched_setaffinity(0, sizeof(c->saved_self_cpus), &c->saved_self_cpus);
	c->self_pinned = false;
out_free:
	free(c->saved_xstate);
	c->saved_xstate = NULL;
	return ret;
}

int inject_syscall(struct inject_ctx *c, long nr, const uint64_t args[6], int64_t *ret)
{
	pid_t tid = c->t->tid;
	struct arch_regs regs = c->saved_regs;
	enum task_stop stop;
	int status, err, gen = task_cancel_gen();
	bool interrupted = false;

	if (!c->active)
		return -EINVAL;
	arch_setup_syscall(&regs, c->kind, c->sc_ip, nr, args);
	if (c->poison_stack)
		poison_stack(&regs);
	/* inject_begin() already put in these very registers (the safety mapping's mmap). */
	err = c->regs_ready ? 0 : arch_set_regs(tid, &regs);
	c->regs_ready = false;
	if (err) {
		if (err != -ESRCH)
			sudcr_error("thread %d: cannot set registers: %s", tid, strerror(-err));
		return err;
	}
	c->at_syscall_exit = true;	/* from here on the registers are ours */
	for (int i = 0, retraps = 0; i < 2; i++) {
		if (ptrace(PTRACE_SYSCALL, tid, NULL, NULL)) {
			err = -errno;
			if (err != -ESRCH)
				sudcr_error("thread %d: cannot resume for injection: %s", tid, strerror(-err));
			return err;
		}
		if (i == 1) {
			/* The call runs: a stop request interrupts it (sudcr_cancel()). */
			bool intr;

			stop = task_wait_stop_cancellable(c->t, PTRACE_SYSCALL, gen, &status, &intr);
			if (intr) {
				interrupted = true;
				gen = task_cancel_gen();
			}
		} else {
			stop = task_wait_stop(c->t, PTRACE_SYSCALL, &status);
		}
		/*
		 * A thread seized in a group-stop reports the stop once more
		 * when first resumed (the trap notification of the seize):
		 * resume it again.
		 */
		if (stop == TASK_STOP_INTERRUPT && i == 0 && retraps++ < 3) {
			i--;
			continue;
		}
		/* An injected clone reports the new task first (PTRACE_O_TRACECLONE). */
		if (stop == TASK_STOP_OTHER && i == 1 && ((status >> 16) == PTRACE_EVENT_CLONE ||
		    (status >> 16) == PTRACE_EVENT_FORK || (status >> 16) == PTRACE_EVENT_VFORK)) {
			i--;
			continue;
		}
		if (stop == TASK_STOP_GONE) {
			sudcr_error("thread %d exited during an injected syscall %ld", tid, nr);
			c->active = false;
			return -ESRCH;
		}
		if (stop != TASK_STOP_SYSCALL) {
			sudcr_error("thread %d: unexpected stop 0x%x during injected syscall %ld", tid,
				    status, nr);
			return -EIO;
		}
		err = arch_get_regs(tid, &regs);
		if (err)
			return err;
		if (i == 0 && arch_syscall_nr(&regs) != nr) {
			sudcr_error("thread %d: injection entered syscall %ld instead of %ld", tid,
				    arch_syscall_nr(&regs), nr);
			return -EIO;
		}
	}
	*ret = arch_syscall_result(&regs, c->kind);
	if (call_cut_short(*ret, interrupted)) {
		sudcr_debug("thread %d: injected syscall %ld interrupted (%lld)", tid, nr, (long long)*ret);
		keep_own_restart(c, *ret);
		err = safety_update(c);
		return err ? err : -EINTR;
	}
	return 0;
}

int inject_syscall6(struct inject_ctx *c, long nr, int64_t *ret, uint64_t a0, uint64_t a1,
		    uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	const uint64_t args[6] = { a0, a1, a2, a3, a4, a5 };

	return inject_syscall(c, nr, args, ret);
}

int inject_scratch(struct inject_ctx *c, size_t len, uint64_t *addr)
{
	long page = sysconf(_SC_PAGESIZE);
	int64_t r;
	int ret;

	len = (len + page - 1) & ~(size_t)(page - 1);
	/* The safety mapping has room for it: no mapping of its own to leave behind. */
	if (c->safety && len <= SAFETY_SCRATCH_LEN) {
		*addr = c->safety + SAFETY_SCRATCH_OFF;
		return 0;
	}
	if (c->scratch && c->scratch_len >= len) {
		*addr = c->scratch;
		return 0;
	}
	if (c->scratch) {
		ret = inject_syscall6(c, arch_sc_nr(c->kind, SC_MUNMAP), &r, c->scratch, c->scratch_len,
				      0, 0, 0, 0);
		if (ret)
			return ret;
		c->scratch = 0;
	}
	ret = inject_syscall6(c, arch_sc_nr(c->kind, SC_MMAP), &r, 0, len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0);
	if (ret)
		return ret;
	if (r < 0 && r > -4096) {
		sudcr_error("thread %d: cannot map a scratch area: %s", c->t->tid, strerror((int)-r));
		return (int)r;
	}
	/* An ia32 address above 2 GiB comes back sign-extended. */
	c->scratch = c->kind == ARCH_IA32 ? (uint32_t)r : (uint64_t)r;
	c->scratch_len = len;
	*addr = c->scratch;
	return 0;
}

int inject_scratch_at(struct inject_ctx *c, uint64_t addr, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	int64_t r;
	int ret;

	if (c->scratch) {
		sudcr_error("thread %d: scratch area already mapped", c->t->tid);
		return -EBUSY;
	}
	len = (len + page - 1) & ~(size_t)(page - 1);
	ret = inject_syscall6(c, arch_sc_nr(c->kind, SC_MMAP), &r, addr, len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, (uint64_t)-1, 0);
	if (ret)
		return ret;
	if ((uint64_t)r != addr) {
		sudcr_error("thread %d: cannot map a scratch area at 0x%llx: %s", c->t->tid,
			    (unsigned long long)addr, r < 0 ? strerror((int)-r) : "placed elsewhere");
		return r < 0 ? (int)r : -EEXIST;
	}
	c->scratch = addr;
	c->scratch_len = len;
	return 0;
}

void inject_vdso_moved(struct inject_ctx *c, uint64_t old_start, uint64_t len, uint64_t new_start)
{
	if (c->sc_ip - old_start < len)
		c->sc_ip = c->sc_ip - old_start + new_start;
}

void inject_set_site(struct inject_ctx *c, uint64_t ip)
{
	c->sc_ip = ip;
}

int inject_set_kind(struct inject_ctx *c, enum arch_kind kind)
{
	enum arch_kind old = c->kind;
	int ret;

	c->kind = kind;
	ret = find_syscall_insn(c);
	if (ret) {
		c->kind = old;
		return ret;
	}
	arch_regs_set_kind(&c->saved_regs, kind);
	return 0;
}

int inject_queue_signal(struct inject_ctx *c, const siginfo_t *si)
{
	uint8_t buf[128];
	uint64_t addr;
	int64_t r;
	int ret;

	ret = inject_scratch(c, sizeof(buf), &addr);
	if (ret)
		return ret;
	arch_siginfo_for_task(c->kind, si, buf);
	ret = inject_write_mem(c->t->tid, addr, buf, sizeof(buf));
	if (ret) {
		sudcr_error("thread %d: cannot write siginfo: %s", c->t->tid, strerror(-ret));
		return ret;
	}
	ret = inject_syscall6(c, arch_sc_nr(c->kind, SC_RT_TGSIGQUEUEINFO), &r, c->t->tgid, c->t->tid,
			      si->si_signo, addr, 0, 0);
	if (ret)
		return ret;
	if (r) {
		sudcr_error("thread %d: cannot queue signal %d again: %s", c->t->tid, si->si_signo,
			    strerror((int)-r));
		return (int)r;
	}
	return 0;
}

static int queue_intercepted(struct inject_ctx *c)
{
	struct task_thread *t = c->t;

	while (t->nr_intercepted) {
		int ret = inject_queue_signal(c, &t->intercepted[0]);

		if (ret)
			return ret;
		memmove(&t->intercepted[0], &t->intercepted[1],
			--t->nr_intercepted * sizeof(t->intercepted[0]));
	}
	return 0;
}

int inject_end(struct inject_ctx *c)
{
	struct task_thread *t = c->t;
	pid_t tid = t->tid;
	int ret = 0, err;

	if (!c->active)
		goto out;
	/*
	 * Signals can be swallowed again while we go back to the interrupt
	 * stop (only SIGSTOP is unblocked now), so loop until none is left.
	 */
	for (int tries = 0; tries < 4; tries++) {
		ret = queue_intercepted(c);
		if (!ret && c->scratch) {
			int64_t r;

			ret = inject_syscall6(c, arch_sc_nr(c->kind, SC_MUNMAP), &r, c->scratch,
					      c->scratch_len, 0, 0, 0, 0);
			if (!ret)
				c->scratch = 0;
		}
		if (c->at_syscall_exit) {
			err = task_return_to_interrupt_stop(t);
			if (err) {
				ret = ret ? ret : err;
				break;
			}
			c->at_syscall_exit = false;
		}
		if (ret || !t->nr_intercepted)
			break;
	}
	/* Killed by someone else: nothing left to put back, and nothing more to say. */
	if (!t->seized || ret == -ESRCH)
		goto out;
	if (c->safety) {
		/* Before the page goes, which would put the same affinity back. */
		unpin(c);
		/* The last injected call (through the bootstrap), or none for a slot. */
		err = safety_unmap(c);
		if (!err && c->at_syscall_exit) {
			err = task_return_to_interrupt_stop(t);
			if (!err)
				c->at_syscall_exit = false;
		}
		if (err) {
			ret = ret ? ret : err;
			if (!t->seized || err == -ESRCH)
				goto out;
		}
	}
	err = arch_set_regs(tid, &c->saved_regs);
	if (!err)
		err = arch_set_xstate(tid, c->saved_xstate);
	if (err) {
		sudcr_error("thread %d: cannot put registers back: %s", tid, strerror(-err));
		ret = ret ? ret : err;
	}
	if (ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(uint64_t), &c->saved_mask)) {
		int e = errno;

		sudcr_error("thread %d: cannot put signal mask back: %s", tid, strerror(e));
		ret = ret ? ret : -e;
	}
	err = sud_put_back(tid, &c->saved_sud);
	ret = ret ? ret : err;
	/* Without a safety page after all (its mmap failed): the bootstrap is not needed any more. */
	if (!err)
		safety_unprepare(c);
out:
	unpin(c);
	c->active = false;
	free(c->saved_xstate);
	c->saved_xstate = NULL;
	return ret;
}

void inject_abandon(struct inject_ctx *c)
{
	if (c->self_pinned)
		sched_setaffinity(0, sizeof(c->saved_self_cpus), &c->saved_self_cpus);
	c->affinity_set = false;
	c->self_pinned = false;
	c->active = false;
	free(c->saved_xstate);
	c->saved_xstate = NULL;
}

int inject_requeue_intercepted(struct task_thread *t)
{
	/* No injection needed any more: see task_requeue_intercepted(). */
	return task_requeue_intercepted(t);
}
