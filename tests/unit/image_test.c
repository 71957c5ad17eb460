// SPDX-License-Identifier: MIT
/*
 * The image container: CRC32C, writer/reader round trips, and a reader
 * that fails cleanly, with one message, on every malformed image we can
 * make: truncated at each length, each byte flipped, crafted records with
 * valid checksums but lying lengths and counts.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image.h"
#include <sudcr/log.h>

#include "harness.h"

static int nr_errors;
static char last_error[1024];

static void capture_log(enum sudcr_log_level level, const char *msg)
{
	if (level != SUDCR_LOG_ERROR)
		return;
	nr_errors++;
	snprintf(last_error, sizeof(last_error), "%s", msg);
}

static void errors_reset(void)
{
	nr_errors = 0;
	last_error[0] = '\0';
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory under /tmp; *img is a not yet existing "img" in it. */
static char *make_tmpdir(char *img, size_t size)
{
	static char tmpl[64];

	snprintf(tmpl, sizeof(tmpl), "/tmp/sudcr-image-test.XXXXXX");
	if (!mkdtemp(tmpl))
		return NULL;
	snprintf(img, size, "%s/img", tmpl);
	return tmpl;
}

static int read_whole(const char *path, unsigned char **buf, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		return -1;
	*len = st.st_size;
	*buf = malloc(*len ? *len : 1);
	n = read(fd, *buf, *len);
	close(fd);
	return n == (ssize_t)*len ? 0 : -1;
}

static int write_whole(const char *path, const void *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* Change one byte of a file in place. */
static void poke(const char *path, size_t off, unsigned char byte)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || pwrite(fd, &byte, 1, off) != 1)
		abort();
	close(fd);
}

static void path_in(char *out, size_t size, const char *dir, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static bool exists_in(const char *dir, const char *name)
{
	char p[512];

	path_in(p, sizeof(p), dir, name);
	return access(p, F_OK) == 0;
}

static int nr_entries(const char *dir)
{
	static const char *const names[] = {
		"core.img", "pages-0.img", ".core.img.tmp", ".pages-0.img.tmp",
		"pages-1.img", ".pages-1.img.tmp", "pages-2.img", ".pages-2.img.tmp",
	};
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		n += exists_in(dir, names[i]);
	return n;
}

/* Every entry but . and .. */
static int nr_all_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void fill_pattern(unsigned char *p, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x;
	}
}

/*
 * A small image: three records (one optional, one empty) and two pages of
 * data.  Returns the writer's result.
 */
static int write_small(const char *dir)
{
	struct img_writer *w;
	uint64_t off;
	void *ptr;
	int ret;

	ret = img_writer_open(&w, dir);
	if (ret)
		return ret;
	img_writer_set_sync(w, false);
	ret = img_write_record(w, 7, "hello, image", 12);
	if (!ret)
		ret = img_write_record_flags(w, 9, IMG_REC_OPTIONAL, "x", 1);
	if (!ret)
		ret = img_write_record(w, 8, NULL, 0);
	if (!ret)
		ret = img_pages_reserve(w, 0, 2 * IMG_PAGE_SIZE, &off, &ptr);
	if (ret) {
		img_writer_abort(w);
		return ret;
	}
	memset(ptr, 0xab, 2 * IMG_PAGE_SIZE);
	return img_writer_commit(w);
}

/* The reader must fail on dir with exactly one error message. */
static int open_fails(const char *dir, const char *expect)
{
	struct img_reader *r = (void *)1;
	int ret;

	errors_reset();
	ret = img_reader_open(&r, dir);
	if (ret >= 0 || r != NULL) {
		img_reader_close(r);
		return 0;
	}
	if (ret != -EINVAL && ret != -EIO)
		return 0;
	if (nr_errors != 1)
		return 0;
	if (expect && !strstr(last_error, expect))
		return 0;
	return 1;
}

static bool open_ok(const char *dir)
{
	struct img_reader *r;
	int ret;

	ret = img_reader_open(&r, dir);
	img_reader_close(ret ? NULL : r);
	return ret == 0;
}

/*
 * A page file truncated after the reader validated it: reading its
 * mapping would be SIGBUS; img_pages_crc() reports it instead, once, and
 * the SIGBUS disposition is what it was once the reader is closed.
 */
static void test_pages_truncated_after_open(void)
{
	char img[96], path[128];
	unsigned char expect[2 * IMG_PAGE_SIZE];
	struct sigaction before, after;
	struct img_reader *r;
	const void *ptr;
	uint32_t crc = 0;
	char *tmp = make_tmpdir(img, sizeof(img));

	CHECK(tmp != NULL);
	if (!tmp)
		return;
	CHECK_EQ(write_small(img), 0);
	/* SIG_DFL, or a sanitizer's handler. */
	CHECK_EQ(sigaction(SIGBUS, NULL, &before), 0);
	CHECK_EQ(img_reader_open(&r, img), 0);
	CHECK_EQ(img_count_type(r, 7), 1);
	CHECK_EQ(img_count_type(r, 8), 1);
	CHECK_EQ(img_count_type(r, 99), 0);
	CHECK_EQ(img_pages_get(r, 0, IMG_PAGE_SIZE, 2 * IMG_PAGE_SIZE, &ptr), 0);
	memset(expect, 0xab, sizeof(expect));
	CHECK_EQ(img_pages_crc(r, ptr, sizeof(expect), &crc), 0);
	CHECK_EQ(crc, img_crc32c(0, expect, sizeof(expect)));
	/* Not page data of this reader. */
	errors_reset();
	CHECK_EQ(img_pages_crc(r, expect, sizeof(expect), &crc), -EINVAL);
	snprintf(path, sizeof(path), "%s/pages-0.img", img);
	CHECK_EQ(truncate(path, IMG_PAGE_SIZE), 0);
	errors_reset();
	CHECK_EQ(img_pages_crc(r, ptr, sizeof(expect), &crc), -EIO);
	CHECK_EQ(nr_errors, 1);
	CHECK(strstr(last_error, "pages-0.img: truncated while being read") != NULL);
	/* A second time in the same thread: SIGBUS is not left blocked. */
	CHECK_EQ(img_pages_crc(r, ptr, sizeof(expect), &crc), -EIO);
	img_reader_close(r);
	CHECK_EQ(sigaction(SIGBUS, NULL, &after), 0);
	CHECK(after.sa_handler == before.sa_handler);
	rm_tree(tmp);
}

