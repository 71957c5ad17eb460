// SPDX-License-Identifier: MIT
/*
 * Memory: every mapping with its protection, flags and madvise state, the
 * mm fields (brk, arg/env area, auxv, exe), and the pages that carry data:
 * present pages only (PAGEMAP_SCAN), the zero page never, and for private
 * file mappings only the pages that were copied on write.  The mappings are
 * recorded first; then a pool of workers copies their pages into the
 * image's page files.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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
		return f | REC_VMA_MEMFD | REC_VMA_DELETED | (v->shared ? 0 : REC_VMA_OBJ_PRIVATE);
	if (v->deleted && !strcmp(v->path, "/dev/zero"))
		return f | REC_VMA_SHMEM | (v->shared ? REC_VMA_ANON : REC_VMA_OBJ_PRIVATE);
	f |= REC_VMA_FILE;
	if (v->deleted)
		f |= REC_VMA_DELETED | (v->shared ? 0 : REC_VMA_OBJ_PRIVATE);
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
	else if (v->vmflags & PROC_VMF_HT)
		why = "hugetlb mapping";
	else if (v->vmflags & PROC_VMF_SS)
		why = "shadow stack";
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
	if ((f & REC_VMA_OBJ_PRIVATE) && (f & REC_VMA_OBJ_HELD))
		return PAGES_COW;
	if ((f & REC_VMA_SHARED) && (f & REC_VMA_OBJ_HELD))
		return PAGES_NONE;
	if (f & REC_VMA_OBJ_PRIVATE)
		return PAGES_ALL;
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
	bool via_mem;		/* read through /proc/PID/mem, not process_vm_readv */
};

struct page_runs {
	struct page_run *v;
	int nr, cap;
	int vma_first;		/* runs of the current mapping start here */
	uint64_t bytes;
};

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
static int dump_page_runs(struct dump_ctx *d, const struct page_runs *runs, int memfd)
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

/* The runs of pages of mapping v to store. */
static int scan_vma(struct dump_ctx *d, const struct proc_vma *v, enum page_policy pol, int pagemap,
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
	if (ret)
		sudcr_error("cannot scan pages of %llx-%llx of %d: %s", (unsigned long long)v->start,
			    (unsigned long long)v->end, d->pid, strerror(-ret));
	return ret;
}

/*
 * The memfds and deleted files the process holds open: their content is
 * stored with its fds (files.c), so the mappings of them need not store it.
 */
struct held_files {
	bool read;
	int nr;
	struct { uint64_t dev, ino, size; } *v;
};

static int read_held_files(struct dump_ctx *d, struct held_files *h)
{
	struct proc_fd *fds;
	int nr, ret;

	h->read = true;
	ret = proc_list_fds(d->proc_pid, &fds, &nr);
	if (ret) {
		sudcr_error("cannot list the fds of %d: %s", d->pid, strerror(-ret));
		return ret;
	}
	h->v = calloc(nr ? nr : 1, sizeof(*h->v));
	if (!h->v) {
		free(fds);
		return -ENOMEM;
	}
	for (int i = 0; i < nr; i++) {
		char path[64];
		struct stat st;
		size_t l = strlen(fds[i].link);

		/* As files.c sees them: memfds and deleted regular files, not O_PATH. */
		if (l < 10 || fds[i].link[0] != '/' || strcmp(fds[i].link + l - 10, " (deleted)") ||
		    (fds[i].flags & O_PATH))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", d->proc_pid, fds[i].fd);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		h->v[h->nr].dev = ((uint64_t)major(st.st_dev) << 32) | minor(st.st_dev);
		h->v[h->nr].ino = st.st_ino;
		h->v[h->nr++].size = (uint64_t)st.st_size;
	}
	free(fds);
	return 0;
}

static bool held_by_fd(const struct held_files *h, const struct proc_vma *v)
{
	uint64_t dev = ((uint64_t)v->dev_major << 32) | v->dev_minor;

	for (int i = 0; i < h->nr; i++)
		if (h->v[i].dev == dev && h->v[i].ino == v->ino)
			return true;
	return false;
}

/*
 * Whether the content of the object v maps (memfd, shmem, deleted file) is
 * stored apart from v: by an fd of it, or by shared mappings of it that
 * cover v's part of the object (up to the object's end).
 */
