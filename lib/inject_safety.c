// SPDX-License-Identifier: MIT
/*
 * Crash safety of injection: a thread we changed must never run on in a
 * state it did not have if sudcr dies (SIGKILL, OOM, a crash).  When a
 * tracer dies the kernel detaches its tracees and each one resumes from
 * its ptrace stop with the registers the tracer left.  So, from the
 * first change to the last, those registers point into code of ours that
 * puts the thread back: a page sudcr maps in the target (not the target's
 * code: DESIGN.md), the safety page, and before it exists and after it
 * is gone, the bootstrap (below) in the vDSO's padding, bytes no code of
 * the target ever runs:
 *
 *   site:    syscall          every injected call runs here, so a thread
 *                             let go at its entry or exit stop, or in the
 *                             call, falls through into:
 *   restore: sched_setaffinity(0, saved CPUs)   if sudcr pinned it
 *            rt_sigprocmask(SIG_SETMASK, saved mask)
 *            prctl(PR_SET_SYSCALL_USER_DISPATCH, saved config)   last:
 *                             after it, a syscall from here would be
 *                             dispatched to the target's handler
 *            rflags, then every general register, from the page (no
 *            free register needed, the target's stack untouched)
 *            jmp *saved rip
 *
 * Between injected calls, at an interrupt stop, the registers are the
 * same ones with rip = restore and orig_rax = -1 (no restart fix-up of
 * ours by the kernel).  The saved context is the one after the kernel's
 * syscall-restart fix-up: a thread stopped in a blocking syscall
 * (ax = -ERESTART*) goes back to its syscall instruction with ax = its
 * syscall number (restart_syscall for -ERESTART_RESTARTBLOCK), as the
 * kernel would have sent it.  A thread in an rseq critical section was
 * already moved to its abort handler by inject_begin().  Extended state
 * is never touched by injection.
 *
 * One mapping holds the pages of all the threads of a dump, one
 * SAFETY_LEN slot each: page, then the thread's scratch area.  Thread 0
 * maps it (one injected mmap) and unmaps it last; the others only write
 * their slot.
 *
 * The bootstrap.  Thread 0's mmap of the mapping and its munmap have no
 * page of ours to run from.  They run from a bootstrap written in the
 * zero padding of the thread's vDSO, past the end of its ELF content
 * (found from its headers at run time: on 6.18 the 8 KiB vDSO's content
 * ends at 0x1a60; two 576-byte slots fit after it).  It holds the
 * thread's saved context inline, and does what the page's restore code
 * does: syscall (the mmap or munmap); for the mmap, munmap of its result;
 * rt_sigprocmask; the SUD prctl; flags through the thread's own stack
 * below its red zone (the vDSO is read-only to the thread: /proc/TID/mem
 * writes it, FOLL_FORCE, which copies the page for this process only);
 * registers; jmp.  A slot is only written when all its bytes are zero,
 * and zeroed again at the end of the dump (the page stays a private copy
 * with the original bytes); slots killed sudcrs left are taken back by
 * the next dump (zeroed at its end, or at its start when no slot is
 * free), unless a thread runs in one or its SUD config names it.  No
 * room (another vDSO), or a process where /proc/TID/mem
 * cannot write: a warning, and these two calls run from the vDSO's own
 * syscall with the stack and frame pointers non-canonical, so that a
 * thread let go there faults at once in the vDSO's epilogue (SIGBUS),
 * loud, rather than run on wrong.
 *
 * The transit config.  SUD must be off before our code runs a syscall
 * (SUD's check comes before the ptrace syscall-entry stop:
 * syscall_trace_enter()), and the thread's registers must point into our
 * code before SUD is off (let go with its own registers and SUD off, it
 * would run on unintercepted: silent).  Two ptrace calls, one after the
 * other: whichever comes first leaves a state that breaks the thread if
 * sudcr dies right then.  So a third state comes first, a transit SUD
 * config that dispatches every syscall of the thread's own code exactly
 * as its config does and none of ours:
 *  - a config with a selector and no range: the same selector, and our
 *    code (the bootstrap, or the thread's page) as the allowed range;
 *  - a config without a selector (a range, inclusive, or none): the same
 *    range, and a selector byte in the thread's page that reads BLOCK,
 *    which the page's restore code sets to ALLOW before its first
 *    syscall (thread 0's bootstrap cannot write: no transit, see below);
 *  - a config that already lets our code run (off; inclusive around
 *    other code): none needed.
 * The order is: transit config, registers into our code, all signals
 * blocked (our code puts the mask back), SUD off; and at
 * the end, at the stop where our code is done: the mask, the transit
 * config, the thread's registers (restart applied), its own config.  A
 * kill between a transit config and its neighbour leaves the thread
 * running its own code, intercepted exactly as before, but with a config
 * that is not byte for byte its own (`sudcr sud get` shows the range or
 * selector of ours): the one window that stays, by construction (two
 * ptrace calls cannot change two things at once).  The next sudcr that
 * touches the process recognises a transit config by the code of ours it
 * names (adopt_left()) and takes it for the config it stood for: it
 * dumps that, and puts it back.  A thread with both a selector and a
 * range that does not cover our code (exclusive mode) has no transit
 * config, nor has thread 0 without a selector: for them the old windows
 * stay (the poisoned stack of the bootstrap-less calls above, and for a
 * slot, the two ptrace calls between SUD off and its registers).
 *
 * What tests/crash/dump_sweep.sh (sudcr killed before each of its calls
 * that touch the target, in turn) and tests/crash/dump_killed.sh (killed
 * at random instants) find, and why it stays:
 *  - the transit windows above, two per thread with SUD (accepted by
 *    the tests only when the program runs on exactly and the next dump
 *    puts the config back);
 *  - the mapping stays after a kill: nothing can unmap it once SUD is
 *    armed again (a syscall from it would then be dispatched to the
 *    target's handler), and before, nothing could arm SUD after.  The
 *    next sudcr that injects into the process unmaps it
 *    (safety_clear_leftovers(): found by its code, with its busy word
 *    clear (the code sets it on entry, clears it on its way out: no
 *    thread is in it, or in a handler that returns into it), no thread
 *    stopped inside it or naming it in its SUD config), before the dump
 *    reads the mappings, so it reaches no image either;
 *  - a signal that is pending and unblocked by the saved mask is
 *    delivered when rt_sigprocmask returns, before prctl: its handler
 *    runs with SUD still off (and returns into this code, which goes on).
 *    Its frame goes on the thread's own stack, as for any signal.  The
 *    bootstrap has no busy word (it cannot write): a handler that a kill
 *    of sudcr let start inside it, still running when a later dump takes
 *    the slot back, returns to zeros (or, if that dump was killed in its
 *    own bootstrap window too, into that dump's bootstrap and context);
 *  - ia32 threads get no page (the code is x86-64);
 *  - a signal-delivery-stop that sudcr has collected with waitpid() and
 *    not answered yet loses its signal if sudcr dies: collecting the stop
 *    clears the tracee's exit_code, which is the signal the kernel
 *    resumes it with (wait_task_stopped(); measured on 6.18).  The seize
 *    and the delivery of pending signals therefore only peek at such a
 *    stop (WNOWAIT) and answer it uncollected (task.c: peek_tracee()).
 *    Still open: a signal that cannot be blocked (SIGSTOP) or that came
 *    before the block (threads without a transit config) is kept, to be
 *    queued again, in our memory only; and one kept still at the end goes
 *    back through task_requeue_intercepted(), whose mask changes and
 *    carrier signal are made on the thread's own registers (no page any
 *    more): a kill there leaves them;
 * Processes whose death is wanted anyway (a restore's new process, traced
 * with PTRACE_O_EXITKILL) get no page either.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <unistd.h>

#include "kernel_compat.h"
#include <sudcr/log.h>

#include "inject_safety.h"

/* What the page's code and the bootstrap put back, at the start of their data. */
struct saved_ctx {
	struct user_regs_struct regs;	/* 0: context to resume, restart applied */
	uint64_t mask;			/* 216 */
	uint64_t sud_mode;		/* 224: 0 = leave SUD alone */
	uint64_t sud_offset;		/* 232 */
	uint64_t sud_len;		/* 240 */
	uint64_t sud_selector;		/* 248 */
};

