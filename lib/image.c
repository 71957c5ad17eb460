// SPDX-License-Identifier: MIT
/*
 * The image container: core.img (typed, checksummed records) and the page
 * files pages-0.img, pages-1.img, ... (page data at 4096-aligned offsets).  docs/image-format.md describes the
 * bytes; this file must stay in step with it.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image.h"
#include <sudcr/log.h>

#define CORE_NAME	"core.img"
#define CORE_TMP	".core.img.tmp"
#define PAGES_NAME_MAX	32
/* A temporary's name once linked: its base name, '.', 8 hex digits. */
#define TMP_NAME_MAX	(PAGES_NAME_MAX + 16)

/* Page file k is pages-K.img, written as .pages-K.img.tmp. */
static const char *page_file_name(char buf[PAGES_NAME_MAX], unsigned int k, bool tmp)
{
	snprintf(buf, PAGES_NAME_MAX, tmp ? ".pages-%u.img.tmp" : "pages-%u.img", k);
	return buf;
}

static const char core_magic[8] = { 'S', 'U', 'D', 'C', 'R', 'I', 'M', 'G' };
static const char pages_magic[8] = { 'S', 'U', 'D', 'C', 'R', 'P', 'G', 'S' };

/* All fields little-endian. */
struct img_file_hdr {
	char magic[8];
	uint32_t version;
	uint32_t hdr_size;
	uint64_t count;		/* core.img: records; page file: data bytes */
	uint64_t image_id;	/* the same in every file of one image */
	uint64_t reserved;
	uint32_t files;		/* core.img: page files; page file: its index */
	uint32_t crc;		/* crc32c of the bytes before it */
};

struct img_rec_hdr {
	uint32_t type;
	uint32_t flags;
	uint64_t len;
	uint32_t payload_crc;
	uint32_t crc;		/* crc32c of the bytes before it */
};

_Static_assert(sizeof(struct img_file_hdr) == 48, "file header layout");
_Static_assert(offsetof(struct img_file_hdr, crc) == 44, "file header layout");
_Static_assert(sizeof(struct img_rec_hdr) == 24, "record header layout");
_Static_assert(offsetof(struct img_rec_hdr, crc) == 20, "record header layout");

#define CORE_HDR_SIZE	sizeof(struct img_file_hdr)
#define PAGES_HDR_SIZE	IMG_PAGE_SIZE
#define REC_HDR_SIZE	sizeof(struct img_rec_hdr)
#define END_REC_SIZE	(REC_HDR_SIZE + sizeof(uint64_t))

static inline uint64_t align8(uint64_t v)
{
	return (v + 7) & ~(uint64_t)7;
}

static void file_hdr_fill(struct img_file_hdr *h, const char *magic,
			  uint32_t hdr_size, uint64_t count, uint64_t id,
			  uint32_t files)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, magic, sizeof(h->magic));
	h->version = htole32(IMG_FORMAT_VERSION);
	h->hdr_size = htole32(hdr_size);
	h->count = htole64(count);
	h->image_id = htole64(id);
	h->files = htole32(files);
	h->crc = htole32(img_crc32c(0, h, offsetof(struct img_file_hdr, crc)));
}

static void rec_hdr_fill(struct img_rec_hdr *h, uint32_t type, uint32_t flags,
			 const void *data, size_t len)
{
	h->type = htole32(type);
	h->flags = htole32(flags);
	h->len = htole64(len);
	h->payload_crc = htole32(img_crc32c(0, data, len));
	h->crc = htole32(img_crc32c(0, h, offsetof(struct img_rec_hdr, crc)));
}

/* Whole-buffer pread/pwrite: 0, or -EIO if the file ended early, or -errno. */
static int pio_full(int fd, void *buf, size_t len, uint64_t off, bool write)
{
	char *p = buf;

	while (len) {
		ssize_t n = write ? pwrite(fd, p, len, off) : pread(fd, p, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= n;
		off += n;
	}
	return 0;
}

static int pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	return pio_full(fd, (void *)buf, len, off, true);
}

static int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	return pio_full(fd, buf, len, off, false);
}

/* Writer */

#define CORE_BUF_SIZE	(64u << 10)
/* Page data is mapped in chunks that double from CHUNK_MIN to CHUNK_MAX. */
#define CHUNK_MIN	(16ull << 20)
#define CHUNK_MAX	(1ull << 30)

struct img_chunk {
	unsigned char *addr;	/* mapping of the page file from offset off */
	uint64_t off;
	size_t len;
};

struct img_wpages {
	int fd;
	bool renamed;
	char tmp[TMP_NAME_MAX];		/* its temporary name; "" while it has none */
	uint64_t end;			/* end of reserved page data */
	uint64_t alloc;			/* allocated on disk up to here */
	struct img_chunk *chunks;
	size_t nr_chunks;
	size_t chunks_cap;
};

struct img_writer {
	char *dir;
	int dirfd;
	int core_fd;
	unsigned int flags;
	bool sync;
	bool core_renamed;
	char core_tmp[TMP_NAME_MAX];	/* as img_wpages.tmp */
	int err;			/* first I/O error; then only abort */
	uint64_t image_id;
	uint64_t nr_records;

	unsigned char *buf;		/* core.img bytes not yet written */
	size_t buf_used;
	uint64_t core_written;		/* bytes of core.img already written */

	unsigned int nr_pages;		/* page files */
	struct img_wpages pages[IMG_PAGE_FILES_MAX];
	bool no_fallocate;
};

static uint64_t new_image_id(void)
{
	struct timespec ts;
	uint64_t id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) == sizeof(id))
		return id;
	/* Only needs to tell two images apart, not to be unpredictable. */
	clock_gettime(CLOCK_REALTIME, &ts);
	id = (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec;
	id ^= (uint64_t)getpid() << 40;
	return id * 0x9e3779b97f4a7c15ull;
}

/* Latch the first I/O error: the image is broken past this point. */
static int writer_fail(struct img_writer *w, int err)
{
	if (!w->err)
		w->err = err;
	return err;
}

static int core_flush(struct img_writer *w)
{
	int ret;

	if (!w->buf_used)
		return 0;
	ret = pwrite_full(w->core_fd, w->buf, w->buf_used, w->core_written);
	if (ret) {
		sudcr_error("%s/%s: write failed: %s", w->dir, CORE_TMP,
			    strerror(-ret));
		return writer_fail(w, ret);
	}
	w->core_written += w->buf_used;
	w->buf_used = 0;
	return 0;
}

