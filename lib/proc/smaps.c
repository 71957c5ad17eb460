// SPDX-License-Identifier: MIT
/*
 * /proc/PID/smaps (plain maps text too): every mapping of a process.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "parse.h"
#include "proc.h"

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
	char *buf = NULL;
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