/* Laid out as the blob's .Ld area (offsets in the asm below). */
struct safety_data {
	struct saved_ctx ctx;		/* 0 */
	uint64_t pinned;		/* 256: put cpus back */
	cpu_set_t cpus;			/* 264 */
	uint64_t busy;			/* 392: 1 while a thread runs the code */
	uint8_t sel;			/* 400: the selector of a transit config */
	uint8_t pad[7];
	uint8_t stack[104];		/* 408: for popfq; top at 512 - 56 */
};

_Static_assert(offsetof(struct saved_ctx, mask) == 216, "safety layout");
_Static_assert(offsetof(struct saved_ctx, regs.eflags) == 144, "safety layout");
_Static_assert(offsetof(struct saved_ctx, regs.rsp) == 152, "safety layout");
_Static_assert(offsetof(struct saved_ctx, regs.rip) == 128, "safety layout");
_Static_assert(sizeof(struct saved_ctx) == 256, "safety layout");
_Static_assert(offsetof(struct safety_data, pinned) == 256, "safety layout");
_Static_assert(offsetof(struct safety_data, cpus) == 264 && sizeof(cpu_set_t) == 128, "safety layout");
_Static_assert(offsetof(struct safety_data, busy) == 392, "safety layout");
_Static_assert(offsetof(struct safety_data, sel) == 400, "safety layout");
_Static_assert(sizeof(struct safety_data) == 512, "safety layout");

extern const unsigned char sudcr_safety_blob[], sudcr_safety_restore[], sudcr_safety_data[],
	sudcr_safety_end[];

__asm__(
	".pushsection .rodata.sudcr_safety,\"a\"\n"
	".balign 64\n"
	".globl sudcr_safety_blob, sudcr_safety_restore, sudcr_safety_data, sudcr_safety_end\n"
	".hidden sudcr_safety_blob, sudcr_safety_restore, sudcr_safety_data, sudcr_safety_end\n"
	"sudcr_safety_blob:\n"
	"	syscall\n"
	"sudcr_safety_restore:\n"
	"	movq $1, .Lsd+392(%rip)\n"	/* busy: a thread runs this code */
	"	movb $0, .Lsd+400(%rip)\n"	/* a transit config's selector: ALLOW */
	"	cmpq $0, .Lsd+256(%rip)\n"
	"	je 1f\n"
	"	mov $203, %eax\n"		/* sched_setaffinity(0, 128, cpus) */
	"	xor %edi, %edi\n"
	"	mov $128, %esi\n"
	"	lea .Lsd+264(%rip), %rdx\n"
	"	syscall\n"
	"1:	mov $14, %eax\n"		/* rt_sigprocmask(SIG_SETMASK, &mask, NULL, 8) */
	"	mov $2, %edi\n"
	"	lea .Lsd+216(%rip), %rsi\n"
	"	xor %edx, %edx\n"
	"	mov $8, %r10d\n"
	"	syscall\n"
	"	cmpq $0, .Lsd+224(%rip)\n"
	"	je 2f\n"
	"	mov $157, %eax\n"		/* prctl(PR_SET_SYSCALL_USER_DISPATCH, ...): the last */
	"	mov $59, %edi\n"
	"	mov .Lsd+224(%rip), %rsi\n"
	"	mov .Lsd+232(%rip), %rdx\n"
	"	mov .Lsd+240(%rip), %r10\n"
	"	mov .Lsd+248(%rip), %r8\n"
	"	syscall\n"
	"2:	lea .Lsd+456(%rip), %rsp\n"
	"	pushq .Lsd+144(%rip)\n"
	"	popfq\n"
	"	mov .Lsd+0(%rip), %r15\n"
	"	mov .Lsd+8(%rip), %r14\n"
	"	mov .Lsd+16(%rip), %r13\n"
	"	mov .Lsd+24(%rip), %r12\n"
	"	mov .Lsd+32(%rip), %rbp\n"
	"	mov .Lsd+40(%rip), %rbx\n"
	"	mov .Lsd+48(%rip), %r11\n"
	"	mov .Lsd+56(%rip), %r10\n"
	"	mov .Lsd+64(%rip), %r9\n"
	"	mov .Lsd+72(%rip), %r8\n"
	"	mov .Lsd+80(%rip), %rax\n"
	"	mov .Lsd+88(%rip), %rcx\n"
	"	mov .Lsd+96(%rip), %rdx\n"
	"	mov .Lsd+104(%rip), %rsi\n"
	"	mov .Lsd+112(%rip), %rdi\n"
	"	mov .Lsd+152(%rip), %rsp\n"
	"	movq $0, .Lsd+392(%rip)\n"	/* done with the page, but for the jump: */
	"	jmp *.Lsd+128(%rip)\n"
	".balign 64\n"
	"sudcr_safety_data:\n"
	".Lsd:\n"
	"	.space 512\n"
	"sudcr_safety_end:\n"
	".popsection\n");

