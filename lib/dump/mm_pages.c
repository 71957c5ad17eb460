// SPDX-License-Identifier: MIT
/*
 * Memory dump, the pages: the runs of pages that carry data (PAGEMAP_SCAN:
 * present pages, never the zero page, for private file mappings only the
 * copied-on-write ones), and the pool of workers that copies them into the
 * image's page files.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "mm.h"

#define SCAN_VEC 512

/* Add [start, end) to the runs of the current mapping, merging with the last one. */
static int add_run(struct page_runs *r, uint64_t start, uint64_t end, bool via_mem)
{
	if (r->nr > r->vma_first && r->v[r->nr - 1].end == start && r->v[r->nr - 1].via_mem == via_mem) {
		r->v[r->nr - 1].end = end;
	} else {
		if (r->nr == r->cap) {
			int c = r->cap ? r->cap * 2 : 64;
			struct page_run *n = realloc(r->v, c * sizeof(*n));

			if (!n)
				return -ENOMEM;
			r->v = n;
			r->cap = c;
		}
		r->v[r->nr++] = (struct page_run){ start, end, via_mem };
	}
	r->bytes += end - start;
	return 0;
}

/* Collect the runs of pages of [start, end) that carry data. */
static int scan_pages(int pagemap, uint64_t start, uint64_t end, enum page_policy pol, bool via_mem,
		      struct page_runs *runs)
{
	struct page_region vec[SCAN_VEC];
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.start = start,
		.end = end,
		.vec = (uintptr_t)vec,
		.vec_len = SCAN_VEC,
		.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
		.category_inverted = PAGE_IS_PFNZERO,
		.category_mask = PAGE_IS_PFNZERO,
		.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
	};

	if (pol == PAGES_COW) {
		arg.category_inverted |= PAGE_IS_FILE;
		arg.category_mask |= PAGE_IS_FILE;
	}
	while (arg.start < end) {
		int n = ioctl(pagemap, PAGEMAP_SCAN, &arg);

		if (n < 0)
			return -errno;
		for (int i = 0; i < n; i++) {
			int ret = add_run(runs, vec[i].start, vec[i].end, via_mem);

			if (ret)
				return ret;
		}
		if (arg.walk_end <= arg.start)
			break;
		arg.start = arg.walk_end;
	}
	return 0;
}

/* The present pages of [start, end) of another process (a tree peer's shared mapping). */
int dmm_scan_present(int pagemap, uint64_t start, uint64_t end, struct page_runs *runs)
{
	runs->vma_first = runs->nr;
	return scan_pages(pagemap, start, end, PAGES_ANON, false, runs);
}

/* Take [start, end) out of the runs of the current mapping. */
int dmm_cut_runs(struct page_runs *r, uint64_t start, uint64_t end)
{
	for (int i = r->vma_first; i < r->nr; i++) {
		struct page_run *x = &r->v[i];

		if (x->end <= start || x->start >= end)
			continue;
		if (x->start < start && x->end > end) {
			if (r->nr == r->cap) {
				int c = r->cap * 2;
				struct page_run *n = realloc(r->v, c * sizeof(*n));

				if (!n)
					return -ENOMEM;
				r->v = n;
				r->cap = c;
				x = &r->v[i];
			}
			memmove(x + 2, x + 1, (r->nr - i - 1) * sizeof(*x));
			r->nr++;
			x[1] = (struct page_run){ end, x->end, x->via_mem };
			x->end = start;
			r->bytes -= end - start;
			i++;
		} else if (x->start >= start && x->end <= end) {
			r->bytes -= x->end - x->start;
			memmove(x, x + 1, (r->nr - i - 1) * sizeof(*x));
			r->nr--;
			i--;
		} else if (x->start < start) {
			r->bytes -= x->end - start;
			x->end = start;
		} else {
			r->bytes -= end - x->start;
			x->start = end;
		}
	}
	return 0;
}

/* A deleted file's mapping: everything up to the end of the file. */
static int scan_all(int memfd, const struct proc_vma *v, struct page_runs *runs)
{
	char probe;
	uint64_t end = v->start;

	while (end < v->end && pread(memfd, &probe, 1, end) == 1)
		end += PAGE;
	return end == v->start ? 0 : add_run(runs, v->start, end, true);
}

/*
 * Page data is copied by a pool of workers, one per CPU sudcr may use, each
 * writing its own page file: writes to one tmpfs file serialize on its
 * inode lock, and the copy into newly allocated page-cache pages is the
 * slow part.  A worker takes the next CHUNK bytes of runs, reads them into
 * its bounce buffer with process_vm_readv (or /proc/PID/mem where the
 * mapping is not readable), checksums them while they are in this CPU's
 * cache, pwrites them and records them.  Measured on tmpfs, 2 CPUs, 1 GiB:
 * 0.3 s, against 0.45-0.6 s for one reader feeding two writer threads of
 * one file (the data then also crossed between CPUs), and 0.9-2.8 s for
 * reading straight into a shared mapping of the page file (a fault per
 * page).
 */
