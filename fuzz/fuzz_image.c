// SPDX-License-Identifier: MIT
/*
 * Fuzz target for the image reader and every record validator: an input
 * is the bytes of a core.img.  It is written into a scratch directory
 * with page files made to match it (header page with the core's image id,
 * page data as long as its PAGES records reach, capped), and then opened
 * and checked exactly as `sudcr restore` does before it creates anything
 * (restore_validate()).  Nothing may crash, leak or trip ASan/UBSan.
 *
 * Built two ways:
 *   make fuzz              with clang's libFuzzer, ASan and UBSan, and the
 *                          custom mutator below (SUDCR_LIBFUZZER);
 *   tests/unit/fuzz_replay.c  #includes this file and runs fuzz_one() with
 *                          gcc over fuzz/corpus and fuzz/regressions.
 *
 * The mutator keeps the container valid (checksums, padding, counts) most
 * of the time, so that mutations reach the record validators instead of
 * stopping at the first CRC; a few mutations stay raw for the container's
 * own checks.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cr.h"
#include "image.h"
#include <sudcr/log.h>

#define FZ_HDR		48
#define FZ_REC		24
#define FZ_PAGE		4096u
#define FZ_MAX_DATA	(64u * FZ_PAGE)	/* page data per synthesized page file */

static uint32_t fz_crc(const void *p, size_t len)
{
	return img_crc32c(0, p, len);
}

static uint32_t fz_get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return le32toh(v); }
static uint64_t fz_get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return le64toh(v); }
static void fz_put32(uint8_t *p, uint32_t v) { v = htole32(v); memcpy(p, &v, 4); }
static void fz_put64(uint8_t *p, uint64_t v) { v = htole64(v); memcpy(p, &v, 8); }

static void fz_quiet(enum sudcr_log_level level, const char *msg)
{
	(void)level;
	(void)msg;
}

static char fz_dir[64];
static struct {
	uint64_t id;
	uint32_t files;
	uint64_t len[IMG_PAGE_FILES_MAX];
	bool valid;
} fz_last;

static void fz_cleanup(void)
{
	char path[128];

	if (!fz_dir[0])
		return;
	snprintf(path, sizeof(path), "%s/core.img", fz_dir);
	unlink(path);
	for (unsigned int k = 0; k < IMG_PAGE_FILES_MAX; k++) {
		snprintf(path, sizeof(path), "%s/pages-%u.img", fz_dir, k);
		unlink(path);
	}
	rmdir(fz_dir);
	fz_dir[0] = '\0';
}

static int fz_setup(void)
{
	const char *base = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";

	if (fz_dir[0])
		return 0;
	snprintf(fz_dir, sizeof(fz_dir), "%s/sudcr-fuzz-XXXXXX", base);
	if (!mkdtemp(fz_dir)) {
		perror("mkdtemp");
		fz_dir[0] = '\0';
		return -1;
	}
	atexit(fz_cleanup);
	sudcr_set_log_fn(fz_quiet);
	return 0;
}

static int fz_write(const char *name, const void *data, size_t len, uint64_t size)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", fz_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (len && write(fd, data, len) != (ssize_t)len)
		ret = -1;
	if (!ret && size > len && ftruncate(fd, size))
		ret = -1;
	close(fd);
	return ret;
}

/*
 * Page files that fit the core: the reader checks their headers against
 * core.img, and the validators check PAGES extents against their sizes.
 */
