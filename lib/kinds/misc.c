// SPDX-License-Identifier: MIT
/*
 * The MISC and THREAD_MISC records: one per process and one per thread,
 * carrying small items of the kinds misc.h lists, and, in MISC, the counts
 * of the RLIMIT, ITIMER, POSIX_TIMER and SECCOMP records that follow it.
 *
 * Dump: the collect step makes the state the other kinds fill and reads
 * each thread's /proc status once for them (no_new_privs, seccomp mode);
 * the dump step writes MISC, then one THREAD_MISC per thread, once every
 * kind has collected (cr_kinds_dump()).  Restore: the prepare step reads
 * and checks both records, every field of them, where the message can
 * name the record; the restore steps are the owning kinds'.
 *
 * Values that only the task itself can report are read by injected
 * syscalls, with the numbers and structure layouts of the task's kind
 * (x86-64 or ia32).  The image holds the values in one layout for both
 * kinds.  The helpers for that, both ways, are here.
 */
#include <errno.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cr.h"
#include <sudcr/log.h>

#include "kinds.h"
#include "misc.h"

#define MISC_RSEQ_ORIG_SIZE	32	/* struct rseq of Linux 4.18, what glibc registers */
#define MISC_ROBUST_HEAD_SIZE	24	/* struct robust_list_head (x86-64) */
#define MISC_ROBUST_HEAD_SIZE32	12	/* struct compat_robust_list_head (ia32) */

#define MISC_USER_TOP		(1ULL << 56)	/* above any x86-64 user address */

/* ---- dump ---- */

int misc_dump_inject(struct cr_thread *th, const char *what, long nr, int64_t *res,
		     uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	int64_t r;
	int ret;

	if (nr < 0)
		return -ENOSYS;
	ret = cr_inject(th, nr, &r, a0, a1, a2, a3, 0, 0);
	if (ret)
		return ret;
	if (r < 0 && r >= -4095) {
		sudcr_error("thread %d: %s: %s", th->tid, what, strerror((int)-r));
		return (int)r;
	}
	if (res)
		*res = r;
	return 0;
}

int misc_dump_read(struct cr_thread *th, const char *what, uint64_t addr, void *buf, size_t len)
{
	int ret = inject_read_mem(th->tid, addr, buf, len);

	if (ret)
		sudcr_error("thread %d: cannot read the result of %s: %s", th->tid, what,
			    strerror(-ret));
	return ret;
}

static int misc_collect(struct dump_ctx *d)
{
	struct misc_dump *m;
	int ret;

	if (d->nr_threads < 1)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	d->misc_dump = m;
	if (m) {
		m->threads = calloc(d->nr_threads, sizeof(*m->threads));
		m->status = calloc(d->nr_threads, sizeof(*m->status));
		m->chains = calloc(d->nr_threads, sizeof(*m->chains));
	}
	if (!m || !m->threads || !m->status || !m->chains) {
		sudcr_error("process %d: out of memory", d->pid);
		return -ENOMEM;
	}
	ret = cr_scratch(&d->threads[0], 64, &m->scratch);
	if (ret)
		return ret;
	for (int i = 0; i < d->nr_threads; i++) {
		struct cr_thread *th = &d->threads[i];

		m->threads[i].tid = th->tid;
		ret = proc_parse_status(d->pid, th->tid, &m->status[i]);
		if (ret) {
			sudcr_error("thread %d: cannot read its status: %s", th->tid, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static int misc_dump(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;
	struct img_writer *w = d->img;
	size_t plen = m->misc.cwd_len + m->misc.root_len;
	struct rec_misc *rec;
	int ret;

	rec = malloc(sizeof(*rec) + plen);
	if (!rec) {
		sudcr_error("process %d: out of memory", d->pid);
		return -ENOMEM;
	}
	*rec = m->misc;
	memcpy((char *)(rec + 1), m->cwd, m->misc.cwd_len);
	memcpy((char *)(rec + 1) + m->misc.cwd_len, m->root, m->misc.root_len);
	ret = img_write_record(w, IMG_REC_MISC, rec, sizeof(*rec) + plen);
	free(rec);
	for (int i = 0; !ret && i < d->nr_threads; i++)
		ret = img_write_record(w, IMG_REC_THREAD_MISC, &m->threads[i],
				       sizeof(m->threads[i]));
	return ret;
}

/* Last of the kinds that share the state (the dump_free steps run in reverse). */
static void misc_dump_free(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;

	if (!m)
		return;
	free(m->chains);
	free(m->status);
	free(m->threads);
	free(m);
	d->misc_dump = NULL;
}

/* ---- restore: reading and validating the image ---- */

static bool path_ok(const char *p, uint32_t len)
{
	return len > 0 && len < REC_PATH_MAX && p[0] == '/' && !memchr(p, '\0', len);
}

static int prepare_misc(struct restore_ctx *r, struct restore_misc_state *s)
{
	const struct rec_misc *m;
	const char *paths;
	const void *data;
	size_t len;
	int ret, n = 0;

	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_MISC, &data, &len)) == 1) {
		if (n++)
			return img_record_invalid(r->img, "more than one misc record");
		if (len < sizeof(*m))
			return img_record_invalid(r->img, "misc record of %zu bytes", len);
		m = data;
		paths = (const char *)(m + 1);
		if ((uint64_t)m->cwd_len + m->root_len != len - sizeof(*m) ||
		    !path_ok(paths, m->cwd_len) || !path_ok(paths + m->cwd_len, m->root_len))
			return img_record_invalid(r->img, "bad cwd or root path");
		if (m->umask > 0777 || m->dumpable < 0 || m->dumpable > 2 ||
		    m->child_subreaper > 1)
			return img_record_invalid(r->img, "bad umask %#o, dumpable %d or subreaper %u",
						  m->umask, m->dumpable, m->child_subreaper);
		if (m->nr_rlimits > RLIM_NLIMITS || m->nr_itimers > 3 ||
		    m->nr_posix_timers > INT_MAX / 2 || m->nr_seccomp > INT_MAX / 2)
			return img_record_invalid(r->img, "bad record counts");
		s->misc = *m;
		memcpy(s->cwd, paths, m->cwd_len);
		s->cwd[m->cwd_len] = '\0';
		memcpy(s->root, paths + m->cwd_len, m->root_len);
		s->root[m->root_len] = '\0';
	}
	if (ret < 0)
		return ret;
	if (!n) {
		sudcr_error("%s: image has no misc record (cwd, rlimits, timers)", r->opts.dir);
		return -EINVAL;
	}
	return 0;
}

static int prepare_threads(struct restore_ctx *r, struct restore_misc_state *s)
{
	const struct rec_thread_misc *t;
	const void *data;
	uint32_t seen = 0;
	size_t len;
	int ret, i;

	s->threads = calloc(r->proc.nr_threads, sizeof(*s->threads));
	if (!s->threads) {
		sudcr_error("out of memory");
		return -ENOMEM;
	}
	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_THREAD_MISC, &data, &len)) == 1) {
		if (len != sizeof(*t))
			return img_record_invalid(r->img, "thread misc record of %zu bytes", len);
		t = data;
		i = restore_image_thread_index(r, t->tid);
		if (i < 0 || s->threads[i].tid)
			return img_record_invalid(r->img, "thread %d unknown or repeated", t->tid);
		if (t->rseq_ptr && (t->rseq_ptr >= MISC_USER_TOP || t->rseq_len < MISC_RSEQ_ORIG_SIZE ||
				    t->rseq_len > 4096))
			return img_record_invalid(r->img, "thread %d: bad rseq area %#llx+%u", t->tid,
						  (unsigned long long)t->rseq_ptr, t->rseq_len);
		if (t->robust_len != (r->proc.arch == ARCH_IA32 ? MISC_ROBUST_HEAD_SIZE32 :
				      MISC_ROBUST_HEAD_SIZE) || t->robust_list >= MISC_USER_TOP ||
		    t->clear_child_tid >= MISC_USER_TOP)
			return img_record_invalid(r->img, "thread %d: bad robust list or tid address",
						  t->tid);
		if (t->pdeathsig < 0 || t->pdeathsig >= _NSIG || t->no_new_privs > 1 ||
		    t->seccomp_mode > SECCOMP_MODE_FILTER || t->personality == 0xffffffff ||
		    !memchr(t->comm, '\0', sizeof(t->comm)))
			return img_record_invalid(r->img, "thread %d: bad pdeathsig, no_new_privs, "
						  "seccomp mode, personality or name", t->tid);
		s->threads[i] = *t;
		seen++;
	}
	if (ret < 0)
		return ret;
	if (seen != r->proc.nr_threads) {
		sudcr_error("%s: %u of %u threads lack their misc record", r->opts.dir,
			    r->proc.nr_threads - seen, r->proc.nr_threads);
		return -EINVAL;
	}
	return 0;
}