static void test_crc32c_vectors(void)
{
	unsigned char buf[32], *big;
	size_t i, off, len;

	CHECK_EQ(img_crc32c(0, "123456789", 9), 0xE3069283u);
	CHECK_EQ(img_crc32c_sw(0, "123456789", 9), 0xE3069283u);
	CHECK_EQ(img_crc32c(0, NULL, 0), 0);
	/* RFC 3720, B.4 */
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(img_crc32c(0, buf, 32), 0x8A9136AAu);
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ(img_crc32c(0, buf, 32), 0x62A8AB43u);
	for (i = 0; i < 32; i++)
		buf[i] = i;
	CHECK_EQ(img_crc32c(0, buf, 32), 0x46DD794Eu);
	CHECK_EQ(img_crc32c_sw(0, buf, 32), 0x46DD794Eu);
	for (i = 0; i < 32; i++)
		buf[i] = 31 - i;
	CHECK_EQ(img_crc32c(0, buf, 32), 0x113FDB5Cu);
	/* Chaining. */
	CHECK_EQ(img_crc32c(img_crc32c(0, "1234", 4), "56789", 5),
		 0xE3069283u);

	/* The fast paths (3-way blocks, alignment) agree with the tables. */
	len = 3 * 8192 * 2 + 3 * 256 * 3 + 77;
	big = malloc(len + 16);
	fill_pattern(big, len + 16, 42);
	for (off = 0; off < 9; off++) {
		for (i = 0; i <= len; i += i < 600 ? 1 : 331) {
			uint32_t a = img_crc32c(0x12345678, big + off, i);
			uint32_t b = img_crc32c_sw(0x12345678, big + off, i);

			CHECKF(a == b, "hw %08x sw %08x at offset %zu len %zu",
			       a, b, off, i);
			if (a != b)
				goto out;
		}
	}
	CHECK_EQ(img_crc32c(img_crc32c(0, big, 30000), big + 30000, len - 30000),
		 img_crc32c(0, big, len));
out:
	free(big);
}

static void test_roundtrip(void)
{
	static const size_t rec_sizes[] = { 0, 1, 7, 8, 9, 100, 70000, 1 << 20 };
	static const size_t page_sizes[] = {
		4096, 8192, 3 << 20, 5 << 20, 5 << 20, 5 << 20, 4096, 5 << 20,
	};
	enum { NR_REC = sizeof(rec_sizes) / sizeof(rec_sizes[0]) };
	enum { NR_PG = sizeof(page_sizes) / sizeof(page_sizes[0]) };
	uint64_t offs[NR_PG], expect_off = IMG_PAGE_SIZE, total = 0;
	unsigned char *src = malloc(1 << 20), *chk = malloc(5 << 20);
	char img[256], *tmp = make_tmpdir(img, sizeof(img));
	struct img_writer *w;
	struct img_reader *r;
	uint32_t type, flags;
	const void *data;
	size_t i, len;
	int ret, pass;

	CHECK(tmp && src && chk);
	if (!tmp || !src || !chk)
		goto out;
	CHECK_EQ(img_writer_open(&w, img), 0);
	img_writer_set_sync(w, false);
	for (i = 0; i < NR_REC; i++) {
		fill_pattern(src, rec_sizes[i], i);
		CHECK_EQ(img_write_record_flags(w, 100 + i,
						i == 3 ? IMG_REC_OPTIONAL : 0,
						src, rec_sizes[i]), 0);
	}
	for (i = 0; i < NR_PG; i++) {
		void *ptr;

		CHECK_EQ(img_pages_reserve(w, 0, page_sizes[i], &offs[i], &ptr), 0);
		CHECK_EQ(offs[i], expect_off);
		CHECK_EQ(offs[i] % IMG_PAGE_SIZE, 0);
		expect_off += page_sizes[i];
		total += page_sizes[i];
		fill_pattern(ptr, page_sizes[i], 1000 + i);
	}
	CHECK_EQ(img_writer_commit(w), 0);
	CHECK(!exists_in(img, ".core.img.tmp") && !exists_in(img, ".pages-0.img.tmp"));

	CHECK_EQ(img_reader_open(&r, img), 0);
	if (harness_subtest_failed)
		goto out;
	CHECK_EQ(img_record_count(r), NR_REC);
	CHECK_EQ(img_pages_data_len(r, 0), total);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < NR_REC; i++) {
			ret = img_next_record_flags(r, &type, &flags, &data, &len);
			CHECK_EQ(ret, 1);
			if (ret != 1)
				break;
			CHECK_EQ(type, 100 + i);
			CHECK_EQ(flags, i == 3 ? IMG_REC_OPTIONAL : 0);
			CHECK_EQ(len, rec_sizes[i]);
			CHECK_EQ((uintptr_t)data % 8, 0);
			CHECK(len ? data != NULL : data == NULL);
			fill_pattern(src, rec_sizes[i], i);
			CHECK(!len || !memcmp(data, src, len));
		}
		CHECK_EQ(img_next_record(r, &type, &data, &len), 0);
		CHECK_EQ(img_next_record(r, &type, &data, &len), 0);
		img_rewind(r);
	}
	for (i = 0; i < NR_PG; i++) {
		const void *p;

		CHECK_EQ(img_pages_get(r, 0, offs[i], page_sizes[i], &p), 0);
		fill_pattern(chk, page_sizes[i], 1000 + i);
		CHECK(!memcmp(p, chk, page_sizes[i]));
		CHECK_EQ(pread(img_pages_fd(r, 0), chk, 4096, offs[i]), 4096);
		CHECK(!memcmp(p, chk, 4096));
	}

	/* Bounds and alignment of img_pages_get(). */
	{
		const uint64_t end = IMG_PAGE_SIZE + total;
		const void *p;

		errors_reset();
		CHECK_EQ(img_pages_get(r, 0, 0, 4096, &p), -EINVAL);
		CHECK_EQ(img_pages_get(r, 0, 4096 + 1, 4096, &p), -EINVAL);
		CHECK_EQ(img_pages_get(r, 0, 4096, 100, &p), -EINVAL);
		CHECK_EQ(img_pages_get(r, 0, 4096, 0, &p), -EINVAL);
		CHECK_EQ(img_pages_get(r, 0, end, 4096, &p), -EINVAL);
		CHECK_EQ(img_pages_get(r, 0, end - 4096, 8192, &p), -EINVAL);
		CHECK_EQ(img_pages_get(r, 0, UINT64_MAX - 4095, 8192, &p), -EINVAL);
		CHECK_EQ(img_pages_get(r, 0, 4096, SIZE_MAX - 4095, &p), -EINVAL);
		CHECK_EQ(nr_errors, 8);
		CHECK(strstr(last_error, "pages-0.img") != NULL);
		CHECK_EQ(img_pages_get(r, 0, end - 4096, 4096, &p), 0);
		CHECK_EQ(img_pages_get(r, 0, 4096, total, &p), 0);
	}
	img_reader_close(r);
