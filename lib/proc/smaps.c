// SPDX-License-Identifier: MIT
/*
 * Parsers for /proc files.
 *
 * The text parsers walk a NUL-terminated buffer line by line with explicit end
 * pointers and never modify it, so the same code serves live /proc reads and
 * crafted test input. Numbers are parsed by hand with overflow checks: the
 * strto* family skips leading blanks, accepts signs where /proc never prints
 * them and saturates silently, all of which would hide malformed input.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sudcr/proc.h>

#include "parse.h"

/* ---- tasks, status ---- */

static int add_pid(pid_t **v, int *n, int *cap, pid_t p)
{
	if (*n == *cap) {
		int c = *cap ? *cap * 2 : 8;
		pid_t *nv = realloc(*v, c * sizeof(**v));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = c;
	}
	(*v)[(*n)++] = p;
	return 0;
}

/* Without CONFIG_PROC_CHILDREN: every process whose PPid is @pid. */
static int scan_children(pid_t pid, pid_t **v, int *n, int *cap)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	int ret = 0;

	if (!d)
		return -errno;
	while (!ret && (de = readdir(d))) {
		struct proc_status st;
		char *end;
		long p = strtol(de->d_name, &end, 10);

		if (!isdigit((unsigned char)de->d_name[0]) || *end)
			continue;
		if (!proc_parse_status((pid_t)p, 0, &st) && st.ppid == pid)
			ret = add_pid(v, n, cap, (pid_t)p);
	}
	closedir(d);
	return ret;
}

int proc_children(pid_t pid, pid_t **kids, int *nr)
{
	pid_t *tids, *v = NULL;
	int nt, n = 0, cap = 0, ret;

	ret = proc_list_tasks(pid, &tids, &nt);
	if (ret)
		return ret;
	for (int i = 0; i < nt && !ret; i++) {
		char path[96], *buf, *p, *end;
		size_t len;

		snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, tids[i]);
		ret = proc_read_file(path, &buf, &len);
		if (ret == -ENOENT && i == 0 && access(path, F_OK)) {
			/* No such file at all (not a vanished thread): the slow way. */
			ret = scan_children(pid, &v, &n, &cap);
			break;
		}
		if (ret == -ENOENT || ret == -ESRCH) {
			ret = 0;	/* the thread exited meanwhile */
			continue;
		}
		if (ret)
			break;
		for (p = buf; !ret; p = end) {
			long c = strtol(p, &end, 10);

			if (end == p)
				break;
			ret = add_pid(&v, &n, &cap, (pid_t)c);
		}
		free(buf);
	}
	free(tids);
	if (ret) {
		free(v);
		return ret;
	}
	*kids = v;
	*nr = n;
	return 0;
}

/* ---- maps, smaps ---- */

static const struct {
	char code[2];
	uint64_t bit;
} vmflag_codes[] = {
	{ "rd", PROC_VMF_RD }, { "wr", PROC_VMF_WR }, { "ex", PROC_VMF_EX },
	{ "sh", PROC_VMF_SH }, { "mr", PROC_VMF_MR }, { "mw", PROC_VMF_MW },
	{ "me", PROC_VMF_ME }, { "ms", PROC_VMF_MS }, { "gd", PROC_VMF_GD },
	{ "pf", PROC_VMF_PF }, { "dw", PROC_VMF_DW }, { "lo", PROC_VMF_LO },
	{ "io", PROC_VMF_IO }, { "sr", PROC_VMF_SR }, { "rr", PROC_VMF_RR },
	{ "dc", PROC_VMF_DC }, { "de", PROC_VMF_DE }, { "ac", PROC_VMF_AC },
	{ "nr", PROC_VMF_NR }, { "ht", PROC_VMF_HT }, { "sf", PROC_VMF_SF },
	{ "nl", PROC_VMF_NL }, { "ar", PROC_VMF_AR }, { "wf", PROC_VMF_WF },
	{ "dd", PROC_VMF_DD }, { "sd", PROC_VMF_SD }, { "mm", PROC_VMF_MM },
	{ "hg", PROC_VMF_HG }, { "nh", PROC_VMF_NH }, { "mg", PROC_VMF_MG },
	{ "um", PROC_VMF_UM }, { "uw", PROC_VMF_UW }, { "ss", PROC_VMF_SS },
	{ "lf", PROC_VMF_LF }, { "ui", PROC_VMF_UI }, { "sl", PROC_VMF_SL },
	{ "dp", PROC_VMF_DP }, { "bt", PROC_VMF_BT }, { "mt", PROC_VMF_MT },
};