#define CHUNK (1UL << 20)
#define MAX_WORKERS 8
/* Below this much page data, one worker: threads and files cost more than they save. */
#define PARALLEL_MIN (8 * CHUNK)

struct page_pool {
	struct dump_ctx *d;
	int memfd;
	const struct page_run *runs;
	int nr_runs;
	pthread_mutex_t lock;	/* everything below, and the image writer */
	int next;		/* the next chunk starts at runs[next].start + done */
	uint64_t done;
	int err;
	cpu_set_t cpus;		/* where workers run */
};

struct page_worker {
	struct page_pool *pool;
	unsigned int file;
	uint8_t *buf;
	struct iovec local[IOV_MAX], remote[IOV_MAX];
	uint32_t crc[IOV_MAX];
};

/* The first error stops every worker; only it is reported. */
static void pool_fail(struct page_pool *p, int err, const char *what, uint64_t addr)
{
	pthread_mutex_lock(&p->lock);
	if (!p->err) {
		p->err = err;
		if (addr)
			sudcr_error("%s at %llx of %d: %s", what, (unsigned long long)addr, p->d->pid,
				    strerror(-err));
		else if (what)
			sudcr_error("%s: %s", what, strerror(-err));
	}
	pthread_mutex_unlock(&p->lock);
}

/*
 * Under the pool lock: the next chunk, as iovecs of runs of one kind, and
 * its place in the worker's page file.  0 and *n == 0 when there is none.
 */
static int take_chunk(struct page_worker *w, int *n, size_t *total, bool *via_mem, uint64_t *off)
{
	struct page_pool *p = w->pool;
	int ret;

	*n = 0;
	*total = 0;
	if (!p->err && cr_cancelled())
		p->err = -EINTR;	/* reported by sudcr_dump() */
	if (p->err || p->next == p->nr_runs)
		return p->err;
	*via_mem = p->runs[p->next].via_mem;
	while (p->next < p->nr_runs && *n < IOV_MAX && *total < CHUNK &&
	       p->runs[p->next].via_mem == *via_mem) {
		const struct page_run *r = &p->runs[p->next];
		uint64_t start = r->start + p->done;
		uint64_t len = r->end - start;

		if (len > CHUNK - *total)
			len = CHUNK - *total;
		w->local[*n] = (struct iovec){ w->buf + *total, len };
		w->remote[*n] = (struct iovec){ (void *)(uintptr_t)start, len };
		(*n)++;
		*total += len;
		p->done += len;
		if (r->start + p->done == r->end) {
			p->next++;
			p->done = 0;
		}
	}
	ret = img_pages_claim(p->d->img, w->file, *total, off);
	if (ret)
		p->err = ret;
	return ret;
}

static int read_chunk(struct page_worker *w, int n, size_t total, bool via_mem)
{
	struct page_pool *p = w->pool;

	if (via_mem) {
		for (int i = 0; i < n; i++) {
			ssize_t got = pread(p->memfd, w->local[i].iov_base, w->local[i].iov_len,
					    (uintptr_t)w->remote[i].iov_base);

			if (got != (ssize_t)w->local[i].iov_len)
				return got < 0 ? -errno : -EIO;
		}
		return 0;
	}
	ssize_t got = process_vm_readv(p->d->proc_pid, w->local, n, w->remote, n, 0);

	if (got < 0)
		return -errno;
	return (size_t)got == total ? 0 : -EFAULT;
}

static void *page_worker(void *arg)
{
	struct page_worker *w = arg;
	struct page_pool *p = w->pool;

	for (;;) {
		size_t total;
		uint64_t off;
		bool via_mem;
		int n, ret;

		pthread_mutex_lock(&p->lock);
		ret = take_chunk(w, &n, &total, &via_mem, &off);
		pthread_mutex_unlock(&p->lock);
		if (ret || !n)
			break;
		ret = read_chunk(w, n, total, via_mem);
		if (ret) {
			pool_fail(p, ret, "cannot read memory", (uintptr_t)w->remote[0].iov_base);
			break;
		}
		for (int i = 0; i < n; i++)
			w->crc[i] = img_crc32c(0, w->local[i].iov_base, w->local[i].iov_len);
		ret = img_pages_pwrite(p->d->img, w->file, w->buf, total, off);
		if (ret) {
			pool_fail(p, ret, "cannot write page data", 0);
			break;
		}
		pthread_mutex_lock(&p->lock);
		for (int i = 0; i < n && !ret; i++) {
			struct rec_pages rp = {
				.vaddr = (uintptr_t)w->remote[i].iov_base,
				.nr_pages = w->local[i].iov_len / PAGE,
				.offset = off + (w->local[i].iov_base - (void *)w->buf),
				.crc = w->crc[i],
				.file = w->file,
			};

			ret = img_write_record(p->d->img, IMG_REC_PAGES, &rp, sizeof(rp));
		}
		if (ret && !p->err)
			p->err = ret;	/* reported by the image writer */
		pthread_mutex_unlock(&p->lock);
		if (ret)
			break;
	}
	return NULL;
}