out:
	free(src);
	free(chk);
	if (tmp)
		rm_tree(tmp);
}

static void test_empty_image(void)
{
	char img[256], *tmp = make_tmpdir(img, sizeof(img));
	struct img_writer *w;
	struct img_reader *r;
	const void *data;
	uint32_t type;
	size_t len;

	CHECK(tmp);
	if (!tmp)
		return;
	CHECK_EQ(img_writer_open(&w, img), 0);
	CHECK_EQ(img_writer_commit(w), 0);	/* with fsync */
	CHECK_EQ(img_reader_open(&r, img), 0);
	if (!harness_subtest_failed) {
		CHECK_EQ(img_record_count(r), 0);
		CHECK_EQ(img_pages_data_len(r, 0), 0);
		CHECK_EQ(img_next_record(r, &type, &data, &len), 0);
		errors_reset();
		CHECK_EQ(img_pages_get(r, 0, 4096, 4096, &data), -EINVAL);
		CHECK_EQ(nr_errors, 1);
		img_reader_close(r);
	}
	rm_tree(tmp);
}

static void test_truncated(void)
{
	char img[256], core[512], pages[512], *tmp;
	unsigned char *buf = NULL, *pbuf = NULL;
	size_t len, plen, l;

	tmp = make_tmpdir(img, sizeof(img));
	CHECK(tmp);
	if (!tmp)
		return;
	CHECK_EQ(write_small(img), 0);
	path_in(core, sizeof(core), img, "core.img");
	path_in(pages, sizeof(pages), img, "pages-0.img");
	CHECK_EQ(read_whole(core, &buf, &len), 0);
	CHECK_EQ(read_whole(pages, &pbuf, &plen), 0);
	if (harness_subtest_failed)
		goto out;

	/* Descending, so that truncate(2) alone makes each case. */
	for (l = len; l-- > 0;) {
		CHECK_EQ(truncate(core, l), 0);
		CHECKF(open_fails(img, "core.img"),
		       "core.img truncated to %zu of %zu bytes: ret/messages wrong (%d messages, last: %s)",
		       l, len, nr_errors, last_error);
	}
	/* One byte too many is as bad. */
	buf = realloc(buf, len + 8);
	memset(buf + len, 0, 8);
	write_whole(core, buf, len + 1);
	CHECK(open_fails(img, "trailing data"));
	write_whole(core, buf, len + 8);
	CHECK(open_fails(img, "trailing data"));
	write_whole(core, buf, len);
	CHECK(open_ok(img));

	for (l = plen; l-- > 0;) {
		CHECK_EQ(truncate(pages, l), 0);
		CHECKF(open_fails(img, "pages-0.img"),
		       "pages-0.img truncated to %zu of %zu bytes (%d messages, last: %s)",
		       l, plen, nr_errors, last_error);
	}
	pbuf = realloc(pbuf, plen + 4096);
	memset(pbuf + plen, 0, 4096);
	write_whole(pages, pbuf, plen + 4096);
	CHECK(open_fails(img, "does not match the header"));
	write_whole(pages, pbuf, plen);
	CHECK(open_ok(img));

	unlink(pages);
	{
		struct img_reader *r;

		errors_reset();
		CHECK_EQ(img_reader_open(&r, img), -ENOENT);
		CHECK_EQ(nr_errors, 1);
		CHECKF(strstr(last_error, "pages-0.img: cannot open") != NULL,
		       "got: %s", last_error);
	}
out:
	free(buf);
	free(pbuf);
	rm_tree(tmp);
}

static void test_flipped_bytes(void)
{
	static const unsigned char masks[] = { 0x01, 0x80, 0xff };
	char img[256], core[512], pages[512], *tmp;
	unsigned char *buf = NULL, *pbuf = NULL;
	size_t len, plen, i, m;

	tmp = make_tmpdir(img, sizeof(img));
	CHECK(tmp);
	if (!tmp)
		return;
	CHECK_EQ(write_small(img), 0);
	path_in(core, sizeof(core), img, "core.img");
	path_in(pages, sizeof(pages), img, "pages-0.img");
	CHECK_EQ(read_whole(core, &buf, &len), 0);
	CHECK_EQ(read_whole(pages, &pbuf, &plen), 0);
	if (harness_subtest_failed)
		goto out;

	for (m = 0; m < sizeof(masks); m++) {
		for (i = 0; i < len; i++) {
			poke(core, i, buf[i] ^ masks[m]);
			CHECKF(open_fails(img, "core.img"),
			       "core.img byte %zu ^ 0x%02x: not rejected cleanly (%d messages, last: %s)",
			       i, masks[m], nr_errors, last_error);
			poke(core, i, buf[i]);
		}
	}
	CHECK(open_ok(img));

	/* Every byte of the header page of pages-0.img. */
	for (m = 0; m < sizeof(masks); m++) {
		for (i = 0; i < IMG_PAGE_SIZE; i++) {
			poke(pages, i, pbuf[i] ^ masks[m]);
			CHECKF(open_fails(img, "pages-0.img"),
			       "pages-0.img byte %zu ^ 0x%02x: not rejected cleanly (%d messages, last: %s)",
			       i, masks[m], nr_errors, last_error);
			poke(pages, i, pbuf[i]);
		}
	}
	CHECK(open_ok(img));
	/* Page data itself carries no checksum (docs/image-format.md). */
	poke(pages, IMG_PAGE_SIZE + 5, pbuf[IMG_PAGE_SIZE + 5] ^ 1);
	CHECK(open_ok(img));
out:
	free(buf);
	free(pbuf);
	rm_tree(tmp);
}

