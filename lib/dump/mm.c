// SPDX-License-Identifier: MIT
/*
 * Memory: every mapping with its protection, flags and madvise state, the
 * mm fields (brk, arg/env area, auxv, exe), and the pages that carry data:
 * present pages only (PAGEMAP_SCAN), the zero page never, and for private
 * file mappings only the pages that were copied on write.  Pages go from
 * the target straight into the image's page file (one copy).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <sudcr/cr.h>
#include <sudcr/kernel_compat.h>
#include <sudcr/log.h>

#define PAGE 4096UL
#define SCAN_VEC 512

enum page_policy {
	PAGES_NONE,		/* re-mapped from the file, or special */
	PAGES_ANON,		/* present pages except the zero page */
	PAGES_COW,		/* private file mapping: copied-on-write pages only */
	PAGES_ALL,		/* deleted file: everything the mapping can read */
};

static uint32_t vma_rec_flags(const struct proc_vma *v)
{
	uint32_t f = 0;

	if (v->shared)
		f |= REC_VMA_SHARED;
	if (v->vmflags & PROC_VMF_GD)
		f |= REC_VMA_GROWSDOWN;
	switch (v->kind) {
	case VMA_HEAP:
		return f | REC_VMA_HEAP | REC_VMA_ANON;
	case VMA_STACK:
		return f | REC_VMA_STACK | REC_VMA_ANON;
	case VMA_VDSO:
		return f | REC_VMA_VDSO;
	case VMA_VVAR:
		return f | REC_VMA_VVAR;
	case VMA_VVAR_VCLOCK:
		return f | REC_VMA_VVAR_VCLOCK;
	case VMA_PLAIN:
	case VMA_ANON_NAMED:
		if (v->shared || !strncmp(v->path, "[anon_shmem:", 12))
			f |= REC_VMA_SHMEM;
		return f | REC_VMA_ANON;
	default:
		break;
	}
	if (!strncmp(v->path, "/memfd:", 7))
		return f | REC_VMA_MEMFD | REC_VMA_DELETED;
	if (v->shared && v->deleted && !strcmp(v->path, "/dev/zero"))
		return f | REC_VMA_SHMEM | REC_VMA_ANON;
	f |= REC_VMA_FILE;
	if (v->deleted)
		f |= REC_VMA_DELETED;
	return f;
}

static int check_supported(const struct proc_vma *v)
{
	const char *why = NULL;

	if (v->kind == VMA_OTHER_SPECIAL)
		why = "special kernel mapping";
	else if (!strncmp(v->path, "anon_inode:", 11))
		why = "mapping of an anonymous inode";
	else if (!strncmp(v->path, "/SYSV", 5) && v->shared)
		why = "System V shared memory";
	else if (v->kind == VMA_FILE && v->dev_major == 0 && v->path[0] != '/')
		why = "mapping of a non-file object";
	if (!why)
		return 0;
	sudcr_error("mapping %llx-%llx (%s): %s is not supported yet", (unsigned long long)v->start,
		    (unsigned long long)v->end, v->path[0] ? v->path : "anonymous", why);
	return -EOPNOTSUPP;
}

static enum page_policy page_policy(uint32_t f)
{
	if (f & (REC_VMA_VDSO | REC_VMA_VVAR | REC_VMA_VVAR_VCLOCK))
		return PAGES_NONE;
	if (f & (REC_VMA_DELETED | REC_VMA_MEMFD))
		return PAGES_ALL;
	if (f & REC_VMA_ANON)
		return PAGES_ANON;
	if (f & REC_VMA_SHARED)
		return PAGES_NONE;
	return PAGES_COW;
}

struct page_run {
	uint64_t start, end;
};

/* Collect the runs of pages of [start, end) that carry data. */
static int scan_pages(int pagemap, uint64_t start, uint64_t end, enum page_policy pol,
		      struct page_run **runs, int *nr, int *cap)
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
			if (*nr && (*runs)[*nr - 1].end == vec[i].start) {
				(*runs)[*nr - 1].end = vec[i].end;
				continue;
			}
			if (*nr == *cap) {
				int c = *cap ? *cap * 2 : 64;
				struct page_run *r = realloc(*runs, c * sizeof(*r));

				if (!r)
					return -ENOMEM;
				*runs = r;
				*cap = c;
			}
			(*runs)[(*nr)++] = (struct page_run){ vec[i].start, vec[i].end };
		}
		if (arg.walk_end <= arg.start)
			break;
		arg.start = arg.walk_end;
	}
	return 0;
}

