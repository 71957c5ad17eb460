// SPDX-License-Identifier: MIT
/*
 * rec_poke FILE TYPE OFF=HEX... - in core.img FILE, overwrite bytes of the
 * payload of the first record of type TYPE: at payload offset OFF, the
 * bytes HEX (two hex digits each, in file order), for each OFF=HEX; then
 * recompute the record's payload and header CRCs.  For tests of what the restore does
 * with records that are valid but cannot be restored here.  Exit status 0,
 * or 1 with a message (no such record, offset past the payload).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADER_SIZE 48

/* CRC32C, reflected, as docs/image-format.md says. */
static uint32_t crc32c(uint32_t crc, const unsigned char *p, size_t len)
{
	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78u & -(crc & 1));
	}
	return ~crc;
}

static uint32_t get32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

int main(int argc, char **argv)
{
	unsigned char *buf;
	unsigned long type;
	struct stat st;
	size_t off = HEADER_SIZE;
	int fd;

	if (argc < 4) {
		fprintf(stderr, "usage: rec_poke FILE TYPE OFF=HEX...\n");
		return 2;
	}
	type = strtoul(argv[2], NULL, 0);
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || fstat(fd, &st) || !(buf = malloc(st.st_size)) ||
	    read(fd, buf, st.st_size) != st.st_size) {
		perror(argv[1]);
		return 1;
	}
	while (off + 24 <= (size_t)st.st_size) {
		uint32_t t = get32(buf + off);
		uint64_t len = get32(buf + off + 8) | (uint64_t)get32(buf + off + 12) << 32;
		unsigned char *payload = buf + off + 24;

		if (t == 0)
			break;
		if (len > (uint64_t)st.st_size - off - 24)
			break;
		if (t == type) {
			for (int i = 3; i < argc; i++) {
				char *eq = strchr(argv[i], '=');
				size_t at = strtoul(argv[i], NULL, 0), n;

				if (!eq || (n = strlen(eq + 1)) % 2 || at + n / 2 > len) {
					fprintf(stderr, "rec_poke: bad or out-of-range %s\n", argv[i]);
					return 1;
				}
				for (size_t k = 0; k < n / 2; k++) {
					char hx[3] = { eq[1 + 2 * k], eq[2 + 2 * k], 0 };

					payload[at + k] = (unsigned char)strtoul(hx, NULL, 16);
				}
			}
			uint32_t crc = crc32c(0, payload, len);

			memcpy(buf + off + 16, &crc, 4);
			crc = crc32c(0, buf + off, 20);
			memcpy(buf + off + 20, &crc, 4);
			if (pwrite(fd, buf, st.st_size, 0) != st.st_size) {
				perror("pwrite");
				return 1;
			}
			return 0;
		}
		off += 24 + ((len + 7) & ~7ULL);
	}
	fprintf(stderr, "rec_poke: %s has no record of type %lu\n", argv[1], type);
	return 1;
}
