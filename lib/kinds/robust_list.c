// SPDX-License-Identifier: MIT
/*
 * What the kernel does with a thread's memory when it exits: its robust
 * futex list (get/set_robust_list) and its clear_child_tid address
 * (PR_GET_TID_ADDRESS, set_tid_address), in the THREAD_MISC record
 * (misc.c).  Both are addresses of the image: set after the transplant.
 */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cr.h"
#include <sudcr/log.h>

#include "kinds.h"
#include "misc.h"

static int robust_list_collect_thread(struct cr_thread *th, struct rec_thread_misc *t,
				      uint64_t scratch)
{
	uint64_t head = 0, tidaddr = 0;
	size_t len = 0;
	int ret;

	if (th->inj.kind == ARCH_IA32) {
		/*
		 * An ia32 task's list is the compat one, which only its own
		 * get_robust_list shows (ours would show the native one, empty).
		 */
		uint32_t hl[2];

		ret = misc_dump_inject(th, "get_robust_list", arch_sc_nr(th->inj.kind, SC_GET_ROBUST_LIST),
				       NULL, 0, scratch, scratch + 4, 0);
		if (!ret)
			ret = misc_dump_read(th, "get_robust_list", scratch, hl, sizeof(hl));
		if (ret)
			return ret;
		head = hl[0];
		len = hl[1];
	} else if (syscall(SYS_get_robust_list, th->tid, &head, &len)) {
		ret = -errno;
		sudcr_error("thread %d: cannot read its robust futex list: %s", th->tid,
			    strerror(-ret));
		return ret;
	}
	t->robust_list = head;
	t->robust_len = len;

	/*
	 * The scratch page is the leader's; threads share the address space.
	 * PR_GET_TID_ADDRESS stores a kernel pointer: 8 bytes for either kind.
	 */
	ret = misc_dump_inject(th, "prctl(PR_GET_TID_ADDRESS)", arch_sc_nr(th->inj.kind, SC_PRCTL), NULL,
			       PR_GET_TID_ADDRESS, scratch, 0, 0);
	if (!ret)
		ret = misc_dump_read(th, "PR_GET_TID_ADDRESS", scratch, &tidaddr, sizeof(tidaddr));
	if (ret)
		return ret;
	t->clear_child_tid = tidaddr;
	return 0;
}

static int robust_list_collect(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;
	int ret = 0;

	for (int i = 0; i < d->nr_threads && !ret; i++)
		ret = robust_list_collect_thread(&d->threads[i], &m->threads[i], m->scratch);
	return ret;
}

static int robust_list_restore_thread(struct restore_ctx *r, uint32_t i, struct cr_thread *th)
{
	const struct rec_thread_misc *t = &r->misc_state->threads[i];
	int ret;

	ret = misc_inject(th, "its robust futex list", NR(th, SET_ROBUST_LIST), NULL,
			  t->robust_list, t->robust_len, 0, 0);
	if (!ret)
		ret = misc_inject(th, "its clear_child_tid address", NR(th, SET_TID_ADDRESS), NULL,
				  t->clear_child_tid, 0, 0, 0);
	return ret;
}

/* Its records are misc's. */
const struct cr_kind cr_kind_robust_list = {
	.name = "robust_list",
	.types = (const struct cr_rec_type[]){ { 0, NULL } },
	.collect = robust_list_collect,
	.restore_thread = robust_list_restore_thread,
};