/* Offsets in the file headers (docs/image-format.md). */
#define HDR_VERSION	8
#define HDR_ID		24
#define HDR_CRC		44
#define HDR_SIZE	48

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);	/* x86: little-endian */
}

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void fix_hdr_crc(unsigned char *h)
{
	put32(h + HDR_CRC, img_crc32c(0, h, HDR_CRC));
}

static void test_future_version(void)
{
	char img[256], core[512], pages[512], want[128], *tmp;
	unsigned char *buf = NULL, *pbuf = NULL;
	size_t len, plen;

	tmp = make_tmpdir(img, sizeof(img));
	CHECK(tmp);
	if (!tmp)
		return;
	CHECK_EQ(write_small(img), 0);
	path_in(core, sizeof(core), img, "core.img");
	path_in(pages, sizeof(pages), img, "pages-0.img");
	CHECK_EQ(read_whole(core, &buf, &len), 0);
	CHECK_EQ(read_whole(pages, &pbuf, &plen), 0);
	if (harness_subtest_failed)
		goto out;

	snprintf(want, sizeof(want),
		 "core.img: image format version %u is newer than this sudcr supports (%u)",
		 IMG_FORMAT_VERSION + 1, IMG_FORMAT_VERSION);
	put32(buf + HDR_VERSION, IMG_FORMAT_VERSION + 1);
	fix_hdr_crc(buf);
	write_whole(core, buf, len);
	CHECKF(open_fails(img, want), "got: %s", last_error);
	/* Even when the rest of a newer header looks different. */
	put32(buf + HDR_VERSION + 4, 4096);
	write_whole(core, buf, len);
	CHECKF(open_fails(img, want), "got: %s", last_error);

	put32(buf + HDR_VERSION, 0);
	put32(buf + HDR_VERSION + 4, HDR_SIZE);
	fix_hdr_crc(buf);
	write_whole(core, buf, len);
	CHECK(open_fails(img, "version 0"));

	put32(buf + HDR_VERSION, IMG_FORMAT_VERSION);
	fix_hdr_crc(buf);
	write_whole(core, buf, len);
	CHECK(open_ok(img));

	put32(pbuf + HDR_VERSION, 7);
	fix_hdr_crc(pbuf);
	write_whole(pages, pbuf, plen);
	CHECKF(open_fails(img, "pages-0.img: image format version 7 is newer"),
	       "got: %s", last_error);
out:
	free(buf);
	free(pbuf);
	rm_tree(tmp);
}

/* Build core.img from records with valid checksums, to test the logic. */
struct craft {
	unsigned char buf[4096];
	size_t len;
};

static void craft_hdr(struct craft *c, const unsigned char *orig_hdr,
		      uint64_t count)
{
	memcpy(c->buf, orig_hdr, HDR_SIZE);
	put64(c->buf + 16, count);
	fix_hdr_crc(c->buf);
	c->len = HDR_SIZE;
}

static void craft_rec(struct craft *c, uint32_t type, uint32_t flags,
		      uint64_t len, const void *data, size_t data_len)
{
	unsigned char *h = c->buf + c->len;

	put32(h, type);
	put32(h + 4, flags);
	put64(h + 8, len);
	put32(h + 16, img_crc32c(0, data, data_len));
	put32(h + 20, img_crc32c(0, h, 20));
	c->len += 24;
	memset(c->buf + c->len, 0, (data_len + 7) & ~7ul);
	if (data_len)
		memcpy(c->buf + c->len, data, data_len);
	c->len += (data_len + 7) & ~7ul;
}

static void craft_end(struct craft *c, uint64_t count)
{
	craft_rec(c, 0, 0, 8, &count, 8);
}

