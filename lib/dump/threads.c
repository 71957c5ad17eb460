// SPDX-License-Identifier: MIT
/*
 * Process and per-thread core state: registers (as found at the interrupt
 * stop, so a thread inside a syscall keeps its -ERESTART* value and
 * restarts on restore), extended state, blocked mask and SUD config.
 * inject_begin() already read all of it before changing anything.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cr.h"
#include <sudcr/log.h>

/* An ia32 thread's %gs selects one of its GDT TLS entries: they are its TLS. */
static int dump_tls(struct dump_ctx *d, struct cr_thread *th)
{
	struct arch_tls_desc tls[ARCH_TLS_ENTRIES];
	struct rec_tls rt;
	int ret;

	_Static_assert(sizeof(rt.desc) == sizeof(tls), "tls layout");
	ret = arch_get_tls(th->tid, tls);
	if (ret) {
		sudcr_error("thread %d: cannot read its TLS entries: %s", th->tid, strerror(-ret));
		return ret;
	}
	memset(&rt, 0, sizeof(rt));
	rt.tid = th->tid;
	rt.nr = ARCH_TLS_ENTRIES;
	memcpy(rt.desc, tls, sizeof(rt.desc));
	return img_write_record(d->img, IMG_REC_TLS, &rt, sizeof(rt));
}

static int dump_thread(struct dump_ctx *d, struct cr_thread *th)
{
	struct inject_ctx *c = &th->inj;
	struct rec_thread rt;
	struct {
		struct rec_xstate h;
		uint8_t data[ARCH_XSTATE_MAX];
	} xs;
	int ret;

	_Static_assert(sizeof(rt.regs) == sizeof(c->saved_regs.r), "regs layout");
	memset(&rt, 0, sizeof(rt));
	rt.tid = th->tid;
	memcpy(rt.regs, &c->saved_regs.r, sizeof(rt.regs));
	rt.sigmask = c->saved_mask;
	rt.sud_mode = c->saved_sud.mode;
	rt.sud_selector = c->saved_sud.selector;
	rt.sud_offset = c->saved_sud.offset;
	rt.sud_len = c->saved_sud.len;
	ret = proc_read_comm(d->pid, th->tid, rt.comm, sizeof(rt.comm));
	if (ret) {
		sudcr_error("thread %d: cannot read its name: %s", th->tid, strerror(-ret));
		return ret;
	}
	ret = img_write_record(d->img, IMG_REC_THREAD, &rt, sizeof(rt));
	if (ret)
		return ret;
	xs.h.tid = th->tid;
	xs.h.len = c->saved_xstate->len;
	memcpy(xs.data, c->saved_xstate->buf, xs.h.len);
	ret = img_write_record(d->img, IMG_REC_XSTATE, &xs, sizeof(xs.h) + xs.h.len);
	if (!ret && c->kind == ARCH_IA32)
		ret = dump_tls(d, th);
	return ret;
}

int dump_threads(struct dump_ctx *d)
{
	struct rec_process rp;
	int ret;

	memset(&rp, 0, sizeof(rp));
	rp.pid = d->pid;
	rp.arch = d->kind;
	rp.nr_threads = d->nr_threads;
	rp.page_size = sysconf(_SC_PAGESIZE);
	if (d->stopped)
		rp.flags |= REC_PROC_STOPPED;
	/*
	 * A stop signal caught on its way while we seized a thread (queued
	 * again to the live process, see inject.c) would have stopped it: the
	 * image is of a process that stops.
	 */
	for (int i = 0; i < d->nr_threads; i++) {
		const struct task_thread *t = d->threads[i].task;

		for (int k = 0; k < t->nr_intercepted; k++)
			if (t->intercepted[k].si_signo == SIGSTOP)
				rp.flags |= REC_PROC_STOPPED;
	}
	if (d->opts.shell_job)
		rp.flags |= REC_PROC_SHELL_JOB;
	if (d->leader_zombie)
		rp.flags |= REC_PROC_LEADER_ZOMBIE;
	ret = proc_read_comm(d->pid, 0, rp.comm, sizeof(rp.comm));
	if (ret) {
		sudcr_error("process %d: cannot read its name: %s", d->pid, strerror(-ret));
		return ret;
	}
	ret = img_write_record(d->img, IMG_REC_PROCESS, &rp, sizeof(rp));
	for (int i = 0; i < d->nr_threads && !ret; i++)
		ret = dump_thread(d, &d->threads[i]);
	return ret;
}