/* Copy every run into the image; the first error. */
int dmm_dump_page_runs(struct dump_ctx *d, const struct page_runs *runs, int memfd)
{
	struct page_pool p = { .d = d, .memfd = memfd, .runs = runs->v, .nr_runs = runs->nr };
	struct page_worker *w;
	int nr, ret;

	if (!runs->nr)
		return 0;
	nr = cr_worker_cpus(&d->threads[0], MAX_WORKERS, &p.cpus);
	if (runs->bytes < PARALLEL_MIN)
		nr = 1;
	ret = img_writer_set_page_files(d->img, nr);
	if (ret)
		return ret;
	w = calloc(nr, sizeof(*w));
	if (!w)
		return -ENOMEM;
	for (int i = 0; i < nr; i++) {
		w[i].pool = &p;
		w[i].file = i;
		w[i].buf = aligned_alloc(PAGE, CHUNK);
		if (!w[i].buf) {
			ret = -ENOMEM;
			goto out;
		}
	}
	pthread_mutex_init(&p.lock, NULL);
	cr_run_workers(nr, w, sizeof(*w), page_worker, &p.cpus);
	pthread_mutex_destroy(&p.lock);
	ret = p.err;
out:
	for (int i = 0; i < nr; i++)
		free(w[i].buf);
	free(w);
	return ret;
}

/*
 * Reading a private page that another process maps too (copy-on-write
 * after fork) with process_vm_readv makes it ours alone: the kernel
 * copies it ("unshare", as for any pin of an anonymous page), so after
 * the dump the two no longer share it, a tree left running uses that much
 * more memory, and a child's pages are no longer its parent's to find
 * (mm_cow.c).  Reading through /proc/PID/mem takes no pin: in a tree,
 * the pages of the current mapping not mapped exclusively (pagemap bit
 * 56) are read that way.
 */
#define PM_EXCLUSIVE (1ULL << 56)

static int split_shared(int pagemap, struct page_runs *runs)
{
	int first = runs->vma_first, nr = runs->nr, ret = 0;
	struct page_run *old = malloc((nr - first) * sizeof(*old));
	uint64_t ent[512];

	if (!old)
		return -ENOMEM;
	memcpy(old, runs->v + first, (nr - first) * sizeof(*old));
	runs->nr = first;
	for (int i = 0; i < nr - first; i++)
		runs->bytes -= old[i].end - old[i].start;
	for (int i = 0; i < nr - first && !ret; i++) {
		for (uint64_t a = old[i].start; a < old[i].end && !ret;) {
			size_t n = (old[i].end - a) / PAGE < 512 ? (old[i].end - a) / PAGE : 512;

			if (pread(pagemap, ent, n * 8, (off_t)(a / PAGE * 8)) != (ssize_t)(n * 8)) {
				ret = -EIO;
				break;
			}
			for (size_t k = 0; k < n && !ret; k++)
				ret = add_run(runs, a + k * PAGE, a + (k + 1) * PAGE,
					      old[i].via_mem || !(ent[k] & PM_EXCLUSIVE));
			a += n * PAGE;
		}
	}
	free(old);
	return ret;
}

/* The runs of pages of mapping v to store. */
int dmm_scan_vma(struct dump_ctx *d, const struct proc_vma *v, enum page_policy pol, int pagemap,
		 int memfd, struct page_runs *runs)
{
	int ret;

	runs->vma_first = runs->nr;
	if (pol == PAGES_NONE)
		return 0;
	if (pol == PAGES_ALL)
		ret = scan_all(memfd, v, runs);
	else
		ret = scan_pages(pagemap, v->start, v->end, pol, !(v->prot & PROT_READ), runs);
	if (!ret && d->tree_member && !v->shared && runs->nr > runs->vma_first)
		ret = split_shared(pagemap, runs);
	if (ret)
		sudcr_error("cannot scan pages of %llx-%llx of %d: %s", (unsigned long long)v->start,
			    (unsigned long long)v->end, d->pid, strerror(-ret));
	return ret;
}
