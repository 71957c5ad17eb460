// SPDX-License-Identifier: MIT
/*
 * Per-thread core state, set last: registers, extended state, blocked mask
 * and SUD config go into the injection context as the state to put back,
 * so inject_end() restores them after the last injected syscall, SUD
 * last of all.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include "cr.h"
#include <sudcr/log.h>

#define ERESTARTNOINTR 513
#define ERESTART_RESTARTBLOCK 516

/* Registers, xstate, mask and SUD of one thread become what inject_end() puts back. */
static int load_thread(struct restore_ctx *r, struct cr_thread *th)
{
	const struct rec_thread *rt = restore_image_thread(r, th->tid);
	struct inject_ctx *c = &th->inj;
	const struct rec_xstate *x;

	if (!rt) {
		sudcr_error("thread %d of the new process is not in the image", th->tid);
		return -EINVAL;
	}
	memcpy(&c->saved_regs.r, rt->regs, sizeof(c->saved_regs.r));
	/*
	 * The kernel's restart block of the interrupted syscall is gone with
	 * the old task: restart the syscall from its original arguments,
	 * which are still in the registers.
	 */
	if ((int64_t)c->saved_regs.r.rax == -ERESTART_RESTARTBLOCK &&
	    (int64_t)c->saved_regs.r.orig_rax >= 0)
		c->saved_regs.r.rax = (uint64_t)-ERESTARTNOINTR;
	c->saved_mask = rt->sigmask;
	c->saved_sud.mode = rt->sud_mode;
	c->saved_sud.selector = rt->sud_selector;
	c->saved_sud.offset = rt->sud_offset;
	c->saved_sud.len = rt->sud_len;

	x = r->xstates[rt - r->threads];	/* rt is an element of r->threads */
	if (!x) {
		sudcr_error("%s: no extended CPU state for thread %d", r->opts.dir, rt->tid);
		return -EINVAL;
	}
	if (x->len != c->saved_xstate->len) {
		sudcr_error("extended CPU state of thread %d is %u bytes, this CPU's is %zu: image from another CPU",
			    x->tid, x->len, c->saved_xstate->len);
		return -EINVAL;
	}
	memcpy(c->saved_xstate->buf, x + 1, x->len);
	/* Before the registers: %gs will select one of these entries. */
	const struct rec_tls *tls = r->tls[rt - r->threads];

	if (tls) {
		struct arch_tls_desc d[ARCH_TLS_ENTRIES];
		int ret;

		memcpy(d, tls->desc, sizeof(d));
		ret = arch_set_tls(th->tid, d);
		if (ret) {
			sudcr_error("thread %d: cannot set its TLS entries: %s", th->tid, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int restore_threads(struct restore_ctx *r)
{
	/* An exited leader has no state of its own: it only exits again. */
	for (int i = (r->proc.flags & REC_PROC_LEADER_ZOMBIE) ? 1 : 0; i < r->tp.nr_threads; i++) {
		int ret = load_thread(r, &r->cthreads[i]);

		if (ret)
			return ret;
	}
	return 0;
}

/* The clone flags of a POSIX thread, less what registers and misc restore. */
#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)

struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
		set_tid_size, cgroup;
};

/*
 * Each other thread is cloned by injection from the leader with its TID
 * (clone3 set_tid).  PTRACE_O_TRACECLONE attaches it on creation; it stops
 * in get_signal() before running any user code, so it needs no stack: from
 * there it is set up by injection like the leader.
 */
int restore_create_threads(struct restore_ctx *r)
{
	struct cr_thread *leader = &r->cthreads[0];
	uint64_t scratch;
	int ret, err;

	if (r->proc.nr_threads == 1 && !(r->proc.flags & REC_PROC_LEADER_ZOMBIE))
		return 0;
	ret = cr_scratch(leader, 4096, &scratch);
	if (ret)
		return ret;
	/* Adds TRACECLONE to the options, keeping SUSPEND_SECCOMP and EXITKILL. */
	ret = task_set_options(leader->task, PTRACE_O_TRACECLONE);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < r->proc.nr_threads && !ret; i++) {
		struct clone3_args args = {
			.flags = THREAD_FLAGS,
			.set_tid = scratch + sizeof(args),
			.set_tid_size = 1,
		};
		int32_t tid = r->threads[i].tid;
		struct task_thread *t = &r->tp.threads[r->tp.nr_threads];

		if (tid == r->pid)
			continue;	/* the leader is the stub itself */
		struct cr_thread *th = &r->cthreads[r->tp.nr_threads];
		int64_t res;
		int status;

		ret = inject_write_mem(leader->tid, scratch, &args, sizeof(args));
		if (!ret)
			ret = inject_write_mem(leader->tid, scratch + sizeof(args), &tid, sizeof(tid));
		if (!ret)
			ret = cr_inject(leader, arch_sc_nr(leader->inj.kind, SC_CLONE3), &res, scratch,
					sizeof(args), 0, 0, 0, 0);
		if (ret)
			break;
		if (res != tid) {
			sudcr_error("cannot create thread %d: %s", tid,
				    res < 0 ? strerror((int)-res) : "got another TID");
			ret = res < 0 ? (int)res : -EEXIST;
			break;
		}
		task_thread_cloned(t, leader->task, tid);
		t->opts |= PTRACE_O_TRACECLONE;	/* copied from the leader as it is now */
		r->tp.nr_threads++;
		if (task_wait_stop(t, PTRACE_CONT, &status) != TASK_STOP_INTERRUPT) {
			sudcr_error("new thread %d did not stop (status 0x%x)", tid, status);
			ret = -EIO;
			break;
		}
		th->task = t;
		th->tid = tid;
		ret = inject_begin(&th->inj, t);
		if (!ret)
			th->inj_active = true;
	}
	err = task_set_options(leader->task, 0);
	return ret ? ret : err;
}