static int object_held(struct dump_ctx *d, struct held_files *h, const struct proc_vma *v,
		       uint64_t *obj_size, bool *held)
{
	uint64_t dev = ((uint64_t)v->dev_major << 32) | v->dev_minor;
	uint64_t want_s = v->pgoff, want_e = v->pgoff + (v->end - v->start);
	bool progress = true;
	int ret;

	*held = false;
	if (strcmp(v->path, "/dev/zero")) {
		if (!h->read) {
			ret = read_held_files(d, h);
			if (ret)
				return ret;
		}
		for (int i = 0; i < h->nr && !*held; i++) {
			if (h->v[i].dev == dev && h->v[i].ino == v->ino) {
				*held = true;
				if (!*obj_size)
					*obj_size = h->v[i].size;
			}
		}
		if (*held)
			return 0;
	}
	if (v->shared)
		return 0;	/* it is itself what stores the content */
	if (*obj_size && want_e > *obj_size)
		want_e = *obj_size;
	/* Shared mappings of it, in any order, must cover [want_s, want_e). */
	while (want_s < want_e && progress) {
		progress = false;
		for (int i = 0; i < d->nr_vmas; i++) {
			const struct proc_vma *o = &d->vmas[i];

			if (o->shared && o->ino == v->ino && o->dev_major == v->dev_major &&
			    o->dev_minor == v->dev_minor && o->pgoff <= want_s &&
			    o->pgoff + (o->end - o->start) > want_s) {
				want_s = o->pgoff + (o->end - o->start);
				progress = true;
			}
		}
	}
	*held = want_s >= want_e;
	return 0;
}

/*
 * Size (and memfd seals) of the object a mapping maps, through
 * /proc/PID/map_files (which needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN).
 * A private view of it needs the size: the pages past the object's end
 * must fault as they did.
 */
static int object_info(struct dump_ctx *d, const struct proc_vma *v, uint64_t *size, uint32_t *seals)
{
	char path[96];
	struct stat st;
	int fd, err;

	*size = 0;
	*seals = 0;
	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", d->proc_pid,
		 (unsigned long long)v->start, (unsigned long long)v->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = errno;
		if (fd >= 0)
			close(fd);
		return -err;	/* the caller says whether it matters */
	}
	*size = (uint64_t)st.st_size;
	if (!strncmp(v->path, "/memfd:", 7)) {
		int r = fcntl(fd, F_GET_SEALS);

		*seals = r < 0 ? 0 : (uint32_t)r;
	}
	close(fd);
	return 0;
}

/* The VMA record of v; its pages are added to runs, stored later. */
static int dump_vma(struct dump_ctx *d, const struct proc_vma *v, int pagemap, int memfd,
		    struct held_files *held, struct page_runs *runs)
{
	struct {
		struct rec_vma h;
		char path[REC_PATH_MAX];
	} r;
	uint32_t flags = vma_rec_flags(v);
	size_t plen = strlen(v->path);
	int ret;

