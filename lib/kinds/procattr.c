// SPDX-License-Identifier: MIT
/*
 * Dump of process-wide attributes that nothing else keeps: oom_score_adj,
 * the PR_SET_THP_DISABLE setting, the membarrier registrations,
 * memory-deny-write-execute (PR_GET_MDWE) and KSM for the whole process
 * (PR_GET_MEMORY_MERGE); and per thread the x86 execution controls: rdtsc
 * allowed or faulting (PR_GET_TSC), CPUID faulting (ARCH_GET_CPUID).
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
#include <sudcr/inject.h>
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

/* prctl @opt of @th, whose result must be 0 .. @max (bit flags). */
static int get_flags(struct cr_thread *th, const char *what, int opt, int64_t max, uint32_t *out)
{
	int64_t r;
	int ret = attr_inject(th, "prctl", &r, opt, 0, 0);

	if (ret)
		return ret;
	if (r == -EINVAL) {
		r = 0;	/* a kernel without it: not set */
	} else if (r < 0 || r > max) {
		sudcr_error("thread %d: prctl(%s) gave %lld", th->tid, what, (long long)r);
		return r < 0 && r >= -4095 ? (int)r : -EIO;
	}
	*out = (uint32_t)r;
	return 0;
}

static int dump_thread_attr(struct dump_ctx *d, struct cr_thread *th, uint64_t scratch)
{
	struct rec_thread_attr rec = { .tid = th->tid };
	int32_t tsc = 0;
	int64_t r;
	int ret;

	ret = attr_inject(th, "prctl", &r, PR_GET_TSC, scratch, 0);
	if (ret)
		return ret;
	if (r == 0)
		ret = inject_read_mem(th->tid, scratch, &tsc, sizeof(tsc));
	if (r || ret || (tsc != PR_TSC_ENABLE && tsc != PR_TSC_SIGSEGV)) {
		sudcr_error("thread %d: prctl(PR_GET_TSC): %s", th->tid,
			    r ? strerror((int)-r) : ret ? strerror(-ret) : "unknown mode");
		return r ? (int)r : ret ? ret : -EIO;
	}
	rec.tsc = (uint32_t)tsc;
	ret = attr_inject(th, "arch_prctl", &r, ARCH_GET_CPUID, 0, 0);
	if (ret)
		return ret;
	if (r != 0 && r != 1) {
		sudcr_error("thread %d: arch_prctl(ARCH_GET_CPUID): %s", th->tid,
			    r < 0 ? strerror((int)-r) : "unknown");
		return r < 0 && r >= -4095 ? (int)r : -EIO;
	}
	rec.cpuid = (uint32_t)r;
	return img_write_record(d->img, IMG_REC_THREAD_ATTR, &rec, sizeof(rec));
}

int dump_procattr(struct dump_ctx *d)
{
	struct cr_thread *th = &d->threads[0];
	struct rec_procattr rec = { 0 };
	uint64_t scratch;
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
	if (!ret)
		ret = get_flags(th, "PR_GET_MDWE", PR_GET_MDWE,
				PR_MDWE_REFUSE_EXEC_GAIN | PR_MDWE_NO_INHERIT, &rec.mdwe);
	if (!ret)
		ret = get_flags(th, "PR_GET_MEMORY_MERGE", PR_GET_MEMORY_MERGE, 1,
				&rec.memory_merge);
	if (!ret)
		ret = img_write_record(d->img, IMG_REC_PROCATTR, &rec, sizeof(rec));
	if (!ret)
		ret = cr_scratch(th, 64, &scratch);
	for (int i = 0; !ret && i < d->nr_threads; i++)
		ret = dump_thread_attr(d, &d->threads[i], scratch);
	return ret;
}