static void test_crafted_records(void)
{
	char img[256], core[512], *tmp;
	unsigned char *orig = NULL;
	struct craft c;
	uint64_t v;
	size_t len;

	tmp = make_tmpdir(img, sizeof(img));
	CHECK(tmp);
	if (!tmp)
		return;
	CHECK_EQ(write_small(img), 0);
	path_in(core, sizeof(core), img, "core.img");
	CHECK_EQ(read_whole(core, &orig, &len), 0);
	if (harness_subtest_failed)
		goto out;

#define EXPECT_FAIL(what)                                                  \
	do {                                                               \
		write_whole(core, c.buf, c.len);                           \
		CHECKF(open_fails(img, what), "%s: got %d messages, last: %s", \
		       what, nr_errors, last_error);                       \
	} while (0)

	/* Sanity: a crafted good image opens. */
	craft_hdr(&c, orig, 1);
	craft_rec(&c, 5, 0, 3, "abc", 3);
	craft_end(&c, 1);
	write_whole(core, c.buf, c.len);
	CHECKF(open_ok(img), "crafted image: %s", last_error);

	/* Lengths that would overflow or run past the end. */
	craft_hdr(&c, orig, 1);
	craft_rec(&c, 5, 0, UINT64_MAX, NULL, 0);
	craft_end(&c, 1);
	EXPECT_FAIL("exceeds the limit");
	craft_hdr(&c, orig, 1);
	craft_rec(&c, 5, 0, UINT64_MAX - 3, NULL, 0);
	EXPECT_FAIL("exceeds the limit");
	craft_hdr(&c, orig, 1);
	craft_rec(&c, 5, 0, IMG_RECORD_MAX + 1ull, NULL, 0);
	EXPECT_FAIL("exceeds the limit");
	craft_hdr(&c, orig, 1);
	craft_rec(&c, 5, 0, 1000, NULL, 0);
	craft_end(&c, 1);
	EXPECT_FAIL("truncated payload");

	/* Counts that disagree. */
	craft_hdr(&c, orig, 1);
	craft_rec(&c, 5, 0, 3, "abc", 3);
	craft_end(&c, 2);
	EXPECT_FAIL("END record counts 2 records");
	craft_hdr(&c, orig, 3);
	craft_rec(&c, 5, 0, 3, "abc", 3);
	craft_end(&c, 1);
	EXPECT_FAIL("header counts 3 records");
	craft_hdr(&c, orig, 0);
	EXPECT_FAIL("without an END record");

	/* Records after END, malformed END, unknown flags, padding. */
	craft_hdr(&c, orig, 0);
	craft_end(&c, 0);
	craft_rec(&c, 5, 0, 3, "abc", 3);
	EXPECT_FAIL("trailing data after the END record");
	craft_hdr(&c, orig, 0);
	craft_rec(&c, 0, 0, 4, "abcd", 4);
	EXPECT_FAIL("malformed END record");
	craft_hdr(&c, orig, 0);
	v = 0;
	craft_rec(&c, 0, IMG_REC_OPTIONAL, 8, &v, 8);
	EXPECT_FAIL("malformed END record");
	craft_hdr(&c, orig, 1);
	craft_rec(&c, 5, 0x80, 3, "abc", 3);
	craft_end(&c, 1);
	EXPECT_FAIL("unknown flags 0x80");
	craft_hdr(&c, orig, 1);
	craft_rec(&c, 5, 0, 3, "abc", 3);
	c.buf[c.len - 1] = 1;	/* padding byte */
	craft_end(&c, 1);
	EXPECT_FAIL("record 0 (offset 48): padding is not zero");

	/* A header crc mismatch names the record. */
	craft_hdr(&c, orig, 2);
	craft_rec(&c, 5, 0, 3, "abc", 3);
	craft_rec(&c, 6, 0, 3, "def", 3);
	c.buf[HDR_SIZE + 32 + 20] ^= 1;
	craft_end(&c, 2);
	EXPECT_FAIL("core.img: record 1 (offset 80): header crc mismatch");
	craft_hdr(&c, orig, 2);
	craft_rec(&c, 5, 0, 3, "abc", 3);
	craft_rec(&c, 6, 0, 3, "def", 3);
	c.buf[HDR_SIZE + 32 + 24] ^= 1;
	craft_end(&c, 2);
	EXPECT_FAIL("core.img: record 1 (offset 80): payload crc mismatch");

	/* A header with non-zero reserved fields but a valid crc. */
	craft_hdr(&c, orig, 0);
	c.buf[32] = 1;
	fix_hdr_crc(c.buf);
	craft_end(&c, 0);
	EXPECT_FAIL("reserved header fields");

	/* Not an image at all, or not a regular file. */
	memcpy(c.buf, "#!/bin/sh\necho hello, world\n", 28);
	c.len = 28;
	EXPECT_FAIL("bad magic");
	c.len = 100;
	EXPECT_FAIL("bad magic");
	unlink(core);
	CHECK_EQ(mkfifo(core, 0600), 0);
	CHECK(open_fails(img, "not a regular file"));
	unlink(core);
	CHECK_EQ(mkdir(core, 0700), 0);
	CHECK(open_fails(img, "not a regular file"));
	rmdir(core);
#undef EXPECT_FAIL
out:
	free(orig);
	rm_tree(tmp);
}

static void test_pages_of_another_image(void)
{
	char a[256], b[300], pa[512], pb[512], *tmp;
	unsigned char *buf = NULL;
	size_t len;

	tmp = make_tmpdir(a, sizeof(a));
	CHECK(tmp);
	if (!tmp)
		return;
	snprintf(b, sizeof(b), "%s/other", tmp);
	CHECK_EQ(write_small(a), 0);
	CHECK_EQ(write_small(b), 0);
	path_in(pa, sizeof(pa), a, "pages-0.img");
	path_in(pb, sizeof(pb), b, "pages-0.img");
	CHECK_EQ(read_whole(pb, &buf, &len), 0);
	if (!harness_subtest_failed) {
		write_whole(pa, buf, len);
		CHECK(open_fails(a, "belongs to another image"));
	}
	free(buf);
	rm_tree(tmp);
}

/* An image with three page files, with claim/pwrite and reserve. */
static int write_three(const char *dir, unsigned int flags)
{
	unsigned char buf[2 * IMG_PAGE_SIZE];
	struct img_writer *w;
	uint64_t off;
	void *ptr;
	int ret;

	ret = img_writer_open_flags(&w, dir, flags);
	if (ret)
		return ret;
	img_writer_set_sync(w, false);
	ret = img_writer_set_page_files(w, 3);
	if (!ret)
		ret = img_write_record(w, 7, "three", 5);
	/* File 1: two pages by claim and pwrite. */
	if (!ret)
		ret = img_pages_claim(w, 1, sizeof(buf), &off);
	if (!ret) {
		memset(buf, 0x11, sizeof(buf));
		ret = img_pages_pwrite(w, 1, buf, sizeof(buf), off);
	}
	/* File 2: one page through the mapping; file 0 stays empty. */
	if (!ret)
		ret = img_pages_reserve(w, 2, IMG_PAGE_SIZE, &off, &ptr);
	if (!ret) {
		memset(ptr, 0x22, IMG_PAGE_SIZE);
		/* Too late now to change the number of files. */
		errors_reset();
		ret = img_writer_set_page_files(w, 2) == -EINVAL && nr_errors == 1 ? 0 : -EPROTO;
	}
	if (!ret)
		ret = img_pages_claim(w, 3, IMG_PAGE_SIZE, &off) == -EINVAL ? 0 : -EPROTO;
	if (ret) {
		img_writer_abort(w);
		return ret;
	}
	return img_writer_commit(w);
}

