// SPDX-License-Identifier: MIT
/*
 * The coredump filter of the process (/proc/PID/coredump_filter, see
 * core(5)): which kinds of mappings a core dump of it would hold.  It
 * belongs to the mm, so the dump reads it through any live thread and the
 * restore writes it for the restored process once its memory is in place.
 *
 * One record, IMG_REC_OPTIONAL: a restorer that does not know it restores
 * the rest (with its own filter, as before this kind existed); an image
 * without it is restored with the filter the stub inherited from sudcr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cr.h"
#include <sudcr/log.h>

#include "kinds.h"

#define IMG_REC_COREDUMP_FILTER	72

/* Bits 0-8: anonymous private/shared, file private/shared, ELF headers, hugetlb and DAX private/shared. */
#define COREDUMP_FILTER_BITS	0x1ffu

struct rec_coredump_filter {
	uint32_t filter;		/* as /proc/PID/coredump_filter shows it */
	uint32_t pad;			/* 0 */
};

static int dump_coredump_filter(struct dump_ctx *d)
{
	struct rec_coredump_filter rec = { 0 };
	char path[64], *buf = NULL, *end;
	unsigned long v;
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/coredump_filter", d->proc_pid);
	ret = proc_read_file(path, &buf, &len);
	if (ret) {
		sudcr_error("process %d: cannot read %s: %s", d->pid, path, strerror(-ret));
		return ret;
	}
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (errno || end == buf || (*end && *end != '\n') || v & ~(unsigned long)COREDUMP_FILTER_BITS) {
		sudcr_error("process %d: unexpected %s: \"%.16s\"", d->pid, path, buf);
		free(buf);
		return -EIO;
	}
	free(buf);
	rec.filter = (uint32_t)v;
	return img_write_record_flags(d->img, IMG_REC_COREDUMP_FILTER, IMG_REC_OPTIONAL, &rec, sizeof(rec));
}

/* The image's record, checked: 1 and *filter, 0 if there is none, or -errno. */
static int find_coredump_filter(struct restore_ctx *r, uint32_t *filter)
{
	const struct rec_coredump_filter *rec;
	const void *data;
	size_t len;
	int ret, nr = 0;

	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_COREDUMP_FILTER, &data, &len)) == 1) {
		rec = data;
		if (len != sizeof(*rec) || nr++)
			return img_record_invalid(r->img, "bad or repeated coredump filter record");
		if (rec->filter & ~COREDUMP_FILTER_BITS || rec->pad)
			return img_record_invalid(r->img, "coredump filter %#x: unknown bits", rec->filter);
		*filter = rec->filter;
	}
	return ret < 0 ? ret : nr;
}

static int prepare_coredump_filter(struct restore_ctx *r)
{
	uint32_t filter;
	int ret = find_coredump_filter(r, &filter);

	return ret < 0 ? ret : 0;
}

static int restore_coredump_filter(struct restore_ctx *r)
{
	char path[64], buf[16];
	uint32_t filter;
	int fd, n, ret = find_coredump_filter(r, &filter);

	if (ret <= 0)
		return ret;
	snprintf(path, sizeof(path), "/proc/%d/coredump_filter", r->pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	n = snprintf(buf, sizeof(buf), "0x%x", filter);
	if (fd < 0 || write(fd, buf, n) != n) {
		ret = -errno;
		sudcr_error("cannot set the coredump filter of %d to %#x: %s", r->pid, filter, strerror(-ret));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	close(fd);
	return 0;
}

const struct cr_kind cr_kind_coredump_filter = {
	.name = "coredump_filter",
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_COREDUMP_FILTER, "coredump_filter" },
		{ 0, NULL },
	},
	.dump = dump_coredump_filter,
	.prepare = prepare_coredump_filter,
	.restore = restore_coredump_filter,
};
