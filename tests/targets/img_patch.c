// SPDX-License-Identifier: MIT
/*
 * img_patch DIR TYPE OFFSET SIZE VALUE
 * img_patch DIR TYPE hide
 *
 * Changes the first record of TYPE in DIR/core.img and fixes its
 * checksums, so that a hostile payload gets past the container's checks
 * and reaches the record's own validation.  The first form writes VALUE
 * (decimal or 0x hex) as a little-endian integer of SIZE bytes (1, 2, 4,
 * 8) at OFFSET in the payload.  "hide" makes the record one of type 127
 * marked optional, which a restore skips: the record is as good as gone.
 * Written from docs/image-format.md, without libsudcr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CORE_HDR	48
#define REC_HDR		24

static uint32_t crc32c(const unsigned char *p, size_t n)
{
	uint32_t c = ~0u;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
	}
	return ~c;
}

static uint32_t get32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put(unsigned char *p, uint64_t v, int size)
{
	for (int i = 0; i < size; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

int main(int argc, char **argv)
{
	char path[4096];
	unsigned char *buf;
	struct stat st;
	size_t pos = CORE_HDR;
	uint32_t type;
	int fd;

	if (argc != 4 && argc != 6) {
		fprintf(stderr, "usage: img_patch DIR TYPE OFFSET SIZE VALUE | img_patch DIR TYPE hide\n");
		return 2;
	}
	type = strtoul(argv[2], NULL, 0);
	snprintf(path, sizeof(path), "%s/core.img", argv[1]);
	fd = open(path, O_RDWR);
	if (fd < 0 || fstat(fd, &st) || !(buf = malloc(st.st_size)) ||
	    read(fd, buf, st.st_size) != st.st_size) {
		fprintf(stderr, "img_patch: %s: %s\n", path, strerror(errno));
		return 2;
	}
	while (pos + REC_HDR <= (size_t)st.st_size) {
		unsigned char *h = buf + pos, *payload = h + REC_HDR;
		uint64_t len = get64(h + 8);

		if (get32(h) == 0 || len > (size_t)st.st_size - pos - REC_HDR)
			break;
		if (get32(h) != type) {
			pos += REC_HDR + ((len + 7) & ~7ull);
			continue;
		}
		if (argc == 4) {
			put(h, 127, 4);
			put(h + 4, 1, 4);	/* IMG_REC_OPTIONAL */
		} else {
			uint64_t off = strtoull(argv[3], NULL, 0);
			int size = atoi(argv[4]);

			if ((size != 1 && size != 2 && size != 4 && size != 8) || off + size > len) {
				fprintf(stderr, "img_patch: bad offset or size\n");
				return 2;
			}
			put(payload + off, strtoull(argv[5], NULL, 0), size);
		}
		put(h + 16, crc32c(payload, len), 4);
		put(h + 20, crc32c(h, 20), 4);
		if (pwrite(fd, buf, st.st_size, 0) != st.st_size) {
			fprintf(stderr, "img_patch: %s: %s\n", path, strerror(errno));
			return 2;
		}
		return 0;
	}
	fprintf(stderr, "img_patch: %s: no record of type %u\n", path, type);
	return 1;
}
