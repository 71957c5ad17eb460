// SPDX-License-Identifier: MIT
/*
 * The image container's writer: core.img and the page files, written
 * under temporary names and committed by renames (docs/image-format.md).
 */
#include "container.h"

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

