// SPDX-License-Identifier: MIT
/*
 * Each thread's personality (the execution domain and its flags), in the
 * THREAD_MISC record (misc.c).  It is per task: threads inherit it but
 * can change it.  Set after the transplant, whose mappings
 * READ_IMPLIES_EXEC would all make executable.
 */
#include <errno.h>
#include <sys/personality.h>

#include "cr.h"

#include "kinds.h"
#include "misc.h"

static int personality_collect(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;

	for (int i = 0; i < d->nr_threads; i++) {
		struct cr_thread *th = &d->threads[i];
		int64_t r;
		int ret;

		ret = misc_dump_inject(th, "personality", arch_sc_nr(th->inj.kind, SC_PERSONALITY), &r,
				       0xffffffff, 0, 0, 0);
		if (ret)
			return ret;
		m->threads[i].personality = (uint32_t)r;
	}
	return 0;
}

/*
 * The stub is sudcr's fork and its threads are clones of it: they start
 * with sudcr's personality, read here by the thread that forks the stub.
 */
static int personality_prepare(struct restore_ctx *r)
{
	r->misc_state->own_personality = (uint32_t)personality(0xffffffff);
	return 0;
}

/* Only a personality other than the one the thread started with is set. */
static int personality_restore_thread(struct restore_ctx *r, uint32_t i, struct cr_thread *th)
{
	const struct restore_misc_state *s = r->misc_state;

	if (s->threads[i].personality == s->own_personality)
		return 0;
	return misc_inject(th, "its personality", NR(th, PERSONALITY), NULL,
			   s->threads[i].personality, 0, 0, 0);
}

/* Its records are misc's. */
const struct cr_kind cr_kind_personality = {
	.name = "personality",
	.types = (const struct cr_rec_type[]){ { 0, NULL } },
	.collect = personality_collect,
	.prepare = personality_prepare,
	.restore_thread = personality_restore_thread,
};
