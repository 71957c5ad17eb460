// SPDX-License-Identifier: MIT
/*
 * Crash safety of injection: a thread we changed must never run on in a
 * state it did not have if sudcr dies (SIGKILL, OOM, a crash).  When a
 * tracer dies the kernel detaches its tracees and each one resumes from
 * its ptrace stop with the registers the tracer left.  So, from the
 * first change to the last, those registers point into a page sudcr maps
 * in the target (not the target's code: DESIGN.md), the safety page:
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
 * maps it (one injected mmap, through the vDSO) and unmaps it last; the
 * others only write their slot.
 *
 * What tests/crash/dump_sweep.sh (sudcr killed before each of its calls
 * that touch the target, in turn) finds, and why it stays:
 *  - two windows, one injected call each, of thread 0 only: the mmap of
 *    the mapping (before it exists) and its munmap at the end.  Any
 *    order needs SUD off before the mmap can run (SUD's check comes
 *    before the ptrace syscall-entry stop: syscall_trace_enter()),
 *    and a thread let go there with no code of ours mapped has only its
 *    own code (which would run on with SUD off: silent) or the vDSO's to
 *    run.  Every 6.18 vDSO syscall is followed by an epilogue that zeroes
 *    rdx, rcx, rsi, rdi and r8-r11 and returns through the stack
 *    (objdump of the live vDSO): nothing there can give a thread its own
 *    registers back.  So for these two calls the stack and frame
 *    pointers are non-canonical: a thread let go faults at once in that
 *    epilogue (SIGBUS, measured), loud, rather than run on wrong.  The
 *    other threads' slots need no call: their window is the two ptrace
 *    calls between SUD off and the registers into the slot (the same
 *    poison, for the same reason), and two at the end;
 *  - the mapping stays after a kill: nothing can unmap it once SUD is
 *    armed again (a syscall from it would then be dispatched to the
 *    target's handler), and before, nothing could arm SUD after.  The
 *    next sudcr that injects into the process unmaps it
 *    (safety_clear_leftovers(): found by its code, with its busy word
 *    clear (the code sets it on entry, clears it on its way out: no
 *    thread is in it, or in a handler that returns into it), no thread
 *    stopped inside it), before
 *    the dump reads the mappings, so it reaches no image either;
 *  - a signal that is pending and unblocked by the saved mask is
 *    delivered when rt_sigprocmask returns, before prctl: its handler
 *    runs with SUD still off (and returns into this code, which goes on).
 *    Its frame goes on the thread's own stack, as for any signal;
 *  - ia32 threads get no page (the code is x86-64);
 *  - a signal-delivery-stop that sudcr has collected with waitpid() and
 *    not answered yet loses its signal if sudcr dies: collecting the stop
 *    clears the tracee's exit_code, which is the signal the kernel
 *    resumes it with (wait_task_stopped(); measured on 6.18).  The seize
 *    and the delivery of pending signals therefore only peek at such a
 *    stop (WNOWAIT) and answer it uncollected (task.c: peek_tracee()).
 *    Still open: a signal that arrives during the injection (kept, to be
 *    queued again) and the carrier stop of that requeue.
 * Processes whose death is wanted anyway (a restore's new process, traced
 * with PTRACE_O_EXITKILL) get no page either.
 */
#include <dirent.h>
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

/* Laid out as the blob's .Ld area (offsets in the asm below). */
struct safety_data {
	struct user_regs_struct regs;	/* 0: context to resume, restart applied */
	uint64_t mask;			/* 216 */
	uint64_t sud_mode;		/* 224: 0 = leave SUD off */
	uint64_t sud_offset;		/* 232 */
	uint64_t sud_len;		/* 240 */
	uint64_t sud_selector;		/* 248 */
	uint64_t pinned;		/* 256: put cpus back */
	cpu_set_t cpus;			/* 264 */
	uint64_t busy;			/* 392: 1 while a thread runs the code */
	uint8_t stack[112];		/* 400: for popfq; top at 512 - 56 */
};