static void test_page_files(void)
{
	char img[256], p1[512], p2[512], *tmp = make_tmpdir(img, sizeof(img));
	unsigned char *b1 = NULL, *b2 = NULL;
	struct img_reader *r;
	const unsigned char *d;
	const void *p;
	size_t l1, l2;

	CHECK(tmp);
	if (!tmp)
		return;
	CHECK_EQ(write_three(img, 0), 0);
	CHECK_EQ(nr_entries(img), 4);
	CHECK_EQ(img_reader_open(&r, img), 0);
	if (harness_subtest_failed)
		goto out;
	CHECK_EQ(img_page_files(r), 3);
	CHECK_EQ(img_pages_data_len(r, 0), 0);
	CHECK_EQ(img_pages_data_len(r, 1), 2 * IMG_PAGE_SIZE);
	CHECK_EQ(img_pages_data_len(r, 2), IMG_PAGE_SIZE);
	CHECK_EQ(img_pages_get(r, 1, IMG_PAGE_SIZE, 2 * IMG_PAGE_SIZE, &p), 0);
	d = p;
	CHECK(d[0] == 0x11 && d[2 * IMG_PAGE_SIZE - 1] == 0x11);
	CHECK_EQ(img_pages_get(r, 2, IMG_PAGE_SIZE, IMG_PAGE_SIZE, &p), 0);
	d = p;
	CHECK(d[0] == 0x22 && d[IMG_PAGE_SIZE - 1] == 0x22);
	errors_reset();
	CHECK_EQ(img_pages_get(r, 0, IMG_PAGE_SIZE, IMG_PAGE_SIZE, &p), -EINVAL);
	CHECK_EQ(img_pages_get(r, 3, IMG_PAGE_SIZE, IMG_PAGE_SIZE, &p), -EINVAL);
	CHECKF(strstr(last_error, "page file 3, the image has 3") != NULL, "got: %s", last_error);
	CHECK_EQ(img_pages_fd(r, 3), -1);
	img_reader_close(r);

	/* Two page files swapped: each says which one it is. */
	path_in(p1, sizeof(p1), img, "pages-1.img");
	path_in(p2, sizeof(p2), img, "pages-2.img");
	CHECK_EQ(read_whole(p1, &b1, &l1), 0);
	CHECK_EQ(read_whole(p2, &b2, &l2), 0);
	if (harness_subtest_failed)
		goto out;
	write_whole(p1, b2, l2);
	write_whole(p2, b1, l1);
	CHECKF(open_fails(img, "pages-1.img: holds page file 2 of its image, not 1"), "got: %s",
	       last_error);
	write_whole(p1, b1, l1);
	unlink(p2);
	errors_reset();
	CHECK_EQ(img_reader_open(&r, img), -ENOENT);
	CHECKF(nr_errors == 1 && strstr(last_error, "pages-2.img: cannot open") != NULL, "got: %s",
	       last_error);
	write_whole(p2, b2, l2);
	CHECK(open_ok(img));

	/* Replaced by an image with one page file: the others go. */
	rm_tree(img);
	CHECK_EQ(write_three(img, 0), 0);
	{
		struct img_writer *w;

		CHECK_EQ(img_writer_open_flags(&w, img, IMG_W_OVERWRITE), 0);
		img_writer_set_sync(w, false);
		CHECK_EQ(img_write_record(w, 7, "one", 3), 0);
		CHECK_EQ(img_writer_commit(w), 0);
	}
	CHECK_EQ(nr_entries(img), 2);
	CHECK(exists_in(img, "pages-0.img") && !exists_in(img, "pages-1.img"));
	CHECK(open_ok(img));
	/* And back: an aborted image with three page files leaves nothing. */
	{
		struct img_writer *w;

		CHECK_EQ(img_writer_open_flags(&w, img, IMG_W_OVERWRITE), 0);
		CHECK_EQ(img_writer_set_page_files(w, 3), 0);
		/* The temporaries have no names (O_TMPFILE) until the commit. */
		CHECK_EQ(nr_all_entries(img), 2);
		img_writer_abort(w);
	}
	CHECK_EQ(nr_entries(img), 2);
	CHECK(open_ok(img));
out:
	free(b1);
	free(b2);
	rm_tree(tmp);
}

static void test_existing_image(void)
{
	char img[256], *tmp = make_tmpdir(img, sizeof(img));
	struct img_writer *w = (void *)1;
	struct img_reader *r;
	const void *data;
	uint32_t type;
	size_t len;

	CHECK(tmp);
	if (!tmp)
		return;
	CHECK_EQ(write_small(img), 0);
	errors_reset();
	CHECK_EQ(img_writer_open(&w, img), -EEXIST);
	CHECK(w == NULL);
	CHECK_EQ(nr_errors, 1);
	CHECKF(strstr(last_error, "already holds an image") != NULL, "got: %s",
	       last_error);
	CHECK(open_ok(img));
	CHECK(!exists_in(img, ".core.img.tmp"));

	/* A core.img that appears during the dump is not replaced either. */
	{
		char core[512];

		rm_tree(img);
		path_in(core, sizeof(core), img, "core.img");
		CHECK_EQ(img_writer_open(&w, img), 0);
		CHECK_EQ(img_write_record(w, 1, "new", 3), 0);
		CHECK_EQ(write_whole(core, "their own file\n", 15), 0);
		errors_reset();
		CHECK_EQ(img_writer_commit(w), -EEXIST);
		CHECK_EQ(nr_errors, 1);
		CHECK_EQ(nr_entries(img), 1);
		CHECK(open_fails(img, "bad magic"));
		rm_tree(img);
		CHECK_EQ(write_small(img), 0);
	}

	/* An overwrite that is aborted leaves the old image as it was. */
	CHECK_EQ(img_writer_open_flags(&w, img, IMG_W_OVERWRITE), 0);
	CHECK_EQ(img_write_record(w, 1, "new", 3), 0);
	img_writer_abort(w);
	CHECK_EQ(nr_entries(img), 2);
	CHECK_EQ(img_reader_open(&r, img), 0);
	if (!harness_subtest_failed) {
		CHECK_EQ(img_next_record(r, &type, &data, &len), 1);
		CHECK_EQ(type, 7);
		img_reader_close(r);
	}

	/* An overwrite that is committed replaces it. */
	CHECK_EQ(img_writer_open_flags(&w, img, IMG_W_OVERWRITE), 0);
	CHECK_EQ(img_write_record(w, 1, "new", 3), 0);
	CHECK_EQ(img_writer_commit(w), 0);
	CHECK_EQ(nr_entries(img), 2);
	CHECK_EQ(img_reader_open(&r, img), 0);
	if (!harness_subtest_failed) {
		CHECK_EQ(img_record_count(r), 1);
		CHECK_EQ(img_next_record(r, &type, &data, &len), 1);
		CHECK_EQ(type, 1);
		CHECK_EQ(len, 3);
		CHECK_EQ(img_pages_data_len(r, 0), 0);
		img_reader_close(r);
	}
	rm_tree(tmp);
}

