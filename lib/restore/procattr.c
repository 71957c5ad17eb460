// SPDX-License-Identifier: MIT
/*
 * Restore of process-wide attributes (see lib/dump/procattr.c), in the
 * stub, in plain C: each is a property of the process or of its mm, which
 * the transplant keeps.
 *
 * oom_score_adj: the stub is sudcr's fork and starts with sudcr's value
 * and floor (oom_score_adj_min, which only a writer with CAP_SYS_RESOURCE
 * moves).  Any value at or above the floor can be set; one below it cannot
 * without CAP_SYS_RESOURCE, and the restore is refused then.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sudcr/cr.h>
#include <sudcr/kernel_compat.h>
#include <sudcr/log.h>

#include "attrs.h"

#define MEMBARRIER_KNOWN	(REC_MEMBARRIER_PRIVATE_EXPEDITED | REC_MEMBARRIER_SYNC_CORE | \
				 REC_MEMBARRIER_RSEQ)

static int prepare_procattr(struct restore_ctx *r, struct restore_attrs_state *s)
{
	const struct rec_procattr *pa;
	const void *data;
	size_t len;
	int ret, n = 0;

	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_PROCATTR, &data, &len)) == 1) {
		if (n++)
			return img_record_invalid(r->img, "more than one process attribute record");
		if (len != sizeof(*pa))
			return img_record_invalid(r->img, "process attribute record of %zu bytes",
						  len);
		pa = data;
		if (pa->oom_score_adj < -1000 || pa->oom_score_adj > 1000)
			return img_record_invalid(r->img, "oom_score_adj %d", pa->oom_score_adj);
		if (pa->thp_disable != 0 && pa->thp_disable != 1 &&
		    pa->thp_disable != (1 | REC_THP_DISABLE_EXCEPT_ADVISED))
			return img_record_invalid(r->img, "THP disable setting %u", pa->thp_disable);
		if (pa->membarrier & ~MEMBARRIER_KNOWN)
			return img_record_invalid(r->img, "membarrier registrations %#x",
						  pa->membarrier);
		s->pa = *pa;
	}
	if (ret < 0)
		return ret;
	if (!n) {
		sudcr_error("%s: image has no process attribute record (oom_score_adj, THP, membarrier)",
			    r->opts.dir);
		return -EINVAL;
	}
	return 0;
}

int restore_attrs_prepare(struct restore_ctx *r)
{
	struct restore_attrs_state *s = calloc(1, sizeof(*s));
	int ret;

	if (!s) {
		sudcr_error("out of memory");
		return -ENOMEM;
	}
	r->attrs_state = s;
	ret = prepare_procattr(r, s);
	if (!ret)
		ret = restore_sched_prepare(r, s);
	return ret;
}

void restore_attrs_free(struct restore_ctx *r)
{
	struct restore_attrs_state *s = r->attrs_state;

	if (!s)
		return;
	free(s->sched);
	free(s);
	r->attrs_state = NULL;
}

/* ---- inside the stub: print and _exit(1) on error ---- */

static void stub_oom_score_adj(int32_t want)
{
	char buf[16];
	int fd, n, err;

	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		sudcr_error("cannot restore oom_score_adj %d: /proc/self/oom_score_adj: %s", want,
			    strerror(err));
		_exit(1);
	}
	n = snprintf(buf, sizeof(buf), "%d", want);
	if (write(fd, buf, n) != n) {
		err = errno;
		close(fd);
		sudcr_error("cannot restore oom_score_adj %d: %s%s", want, strerror(err),
			    err == EACCES ? " (below the floor sudcr inherited; lowering it needs "
			    "CAP_SYS_RESOURCE)" : "");
		_exit(1);
	}
	close(fd);
}

static void stub_thp_disable(uint32_t want)
{
	unsigned long flags = want & REC_THP_DISABLE_EXCEPT_ADVISED ?
			      PR_THP_DISABLE_EXCEPT_ADVISED : 0;

	/* Set either way: the stub inherited sudcr's setting. */
	if (prctl(PR_SET_THP_DISABLE, want ? 1 : 0, flags, 0, 0)) {
		int err = errno;

		sudcr_error("cannot restore the PR_SET_THP_DISABLE setting %u: %s", want,
			    strerror(err));
		_exit(1);
	}
}

static void stub_membarrier(uint32_t want)
{
	static const struct {
		uint32_t bit;
		int cmd;
		const char *name;
	} regs[] = {
		{ REC_MEMBARRIER_PRIVATE_EXPEDITED, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
		  "PRIVATE_EXPEDITED" },
		{ REC_MEMBARRIER_SYNC_CORE, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE,
		  "PRIVATE_EXPEDITED_SYNC_CORE" },
		{ REC_MEMBARRIER_RSEQ, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ,
		  "PRIVATE_EXPEDITED_RSEQ" },
	};

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		if (!(want & regs[i].bit))
			continue;
		if (syscall(SYS_membarrier, regs[i].cmd, 0, 0)) {
			int err = errno;

			sudcr_error("cannot restore the membarrier registration for %s: %s",
				    regs[i].name, strerror(err));
			_exit(1);
		}
	}
}

int restore_procattr_in_stub(struct restore_ctx *r)
{
	const struct restore_attrs_state *s = r->attrs_state;

	stub_oom_score_adj(s->pa.oom_score_adj);
	stub_thp_disable(s->pa.thp_disable);
	stub_membarrier(s->pa.membarrier);
	return 0;
}
