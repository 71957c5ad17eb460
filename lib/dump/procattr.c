// SPDX-License-Identifier: MIT
/*
 * Dump of process-wide attributes that nothing else keeps: oom_score_adj,
 * the PR_SET_THP_DISABLE setting and the membarrier registrations.
 *
 * membarrier(MEMBARRIER_CMD_QUERY) says what the kernel supports, not what
 * the process registered, and mm->membarrier_state is not shown anywhere.
 * But each private expedited command fails with EPERM in a process that did
 * not register for it, and is a harmless barrier in one that did: issued
 * inside the process, it tells.  MEMBARRIER_CMD_GLOBAL_EXPEDITED succeeds
 * whether or not its caller registered, so that registration is not found
 * (and not kept).
 */
#include <errno.h>
#include <linux/membarrier.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <sudcr/cr.h>
#include <sudcr/kernel_compat.h>
#include <sudcr/log.h>

static int read_oom_score_adj(struct dump_ctx *d, int32_t *val)
{
	char path[64], *buf = NULL, *end;
	size_t len;
	long v;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", d->proc_pid);
	ret = proc_read_file(path, &buf, &len);
	if (ret) {
		sudcr_error("process %d: cannot read %s: %s", d->pid, path, strerror(-ret));
		return ret;
	}
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v < -1000 || v > 1000) {
		sudcr_error("process %d: unexpected %s: \"%.16s\"", d->pid, path, buf);
		free(buf);
		return -EIO;
	}
	free(buf);
	*val = (int32_t)v;
	return 0;
}

/* Inject into @th; the call's own result (also an error) in *res. */
static int attr_inject(struct cr_thread *th, const char *name, int64_t *res, uint64_t a0,
		       uint64_t a1, uint64_t a2)
{
	long nr = arch_syscall_by_name(th->inj.kind, name);

	if (nr < 0) {
		sudcr_error("thread %d: no %s syscall for %s tasks", th->tid, name,
			    arch_name(th->inj.kind));
		return -ENOSYS;
	}
	return cr_inject(th, nr, res, a0, a1, a2, 0, 0, 0);
}

static int dump_membarrier(struct cr_thread *th, uint32_t *out)
{
	static const struct {
		int cmd;
		uint32_t bit;
		const char *name;
	} cmds[] = {
		{ MEMBARRIER_CMD_PRIVATE_EXPEDITED, REC_MEMBARRIER_PRIVATE_EXPEDITED,
		  "PRIVATE_EXPEDITED" },
		{ MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, REC_MEMBARRIER_SYNC_CORE,
		  "PRIVATE_EXPEDITED_SYNC_CORE" },
		{ MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, REC_MEMBARRIER_RSEQ,
		  "PRIVATE_EXPEDITED_RSEQ" },
	};
	int64_t supported, r;
	int ret;

	*out = 0;
	ret = attr_inject(th, "membarrier", &supported, MEMBARRIER_CMD_QUERY, 0, 0);
	if (ret)
		return ret;
	if (supported == -ENOSYS)
		return 0;	/* no CONFIG_MEMBARRIER: nothing can be registered */
	if (supported < 0) {
		sudcr_error("thread %d: membarrier(MEMBARRIER_CMD_QUERY): %s", th->tid,
			    strerror((int)-supported));
		return (int)supported;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!(supported & cmds[i].cmd))
			continue;
		ret = attr_inject(th, "membarrier", &r, cmds[i].cmd, 0, 0);
		if (ret)
			return ret;
		if (r == 0) {
			*out |= cmds[i].bit;
		} else if (r != -EPERM) {
			sudcr_error("thread %d: cannot tell its membarrier registration for %s: %s",
				    th->tid, cmds[i].name, strerror((int)-r));
			return r < 0 && r >= -4095 ? (int)r : -EIO;
		}
	}
	return 0;
}

int dump_procattr(struct dump_ctx *d)
{
	struct cr_thread *th = &d->threads[0];
	struct rec_procattr rec = { 0 };
	int64_t r;
	int ret;

	ret = read_oom_score_adj(d, &rec.oom_score_adj);
	if (ret)
		return ret;
	ret = attr_inject(th, "prctl", &r, PR_GET_THP_DISABLE, 0, 0);
	if (ret)
		return ret;
	if (r < 0 || (r & ~(int64_t)(1 | REC_THP_DISABLE_EXCEPT_ADVISED)) ||
	    (r && !(r & 1))) {
		sudcr_error("thread %d: prctl(PR_GET_THP_DISABLE) gave %lld", th->tid, (long long)r);
		return r < 0 && r >= -4095 ? (int)r : -EIO;
	}
	rec.thp_disable = (uint32_t)r;
	ret = dump_membarrier(th, &rec.membarrier);
	if (ret)
		return ret;
	return img_write_record(d->img, IMG_REC_PROCATTR, &rec, sizeof(rec));
}
