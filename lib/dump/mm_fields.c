// SPDX-License-Identifier: MIT
/*
 * Memory dump, the mm fields: code/data/brk/stack/arg/env bounds, the
 * auxv and the exe link.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "mm.h"

int dmm_dump_mm_fields(struct dump_ctx *d)
{
	struct rec_mm *m = calloc(1, sizeof(*m));
	int64_t brk;
	int nr = 0, ret;

	if (!m)
		return -ENOMEM;
	m->start_code = d->stat.start_code;
	m->end_code = d->stat.end_code;
	m->start_data = d->stat.start_data;
	m->end_data = d->stat.end_data;
	m->start_brk = d->stat.start_brk;
	m->start_stack = d->stat.start_stack;
	m->arg_start = d->stat.arg_start;
	m->arg_end = d->stat.arg_end;
	m->env_start = d->stat.env_start;
	m->env_end = d->stat.env_end;
	/* brk(0) returns the current break without changing it. */
	ret = cr_inject(&d->threads[0], arch_sc_nr(d->kind, SC_BRK), &brk, 0, 0, 0, 0, 0, 0);
	if (ret)
		goto out;
	m->brk = (uint64_t)brk;
	ret = proc_read_auxv(d->proc_pid, d->kind == ARCH_IA32, m->auxv, 64, &nr);
	if (ret) {
		sudcr_error("cannot read auxv of %d: %s", d->pid, strerror(-ret));
		goto out;
	}
	m->auxv_len = nr;
	ret = proc_read_link(d->proc_pid, "exe", m->exe, sizeof(m->exe));
	if (ret)
		m->exe[0] = '\0';
	ret = img_write_record(d->img, IMG_REC_MM, m, sizeof(*m));
out:
	free(m);
	return ret;
}
