// SPDX-License-Identifier: MIT
/*
 * Each thread's rseq registration (area, length, signature, flags), in
 * the THREAD_MISC record (misc.c).  The stub first drops the one it
 * inherited from sudcr; each thread registers the image's after the
 * transplant, since the area is an address of the image.
 */
#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "kinds.h"
#include "misc.h"

#define RSEQ_ORIG_SIZE	32	/* struct rseq of Linux 4.18, what glibc registers */

static int rseq_collect(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;

	for (int i = 0; i < d->nr_threads; i++) {
		struct rec_thread_misc *t = &m->threads[i];
		struct sudcr_rseq_config rc = { 0 };
		pid_t tid = d->threads[i].tid;

		if (ptrace(PTRACE_GET_RSEQ_CONFIGURATION, tid, (void *)sizeof(rc), &rc) < 0) {
			int ret = -errno;

			sudcr_error("thread %d: cannot read its rseq registration: %s", tid,
				    strerror(-ret));
			return ret;
		}
		t->rseq_ptr = rc.rseq_abi_pointer;
		t->rseq_len = rc.rseq_abi_size;
		t->rseq_sig = rc.signature;
		t->rseq_flags = rc.flags;
	}
	return 0;
}

/*
 * The stub inherited sudcr's rseq registration (glibc's, in our TLS).  The
 * kernel writes that area on returns to user mode and reads its rseq_cs
 * pointer to decide whether to move the ip: after the transplant the
 * address holds the image's memory, so drop the registration before
 * anything is unmapped.  glibc up to 2.39 registers the 32-byte struct
 * rseq while __rseq_size says 20 (the bytes in use), so try both.
 */
static int rseq_in_stub(struct restore_ctx *r)
{
	void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
	unsigned int lens[3] = { RSEQ_ORIG_SIZE, __rseq_size, (__rseq_size + 31) & ~31u };

	(void)r;
	if (!__rseq_size)
		return 0;	/* glibc did not register one */
	for (int i = 0; i < 3; i++) {
		if (!syscall(SYS_rseq, area, lens[i], RSEQ_FLAG_UNREGISTER, RSEQ_SIG))
			return 0;
		if (errno != EINVAL) {
			int err = errno;

			sudcr_error("cannot drop the new process's inherited rseq area: %s",
				    strerror(err));
			return -err;
		}
	}
	/* Nothing of that size registered there: somebody dropped it already. */
	sudcr_debug("no inherited rseq registration to drop");
	return 0;
}

static int rseq_restore_thread(struct restore_ctx *r, uint32_t i, struct cr_thread *th)
{
	const struct rec_thread_misc *t = &r->misc_state->threads[i];
	int64_t v;
	int ret;

	if (!t->rseq_ptr)
		return 0;
	ret = cr_inject(th, NR(th, RSEQ), &v, t->rseq_ptr, t->rseq_len, t->rseq_flags,
			t->rseq_sig, 0, 0);
	if (!ret && v) {
		sudcr_error("thread %d: cannot register its rseq area %#llx (%u bytes): %s%s",
			    th->tid, (unsigned long long)t->rseq_ptr, t->rseq_len,
			    strerror((int)-v), v == -EBUSY || v == -EINVAL ?
			    " (is the stub's own registration still active?)" : "");
		ret = (int)v;
	}
	return ret;
}

/* Its records are misc's. */
const struct cr_kind cr_kind_rseq = {
	.name = "rseq",
	.types = (const struct cr_rec_type[]){ { 0, NULL } },
	.collect = rseq_collect,
	.in_stub = rseq_in_stub,
	.restore_thread = rseq_restore_thread,
};
