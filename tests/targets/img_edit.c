// SPDX-License-Identifier: MIT
/*
 * img_edit: change one record of an image and make every checksum, the
 * padding and the record counts valid again, so that what a test feeds to
 * sudcr gets past the container's checks and reaches the record
 * validators.  Used by tests/cli/hostile.sh.  Knows the container format
 * (docs/image-format.md) and the field names of image_records.h:
 *
 *   img_edit DIR list                        IDX TYPE LEN per record
 *   img_edit DIR set REC N FIELD VALUE       a field of the Nth REC record
 *   img_edit DIR poke REC N OFFSET VALUE     a u8 at a payload offset
 *   img_edit DIR len REC N LEN [BYTE]        cut or extend the payload (with 0 or BYTE)
 *   img_edit DIR del REC N                   remove the record
 *   img_edit DIR dup REC N                   repeat it right after itself
 *   img_edit DIR move REC N                  move it to the end (before END)
 *   img_edit DIR type REC N TYPE             give it another type
 *   img_edit DIR first REC FIELD MASK        print N of the first REC whose
 *                                            FIELD has a bit of MASK (or -1)
 *   img_edit DIR find REC FIELD VALUE        print N of the first REC whose
 *                                            FIELD is VALUE (or -1)
 *   img_edit DIR off REC FIELD               print FIELD's payload offset (the
 *                                            variable part: path0, tfd0, ...)
 *
 * REC is a name (process, thread, xstate, mm, vma, pages, tls, sigaction,
 * sigpending, sigaltstack, fd, file_data, timerfd, epoll, unix, unix_queue,
 * lock, misc, thread_misc, rlimit, itimer, posix_timer, seccomp) or a
 * number; N counts from 0 among records of that type.  VALUE is a C
 * integer (strtoull base 0; a leading '-' is two's complement).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sudcr/image_records.h>

#define HDR_SIZE 48
#define REC_HDR 24

static uint32_t crc32c(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & -(crc & 1));
	}
	return ~crc;
}

static const struct {
	const char *name;
	uint32_t type;
} types[] = {
	{ "process", IMG_REC_PROCESS }, { "thread", IMG_REC_THREAD }, { "xstate", IMG_REC_XSTATE },
	{ "mm", IMG_REC_MM }, { "vma", IMG_REC_VMA }, { "pages", IMG_REC_PAGES }, { "tls", IMG_REC_TLS },
	{ "sigaction", IMG_REC_SIGACTION }, { "sigpending", IMG_REC_SIGPENDING },
	{ "sigaltstack", IMG_REC_SIGALTSTACK }, { "fd", IMG_REC_FD }, { "file_data", IMG_REC_FILE_DATA },
	{ "timerfd", IMG_REC_TIMERFD }, { "epoll", IMG_REC_EPOLL }, { "unix", IMG_REC_UNIX },
	{ "unix_queue", IMG_REC_UNIX_QUEUE }, { "lock", IMG_REC_LOCK }, { "misc", IMG_REC_MISC },
	{ "thread_misc", IMG_REC_THREAD_MISC }, { "rlimit", IMG_REC_RLIMIT }, { "itimer", IMG_REC_ITIMER },
	{ "posix_timer", IMG_REC_POSIX_TIMER }, { "seccomp", IMG_REC_SECCOMP },
};

#define F(rec, st, field) { rec, #field, offsetof(struct st, field), sizeof(((struct st *)0)->field) }
static const struct {
	uint32_t type;
	const char *name;
	size_t off, size;
} fields[] = {
	F(IMG_REC_PROCESS, rec_process, pid), F(IMG_REC_PROCESS, rec_process, arch),
	F(IMG_REC_PROCESS, rec_process, nr_threads), F(IMG_REC_PROCESS, rec_process, flags),
	F(IMG_REC_PROCESS, rec_process, page_size),
	F(IMG_REC_THREAD, rec_thread, tid), F(IMG_REC_THREAD, rec_thread, flags),
	F(IMG_REC_XSTATE, rec_xstate, tid), F(IMG_REC_XSTATE, rec_xstate, len),
	F(IMG_REC_MM, rec_mm, auxv_len), F(IMG_REC_MM, rec_mm, pad), F(IMG_REC_MM, rec_mm, exe),
	F(IMG_REC_VMA, rec_vma, start), F(IMG_REC_VMA, rec_vma, end), F(IMG_REC_VMA, rec_vma, pgoff),
	F(IMG_REC_VMA, rec_vma, prot), F(IMG_REC_VMA, rec_vma, flags), F(IMG_REC_VMA, rec_vma, path_len),
	{ IMG_REC_VMA, "path0", sizeof(struct rec_vma), 1 },
	{ IMG_REC_FD, "path0", sizeof(struct rec_fd), 1 },
	F(IMG_REC_PAGES, rec_pages, vaddr), F(IMG_REC_PAGES, rec_pages, nr_pages),
	F(IMG_REC_PAGES, rec_pages, offset), F(IMG_REC_PAGES, rec_pages, file),
	F(IMG_REC_SIGACTION, rec_sigaction, signo), F(IMG_REC_SIGACTION, rec_sigaction, pad),
	F(IMG_REC_SIGACTION, rec_sigaction, flags), F(IMG_REC_SIGACTION, rec_sigaction, mask),
	F(IMG_REC_SIGPENDING, rec_sigpending, tid), F(IMG_REC_SIGPENDING, rec_sigpending, pad),
	F(IMG_REC_SIGPENDING, rec_sigpending, siginfo),
	F(IMG_REC_SIGALTSTACK, rec_sigaltstack, tid), F(IMG_REC_SIGALTSTACK, rec_sigaltstack, flags),
	F(IMG_REC_SIGALTSTACK, rec_sigaltstack, sp), F(IMG_REC_SIGALTSTACK, rec_sigaltstack, size),
	F(IMG_REC_FD, rec_fd, fd), F(IMG_REC_FD, rec_fd, kind), F(IMG_REC_FD, rec_fd, flags),
	F(IMG_REC_FD, rec_fd, fd_flags), F(IMG_REC_FD, rec_fd, desc), F(IMG_REC_FD, rec_fd, obj),
	F(IMG_REC_FD, rec_fd, inherit_fd), F(IMG_REC_FD, rec_fd, size), F(IMG_REC_FD, rec_fd, count),
	F(IMG_REC_FD, rec_fd, xflags), F(IMG_REC_FD, rec_fd, pipe_size), F(IMG_REC_FD, rec_fd, seals),
	F(IMG_REC_FD, rec_fd, path_len),
	F(IMG_REC_FILE_DATA, rec_file_data, fd), F(IMG_REC_FILE_DATA, rec_file_data, pad),
	F(IMG_REC_FILE_DATA, rec_file_data, offset), F(IMG_REC_FILE_DATA, rec_file_data, len),
	F(IMG_REC_TIMERFD, rec_timerfd, fd), F(IMG_REC_TIMERFD, rec_timerfd, clockid),
	F(IMG_REC_TIMERFD, rec_timerfd, settime_flags), F(IMG_REC_TIMERFD, rec_timerfd, value_nsec),
	F(IMG_REC_TIMERFD, rec_timerfd, interval_nsec),
	F(IMG_REC_EPOLL, rec_epoll, fd), F(IMG_REC_EPOLL, rec_epoll, nr),
	{ IMG_REC_EPOLL, "tfd0", sizeof(struct rec_epoll) + offsetof(struct rec_epoll_tfd, tfd), 4 },
	F(IMG_REC_UNIX, rec_unix, fd), F(IMG_REC_UNIX, rec_unix, peer), F(IMG_REC_UNIX, rec_unix, type),
	F(IMG_REC_UNIX, rec_unix, shutdown), F(IMG_REC_UNIX, rec_unix, opts),
	F(IMG_REC_UNIX_QUEUE, rec_unix_queue, fd), F(IMG_REC_UNIX_QUEUE, rec_unix_queue, nr),
	F(IMG_REC_UNIX_QUEUE, rec_unix_queue, len),
	{ IMG_REC_UNIX_QUEUE, "msg0_len", sizeof(struct rec_unix_queue) + offsetof(struct rec_unix_msg, len), 4 },
	F(IMG_REC_LOCK, rec_lock, fd), F(IMG_REC_LOCK, rec_lock, kind), F(IMG_REC_LOCK, rec_lock, type),
	F(IMG_REC_LOCK, rec_lock, start), F(IMG_REC_LOCK, rec_lock, len),
	F(IMG_REC_MISC, rec_misc, umask), F(IMG_REC_MISC, rec_misc, dumpable),
	F(IMG_REC_MISC, rec_misc, nr_rlimits), F(IMG_REC_MISC, rec_misc, nr_itimers),
	F(IMG_REC_MISC, rec_misc, nr_posix_timers), F(IMG_REC_MISC, rec_misc, nr_seccomp),
	F(IMG_REC_MISC, rec_misc, cwd_len), F(IMG_REC_MISC, rec_misc, root_len),
	F(IMG_REC_THREAD_MISC, rec_thread_misc, tid), F(IMG_REC_THREAD_MISC, rec_thread_misc, rseq_ptr),
	F(IMG_REC_THREAD_MISC, rec_thread_misc, rseq_len), F(IMG_REC_THREAD_MISC, rec_thread_misc, pdeathsig),
	F(IMG_REC_THREAD_MISC, rec_thread_misc, robust_len),
	F(IMG_REC_THREAD_MISC, rec_thread_misc, seccomp_mode), F(IMG_REC_THREAD_MISC, rec_thread_misc, comm),
	F(IMG_REC_RLIMIT, rec_rlimit, resource), F(IMG_REC_RLIMIT, rec_rlimit, cur),
	F(IMG_REC_RLIMIT, rec_rlimit, max),
	F(IMG_REC_ITIMER, rec_itimer, which), F(IMG_REC_ITIMER, rec_itimer, value_usec),
	F(IMG_REC_POSIX_TIMER, rec_posix_timer, id), F(IMG_REC_POSIX_TIMER, rec_posix_timer, signo),
	F(IMG_REC_POSIX_TIMER, rec_posix_timer, notify), F(IMG_REC_POSIX_TIMER, rec_posix_timer, notify_tid),
	F(IMG_REC_POSIX_TIMER, rec_posix_timer, value_nsec),
	F(IMG_REC_SECCOMP, rec_seccomp, tid), F(IMG_REC_SECCOMP, rec_seccomp, index),
	F(IMG_REC_SECCOMP, rec_seccomp, flags), F(IMG_REC_SECCOMP, rec_seccomp, nr_insns),
	F(IMG_REC_TLS, rec_tls, tid), F(IMG_REC_TLS, rec_tls, nr),
};

struct rec {
	uint32_t type, flags;
	size_t len;
	unsigned char *data;
};

static void die(const char *msg)
{
	fprintf(stderr, "img_edit: %s\n", msg);
	exit(2);
}

static uint32_t get32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return le32toh(v); }
static uint64_t get64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return le64toh(v); }
static void put32(unsigned char *p, uint32_t v) { v = htole32(v); memcpy(p, &v, 4); }
static void put64(unsigned char *p, uint64_t v) { v = htole64(v); memcpy(p, &v, 8); }

static uint32_t type_of(const char *s)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(types[i].name, s))
			return types[i].type;
	return strtoul(s, NULL, 0);
}

static size_t field_of(uint32_t type, const char *name)
{
	for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		if (fields[k].type == type && !strcmp(fields[k].name, name))
			return k;
	die("unknown field");
	return 0;
}

static uint64_t get_field(const struct rec *r, size_t k)
{
	const unsigned char *p = r->data + fields[k].off;

	if (fields[k].off + fields[k].size > r->len)
		return 0;
	return fields[k].size == 8 ? get64(p) : fields[k].size == 4 ? get32(p) : *p;
}

static int find(struct rec *recs, int n, uint32_t type, int nth)
{
	for (int i = 0; i < n; i++)
		if (recs[i].type == type && !nth--)
			return i;
	die("no such record");
	return -1;
}

int main(int argc, char **argv)
{
	static struct rec recs[1 << 20];
	unsigned char hdr[HDR_SIZE], *buf, *out;
	char path[4096];
	struct stat st;
	size_t pos, olen;
	int n = 0, fd, i = -1;

	if (argc < 3)
		die("usage: img_edit DIR list|set|poke|len|del|dup|move ...");
	snprintf(path, sizeof(path), "%s/core.img", argv[1]);
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || st.st_size < HDR_SIZE)
		die("cannot read core.img");
	buf = malloc(st.st_size);
	if (!buf || read(fd, buf, st.st_size) != st.st_size)
		die("cannot read core.img");
	close(fd);
	memcpy(hdr, buf, HDR_SIZE);
	for (pos = HDR_SIZE; pos + REC_HDR <= (size_t)st.st_size; n++) {
		struct rec *r = &recs[n];

		r->type = get32(buf + pos);
		r->flags = get32(buf + pos + 4);
		r->len = get64(buf + pos + 8);
		r->data = buf + pos + REC_HDR;
		pos += REC_HDR + ((r->len + 7) & ~(size_t)7);
		if (r->type == 0)
			break;
	}
	/* n counts the records before END, which is rebuilt. */
	if (!strcmp(argv[2], "list")) {
		for (int k = 0; k < n; k++)
			printf("%d %u %zu\n", k, recs[k].type, recs[k].len);
		return 0;
	}
	if (!strcmp(argv[2], "off") && argc == 5) {
		printf("%zu\n", fields[field_of(type_of(argv[3]), argv[4])].off);
		return 0;
	}
	if ((!strcmp(argv[2], "first") || !strcmp(argv[2], "find")) && argc == 6) {
		uint32_t type = type_of(argv[3]);
		size_t k = field_of(type, argv[4]);
		uint64_t mask = strtoull(argv[5], NULL, 0);
		int nth = 0;

		for (int j = 0; j < n; j++) {
			if (recs[j].type != type)
				continue;
			uint64_t v = get_field(&recs[j], k);

			if (!strcmp(argv[2], "find") ? v == mask : (v & mask) != 0) {
				printf("%d\n", nth);
				return 0;
			}
			nth++;
		}
		printf("-1\n");
		return 0;
	}
	if (argc < 5)
		die("missing REC N");
	i = find(recs, n, type_of(argv[3]), atoi(argv[4]));
	if (!strcmp(argv[2], "set") && argc == 7) {
		size_t k = field_of(recs[i].type, argv[5]);

		if (fields[k].off + fields[k].size > recs[i].len)
			die("field beyond the payload");
		uint64_t v = argv[6][0] == '-' ? -strtoull(argv[6] + 1, NULL, 0) : strtoull(argv[6], NULL, 0);
		unsigned char *p = recs[i].data + fields[k].off;

		if (fields[k].size == 4)
			put32(p, v);
		else if (fields[k].size == 8)
			put64(p, v);
		else
			memset(p, (int)v, fields[k].size);	/* byte arrays: filled */
	} else if (!strcmp(argv[2], "poke") && argc == 7) {
		size_t off = strtoull(argv[5], NULL, 0);

		if (off >= recs[i].len)
			die("offset beyond the payload");
		recs[i].data[off] = strtoul(argv[6], NULL, 0);
	} else if (!strcmp(argv[2], "len") && (argc == 6 || argc == 7)) {
		size_t len = strtoull(argv[5], NULL, 0);
		unsigned char *d = calloc(1, len + 1);

		if (!d)
			die("out of memory");
		if (argc == 7 && len > recs[i].len)
			memset(d + recs[i].len, (int)strtoul(argv[6], NULL, 0), len - recs[i].len);
		memcpy(d, recs[i].data, len < recs[i].len ? len : recs[i].len);
		recs[i].data = d;
		recs[i].len = len;
	} else if (!strcmp(argv[2], "type") && argc == 6) {
		recs[i].type = type_of(argv[5]);
	} else if (!strcmp(argv[2], "del")) {
		memmove(&recs[i], &recs[i + 1], (n - i - 1) * sizeof(recs[0]));
		n--;
	} else if (!strcmp(argv[2], "dup")) {
		memmove(&recs[i + 1], &recs[i], (n - i) * sizeof(recs[0]));
		n++;
	} else if (!strcmp(argv[2], "move")) {
		struct rec r = recs[i];

		memmove(&recs[i], &recs[i + 1], (n - i - 1) * sizeof(recs[0]));
		recs[n - 1] = r;
	} else {
		die("bad command");
	}

	olen = HDR_SIZE + REC_HDR + 8;
	for (int k = 0; k < n; k++)
		olen += REC_HDR + ((recs[k].len + 7) & ~(size_t)7);
	out = calloc(1, olen);
	if (!out)
		die("out of memory");
	put64(hdr + 16, n);
	put32(hdr + 44, crc32c(0, hdr, 44));
	memcpy(out, hdr, HDR_SIZE);
	pos = HDR_SIZE;
	for (int k = 0; k <= n; k++) {
		unsigned char end[8];
		struct rec e = { 0, 0, 8, end };
		const struct rec *r = k < n ? &recs[k] : &e;

		put64(end, n);
		put32(out + pos, r->type);
		put32(out + pos + 4, r->flags);
		put64(out + pos + 8, r->len);
		put32(out + pos + 16, crc32c(0, r->data, r->len));
		put32(out + pos + 20, crc32c(0, out + pos, 20));
		memcpy(out + pos + REC_HDR, r->data, r->len);
		pos += REC_HDR + ((r->len + 7) & ~(size_t)7);
	}
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0 || write(fd, out, olen) != (ssize_t)olen || close(fd))
		die("cannot write core.img");
	return 0;
}
