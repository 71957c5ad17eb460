/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_RESTORE_ATTRS_H
#define SUDCR_RESTORE_ATTRS_H

/* Shared by lib/restore/procattr.c and lib/restore/sched.c. */

#include <sudcr/cr.h>

struct restore_attrs_state {
	struct rec_procattr pa;
	struct rec_sched *sched;	/* in the order of r->threads */
};

/* Read and check the IMG_REC_SCHED records into s->sched (sched.c). */
int restore_sched_prepare(struct restore_ctx *r, struct restore_attrs_state *s);

#endif