/*
 * The bootstrap of thread 0's two calls that have no page to run from
 * (the mapping's mmap and munmap), written in the vDSO's padding.  The
 * vDSO is read-only to the thread: its data cannot be written by the
 * code, the flags go through the thread's own stack, below its red zone
 * (where a signal frame would go).
 */
struct boot_data {
	struct saved_ctx ctx;		/* 0 */
	uint64_t undo_len;		/* 256: the call was an mmap of this length: unmap its result */
};

_Static_assert(offsetof(struct boot_data, undo_len) == 256, "boot layout");
_Static_assert(sizeof(struct boot_data) == 264, "boot layout");

extern const unsigned char sudcr_boot_blob[], sudcr_boot_data[], sudcr_boot_end[];

__asm__(
	".pushsection .rodata.sudcr_boot,\"a\"\n"
	".balign 64\n"
	".globl sudcr_boot_blob, sudcr_boot_data, sudcr_boot_end\n"
	".hidden sudcr_boot_blob, sudcr_boot_data, sudcr_boot_end\n"
	"sudcr_boot_blob:\n"
	"	syscall\n"
	"	cmpq $0, .Lbd+256(%rip)\n"
	"	je 1f\n"
	"	cmpq $-4095, %rax\n"		/* failed: nothing to unmap */
	"	jae 1f\n"
	"	mov %rax, %rdi\n"		/* munmap(result, undo_len) */
	"	mov .Lbd+256(%rip), %rsi\n"
	"	mov $11, %eax\n"
	"	syscall\n"
	"1:	mov $14, %eax\n"		/* rt_sigprocmask(SIG_SETMASK, &mask, NULL, 8) */
	"	mov $2, %edi\n"
	"	lea .Lbd+216(%rip), %rsi\n"
	"	xor %edx, %edx\n"
	"	mov $8, %r10d\n"
	"	syscall\n"
	"	cmpq $0, .Lbd+224(%rip)\n"
	"	je 2f\n"
	"	mov $157, %eax\n"		/* prctl(PR_SET_SYSCALL_USER_DISPATCH, ...): the last */
	"	mov $59, %edi\n"
	"	mov .Lbd+224(%rip), %rsi\n"
	"	mov .Lbd+232(%rip), %rdx\n"
	"	mov .Lbd+240(%rip), %r10\n"
	"	mov .Lbd+248(%rip), %r8\n"
	"	syscall\n"
	"2:	mov .Lbd+152(%rip), %rsp\n"
	"	lea -136(%rsp), %rsp\n"		/* below the red zone */
	"	pushq .Lbd+144(%rip)\n"
	"	popfq\n"
	"	mov .Lbd+0(%rip), %r15\n"
	"	mov .Lbd+8(%rip), %r14\n"
	"	mov .Lbd+16(%rip), %r13\n"
	"	mov .Lbd+24(%rip), %r12\n"
	"	mov .Lbd+32(%rip), %rbp\n"
	"	mov .Lbd+40(%rip), %rbx\n"
	"	mov .Lbd+48(%rip), %r11\n"
	"	mov .Lbd+56(%rip), %r10\n"
	"	mov .Lbd+64(%rip), %r9\n"
	"	mov .Lbd+72(%rip), %r8\n"
	"	mov .Lbd+80(%rip), %rax\n"
	"	mov .Lbd+88(%rip), %rcx\n"
	"	mov .Lbd+96(%rip), %rdx\n"
	"	mov .Lbd+104(%rip), %rsi\n"
	"	mov .Lbd+112(%rip), %rdi\n"
	"	mov .Lbd+152(%rip), %rsp\n"
	"	jmp *.Lbd+128(%rip)\n"
	".balign 8\n"
	"sudcr_boot_data:\n"
	".Lbd:\n"
	"	.space 264\n"
	"sudcr_boot_end:\n"
	".popsection\n");

#define ERESTARTSYS		512
#define ERESTARTNOINTR		513
#define ERESTARTNOHAND		514
#define ERESTART_RESTARTBLOCK	516
#define NR_RESTART_SYSCALL	219

bool safety_wanted(const struct inject_ctx *c)
{
	return c->kind == ARCH_X86_64 && !(c->t->opts & PTRACE_O_EXITKILL);
}

/* The registers the kernel would resume the thread with from its interrupt stop. */
static void restarted(const struct user_regs_struct *in, struct user_regs_struct *out)
{
	*out = *in;
	if ((int64_t)in->orig_rax < 0)
		return;
	switch ((int64_t)in->rax) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
		out->rax = in->orig_rax;
		out->rip -= 2;
		break;
	case -ERESTART_RESTARTBLOCK:
		out->rax = NR_RESTART_SYSCALL;
		out->rip -= 2;
		break;
	}
	out->orig_rax = (uint64_t)-1;
}

