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

/* Read [addr, addr+len) of the target into buf; unreadable pages via /proc/PID/mem. */
static int read_target(pid_t pid, int memfd, bool readable, const struct page_run *runs, int nr,
		       uint8_t *buf)
{
	struct iovec local[IOV_MAX], remote[IOV_MAX];
	size_t off = 0;

	if (!readable) {
		for (int i = 0; i < nr; i++) {
			size_t len = runs[i].end - runs[i].start;

			if (pread(memfd, buf + off, len, runs[i].start) != (ssize_t)len)
				return errno ? -errno : -EIO;
			off += len;
		}
		return 0;
	}
	for (int i = 0; i < nr;) {
		size_t total = 0;
		int n = 0;

		for (; i < nr && n < IOV_MAX; i++, n++) {
			size_t len = runs[i].end - runs[i].start;

			local[n] = (struct iovec){ buf + off + total, len };
			remote[n] = (struct iovec){ (void *)(uintptr_t)runs[i].start, len };
			total += len;
		}
		ssize_t got = process_vm_readv(pid, local, n, remote, n, 0);

		if (got < 0)
			return -errno;
		if ((size_t)got != total)
			return -EFAULT;
		off += total;
	}
	return 0;
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
			  int pagemap, int memfd)
{
	struct page_run *runs = NULL;
	int nr = 0, cap = 0, ret;
	uint64_t total = 0, off;
	uint8_t *buf;

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
	for (int i = 0; i < nr; i++)
		total += runs[i].end - runs[i].start;
	if (!total)
		goto out;
	ret = img_pages_reserve(d->img, total, &off, (void **)&buf);
	if (ret)
		goto out;
	ret = read_target(d->pid, memfd, pol == PAGES_ALL || !(v->prot & PROT_READ), runs, nr, buf);
	if (ret) {
		sudcr_error("cannot read memory %llx-%llx of %d: %s", (unsigned long long)v->start,
			    (unsigned long long)v->end, d->pid, strerror(-ret));
		goto out;
	}
	for (int i = 0; i < nr && !ret; i++) {
		uint64_t len = runs[i].end - runs[i].start;
		struct rec_pages rp = {
			.vaddr = runs[i].start,
			.nr_pages = len / PAGE,
			.offset = off,
			.crc = img_crc32c(0, buf, len),
		};

		ret = img_write_record(d->img, IMG_REC_PAGES, &rp, sizeof(rp));
		buf += len;
		off += len;
	}
out:
	free(runs);
	return ret;
}

static int dump_vma(struct dump_ctx *d, const struct proc_vma *v, int pagemap, int memfd)
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
	return dump_vma_pages(d, v, page_policy(flags), pagemap, memfd);
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
	ret = proc_read_auxv(d->pid, d->kind == ARCH_IA32, m->auxv, 64, &nr);
	if (ret) {
		sudcr_error("cannot read auxv of %d: %s", d->pid, strerror(-ret));
		goto out;
	}
	m->auxv_len = nr;
	ret = proc_read_link(d->pid, "exe", m->exe, sizeof(m->exe));
	if (ret)
		m->exe[0] = '\0';
	ret = img_write_record(d->img, IMG_REC_MM, m, sizeof(*m));
out:
	free(m);
	return ret;
}

int dump_mm(struct dump_ctx *d)
{
	char path[64];
	int pagemap = -1, memfd = -1, ret;

	ret = proc_parse_maps(d->pid, &d->vmas, &d->nr_vmas);
	if (ret) {
		sudcr_error("cannot read /proc/%d/smaps: %s", d->pid, strerror(-ret));
		return ret;
	}
	for (int i = 0; i < d->nr_vmas; i++) {
		ret = check_supported(&d->vmas[i]);
		if (ret)
			return ret;
	}
	snprintf(path, sizeof(path), "/proc/%d/pagemap", d->pid);
	pagemap = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/mem", d->pid);
	memfd = open(path, O_RDONLY | O_CLOEXEC);
	if (pagemap < 0 || memfd < 0) {
		ret = -errno;
		sudcr_error("cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	ret = dump_mm_fields(d);
	for (int i = 0; i < d->nr_vmas && !ret; i++) {
		if (d->vmas[i].kind == VMA_VSYSCALL)
			continue;
		ret = dump_vma(d, &d->vmas[i], pagemap, memfd);
	}
out:
	if (pagemap >= 0)
		close(pagemap);
	if (memfd >= 0)
		close(memfd);
	return ret;
}