_Static_assert(offsetof(struct safety_data, mask) == 216, "safety layout");
_Static_assert(offsetof(struct safety_data, regs.eflags) == 144, "safety layout");
_Static_assert(offsetof(struct safety_data, regs.rsp) == 152, "safety layout");
_Static_assert(offsetof(struct safety_data, regs.rip) == 128, "safety layout");
_Static_assert(offsetof(struct safety_data, pinned) == 256, "safety layout");
_Static_assert(offsetof(struct safety_data, cpus) == 264 && sizeof(cpu_set_t) == 128, "safety layout");
_Static_assert(offsetof(struct safety_data, busy) == 392, "safety layout");
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

static void fill(const struct inject_ctx *c, struct safety_data *d)
{
	memset(d, 0, sizeof(*d));
	restarted(&c->saved_regs.r, &d->regs);
	d->mask = c->saved_mask;
	d->sud_mode = c->saved_sud.mode;
	d->sud_offset = c->saved_sud.offset;
	d->sud_len = c->saved_sud.len;
	d->sud_selector = c->saved_sud.selector;
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

int safety_prepare_slot(struct inject_ctx *c)
{
	return c->safety_slot ? write_slot(c, c->safety_slot) : 0;
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
		uint64_t args[6];

		safety_map_args(c, args);
		c->poison_stack = true;
		ret = inject_syscall(c, arch_sc_nr(c->kind, SC_MMAP), args, &r);
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

int safety_unmap(struct inject_ctx *c)
{
	pid_t tid = c->t->tid;
	int64_t r;
	int ret;

	if (!c->safety)
		return 0;
	c->sc_ip = c->vdso_ip;
	if (c->safety_area) {
		c->poison_stack = true;
		ret = inject_syscall6(c, arch_sc_nr(c->kind, SC_MUNMAP), &r, c->safety_area,
				      c->safety_area_len, 0, 0, 0, 0);
		c->poison_stack = false;
		if (ret)
			return ret;
		if (r) {
			sudcr_error("thread %d: cannot unmap its safety page: %s", tid, strerror((int)-r));
			return (int)r;
		}
		c->safety_area = 0;
	} else {
		/*
		 * A slot: the thread leaves its page for the vDSO, with the
		 * stack poisoned, before SUD is back (let go after, the page's
		 * code would have its calls dispatched); the mask first, which
		 * the page's code would put back the same.
		 */
		struct arch_regs regs = c->saved_regs;
		const uint64_t none[6] = { 0 };

		if (ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(uint64_t), &c->saved_mask)) {
			ret = -errno;
			sudcr_error("thread %d: cannot put its signal mask back: %s", tid, strerror(-ret));
			return ret;
		}
		arch_setup_syscall(&regs, c->kind, c->vdso_ip, arch_sc_nr(c->kind, SC_GETPID), none);
		regs.r.rsp = 0x8000000000000000ULL;
		regs.r.rbp = 0x8000000000000000ULL;
		ret = arch_set_regs(tid, &regs);
		if (ret) {
			sudcr_error("thread %d: cannot set registers: %s", tid, strerror(-ret));
			return ret;
		}
	}
	c->safety = 0;
	/*
	 * SUD and mask first, registers last (safety_resume_here()): until
	 * then the thread could only crash in the vDSO, never run its own
	 * code with SUD off.
	 */
	ret = sud_put_back(tid, &c->saved_sud);
	if (!ret && ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(uint64_t), &c->saved_mask))
		ret = -errno;
	if (ret)
		sudcr_error("thread %d: cannot put its state back: %s", tid, strerror(-ret));
	return ret;
}

int safety_resume_here(struct inject_ctx *c)
{
	struct arch_regs now = c->saved_regs;
	int ret;

	/* Let go at this exit stop, the thread resumes at once in its own code. */
	restarted(&c->saved_regs.r, &now.r);
	ret = arch_set_regs(c->t->tid, &now);
	if (ret)
		sudcr_error("thread %d: cannot put its registers back: %s", c->t->tid, strerror(-ret));
	return ret;
}

/* Whether some thread of the process runs at an address in [start, end); true if unsure. */
static bool thread_inside(pid_t tgid, uint64_t start, uint64_t end)
{
	struct user_regs_struct regs;
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
		if (ptrace(PTRACE_GETREGS, tid, NULL, &regs))
			inside = true;
		else
			inside = regs.rip - start < end - start;
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