static void fill_ctx(const struct inject_ctx *c, struct saved_ctx *d)
{
	restarted(&c->saved_regs.r, &d->regs);
	d->mask = c->saved_mask;
	d->sud_mode = c->saved_sud.mode;
	d->sud_offset = c->saved_sud.offset;
	d->sud_len = c->saved_sud.len;
	d->sud_selector = c->saved_sud.selector;
}

static void fill(const struct inject_ctx *c, struct safety_data *d)
{
	memset(d, 0, sizeof(*d));
	fill_ctx(c, &d->ctx);
	d->sel = SUD_SELECTOR_BLOCK;
	if (c->affinity_set || c->safety_pinning) {
		d->pinned = 1;
		d->cpus = c->saved_target_cpus;
	}
}

int safety_update(struct inject_ctx *c)
{
	struct safety_data d;
	int ret;

	if (!c->safety)
		return 0;
	fill(c, &d);
	ret = inject_write_mem(c->t->tid, c->safety + (sudcr_safety_data - sudcr_safety_blob), &d, sizeof(d));
	if (ret && ret != -ESRCH)
		sudcr_error("thread %d: cannot write its safety page: %s", c->t->tid, strerror(-ret));
	return ret;
}

/* VmLck of the process, in kB. */
static int vm_locked_kb(pid_t pid, uint64_t *kb)
{
	char path[32], line[128];
	FILE *f;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %" SCNu64, kb) == 1) {
			ret = 0;
			break;
		}
	fclose(f);
	return ret;
}

/*
 * mlockall(MCL_FUTURE) leaves no trace in /proc but in the mappings made
 * afterwards, as the safety mapping just was: locked (VmLck grew), and
 * faulted in at once (its last page, which nothing touched yet, is
 * present) unless MCL_ONFAULT.
 */
static int fresh_mcl(pid_t tid, uint64_t untouched, bool locked)
{
	char path[32];
	uint64_t pme = 0;
	int fd;

	if (!locked)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (pread(fd, &pme, sizeof(pme), (off_t)(untouched / 4096 * sizeof(pme))) != sizeof(pme))
		pme = 0;
	close(fd);
	return MCL_FUTURE | (pme & (1ULL << 63) ? 0 : MCL_ONFAULT);
}

/* Code and context of the thread's page, in one write. */
static int write_slot(struct inject_ctx *c, uint64_t page)
{
	size_t len = sudcr_safety_end - sudcr_safety_blob;
	struct iovec local[2], remote[2];
	struct safety_data d;
	int ret;

	_Static_assert(sizeof(struct safety_data) == 512, "the data ends the blob");
	c->safety = page;
	fill(c, &d);
	local[0] = (struct iovec){ (void *)sudcr_safety_blob, len - sizeof(d) };
	local[1] = (struct iovec){ &d, sizeof(d) };
	remote[0] = (struct iovec){ (void *)(uintptr_t)page, len - sizeof(d) };
	remote[1] = (struct iovec){ (void *)(uintptr_t)(page + len - sizeof(d)), sizeof(d) };
	if (process_vm_writev(c->t->tid, local, 2, remote, 2, 0) == (ssize_t)len)
		return 0;
	ret = errno ? -errno : -EFAULT;
	if (ret != -ESRCH)
		sudcr_error("thread %d: cannot write its safety page: %s", c->t->tid, strerror(-ret));
	return ret;
}

/*
 * The code, with a cleared busy word, in the other threads' slots right
 * away: if sudcr dies before they take them, the next sudcr still
 * recognises every slot of the mapping as its own.
 */
