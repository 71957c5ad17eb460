// SPDX-License-Identifier: MIT
/* Each thread's name (/proc/PID/task/TID/comm, PR_SET_NAME), in the THREAD_MISC record (misc.c). */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>

#include "cr.h"
#include <sudcr/log.h>

#include "kinds.h"
#include "misc.h"

static int comm_collect(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;

	for (int i = 0; i < d->nr_threads; i++) {
		pid_t tid = d->threads[i].tid;
		int ret = proc_read_comm(d->pid, tid, m->threads[i].comm, sizeof(m->threads[i].comm));

		if (ret) {
			sudcr_error("thread %d: cannot read its name: %s", tid, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* Through misc's scratch area, which every thread shares. */
static int comm_restore_thread(struct restore_ctx *r, uint32_t i, struct cr_thread *th)
{
	char comm[16];
	uint64_t scratch;
	int ret;

	memcpy(comm, r->misc_state->threads[i].comm, sizeof(comm));
	ret = misc_scratch(r, &scratch);
	if (!ret)
		ret = misc_write(th, scratch, comm, sizeof(comm));
	if (!ret)
		ret = misc_inject(th, "its name", NR(th, PRCTL), NULL, PR_SET_NAME, scratch, 0, 0);
	return ret;
}

/* Its records are misc's. */
const struct cr_kind cr_kind_comm = {
	.name = "comm",
	.types = (const struct cr_rec_type[]){ { 0, NULL } },
	.collect = comm_collect,
	.restore_thread = comm_restore_thread,
};
