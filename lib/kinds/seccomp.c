// SPDX-License-Identifier: MIT
/*
 * Seccomp filters and strict mode: each thread's mode, in the THREAD_MISC
 * record (misc.c), and the filters, in SECCOMP records counted in the
 * MISC record.  The filters are read by ptrace (PTRACE_SECCOMP_GET_FILTER,
 * which needs CAP_SYS_ADMIN).
 *
 * The filters are installed after the injected steps of the kinds before
 * this one in the table: after prctl.c has set no_new_privs, without which
 * an unprivileged filter is refused, and after procattr's and sched's.
 * Injection keeps working after them because the stub is seized with
 * PTRACE_O_SUSPEND_SECCOMP.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "kinds.h"
#include "misc.h"

#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif
#ifndef SECCOMP_RET_ACTION_FULL
#define SECCOMP_RET_ACTION_FULL 0xffff0000U
#endif

/* struct seccomp_metadata of PTRACE_SECCOMP_GET_METADATA. */
struct misc_seccomp_md {
	uint64_t filter_off;
	uint64_t flags;
};

/* ---- dump ---- */

static void chain_free(struct misc_chain *c)
{
	for (int i = 0; i < c->nr; i++)
		free(c->f[i].insns);
	free(c->f);
	c->nr = 0;
	c->f = NULL;
}

static bool chain_equal(const struct misc_chain *a, const struct misc_chain *b)
{
	if (a->nr != b->nr)
		return false;
	for (int i = 0; i < a->nr; i++) {
		if (a->f[i].flags != b->f[i].flags || a->f[i].nr_insns != b->f[i].nr_insns ||
		    memcmp(a->f[i].insns, b->f[i].insns,
			   a->f[i].nr_insns * sizeof(struct sock_filter)))
			return false;
	}
	return true;
}

/*
 * A filter that hands syscalls to a user-space listener cannot work after
 * restore: the listener's fd is not connected to the new filter.
 */
static bool filter_uses_listener(const struct misc_dump_filter *f)
{
	for (uint32_t i = 0; i < f->nr_insns; i++) {
		if (f->insns[i].code == (BPF_RET | BPF_K) &&
		    (f->insns[i].k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
			return true;
	}
	return false;
}

/* PTRACE_SECCOMP_GET_FILTER index 0 is the oldest filter. */
static int dump_seccomp_chain(pid_t tid, int expect, struct misc_chain *c)
{
	int ret;

	for (unsigned long idx = 0;; idx++) {
		struct misc_seccomp_md md = { .filter_off = idx };
		struct misc_dump_filter *f, *nf;
		long n;

		n = ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)idx, NULL);
		if (n < 0 && errno == ENOENT)
			break;
		if (n <= 0 || n > BPF_MAXINSNS) {
			ret = n < 0 ? -errno : -EIO;
			sudcr_error("thread %d: cannot read seccomp filter %lu: %s%s", tid, idx,
				    n < 0 ? strerror(-ret) : "bad length",
				    ret == -EACCES || ret == -EPERM ?
				    " (needs CAP_SYS_ADMIN, and sudcr must not run under seccomp)" :
				    "");
			goto out_free;
		}
		nf = realloc(c->f, (c->nr + 1) * sizeof(*c->f));
		if (!nf)
			goto out_nomem;
		c->f = nf;
		f = &c->f[c->nr];
		f->nr_insns = n;
		f->insns = calloc(n, sizeof(*f->insns));
		if (!f->insns)
			goto out_nomem;
		c->nr++;
		if (ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)idx, f->insns) != n) {
			ret = -EIO;
			sudcr_error("thread %d: seccomp filter %lu changed while reading it", tid,
				    idx);
			goto out_free;
		}
		if (ptrace(PTRACE_SECCOMP_GET_METADATA, tid, (void *)sizeof(md), &md) < 0) {
			ret = -errno;
			sudcr_error("thread %d: cannot read flags of seccomp filter %lu: %s", tid,
				    idx, strerror(-ret));
			goto out_free;
		}
		f->flags = md.flags & SECCOMP_FILTER_FLAG_LOG;
		if (filter_uses_listener(f)) {
			sudcr_error("thread %d: seccomp filter %lu sends syscalls to a user-space "
				    "listener (SECCOMP_RET_USER_NOTIF): not supported", tid, idx);
			ret = -EOPNOTSUPP;
			goto out_free;
		}
	}
	if (expect > 0 && c->nr != expect) {
		sudcr_error("thread %d: /proc says %d seccomp filters, ptrace gave %d", tid, expect,
			    c->nr);
		ret = -EIO;
		goto out_free;
	}
	return 0;