static int write_idle_slots(struct inject_ctx *c, uint64_t area)
{
	size_t code = sudcr_safety_data - sudcr_safety_blob;
	struct iovec local[64], remote[64];
	size_t nr = c->safety_area_len / SAFETY_LEN;

	for (size_t k = 1; k < nr; k += 64) {
		size_t n = nr - k < 64 ? nr - k : 64;

		for (size_t i = 0; i < n; i++) {
			local[i] = (struct iovec){ (void *)sudcr_safety_blob, code };
			remote[i] = (struct iovec){ (void *)(uintptr_t)(area + (k + i) * SAFETY_LEN), code };
		}
		if (process_vm_writev(c->t->tid, local, n, remote, n, 0) != (ssize_t)(n * code)) {
			int ret = errno ? -errno : -EFAULT;

			if (ret != -ESRCH)
				sudcr_error("thread %d: cannot write the safety pages: %s", c->t->tid,
					    strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static bool thread_inside(pid_t tgid, uint64_t start, uint64_t end);

/* The kernel's form of a config: syscalls issued from [*off, *off + *len) (wrapping) run. */
static void kernel_range(const struct sud_config *s, uint64_t *off, uint64_t *len)
{
	if (s->mode == SUD_MODE_INCLUSIVE) {
		*off = s->offset + s->len;
		*len = -s->len;
	} else {
		*off = s->offset;
		*len = s->len;
	}
}

/*
 * The transit config of a thread whose code of ours is [code, code + len)
 * and, for a safety page, whose selector byte there is @sel: one that
 * dispatches every syscall of the thread's own code as its config does,
 * and none of ours.  None needed when its config already lets ours run.
 */
static void plan_transit(struct inject_ctx *c, uint64_t code, uint64_t len, uint64_t sel)
{
	const struct sud_config *s = &c->saved_sud;
	uint64_t off, n;

	c->transit = 0;
	if (s->mode == SUD_MODE_OFF)
		return;
	kernel_range(s, &off, &n);
	if (code - off < n && code + len - off <= n && code + len - off > code - off)
		return;
	c->transit_sud = *s;
	c->transit = 1;
	if (!s->selector && sel) {
		/* Its code is dispatched whatever a selector says: ours flips this one first. */
		c->transit_sud.selector = sel;
	} else if (s->selector && s->mode == SUD_MODE_EXCLUSIVE && !s->offset && !s->len) {
		/* No range: our code is the range. */
		c->transit_sud.offset = code;
		c->transit_sud.len = len;
	} else {
		c->transit = -1;
	}
}

static bool holds_code(pid_t tid, uint64_t addr, const unsigned char *code, size_t len)
{
	unsigned char buf[512];

	return len <= sizeof(buf) && !inject_read_mem(tid, addr, buf, len) && !memcmp(buf, code, len);
}

/*
 * A killed sudcr may have left a thread in its transit config (the one
 * window that stays: see the top): recognise it by the code of ours it
 * names, and take the config it stood for.
 */
static bool adopt_left(pid_t tid, struct sud_config *s)
{
	size_t page_code = sudcr_safety_data - sudcr_safety_blob;
	size_t boot_code = sudcr_boot_data - sudcr_boot_blob;
	uint64_t sel_at = page_code + offsetof(struct safety_data, sel);

	if (s->mode == SUD_MODE_OFF)
		return false;
	if (s->selector > sel_at && holds_code(tid, s->selector - sel_at, sudcr_safety_blob, page_code)) {
		s->selector = 0;
		return true;
	}
	if (s->selector && s->mode == SUD_MODE_EXCLUSIVE &&
	    ((s->len == page_code && holds_code(tid, s->offset, sudcr_safety_blob, page_code)) ||
	     (s->len == boot_code && holds_code(tid, s->offset, sudcr_boot_blob, boot_code)))) {
		s->offset = 0;
		s->len = 0;
		return true;
	}
	return false;
}

static void adopt_transit_left(struct inject_ctx *c)
{
	if (c->kind == ARCH_X86_64 && adopt_left(c->t->tid, &c->saved_sud))
		sudcr_debug("thread %d: its SUD config is the transit config a killed sudcr left: taken as %s",
			    c->t->tid, c->saved_sud.selector ? "without its range" : "without a selector");
}

/*
 * Before leftovers are unmapped: the other threads (all stopped by us)
 * get the config their transit config stood for now, rather than when
 * their own injection starts, by which time the code it names is gone.
 */
static void put_back_transits_left(pid_t tgid, pid_t self)
{
	char path[32];
	struct dirent *e;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", tgid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		pid_t tid = atoi(e->d_name);
		struct sud_raw_config raw;
		struct sud_config s;

		if (tid <= 0 || tid == self || sud_get_raw(tid, &raw))
			continue;
		sud_from_raw(&raw, &s);
		if (!adopt_left(tid, &s))
			continue;
		sud_to_raw(&s, &raw);
		if (!sud_set_raw(tid, &raw))
			sudcr_debug("thread %d: put back the SUD config a killed sudcr left it in transit", tid);
	}
	closedir(dir);
}

#define BOOT_SLOT(len)	(((len) + 63) & ~(size_t)63)
#define VDSO_MAX	(64 * 1024)

/*
 * The thread's vDSO, and the first byte past its ELF content (headers,
 * segments, sections, header tables), from its own headers: zeros up to
 * the end of its last page.
 */
static int read_vdso(struct inject_ctx *c, unsigned char **buf, uint64_t *start, size_t *size, size_t *used)
{
	uint64_t end;
	const Elf64_Ehdr *eh;
	size_t n, u;

	/* The vDSO does not move during a dump (only a restore moves it, without a safety page). */
	*start = c->vdso_start;
	end = c->vdso_end;
	if (!*start || end <= *start || end - *start > VDSO_MAX)
		return -ENOENT;
	n = end - *start;
	*buf = malloc(n);
	if (!*buf)
		return -ENOMEM;
	eh = (const Elf64_Ehdr *)*buf;
	if (inject_read_mem(c->t->tid, *start, *buf, n) || n < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    (eh->e_shnum && eh->e_shentsize != sizeof(Elf64_Shdr)) || eh->e_phoff > n ||
	    (n - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum || eh->e_shoff > n ||
	    (n - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum)
		goto bad;
	u = eh->e_ehsize;
	if (eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr) > u)
		u = eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr);
	if (eh->e_shoff + eh->e_shnum * sizeof(Elf64_Shdr) > u)
		u = eh->e_shoff + eh->e_shnum * sizeof(Elf64_Shdr);
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(*buf + eh->e_phoff) + i;

		if (ph->p_offset > n || n - ph->p_offset < ph->p_filesz)
			goto bad;
		if (ph->p_offset + ph->p_filesz > u)
			u = ph->p_offset + ph->p_filesz;
	}
	for (int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *sh = (const Elf64_Shdr *)(*buf + eh->e_shoff) + i;

		if (sh->sh_type == SHT_NOBITS)
			continue;
		if (sh->sh_offset > n || n - sh->sh_offset < sh->sh_size)
			goto bad;
		if (sh->sh_offset + sh->sh_size > u)
			u = sh->sh_offset + sh->sh_size;
	}
	*size = n;
	*used = u;
	return 0;
bad:
	free(*buf);
	*buf = NULL;
	return -ENOEXEC;
}

static bool all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* The vDSO is read-only to the thread: /proc/TID/mem writes it (a copy for this process only). */
static int write_forced(pid_t tid, uint64_t addr, const void *buf, size_t len)
{
	return inject_mem_forced(tid, addr, (void *)buf, len, true);
}

/*
 * A slot of the padding for the bootstrap: the first one all zeros, else
 * the first one a killed sudcr left (holding our code) that no thread runs
 * in or names in its SUD config (all of them are stopped by us), zeroed
 * first.  Kills in a row leave one each, and the dump that ends takes
 * them all back (boot_clear()); a dump that finds no slot has no
 * bootstrap.
 */
static int boot_find(struct inject_ctx *c)
{
	size_t slot = BOOT_SLOT((size_t)(sudcr_boot_end - sudcr_boot_blob)), size, used;
	size_t code = sudcr_boot_data - sudcr_boot_blob;
	unsigned char *buf, zero[1024] = { 0 };
	uint64_t start;
	int ret;

	if (slot > sizeof(zero))
		return -E2BIG;
	ret = read_vdso(c, &buf, &start, &size, &used);
	if (ret)
		return ret;
	ret = -ENOSPC;
	for (size_t at = BOOT_SLOT(used); at + slot <= size && ret; at += slot)
		if (all_zero(buf + at, slot)) {
			c->boot = start + at;
			ret = 0;
		}
	for (size_t at = BOOT_SLOT(used); at + slot <= size && ret; at += slot)
		if (!memcmp(buf + at, sudcr_boot_blob, code) &&
		    !thread_inside(c->t->tgid, start + at, start + at + slot) &&
		    !write_forced(c->t->tid, start + at, zero, slot)) {
			sudcr_debug("thread %d: took back the vDSO bootstrap a killed sudcr left at 0x%llx",
				    c->t->tid, (unsigned long long)(start + at));
			c->boot = start + at;
			ret = 0;
		}
	free(buf);
	return ret;
}

static int boot_write(struct inject_ctx *c, uint64_t undo_len)
{
	size_t code = sudcr_boot_data - sudcr_boot_blob;
	unsigned char buf[1024];
	struct boot_data d;

	if ((size_t)(sudcr_boot_end - sudcr_boot_blob) > sizeof(buf))
		return -E2BIG;
	memset(&d, 0, sizeof(d));
	fill_ctx(c, &d.ctx);
	d.undo_len = undo_len;
	memcpy(buf, sudcr_boot_blob, code);
	memcpy(buf + code, &d, sizeof(d));
	return write_forced(c->t->tid, c->boot, buf, code + sizeof(d));
}

/*
 * Zeros again where the bootstrap was, and in the slots killed ones left
 * that no thread runs in or names in its SUD config (all of them are
 * stopped by us).  A thread in a signal handler that a kill of sudcr let
 * start inside a bootstrap would return to zeros (see the top).
 */
static void boot_clear(struct inject_ctx *c)
{
	size_t slot = BOOT_SLOT((size_t)(sudcr_boot_end - sudcr_boot_blob)), size, used;
	size_t code = sudcr_boot_data - sudcr_boot_blob;
	unsigned char *buf, zero[1024] = { 0 };
	uint64_t start;

	if (!c->boot)
		return;
	if (slot > sizeof(zero) || write_forced(c->t->tid, c->boot, zero, slot))
		sudcr_debug("thread %d: cannot clear its vDSO bootstrap", c->t->tid);
	c->boot = 0;
	if (read_vdso(c, &buf, &start, &size, &used))
		return;
	for (size_t at = BOOT_SLOT(used); at + slot <= size; at += slot)
		if (!memcmp(buf + at, sudcr_boot_blob, code) && !thread_inside(c->t->tgid, start + at, start + at + slot) &&
		    !write_forced(c->t->tid, start + at, zero, slot))
			sudcr_debug("thread %d: cleared the vDSO bootstrap a killed sudcr left at 0x%llx", c->t->tid,
				    (unsigned long long)(start + at));
	free(buf);
}

int safety_prepare(struct inject_ctx *c)
{
	int ret;

	adopt_transit_left(c);
	c->transit = -1;
	if (c->safety_slot) {
		uint64_t code = sudcr_safety_data - sudcr_safety_blob;

		ret = write_slot(c, c->safety_slot);
		if (ret)
			return ret;
		plan_transit(c, c->safety_slot, code, c->safety_slot + code + offsetof(struct safety_data, sel));
		return 0;
	}
	ret = boot_find(c);
	if (!ret)
		ret = boot_write(c, c->safety_area_len);
	if (ret) {
		c->boot = 0;
		sudcr_warn("thread %d: %s%s: a kill of sudcr in its first or last injected call would kill "
			   "the process", c->t->tid, ret == -ENOSPC ? "no free room in its vDSO for sudcr's "
			   "bootstrap" : "cannot write sudcr's bootstrap into its vDSO: ",
			   ret == -ENOSPC ? "" : strerror(-ret));
		return 0;
	}
	plan_transit(c, c->boot, sudcr_boot_data - sudcr_boot_blob, 0);
	if (c->transit < 0)
		sudcr_debug("thread %d: its SUD config lets no code of ours run: a kill of sudcr in its "
			    "first or last injected call would kill the process", c->t->tid);
	return 0;
}

void safety_unprepare(struct inject_ctx *c)
{
	boot_clear(c);
}

void safety_map_args(const struct inject_ctx *c, uint64_t args[6])
{
	args[0] = 0;
	args[1] = c->safety_area_len;
	args[2] = PROT_WRITE | PROT_EXEC;
	args[3] = MAP_PRIVATE | MAP_ANONYMOUS;
	args[4] = (uint64_t)-1;
	args[5] = 0;
}

/* The registers of the call that maps the page, or of a slot's restore code. */
static void entry_regs(const struct inject_ctx *c, struct arch_regs *regs)
{
	uint64_t args[6];

	*regs = c->saved_regs;
	if (c->safety_slot && c->transit >= 0) {
		regs->r.rip = c->safety_slot + (sudcr_safety_restore - sudcr_safety_blob);
		regs->r.orig_rax = (uint64_t)-1;
		return;
	}
	safety_map_args(c, args);
	arch_setup_syscall(regs, c->kind, c->boot && c->transit >= 0 ? c->boot : c->sc_ip,
			   arch_sc_nr(c->kind, SC_MMAP), args);
	if (c->transit < 0 || !c->boot) {
		/* Let go there, it faults in the vDSO's epilogue (see the top). */
		regs->r.rsp = 0x8000000000000000ULL;
		regs->r.rbp = 0x8000000000000000ULL;
	}
}

int safety_enter(struct inject_ctx *c)
{
	struct arch_regs regs;
	int ret;

	if (c->transit > 0) {
		ret = sud_set(c->t->tid, &c->transit_sud);
		if (ret)
			return ret;
	}
	entry_regs(c, &regs);
	ret = arch_set_regs(c->t->tid, &regs);
	if (ret) {
		if (ret == -ESRCH)
			sudcr_error("thread %d died while held (killed by someone else?)", c->t->tid);
		else
			sudcr_error("thread %d: cannot set registers: %s", c->t->tid, strerror(-ret));
		if (c->transit > 0)
			sud_put_back(c->t->tid, &c->saved_sud);
		return ret;
	}
	c->regs_ready = !c->safety_slot;
	return 0;
}

int safety_map(struct inject_ctx *c)
{
	struct arch_regs resting;
	uint64_t page;
	int64_t r;
	int ret;

	_Static_assert(sizeof(struct safety_data) <= 4096 - 256, "safety page");
	if (c->safety_slot) {
		/* A slot of the mapping another thread made, written already. */
		page = c->safety_slot;
		c->regs_ready = false;
	} else {
		/*
		 * Write and execute, no read: a combination no mapping of the
		 * target has, so the kernel never merges the page into a
		 * neighbour, and the dump can leave it out by its address.
		 * (x86 pages cannot be unreadable: the code reads its data.)
		 * The scratch area of the injected calls is in the same
		 * mapping (inject_scratch()): a kill of sudcr leaves one
		 * mapping behind, not two.
		 */
		uint64_t locked_before = 0, locked_after = 0;
		bool known = !vm_locked_kb(c->t->tgid, &locked_before);
		bool boot = c->boot && c->transit >= 0;
		uint64_t args[6], vdso_ip = c->sc_ip;

		safety_map_args(c, args);
		c->poison_stack = !boot;
		if (boot)
			c->sc_ip = c->boot;
		ret = inject_syscall(c, arch_sc_nr(c->kind, SC_MMAP), args, &r);
		c->sc_ip = vdso_ip;
		c->poison_stack = false;
		if (ret)
			return ret;
		if (r < 0 && r > -4096) {
			sudcr_debug("thread %d: no safety page (%s): a kill of sudcr now would leave it changed",
				    c->t->tid, strerror((int)-r));
			return -EOPNOTSUPP;
		}
		page = (uint64_t)r;
		c->safety_area = page;
		if (known && !vm_locked_kb(c->t->tgid, &locked_after))
			c->fresh_mcl = fresh_mcl(c->t->tid, page + c->safety_area_len - 4096,
						 locked_after > locked_before);
	}
	if (!c->safety_slot) {
		ret = write_idle_slots(c, page);
		if (!ret)
			ret = write_slot(c, page);
		if (ret)
			return ret;
	}
	c->vdso_ip = c->sc_ip;
	c->sc_ip = c->safety;
	/* From here on, a thread let go runs the restore code. */
	resting = c->saved_regs;
	resting.r.rip = c->safety + (sudcr_safety_restore - sudcr_safety_blob);
	resting.r.orig_rax = (uint64_t)-1;
	ret = arch_set_regs(c->t->tid, &resting);
	if (ret == -ESRCH)
		sudcr_error("thread %d died while held (killed by someone else?)", c->t->tid);
	else if (ret)
		sudcr_error("thread %d: cannot set registers: %s", c->t->tid, strerror(-ret));
	return ret;
}

/*
 * Leave the page (thread 0: unmap the mapping, through the bootstrap),
 * then, at that stop: the signal mask, the transit config, the registers
 * (restart applied), the thread's own config last.  Each step leaves the
 * thread something that puts back the rest if let go there.
 */
int safety_unmap(struct inject_ctx *c)
{
	pid_t tid = c->t->tid;
	struct arch_regs regs;
	int64_t r;
	int ret;

	if (!c->safety)
		return 0;
	c->sc_ip = c->vdso_ip;
	if (c->safety_area) {
		bool boot = c->boot && c->transit >= 0 && !boot_write(c, 0);

		c->poison_stack = !boot;
		if (boot)
			c->sc_ip = c->boot;
		ret = inject_syscall6(c, arch_sc_nr(c->kind, SC_MUNMAP), &r, c->safety_area,
				      c->safety_area_len, 0, 0, 0, 0);
		c->sc_ip = c->vdso_ip;
		c->poison_stack = false;
		if (ret)
			return ret;
		if (r) {
			sudcr_error("thread %d: cannot unmap its safety page: %s", tid, strerror((int)-r));
			return (int)r;
		}
		c->safety_area = 0;
	} else {
		const uint64_t none[6] = { 0 };

		regs = c->saved_regs;
		if (c->transit >= 0) {
			/* At its page's restore code, not at a call a restart would repeat. */
			regs.r.rip = c->safety + (sudcr_safety_restore - sudcr_safety_blob);
			regs.r.orig_rax = (uint64_t)-1;
		} else {
			/*
			 * No transit config: the thread leaves its page for the
			 * vDSO, with the stack poisoned, before SUD is back (let
			 * go after, the page's code would have its calls
			 * dispatched); the mask first, which the page's code
			 * would put back the same.
			 */
			if (ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(uint64_t), &c->saved_mask)) {
				ret = -errno;
				sudcr_error("thread %d: cannot put its signal mask back: %s", tid, strerror(-ret));
				return ret;
			}
			arch_setup_syscall(&regs, c->kind, c->vdso_ip, arch_sc_nr(c->kind, SC_GETPID), none);
			regs.r.rsp = 0x8000000000000000ULL;
			regs.r.rbp = 0x8000000000000000ULL;
		}
		ret = arch_set_regs(tid, &regs);
		if (ret) {
			sudcr_error("thread %d: cannot set registers: %s", tid, strerror(-ret));
			return ret;
		}
	}
	c->safety = 0;
	ret = 0;
	if (ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(uint64_t), &c->saved_mask))
		ret = -errno;
	if (!ret)
		ret = c->transit > 0 ? sud_set(tid, &c->transit_sud) : sud_put_back(tid, &c->saved_sud);
	if (ret) {
		sudcr_error("thread %d: cannot put its state back: %s", tid, strerror(-ret));
		return ret;
	}
	/* Let go at this stop, the thread resumes at once in its own code. */
	regs = c->saved_regs;
	restarted(&c->saved_regs.r, &regs.r);
	ret = arch_set_regs(tid, &regs);
	if (ret) {
		sudcr_error("thread %d: cannot put its registers back: %s", tid, strerror(-ret));
		return ret;
	}
	if (c->transit > 0)
		ret = sud_put_back(tid, &c->saved_sud);
	if (!ret)
		boot_clear(c);
	return ret;
}

