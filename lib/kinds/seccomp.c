// SPDX-License-Identifier: MIT
/*
 * Seccomp filters and strict mode: their validation and restore (the dump
 * is still misc's, lib/dump/misc.c, which writes the SECCOMP records after
 * its own and counts them in the MISC record).
 *
 * The filters are installed right after misc's restore (see the table in
 * kinds.c): after misc has set no_new_privs, without which an
 * unprivileged filter is refused, and after the injected steps of procattr
 * and sched, which misc's restore calls.  Injection keeps working after
 * them because the stub is seized with PTRACE_O_SUSPEND_SECCOMP.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>

#include <sudcr/cr.h>
#include <sudcr/log.h>

#include "kinds.h"
#include "misc.h"

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
		s->nr_filters = ++n;	/* freed by restore_misc_free() if a later record is bad */
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

/* misc's scratch area: the leader's, mapped by misc's restore at the size prepare_seccomp asked for. */
static int seccomp_restore(struct restore_ctx *r)
{
	struct restore_misc_state *s = r->misc_state;
	struct cr_thread *leader = cthread_of(r, r->proc.pid);
	uint64_t scratch;
	int ret;

	if (!leader)
		return -ESRCH;
	ret = cr_scratch(leader, s->scratch_len, &scratch);
	if (!ret)
		ret = restore_seccomp(r, s, scratch);
	return ret;
}

/* The filters are freed with misc's state (restore_misc_free()). */
const struct cr_kind cr_kind_seccomp = {
	.name = "seccomp",
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_SECCOMP, "seccomp" },
		{ 0, NULL },
	},
	.prepare = seccomp_prepare,
	.restore = seccomp_restore,
};
