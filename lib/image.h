/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_IMAGE_H
#define SUDCR_IMAGE_H

/*
 * The on-disk image container (docs/image-format.md).
 *
 * An image is a directory holding core.img, a sequence of typed and
 * checksummed records, and one or more page files pages-0.img,
 * pages-1.img, ..., page data at 4096-aligned offsets that the restorer
 * maps.  There are several so that several threads can write page data at
 * once: writes to one file serialize on its inode lock.  This layer knows nothing of what the records
 * mean: record types are listed in image_records.h.
 *
 * Every function returning int returns 0 (or 1 where said) on success and
 * a negative errno on error, after reporting the error once through
 * sudcr_error() with the file and what is wrong.  An image is untrusted
 * input: the reader validates every length, offset and checksum in
 * img_reader_open() before handing anything out.
 *
 * A writer or reader is used by one thread at a time; img_crc32c() is
 * thread-safe.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sudcr/api.h>

#define IMG_FORMAT_VERSION	3
#define IMG_PAGE_SIZE		4096u
#define IMG_PAGE_FILES_MAX	16u

/* Largest payload of a single record, and largest core.img. */
#define IMG_RECORD_MAX		(64u << 20)
#define IMG_CORE_MAX		(1ull << 30)

/* Type 0 is the END record, written by img_writer_commit() only. */
#define IMG_REC_END		0u

/*
 * Record flags.  A consumer rejects a record type it does not know unless
 * IMG_REC_OPTIONAL is set, in which case it skips it (img_record_unknown()
 * does exactly that).  Other bits are reserved and must be zero.
 */
#define IMG_REC_OPTIONAL	(1u << 0)
#define IMG_REC_FLAGS_KNOWN	IMG_REC_OPTIONAL

/*
 * CRC32C (Castagnoli), reflected, as in iSCSI and ext4: pass 0 to start,
 * and the previous result to continue, so that
 * img_crc32c(img_crc32c(0, a, n), b, m) is the CRC of a followed by b.
 * Uses the SSE4.2 crc32 instruction when the CPU has it.
 */
uint32_t img_crc32c(uint32_t crc, const void *buf, size_t len);
/* The portable table-driven version, for tests and benchmarks. */
uint32_t img_crc32c_sw(uint32_t crc, const void *buf, size_t len);

/* Writer */

struct img_writer;

/* Flags of img_writer_open_flags(). */
#define IMG_W_OVERWRITE		(1u << 0)	/* replace an image already in dir */

/*
 * Start an image in dir, created (0700) if missing; its parent must exist.
 * Data goes to temporaries (.core.img.tmp, .pages-K.img.tmp) inside dir.
 * The image starts with one page file.
 * Fails with -EEXIST if dir already holds a core.img, unless
 * IMG_W_OVERWRITE is given; an image being replaced stays intact until
 * img_writer_commit().  Fails with -EBUSY if another writer has dir open.
 */
int img_writer_open(struct img_writer **w, const char *dir);
int img_writer_open_flags(struct img_writer **w, const char *dir,
			  unsigned int flags);

/* fsync files and directory on commit (default true; false for tmpfs). */
void img_writer_set_sync(struct img_writer *w, bool sync);

/*
 * Use n page files (1 to IMG_PAGE_FILES_MAX), numbered 0 to n - 1.  Only
 * before any page data is reserved or claimed.
 */
int img_writer_set_page_files(struct img_writer *w, unsigned int n);
unsigned int img_writer_page_files(const struct img_writer *w);

/*
 * Append a record.  type must not be IMG_REC_END, len at most
 * IMG_RECORD_MAX.  After an error the writer only accepts
 * img_writer_abort() (img_writer_commit() fails again).
 */
int img_write_record(struct img_writer *w, uint32_t type, const void *data,
		     size_t len);
int img_write_record_flags(struct img_writer *w, uint32_t type,
			   uint32_t flags, const void *data, size_t len);

/*
 * Reserve len bytes of page data (len > 0, a multiple of IMG_PAGE_SIZE) in
 * page file k.  *off is its offset in that file (from the start of the
 * file, so always IMG_PAGE_SIZE-aligned and never 0); *ptr points to it in
 * a shared mapping of the file, writable until img_writer_commit() or
 * img_writer_abort().  The space is allocated on disk before this returns,
 * so a full disk is an error here (-ENOSPC), never a SIGBUS on the write.
 * Reserved bytes not written read back as zeros.  Page-faulting every page
 * of the mapping is slow: for data already in a buffer, claim and pwrite.
 */
int img_pages_reserve(struct img_writer *w, unsigned int k, size_t len,
		      uint64_t *off, void **ptr);

