/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_IMAGE_CONTAINER_H
#define SUDCR_IMAGE_CONTAINER_H

/*
 * What the image container's writer (write.c) and reader (read.c) share:
 * file names, header sizes, and the helpers that fill and move headers.
 * The container's interface is lib/image.h; the bytes are
 * docs/image-format.md's.
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
#define CORE_HDR_SIZE	sizeof(struct img_file_hdr)
#define PAGES_HDR_SIZE	IMG_PAGE_SIZE
#define REC_HDR_SIZE	sizeof(struct img_rec_hdr)
#define END_REC_SIZE	(REC_HDR_SIZE + sizeof(uint64_t))

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

extern const char core_magic[8], pages_magic[8];

static inline uint64_t align8(uint64_t v)
{
	return (v + 7) & ~(uint64_t)7;
}

const char *page_file_name(char buf[PAGES_NAME_MAX], unsigned int k, bool tmp);
void file_hdr_fill(struct img_file_hdr *h, const char *magic,
		   uint32_t hdr_size, uint64_t count, uint64_t id,
		   uint32_t files);
void rec_hdr_fill(struct img_rec_hdr *h, uint32_t type, uint32_t flags,
		  const void *data, size_t len);
int pio_full(int fd, void *buf, size_t len, uint64_t off, bool write);
int pwrite_full(int fd, const void *buf, size_t len, uint64_t off);
int pread_full(int fd, void *buf, size_t len, uint64_t off);

#endif
