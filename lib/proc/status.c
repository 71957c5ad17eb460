// SPDX-License-Identifier: MIT
/*
 * /proc/PID/status and /proc/PID/stat, whole or per thread, and the CPU a
 * thread last ran on (in libsudcr-core).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "proc.h"

/* ---- status ---- */

/* "Uid:\t0\t0\t0\t0" */
static int val_ids4(const char *p, const char *end, uint32_t out[4])
{
	for (int i = 0; i < 4; i++) {
		uint64_t x;

		skip_blanks(&p, end);
		if (scan_udec(&p, end, &x) || x > UINT32_MAX)
			return -EINVAL;
		out[i] = (uint32_t)x;
	}
	return at_eol(p, end) ? 0 : -EINVAL;
}

int proc_parse_status_buf(const char *buf, struct proc_status *st)
{
	const char *pos = buf, *ls, *le;

	memset(st, 0, sizeof(*st));
	st->umask = -1;
	while (next_line(&pos, &ls, &le)) {
		const char *ke, *v;
		uint32_t ids[4];
		uint64_t x = 0;
		int ret = 0;

		if (!split_key(ls, le, &ke, &v))
			continue;
		if (key_is(ls, ke, "Name")) {
			size_t n = le - v;

			if (n >= sizeof(st->name))
				n = sizeof(st->name) - 1;
			memcpy(st->name, v, n);
			st->name[n] = '\0';
		} else if (key_is(ls, ke, "Umask")) {
			ret = val_oct(v, le, &x);
			if (!ret && x > 0777)
				ret = -EINVAL;
			st->umask = (int)x;
		} else if (key_is(ls, ke, "Tgid")) {
			ret = val_int(v, le, &st->tgid);
		} else if (key_is(ls, ke, "PPid")) {
			ret = val_int(v, le, &st->ppid);
		} else if (key_is(ls, ke, "TracerPid")) {
			ret = val_int(v, le, &st->tracer_pid);
		} else if (key_is(ls, ke, "Uid")) {
			ret = val_ids4(v, le, ids);
			for (int i = 0; !ret && i < 4; i++)
				st->uid[i] = ids[i];
		} else if (key_is(ls, ke, "Gid")) {
			ret = val_ids4(v, le, ids);
			for (int i = 0; !ret && i < 4; i++)
				st->gid[i] = ids[i];
		} else if (key_is(ls, ke, "Threads")) {
			ret = val_int(v, le, &st->threads);
		} else if (key_is(ls, ke, "SigQ")) {
			ret = scan_udec(&v, le, &st->sigq_queued) || !scan_char(&v, le, '/') ||
			      val_udec(v, le, &st->sigq_limit) ? -EINVAL : 0;
		} else if (key_is(ls, ke, "SigPnd")) {
			ret = val_hex(v, le, &st->sig_pnd);
		} else if (key_is(ls, ke, "ShdPnd")) {
			ret = val_hex(v, le, &st->shd_pnd);
		} else if (key_is(ls, ke, "SigBlk")) {
			ret = val_hex(v, le, &st->sig_blk);
		} else if (key_is(ls, ke, "SigIgn")) {
			ret = val_hex(v, le, &st->sig_ign);
		} else if (key_is(ls, ke, "SigCgt")) {
			ret = val_hex(v, le, &st->sig_cgt);
		} else if (key_is(ls, ke, "CapInh")) {
			ret = val_hex(v, le, &st->cap_inh);
		} else if (key_is(ls, ke, "CapPrm")) {
			ret = val_hex(v, le, &st->cap_prm);
		} else if (key_is(ls, ke, "CapEff")) {
			ret = val_hex(v, le, &st->cap_eff);
		} else if (key_is(ls, ke, "CapBnd")) {
			ret = val_hex(v, le, &st->cap_bnd);
		} else if (key_is(ls, ke, "CapAmb")) {
			ret = val_hex(v, le, &st->cap_amb);
		} else if (key_is(ls, ke, "NoNewPrivs")) {
			ret = val_int(v, le, &st->no_new_privs);
		} else if (key_is(ls, ke, "Seccomp")) {
			ret = val_int(v, le, &st->seccomp);
		} else if (key_is(ls, ke, "Seccomp_filters")) {
			ret = val_int(v, le, &st->seccomp_filters);
		}
		if (ret)
			return -EINVAL;
	}
	return 0;
}

int proc_parse_status(pid_t pid, pid_t tid, struct proc_status *st)
{
	char *buf;
	int ret;

	ret = read_task_file(pid, tid, "status", 4096, &buf, NULL);
	if (ret)
		return ret;
	ret = proc_parse_status_buf(buf, st);
	free(buf);
	return ret;
}

int proc_thread_group(pid_t tid, pid_t *tgid, uint64_t *caught)
{
	struct proc_status st;
	int ret;

	ret = proc_parse_status(tid, 0, &st);
	if (ret)
		return ret;
	*tgid = st.tgid;
	*caught = st.sig_cgt;
	return 0;
}

/* ---- stat ---- */

/* Fields 4..52 of stat, the numbers after the state. */
#define STAT_FIRST	4
#define STAT_LAST	52

struct stat_num {
	bool neg;
	uint64_t u;	/* magnitude */
};

static int stat_u64(const struct stat_num *f, int i, uint64_t *v)
{
	if (f[i].neg)
		return -EINVAL;
	*v = f[i].u;
	return 0;
}