static int core_append(struct img_writer *w, const void *data, size_t len)
{
	int ret;

	if (len > CORE_BUF_SIZE - w->buf_used) {
		ret = core_flush(w);
		if (ret)
			return ret;
	}
	if (len >= CORE_BUF_SIZE) {
		/* Large payloads go straight to the file. */
		ret = pwrite_full(w->core_fd, data, len, w->core_written);
		if (ret) {
			sudcr_error("%s/%s: write failed: %s", w->dir,
				    CORE_TMP, strerror(-ret));
			return writer_fail(w, ret);
		}
		w->core_written += len;
		return 0;
	}
	if (len)
		memcpy(w->buf + w->buf_used, data, len);
	w->buf_used += len;
	return 0;
}

static int core_append_record(struct img_writer *w, uint32_t type,
			      uint32_t flags, const void *data, size_t len)
{
	static const unsigned char zeros[8];
	struct img_rec_hdr h;
	int ret;

	rec_hdr_fill(&h, type, flags, data, len);
	ret = core_append(w, &h, sizeof(h));
	if (!ret)
		ret = core_append(w, data, len);
	if (!ret)
		ret = core_append(w, zeros, align8(len) - len);
	return ret;
}

/*
 * A new temporary file for @base (".core.img.tmp", ".pages-K.img.tmp"),
 * 0600.  Nothing that is in the directory already is ever opened: an
 * O_TMPFILE has no name until link_tmp() gives it a fresh one, so a hard
 * link or symlink planted at any name is left as it is.  Where the file
 * system lacks O_TMPFILE, @base is removed (the entry, not what it links
 * to) and created anew with O_EXCL|O_NOFOLLOW.  *tmp is its name, "" for
 * an O_TMPFILE.
 */
