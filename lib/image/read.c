// SPDX-License-Identifier: MIT
/*
 * The image container's reader: core.img read whole and validated, the
 * page files mapped (docs/image-format.md); images are untrusted input.
 */
#include "container.h"

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
