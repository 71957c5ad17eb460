// SPDX-License-Identifier: MIT
/*
 * Per-thread core state, set last: registers, extended state, blocked mask
 * and SUD config go into the injection context as the state to put back,
 * so inject_end() restores them after the last injected syscall, SUD
 * last of all.
 */
#include <errno.h>
#include <string.h>

#include <sudcr/cr.h>
#include <sudcr/log.h>

#define ERESTARTNOINTR 513
#define ERESTART_RESTARTBLOCK 516

int restore_threads(struct restore_ctx *r)
{
	const struct rec_thread *rt = &r->threads[0];
	struct inject_ctx *c = &r->cthreads[0].inj;
	const void *data;
	size_t len;
	int ret;

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

	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_XSTATE, &data, &len)) == 1) {
		const struct rec_xstate *x = data;

		if (len < sizeof(*x) || x->len != len - sizeof(*x))
			return img_record_invalid(r->img, "bad xstate record");
		if (x->tid != rt->tid)
			continue;
		if (x->len != c->saved_xstate->len) {
			sudcr_error("extended CPU state of thread %d is %u bytes, this CPU's is %zu: image from another CPU",
				    x->tid, x->len, c->saved_xstate->len);
			return -EINVAL;
		}
		memcpy(c->saved_xstate->buf, x + 1, x->len);
	}
	return ret;
}

