// SPDX-License-Identifier: MIT
/*
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78).
 *
 * With SSE4.2 the crc32 instruction does 8 bytes per call, but each call
 * depends on the previous one (3 cycles of latency, 1 of throughput), so
 * long buffers are cut into three adjacent blocks whose CRCs are computed
 * at once and then joined: the CRC register is linear over GF(2), so the
 * register after A then B equals the register after A "shifted" by |B|
 * zero bytes, xor the register after B alone.  The shift by a fixed
 * number of bytes is a 32x32 bit matrix, applied with four byte tables.
 *
 * Without SSE4.2, slicing-by-8 tables.  Tables are built once, on first
 * use; after that they are constant.
 */
#include <endian.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "image.h"

#define CRC32C_POLY	0x82f63b78u

/* Block sizes of the three-way hardware loop, multiples of 8. */
#define CRC_LONG	8192
#define CRC_SHORT	256

struct crc_tables {
	uint32_t sw[8][256];		/* slicing-by-8 */
	uint32_t shift_long[4][256];	/* register times x^(8 * CRC_LONG) */
	uint32_t shift_short[4][256];	/* register times x^(8 * CRC_SHORT) */
	bool hw;
};

static struct crc_tables crc_tab;
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

/* The register after n zero bytes, starting from v (no inversions). */
static uint32_t crc_zeros(const struct crc_tables *t, uint32_t v, size_t n)
{
	while (n--)
		v = t->sw[0][v & 0xff] ^ (v >> 8);
	return v;
}

static void crc_build_shift(struct crc_tables *t, uint32_t shift[4][256],
			    size_t n)
{
	uint32_t basis[32];
	int i, k, b;

	for (i = 0; i < 32; i++)
		basis[i] = crc_zeros(t, 1u << i, n);
	for (k = 0; k < 4; k++) {
		for (b = 0; b < 256; b++) {
			uint32_t v = 0;

			for (i = 0; i < 8; i++)
				if (b & (1 << i))
					v ^= basis[8 * k + i];
			shift[k][b] = v;
		}
	}
}

static void crc_init(void)
{
	struct crc_tables *t = &crc_tab;
	uint32_t i;
	int k;

	for (i = 0; i < 256; i++) {
		uint32_t c = i;

		for (k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ CRC32C_POLY : c >> 1;
		t->sw[0][i] = c;
	}
	for (k = 1; k < 8; k++)
		for (i = 0; i < 256; i++)
			t->sw[k][i] = (t->sw[k - 1][i] >> 8) ^
				      t->sw[0][t->sw[k - 1][i] & 0xff];
	crc_build_shift(t, t->shift_long, CRC_LONG);
	crc_build_shift(t, t->shift_short, CRC_SHORT);
#if defined(__x86_64__)
	__builtin_cpu_init();
	t->hw = __builtin_cpu_supports("sse4.2");
#endif
}

static const struct crc_tables *crc_tables(void)
{
	pthread_once(&crc_once, crc_init);
	return &crc_tab;
}

static inline uint64_t load_le64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

/* The register times x^(8n), n being the length the table was built for. */
static inline uint32_t crc_shift(const uint32_t shift[4][256], uint32_t v)
{
	return shift[0][v & 0xff] ^ shift[1][(v >> 8) & 0xff] ^
	       shift[2][(v >> 16) & 0xff] ^ shift[3][v >> 24];
}

static uint32_t crc_sw(const struct crc_tables *t, uint32_t crc,
		       const unsigned char *p, size_t len)
{
	while (len && ((uintptr_t)p & 7)) {
		crc = t->sw[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
		len--;
	}
	while (len >= 8) {
		uint64_t v = load_le64(p) ^ crc;

		crc = t->sw[7][v & 0xff] ^ t->sw[6][(v >> 8) & 0xff] ^
		      t->sw[5][(v >> 16) & 0xff] ^ t->sw[4][(v >> 24) & 0xff] ^
		      t->sw[3][(v >> 32) & 0xff] ^ t->sw[2][(v >> 40) & 0xff] ^
		      t->sw[1][(v >> 48) & 0xff] ^ t->sw[0][v >> 56];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = t->sw[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

#if defined(__x86_64__)
/* Three adjacent blocks of blk bytes at once; see the top of the file. */
#define CRC_HW_3WAY(blk, shift)							\
	while (len >= 3 * (blk)) {						\
		const unsigned char *end = p + (blk);				\
		uint64_t c1 = 0, c2 = 0;					\
										\
		do {								\
			c0 = __builtin_ia32_crc32di(c0, load_le64(p));		\
			c1 = __builtin_ia32_crc32di(c1, load_le64(p + (blk))); \
			c2 = __builtin_ia32_crc32di(c2,			\
						    load_le64(p + 2 * (blk))); \
			p += 8;							\
		} while (p < end);						\
		c0 = crc_shift(shift, c0) ^ c1;					\
		c0 = crc_shift(shift, c0) ^ c2;					\
		p += 2 * (blk);							\
		len -= 3 * (blk);						\
	}

__attribute__((target("sse4.2")))
static uint32_t crc_hw(const struct crc_tables *t, uint32_t crc,
		       const unsigned char *p, size_t len)
{
	uint64_t c0 = crc;

	while (len && ((uintptr_t)p & 7)) {
		c0 = __builtin_ia32_crc32qi(c0, *p++);
		len--;
	}
	CRC_HW_3WAY(CRC_LONG, t->shift_long);
	CRC_HW_3WAY(CRC_SHORT, t->shift_short);
	while (len >= 8) {
		c0 = __builtin_ia32_crc32di(c0, load_le64(p));
		p += 8;
		len -= 8;
	}
	while (len--)
		c0 = __builtin_ia32_crc32qi(c0, *p++);
	return c0;
}
#endif

uint32_t img_crc32c(uint32_t crc, const void *buf, size_t len)
{
	const struct crc_tables *t = crc_tables();

#if defined(__x86_64__)
	if (t->hw)
		return ~crc_hw(t, ~crc, buf, len);
#endif
	return ~crc_sw(t, ~crc, buf, len);
}

uint32_t img_crc32c_sw(uint32_t crc, const void *buf, size_t len)
{
	return ~crc_sw(crc_tables(), ~crc, buf, len);
}