/*
 * Pages go through small bounce buffers that stay in cache: read with
 * process_vm_readv (or /proc/PID/mem where the mapping is not readable),
 * checksummed while hot, and written to pages.img with pwrite by a second
 * thread, so reading one buffer overlaps writing the previous one.
 * Measured on tmpfs: faster than reading into a shared mapping of the page
 * file, which costs a page fault per page of the image.
 */
#define BOUNCE_LEN (4UL << 20)
#define NR_BOUNCE 4
#define NR_WRITERS 2	/* the copy into the page cache is the slow part: two CPUs do it */

enum bounce_state { B_FREE, B_FULL, B_WRITING };

struct bounce {
	struct img_writer *img;
	uint8_t *buf[NR_BOUNCE];
	size_t len[NR_BOUNCE];
	uint64_t off[NR_BOUNCE];
	enum bounce_state state[NR_BOUNCE];
	int head, tail;		/* next to fill (dumper), next to write (writers) */
	bool done;
	int nr_threads;		/* writer threads running; 0: the dumper writes itself */
	int err;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread[NR_WRITERS];
	bool has_cpus;
	cpu_set_t cpus;		/* sudcr's own CPUs, before any pinning */
	struct iovec local[IOV_MAX], remote[IOV_MAX];
};

static void *bounce_writer(void *arg)
{
	struct bounce *b = arg;

	/*
	 * Our creator may be pinned to the target's CPU for injection (see
	 * inject.c): writers are only useful on every CPU.
	 */
	if (b->has_cpus)
		sched_setaffinity(0, sizeof(b->cpus), &b->cpus);
	pthread_mutex_lock(&b->lock);
	for (;;) {
		int t = b->tail, ret;

		while (b->state[t] != B_FULL && !b->done) {
			pthread_cond_wait(&b->cond, &b->lock);
			t = b->tail;
		}
		if (b->state[t] != B_FULL)
			break;
		b->state[t] = B_WRITING;
		b->tail = (t + 1) % NR_BOUNCE;
		pthread_mutex_unlock(&b->lock);
		ret = b->err ? 0 : img_pages_pwrite(b->img, b->buf[t], b->len[t], b->off[t]);
		pthread_mutex_lock(&b->lock);
		if (ret && !b->err)
			b->err = ret;
		b->state[t] = B_FREE;
		pthread_cond_broadcast(&b->cond);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

static struct bounce *bounce_start(struct img_writer *img, const struct inject_ctx *c)
{
	struct bounce *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->img = img;
	if (c->affinity_set) {
		b->cpus = c->saved_self_cpus;
		b->has_cpus = true;
	}
	for (int i = 0; i < NR_BOUNCE; i++) {
		b->buf[i] = aligned_alloc(PAGE, BOUNCE_LEN);
		if (!b->buf[i])
			goto fail;
	}
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	for (int i = 0; i < NR_WRITERS; i++) {
		if (pthread_create(&b->thread[i], NULL, bounce_writer, b))
			break;
		b->nr_threads++;
	}
	return b;
fail:
	for (int i = 0; i < NR_BOUNCE; i++)
		free(b->buf[i]);
	free(b);
	return NULL;
}

/* Wait for every buffer to be written; free everything; the first write error. */
static int bounce_finish(struct bounce *b)
{
	int ret;

	if (!b)
		return 0;
	pthread_mutex_lock(&b->lock);
	b->done = true;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
	for (int i = 0; i < b->nr_threads; i++)
		pthread_join(b->thread[i], NULL);
	ret = b->err;
	if (ret)
		sudcr_error("cannot write page data: %s", strerror(-ret));
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->cond);
	for (int i = 0; i < NR_BOUNCE; i++)
		free(b->buf[i]);
	free(b);
	return ret;
}

/* A free buffer to fill, or the writers' error. */
static int bounce_get(struct bounce *b, uint8_t **buf)
{
	int ret;

	pthread_mutex_lock(&b->lock);
	while (b->nr_threads && b->state[b->head] != B_FREE && !b->err)
		pthread_cond_wait(&b->cond, &b->lock);
	ret = b->err;
	*buf = b->buf[b->head];
	pthread_mutex_unlock(&b->lock);
	return ret;
}

static int bounce_submit(struct bounce *b, size_t len, uint64_t off)
{
	int h = b->head;

	if (!b->nr_threads) {
		int ret = img_pages_pwrite(b->img, b->buf[h], len, off);

		if (ret && !b->err)
			b->err = ret;
		return ret;
	}
	pthread_mutex_lock(&b->lock);
	b->len[h] = len;
	b->off[h] = off;
	b->state[h] = B_FULL;
	b->head = (h + 1) % NR_BOUNCE;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
	return 0;
}

static int read_chunk(pid_t pid, int memfd, bool readable, struct bounce *b, int n, size_t total)
{
	if (!readable) {
		for (int i = 0; i < n; i++) {
			ssize_t got = pread(memfd, b->local[i].iov_base, b->local[i].iov_len,
					    (uintptr_t)b->remote[i].iov_base);

			if (got != (ssize_t)b->local[i].iov_len)
				return got < 0 ? -errno : -EIO;
		}
		return 0;
	}
	ssize_t got = process_vm_readv(pid, b->local, n, b->remote, n, 0);

	if (got < 0)
		return -errno;
	return (size_t)got == total ? 0 : -EFAULT;
}

/* Fill a bounce buffer from runs[*i] on (from offset *done in it), hand it to the writer, record it. */
static int dump_chunk(struct dump_ctx *d, struct bounce *b, int memfd, bool readable,
		      const struct page_run *runs, int nr, int *i, uint64_t *done)
{
	size_t total = 0;
	uint8_t *buf;
	uint64_t off;
	int n = 0, ret;

	ret = bounce_get(b, &buf);
	if (ret)
		return ret;
	while (*i < nr && n < IOV_MAX && total < BOUNCE_LEN) {
		uint64_t start = runs[*i].start + *done;
		uint64_t len = runs[*i].end - start;

		if (len > BOUNCE_LEN - total)
			len = BOUNCE_LEN - total;
		b->local[n] = (struct iovec){ buf + total, len };
		b->remote[n] = (struct iovec){ (void *)(uintptr_t)start, len };
		n++;
		total += len;
		*done += len;
		if (runs[*i].start + *done == runs[*i].end) {
			(*i)++;
			*done = 0;
		}
	}
	ret = read_chunk(d->proc_pid, memfd, readable, b, n, total);
	if (ret) {
		sudcr_error("cannot read memory at %llx of %d: %s",
			    (unsigned long long)(uintptr_t)b->remote[0].iov_base, d->pid, strerror(-ret));
		return ret;
	}
	ret = img_pages_claim(d->img, total, &off);
	for (int k = 0; k < n && !ret; k++) {
		struct rec_pages rp = {
			.vaddr = (uintptr_t)b->remote[k].iov_base,
			.nr_pages = b->local[k].iov_len / PAGE,
			.offset = off + (b->local[k].iov_base - (void *)buf),
			.crc = img_crc32c(0, b->local[k].iov_base, b->local[k].iov_len),
		};

		ret = img_write_record(d->img, IMG_REC_PAGES, &rp, sizeof(rp));
	}
	if (!ret)
		ret = bounce_submit(b, total, off);
	return ret;
}

/* A deleted file's mapping: everything up to the end of the file. */
static int scan_all(int memfd, const struct proc_vma *v, struct page_run **runs, int *nr, int *cap)
{
	char probe;
	uint64_t end = v->start;

	while (end < v->end && pread(memfd, &probe, 1, end) == 1)
		end += PAGE;
	if (end == v->start)
		return 0;
	if (*nr == *cap) {
		struct page_run *r = realloc(*runs, (*cap + 1) * sizeof(*r));

		if (!r)
			return -ENOMEM;
		*runs = r;
		(*cap)++;
	}
	(*runs)[(*nr)++] = (struct page_run){ v->start, end };
	return 0;
}

static int dump_vma_pages(struct dump_ctx *d, const struct proc_vma *v, enum page_policy pol,
			  int pagemap, int memfd, struct bounce *b)
{
	struct page_run *runs = NULL;
	int nr = 0, cap = 0, i = 0, ret;
	uint64_t done = 0;

	if (pol == PAGES_NONE)
		return 0;
	if (pol == PAGES_ALL)
		ret = scan_all(memfd, v, &runs, &nr, &cap);
	else
		ret = scan_pages(pagemap, v->start, v->end, pol, &runs, &nr, &cap);
	if (ret) {
		sudcr_error("cannot scan pages of %llx-%llx: %s", (unsigned long long)v->start,
			    (unsigned long long)v->end, strerror(-ret));
		goto out;
	}
	while (i < nr && !ret)
		ret = dump_chunk(d, b, memfd, pol != PAGES_ALL && (v->prot & PROT_READ), runs, nr, &i, &done);
out:
	free(runs);
	return ret;
}

/*
 * A private mapping of a deleted file or memfd whose range a shared mapping
 * of the same object also maps: the object's content comes back through
 * the shared one, so only the private copies are stored, and the pages not
 * copied keep following the object, as they did.
 */
static bool covered_by_shared(const struct dump_ctx *d, const struct proc_vma *v)
{
	for (int i = 0; i < d->nr_vmas; i++) {
		const struct proc_vma *o = &d->vmas[i];

		if (o->shared && o->ino == v->ino && o->dev_major == v->dev_major &&
		    o->dev_minor == v->dev_minor && o->pgoff <= v->pgoff &&
		    o->pgoff + (o->end - o->start) >= v->pgoff + (v->end - v->start))
			return true;
	}
	return false;
}

static int dump_vma(struct dump_ctx *d, const struct proc_vma *v, int pagemap, int memfd,
		    struct bounce *b)
{
	struct {
		struct rec_vma h;
		char path[REC_PATH_MAX];
	} r;
	uint32_t flags = vma_rec_flags(v);
	int ret;

	memset(&r.h, 0, sizeof(r.h));
	r.h.start = v->start;
	r.h.end = v->end;
	r.h.pgoff = v->pgoff;
	r.h.prot = v->prot;
	r.h.flags = flags;
	r.h.vmflags = v->vmflags;
	r.h.dev = ((uint64_t)v->dev_major << 32) | v->dev_minor;
	r.h.ino = v->ino;
	r.h.shmid = -1;
	r.h.path_len = strnlen(v->path, sizeof(r.path));
	memcpy(r.path, v->path, r.h.path_len);
	ret = img_write_record(d->img, IMG_REC_VMA, &r, sizeof(r.h) + r.h.path_len);
	if (ret)
		return ret;
	enum page_policy pol = page_policy(flags);

	if (pol == PAGES_ALL && !v->shared && covered_by_shared(d, v))
		pol = PAGES_COW;
	return dump_vma_pages(d, v, pol, pagemap, memfd, b);
}

static int dump_mm_fields(struct dump_ctx *d)
{
	struct rec_mm *m = calloc(1, sizeof(*m));
	int64_t brk;
	int nr = 0, ret;

	if (!m)
		return -ENOMEM;
	m->start_code = d->stat.start_code;
	m->end_code = d->stat.end_code;
	m->start_data = d->stat.start_data;
	m->end_data = d->stat.end_data;
	m->start_brk = d->stat.start_brk;
	m->start_stack = d->stat.start_stack;
	m->arg_start = d->stat.arg_start;
	m->arg_end = d->stat.arg_end;
	m->env_start = d->stat.env_start;
	m->env_end = d->stat.env_end;
	/* brk(0) returns the current break without changing it. */
	ret = cr_inject(&d->threads[0], d->kind == ARCH_IA32 ? 45 : 12, &brk, 0, 0, 0, 0, 0, 0);
	if (ret)
		goto out;
	m->brk = (uint64_t)brk;
	ret = proc_read_auxv(d->proc_pid, d->kind == ARCH_IA32, m->auxv, 64, &nr);
	if (ret) {
		sudcr_error("cannot read auxv of %d: %s", d->pid, strerror(-ret));
		goto out;
	}
	m->auxv_len = nr;
	ret = proc_read_link(d->proc_pid, "exe", m->exe, sizeof(m->exe));
	if (ret)
		m->exe[0] = '\0';
	ret = img_write_record(d->img, IMG_REC_MM, m, sizeof(*m));
out:
	free(m);
	return ret;
}

int dump_mm(struct dump_ctx *d)
{
	struct bounce *b = NULL;
	char path[64];
	int pagemap = -1, memfd = -1, ret, err;

	ret = proc_parse_maps(d->proc_pid, &d->vmas, &d->nr_vmas);
	if (ret) {
		sudcr_error("cannot read /proc/%d/smaps: %s", d->pid, strerror(-ret));
		return ret;
	}
	for (int i = 0; i < d->nr_vmas; i++) {
		ret = check_supported(&d->vmas[i]);
		if (ret)
			return ret;
	}
	snprintf(path, sizeof(path), "/proc/%d/pagemap", d->proc_pid);
	pagemap = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/mem", d->proc_pid);
	memfd = open(path, O_RDONLY | O_CLOEXEC);
	if (pagemap < 0 || memfd < 0) {
		ret = -errno;
		sudcr_error("cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	b = bounce_start(d->img, &d->threads[0].inj);
	if (!b) {
		ret = -ENOMEM;
		goto out;
	}
	ret = dump_mm_fields(d);
	for (int i = 0; i < d->nr_vmas && !ret; i++) {
		if (d->vmas[i].kind == VMA_VSYSCALL)
			continue;
		ret = dump_vma(d, &d->vmas[i], pagemap, memfd, b);
	}
	err = bounce_finish(b);
	if (!ret)
		ret = err;
out:
	if (pagemap >= 0)
		close(pagemap);
	if (memfd >= 0)
		close(memfd);
	return ret;
}