	if (plen >= sizeof(r.path)) {
		sudcr_error("cannot dump mapping %llx-%llx: path too long", (unsigned long long)v->start,
			    (unsigned long long)v->end);
		return -ENAMETOOLONG;
	}
	memset(&r.h, 0, sizeof(r.h));
	if (flags & (REC_VMA_MEMFD | REC_VMA_SHMEM | REC_VMA_DELETED)) {
		bool is_held = false;
		int info = object_info(d, v, &r.h.obj_size, &r.h.obj_seals);

		if (!(flags & REC_VMA_ANON)) {
			ret = object_held(d, held, v, &r.h.obj_size, &is_held);
			if (ret)
				return ret;
		}
		/*
		 * A private view that follows its object must know where the
		 * object ends (the pages past it fault); one that stores all
		 * it reads, as before, is sized by its mappings.
		 */
		if (info && is_held && (flags & REC_VMA_OBJ_PRIVATE) && !r.h.obj_size) {
			sudcr_error("mapping %llx-%llx (%s): cannot read the size of the object it maps (/proc/%d/map_files): %s",
				    (unsigned long long)v->start, (unsigned long long)v->end, v->path,
				    d->proc_pid, strerror(-info));
			return info;
		}
		if (is_held)
			flags |= REC_VMA_OBJ_HELD;
		/* Made again for its mappings alone, it could not be both filled and sealed. */
		if ((flags & REC_VMA_MEMFD) && !is_held && (r.h.obj_seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) &&
		    !held_by_fd(held, v)) {
			sudcr_error("mapping %llx-%llx (%s): a memfd with write seals that no fd holds is not supported yet",
				    (unsigned long long)v->start, (unsigned long long)v->end, v->path);
			return -EOPNOTSUPP;
		}
	}
	r.h.start = v->start;
	r.h.end = v->end;
	r.h.pgoff = v->pgoff;
	r.h.prot = v->prot;
	r.h.flags = flags;
	r.h.vmflags = v->vmflags;
	r.h.dev = ((uint64_t)v->dev_major << 32) | v->dev_minor;
	r.h.ino = v->ino;
	r.h.shmid = -1;
	r.h.path_len = (uint32_t)plen;
	memcpy(r.path, v->path, plen);
	ret = img_write_record(d->img, IMG_REC_VMA, &r, sizeof(r.h) + r.h.path_len);
	if (ret)
		return ret;
	return scan_vma(d, v, page_policy(flags), pagemap, memfd, runs);
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
	ret = cr_inject(&d->threads[0], arch_sc_nr(d->kind, SC_BRK), &brk, 0, 0, 0, 0, 0, 0);
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

/* VmLck of /proc/PID/status, in kB. */
static int read_vmlck(struct dump_ctx *d, uint64_t *kb)
{
	char path[64], *buf, *p;
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/status", d->proc_pid);
	ret = proc_read_file(path, &buf, &len);
	if (ret)
		return ret;
	p = strstr(buf, "\nVmLck:");
	ret = p && sscanf(p + 7, " %" SCNu64, kb) == 1 ? 0 : -EINVAL;
	free(buf);
	return ret;
}

/*
 * mlockall(MCL_FUTURE) leaves no trace in /proc but in the mappings made
 * afterwards: map a page by injection and see whether it counts in VmLck
 * (locked), and whether it was faulted in at once (not MCL_ONFAULT).
 * Cheaper than reading smaps again, which walks every page table.
 */
static int read_mlockall(struct dump_ctx *d, int pagemap, uint32_t *mcl)
{
	struct cr_thread *th = &d->threads[0];
	uint64_t before, after, pme = 0;
	int64_t addr, res;
	int ret, err;

	ret = read_vmlck(d, &before);
	if (ret)
		goto out_read;
	ret = cr_inject(th, arch_sc_nr(th->inj.kind, SC_MMAP), &addr, 0, PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0);
	if (ret)
		return ret;
	if (addr < 0 && addr > -4096) {
		sudcr_error("cannot map a page in %d to read its mlockall state: %s", d->pid, strerror((int)-addr));
		return (int)addr;
	}
	if (th->inj.kind == ARCH_IA32)
		addr = (uint32_t)addr;
	ret = read_vmlck(d, &after);
	if (!ret && after > before &&
	    pread(pagemap, &pme, sizeof(pme), (uint64_t)addr / PAGE * sizeof(pme)) != sizeof(pme))
		ret = -errno;
	err = cr_inject(th, arch_sc_nr(th->inj.kind, SC_MUNMAP), &res, (uint64_t)addr, PAGE, 0, 0, 0, 0);
	if (!ret && (err || res))
		ret = err ? err : (int)res;
	if (ret)
		goto out_read;
	*mcl = after > before ? MCL_FUTURE | (pme & (1ULL << 63) ? 0 : MCL_ONFAULT) : 0;
	return 0;
out_read:
	sudcr_error("cannot read the mlockall state of %d: %s", d->pid, strerror(-ret));
	return ret;
}

static int dump_mm_attrs(struct dump_ctx *d, int pagemap)
{
	struct rec_mm_attrs rec = { 0 };
	int ret;

	/* KSM for the whole process (PR_SET_MEMORY_MERGE) is a process attribute: procattr.c. */
	ret = read_mlockall(d, pagemap, &rec.mlockall);
	if (ret)
		return ret;
	if (!rec.mlockall)
		return 0;
	return img_write_record(d->img, IMG_REC_MM_ATTRS, &rec, sizeof(rec));
}

int dump_mm(struct dump_ctx *d)
{
	struct held_files held = { 0 };
	struct page_runs runs = { 0 };
	char path[64];
	int pagemap = -1, memfd = -1, ret;

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
		sudcr_error("cannot open %s: %s", path, strerror(-ret));
		goto out;
	}
	ret = dump_mm_fields(d);
	/* Every VMA record comes before the PAGES records that point into it. */
	for (int i = 0; i < d->nr_vmas && !ret; i++) {
		if (d->vmas[i].kind == VMA_VSYSCALL)
			continue;
		ret = dump_vma(d, &d->vmas[i], pagemap, memfd, &held, &runs);
	}
	if (!ret)
		ret = dump_page_runs(d, &runs, memfd);
	if (!ret)
		ret = dump_mm_attrs(d, pagemap);
out:
	free(held.v);
	free(runs.v);
	if (pagemap >= 0)
		close(pagemap);
	if (memfd >= 0)
		close(memfd);
	return ret;
}
