// SPDX-License-Identifier: MIT
/*
 * Memory transplant, the pages: the image's PAGES extents, checked, and
 * copied into the new process by a pool of workers that verify each
 * extent's checksum.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "mm.h"

int rmm_add_pages(struct restore_ctx *r, struct restore_mm_state *s, const void *data, size_t len)
{
	const struct rec_pages *p = data;
	struct vma_ent *e;
	const void *ptr;
	uint64_t bytes;
	int ret;

	if (len != sizeof(*p))
		return img_record_invalid(r->img, "bad pages record length");
	if (!p->nr_pages || p->vaddr % PAGE || __builtin_mul_overflow(p->nr_pages, PAGE, &bytes) ||
	    p->vaddr + bytes < p->vaddr)
		return img_record_invalid(r->img, "bad page range");
	e = rmm_find_vma(s, p->vaddr);
	if (!e || p->vaddr + bytes > e->v->end || rmm_special_index(e->v->flags) >= 0 ||
	    (e->v->flags & REC_VMA_SYSV))
		return img_record_invalid(r->img, "pages at %llx are outside any mapping",
					  (unsigned long long)p->vaddr);
	ret = img_pages_get(r->img, p->file, p->offset, bytes, &ptr);
	if (ret)
		return ret;
	e->has_pages = true;
	if (s->nr_pages % 256 == 0) {
		struct page_ent *n = realloc(s->pages, (s->nr_pages + 256) * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->pages = n;
	}
	s->pages[s->nr_pages++] = (struct page_ent){ p, ptr, false };
	return 0;
}

static int cmp_page_ent(const void *a, const void *b)
{
	const struct page_ent *x = a, *y = b;

	return (x->p->vaddr > y->p->vaddr) - (x->p->vaddr < y->p->vaddr);
}

/*
 * Each page is stored once: overlapping extents would make the copy's
 * result depend on the order of the workers (and their sum could wrap).
 */
int rmm_check_page_overlap(struct restore_ctx *r, struct restore_mm_state *s)
{
	struct page_ent *sorted;
	int ret = 0;

	if (s->nr_pages < 2)
		return 0;
	sorted = malloc(s->nr_pages * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, s->pages, s->nr_pages * sizeof(*sorted));
	qsort(sorted, s->nr_pages, sizeof(*sorted), cmp_page_ent);
	for (int i = 1; i < s->nr_pages; i++) {
		const struct rec_pages *a = sorted[i - 1].p, *b = sorted[i].p;

		if (a->vaddr + a->nr_pages * PAGE > b->vaddr) {
			sudcr_error("%s: image stores the page at %llx twice", r->opts.dir,
				    (unsigned long long)b->vaddr);
			ret = -EINVAL;
			break;
		}
	}
	free(sorted);
	return ret;
}

/*
 * Stored pages are copied into the new process by one worker per CPU: the
 * kernel's part (allocating and zeroing the new process's pages) is most
 * of a large restore.  A worker takes PAGES extents in batches of about
 * FILL_CHUNK bytes, writes them with process_vm_writev from the mapped
 * page files, and checks their checksums while the data is in its cache.
 * The process never runs with a bad page: the restore fails first.
 */
#define FILL_CHUNK (1UL << 20)
#define FILL_WORKERS 8

struct fill_pool {
	struct restore_ctx *r;
	pthread_mutex_t lock;
	int next;		/* next extent to take */
	int err;
	int bad;		/* the first extent found corrupted, or -1 */
};

struct fill_worker {
	struct fill_pool *pool;
	struct iovec local[IOV_MAX], remote[IOV_MAX];
	int ent[IOV_MAX];	/* the extent of each */
};

static void fill_fail(struct fill_pool *p, int err, int bad)
{
	pthread_mutex_lock(&p->lock);
	if (!p->err) {
		p->err = err;
		p->bad = bad;
		if (bad == -1)
			sudcr_error("cannot write memory of the new process: %s", strerror(-err));
	}
	pthread_mutex_unlock(&p->lock);
}

static void *fill_worker(void *arg)
{
	struct fill_worker *w = arg;
	struct fill_pool *p = w->pool;
	const struct restore_mm_state *s = p->r->mm_state;

	for (;;) {
		size_t total = 0;
		int n = 0;

		pthread_mutex_lock(&p->lock);
		if (!p->err && cr_cancelled())
			p->err = -EINTR;	/* reported by sudcr_restore() */
		while (!p->err && p->next < s->nr_pages && n < IOV_MAX && (!n || total < FILL_CHUNK)) {
			const struct page_ent *e = &s->pages[p->next++];
			size_t len = e->p->nr_pages * PAGE;

			if (e->in_stub)
				continue;
			w->ent[n] = (int)(e - s->pages);
			w->local[n] = (struct iovec){ (void *)e->data, len };
			w->remote[n] = (struct iovec){ (void *)(uintptr_t)e->p->vaddr, len };
			n++;
			total += len;
		}
		pthread_mutex_unlock(&p->lock);
		if (!n)
			break;
		/* Checked first: img_pages_crc() survives a page file truncated meanwhile. */
		for (int i = 0; i < n; i++) {
			uint32_t crc;
			int err = img_pages_crc(p->r->img, w->local[i].iov_base, w->local[i].iov_len, &crc);

			if (err || crc != s->pages[w->ent[i]].p->crc) {
				fill_fail(p, err ? err : -EINVAL, err ? -2 : w->ent[i]);
				return NULL;
			}
		}
		ssize_t done = process_vm_writev(p->r->pid, w->local, n, w->remote, n, 0);

		if (done != (ssize_t)total) {
			fill_fail(p, done < 0 ? -errno : -EFAULT, -1);
			break;
		}
	}
	return NULL;
}

int rmm_fill_pages(struct restore_ctx *r)
{
	struct restore_mm_state *s = r->mm_state;
	struct fill_pool p = { .r = r, .bad = -1 };
	struct fill_worker *w;
	uint64_t bytes = 0;
	cpu_set_t cpus;
	int nr;

	for (int i = 0; i < s->nr_pages; i++) {
		const struct vma_ent *e = r->cow_placed ? rmm_find_vma(s, s->pages[i].p->vaddr) : NULL;

		/* The stub wrote those of the mappings it made (mm_cow.c). */
		s->pages[i].in_stub = e && rmm_cow_placed(r, (int)(e - s->vmas));
		if (!s->pages[i].in_stub)
			bytes += s->pages[i].p->nr_pages * PAGE;
	}
	nr = cr_worker_cpus(&r->cthreads[0], FILL_WORKERS, &cpus);
	if (bytes < 8 * FILL_CHUNK)
		nr = 1;
	w = calloc(nr, sizeof(*w));
	if (!w)
		return -ENOMEM;
	for (int i = 0; i < nr; i++)
		w[i].pool = &p;
	pthread_mutex_init(&p.lock, NULL);
	cr_run_workers(nr, w, sizeof(*w), fill_worker, &cpus);
	pthread_mutex_destroy(&p.lock);
	free(w);
	if (p.bad >= 0)
		sudcr_error("%s: page data for %llx fails its checksum (corrupted image)", r->opts.dir,
			    (unsigned long long)s->pages[p.bad].p->vaddr);
	return p.err;
}
