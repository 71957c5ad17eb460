// SPDX-License-Identifier: MIT
/*
 * img_edit: change one record of an image and make every checksum, the
 * padding and the record counts valid again, so that what a test feeds to
 * sudcr gets past the container's checks and reaches the record
 * validators.  Used by tests/cli/hostile.sh, creds.sh and attrs.sh.  Knows
 * the container format (docs/image-format.md) and the field names of
 * image_records.h:
 *
 *   img_edit DIR list                        IDX TYPE LEN per record
 *   img_edit DIR set REC N FIELD VALUE       a field of the Nth REC record
 *   img_edit DIR poke REC N OFFSET VALUE [SIZE]
 *                                            an integer of SIZE bytes (1, 2,
 *                                            4 or 8; 1 if not given) at a
 *                                            payload offset
 *   img_edit DIR bytes REC N OFFSET HEX      the bytes HEX (two hex digits
 *                                            each, in file order) there
 *   img_edit DIR len REC N LEN [BYTE]        cut or extend the payload (with 0 or BYTE)
 *   img_edit DIR del REC N                   remove the record
 *   img_edit DIR dup REC N                   repeat it right after itself
 *   img_edit DIR move REC N                  move it to the end (before END)
 *   img_edit DIR type REC N TYPE             give it another type
 *   img_edit DIR hide REC N                  make it of the unknown type 127,
 *                                            IMG_REC_OPTIONAL: a restore
 *                                            skips it, as if it were gone
 *   img_edit DIR first REC FIELD MASK        print N of the first REC whose
 *                                            FIELD has a bit of MASK (or -1)
 *   img_edit DIR find REC FIELD VALUE        print N of the first REC whose
 *                                            FIELD is VALUE (or -1)
 *   img_edit DIR off REC FIELD               print FIELD's payload offset
 *
 * REC (and TYPE) is a record type's name (the IMG_REC_ name in lower case:
 * process, thread, xstate, mm, vma, pages, tls, mm_attrs, sigaction,
 * sigpending, sigaltstack, namespaces, fd, file_data, timerfd, epoll,
 * unix, unix_queue, lock, tty, pipe_outside, pty, misc, thread_misc, rlimit,
 * itimer, posix_timer, seccomp, creds, procattr, sched, file_times,
 * thread_attr) or a number; N counts from 0 among records of that type.
 *
 * FIELD is a member of the record's struct.  An array member takes an
 * index, FIELD[I]; without one, set writes VALUE to every element.  The
 * variable parts after the struct are path (vma, fd), groups (creds),
 * pids (pipe_outside), which always take an index, and the first entry's
 * members tfd0 (epoll), msg0_len (unix_queue), desc0_entry_number (tls);
 * path0 is path[0].  si_signo (sigpending) is the first int of siginfo.
 *
 * VALUE is a C integer (base 0; a leading '-' is two's complement) that
 * must fit the field.  Any error (unknown record type, field or command,
 * no such record, a value or offset that does not fit) exits 2 with a
 * message and leaves the image as it was.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "image_records.h"

#define HDR_SIZE 48
#define REC_HDR 24
#define REC_HIDDEN 127		/* a type no reader knows */

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

#define T(name, type) { #name, IMG_REC_##type }
static const struct {
	const char *name;
	uint32_t type;
} types[] = {
	T(process, PROCESS), T(thread, THREAD), T(xstate, XSTATE), T(mm, MM), T(vma, VMA),
	T(pages, PAGES), T(tls, TLS), T(mm_attrs, MM_ATTRS),
	T(sigaction, SIGACTION), T(sigpending, SIGPENDING), T(sigaltstack, SIGALTSTACK),
	T(namespaces, NAMESPACES),
	T(fd, FD), T(file_data, FILE_DATA), T(timerfd, TIMERFD), T(epoll, EPOLL), T(unix, UNIX),
	T(unix_queue, UNIX_QUEUE), T(lock, LOCK), T(tty, TTY), T(pipe_outside, PIPE_OUTSIDE), T(pty, PTY),
	T(misc, MISC), T(thread_misc, THREAD_MISC), T(rlimit, RLIMIT), T(itimer, ITIMER),
	T(posix_timer, POSIX_TIMER), T(seccomp, SECCOMP),
	T(creds, CREDS), T(procattr, PROCATTR), T(sched, SCHED), T(file_times, FILE_TIMES),
	T(thread_attr, THREAD_ATTR),
};

