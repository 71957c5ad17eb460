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
 *
 * Restore of process-wide attributes (the dump above).  Most are
 * set in the stub, in plain C: each is a property of the process or of its
 * mm, which the transplant keeps.  Memory-deny-write-execute would refuse
 * the transplant's own mappings: it is set by injection once they are
 * made, with the threads' rdtsc and CPUID controls.
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

#include "cr.h"
#include <sudcr/inject.h>
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "attrs.h"
#include "kinds.h"

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
static int attr_inject(struct cr_thread *th, enum arch_sc sc, int64_t *res, uint64_t a0,
		       uint64_t a1, uint64_t a2)
{
	return cr_inject(th, arch_sc_nr(th->inj.kind, sc), res, a0, a1, a2, 0, 0, 0);
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
	ret = attr_inject(th, SC_MEMBARRIER, &supported, MEMBARRIER_CMD_QUERY, 0, 0);
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
		ret = attr_inject(th, SC_MEMBARRIER, &r, cmds[i].cmd, 0, 0);
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
	int ret = attr_inject(th, SC_PRCTL, &r, opt, 0, 0);

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

	ret = attr_inject(th, SC_PRCTL, &r, PR_GET_TSC, scratch, 0);
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
	ret = attr_inject(th, SC_ARCH_PRCTL, &r, ARCH_GET_CPUID, 0, 0);
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

static int dump_procattr(struct dump_ctx *d)
{
	struct cr_thread *th = &d->threads[0];
	struct rec_procattr rec = { 0 };
	uint64_t scratch;
	int64_t r;
	int ret;

	ret = read_oom_score_adj(d, &rec.oom_score_adj);
	if (ret)
		return ret;
	ret = attr_inject(th, SC_PRCTL, &r, PR_GET_THP_DISABLE, 0, 0);
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

/* ---- restore ---- */

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
		if ((pa->mdwe & ~(uint32_t)(PR_MDWE_REFUSE_EXEC_GAIN | PR_MDWE_NO_INHERIT)) ||
		    pa->mdwe == PR_MDWE_NO_INHERIT || pa->memory_merge > 1 || pa->pad)
			return img_record_invalid(r->img, "MDWE flags %#x or memory merge %u",
						  pa->mdwe, pa->memory_merge);
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

static int prepare_thread_attr(struct restore_ctx *r, struct restore_attrs_state *s)
{
	const void *data;
	uint32_t seen = 0;
	size_t len;
	int ret;

	s->tattr = calloc(r->proc.nr_threads, sizeof(*s->tattr));
	if (!s->tattr) {
		sudcr_error("out of memory");
		return -ENOMEM;
	}
	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_THREAD_ATTR, &data, &len)) == 1) {
		const struct rec_thread_attr *t = data;
		uint32_t i;

		if (len != sizeof(*t))
			return img_record_invalid(r->img, "thread attribute record of %zu bytes", len);
		for (i = 0; i < r->proc.nr_threads && r->threads[i].tid != t->tid; i++)
			;
		if (i == r->proc.nr_threads || s->tattr[i].tid)
			return img_record_invalid(r->img, "thread attribute record of unknown or "
						  "repeated thread %d", t->tid);
		if ((t->tsc != PR_TSC_ENABLE && t->tsc != PR_TSC_SIGSEGV) || t->cpuid > 1 || t->pad)
			return img_record_invalid(r->img, "thread %d: TSC mode %u, CPUID %u", t->tid,
						  t->tsc, t->cpuid);
		s->tattr[i] = *t;
		seen++;
	}
	if (ret < 0)
		return ret;
	if (seen != r->proc.nr_threads) {
		sudcr_error("%s: %u of %u threads lack their attribute record", r->opts.dir,
			    r->proc.nr_threads - seen, r->proc.nr_threads);
		return -EINVAL;
	}
	return 0;
}

static int restore_attrs_prepare(struct restore_ctx *r)
{
	struct restore_attrs_state *s = calloc(1, sizeof(*s));
	int ret;

	if (!s) {
		sudcr_error("out of memory");
		return -ENOMEM;
	}
	r->attrs_state = s;
	if (prctl(PR_GET_TSC, &s->own_tsc, 0, 0, 0))
		s->own_tsc = -1;
	s->own_cpuid = syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0);
	s->own_slack = -1;	/* sched.c's */
	ret = prepare_procattr(r, s);
	if (!ret)
		ret = prepare_thread_attr(r, s);
	return ret;
}