static int parse_vmflags(const char *p, const char *end, uint64_t *flags)
{
	uint64_t f = 0;

	for (;;) {
		const char *t;
		size_t i;

		skip_blanks(&p, end);
		if (p == end)
			break;
		t = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		if (p - t != 2)
			return -EINVAL;
		for (i = 0; i < sizeof(vmflag_codes) / sizeof(vmflag_codes[0]); i++)
			if (t[0] == vmflag_codes[i].code[0] && t[1] == vmflag_codes[i].code[1])
				break;
		if (i < sizeof(vmflag_codes) / sizeof(vmflag_codes[0]))
			f |= vmflag_codes[i].bit;
		else
			f |= PROC_VMF_UNKNOWN;
	}
	*flags = f;
	return 0;
}

/* "Rss:   123 kB" -> bytes */
static int parse_kb(const char *p, const char *end, uint64_t *bytes)
{
	uint64_t kb;

	if (scan_udec(&p, end, &kb))
		return -EINVAL;
	skip_blanks(&p, end);
	scan_word(&p, end, "kB");
	if (!at_eol(p, end) || kb > UINT64_MAX / 1024)
		return -EINVAL;
	*bytes = kb * 1024;
	return 0;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static enum proc_vma_kind vma_kind(const char *path)
{
	size_t n = strlen(path);

	if (!n)
		return VMA_PLAIN;
	/* d_path() results start with '/' or a d_dname() prefix, never '['. */
	if (path[0] != '[' || path[n - 1] != ']')
		return VMA_FILE;
	if (!strcmp(path, "[heap]"))
		return VMA_HEAP;
	/* "[stack:TID]" was printed for thread stacks before 4.5. */
	if (!strcmp(path, "[stack]") || starts_with(path, "[stack:"))
		return VMA_STACK;
	if (!strcmp(path, "[vdso]"))
		return VMA_VDSO;
	if (!strcmp(path, "[vvar]"))
		return VMA_VVAR;
	if (!strcmp(path, "[vvar_vclock]"))
		return VMA_VVAR_VCLOCK;
	if (!strcmp(path, "[vsyscall]"))
		return VMA_VSYSCALL;
	if (starts_with(path, "[anon:") || starts_with(path, "[anon_shmem:"))
		return VMA_ANON_NAMED;
	return VMA_OTHER_SPECIAL;
}

/* A maps line starts with a hex run and a '-'; smaps field lines never do. */
static bool is_vma_header(const char *ls, const char *le)
{
	const char *p = ls;

	while (p < le && hexval(*p) >= 0)
		p++;
	return p > ls && p < le && *p == '-';
}

/*
 * Length of the path column of a maps header: what follows the five fields
 * (none holds a space, each one space from the next) and the padding. Only
 * sizes the string pool; parse_vma_header() finds the same column on every
 * line it accepts, and checks the room anyway.
 */
static size_t vma_header_path_len(const char *p, const char *end)
{
	for (int field = 0; field < 5; field++) {
		while (p < end && *p != ' ')
			p++;
		if (field < 4 && p < end)
			p++;
	}
	while (p < end && *p == ' ')
		p++;
	return end - p;
}

/*
 * "start-end perms pgoff maj:min ino[ <pad>path]". The kernel pads the path
 * column with spaces; a path itself starts with '/', '[' or a d_dname()
 * prefix, never a space, so skipping the padding cannot eat part of a name.
 * Spaces inside and at the end of the path are kept. The path is copied to
 * *pool (which must have room up to @pool_end) and *pool moves past it.
 */
static int parse_vma_header(const char *p, const char *end, struct proc_vma *v, char **pool,
			    const char *pool_end)
{
	static const char deleted[] = " (deleted)";
	const size_t dlen = sizeof(deleted) - 1;
	uint64_t maj, min;
	char *path;
	size_t n;

	if (scan_hex(&p, end, &v->start) || !scan_char(&p, end, '-') ||
	    scan_hex(&p, end, &v->end) || !scan_char(&p, end, ' '))
		return -EINVAL;
	if (v->start >= v->end || end - p < 5)
		return -EINVAL;
	v->prot = 0;
	if (p[0] == 'r')
		v->prot |= PROT_READ;
	else if (p[0] != '-')
		return -EINVAL;
	if (p[1] == 'w')
		v->prot |= PROT_WRITE;
	else if (p[1] != '-')
		return -EINVAL;
	if (p[2] == 'x')
		v->prot |= PROT_EXEC;
	else if (p[2] != '-')
		return -EINVAL;
	if (p[3] != 's' && p[3] != 'p')
		return -EINVAL;
	v->shared = p[3] == 's';
	p += 4;
	if (!scan_char(&p, end, ' ') || scan_hex(&p, end, &v->pgoff) || !scan_char(&p, end, ' ') ||
	    scan_hex(&p, end, &maj) || !scan_char(&p, end, ':') || scan_hex(&p, end, &min) ||
	    !scan_char(&p, end, ' ') || scan_udec(&p, end, &v->ino))
		return -EINVAL;
	if (maj > UINT32_MAX || min > UINT32_MAX)
		return -EINVAL;
	v->dev_major = (uint32_t)maj;
	v->dev_minor = (uint32_t)min;
	if (p < end && *p != ' ')
		return -EINVAL;
	while (p < end && *p == ' ')
		p++;
	n = end - p;
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	if ((size_t)(pool_end - *pool) < n + 1)
		return -EINVAL;
	path = *pool;
	memcpy(path, p, n);
	path[n] = '\0';
	v->kind = vma_kind(path);
	v->deleted = false;
	if (v->kind == VMA_FILE && n > dlen && !memcmp(path + n - dlen, deleted, dlen)) {
		n -= dlen;
		path[n] = '\0';
		v->deleted = true;
	}
	v->path = path;
	*pool = path + n + 1;
	v->vmflags = 0;
	v->rss = v->anonymous = v->swap = 0;
	v->has_smaps = false;
	return 0;
}

static bool is_key_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static int parse_smaps_field(const char *ls, const char *le, struct proc_vma *v)
{
	const char *ke, *val, *k;

	if (!split_key(ls, le, &ke, &val) || ke == ls)
		return -EINVAL;
	for (k = ls; k < ke; k++)
		if (!is_key_char(*k))
			return -EINVAL;
	if (key_is(ls, ke, "Rss"))
		return parse_kb(val, le, &v->rss);
	if (key_is(ls, ke, "Anonymous"))
		return parse_kb(val, le, &v->anonymous);
	if (key_is(ls, ke, "Swap"))
		return parse_kb(val, le, &v->swap);
	if (key_is(ls, ke, "VmFlags")) {
		v->has_smaps = true;
		return parse_vmflags(val, le, &v->vmflags);
	}
	return 0;
}

int proc_parse_smaps_buf(const char *buf, struct proc_vma **vmas, int *nr)
{
	const char *pos = buf, *ls, *le, *pool_end = NULL;
	struct proc_vma *v = NULL;
	size_t pool_len = 0, plen;
	int n = 0, cap = 0, ret = 0;
	char *pool = NULL;

	/*
	 * One allocation, so that callers free() the array: the entries, then
	 * their paths. Count both first; entries never move once parsed.
	 */
	while (next_line(&pos, &ls, &le)) {
		if (!is_vma_header(ls, le))
			continue;
		if (cap == INT_MAX)
			return -ENOMEM;
		cap++;
		/* A longer path is refused when parsed: don't count past it. */
		plen = vma_header_path_len(ls, le);
		pool_len += (plen < PATH_MAX ? plen : PATH_MAX) + 1;
	}
	if (cap) {
		if ((size_t)cap > (SIZE_MAX - pool_len) / sizeof(*v))
			return -ENOMEM;
		v = malloc((size_t)cap * sizeof(*v) + pool_len);
		if (!v)
			return -ENOMEM;
		pool = (char *)(v + cap);
		pool_end = pool + pool_len;
	}
	pos = buf;
	while (next_line(&pos, &ls, &le)) {
		if (ls == le)
			continue;
		if (is_vma_header(ls, le)) {
			if (n == cap) {
				ret = -EINVAL;
				goto out_free;
			}
			ret = parse_vma_header(ls, le, &v[n], &pool, pool_end);
			if (ret)
				goto out_free;
			/* The kernel lists mappings in order and without overlap. */
			if (n && v[n].start < v[n - 1].end) {
				ret = -EINVAL;
				goto out_free;
			}
			n++;
			continue;
		}
		if (!n) {
			ret = -EINVAL;
			goto out_free;
		}
		ret = parse_smaps_field(ls, le, &v[n - 1]);
		if (ret)
			goto out_free;
	}
	*vmas = v;
	*nr = n;
	return 0;

out_free:
	free(v);
	return ret;
}

int proc_parse_maps(pid_t pid, struct proc_vma **vmas, int *nr)
{
	char *buf;
	int ret;

	/* Hundreds of bytes per mapping: start big to spare a few doublings. */
	ret = read_task_file(pid, 0, "smaps", 64 << 10, &buf, NULL);
	if (ret)
		return ret;
	ret = proc_parse_smaps_buf(buf, vmas, nr);
	free(buf);
	return ret;
}

const char *proc_vma_kind_name(enum proc_vma_kind kind)
{
	switch (kind) {
	case VMA_PLAIN:		return "anon";
	case VMA_HEAP:		return "heap";
	case VMA_STACK:		return "stack";
	case VMA_VDSO:		return "vdso";
	case VMA_VVAR:		return "vvar";
	case VMA_VVAR_VCLOCK:	return "vvar_vclock";
	case VMA_VSYSCALL:	return "vsyscall";
	case VMA_ANON_NAMED:	return "anon_named";
	case VMA_FILE:		return "file";
	case VMA_OTHER_SPECIAL:	return "special";
	}
	return "?";
}

/* ---- auxv ---- */

int proc_parse_auxv_buf(const void *buf, size_t len, bool compat32, uint64_t *out, int max,
			int *nr)
{
	size_t wsz = compat32 ? 4 : 8;
	const unsigned char *b = buf;
	int n = 0;

	if (max < 0)
		return -EINVAL;
	if (!len) {
		*nr = 0;
		return 0;
	}
	for (size_t off = 0; off + 2 * wsz <= len; off += 2 * wsz) {
		uint64_t type, val;

		if (compat32) {
			uint32_t t32, v32;

			memcpy(&t32, b + off, 4);
			memcpy(&v32, b + off + 4, 4);
			type = t32;
			val = v32;
		} else {
			memcpy(&type, b + off, 8);
			memcpy(&val, b + off + 8, 8);
		}
		if (n > max - 2)
			return -ENOSPC;
		out[n++] = type;
		out[n++] = val;
		if (type == 0) {	/* AT_NULL */
			*nr = n;
			return 0;
		}
	}
	return -EINVAL;
}

int proc_read_auxv(pid_t pid, bool compat32, uint64_t *out, int max, int *nr)
{
	char *buf;
	size_t len;
	int ret;

	ret = read_task_file(pid, 0, "auxv", 1024, &buf, &len);
	/* Zombies and kernel threads have no mm: the kernel refuses the open. */
	if (ret == -ESRCH && proc_missing(pid, 0) == -ENOENT) {
		*nr = 0;
		return 0;
	}
	if (ret)
		return ret;
	ret = proc_parse_auxv_buf(buf, len, compat32, out, max, nr);
	free(buf);
	return ret;
}

int proc_auxv_get(const uint64_t *auxv, int nr, uint64_t type, uint64_t *val)
{
	for (int i = 0; i + 1 < nr; i += 2) {
		if (auxv[i] == type) {
			*val = auxv[i + 1];
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- fd, fdinfo ---- */

/* "(sec, nsec)" of timerfd's it_value and it_interval */
static int val_timespec(const char *p, const char *end, uint64_t *sec, uint64_t *nsec)
{
	if (!scan_char(&p, end, '(') || scan_udec(&p, end, sec) || !scan_char(&p, end, ','))
		return -EINVAL;
	skip_blanks(&p, end);
	if (scan_udec(&p, end, nsec) || !scan_char(&p, end, ')') || !at_eol(p, end))
		return -EINVAL;
	return 0;
}

int proc_parse_fdinfo_buf(const char *buf, struct proc_fd *fd)
{
	const size_t off = offsetof(struct proc_fd, pos);
	const char *pos = buf, *ls, *le;
	bool seen_pos = false, seen_flags = false, seen_mnt = false, seen_ino = false;

	memset((char *)fd + off, 0, sizeof(*fd) - off);
	fd->pidfd_pid = -1;
	while (next_line(&pos, &ls, &le)) {
		const char *ke, *v;
		uint64_t x;
		int64_t s;
		int ret = 0;

		/* epoll "tfd:", inotify, fanotify and others: not ours. */
		if (!split_key(ls, le, &ke, &v))
			continue;
		if (key_is(ls, ke, "lock")) {
			fd->nr_locks++;
		} else if (key_is(ls, ke, "pos")) {
			ret = scan_sdec(&v, le, &s) || !at_eol(v, le) ? -EINVAL : 0;
			fd->pos = (uint64_t)s;
			seen_pos = true;
		} else if (key_is(ls, ke, "flags")) {
			ret = val_oct(v, le, &x);
			if (!ret && x > UINT32_MAX)
				ret = -EINVAL;
			fd->flags = (uint32_t)x;
			seen_flags = true;
		} else if (key_is(ls, ke, "mnt_id")) {
			ret = val_int(v, le, &fd->mnt_id);
			seen_mnt = true;
		} else if (key_is(ls, ke, "ino")) {
			ret = val_udec(v, le, &fd->ino);
			seen_ino = true;
		} else if (key_is(ls, ke, "eventfd-count")) {
			/* printed "%16llx": padded with blanks, skipped by split_key() */
			ret = val_hex(v, le, &fd->eventfd_count);
			fd->has_eventfd = true;
		} else if (key_is(ls, ke, "eventfd-id")) {
			ret = val_int(v, le, &fd->eventfd_id);
		} else if (key_is(ls, ke, "eventfd-semaphore")) {
			ret = val_udec(v, le, &x);
			fd->eventfd_semaphore = x != 0;
		} else if (key_is(ls, ke, "sigmask")) {
			ret = val_hex(v, le, &fd->signalfd_mask);
			fd->has_signalfd = true;
		} else if (key_is(ls, ke, "clockid")) {
			ret = val_int(v, le, &fd->timerfd_clockid);
			fd->has_timerfd = true;
		} else if (key_is(ls, ke, "ticks")) {
			ret = val_udec(v, le, &fd->timerfd_ticks);
		} else if (key_is(ls, ke, "settime flags")) {
			ret = val_oct(v, le, &x);
			if (!ret && x > UINT32_MAX)
				ret = -EINVAL;
			fd->timerfd_settime_flags = (uint32_t)x;
		} else if (key_is(ls, ke, "it_value")) {
			ret = val_timespec(v, le, &fd->timerfd_value_sec, &fd->timerfd_value_nsec);
		} else if (key_is(ls, ke, "it_interval")) {
			ret = val_timespec(v, le, &fd->timerfd_interval_sec,
					   &fd->timerfd_interval_nsec);
		} else if (key_is(ls, ke, "Pid")) {
			ret = val_int(v, le, &fd->pidfd_pid);
			fd->has_pidfd = true;
		}
		if (ret)
			return -EINVAL;
	}
	if (!seen_pos || !seen_flags || !seen_mnt || !seen_ino)
		return -EINVAL;
	return 0;
}

/* One fd through directory fds of /proc/PID/fd and /proc/PID/fdinfo. */
static int read_fd_at(int fd_dir, int info_dir, int nfd, struct proc_fd *out)
{
	char name[16], *buf;
	ssize_t r;
	int ret;

	snprintf(name, sizeof(name), "%d", nfd);
	r = readlinkat(fd_dir, name, out->link, sizeof(out->link));
	if (r < 0)
		return -errno;
	if ((size_t)r >= sizeof(out->link))
		return -ENAMETOOLONG;
	out->link[r] = '\0';
	out->fd = nfd;
	ret = read_path_all(info_dir, name, 512, &buf, NULL);
	if (ret)
		return ret;
	ret = proc_parse_fdinfo_buf(buf, out);
	free(buf);
	return ret;
}

static int open_task_dir(pid_t pid, const char *name)
{
	char path[64];
	int fd;

	if (pid <= 0)
		return -EINVAL;
	proc_path(path, sizeof(path), pid, 0, name);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	return fd;
}

int proc_read_fd(pid_t pid, int fd, struct proc_fd *out)
{
	int fd_dir, info_dir, ret;

	if (fd < 0)
		return -EINVAL;
	fd_dir = open_task_dir(pid, "fd");
	if (fd_dir < 0)
		return fd_dir;
	info_dir = open_task_dir(pid, "fdinfo");
	if (info_dir < 0) {
		ret = info_dir;
		goto out_fd_dir;
	}
	ret = read_fd_at(fd_dir, info_dir, fd, out);
	close(info_dir);
out_fd_dir:
	close(fd_dir);
	return ret;
}

static int cmp_fd(const void *a, const void *b)
{
	const struct proc_fd *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

int proc_list_fds(pid_t pid, struct proc_fd **fds, int *nr)
{
	struct proc_fd *v = NULL;
	int fd_dir, info_dir, n = 0, cap = 0, ret;
	struct dirent *de;
	DIR *d;

	fd_dir = open_task_dir(pid, "fd");
	if (fd_dir < 0)
		return fd_dir;
	info_dir = open_task_dir(pid, "fdinfo");
	if (info_dir < 0) {
		close(fd_dir);
		return info_dir;
	}
	d = fdopendir(fd_dir);
	if (!d) {
		ret = -errno;
		close(fd_dir);
		goto out_info;
	}
	ret = 0;
	/* readdir() sets errno only on error: clear it before each call. */
	for (errno = 0; (de = readdir(d)); errno = 0) {
		const char *p = de->d_name;
		int nfd;

		if (!isdigit((unsigned char)*p))
			continue;
		if (val_int(p, p + strlen(p), &nfd) || nfd < 0)
			continue;
		ret = grow((void **)&v, &cap, n, sizeof(*v));
		if (ret)
			goto out_free;
		ret = read_fd_at(dirfd(d), info_dir, nfd, &v[n]);
		if (ret == -ENOENT) {	/* closed meanwhile */
			ret = 0;
			continue;
		}
		if (ret)
			goto out_free;
		n++;
	}
	if (errno) {
		ret = -errno;
		goto out_free;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_fd);
	*fds = v;
	*nr = n;
	v = NULL;
out_free:
	free(v);
	closedir(d);
out_info:
	close(info_dir);
	return ret;
}

/*
 * "tfd: %8d events: %8x data: %16llx  pos:%lli ino:%lx sdev:%x": the
 * fields after data came in Linux 3.8 and are optional here.
 */
static int parse_tfd_line(const char *p, const char *end, struct proc_epoll_tfd *t)
{
	uint64_t x;
	int64_t pos;

	memset(t, 0, sizeof(*t));
	if (!scan_word(&p, end, "tfd:"))
		return -EINVAL;
	skip_blanks(&p, end);
	if (scan_int(&p, end, &t->tfd) || t->tfd < 0)
		return -EINVAL;
	skip_blanks(&p, end);
	if (!scan_word(&p, end, "events:"))
		return -EINVAL;
	skip_blanks(&p, end);
	if (scan_hex(&p, end, &x) || x > UINT32_MAX)
		return -EINVAL;
	t->events = (uint32_t)x;
	skip_blanks(&p, end);
	if (!scan_word(&p, end, "data:"))
		return -EINVAL;
	skip_blanks(&p, end);
	if (scan_hex(&p, end, &t->data))
		return -EINVAL;
	skip_blanks(&p, end);
	if (p == end)
		return 0;
	if (!scan_word(&p, end, "pos:") || scan_sdec(&p, end, &pos))
		return -EINVAL;
	skip_blanks(&p, end);
	if (!scan_word(&p, end, "ino:") || scan_hex(&p, end, &t->ino))
		return -EINVAL;
	skip_blanks(&p, end);
	if (!scan_word(&p, end, "sdev:") || scan_hex(&p, end, &x) || x > UINT32_MAX)
		return -EINVAL;
	t->sdev = (uint32_t)x;
	return at_eol(p, end) ? 0 : -EINVAL;
}

int proc_parse_epoll_buf(const char *buf, struct proc_epoll_tfd **out, int *nr)
{
	struct proc_epoll_tfd *v = NULL;
	const char *pos = buf, *ls, *le;
	int n = 0, cap = 0, ret;

	while (next_line(&pos, &ls, &le)) {
		if ((size_t)(le - ls) < 4 || memcmp(ls, "tfd:", 4))
			continue;
		ret = grow((void **)&v, &cap, n, sizeof(*v));
		if (!ret)
			ret = parse_tfd_line(ls, le, &v[n]);
		if (ret) {
			free(v);
			return ret;
		}
		n++;
	}
	*out = v;
	*nr = n;
	return 0;
}

/* The whole text of /proc/PID/fdinfo/FD (an epoll's or a locked file's may be long). */
static int read_fdinfo(pid_t pid, int fd, char **buf)
{
	char name[32];
	int info_dir, ret;

	if (fd < 0)
		return -EINVAL;
	info_dir = open_task_dir(pid, "fdinfo");
	if (info_dir < 0)
		return info_dir;
	snprintf(name, sizeof(name), "%d", fd);
	ret = read_path_all(info_dir, name, 4096, buf, NULL);
	close(info_dir);
	return ret;
}

int proc_read_epoll(pid_t pid, int fd, struct proc_epoll_tfd **v, int *nr)
{
	char *buf;
	int ret = read_fdinfo(pid, fd, &buf);

	if (ret)
		return ret;
	ret = proc_parse_epoll_buf(buf, v, nr);
	free(buf);
	return ret;
}

/* ---- file locks ---- */

/* The next blank-separated word of the line, as [*ws, *we). */
static bool next_word(const char **p, const char *end, const char **ws, const char **we)
{
	skip_blanks(p, end);
	if (*p == end)
		return false;
	*ws = *p;
	while (*p < end && **p != ' ' && **p != '\t')
		(*p)++;
	*we = *p;
	return true;
}

static bool word_is(const char *ws, const char *we, const char *w)
{
	return key_is(ws, we, w);
}

/* One line after "lock:" (fdinfo) or as it is (/proc/locks); 1 if it is a blocked waiter. */
static int parse_lock_line(const char *p, const char *end, struct proc_lock *l)
{
	const char *ws, *we;
	uint64_t id, x;
	int64_t start;

	memset(l, 0, sizeof(*l));
	skip_blanks(&p, end);
	if (scan_udec(&p, end, &id) || !scan_char(&p, end, ':'))
		return -EINVAL;
	if (!next_word(&p, end, &ws, &we))
		return -EINVAL;
	if (word_is(ws, we, "->"))
		return 1;
	if ((size_t)(we - ws) >= sizeof(l->name))
		return -EINVAL;
	memcpy(l->name, ws, we - ws);
	if (!strcmp(l->name, "FLOCK"))
		l->kind = PROC_LOCK_FLOCK;
	else if (!strcmp(l->name, "POSIX"))
		l->kind = PROC_LOCK_POSIX;
	else if (!strcmp(l->name, "OFDLCK"))
		l->kind = PROC_LOCK_OFD;
	if (!next_word(&p, end, &ws, &we))
		return -EINVAL;
	l->advisory = word_is(ws, we, "ADVISORY");
	if (!next_word(&p, end, &ws, &we))
		return -EINVAL;
	if (word_is(ws, we, "READ"))
		l->type = F_RDLCK;
	else if (word_is(ws, we, "WRITE"))
		l->type = F_WRLCK;
	else if (word_is(ws, we, "UNLCK"))
		l->type = F_UNLCK;
	else
		return -EINVAL;
	skip_blanks(&p, end);
	if (scan_int(&p, end, &l->pid))
		return -EINVAL;
	skip_blanks(&p, end);
	if (scan_word(&p, end, "<none>:0")) {
		/* no inode */
	} else {
		if (scan_hex(&p, end, &x) || x > UINT32_MAX || !scan_char(&p, end, ':'))
			return -EINVAL;
		l->dev_major = (unsigned int)x;
		if (scan_hex(&p, end, &x) || x > UINT32_MAX || !scan_char(&p, end, ':'))
			return -EINVAL;
		l->dev_minor = (unsigned int)x;
		if (scan_udec(&p, end, &l->ino))
			return -EINVAL;
	}
	skip_blanks(&p, end);
	if (scan_sdec(&p, end, &start) || start < 0)
		return -EINVAL;
	l->start = (uint64_t)start;
	skip_blanks(&p, end);
	if (scan_word(&p, end, "EOF")) {
		l->end = UINT64_MAX;
	} else {
		int64_t e;

		if (scan_sdec(&p, end, &e) || e < start)
			return -EINVAL;
		l->end = (uint64_t)e;
	}
	return at_eol(p, end) ? 0 : -EINVAL;
}

int proc_parse_locks_buf(const char *buf, bool fdinfo, struct proc_lock **out, int *nr)
{
	struct proc_lock *v = NULL;
	const char *pos = buf, *ls, *le;
	int n = 0, cap = 0, ret;

	while (next_line(&pos, &ls, &le)) {
		const char *p = ls;

		if (fdinfo && !scan_word(&p, le, "lock:"))
			continue;
		if (!fdinfo && at_eol(p, le))
			continue;
		ret = grow((void **)&v, &cap, n, sizeof(*v));
		if (ret)
			goto out_free;
		ret = parse_lock_line(p, le, &v[n]);
		if (ret < 0)
			goto out_free;
		if (ret == 0)
			n++;
	}
	*out = n ? v : NULL;
	if (!n)
		free(v);
	*nr = n;
	return 0;
out_free:
	free(v);
	return -EINVAL;
}

int proc_read_fd_locks(pid_t pid, int fd, struct proc_lock **v, int *nr)
{
	char *buf;
	int ret = read_fdinfo(pid, fd, &buf);

	if (ret)
		return ret;
	ret = proc_parse_locks_buf(buf, true, v, nr);
	free(buf);
	return ret;
}

int proc_read_locks(struct proc_lock **v, int *nr)
{
	char *buf;
	int ret = read_path_all(AT_FDCWD, "/proc/locks", 4096, &buf, NULL);

	if (ret)
		return ret;
	ret = proc_parse_locks_buf(buf, false, v, nr);
	free(buf);
	return ret;
}

/* ---- POSIX timers ---- */

/* "signal/pid.123", "none/pid.123", "signal/tid.123", "thread/pid.123" */
static int parse_notify(const char *p, const char *end, struct proc_posix_timer *t)
{
	int kind, tid;

	if (scan_word(&p, end, "signal"))
		kind = SIGEV_SIGNAL;
	else if (scan_word(&p, end, "none"))
		kind = SIGEV_NONE;
	else if (scan_word(&p, end, "thread"))
		kind = SIGEV_THREAD;
	else
		return -EINVAL;
	if (!scan_char(&p, end, '/'))
		return -EINVAL;
	if (scan_word(&p, end, "tid"))
		kind |= SIGEV_THREAD_ID;
	else if (!scan_word(&p, end, "pid"))
		return -EINVAL;
	if (!scan_char(&p, end, '.') || val_int(p, end, &tid))
		return -EINVAL;
	t->notify_kind = kind;
	t->notify_tid = tid;
	return 0;
}

static int cmp_timer(const void *a, const void *b)
{
	const struct proc_posix_timer *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

#define TIMER_SEEN_ALL	0xf	/* ID, signal, notify, ClockID */

int proc_parse_timers_buf(const char *buf, struct proc_posix_timer **timers, int *nr)
{
	const char *pos = buf, *ls, *le;
	struct proc_posix_timer *v = NULL, *t = NULL;
	int n = 0, cap = 0, ret = 0, seen = 0;

	while (next_line(&pos, &ls, &le)) {
		const char *ke, *p;
		int bit;

		if (ls == le)
			continue;
		if (!split_key(ls, le, &ke, &p)) {
			ret = -EINVAL;
			goto out_free;
		}
		if (key_is(ls, ke, "ID")) {
			if (t && seen != TIMER_SEEN_ALL) {
				ret = -EINVAL;
				goto out_free;
			}
			ret = grow((void **)&v, &cap, n, sizeof(*v));
			if (ret)
				goto out_free;
			t = &v[n++];
			memset(t, 0, sizeof(*t));
			seen = 1;
			ret = val_int(p, le, &t->id);
		} else if (!t) {
			ret = -EINVAL;
		} else if (key_is(ls, ke, "signal")) {
			bit = 2;
			ret = scan_int(&p, le, &t->signo) || !scan_char(&p, le, '/') ||
			      val_hex(p, le, &t->sigval) ? -EINVAL : 0;
			ret = ret ? ret : (seen & bit ? -EINVAL : 0);
			seen |= bit;
		} else if (key_is(ls, ke, "notify")) {
			bit = 4;
			ret = parse_notify(p, le, t);
			ret = ret ? ret : (seen & bit ? -EINVAL : 0);
			seen |= bit;
		} else if (key_is(ls, ke, "ClockID")) {
			bit = 8;
			ret = val_int(p, le, &t->clock_id);
			ret = ret ? ret : (seen & bit ? -EINVAL : 0);
			seen |= bit;
		}
		if (ret)
			goto out_free;
	}
	if (t && seen != TIMER_SEEN_ALL) {
		ret = -EINVAL;
		goto out_free;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_timer);
	*timers = v;
	*nr = n;
	return 0;

out_free:
	free(v);
	return ret;
}

int proc_parse_timers(pid_t pid, struct proc_posix_timer **t, int *nr)
{
	char *buf;
	int ret;

	if (pid <= 0)
		return -EINVAL;
	ret = read_task_file(pid, 0, "timers", 1024, &buf, NULL);
	if (ret == -ESRCH) {
		/* No CONFIG_CHECKPOINT_RESTORE, or the process is gone. */
		ret = proc_missing(pid, 0);
		return ret == -ENOENT ? -EOPNOTSUPP : ret;
	}
	if (ret)
		return ret;
	ret = proc_parse_timers_buf(buf, t, nr);
	free(buf);
	return ret;
}

/* ---- links, comm ---- */

int proc_read_link(pid_t pid, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t r;

	if (pid <= 0 || !name || !*name || name[0] == '/' || strstr(name, "..") || !len)
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "/proc/%d/%s", pid, name) >= sizeof(path))
		return -ENAMETOOLONG;
	r = readlink(path, buf, len);
	if (r < 0)
		return errno == ENOENT ? proc_missing(pid, 0) : -errno;
	if ((size_t)r >= len)
		return -ENAMETOOLONG;
	buf[r] = '\0';
	return 0;
}

int proc_read_comm(pid_t pid, pid_t tid, char *buf, size_t len)
{
	char *b;
	size_t n;
	int ret;

	if (!len)
		return -EINVAL;
	ret = read_task_file(pid, tid, "comm", 64, &b, &n);
	if (ret)
		return ret;
	/* Only the kernel's own newline: a comm may end in one of its own. */
	if (n && b[n - 1] == '\n')
		n--;
	if (n >= len) {
		ret = -ENAMETOOLONG;
	} else {
		memcpy(buf, b, n);
		buf[n] = '\0';
	}
	free(b);
	return ret;
}