out_nomem:
	sudcr_error("thread %d: out of memory reading its seccomp filters", tid);
	ret = -ENOMEM;
out_free:
	chain_free(c);
	return ret;
}

/*
 * Identical chains in every thread (the usual case: inherited, or
 * installed with TSYNC) are stored once, with tid 0, and restored with
 * TSYNC so the threads share them again.  Otherwise each thread's chain is
 * stored on its own.
 */
static void seccomp_layout(struct dump_ctx *d, struct misc_dump *m)
{
	m->shared_chain = m->chains[0].nr > 0;
	for (int i = 1; i < d->nr_threads && m->shared_chain; i++)
		m->shared_chain = chain_equal(&m->chains[0], &m->chains[i]);
	m->misc.nr_seccomp = 0;
	for (int i = 0; i < d->nr_threads; i++) {
		m->misc.nr_seccomp += m->chains[i].nr;
		if (m->shared_chain)
			break;
	}
}

static int write_chain(struct img_writer *w, int32_t tid, const struct misc_chain *c)
{
	for (int i = 0; i < c->nr; i++) {
		size_t ilen = c->f[i].nr_insns * sizeof(struct sock_filter);
		struct rec_seccomp *rec;
		int ret;

		rec = malloc(sizeof(*rec) + ilen);
		if (!rec) {
			sudcr_error("out of memory writing a seccomp filter");
			return -ENOMEM;
		}
		*rec = (struct rec_seccomp){
			.tid = tid,
			.index = i,
			.flags = c->f[i].flags,
			.nr_insns = c->f[i].nr_insns,
		};
		memcpy(rec + 1, c->f[i].insns, ilen);
		ret = img_write_record(w, IMG_REC_SECCOMP, rec, sizeof(*rec) + ilen);
		free(rec);
		if (ret)
			return ret;
	}
	return 0;
}

/* Each thread's mode (its /proc status, read by misc.c) and, in filter mode, its filters. */
static int seccomp_collect(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;
	int ret;

	for (int i = 0; i < d->nr_threads; i++) {
		const struct proc_status *st = &m->status[i];
		pid_t tid = d->threads[i].tid;

		if (st->seccomp < 0 || st->seccomp > 2) {
			sudcr_error("thread %d: unknown seccomp mode %d", tid, st->seccomp);
			return -EOPNOTSUPP;
		}
		m->threads[i].seccomp_mode = st->seccomp;
		if (st->seccomp != SECCOMP_MODE_FILTER)
			continue;
		ret = dump_seccomp_chain(tid, st->seccomp_filters, &m->chains[i]);
		if (ret)
			return ret;
	}
	seccomp_layout(d, m);
	return 0;
}

static int seccomp_dump(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;
	int ret = 0;

	if (m->shared_chain)
		return write_chain(d->img, 0, &m->chains[0]);
	for (int i = 0; !ret && i < d->nr_threads; i++)
		ret = write_chain(d->img, m->threads[i].tid, &m->chains[i]);
	return ret;
}

static void seccomp_dump_free(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;

	for (int i = 0; m && m->chains && i < d->nr_threads; i++)
		chain_free(&m->chains[i]);
}

/* ---- restore ---- */

static int cmp_filter(const void *a, const void *b)
{
	const struct misc_filter *x = a, *y = b;

	if (x->tid != y->tid)
		return (x->tid > y->tid) - (x->tid < y->tid);
	return (x->index > y->index) - (x->index < y->index);
}