static void restore_attrs_free(struct restore_ctx *r)
{
	struct restore_attrs_state *s = r->attrs_state;

	if (!s)
		return;
	free(s->sched);
	free(s->tattr);
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

/* Before the transplant: mappings made while it is on are mergeable, as they were. */
static void stub_memory_merge(uint32_t want)
{
	int cur = prctl(PR_GET_MEMORY_MERGE, 0, 0, 0, 0);

	if (cur < 0 && errno == EINVAL && !want)
		return;	/* no KSM here, and none wanted */
	if (cur == (int)want)
		return;
	if (prctl(PR_SET_MEMORY_MERGE, want, 0, 0, 0)) {
		int err = errno;

		sudcr_error("cannot restore PR_SET_MEMORY_MERGE %u: %s%s", want, strerror(err),
			    err == EPERM ? " (needs CAP_SYS_RESOURCE)" : "");
		_exit(1);
	}
}

static int procattr_in_stub(struct restore_ctx *r)
{
	const struct restore_attrs_state *s = r->attrs_state;

	stub_oom_score_adj(s->pa.oom_score_adj);
	stub_thp_disable(s->pa.thp_disable);
	stub_membarrier(s->pa.membarrier);
	stub_memory_merge(s->pa.memory_merge);
	return 0;
}

/* ---- injected, after the transplant ---- */

static int restore_attr_inject(struct cr_thread *th, enum arch_sc sc, int64_t *res, uint64_t a0,
			       uint64_t a1)
{
	return cr_inject(th, arch_sc_nr(th->inj.kind, sc), res, a0, a1, 0, 0, 0, 0);
}

static int restore_mdwe(struct restore_ctx *r, uint32_t want)
{
	struct cr_thread *th = cthread_of(r, r->pid);
	int64_t cur, v;
	int ret;

	if (!th)
		return -ESRCH;
	ret = restore_attr_inject(th, SC_PRCTL, &cur, PR_GET_MDWE, 0);
	if (ret)
		return ret;
	if (cur == -EINVAL)
		cur = 0;
	if (cur == want)
		return 0;
	if (cur < 0 || (cur & ~(int64_t)want)) {
		/* It cannot be turned off: sudcr (whose fork the stub is) has it. */
		sudcr_error("cannot restore memory-deny-write-execute %#x: the new process has %#llx",
			    want, (long long)cur);
		return -EPERM;
	}
	ret = restore_attr_inject(th, SC_PRCTL, &v, PR_SET_MDWE, want);
	if (!ret && v) {
		sudcr_error("cannot restore memory-deny-write-execute %#x: %s", want,
			    strerror((int)-v));
		ret = v < 0 && v >= -4095 ? (int)v : -EIO;
	}
	return ret;
}

/*
 * The new process's threads start with sudcr's modes (the stub is our
 * fork, its threads its clones; the modes are inherited and only exec
 * resets CPUID faulting): only those that differ are set.
 */
static int procattr_restore_thread(struct restore_ctx *r, uint32_t i, struct cr_thread *th)
{
	const struct restore_attrs_state *s = r->attrs_state;
	const struct rec_thread_attr *t = &s->tattr[i];
	int64_t v = 0;
	int ret = 0;

	if ((int)t->tsc != s->own_tsc)
		ret = restore_attr_inject(th, SC_PRCTL, &v, PR_SET_TSC, t->tsc);
	if (!ret && v) {
		sudcr_error("thread %d: cannot restore its TSC mode %u: %s", t->tid, t->tsc,
			    strerror((int)-v));
		ret = (int)v;
	}
	if (ret)
		return ret;
	if ((long)t->cpuid != s->own_cpuid)
		ret = restore_attr_inject(th, SC_ARCH_PRCTL, &v, ARCH_SET_CPUID, t->cpuid);
	if (!ret && v) {
		sudcr_error("thread %d: cannot restore CPUID %s: %s%s", t->tid,
			    t->cpuid ? "enabled" : "faulting", strerror((int)-v),
			    v == -ENODEV ? " (no CPUID faulting on this CPU)" : "");
		ret = (int)v;
	}
	return ret;
}

/* After every thread's step (the table's walk): it refuses mappings the restore makes. */
static int procattr_restore(struct restore_ctx *r)
{
	const struct restore_attrs_state *s = r->attrs_state;

	return s->pa.mdwe ? restore_mdwe(r, s->pa.mdwe) : 0;
}

/*
 * The state both halves share (attrs.h) is made and freed here; the sched
 * kind, after this one in the table, fills its part.
 */
const struct cr_kind cr_kind_procattr = {
	.name = "procattr",
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_PROCATTR, "procattr" },
		{ IMG_REC_THREAD_ATTR, "thread_attr" },
		{ 0, NULL },
	},
	.dump = dump_procattr,
	.prepare = restore_attrs_prepare,
	.in_stub = procattr_in_stub,
	.restore_thread = procattr_restore_thread,
	.restore = procattr_restore,
	.free = restore_attrs_free,
};