/*
 * A field: off and size in the payload, elem the size of one element
 * (elem == size for a scalar).  size 0: the variable part after the
 * struct, as long as the record is.
 */
struct field {
	uint32_t type;
	const char *name;
	size_t off, size, elem;
};

#define MEMB(st, m) (((struct st *)0)->m)
#define F(rec, st, m) { IMG_REC_##rec, #m, offsetof(struct st, m), sizeof(MEMB(st, m)), \
			sizeof(MEMB(st, m)) }
#define A(rec, st, m) { IMG_REC_##rec, #m, offsetof(struct st, m), sizeof(MEMB(st, m)), \
			sizeof(MEMB(st, m)[0]) }
#define TAIL(rec, st, name, elem) { IMG_REC_##rec, name, sizeof(struct st), 0, elem }

static const struct field fields[] = {
	F(PROCESS, rec_process, pid), F(PROCESS, rec_process, arch),
	F(PROCESS, rec_process, nr_threads), F(PROCESS, rec_process, flags),
	F(PROCESS, rec_process, page_size), A(PROCESS, rec_process, comm),
	F(THREAD, rec_thread, tid), F(THREAD, rec_thread, flags), A(THREAD, rec_thread, regs),
	F(THREAD, rec_thread, sigmask), F(THREAD, rec_thread, sud_mode),
	F(THREAD, rec_thread, sud_selector), F(THREAD, rec_thread, sud_offset),
	F(THREAD, rec_thread, sud_len), A(THREAD, rec_thread, comm),
	F(XSTATE, rec_xstate, tid), F(XSTATE, rec_xstate, len),
	F(TLS, rec_tls, tid), F(TLS, rec_tls, nr),
	{ IMG_REC_TLS, "desc0_entry_number", offsetof(struct rec_tls, desc[0].entry_number), 4, 4 },
	F(MM, rec_mm, start_code), F(MM, rec_mm, end_code), F(MM, rec_mm, start_data),
	F(MM, rec_mm, end_data), F(MM, rec_mm, start_brk), F(MM, rec_mm, brk),
	F(MM, rec_mm, start_stack), F(MM, rec_mm, arg_start), F(MM, rec_mm, arg_end),
	F(MM, rec_mm, env_start), F(MM, rec_mm, env_end),
	F(MM, rec_mm, auxv_len), F(MM, rec_mm, pad), A(MM, rec_mm, auxv), A(MM, rec_mm, exe),
	F(VMA, rec_vma, start), F(VMA, rec_vma, end), F(VMA, rec_vma, pgoff),
	F(VMA, rec_vma, prot), F(VMA, rec_vma, flags), F(VMA, rec_vma, vmflags),
	F(VMA, rec_vma, dev), F(VMA, rec_vma, ino), F(VMA, rec_vma, shmid),
	F(VMA, rec_vma, path_len), F(VMA, rec_vma, obj_size), F(VMA, rec_vma, obj_seals),
	F(VMA, rec_vma, pad),
	TAIL(VMA, rec_vma, "path", 1),
	F(MM_ATTRS, rec_mm_attrs, mlockall), F(MM_ATTRS, rec_mm_attrs, flags),
	F(PAGES, rec_pages, vaddr), F(PAGES, rec_pages, nr_pages),
	F(PAGES, rec_pages, offset), F(PAGES, rec_pages, crc), F(PAGES, rec_pages, file),
	F(SIGACTION, rec_sigaction, signo), F(SIGACTION, rec_sigaction, pad),
	F(SIGACTION, rec_sigaction, handler), F(SIGACTION, rec_sigaction, flags),
	F(SIGACTION, rec_sigaction, restorer), F(SIGACTION, rec_sigaction, mask),
	F(SIGPENDING, rec_sigpending, tid), F(SIGPENDING, rec_sigpending, pad),
	A(SIGPENDING, rec_sigpending, siginfo),
	{ IMG_REC_SIGPENDING, "si_signo", offsetof(struct rec_sigpending, siginfo), 4, 4 },
	F(SIGALTSTACK, rec_sigaltstack, tid), F(SIGALTSTACK, rec_sigaltstack, flags),
	F(SIGALTSTACK, rec_sigaltstack, sp), F(SIGALTSTACK, rec_sigaltstack, size),
	F(NAMESPACES, rec_namespaces, nr), F(NAMESPACES, rec_namespaces, pad),
	F(FD, rec_fd, fd), F(FD, rec_fd, kind), F(FD, rec_fd, flags),
	F(FD, rec_fd, fd_flags), F(FD, rec_fd, desc), F(FD, rec_fd, obj),
	F(FD, rec_fd, inherit_fd), F(FD, rec_fd, mode), F(FD, rec_fd, pos), F(FD, rec_fd, size),
	F(FD, rec_fd, mtime_sec), F(FD, rec_fd, mtime_nsec), F(FD, rec_fd, dev),
	F(FD, rec_fd, ino), F(FD, rec_fd, rdev), F(FD, rec_fd, uid), F(FD, rec_fd, gid),
	F(FD, rec_fd, count), F(FD, rec_fd, xflags), F(FD, rec_fd, pipe_size),
	F(FD, rec_fd, seals), F(FD, rec_fd, path_len),
	TAIL(FD, rec_fd, "path", 1),
	F(FILE_DATA, rec_file_data, fd), F(FILE_DATA, rec_file_data, pad),
	F(FILE_DATA, rec_file_data, offset), F(FILE_DATA, rec_file_data, len),
	F(TIMERFD, rec_timerfd, fd), F(TIMERFD, rec_timerfd, clockid),
	F(TIMERFD, rec_timerfd, settime_flags), F(TIMERFD, rec_timerfd, pad),
	F(TIMERFD, rec_timerfd, ticks), F(TIMERFD, rec_timerfd, value_sec),
	F(TIMERFD, rec_timerfd, value_nsec), F(TIMERFD, rec_timerfd, interval_sec),
	F(TIMERFD, rec_timerfd, interval_nsec), F(TIMERFD, rec_timerfd, wall_sec),
	F(TIMERFD, rec_timerfd, wall_nsec),
	F(EPOLL, rec_epoll, fd), F(EPOLL, rec_epoll, nr),
	{ IMG_REC_EPOLL, "tfd0",
	  sizeof(struct rec_epoll) + offsetof(struct rec_epoll_tfd, tfd), 4, 4 },
	F(UNIX, rec_unix, fd), F(UNIX, rec_unix, peer), F(UNIX, rec_unix, type),
	F(UNIX, rec_unix, shutdown), F(UNIX, rec_unix, sndbuf), F(UNIX, rec_unix, rcvbuf),
	F(UNIX, rec_unix, peek_off), F(UNIX, rec_unix, rcvlowat), F(UNIX, rec_unix, opts),
	F(UNIX, rec_unix, peer_ino),
	F(UNIX_QUEUE, rec_unix_queue, fd), F(UNIX_QUEUE, rec_unix_queue, nr),
	F(UNIX_QUEUE, rec_unix_queue, len),
	{ IMG_REC_UNIX_QUEUE, "msg0_len",
	  sizeof(struct rec_unix_queue) + offsetof(struct rec_unix_msg, len), 4, 4 },
	F(LOCK, rec_lock, fd), F(LOCK, rec_lock, kind), F(LOCK, rec_lock, type),
	F(LOCK, rec_lock, pad), F(LOCK, rec_lock, start), F(LOCK, rec_lock, len),
	F(TTY, rec_tty, fd), F(TTY, rec_tty, flags), F(TTY, rec_tty, rdev),
#define TERMIOS(rec, st) \
	{ IMG_REC_##rec, "iflag", offsetof(struct st, m.iflag), 4, 4 }, \
	{ IMG_REC_##rec, "oflag", offsetof(struct st, m.oflag), 4, 4 }, \
	{ IMG_REC_##rec, "cflag", offsetof(struct st, m.cflag), 4, 4 }, \
	{ IMG_REC_##rec, "lflag", offsetof(struct st, m.lflag), 4, 4 }, \
	{ IMG_REC_##rec, "ispeed", offsetof(struct st, m.ispeed), 4, 4 }, \
	{ IMG_REC_##rec, "ospeed", offsetof(struct st, m.ospeed), 4, 4 }, \
	{ IMG_REC_##rec, "line", offsetof(struct st, m.line), 1, 1 }, \
	{ IMG_REC_##rec, "pad", offsetof(struct st, m.pad), 3, 1 }, \
	{ IMG_REC_##rec, "cc", offsetof(struct st, m.cc), 32, 1 }, \
	{ IMG_REC_##rec, "ws_row", offsetof(struct st, m.ws_row), 2, 2 }, \
	{ IMG_REC_##rec, "ws_col", offsetof(struct st, m.ws_col), 2, 2 }, \
	{ IMG_REC_##rec, "ws_xpixel", offsetof(struct st, m.ws_xpixel), 2, 2 }, \
	{ IMG_REC_##rec, "ws_ypixel", offsetof(struct st, m.ws_ypixel), 2, 2 }, \
	{ IMG_REC_##rec, "pad2", offsetof(struct st, m.pad2), 4, 4 }
	TERMIOS(TTY, rec_tty),
	F(PTY, rec_pty, fd), F(PTY, rec_pty, index), F(PTY, rec_pty, flags),
	F(PTY, rec_pty, pgrp), F(PTY, rec_pty, in_len), F(PTY, rec_pty, out_len),
	TERMIOS(PTY, rec_pty),
	TAIL(PTY, rec_pty, "data", 1),
	F(PIPE_OUTSIDE, rec_pipe_outside, fd), F(PIPE_OUTSIDE, rec_pipe_outside, outside),
	F(PIPE_OUTSIDE, rec_pipe_outside, nr_pids), F(PIPE_OUTSIDE, rec_pipe_outside, pad),
	TAIL(PIPE_OUTSIDE, rec_pipe_outside, "pids", 4),
	F(MISC, rec_misc, umask), F(MISC, rec_misc, dumpable), F(MISC, rec_misc, child_subreaper),
	F(MISC, rec_misc, nr_rlimits), F(MISC, rec_misc, nr_itimers),
	F(MISC, rec_misc, nr_posix_timers), F(MISC, rec_misc, nr_seccomp),
	F(MISC, rec_misc, cwd_len), F(MISC, rec_misc, root_len), F(MISC, rec_misc, pad),
	F(THREAD_MISC, rec_thread_misc, tid), F(THREAD_MISC, rec_thread_misc, personality),
	F(THREAD_MISC, rec_thread_misc, rseq_ptr), F(THREAD_MISC, rec_thread_misc, rseq_len),
	F(THREAD_MISC, rec_thread_misc, rseq_sig), F(THREAD_MISC, rec_thread_misc, rseq_flags),
	F(THREAD_MISC, rec_thread_misc, pdeathsig), F(THREAD_MISC, rec_thread_misc, robust_list),
	F(THREAD_MISC, rec_thread_misc, robust_len),
	F(THREAD_MISC, rec_thread_misc, clear_child_tid),
	F(THREAD_MISC, rec_thread_misc, no_new_privs),
	F(THREAD_MISC, rec_thread_misc, seccomp_mode), A(THREAD_MISC, rec_thread_misc, comm),
	F(RLIMIT, rec_rlimit, resource), F(RLIMIT, rec_rlimit, pad), F(RLIMIT, rec_rlimit, cur),
	F(RLIMIT, rec_rlimit, max),
	F(ITIMER, rec_itimer, which), F(ITIMER, rec_itimer, pad),
	F(ITIMER, rec_itimer, value_sec), F(ITIMER, rec_itimer, value_usec),
	F(ITIMER, rec_itimer, interval_sec), F(ITIMER, rec_itimer, interval_usec),
	F(POSIX_TIMER, rec_posix_timer, id), F(POSIX_TIMER, rec_posix_timer, clock_id),
	F(POSIX_TIMER, rec_posix_timer, signo), F(POSIX_TIMER, rec_posix_timer, notify),
	F(POSIX_TIMER, rec_posix_timer, notify_tid), F(POSIX_TIMER, rec_posix_timer, pad),
	F(POSIX_TIMER, rec_posix_timer, sigval), F(POSIX_TIMER, rec_posix_timer, value_sec),
	F(POSIX_TIMER, rec_posix_timer, value_nsec), F(POSIX_TIMER, rec_posix_timer, interval_sec),
	F(POSIX_TIMER, rec_posix_timer, interval_nsec),
	F(SECCOMP, rec_seccomp, tid), F(SECCOMP, rec_seccomp, index),
	F(SECCOMP, rec_seccomp, flags), F(SECCOMP, rec_seccomp, nr_insns),
	F(CREDS, rec_creds, tid), F(CREDS, rec_creds, securebits), A(CREDS, rec_creds, uid),
	A(CREDS, rec_creds, gid), F(CREDS, rec_creds, cap_inh), F(CREDS, rec_creds, cap_prm),
	F(CREDS, rec_creds, cap_eff), F(CREDS, rec_creds, cap_bnd), F(CREDS, rec_creds, cap_amb),
	F(CREDS, rec_creds, no_new_privs), F(CREDS, rec_creds, nr_groups),
	TAIL(CREDS, rec_creds, "groups", 4),
	F(PROCATTR, rec_procattr, oom_score_adj), F(PROCATTR, rec_procattr, thp_disable),
	F(PROCATTR, rec_procattr, membarrier), F(PROCATTR, rec_procattr, mdwe),
	F(PROCATTR, rec_procattr, memory_merge), F(PROCATTR, rec_procattr, pad),
	F(SCHED, rec_sched, tid), F(SCHED, rec_sched, policy), F(SCHED, rec_sched, flags),
	F(SCHED, rec_sched, nice), F(SCHED, rec_sched, priority), F(SCHED, rec_sched, dl_runtime),
	F(SCHED, rec_sched, dl_deadline), F(SCHED, rec_sched, dl_period),
	F(SCHED, rec_sched, ioprio), F(SCHED, rec_sched, nr_cpus),
	F(SCHED, rec_sched, timerslack_ns), A(SCHED, rec_sched, cpus),
	F(THREAD_ATTR, rec_thread_attr, tid), F(THREAD_ATTR, rec_thread_attr, tsc),
	F(THREAD_ATTR, rec_thread_attr, cpuid), F(THREAD_ATTR, rec_thread_attr, pad),
	F(FILE_TIMES, rec_file_times, fd), F(FILE_TIMES, rec_file_times, pad),
	F(FILE_TIMES, rec_file_times, atime_sec), F(FILE_TIMES, rec_file_times, atime_nsec),
	F(FILE_TIMES, rec_file_times, mtime_sec), F(FILE_TIMES, rec_file_times, mtime_nsec),
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct rec {
	uint32_t type, flags;
	size_t len;
	unsigned char *data;
};

/* A field as a command names it: one element, or all of an array. */
struct target {
	size_t off, size, elem;
};

static void __attribute__((format(printf, 1, 2), noreturn)) die(const char *fmt, ...)
{
	va_list ap;

	fputs("img_edit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static uint32_t get32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return le32toh(v); }
static uint64_t get64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return le64toh(v); }
static void put32(unsigned char *p, uint32_t v) { v = htole32(v); memcpy(p, &v, 4); }
static void put64(unsigned char *p, uint64_t v) { v = htole64(v); memcpy(p, &v, 8); }

/* Little-endian integers of 1, 2, 4 or 8 bytes. */
static uint64_t get_le(const unsigned char *p, size_t size)
{
	uint64_t v = 0;

	for (size_t i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void put_le(unsigned char *p, uint64_t v, size_t size)
{
	for (size_t i = 0; i < size; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A whole C integer (base 0), or die naming what it was to be. */
static uint64_t number(const char *s, const char *what)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (!*s || *s == '-' || *end || errno)
		die("bad %s '%s'", what, s);
	return v;
}

/* VALUE for SIZE bytes: a leading '-' is two's complement; it must fit. */
static uint64_t value_for(const char *s, size_t size)
{
	int neg = s[0] == '-';
	uint64_t v = number(s + neg, "value");
	uint64_t max = size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;

	if (neg ? v > max / 2 + 1 : v > max)
		die("value %s does not fit in %zu byte%s", s, size, size == 1 ? "" : "s");
	return neg ? -v : v;
}

static uint32_t type_of(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (!strcmp(types[i].name, s))
			return types[i].type;
	if (s[0] < '0' || s[0] > '9')
		die("unknown record type '%s'", s);
	return number(s, "record type");
}

static const char *type_name(uint32_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (types[i].type == type)
			return types[i].name;
	return "?";
}

/*
 * FIELD or FIELD[I] of a record of type: where it is.  path0 is path[0].
 * The variable parts (size 0) need an index and are bounded by len only.
 */
static struct target field_of(uint32_t type, const char *spec)
{
	char name[64], *br;
	struct target t;
	size_t k, idx = 0;
	int indexed = 0;

	if (snprintf(name, sizeof(name), "%s", spec) >= (int)sizeof(name))
		die("unknown field '%s'", spec);
	br = strchr(name, '[');
	if (br) {
		size_t n = strlen(br);

		if (n < 3 || br[n - 1] != ']')
			die("bad field '%s': want FIELD or FIELD[INDEX]", spec);
		br[n - 1] = 0;
		*br = 0;
		idx = number(br + 1, "index");
		indexed = 1;
	} else if (!strcmp(name, "path0")) {
		strcpy(name, "path");
		indexed = 1;
	}
	for (k = 0; k < ARRAY_SIZE(fields); k++)
		if (fields[k].type == type && !strcmp(fields[k].name, name))
			break;
	if (k == ARRAY_SIZE(fields))
		die("unknown field '%s' of %s records (type %u)", spec, type_name(type), type);
	t.off = fields[k].off;
	t.elem = fields[k].elem;
	t.size = fields[k].size;
	if (!indexed) {
		if (!t.size)
			die("field '%s' of %s records wants an index: %s[I]",
			    name, type_name(type), name);
		return t;
	}
	if (t.size == t.elem && t.size)
		die("field '%s' of %s records is not an array", name, type_name(type));
	if (t.size && idx >= t.size / t.elem)
		die("index %zu past the %zu elements of '%s'", idx, t.size / t.elem, name);
	t.off += idx * t.elem;
	t.size = t.elem;
	return t;
}

static void in_payload(const struct rec *r, size_t off, size_t size, const char *what)
{
	if (off > r->len || size > r->len - off)
		die("%s at %zu (%zu byte%s) beyond the %zu-byte payload of the %s record",
		    what, off, size, size == 1 ? "" : "s", r->len, type_name(r->type));
}

static uint64_t get_field(const struct rec *r, const struct target *t)
{
	if (t->off + t->elem > r->len)
		return 0;
	return get_le(r->data + t->off, t->elem);
}

static int find(struct rec *recs, int n, uint32_t type, const char *nth_s)
{
	uint64_t nth = number(nth_s, "record number"), seen = 0;

	for (int i = 0; i < n; i++)
		if (recs[i].type == type && seen++ == nth)
			return i;
	die("no %s record %s (type %u): the image has %llu", type_name(type), nth_s, type,
	    (unsigned long long)seen);
}

static void usage(void)
{
	die("usage: img_edit DIR list | set REC N FIELD VALUE | poke REC N OFFSET VALUE [SIZE] |\n"
	    "  bytes REC N OFFSET HEX | len REC N LEN [BYTE] | del|dup|move|hide REC N |\n"
	    "  type REC N TYPE | first REC FIELD MASK | find REC FIELD VALUE | off REC FIELD");
}

/* The argument count each editing command wants (after DIR CMD REC N), or -1. */
static int edit_args(const char *cmd, int have)
{
	static const struct {
		const char *cmd;
		int min, max;
	} cmds[] = {
		{ "set", 2, 2 }, { "poke", 2, 3 }, { "bytes", 2, 2 }, { "len", 1, 2 },
		{ "del", 0, 0 }, { "dup", 0, 0 }, { "move", 0, 0 }, { "hide", 0, 0 },
		{ "type", 1, 1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i].cmd, cmd))
			return have >= cmds[i].min && have <= cmds[i].max ? have : -1;
	die("unknown command '%s'", cmd);
}

int main(int argc, char **argv)
{
	static struct rec recs[1 << 20];
	unsigned char hdr[HDR_SIZE], *buf, *out;
	char path[4096];
	struct stat st;
	size_t pos, olen;
	int n = 0, fd, i = -1;
	const char *cmd;

	if (argc < 3)
		usage();
	cmd = argv[2];
	snprintf(path, sizeof(path), "%s/core.img", argv[1]);
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || st.st_size < HDR_SIZE)
		die("cannot read %s: %s", path, fd < 0 ? strerror(errno) : "too short");
	buf = malloc(st.st_size);
	if (!buf || read(fd, buf, st.st_size) != st.st_size)
		die("cannot read %s", path);
	close(fd);
	memcpy(hdr, buf, HDR_SIZE);
	for (pos = HDR_SIZE; pos + REC_HDR <= (size_t)st.st_size; n++) {
		struct rec *r = &recs[n];

		if ((size_t)n == ARRAY_SIZE(recs) - 1)
			die("%s: too many records", path);
		r->type = get32(buf + pos);
		r->flags = get32(buf + pos + 4);
		r->len = get64(buf + pos + 8);
		r->data = buf + pos + REC_HDR;
		if (r->len > (size_t)st.st_size - pos - REC_HDR)
			die("%s: record %d is longer than the file", path, n);
		pos += REC_HDR + ((r->len + 7) & ~(size_t)7);
		if (r->type == 0)
			break;
	}
	/* n counts the records before END, which is rebuilt. */
	if (!strcmp(cmd, "list")) {
		for (int k = 0; k < n; k++)
			printf("%d %u %zu\n", k, recs[k].type, recs[k].len);
		return 0;
	}
	if (!strcmp(cmd, "off")) {
		if (argc != 5)
			usage();
		printf("%zu\n", field_of(type_of(argv[3]), argv[4]).off);
		return 0;
	}
	if (!strcmp(cmd, "first") || !strcmp(cmd, "find")) {
		if (argc != 6)
			usage();
		uint32_t type = type_of(argv[3]);
		struct target t = field_of(type, argv[4]);
		uint64_t want = value_for(argv[5], t.elem);
		int nth = 0;

		for (int j = 0; j < n; j++) {
			if (recs[j].type != type)
				continue;
			uint64_t v = get_field(&recs[j], &t);

			if (!strcmp(cmd, "find") ? v == want : (v & want) != 0) {
				printf("%d\n", nth);
				return 0;
			}
			nth++;
		}
		printf("-1\n");
		return 0;
	}
	if (argc < 5 || edit_args(cmd, argc - 5) < 0)
		usage();
	i = find(recs, n, type_of(argv[3]), argv[4]);
	if (!strcmp(cmd, "set")) {
		struct target t = field_of(recs[i].type, argv[5]);
		uint64_t v = value_for(argv[6], t.elem);

		in_payload(&recs[i], t.off, t.size, argv[5]);
		for (size_t k = 0; k < t.size; k += t.elem)	/* arrays: every element */
			put_le(recs[i].data + t.off + k, v, t.elem);
	} else if (!strcmp(cmd, "poke")) {
		size_t off = number(argv[5], "offset");
		size_t size = argc == 8 ? number(argv[7], "size") : 1;

		if (size != 1 && size != 2 && size != 4 && size != 8)
			die("bad size %zu: want 1, 2, 4 or 8", size);
		in_payload(&recs[i], off, size, "poke");
		put_le(recs[i].data + off, value_for(argv[6], size), size);
	} else if (!strcmp(cmd, "bytes")) {
		size_t off = number(argv[5], "offset"), nb = strlen(argv[6]) / 2;
		const char *hex = argv[6];

		if (!nb || strlen(hex) % 2 || strspn(hex, "0123456789abcdefABCDEF") != strlen(hex))
			die("bad hex bytes '%s'", hex);
		in_payload(&recs[i], off, nb, "bytes");
		for (size_t k = 0; k < nb; k++) {
			char hx[3] = { hex[2 * k], hex[2 * k + 1], 0 };

			recs[i].data[off + k] = (unsigned char)strtoul(hx, NULL, 16);
		}
	} else if (!strcmp(cmd, "len")) {
		size_t len = number(argv[5], "length");
		unsigned char *d;

		if (len > IMG_RECORD_MAX)
			die("length %zu above IMG_RECORD_MAX", len);
		d = calloc(1, len + 1);
		if (!d)
			die("out of memory");
		if (argc == 7 && len > recs[i].len)
			memset(d + recs[i].len, (int)value_for(argv[6], 1), len - recs[i].len);
		memcpy(d, recs[i].data, len < recs[i].len ? len : recs[i].len);
		recs[i].data = d;
		recs[i].len = len;
	} else if (!strcmp(cmd, "type")) {
		recs[i].type = type_of(argv[5]);
	} else if (!strcmp(cmd, "hide")) {
		recs[i].type = REC_HIDDEN;
		recs[i].flags |= IMG_REC_OPTIONAL;
	} else if (!strcmp(cmd, "del")) {
		memmove(&recs[i], &recs[i + 1], (n - i - 1) * sizeof(recs[0]));
		n--;
	} else if (!strcmp(cmd, "dup")) {
		memmove(&recs[i + 1], &recs[i], (n - i) * sizeof(recs[0]));
		n++;
	} else if (!strcmp(cmd, "move")) {
		struct rec r = recs[i];

		memmove(&recs[i], &recs[i + 1], (n - i - 1) * sizeof(recs[0]));
		recs[n - 1] = r;
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
		die("cannot write %s", path);
	return 0;
}