/*
 * For writers that fill page data from several threads: claim len bytes
 * (a positive multiple of IMG_PAGE_SIZE) at the end of the page data of
 * page file k, returning their offset, and write them later with
 * img_pages_pwrite(), which only calls pwrite(2) and so may run in any
 * thread, concurrently with anything but img_writer_commit() and
 * img_writer_abort().  Claims themselves are serialized by the caller,
 * like every other call.  Every claimed byte must be written before
 * commit; img_pages_pwrite() reports nothing: on error the caller reports
 * it and aborts the writer.
 */
int img_pages_claim(struct img_writer *w, unsigned int k, size_t len,
		    uint64_t *off);
int img_pages_pwrite(struct img_writer *w, unsigned int k, const void *buf,
		     size_t len, uint64_t off);

/*
 * Finish the image: END record, headers, fsync (unless disabled), then
 * rename the page files into place and core.img last, so that a directory
 * without core.img is never mistaken for a complete image.  Replacing an
 * image with more page files removes the ones left over.  Frees w, on
 * success and on error alike; on error the image is aborted as by
 * img_writer_abort().
 */
int img_writer_commit(struct img_writer *w);

/*
 * Drop the image being written: unmap, remove the temporaries, free w.
 * An image that was there before img_writer_open() is left as it was.
 * NULL is allowed.
 */
void img_writer_abort(struct img_writer *w);

/* Reader */

struct img_reader;

/*
 * Open and validate the image in dir: every header (magic, version, crc,
 * image id, page file index), every record (header crc, length, payload
 * crc, padding), the END record and the record count, the size of every
 * page file.  A version newer than
 * IMG_FORMAT_VERSION is rejected.  -EINVAL for a malformed image, -EIO for
 * a read error, -ENOENT (or what open(2) says) for a missing file.
 */
int img_reader_open(struct img_reader **r, const char *dir);

/*
 * Return the next record: 1 with *type, *data, *len set (data is 8-byte
 * aligned and valid until img_reader_close(); NULL when len is 0), 0 once
 * the END record is reached, negative on error.
 */
int img_next_record(struct img_reader *r, uint32_t *type, const void **data,
		    size_t *len);
/* The same, also returning the record's flags. */
int img_next_record_flags(struct img_reader *r, uint32_t *type,
			  uint32_t *flags, const void **data, size_t *len);
/* Start again from the first record. */
void img_rewind(struct img_reader *r);

/* Number of records in the image, END not counted. */
uint64_t img_record_count(const struct img_reader *r);

/* The name show gives a record type ("unknown" if no kind owns it). */
const char *sudcr_record_name(uint32_t type);
/* The name show gives an FD record's kind, REC_FD_* ("unknown" if there is none such). */
const char *sudcr_fd_kind_name(uint32_t kind);
/*
 * What show prints of the state the kind keeps in an FD record (eventfd
 * count, signalfd mask, memfd seals, pipe size, ...), as text or as JSON
 * members, into buf; "" if nothing.
 */
struct rec_fd;
void sudcr_fd_kind_detail(const struct rec_fd *rec, bool json, char *buf, size_t size);
/*
 * Number of records of one type, without moving the reader: a count that
 * an image states must be checked against this before it sizes anything.
 */
uint64_t img_count_type(const struct img_reader *r, uint32_t type);

/*
 * For the record last returned, whose type the caller does not know:
 * return 0 if it is IMG_REC_OPTIONAL (skip it), else report
 * "core.img: record N: unknown record type T" and return -EINVAL.
 */
int img_record_unknown(struct img_reader *r, uint32_t type, uint32_t flags);

/*
 * Report a malformed payload of the record last returned, as
 * "DIR/core.img: record N (type T): <message>", and return -EINVAL.
 */
int img_record_invalid(struct img_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Page data at [off, off + len) of page file k: off and len must be
 * IMG_PAGE_SIZE multiples, len > 0, and the range inside the page data.
 * *ptr points into a read-only mapping valid until img_reader_close().
 */
int img_pages_get(struct img_reader *r, unsigned int k, uint64_t off,
		  size_t len, const void **ptr);
/*
 * The crc32c of page data that img_pages_get() returned (ptr, len), read
 * safely: a page file that shrinks after img_reader_open() (someone
 * truncated it) is reported as "pages-K.img: truncated while reading" and
 * -EIO, where a plain read of the mapping would kill the caller with
 * SIGBUS.  Thread-safe.  (process_vm_writev(2) from such a mapping returns
 * a short count instead: no signal either.)
 */
int img_pages_crc(struct img_reader *r, const void *ptr, size_t len,
		  uint32_t *crc);
/* Number of page files. */
unsigned int img_page_files(const struct img_reader *r);
/* Bytes of page data in page file k (its size less the header page). */
uint64_t img_pages_data_len(const struct img_reader *r, unsigned int k);
/* Page file k itself, for pread(2) or a mapping of the caller's own. */
int img_pages_fd(struct img_reader *r, unsigned int k);

/* NULL is allowed. */
void img_reader_close(struct img_reader *r);

#endif