/* Chains are complete (indexes 0..n-1) and match each thread's seccomp mode. */
static int check_chains(struct restore_ctx *r, struct restore_misc_state *s)
{
	bool shared = s->nr_filters && s->filters[0].tid == 0;

	for (int i = 0; i < s->nr_filters; i++) {
		const struct misc_filter *f = &s->filters[i];
		uint32_t want = (i && f->tid == f[-1].tid) ? f[-1].index + 1 : 0;

		if (f->index != want || (shared && f->tid != 0)) {
			sudcr_error("%s: seccomp filter chain of thread %d is incomplete or mixed",
				    r->opts.dir, f->tid);
			return -EINVAL;
		}
	}
	for (uint32_t i = 0; i < r->proc.nr_threads; i++) {
		const struct rec_thread_misc *t = &s->threads[i];
		bool has = shared;

		for (int j = 0; j < s->nr_filters && !has; j++)
			has = s->filters[j].tid == t->tid;
		if (has != (t->seccomp_mode == SECCOMP_MODE_FILTER)) {
			sudcr_error("%s: thread %d: seccomp mode %u but %s filters", r->opts.dir,
				    t->tid, t->seccomp_mode, has ? "has" : "no");
			return -EINVAL;
		}
	}
	return 0;
}

static int prepare_seccomp(struct restore_ctx *r, struct restore_misc_state *s)
{
	const struct rec_seccomp *rec;
	const void *data;
	size_t len, ilen, max_ilen = 0;
	int ret, n = 0;

	ret = restore_alloc_counted(r, IMG_REC_SECCOMP, s->misc.nr_seccomp, sizeof(*s->filters),
				    "seccomp filter", (void **)&s->filters);
	if (ret)
		return ret;
	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_SECCOMP, &data, &len)) == 1) {
		struct misc_filter *f;

		if (len < sizeof(*rec))
			return img_record_invalid(r->img, "seccomp record of %zu bytes", len);
		rec = data;
		ilen = (size_t)rec->nr_insns * sizeof(struct sock_filter);
		if (!rec->nr_insns || rec->nr_insns > BPF_MAXINSNS || len - sizeof(*rec) != ilen)
			return img_record_invalid(r->img, "seccomp filter of %u instructions in %zu "
						  "bytes", rec->nr_insns, len);
		if (rec->flags & ~(uint32_t)SECCOMP_FILTER_FLAG_LOG)
			return img_record_invalid(r->img, "seccomp filter flags %#x", rec->flags);
		if (rec->tid != 0 && restore_image_thread_index(r, rec->tid) < 0)
			return img_record_invalid(r->img, "seccomp filter of unknown thread %d",
						  rec->tid);
		if ((uint32_t)n >= s->misc.nr_seccomp)
			return img_record_invalid(r->img, "more seccomp filters than the misc record "
						  "says");
		f = &s->filters[n];
		f->insns = malloc(ilen);
		if (!f->insns) {
			sudcr_error("out of memory");
			return -ENOMEM;
		}
		memcpy(f->insns, rec + 1, ilen);
		f->tid = rec->tid;
		f->index = rec->index;
		f->flags = rec->flags;
		f->nr_insns = rec->nr_insns;
		s->nr_filters = ++n;	/* freed by seccomp_free() if a later record is bad */
		if (ilen > max_ilen)
			max_ilen = ilen;
	}
	s->nr_filters = n;
	if (ret < 0)
		return ret;
	if ((uint32_t)n != s->misc.nr_seccomp) {
		sudcr_error("%s: %d seccomp filter records, the misc record says %u", r->opts.dir, n,
			    s->misc.nr_seccomp);
		return -EINVAL;
	}
	if (n)
		qsort(s->filters, n, sizeof(*s->filters), cmp_filter);
	/* struct sock_fprog, then the program. */
	if (16 + max_ilen > s->scratch_len)
		s->scratch_len = 16 + max_ilen;
	return check_chains(r, s);
}

/* ---- injected ---- */

