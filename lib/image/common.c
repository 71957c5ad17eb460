// SPDX-License-Identifier: MIT
/* The image container: what its writer and reader share (container.h). */
#include "container.h"

/* Page file k is pages-K.img, written as .pages-K.img.tmp. */
const char *page_file_name(char buf[PAGES_NAME_MAX], unsigned int k, bool tmp)
{
	snprintf(buf, PAGES_NAME_MAX, tmp ? ".pages-%u.img.tmp" : "pages-%u.img", k);
	return buf;
}

const char core_magic[8] = { 'S', 'U', 'D', 'C', 'R', 'I', 'M', 'G' };
const char pages_magic[8] = { 'S', 'U', 'D', 'C', 'R', 'P', 'G', 'S' };

_Static_assert(sizeof(struct img_file_hdr) == 48, "file header layout");
_Static_assert(offsetof(struct img_file_hdr, crc) == 44, "file header layout");
_Static_assert(sizeof(struct img_rec_hdr) == 24, "record header layout");
_Static_assert(offsetof(struct img_rec_hdr, crc) == 20, "record header layout");

void file_hdr_fill(struct img_file_hdr *h, const char *magic,
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

void rec_hdr_fill(struct img_rec_hdr *h, uint32_t type, uint32_t flags,
		  const void *data, size_t len)
{
	h->type = htole32(type);
	h->flags = htole32(flags);
	h->len = htole64(len);
	h->payload_crc = htole32(img_crc32c(0, data, len));
	h->crc = htole32(img_crc32c(0, h, offsetof(struct img_rec_hdr, crc)));
}

/* Whole-buffer pread/pwrite: 0, or -EIO if the file ended early, or -errno. */
int pio_full(int fd, void *buf, size_t len, uint64_t off, bool write)
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

int pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	return pio_full(fd, (void *)buf, len, off, true);
}

int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	return pio_full(fd, buf, len, off, false);
}
