/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_RESTORE_ATTRS_H
#define SUDCR_RESTORE_ATTRS_H

/* Shared by the restore of lib/kinds/procattr.c and lib/kinds/sched.c. */

#include "cr.h"

struct restore_attrs_state {
	struct rec_procattr pa;
	struct rec_sched *sched;		/* in the order of r->threads */
	struct rec_thread_attr *tattr;		/* the same */
	/*
	 * sudcr's own, read by the thread that creates the stub: a fork's
	 * threads start with them (the stub's threads are cloned from it).
	 * -1: not known.
	 */
	int own_tsc;
	long own_cpuid;
	int64_t own_slack;
};

#endif