static int install_filter(struct cr_thread *th, const struct misc_filter *f, uint32_t flags,
			  uint64_t scratch)
{
	/* struct sock_fprog: unsigned short len, pad, pointer; ia32: a 32-bit pointer at 4. */
	uint64_t prog[2] = { f->nr_insns, scratch + 16 };
	uint32_t prog32[2] = { f->nr_insns, (uint32_t)(scratch + 16) };
	int64_t v;
	int ret;

	if (th->inj.kind == ARCH_IA32)
		ret = misc_write(th, scratch, prog32, sizeof(prog32));
	else
		ret = misc_write(th, scratch, prog, sizeof(prog));
	if (!ret)
		ret = misc_write(th, scratch + 16, f->insns, f->nr_insns * sizeof(*f->insns));
	if (!ret)
		ret = cr_inject(th, NR(th, SECCOMP), &v, SECCOMP_SET_MODE_FILTER, f->flags | flags,
				scratch, 0, 0, 0);
	if (ret)
		return ret;
	if (v > 0) {
		sudcr_error("thread %d: cannot share seccomp filter %u with thread %lld", th->tid,
			    f->index, (long long)v);
		return -EBUSY;
	}
	if (v) {
		sudcr_error("thread %d: cannot install seccomp filter %u: %s%s", th->tid, f->index,
			    strerror((int)-v), v == -EACCES ?
			    " (needs no_new_privs or CAP_SYS_ADMIN)" : "");
		return (int)v;
	}
	return 0;
}

static int restore_seccomp(struct restore_ctx *r, struct restore_misc_state *s,
			   uint64_t scratch)
{
	int ret = 0;

	for (int i = 0; i < s->nr_filters; i++) {
		const struct misc_filter *f = &s->filters[i];
		struct cr_thread *th;
		uint32_t flags = 0;

		if (f->tid == 0) {
			/* One chain for all: TSYNC makes the threads share it again. */
			th = cthread_of(r, r->proc.pid);
			if (r->tp.nr_threads > 1)
				flags = SECCOMP_FILTER_FLAG_TSYNC;
		} else {
			th = cthread_of(r, f->tid);
		}
		if (!th)
			return -ESRCH;
		ret = install_filter(th, f, flags, scratch);
		if (ret)
			return ret;
	}
	for (uint32_t i = 0; i < r->proc.nr_threads; i++) {
		struct cr_thread *th;

		if (s->threads[i].seccomp_mode != SECCOMP_MODE_STRICT)
			continue;
		th = cthread_of(r, s->threads[i].tid);
		if (!th)
			return -ESRCH;
		ret = misc_inject(th, "strict seccomp mode", NR(th, SECCOMP), NULL,
				  SECCOMP_SET_MODE_STRICT, 0, 0, 0);
		if (ret)
			return ret;
	}
	return 0;
}

static int seccomp_prepare(struct restore_ctx *r)
{
	return prepare_seccomp(r, r->misc_state);
}

/* misc's scratch area, mapped by fs.c's restore at the size prepare_seccomp asked for. */
static int seccomp_restore(struct restore_ctx *r)
{
	uint64_t scratch;
	int ret;

	ret = misc_scratch(r, &scratch);
	if (!ret)
		ret = restore_seccomp(r, r->misc_state, scratch);
	return ret;
}

static void seccomp_free(struct restore_ctx *r)
{
	struct restore_misc_state *s = r->misc_state;

	if (!s)
		return;
	for (int i = 0; i < s->nr_filters; i++)
		free(s->filters[i].insns);
	free(s->filters);
	s->filters = NULL;
	s->nr_filters = 0;
}

const struct cr_kind cr_kind_seccomp = {
	.name = "seccomp",
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_SECCOMP, "seccomp" },
		{ 0, NULL },
	},
	.collect = seccomp_collect,
	.dump = seccomp_dump,
	.dump_free = seccomp_dump_free,
	.prepare = seccomp_prepare,
	.restore = seccomp_restore,
	.free = seccomp_free,
};