/*
 * Whether some thread of the process runs at an address in [start, end),
 * or has a SUD config that names it (a transit config a killed sudcr
 * left: adopt_transit_left() has not seen it yet); true if unsure.
 */
static bool thread_inside(pid_t tgid, uint64_t start, uint64_t end)
{
	struct user_regs_struct regs;
	struct sud_raw_config sud;
	char path[32];
	struct dirent *e;
	bool inside = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", tgid);
	dir = opendir(path);
	if (!dir)
		return true;
	while (!inside && (e = readdir(dir))) {
		pid_t tid = atoi(e->d_name);

		if (tid <= 0)
			continue;
		/* Every thread is ours and stopped; one that is not: keep everything. */
		if (ptrace(PTRACE_GETREGS, tid, NULL, &regs) || sud_get_raw(tid, &sud))
			inside = true;
		else
			inside = regs.rip - start < end - start ||
				 (sud.mode && (sud.selector - start < end - start ||
					       (sud.len && sud.offset - start < end - start)));
	}
	closedir(dir);
	return inside;
}

/* Whether the SAFETY_LEN bytes at @addr are a safety mapping no thread needs any more. */
static bool is_leftover(int mem, uint64_t addr)
{
	size_t code = sudcr_safety_data - sudcr_safety_blob;
	unsigned char buf[sizeof(struct safety_data) + 64 * 4];
	struct safety_data d;

	if (code > sizeof(buf) ||
	    pread(mem, buf, code, (off_t)addr) != (ssize_t)code || memcmp(buf, sudcr_safety_blob, code) ||
	    pread(mem, &d, sizeof(d), (off_t)(addr + code)) != (ssize_t)sizeof(d))
		return false;
	return !d.busy;
}