static void test_abort(void)
{
	char img[256], *tmp = make_tmpdir(img, sizeof(img));
	struct img_writer *w, *w2 = (void *)1;
	uint64_t off;
	void *ptr;

	CHECK(tmp);
	if (!tmp)
		return;
	CHECK_EQ(img_writer_open(&w, img), 0);
	CHECK_EQ(img_write_record(w, 1, "abc", 3), 0);
	CHECK_EQ(img_pages_reserve(w, 0, 1 << 20, &off, &ptr), 0);
	memset(ptr, 1, 1 << 20);
	CHECK_EQ(nr_all_entries(img), 0);	/* the temporaries have no names yet */

	/* One writer per directory. */
	errors_reset();
	CHECK_EQ(img_writer_open(&w2, img), -EBUSY);
	CHECK(w2 == NULL);
	CHECK_EQ(nr_errors, 1);

	/* A reader sees an interrupted dump for what it is. */
	{
		struct img_reader *r;

		errors_reset();
		CHECK_EQ(img_reader_open(&r, img), -ENOENT);
		CHECK_EQ(nr_errors, 1);
		CHECKF(strstr(last_error, "incomplete image") != NULL,
		       "got: %s", last_error);
	}

	img_writer_abort(w);
	CHECK_EQ(nr_entries(img), 0);
	CHECK(!exists_in(img, "core.img"));
	img_writer_abort(NULL);

	/* The directory is free again. */
	CHECK_EQ(img_writer_open(&w, img), 0);
	img_writer_abort(w);
	rm_tree(tmp);
}

static void test_modes(void)
{
	char img[256], p[512], *tmp = make_tmpdir(img, sizeof(img));
	static const mode_t masks[] = { 0, 022, 0277 };
	struct stat st;
	mode_t old;
	size_t i;

	CHECK(tmp);
	if (!tmp)
		return;
	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		/* With 0277 the directory must exist for a non-root user. */
		bool precreate = masks[i] & 0200;

		if (precreate)
			CHECK_EQ(mkdir(img, 0700), 0);
		old = umask(masks[i]);
		CHECK_EQ(write_small(img), 0);
		umask(old);
		CHECK_EQ(stat(img, &st), 0);
		if (!precreate)
			CHECK_EQ(st.st_mode & 07777, 0700 & ~masks[i]);
		path_in(p, sizeof(p), img, "core.img");
		CHECK_EQ(stat(p, &st), 0);
		CHECKF((st.st_mode & 07777) == 0600, "core.img mode %o, umask %o",
		       st.st_mode & 07777, masks[i]);
		path_in(p, sizeof(p), img, "pages-0.img");
		CHECK_EQ(stat(p, &st), 0);
		CHECKF((st.st_mode & 07777) == 0600, "pages-0.img mode %o, umask %o",
		       st.st_mode & 07777, masks[i]);
		rm_tree(img);
	}
	rm_tree(tmp);
}

static void test_writer_misuse(void)
{
	char img[256], *tmp = make_tmpdir(img, sizeof(img));
	static char blob[16];
	struct img_writer *w;
	struct img_reader *r;
	uint64_t off;
	void *ptr;

	CHECK(tmp);
	if (!tmp)
		return;
	CHECK_EQ(img_writer_open(&w, img), 0);
	img_writer_set_sync(w, false);
	errors_reset();
	CHECK_EQ(img_write_record(w, IMG_REC_END, blob, 8), -EINVAL);
	CHECK_EQ(img_write_record_flags(w, 3, 2, blob, 8), -EINVAL);
	/* The length is checked before the data is touched. */
	CHECK_EQ(img_write_record(w, 3, blob, IMG_RECORD_MAX + 1ul), -EFBIG);
	CHECK_EQ(img_write_record(w, 3, NULL, 5), -EINVAL);
	CHECK_EQ(img_pages_reserve(w, 0, 0, &off, &ptr), -EINVAL);
	CHECK_EQ(img_pages_reserve(w, 0, 100, &off, &ptr), -EINVAL);
	CHECK_EQ(img_pages_reserve(w, 0, SIZE_MAX & ~4095ul, &off, &ptr), -EFBIG);
	CHECK_EQ(nr_errors, 7);
	/* None of these broke the image. */
	CHECK_EQ(img_write_record(w, 3, blob, 8), 0);
	CHECK_EQ(img_writer_commit(w), 0);
	CHECK_EQ(img_reader_open(&r, img), 0);
	if (!harness_subtest_failed) {
		CHECK_EQ(img_record_count(r), 1);
		img_reader_close(r);
	}
	errors_reset();
	CHECK_EQ(img_writer_open_flags(&w, img, 0x100), -EINVAL);
	CHECK_EQ(nr_errors, 1);
	rm_tree(tmp);
}

static void test_unknown_records(void)
{
	char img[256], *tmp = make_tmpdir(img, sizeof(img));
	struct img_reader *r;
	uint32_t type, flags;
	const void *data;
	size_t len;

	CHECK(tmp);
	if (!tmp)
		return;
	CHECK_EQ(write_small(img), 0);
	CHECK_EQ(img_reader_open(&r, img), 0);
	if (harness_subtest_failed)
		goto out;
	errors_reset();
	CHECK_EQ(img_next_record_flags(r, &type, &flags, &data, &len), 1);
	CHECK_EQ(img_record_unknown(r, type, flags), -EINVAL);
	CHECKF(strstr(last_error, "core.img: record 0: unknown record type 7"),
	       "got: %s", last_error);
	CHECK_EQ(img_next_record_flags(r, &type, &flags, &data, &len), 1);
	CHECK_EQ(flags, IMG_REC_OPTIONAL);
	CHECK_EQ(img_record_unknown(r, type, flags), 0);
	CHECK_EQ(nr_errors, 1);
	CHECK_EQ(img_record_invalid(r, "payload of %zu bytes, want %d", len, 4),
		 -EINVAL);
	CHECKF(strstr(last_error, "core.img: record 1 (type 9): payload of 1 bytes, want 4"),
	       "got: %s", last_error);
	img_reader_close(r);
out:
	rm_tree(tmp);
}