static void fz_page_files(const uint8_t *data, size_t size)
{
	uint64_t len[IMG_PAGE_FILES_MAX] = { 0 }, id;
	uint32_t files;
	size_t pos;

	if (size < FZ_HDR)
		return;
	id = fz_get64(data + 24);
	files = fz_get32(data + 40);
	if (!files || files > IMG_PAGE_FILES_MAX)
		return;
	for (pos = FZ_HDR; pos + FZ_REC <= size;) {
		uint32_t type = fz_get32(data + pos);
		uint64_t rlen = fz_get64(data + pos + 8);

		if (type == IMG_REC_PAGES && rlen == sizeof(struct rec_pages) &&
		    rlen <= size - pos - FZ_REC) {
			const uint8_t *p = data + pos + FZ_REC;
			uint64_t n = fz_get64(p + 8), off = fz_get64(p + 16), end;
			uint32_t k = fz_get32(p + 28);

			if (k < files && n <= FZ_MAX_DATA / FZ_PAGE && off <= FZ_MAX_DATA + FZ_PAGE) {
				end = off + n * FZ_PAGE;
				end = end > FZ_PAGE ? end - FZ_PAGE : 0;
				end = (end + FZ_PAGE - 1) & ~(uint64_t)(FZ_PAGE - 1);
				if (end > FZ_MAX_DATA)
					end = FZ_MAX_DATA;
				if (end > len[k])
					len[k] = end;
			}
		}
		if (type == IMG_REC_END || rlen > size - pos - FZ_REC)
			break;
		pos += FZ_REC + ((rlen + 7) & ~(uint64_t)7);
	}
	if (fz_last.valid && fz_last.id == id && fz_last.files == files &&
	    !memcmp(fz_last.len, len, sizeof(len)))
		return;	/* already there */
	fz_last.valid = false;
	for (uint32_t k = 0; k < files; k++) {
		uint8_t hdr[FZ_HDR] = "SUDCRPGS";
		char name[32];

		fz_put32(hdr + 8, IMG_FORMAT_VERSION);
		fz_put32(hdr + 12, FZ_PAGE);
		fz_put64(hdr + 16, len[k]);
		fz_put64(hdr + 24, id);
		fz_put32(hdr + 40, k);
		fz_put32(hdr + 44, fz_crc(hdr, 44));
		snprintf(name, sizeof(name), "pages-%u.img", k);
		if (fz_write(name, hdr, sizeof(hdr), FZ_PAGE + len[k]))
			return;
	}
	fz_last.id = id;
	fz_last.files = files;
	memcpy(fz_last.len, len, sizeof(len));
	fz_last.valid = true;
}

/* One input: what restore_validate() says of it. */
static int fuzz_validate(const uint8_t *data, size_t size)
{
	struct restore_ctx r = { .opts = { .dir = fz_dir, .detach = true, .shell_job = true } };
	int ret;

	if (fz_setup())
		abort();
	fz_page_files(data, size);
	if (fz_write("core.img", data, size, 0))
		abort();
	ret = restore_validate(&r);
	restore_free(&r);
	return ret;
}

/* The fuzzer only asks that nothing crashes, whatever the verdict. */
static int fuzz_one(const uint8_t *data, size_t size)
{
	fuzz_validate(data, size);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_one(data, size);
}

#ifdef SUDCR_LIBFUZZER
/* The mutator: edit records, then make the container valid again. */

struct fz_rec {
	uint32_t type, flags;
	uint8_t *data;
	size_t len;
};

#define FZ_RECS_MAX 4096

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

static const uint32_t fz_types[] = {
	IMG_REC_PROCESS, IMG_REC_THREAD, IMG_REC_XSTATE, IMG_REC_MM, IMG_REC_VMA, IMG_REC_PAGES,
	IMG_REC_TLS, IMG_REC_SIGACTION, IMG_REC_SIGPENDING, IMG_REC_SIGALTSTACK, IMG_REC_FD,
	IMG_REC_FILE_DATA, IMG_REC_TIMERFD, IMG_REC_EPOLL, IMG_REC_UNIX, IMG_REC_UNIX_QUEUE,
	IMG_REC_LOCK, IMG_REC_MISC, IMG_REC_THREAD_MISC, IMG_REC_RLIMIT, IMG_REC_ITIMER,
	IMG_REC_POSIX_TIMER, IMG_REC_SECCOMP, IMG_REC_INET, IMG_REC_INET_QUEUE,
	IMG_REC_UNIX_SK, 999,
};

static const uint64_t fz_values[] = {
	0, 1, 2, 3, 7, 8, 63, 64, 65, 255, 4095, 4096, 4097, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
	0x80000000, 0xffffffff, 0x100000000ull, 0x7ffffffff000ull, 0x800000000000ull,
	0x7fffffffffffffffull, 0x8000000000000000ull, 0xfffffffffffff000ull, UINT64_MAX,
};