static int open_tmp(struct img_writer *w, const char *base, int *fd, char tmp[TMP_NAME_MAX])
{
	int ret;

	tmp[0] = '\0';
	*fd = openat(w->dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (*fd < 0 && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
		ret = -errno;
		sudcr_error("%s: cannot create a temporary file: %s", w->dir, strerror(-ret));
		return ret;
	}
	if (*fd < 0) {
		if (unlinkat(w->dirfd, base, 0) && errno != ENOENT) {
			ret = -errno;
			sudcr_error("%s/%s: cannot remove: %s", w->dir, base, strerror(-ret));
			return ret;
		}
		*fd = openat(w->dirfd, base, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (*fd < 0) {
			ret = -errno;
			sudcr_error("%s/%s: cannot create: %s", w->dir, base, strerror(-ret));
			return ret;
		}
		snprintf(tmp, TMP_NAME_MAX, "%s", base);
	}
	/* Exactly 0600 whatever the umask: the file is our own new one. */
	if (fchmod(*fd, 0600)) {
		ret = -errno;
		sudcr_error("%s/%s: cannot chmod: %s", w->dir, base, strerror(-ret));
		return ret;
	}
	return 0;
}

/*
 * Give the O_TMPFILE @fd a name in the directory, "@base.XXXXXXXX" with
 * random hex digits; linkat() never replaces an entry, so a name someone
 * took meanwhile is skipped.  Linking by the fd itself needs
 * CAP_DAC_READ_SEARCH; through /proc/self/fd it does not.
 */
static int link_tmp(struct img_writer *w, int fd, const char *base, char tmp[TMP_NAME_MAX])
{
	char proc[64];
	int ret = -EEXIST;

	if (tmp[0])
		return 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (int i = 0; i < 64 && ret == -EEXIST; i++) {
		uint32_t rnd = (uint32_t)(new_image_id() >> 16);

		snprintf(tmp, TMP_NAME_MAX, "%s.%08x", base, rnd);
		if (!linkat(fd, "", w->dirfd, tmp, AT_EMPTY_PATH) ||
		    ((errno == ENOENT || errno == EPERM) &&
		     !linkat(AT_FDCWD, proc, w->dirfd, tmp, AT_SYMLINK_FOLLOW)))
			return 0;
		ret = -errno;
	}
	tmp[0] = '\0';
	sudcr_error("%s: cannot give %s a name: %s", w->dir, base, strerror(-ret));
	return writer_fail(w, ret);
}

int img_writer_open_flags(struct img_writer **wp, const char *dir,
			  unsigned int flags)
{
	struct img_writer *w;
	struct stat st;
	int ret;

	*wp = NULL;
	if (flags & ~IMG_W_OVERWRITE) {
		sudcr_error("%s: unknown image writer flags 0x%x", dir,
			    flags & ~IMG_W_OVERWRITE);
		return -EINVAL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->dirfd = w->core_fd = -1;
	for (unsigned int k = 0; k < IMG_PAGE_FILES_MAX; k++)
		w->pages[k] = (struct img_wpages){ .fd = -1, .end = PAGES_HDR_SIZE };
	w->flags = flags;
	w->sync = true;
	w->image_id = new_image_id();
	w->dir = strdup(dir);
	w->buf = malloc(CORE_BUF_SIZE);
	if (!w->dir || !w->buf) {
		ret = -ENOMEM;
		goto out_free;
	}

	if (mkdir(dir, 0700) && errno != EEXIST) {
		ret = -errno;
		sudcr_error("%s: cannot create image directory: %s", dir,
			    strerror(-ret));
		goto out_free;
	}
	w->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->dirfd < 0) {
		ret = -errno;
		sudcr_error("%s: cannot open image directory: %s", dir,
			    strerror(-ret));
		goto out_free;
	}
	/* What a restore would refuse to read (see check_owner()) is not written. */
	if (fstat(w->dirfd, &st)) {
		ret = -errno;
		sudcr_error("%s: %s", dir, strerror(-ret));
		goto out_free;
	}
	if ((st.st_uid != geteuid() && st.st_uid != 0) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		sudcr_error("%s: %s: others could change an image there, and a restore would refuse it",
			    dir, st.st_mode & (S_IWGRP | S_IWOTH) ? "writable by group or others" :
			    "owned by another user");
		ret = -EPERM;
		goto out_free;
	}
	/* The temporaries have fixed names: one writer per directory. */
	if (flock(w->dirfd, LOCK_EX | LOCK_NB)) {
		ret = errno == EWOULDBLOCK ? -EBUSY : -errno;
		if (ret == -EBUSY)
			sudcr_error("%s: another image is being written there",
				    dir);
		else
			sudcr_error("%s: cannot lock image directory: %s", dir,
				    strerror(-ret));
		goto out_free;
	}
	if (!fstatat(w->dirfd, CORE_NAME, &st, AT_SYMLINK_NOFOLLOW)) {
		if (!(flags & IMG_W_OVERWRITE)) {
			sudcr_error("%s: already holds an image (%s); refusing to overwrite it",
				    dir, CORE_NAME);
			ret = -EEXIST;
			goto out_free;
		}
	} else if (errno != ENOENT) {
		ret = -errno;
		sudcr_error("%s/%s: %s", dir, CORE_NAME, strerror(-ret));
		goto out_free;
	}

	ret = open_tmp(w, CORE_TMP, &w->core_fd, w->core_tmp);
	if (ret)
		goto out_abort;
	ret = img_writer_set_page_files(w, 1);
	if (ret)
		goto out_abort;

	/* The header is written at commit, when the count is known. */
	memset(w->buf, 0, CORE_HDR_SIZE);
	w->buf_used = CORE_HDR_SIZE;
	*wp = w;
	return 0;

out_abort:
	img_writer_abort(w);
	return ret;
out_free:
	if (w->dirfd >= 0)
		close(w->dirfd);
	free(w->buf);
	free(w->dir);
	free(w);
	return ret;
}

int img_writer_open(struct img_writer **w, const char *dir)
{
	return img_writer_open_flags(w, dir, 0);
}

void img_writer_set_sync(struct img_writer *w, bool sync)
{
	w->sync = sync;
}

int img_writer_set_page_files(struct img_writer *w, unsigned int n)
{
	char name[PAGES_NAME_MAX];
	int ret;

	if (!n || n > IMG_PAGE_FILES_MAX) {
		sudcr_error("%s: %u page files: must be 1 to %u", w->dir, n,
			    IMG_PAGE_FILES_MAX);
		return -EINVAL;
	}
	for (unsigned int k = 0; k < IMG_PAGE_FILES_MAX; k++) {
		if (w->pages[k].end != PAGES_HDR_SIZE) {
			sudcr_error("%s: page files set after page data was written",
				    w->dir);
			return -EINVAL;
		}
	}
	for (unsigned int k = n; k < w->nr_pages; k++) {
		close(w->pages[k].fd);
		if (w->pages[k].tmp[0])
			unlinkat(w->dirfd, w->pages[k].tmp, 0);
		w->pages[k].tmp[0] = '\0';
		w->pages[k].fd = -1;
	}
	for (unsigned int k = w->nr_pages; k < n; k++) {
		ret = open_tmp(w, page_file_name(name, k, true), &w->pages[k].fd, w->pages[k].tmp);
		if (ret) {
			w->nr_pages = k;
			return writer_fail(w, ret);
		}
	}
	w->nr_pages = n;
	return 0;
}

unsigned int img_writer_page_files(const struct img_writer *w)
{
	return w->nr_pages;
}

int img_write_record_flags(struct img_writer *w, uint32_t type,
			   uint32_t flags, const void *data, size_t len)
{
	uint64_t size;
	int ret;

	if (w->err)
		return w->err;
	if (type == IMG_REC_END) {
		sudcr_error("%s: record type 0 is reserved for the END record",
			    w->dir);
		return -EINVAL;
	}
	if (flags & ~IMG_REC_FLAGS_KNOWN) {
		sudcr_error("%s: record type %u: unknown record flags 0x%x",
			    w->dir, type, flags & ~IMG_REC_FLAGS_KNOWN);
		return -EINVAL;
	}
	if (len > IMG_RECORD_MAX) {
		sudcr_error("%s: record type %u: %zu bytes, more than the limit of %u",
			    w->dir, type, len, IMG_RECORD_MAX);
		return -EFBIG;
	}
	if (len && !data) {
		sudcr_error("%s: record type %u: no data", w->dir, type);
		return -EINVAL;
	}
	size = w->core_written + w->buf_used + REC_HDR_SIZE + align8(len);
	if (size + END_REC_SIZE > IMG_CORE_MAX) {
		sudcr_error("%s/%s: image metadata would exceed the limit of %llu bytes",
			    w->dir, CORE_NAME, (unsigned long long)IMG_CORE_MAX);
		return -EFBIG;
	}
	ret = core_append_record(w, type, flags, data, len);
	if (ret)
		return ret;
	w->nr_records++;
	return 0;
}

int img_write_record(struct img_writer *w, uint32_t type, const void *data,
		     size_t len)
{
	return img_write_record_flags(w, type, 0, data, len);
}

static int zero_fill(int fd, uint64_t off, uint64_t len)
{
	static const unsigned char zeros[64 << 10];
	int ret;

	while (len) {
		size_t n = len < sizeof(zeros) ? len : sizeof(zeros);

		ret = pwrite_full(fd, zeros, n, off);
		if (ret)
			return ret;
		off += n;
		len -= n;
	}
	return 0;
}

/*
 * Allocate disk space for page file k up to end, so that a full disk
 * shows up here as an error and not later as a SIGBUS on the shared
 * mapping.  Without fallocate(2), writing zeros does the same, more slowly.
 */
static int pages_allocate(struct img_writer *w, unsigned int k, uint64_t end)
{
	struct img_wpages *f = &w->pages[k];
	uint64_t len = end - f->alloc;
	char name[PAGES_NAME_MAX];
	int ret = 0;

	if (end <= f->alloc)
		return 0;
	if (!w->no_fallocate) {
		if (!fallocate(f->fd, 0, f->alloc, len))
			goto out;
		ret = -errno;
		if (ret != -EOPNOTSUPP && ret != -ENOSYS)
			goto out_err;
		w->no_fallocate = true;
		sudcr_debug("%s: file system without fallocate, writing zeros",
			    w->dir);
	}
	ret = zero_fill(f->fd, f->alloc, len);
	if (ret)
		goto out_err;
out:
	f->alloc = end;
	return 0;
out_err:
	sudcr_error("%s/%s: cannot allocate %llu bytes of page data: %s",
		    w->dir, page_file_name(name, k, true),
		    (unsigned long long)len, strerror(-ret));
	/* Give back what fallocate may have taken before failing. */
	if (ftruncate(f->fd, f->alloc))
		sudcr_debug("%s/%s: ftruncate: %m", w->dir, name);
	return writer_fail(w, ret);
}

static int pages_map_chunk(struct img_writer *w, unsigned int k,
			   uint64_t start, size_t len)
{
	struct img_wpages *f = &w->pages[k];
	uint64_t sys_page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t map_off = start & ~(sys_page - 1);
	uint64_t size = CHUNK_MIN;
	char name[PAGES_NAME_MAX];
	struct img_chunk *c;
	size_t i;
	void *addr;

	for (i = 0; i < f->nr_chunks && size < CHUNK_MAX; i++)
		size <<= 1;
	if (size < len + (start - map_off))
		size = len + (start - map_off);
	if (size > SIZE_MAX) {
		sudcr_error("%s/%s: page data too large to map", w->dir,
			    page_file_name(name, k, true));
		return -EFBIG;
	}
	if (f->nr_chunks == f->chunks_cap) {
		size_t cap = f->chunks_cap ? 2 * f->chunks_cap : 16;

		c = realloc(f->chunks, cap * sizeof(*c));
		if (!c)
			return -ENOMEM;
		f->chunks = c;
		f->chunks_cap = cap;
	}
	/* The mapping may reach past EOF: only allocated parts are used. */
	addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd,
		    map_off);
	if (addr == MAP_FAILED) {
		int ret = -errno;

		sudcr_error("%s/%s: cannot map %llu bytes of page data: %s",
			    w->dir, page_file_name(name, k, true),
			    (unsigned long long)size, strerror(-ret));
		return ret;
	}
	c = &f->chunks[f->nr_chunks++];
	c->addr = addr;
	c->off = map_off;
	c->len = size;
	return 0;
}

/* Checks common to reserve and claim: the range [*start, *end) in file k. */
static int pages_range(struct img_writer *w, unsigned int k, size_t len,
		       uint64_t *start, uint64_t *end)
{
	char name[PAGES_NAME_MAX];

	if (w->err)
		return w->err;
	if (k >= w->nr_pages) {
		sudcr_error("%s: page file %u of %u", w->dir, k, w->nr_pages);
		return -EINVAL;
	}
	if (!len || len % IMG_PAGE_SIZE) {
		sudcr_error("%s: page data of %zu bytes: not a positive multiple of %u",
			    w->dir, len, IMG_PAGE_SIZE);
		return -EINVAL;
	}
	*start = w->pages[k].end;
	if (__builtin_add_overflow(*start, len, end) || *end > INT64_MAX) {
		sudcr_error("%s/%s: page data too large", w->dir,
			    page_file_name(name, k, true));
		return -EFBIG;
	}
	return 0;
}

int img_pages_reserve(struct img_writer *w, unsigned int k, size_t len,
		      uint64_t *off, void **ptr)
{
	struct img_wpages *f;
	uint64_t start, end;
	struct img_chunk *c;
	int ret;

	ret = pages_range(w, k, len, &start, &end);
	if (ret)
		return ret;
	f = &w->pages[k];
	ret = pages_allocate(w, k, end);
	if (ret)
		return ret;
	c = f->nr_chunks ? &f->chunks[f->nr_chunks - 1] : NULL;
	if (!c || end > c->off + c->len) {
		ret = pages_map_chunk(w, k, start, len);
		if (ret)
			return writer_fail(w, ret);
		c = &f->chunks[f->nr_chunks - 1];
	}
	*off = start;
	*ptr = c->addr + (start - c->off);
	f->end = end;
	return 0;
}

int img_pages_claim(struct img_writer *w, unsigned int k, size_t len,
		    uint64_t *off)
{
	uint64_t start, end;
	int ret;

	ret = pages_range(w, k, len, &start, &end);
	if (ret)
		return ret;
	*off = start;
	w->pages[k].end = end;
	if (end > w->pages[k].alloc)
		w->pages[k].alloc = end;
	return 0;
}

int img_pages_pwrite(struct img_writer *w, unsigned int k, const void *buf,
		     size_t len, uint64_t off)
{
	return pwrite_full(w->pages[k].fd, buf, len, off);
}

static void writer_unmap(struct img_writer *w)
{
	for (unsigned int k = 0; k < w->nr_pages; k++) {
		struct img_wpages *f = &w->pages[k];

		for (size_t i = 0; i < f->nr_chunks; i++)
			munmap(f->chunks[i].addr, f->chunks[i].len);
		f->nr_chunks = 0;
	}
}

static int writer_fsync(struct img_writer *w, int fd, const char *name)
{
	int ret;

	if (!w->sync || !fsync(fd))
		return 0;
	ret = -errno;
	sudcr_error("%s/%s: fsync: %s", w->dir, name, strerror(-ret));
	return writer_fail(w, ret);
}

static int writer_rename(struct img_writer *w, const char *from,
			 const char *to, bool replace)
{
	int ret;

	if (!renameat2(w->dirfd, from, w->dirfd, to,
		       replace ? 0 : RENAME_NOREPLACE))
		return 0;
	ret = -errno;
	/* File systems without RENAME_NOREPLACE: the check at open must do. */
	if (ret == -EINVAL && !replace) {
		if (!renameat(w->dirfd, from, w->dirfd, to))
			return 0;
		ret = -errno;
	}
	if (ret == -EEXIST)
		sudcr_error("%s: %s appeared while the image was being written",
			    w->dir, to);
	else
		sudcr_error("%s: cannot rename %s to %s: %s", w->dir, from, to,
			    strerror(-ret));
	return writer_fail(w, ret);
}

/* Header page, size, fsync of page file k. */
static int pages_finish(struct img_writer *w, unsigned int k)
{
	union {
		struct img_file_hdr h;
		unsigned char bytes[PAGES_HDR_SIZE];
	} page;
	struct img_wpages *f = &w->pages[k];
	char name[PAGES_NAME_MAX];
	int ret;

	memset(&page, 0, sizeof(page));
	file_hdr_fill(&page.h, pages_magic, PAGES_HDR_SIZE,
		      f->end - PAGES_HDR_SIZE, w->image_id, k);
	ret = pwrite_full(f->fd, page.bytes, sizeof(page.bytes), 0);
	if (!ret && ftruncate(f->fd, f->end))
		ret = -errno;
	if (ret) {
		sudcr_error("%s/%s: write failed: %s", w->dir,
			    page_file_name(name, k, true), strerror(-ret));
		return writer_fail(w, ret);
	}
	return writer_fsync(w, f->fd, page_file_name(name, k, true));
}

static void writer_free(struct img_writer *w)
{
	for (unsigned int k = 0; k < IMG_PAGE_FILES_MAX; k++)
		free(w->pages[k].chunks);
	free(w->buf);
	free(w->dir);
	free(w);
}

int img_writer_commit(struct img_writer *w)
{
	char name[PAGES_NAME_MAX], tmp[PAGES_NAME_MAX];
	struct img_file_hdr h;
	uint64_t end_count;
	int ret;

	if (w->err) {
		ret = w->err;
		goto out_abort;
	}

	end_count = htole64(w->nr_records);
	ret = core_append_record(w, IMG_REC_END, 0, &end_count,
				 sizeof(end_count));
	if (!ret)
		ret = core_flush(w);
	if (ret)
		goto out_abort;
	file_hdr_fill(&h, core_magic, CORE_HDR_SIZE, w->nr_records,
		      w->image_id, w->nr_pages);
	ret = pwrite_full(w->core_fd, &h, sizeof(h), 0);
	if (ret) {
		sudcr_error("%s/%s: write failed: %s", w->dir, CORE_TMP,
			    strerror(-ret));
		goto out_abort;
	}

	writer_unmap(w);
	for (unsigned int k = 0; k < w->nr_pages && !ret; k++)
		ret = pages_finish(w, k);
	if (!ret)
		ret = writer_fsync(w, w->core_fd, CORE_TMP);
	if (ret)
		goto out_abort;

	/*
	 * Without core.img a directory is not an image: drop the old one
	 * before its page files are replaced (or removed, if it had more),
	 * and put the new one in last.  The image id in every header
	 * catches any mix-up that remains.
	 */
	if (w->flags & IMG_W_OVERWRITE) {
		if (unlinkat(w->dirfd, CORE_NAME, 0) && errno != ENOENT) {
			ret = -errno;
			sudcr_error("%s: cannot remove the old %s: %s", w->dir,
				    CORE_NAME, strerror(-ret));
			goto out_abort;
		}
		for (unsigned int k = w->nr_pages; k < IMG_PAGE_FILES_MAX; k++)
			unlinkat(w->dirfd, page_file_name(name, k, false), 0);
	}
	for (unsigned int k = 0; k < w->nr_pages; k++) {
		ret = link_tmp(w, w->pages[k].fd, page_file_name(tmp, k, true), w->pages[k].tmp);
		if (!ret)
			ret = writer_rename(w, w->pages[k].tmp, page_file_name(name, k, false), true);
		if (ret)
			goto out_abort;
		w->pages[k].renamed = true;
	}
	ret = writer_fsync(w, w->dirfd, ".");
	if (!ret)
		ret = link_tmp(w, w->core_fd, CORE_TMP, w->core_tmp);
	if (!ret)
		ret = writer_rename(w, w->core_tmp, CORE_NAME,
				    w->flags & IMG_W_OVERWRITE);
	if (ret)
		goto out_abort;
	w->core_renamed = true;
	ret = writer_fsync(w, w->dirfd, ".");
	if (ret)
		goto out_abort;	/* in place but maybe not durable: undo */

	close(w->core_fd);
	for (unsigned int k = 0; k < w->nr_pages; k++)
		close(w->pages[k].fd);
	close(w->dirfd);
	writer_free(w);
	return 0;

out_abort:
	img_writer_abort(w);
	return ret;
}

void img_writer_abort(struct img_writer *w)
{
	char name[PAGES_NAME_MAX];

	if (!w)
		return;
	writer_unmap(w);
	if (w->core_fd >= 0) {
		close(w->core_fd);
		if (w->core_renamed || w->core_tmp[0])
			unlinkat(w->dirfd, w->core_renamed ? CORE_NAME : w->core_tmp, 0);
	}
	for (unsigned int k = 0; k < w->nr_pages; k++) {
		struct img_wpages *f = &w->pages[k];

		if (f->fd < 0)
			continue;
		close(f->fd);
		if (f->renamed)
			unlinkat(w->dirfd, page_file_name(name, k, false), 0);
		else if (f->tmp[0])
			unlinkat(w->dirfd, f->tmp, 0);
	}
	if (w->dirfd >= 0)
		close(w->dirfd);	/* drops the lock */
	writer_free(w);
}

/* Reader */

struct img_reader {
	char *dir;
	unsigned char *core;		/* all of core.img, validated */
	size_t core_len;
	uint64_t nr_records;
	uint64_t image_id;

	size_t pos;			/* next record */
	uint64_t idx;
	uint64_t last_idx;		/* record last returned */
	uint32_t last_type;

	unsigned int nr_pages;		/* page files */
	bool guarded;			/* holds a reference on the SIGBUS guard */
	struct {
		int fd;
		unsigned char *map;	/* the whole file, read-only */
		size_t size;
		uint64_t data_len;
	} pages[IMG_PAGE_FILES_MAX];
};

#define core_err(r, fmt, ...) \
	sudcr_error("%s/" CORE_NAME ": " fmt, (r)->dir, ##__VA_ARGS__)
#define pages_err(r, k, fmt, ...) \
	sudcr_error("%s/pages-%u.img: " fmt, (r)->dir, (k), ##__VA_ARGS__)

/*
 * An image is untrusted input, and what it says is applied with the
 * restorer's privileges: its directory and files must belong to the caller
 * or root, and nobody else may have been able to change them.  @name is
 * NULL for the directory itself.
 */
static int check_owner(const struct img_reader *r, const char *name, const struct stat *st)
{
	uid_t me = geteuid();

	if (st->st_uid != me && st->st_uid != 0) {
		sudcr_error("%s%s%s: owned by uid %u, not by you (uid %u) or root: refusing to use it as an image",
			    r->dir, name ? "/" : "", name ? name : "", (unsigned int)st->st_uid,
			    (unsigned int)me);
		return -EPERM;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		sudcr_error("%s%s%s: writable by group or others (mode %04o): refusing to use it as an image",
			    r->dir, name ? "/" : "", name ? name : "", (unsigned int)(st->st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/*
 * Open an image file for reading; a FIFO or device must not block us or
 * be read as an image.
 */
static int open_image_file(struct img_reader *r, int dirfd, const char *name,
			   struct stat *st)
{
	int fd, ret;

	fd = openat(dirfd, name,
		    O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ENOENT && !strcmp(name, CORE_NAME) &&
		    flock(dirfd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK)
			/* The writer's lock: its temporaries have no names yet. */
			sudcr_error("%s: incomplete image: no %s yet, a dump is writing it",
				    r->dir, CORE_NAME);
		else if (ret == -ENOENT && !strcmp(name, CORE_NAME) &&
			 !faccessat(dirfd, CORE_TMP, F_OK, AT_SYMLINK_NOFOLLOW))
			sudcr_error("%s: incomplete image: no %s, only %s (dump interrupted?)",
				    r->dir, CORE_NAME, CORE_TMP);
		else
			sudcr_error("%s/%s: cannot open: %s", r->dir, name,
				    strerror(-ret));
		return ret;
	}
	if (fstat(fd, st)) {
		ret = -errno;
		sudcr_error("%s/%s: %s", r->dir, name, strerror(-ret));
		goto out_close;
	}
	if (!S_ISREG(st->st_mode)) {
		sudcr_error("%s/%s: not a regular file", r->dir, name);
		ret = -EINVAL;
		goto out_close;
	}
	ret = check_owner(r, name, st);
	if (ret)
		goto out_close;
	return fd;

out_close:
	close(fd);
	return ret;
}

/*
 * Checks common to both headers.  The magic and the version come first
 * and stay where they are in every version, so that a newer image is
 * always reported as such.
 */
static int check_file_hdr(struct img_reader *r, const char *name,
			  const struct img_file_hdr *h, const char *magic,
			  uint32_t hdr_size)
{
	uint32_t version = le32toh(h->version);

	if (memcmp(h->magic, magic, sizeof(h->magic))) {
		sudcr_error("%s/%s: not a sudcr image file (bad magic)", r->dir,
			    name);
		return -EINVAL;
	}
	if (version > IMG_FORMAT_VERSION) {
		sudcr_error("%s/%s: image format version %u is newer than this sudcr supports (%u)",
			    r->dir, name, version, IMG_FORMAT_VERSION);
		return -EINVAL;
	}
	if (version == 0) {
		sudcr_error("%s/%s: bad image format version 0", r->dir, name);
		return -EINVAL;
	}
	if (version < IMG_FORMAT_VERSION) {
		/* Version 1 had a single pages.img, version 2 shorter VMA records; no release wrote either. */
		sudcr_error("%s/%s: image format version %u is older than this sudcr reads (%u)",
			    r->dir, name, version, IMG_FORMAT_VERSION);
		return -EINVAL;
	}
	if (le32toh(h->hdr_size) != hdr_size) {
		sudcr_error("%s/%s: bad header size %u (expected %u)", r->dir,
			    name, le32toh(h->hdr_size), hdr_size);
		return -EINVAL;
	}
	if (le32toh(h->crc) !=
	    img_crc32c(0, h, offsetof(struct img_file_hdr, crc))) {
		sudcr_error("%s/%s: header crc mismatch", r->dir, name);
		return -EINVAL;
	}
	if (h->reserved) {
		sudcr_error("%s/%s: reserved header fields are not zero",
			    r->dir, name);
		return -EINVAL;
	}
	return 0;
}

static bool all_zero(const unsigned char *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

static int read_core(struct img_reader *r, int dirfd)
{
	struct stat st;
	int fd, ret;

	fd = open_image_file(r, dirfd, CORE_NAME, &st);
	if (fd < 0)
		return fd;
	if ((uint64_t)st.st_size > IMG_CORE_MAX) {
		core_err(r, "too large (%lld bytes, the limit is %llu)",
			 (long long)st.st_size,
			 (unsigned long long)IMG_CORE_MAX);
		ret = -EINVAL;
		goto out_close;
	}
	r->core_len = st.st_size;
	/* malloc'ed, so that payloads are 8-byte aligned in memory too. */
	r->core = malloc(r->core_len ? r->core_len : 1);
	if (!r->core) {
		ret = -ENOMEM;
		goto out_close;
	}
	ret = pread_full(fd, r->core, r->core_len, 0);
	if (ret == -EIO)
		core_err(r, "read error: file shorter than its size (changed while reading?)");
	else if (ret)
		core_err(r, "read error: %s", strerror(-ret));
	if (ret)
		ret = -EIO;
out_close:
	close(fd);
	return ret;
}

static int validate_core(struct img_reader *r)
{
	struct img_file_hdr h;
	struct img_rec_hdr rh;
	uint64_t idx = 0;
	size_t pos;
	int ret;

	if (r->core_len < CORE_HDR_SIZE) {
		if (r->core_len >= sizeof(h.magic) &&
		    memcmp(r->core, core_magic, sizeof(h.magic))) {
			core_err(r, "not a sudcr image file (bad magic)");
			return -EINVAL;
		}
		core_err(r, "truncated header (%zu bytes of %zu)", r->core_len,
			 CORE_HDR_SIZE);
		return -EINVAL;
	}
	memcpy(&h, r->core, sizeof(h));
	ret = check_file_hdr(r, CORE_NAME, &h, core_magic, CORE_HDR_SIZE);
	if (ret)
		return ret;
	r->nr_records = le64toh(h.count);
	r->image_id = le64toh(h.image_id);
	r->nr_pages = le32toh(h.files);
	if (!r->nr_pages || r->nr_pages > IMG_PAGE_FILES_MAX) {
		core_err(r, "bad number of page files %u (1 to %u)",
			 r->nr_pages, IMG_PAGE_FILES_MAX);
		return -EINVAL;
	}

	for (pos = CORE_HDR_SIZE;; idx++) {
		size_t left = r->core_len - pos;
		const unsigned char *payload;
		size_t rec_pos = pos;
		uint64_t len, padded;
		uint32_t type, flags;

		if (!left) {
			core_err(r, "ends after %llu records without an END record (truncated?)",
				 (unsigned long long)idx);
			return -EINVAL;
		}
		if (left < REC_HDR_SIZE) {
			core_err(r, "record %llu (offset %zu): truncated record header",
				 (unsigned long long)idx, pos);
			return -EINVAL;
		}
		memcpy(&rh, r->core + pos, sizeof(rh));
		if (le32toh(rh.crc) !=
		    img_crc32c(0, &rh, offsetof(struct img_rec_hdr, crc))) {
			core_err(r, "record %llu (offset %zu): header crc mismatch",
				 (unsigned long long)idx, pos);
			return -EINVAL;
		}
		type = le32toh(rh.type);
		flags = le32toh(rh.flags);
		len = le64toh(rh.len);
		if (flags & ~IMG_REC_FLAGS_KNOWN) {
			core_err(r, "record %llu (offset %zu): unknown flags 0x%x",
				 (unsigned long long)idx, pos,
				 flags & ~IMG_REC_FLAGS_KNOWN);
			return -EINVAL;
		}
		if (len > IMG_RECORD_MAX) {
			core_err(r, "record %llu (offset %zu): payload length %llu exceeds the limit (%u)",
				 (unsigned long long)idx, pos,
				 (unsigned long long)len, IMG_RECORD_MAX);
			return -EINVAL;
		}
		padded = align8(len);
		if (padded > left - REC_HDR_SIZE) {
			core_err(r, "record %llu (offset %zu): truncated payload (%llu bytes, %zu left in the file)",
				 (unsigned long long)idx, pos,
				 (unsigned long long)len, left - REC_HDR_SIZE);
			return -EINVAL;
		}
		payload = r->core + pos + REC_HDR_SIZE;
		if (le32toh(rh.payload_crc) != img_crc32c(0, payload, len)) {
			core_err(r, "record %llu (offset %zu): payload crc mismatch",
				 (unsigned long long)idx, pos);
			return -EINVAL;
		}
		if (!all_zero(payload + len, padded - len)) {
			core_err(r, "record %llu (offset %zu): padding is not zero",
				 (unsigned long long)idx, pos);
			return -EINVAL;
		}
		pos += REC_HDR_SIZE + padded;
		if (type != IMG_REC_END)
			continue;

		if (flags || len != sizeof(uint64_t)) {
			core_err(r, "record %llu (offset %zu): malformed END record",
				 (unsigned long long)idx, rec_pos);
			return -EINVAL;
		}
		if (pos != r->core_len) {
			core_err(r, "%zu bytes of trailing data after the END record",
				 r->core_len - pos);
			return -EINVAL;
		}
		memcpy(&len, payload, sizeof(len));
		len = le64toh(len);
		if (len != idx) {
			core_err(r, "END record counts %llu records, the file holds %llu",
				 (unsigned long long)len,
				 (unsigned long long)idx);
			return -EINVAL;
		}
		if (r->nr_records != idx) {
			core_err(r, "header counts %llu records, the file holds %llu",
				 (unsigned long long)r->nr_records,
				 (unsigned long long)idx);
			return -EINVAL;
		}
		return 0;
	}
}

static int open_pages(struct img_reader *r, int dirfd, unsigned int k)
{
	unsigned char page[PAGES_HDR_SIZE];
	char name[PAGES_NAME_MAX];
	struct img_file_hdr h;
	struct stat st;
	uint64_t size;
	int fd, ret;

	fd = open_image_file(r, dirfd, page_file_name(name, k, false), &st);
	if (fd < 0)
		return fd;
	r->pages[k].fd = fd;
	if (st.st_size < (off_t)PAGES_HDR_SIZE) {
		if (st.st_size >= (off_t)sizeof(h.magic) &&
		    !pread_full(fd, page, sizeof(h.magic), 0) &&
		    memcmp(page, pages_magic, sizeof(h.magic))) {
			pages_err(r, k, "not a sudcr image file (bad magic)");
			return -EINVAL;
		}
		pages_err(r, k, "truncated header (%lld bytes of %u)",
			  (long long)st.st_size, PAGES_HDR_SIZE);
		return -EINVAL;
	}
	ret = pread_full(fd, page, sizeof(page), 0);
	if (ret) {
		pages_err(r, k, "read error: %s", strerror(-ret));
		return -EIO;
	}
	memcpy(&h, page, sizeof(h));
	ret = check_file_hdr(r, name, &h, pages_magic, PAGES_HDR_SIZE);
	if (ret)
		return ret;
	if (!all_zero(page + sizeof(h), sizeof(page) - sizeof(h))) {
		pages_err(r, k, "header page: bytes after the header are not zero");
		return -EINVAL;
	}
	if (le64toh(h.image_id) != r->image_id) {
		pages_err(r, k, "belongs to another image (its id differs from %s's)",
			  CORE_NAME);
		return -EINVAL;
	}
	if (le32toh(h.files) != k) {
		pages_err(r, k, "holds page file %u of its image, not %u (renamed?)",
			  le32toh(h.files), k);
		return -EINVAL;
	}
	r->pages[k].data_len = le64toh(h.count);
	if (r->pages[k].data_len % IMG_PAGE_SIZE) {
		pages_err(r, k, "page data length %llu is not a multiple of %u",
			  (unsigned long long)r->pages[k].data_len, IMG_PAGE_SIZE);
		return -EINVAL;
	}
	if (__builtin_add_overflow(r->pages[k].data_len, PAGES_HDR_SIZE, &size) ||
	    size != (uint64_t)st.st_size) {
		pages_err(r, k, "size %lld does not match the header (%u + %llu bytes of page data)",
			  (long long)st.st_size, PAGES_HDR_SIZE,
			  (unsigned long long)r->pages[k].data_len);
		return -EINVAL;
	}
	if (size > SIZE_MAX) {
		pages_err(r, k, "too large to map (%llu bytes)",
			  (unsigned long long)size);
		return -EFBIG;
	}
	r->pages[k].map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (r->pages[k].map == MAP_FAILED) {
		ret = -errno;
		r->pages[k].map = NULL;
		pages_err(r, k, "cannot map: %s", strerror(-ret));
		return ret;
	}
	r->pages[k].size = size;
	return 0;
}

int img_reader_open(struct img_reader **rp, const char *dir)
{
	struct img_reader *r;
	struct stat st;
	int dirfd, ret;

	*rp = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (unsigned int k = 0; k < IMG_PAGE_FILES_MAX; k++)
		r->pages[k].fd = -1;
	r->dir = strdup(dir);
	if (!r->dir) {
		free(r);
		return -ENOMEM;
	}
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		ret = -errno;
		sudcr_error("%s: cannot open image directory: %s", dir,
			    strerror(-ret));
		goto out_close;
	}
	if (fstat(dirfd, &st)) {
		ret = -errno;
		sudcr_error("%s: %s", dir, strerror(-ret));
	} else {
		ret = check_owner(r, NULL, &st);
	}
	if (!ret)
		ret = read_core(r, dirfd);
	if (!ret)
		ret = validate_core(r);
	for (unsigned int k = 0; !ret && k < r->nr_pages; k++)
		ret = open_pages(r, dirfd, k);
	close(dirfd);
	if (ret)
		goto out_close;
	img_rewind(r);
	*rp = r;
	return 0;

out_close:
	img_reader_close(r);
	return ret;
}

int img_next_record_flags(struct img_reader *r, uint32_t *type,
			  uint32_t *flags, const void **data, size_t *len)
{
	struct img_rec_hdr h;
	uint64_t n;

	/* The whole file was validated at open and cannot change since. */
	memcpy(&h, r->core + r->pos, sizeof(h));
	if (le32toh(h.type) == IMG_REC_END)
		return 0;
	n = le64toh(h.len);
	*type = le32toh(h.type);
	if (flags)
		*flags = le32toh(h.flags);
	*data = n ? r->core + r->pos + REC_HDR_SIZE : NULL;
	*len = n;
	r->last_idx = r->idx++;
	r->last_type = *type;
	r->pos += REC_HDR_SIZE + align8(n);
	return 1;
}

int img_next_record(struct img_reader *r, uint32_t *type, const void **data,
		    size_t *len)
{
	return img_next_record_flags(r, type, NULL, data, len);
}

void img_rewind(struct img_reader *r)
{
	r->pos = CORE_HDR_SIZE;
	r->idx = 0;
}

uint64_t img_record_count(const struct img_reader *r)
{
	return r->nr_records;
}

int img_record_unknown(struct img_reader *r, uint32_t type, uint32_t flags)
{
	if (flags & IMG_REC_OPTIONAL) {
		sudcr_debug("%s/%s: record %llu: skipping optional record of unknown type %u",
			    r->dir, CORE_NAME,
			    (unsigned long long)r->last_idx, type);
		return 0;
	}
	core_err(r, "record %llu: unknown record type %u (image written by a newer sudcr?)",
		 (unsigned long long)r->last_idx, type);
	return -EINVAL;
}

int img_record_invalid(struct img_reader *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	core_err(r, "record %llu (type %u): %s",
		 (unsigned long long)r->last_idx, r->last_type, msg);
	return -EINVAL;
}

uint64_t img_count_type(const struct img_reader *r, uint32_t type)
{
	uint64_t n = 0;
	size_t pos = CORE_HDR_SIZE;

	/* Validated at open: every header is whole and the END record is last. */
	for (;;) {
		struct img_rec_hdr h;

		memcpy(&h, r->core + pos, sizeof(h));
		if (le32toh(h.type) == IMG_REC_END)
			return n;
		if (le32toh(h.type) == type)
			n++;
		pos += REC_HDR_SIZE + align8(le64toh(h.len));
	}
}

/*
 * The page files are mapped: a file truncated by someone else after it
 * was validated turns a read of the mapping into SIGBUS.  Reading it into
 * private memory instead would copy every page once more; a guard costs
 * nothing until the fault.  The handler is installed while any reader
 * that read page data is open, and jumps out of img_pages_crc() of the
 * faulting thread; any other SIGBUS goes where it went before.  This is
 * the only process-wide state of the reader: a signal handler has no
 * other way to find its caller.
 */
static pthread_mutex_t pages_guard_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int pages_guard_users;
static struct sigaction pages_guard_old;
static __thread sigjmp_buf *pages_guard_jmp;

static void pages_sigbus(int sig, siginfo_t *si, void *uc)
{
	sigjmp_buf *jb = pages_guard_jmp;

	if (jb) {
		pages_guard_jmp = NULL;
		siglongjmp(*jb, 1);
	}
	if ((pages_guard_old.sa_flags & SA_SIGINFO) && pages_guard_old.sa_sigaction) {
		pages_guard_old.sa_sigaction(sig, si, uc);
	} else if (pages_guard_old.sa_handler != SIG_DFL && pages_guard_old.sa_handler != SIG_IGN) {
		pages_guard_old.sa_handler(sig);
	} else {
		/* As if we were not there: the fault, or the kill, ends the process. */
		signal(SIGBUS, SIG_DFL);
		raise(SIGBUS);
	}
}

/* Under pages_guard_lock. */
static int pages_guard_get(struct img_reader *r)
{
	struct sigaction sa = { .sa_sigaction = pages_sigbus, .sa_flags = SA_SIGINFO };

	if (r->guarded)
		return 0;
	sigemptyset(&sa.sa_mask);
	if (!pages_guard_users && sigaction(SIGBUS, &sa, &pages_guard_old))
		return -errno;
	pages_guard_users++;
	r->guarded = true;
	return 0;
}

static void pages_guard_put(void)
{
	pthread_mutex_lock(&pages_guard_lock);
	if (!--pages_guard_users)
		sigaction(SIGBUS, &pages_guard_old, NULL);
	pthread_mutex_unlock(&pages_guard_lock);
}

int img_pages_crc(struct img_reader *r, const void *ptr, size_t len, uint32_t *crc)
{
	const unsigned char *p = ptr;
	sigjmp_buf jb;
	sigset_t bus;
	unsigned int k;
	int ret;

	for (k = 0; k < r->nr_pages; k++)
		if (r->pages[k].map && p >= r->pages[k].map &&
		    len <= r->pages[k].size && p - r->pages[k].map <= (ptrdiff_t)(r->pages[k].size - len))
			break;
	if (k == r->nr_pages) {
		core_err(r, "page data at %p is not in a page file", ptr);
		return -EINVAL;
	}
	pthread_mutex_lock(&pages_guard_lock);
	ret = pages_guard_get(r);
	pthread_mutex_unlock(&pages_guard_lock);
	if (ret) {
		pages_err(r, k, "cannot guard the page data: %s", strerror(-ret));
		return ret;
	}
	/* No signal mask saved: that is a syscall, and the fault is the rare case. */
	if (sigsetjmp(jb, 0)) {
		sigemptyset(&bus);
		sigaddset(&bus, SIGBUS);
		pthread_sigmask(SIG_UNBLOCK, &bus, NULL);
		pages_err(r, k, "truncated while being read (page data at offset %llu is gone): changed during the restore?",
			  (unsigned long long)(p - r->pages[k].map));
		return -EIO;
	}
	pages_guard_jmp = &jb;
	*crc = img_crc32c(0, p, len);
	pages_guard_jmp = NULL;
	return 0;
}

int img_pages_get(struct img_reader *r, unsigned int k, uint64_t off,
		  size_t len, const void **ptr)
{
	uint64_t end;

	if (k >= r->nr_pages) {
		core_err(r, "page data in page file %u, the image has %u",
			 k, r->nr_pages);
		return -EINVAL;
	}
	if (!len || off % IMG_PAGE_SIZE || len % IMG_PAGE_SIZE) {
		pages_err(r, k, "page data range at %llu, %zu bytes: not page-aligned",
			  (unsigned long long)off, len);
		return -EINVAL;
	}
	if (off < PAGES_HDR_SIZE || __builtin_add_overflow(off, len, &end) ||
	    end > r->pages[k].size) {
		pages_err(r, k, "page data range at %llu, %zu bytes: outside the page data (%llu bytes from offset %u)",
			  (unsigned long long)off, len,
			  (unsigned long long)r->pages[k].data_len, PAGES_HDR_SIZE);
		return -EINVAL;
	}
	*ptr = r->pages[k].map + off;
	return 0;
}

unsigned int img_page_files(const struct img_reader *r)
{
	return r->nr_pages;
}

uint64_t img_pages_data_len(const struct img_reader *r, unsigned int k)
{
	return k < r->nr_pages ? r->pages[k].data_len : 0;
}

int img_pages_fd(struct img_reader *r, unsigned int k)
{
	return k < r->nr_pages ? r->pages[k].fd : -1;
}

void img_reader_close(struct img_reader *r)
{
	if (!r)
		return;
	if (r->guarded)
		pages_guard_put();
	for (unsigned int k = 0; k < IMG_PAGE_FILES_MAX; k++) {
		if (r->pages[k].map)
			munmap(r->pages[k].map, r->pages[k].size);
		if (r->pages[k].fd >= 0)
			close(r->pages[k].fd);
	}
	free(r->core);
	free(r->dir);
	free(r);
}