/*
 * Out of space: RLIMIT_FSIZE makes writes past the limit fail (EFBIG)
 * just like a full disk, without needing a small file system.
 */
static void test_file_size_limit(void)
{
	char img[256], *tmp = make_tmpdir(img, sizeof(img));
	struct rlimit old, lim;
	struct img_writer *w;
	void (*old_sig)(int);
	unsigned char *big;
	uint64_t off;
	void *ptr;

	CHECK(tmp);
	if (!tmp)
		return;
	big = calloc(1, 2 << 20);
	CHECK_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 1 << 20;
	old_sig = signal(SIGXFSZ, SIG_IGN);
	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);

	/* Page data: fails at reservation, the mapping is never touched. */
	CHECK_EQ(img_writer_open(&w, img), 0);
	CHECK_EQ(img_pages_reserve(w, 0, 512 << 10, &off, &ptr), 0);
	memset(ptr, 1, 512 << 10);
	errors_reset();
	CHECK_EQ(img_pages_reserve(w, 0, 1 << 20, &off, &ptr), -EFBIG);
	CHECK_EQ(nr_errors, 1);
	CHECKF(strstr(last_error, "cannot allocate") != NULL, "got: %s",
	       last_error);
	/* The writer is done for: everything fails, without new messages. */
	CHECK_EQ(img_pages_reserve(w, 0, 4096, &off, &ptr), -EFBIG);
	CHECK_EQ(img_write_record(w, 1, "x", 1), -EFBIG);
	CHECK_EQ(img_writer_commit(w), -EFBIG);
	CHECK_EQ(nr_errors, 1);
	CHECK_EQ(nr_entries(img), 0);

	/* Records: fails at the write. */
	CHECK_EQ(img_writer_open(&w, img), 0);
	errors_reset();
	CHECK_EQ(img_write_record(w, 1, big, 2 << 20), -EFBIG);
	CHECK_EQ(nr_errors, 1);
	CHECKF(strstr(last_error, ".core.img.tmp: write failed") != NULL,
	       "got: %s", last_error);
	img_writer_abort(w);
	CHECK_EQ(nr_entries(img), 0);

	CHECK_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, old_sig);
	free(big);
	rm_tree(tmp);
}

/* A real full file system: a 1 MiB tmpfs in a private mount namespace. */
static int enospc_child(const char *dir)
{
	struct img_writer *w;
	unsigned char *big;
	uint64_t off;
	void *ptr;
	char img[512];

	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("tmpfs", dir, "tmpfs", 0, "size=1m,mode=0700"))
		return 77;
	snprintf(img, sizeof(img), "%s/img", dir);
	big = calloc(1, 2 << 20);
	if (!big)
		return 2;
	if (img_writer_open(&w, img))
		return 3;
	if (img_pages_reserve(w, 0, 512 << 10, &off, &ptr))
		return 4;
	memset(ptr, 1, 512 << 10);	/* no SIGBUS */
	errors_reset();
	if (img_pages_reserve(w, 0, 1 << 20, &off, &ptr) != -ENOSPC)
		return 5;
	if (nr_errors != 1 || !strstr(last_error, "No space left on device"))
		return 6;
	img_writer_abort(w);
	if (nr_entries(img))
		return 7;

	if (img_writer_open(&w, img))
		return 8;
	if (img_write_record(w, 1, big, 2 << 20) != -ENOSPC)
		return 9;
	img_writer_abort(w);
	if (nr_entries(img))
		return 10;

	/*
	 * Nearly full: records fit in the write buffer, the commit cannot
	 * write them out.  It must fail cleanly too.
	 */
	if (img_writer_open(&w, img))
		return 11;
	if (img_pages_reserve(w, 0, 924 << 10, &off, &ptr))
		return 12;
	for (off = 0; off < 4; off++)
		if (img_write_record(w, 1, big, 30000) != 0)
			return 13;
	errors_reset();
	if (img_writer_commit(w) != -ENOSPC || nr_errors != 1)
		return 14;
	if (nr_entries(img))
		return 15;
	free(big);
	return 0;
}

static int run_enospc(const char *dir)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(enospc_child(dir));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void test_enospc(void)
{
	char img[256], *tmp = make_tmpdir(img, sizeof(img));
	int ret;

	CHECK(tmp);
	if (!tmp)
		return;
	ret = run_enospc(tmp);
	CHECKF(ret == 0, "child failed at step %d", ret);
	rm_tree(tmp);
}

static bool can_mount_tmpfs(char *why, size_t size)
{
	char img[256], *tmp = make_tmpdir(img, sizeof(img));
	int status;
	pid_t pid;

	if (!tmp) {
		snprintf(why, size, "mkdtemp failed");
		return false;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(unshare(CLONE_NEWNS) ||
		      mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		      mount("tmpfs", tmp, "tmpfs", 0, "size=1m"));
	status = 1;
	if (pid > 0)
		waitpid(pid, &status, 0);
	rm_tree(tmp);
	snprintf(why, size, "cannot mount a small tmpfs in a mount namespace");
	return status == 0;
}

int main(void)
{
	char why[128];

	sudcr_set_log_fn(capture_log);
	RUN_TEST(test_crc32c_vectors);
	RUN_TEST(test_roundtrip);
	RUN_TEST(test_empty_image);
	RUN_TEST(test_truncated);
	RUN_TEST(test_flipped_bytes);
	RUN_TEST(test_future_version);
	RUN_TEST(test_crafted_records);
	RUN_TEST(test_pages_of_another_image);
	RUN_TEST(test_page_files);
	RUN_TEST(test_pages_truncated_after_open);
	RUN_TEST(test_existing_image);
	RUN_TEST(test_abort);
	RUN_TEST(test_modes);
	RUN_TEST(test_writer_misuse);
	RUN_TEST(test_unknown_records);
	RUN_TEST(test_file_size_limit);
	if (can_mount_tmpfs(why, sizeof(why)))
		RUN_TEST(test_enospc);
	else
		harness_skip("test_enospc", why);
	return harness_exit();
}