static int misc_prepare(struct restore_ctx *r)
{
	struct restore_misc_state *s;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s) {
		sudcr_error("out of memory");
		return -ENOMEM;
	}
	r->misc_state = s;
	s->scratch_len = 4096;
	ret = prepare_misc(r, s);
	if (!ret)
		ret = prepare_threads(r, s);
	return ret;
}

/* Last of the kinds that share the state (the free steps run in reverse). */
static void misc_free(struct restore_ctx *r)
{
	struct restore_misc_state *s = r->misc_state;

	if (!s)
		return;
	free(s->threads);
	free(s);
	r->misc_state = NULL;
}

/* ---- restore: injected ---- */

int misc_inject(struct cr_thread *th, const char *what, long nr, int64_t *res,
		uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	int64_t v;
	int ret;

	ret = cr_inject(th, nr, &v, a0, a1, a2, a3, 0, 0);
	if (ret)
		return ret;
	if (v < 0 && v >= -4095) {
		sudcr_error("thread %d: cannot restore %s: %s", th->tid, what, strerror((int)-v));
		return (int)v;
	}
	if (res)
		*res = v;
	return 0;
}

int misc_write(struct cr_thread *th, uint64_t addr, const void *buf, size_t len)
{
	int ret = inject_write_mem(th->tid, addr, buf, len);

	if (ret)
		sudcr_error("thread %d: cannot write to its scratch area: %s", th->tid,
			    strerror(-ret));
	return ret;
}

int misc_read(struct cr_thread *th, uint64_t addr, void *buf, size_t len)
{
	int ret = inject_read_mem(th->tid, addr, buf, len);

	if (ret)
		sudcr_error("thread %d: cannot read its scratch area: %s", th->tid, strerror(-ret));
	return ret;
}

int misc_scratch(struct restore_ctx *r, uint64_t *scratch)
{
	struct cr_thread *leader = cthread_of(r, r->proc.pid);

	if (!leader)
		return -ESRCH;
	return cr_scratch(leader, r->misc_state->scratch_len, scratch);
}

const struct cr_kind cr_kind_misc = {
	.name = "misc",
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_MISC, "misc" },
		{ IMG_REC_THREAD_MISC, "thread_misc" },
		{ 0, NULL },
	},
	.collect = misc_collect,
	.dump = misc_dump,
	.dump_free = misc_dump_free,
	.prepare = misc_prepare,
	.free = misc_free,
};