static int stat_u32(const struct stat_num *f, int i, uint32_t *v)
{
	if (f[i].neg || f[i].u > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)f[i].u;
	return 0;
}

static int stat_int(const struct stat_num *f, int i, int *v)
{
	if (f[i].neg ? f[i].u > (uint64_t)INT_MAX + 1 : f[i].u > INT_MAX)
		return -EINVAL;
	*v = f[i].neg ? (int)(-(int64_t)f[i].u) : (int)f[i].u;
	return 0;
}

static int stat_s64(const struct stat_num *f, int i, int64_t *v)
{
	if (f[i].neg ? f[i].u > (uint64_t)INT64_MAX + 1 : f[i].u > INT64_MAX)
		return -EINVAL;
	*v = f[i].neg ? (int64_t)(0 - f[i].u) : (int64_t)f[i].u;
	return 0;
}

int proc_parse_stat_buf(const char *buf, struct proc_stat *st)
{
	struct stat_num f[STAT_LAST + 1];
	const char *open, *close, *p, *end;
	int64_t pid;
	size_t n;
	int err = 0;

	/*
	 * "pid (comm) S ...": comm may hold anything, ')' and spaces and
	 * newlines included, but nothing after it holds a ')'.
	 */
	p = buf;
	end = buf + strlen(buf);
	open = strchr(buf, '(');
	close = strrchr(buf, ')');
	if (!open || !close || close < open)
		return -EINVAL;
	if (scan_sdec(&p, open, &pid) || pid < 0 || pid > INT_MAX || !scan_char(&p, open, ' ') ||
	    p != open)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->pid = (pid_t)pid;
	n = close - open - 1;
	if (n >= sizeof(st->comm))
		n = sizeof(st->comm) - 1;
	memcpy(st->comm, open + 1, n);
	st->comm[n] = '\0';

	p = close + 1;
	if (end > p && end[-1] == '\n')
		end--;
	if (!scan_char(&p, end, ' ') || p >= end || !isgraph((unsigned char)*p))
		return -EINVAL;
	st->state = *p++;
	for (int i = STAT_FIRST; i <= STAT_LAST; i++) {
		if (!scan_char(&p, end, ' '))
			return -EINVAL;
		f[i].neg = scan_char(&p, end, '-');
		if (scan_udec(&p, end, &f[i].u))
			return -EINVAL;
	}
	/* Later kernels may append fields. */
	if (p != end && *p != ' ')
		return -EINVAL;

	err |= stat_int(f, 4, &st->ppid);
	err |= stat_int(f, 5, &st->pgrp);
	err |= stat_int(f, 6, &st->session);
	err |= stat_int(f, 7, &st->tty_nr);
	err |= stat_int(f, 8, &st->tpgid);
	err |= stat_u32(f, 9, &st->flags);
	err |= stat_u64(f, 10, &st->minflt);
	err |= stat_u64(f, 12, &st->majflt);
	err |= stat_u64(f, 14, &st->utime);
	err |= stat_u64(f, 15, &st->stime);
	err |= stat_s64(f, 18, &st->priority);
	err |= stat_s64(f, 19, &st->nice);
	err |= stat_int(f, 20, &st->num_threads);
	err |= stat_u64(f, 22, &st->start_time);
	err |= stat_u64(f, 23, &st->vsize);
	err |= stat_u64(f, 24, &st->rss);
	err |= stat_u64(f, 25, &st->rsslim);
	err |= stat_u64(f, 26, &st->start_code);
	err |= stat_u64(f, 27, &st->end_code);
	err |= stat_u64(f, 28, &st->start_stack);
	err |= stat_int(f, 38, &st->exit_signal);
	err |= stat_int(f, 39, &st->processor);
	err |= stat_u32(f, 40, &st->rt_priority);
	err |= stat_u32(f, 41, &st->policy);
	err |= stat_u64(f, 45, &st->start_data);
	err |= stat_u64(f, 46, &st->end_data);
	err |= stat_u64(f, 47, &st->start_brk);
	err |= stat_u64(f, 48, &st->arg_start);
	err |= stat_u64(f, 49, &st->arg_end);
	err |= stat_u64(f, 50, &st->env_start);
	err |= stat_u64(f, 51, &st->env_end);
	err |= stat_int(f, 52, &st->exit_code);
	return err ? -EINVAL : 0;
}

int proc_parse_stat(pid_t pid, pid_t tid, struct proc_stat *st)
{
	char *buf;
	int ret;

	ret = read_task_file(pid, tid, "stat", 1024, &buf, NULL);
	if (ret)
		return ret;
	ret = proc_parse_stat_buf(buf, st);
	free(buf);
	return ret;
}

int proc_thread_cpu(pid_t pid, pid_t tid, int *cpu)
{
	char path[64], *buf, *p;
	int ret, field = 3;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	ret = proc_read_file(path, &buf, NULL);
	if (ret)
		return ret == -ENOENT ? -ESRCH : ret;
	p = strrchr(buf, ')');
	ret = -EINVAL;
	/* Field 39 (processor); the state after ')' is field 3. */
	for (p = p ? p + 2 : NULL; p && *p; p++) {
		if (*p != ' ')
			continue;
		if (++field == 39) {
			*cpu = atoi(p + 1);
			ret = 0;
			break;
		}
	}
	free(buf);
	return ret;
}