static unsigned int fz_rand(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static int fz_parse(uint8_t *data, size_t size, struct fz_rec *recs, uint8_t *hdr)
{
	size_t pos = FZ_HDR;
	int n = 0;

	if (size < FZ_HDR)
		return -1;
	memcpy(hdr, data, FZ_HDR);
	while (pos + FZ_REC <= size && n < FZ_RECS_MAX) {
		uint32_t type = fz_get32(data + pos);
		uint64_t len = fz_get64(data + pos + 8);

		if (len > size - pos - FZ_REC)
			return -1;
		if (type == IMG_REC_END)
			return n;
		recs[n++] = (struct fz_rec){ type, fz_get32(data + pos + 4), data + pos + FZ_REC, len };
		pos += FZ_REC + ((len + 7) & ~(uint64_t)7);
	}
	return -1;
}

/* Lay the records out again into out (out_max bytes) with every check value right. */
static size_t fz_build(const uint8_t *hdr, const struct fz_rec *recs, int n, uint8_t *out, size_t out_max)
{
	uint8_t h[FZ_HDR];
	size_t pos = FZ_HDR;

	memcpy(h, hdr, FZ_HDR);
	fz_put64(h + 16, n);
	fz_put32(h + 44, fz_crc(h, 44));
	if (out_max < FZ_HDR)
		return 0;
	memcpy(out, h, FZ_HDR);
	for (int i = 0; i <= n; i++) {
		uint8_t end[8];
		const struct fz_rec e = { IMG_REC_END, 0, end, 8 };
		const struct fz_rec *r = i < n ? &recs[i] : &e;
		size_t padded = (r->len + 7) & ~(size_t)7;

		fz_put64(end, n);
		if (pos + FZ_REC + padded > out_max)
			return 0;
		fz_put32(out + pos, r->type);
		fz_put32(out + pos + 4, r->flags);
		fz_put64(out + pos + 8, r->len);
		fz_put32(out + pos + 16, fz_crc(r->data, r->len));
		fz_put32(out + pos + 20, fz_crc(out + pos, 20));
		memmove(out + pos + FZ_REC, r->data, r->len);
		memset(out + pos + FZ_REC + r->len, 0, padded - r->len);
		pos += FZ_REC + padded;
	}
	return pos;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
	static struct fz_rec recs[FZ_RECS_MAX + 1];
	static uint8_t payload[1 << 16], work[1 << 20];
	uint8_t hdr[FZ_HDR];
	unsigned int s = seed;
	int n, i, what;
	size_t out;

	n = fz_parse(data, size, recs, hdr);
	what = fz_rand(&s) % 100;
	if (n <= 0 || what < 4 || max_size > sizeof(work))
		return LLVMFuzzerMutate(data, size, max_size);	/* raw: the container's checks */
	i = fz_rand(&s) % n;
	if (what < 60) {
		/* The payload of one record, by libFuzzer's own mutations. */
		size_t len = recs[i].len < sizeof(payload) ? recs[i].len : sizeof(payload);
		size_t room = sizeof(payload) < len + 512 ? sizeof(payload) : len + 512;

		memcpy(payload, recs[i].data, len);
		recs[i].len = LLVMFuzzerMutate(payload, len, room);
		recs[i].data = payload;
	} else if (what < 80) {
		/* One aligned word of a payload set to a value at some boundary. */
		size_t words = recs[i].len / 4;

		if (words) {
			size_t w = fz_rand(&s) % words;
			uint64_t v = fz_values[fz_rand(&s) % (sizeof(fz_values) / sizeof(fz_values[0]))];

			memcpy(payload, recs[i].data, recs[i].len);
			if (fz_rand(&s) % 2 && (w + 2) * 4 <= recs[i].len)
				fz_put64(payload + w * 4, v);
			else
				fz_put32(payload + w * 4, (uint32_t)v + (fz_rand(&s) % 3) - 1);
			recs[i].data = payload;
		}
	} else if (what < 86 && n < FZ_RECS_MAX) {
		memmove(&recs[i + 1], &recs[i], (n - i) * sizeof(recs[0]));	/* repeat */
		n++;
	} else if (what < 92) {
		memmove(&recs[i], &recs[i + 1], (n - i - 1) * sizeof(recs[0]));	/* drop */
		n--;
	} else if (what < 96) {
		struct fz_rec t = recs[i];	/* swap with another */
		int j = fz_rand(&s) % n;

		recs[i] = recs[j];
		recs[j] = t;
	} else {
		recs[i].type = fz_types[fz_rand(&s) % (sizeof(fz_types) / sizeof(fz_types[0]))];
	}
	out = fz_build(hdr, recs, n, work, max_size);
	if (!out)
		return LLVMFuzzerMutate(data, size, max_size);
	memcpy(data, work, out);
	return out;
}
#endif