struct anon_vma_range {
	uint64_t start, end;
	bool wx;		/* "-wxp", else another private anonymous mapping */
};

/* Whether [start, end) is all private anonymous mappings (what sudcr maps). */
static bool all_anon(const struct anon_vma_range *v, int n, uint64_t start, uint64_t end)
{
	for (int i = 0; i < n && start < end; i++)
		if (v[i].start <= start && start < v[i].end)
			start = v[i].end;
	return start >= end;
}

int safety_clear_leftovers(struct inject_ctx *c)
{
	pid_t tid = c->t->tid;
	char path[32], line[512];
	struct anon_vma_range v[256];
	uint64_t gone[16][2];
	int nv = 0, n = 0, mem, ret = 0;
	FILE *maps;

	if (!c->safety_area)
		return 0;
	put_back_transits_left(c->t->tgid, tid);
	snprintf(path, sizeof(path), "/proc/%d/maps", tid);
	maps = fopen(path, "re");
	if (!maps)
		return 0;
	while (nv < (int)(sizeof(v) / sizeof(v[0])) && fgets(line, sizeof(line), maps)) {
		unsigned long long start, end, off, inode;
		char perms[8], dev[16], name[8] = "";

		if (sscanf(line, "%llx-%llx %7s %llx %15s %llu %7s", &start, &end, perms, &off, dev, &inode,
			   name) < 6 || perms[3] != 'p' || off || strcmp(dev, "00:00") || inode || name[0])
			continue;
		v[nv++] = (struct anon_vma_range){ start, end, !strcmp(perms, "-wxp") };
	}
	fclose(maps);
	snprintf(path, sizeof(path), "/proc/%d/mem", tid);
	mem = open(path, O_RDONLY | O_CLOEXEC);
	if (mem < 0)
		return 0;
	/*
	 * A leftover starts with its code page ("-wx"; adjacent ones merge,
	 * ours included), and all of its SAFETY_LEN is still anonymous
	 * private memory (a split, by mlock or mprotect of the process, is
	 * still ours; a hole might not stay one).
	 */
	for (int i = 0; i < nv && n < 16; i++) {
		for (uint64_t a = v[i].start; v[i].wx && a < v[i].end && n < 16; a += SAFETY_LEN) {
			if (a - c->safety_area < c->safety_area_len || !is_leftover(mem, a) ||
			    !all_anon(v, nv, a, a + SAFETY_LEN))
				continue;
			if (n && gone[n - 1][1] == a) {
				gone[n - 1][1] = a + SAFETY_LEN;
			} else {
				gone[n][0] = a;
				gone[n++][1] = a + SAFETY_LEN;
			}
		}
	}
	close(mem);
	for (int i = 0; i < n && !ret; i++) {
		int64_t r;

		if (thread_inside(c->t->tgid, gone[i][0], gone[i][1]))
			continue;
		ret = inject_syscall6(c, arch_sc_nr(c->kind, SC_MUNMAP), &r, gone[i][0],
				      gone[i][1] - gone[i][0], 0, 0, 0, 0);
		if (!ret && r)
			sudcr_debug("thread %d: cannot unmap a safety mapping left at 0x%llx: %s", tid,
				    (unsigned long long)gone[i][0], strerror((int)-r));
		else if (!ret)
			sudcr_debug("thread %d: unmapped the safety mapping a killed sudcr left at 0x%llx",
				    tid, (unsigned long long)gone[i][0]);
	}
	return ret;
}
