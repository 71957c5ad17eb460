// SPDX-License-Identifier: MIT
/*
 * Credentials, per thread: uids, gids, supplementary groups, the five
 * capability sets and no_new_privs from /proc/PID/task/TID/status (one
 * read, so the lines agree), securebits by an injected PR_GET_SECUREBITS
 * (/proc does not show them).  Threads may differ: the raw set*id
 * syscalls change only the calling thread, and so does capset.
 * The dumpable flag is process-wide and dumped by misc.c.  An exited
 * thread group leader (a zombie) has a record too.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <sudcr/cr.h>
#include <sudcr/log.h>

#include "creds.h"

#define CREDS_STATUS_MAX	(1 << 20)	/* with 65536 groups of 10 digits: ~720K */

/* The whole of /proc/PID/task/TID/status, NUL-terminated, malloc'ed. */
static int read_status(pid_t pid, pid_t tid, char **out)
{
	size_t cap = 8192, used = 0;
	char path[64], *buf = NULL;
	int fd, ret;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (cap - used < 2) {
			char *nb;

			if (cap >= CREDS_STATUS_MAX) {
				ret = -EFBIG;
				goto out_free;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				ret = -ENOMEM;
				goto out_free;
			}
			buf = nb;
			cap *= 2;
		} else if (!buf) {
			buf = malloc(cap);
			if (!buf) {
				ret = -ENOMEM;
				goto out_free;
			}
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out_free;
		}
		if (!n)
			break;
		used += n;
	}
	close(fd);
	buf[used] = '\0';
	*out = buf;
	return 0;

out_free:
	close(fd);
	free(buf);
	return ret;
}

/* "Groups:\t5 6 7 \n" (trailing blank; empty when there are none). */
static int parse_groups(const char *status, uint32_t **groups, uint32_t *nr)
{
	const char *p = strstr(status, "\nGroups:");
	uint32_t *g = NULL, n = 0, cap = 0;

	*groups = NULL;
	*nr = 0;
	if (!p)
		return -EINVAL;
	p += strlen("\nGroups:");
	for (;;) {
		unsigned long v;
		char *end;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || !*p)
			break;
		if (*p < '0' || *p > '9')
			goto out_inval;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v > UINT32_MAX || n >= REC_CREDS_MAX_GROUPS)
			goto out_inval;
		if (n == cap) {
			uint32_t *ng = realloc(g, (cap ? cap * 2 : 32) * sizeof(*g));

			if (!ng) {
				free(g);
				return -ENOMEM;
			}
			g = ng;
			cap = cap ? cap * 2 : 32;
		}
		g[n++] = (uint32_t)v;
		p = end;
	}
	*groups = g;
	*nr = n;
	return 0;

out_inval:
	free(g);
	return -EINVAL;
}

int creds_from_proc(pid_t pid, pid_t tid, struct rec_creds **out, size_t *out_len)
{
	struct proc_status st;
	struct rec_creds *rec;
	uint32_t *groups = NULL, nr_groups = 0;
	char *status = NULL;
	size_t len;
	int ret;

	*out = NULL;
	ret = read_status(pid, tid, &status);
	if (!ret)
		ret = proc_parse_status_buf(status, &st);
	if (!ret)
		ret = parse_groups(status, &groups, &nr_groups);
	free(status);
	if (ret)
		return ret;
	len = sizeof(*rec) + (size_t)nr_groups * sizeof(uint32_t);
	rec = calloc(1, len);
	if (!rec) {
		free(groups);
		return -ENOMEM;
	}
	rec->tid = tid;
	for (int i = 0; i < 4; i++) {
		rec->uid[i] = st.uid[i];
		rec->gid[i] = st.gid[i];
	}
	rec->cap_inh = st.cap_inh;
	rec->cap_prm = st.cap_prm;
	rec->cap_eff = st.cap_eff;
	rec->cap_bnd = st.cap_bnd;
	rec->cap_amb = st.cap_amb;
	rec->no_new_privs = !!st.no_new_privs;
	rec->nr_groups = nr_groups;
	if (nr_groups)
		memcpy(rec + 1, groups, nr_groups * sizeof(uint32_t));
	free(groups);
	*out = rec;
	*out_len = len;
	return 0;
}

/*
 * @th NULL: the thread group leader, exited, a zombie: /proc still shows
 * its credentials, which decide who may signal the process and whose it
 * looks in ps; its securebits cannot be asked for any more and are
 * @bits, the first thread's.
 */
static int dump_thread_creds(struct dump_ctx *d, struct cr_thread *th, int64_t *bits)
{
	pid_t tid = th ? th->tid : d->pid;
	struct rec_creds *rec;
	size_t len;
	int ret;

	ret = creds_from_proc(d->pid, tid, &rec, &len);
	if (ret) {
		sudcr_error("thread %d: cannot read its credentials from /proc: %s", tid, strerror(-ret));
		return ret;
	}
	if (th)
		ret = cr_inject(th, arch_sc_nr(th->inj.kind, SC_PRCTL), bits, PR_GET_SECUREBITS, 0,
				0, 0, 0, 0);
	if (!ret && *bits < 0) {
		sudcr_error("thread %d: PR_GET_SECUREBITS: %s", tid, strerror((int)-*bits));
		ret = (int)*bits;
	}
	if (!ret) {
		rec->securebits = (uint32_t)*bits;
		ret = img_write_record(d->img, IMG_REC_CREDS, rec, len);
	}
	free(rec);
	return ret;
}

int dump_creds(struct dump_ctx *d)
{
	int64_t bits = 0, first = 0;
	int ret = 0;

	for (int i = 0; i < d->nr_threads && !ret; i++) {
		ret = dump_thread_creds(d, &d->threads[i], &bits);
		if (!i)
			first = bits;
	}
	if (!ret && d->leader_zombie)
		ret = dump_thread_creds(d, NULL, &first);
	return ret;
}
