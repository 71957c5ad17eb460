// SPDX-License-Identifier: MIT
/*
 * The dump's namespace check.  A process in a namespace that is not
 * sudcr's would come back from the image in the restorer's (another
 * getpid(), other mounts, another network), and namespaces are not
 * restored: refuse it, once before the process is touched and again per
 * frozen thread (a thread may have called unshare() or setns() in
 * between, and threads may differ), then record the ones it was in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sudcr/log.h>

#include "../namespaces.h"

/* The process's NSpid line: how many levels, and its PID in its own namespace. */
static int read_nspid(pid_t pid, int *levels, pid_t *inner)
{
	char path[64], *buf = NULL, *line, *p, *end;
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	ret = proc_read_file(path, &buf, &len);
	if (ret)
		return ret;
	*levels = 0;
	line = strstr(buf, "\nNSpid:");
	if (line) {
		line[strcspn(line + 1, "\n") + 1] = '\0';
		for (p = line + 7;; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			++*levels;
			*inner = (pid_t)v;
		}
	}
	free(buf);
	return 0;
}

static int refuse(pid_t pid, pid_t tid, int kind, const struct rec_ns_id *theirs, const struct rec_ns_id *ours)
{
	char t[64], o[64];
	int levels = 0;
	pid_t inner = pid;

	ns_id_str(kind, &theirs[kind], &ours[kind], t, sizeof(t));
	ns_id_str(kind, &ours[kind], &theirs[kind], o, sizeof(o));
	if (tid != pid) {
		sudcr_error("cannot dump process %d: its thread %d is in %s namespace %s, not sudcr's %s: not supported",
			    pid, tid, ns_name(kind), t, o);
	} else if (ns_for_children(kind)) {
		sudcr_error("cannot dump process %d: its %s namespace %s is not sudcr's %s: a restore could not bring it back",
			    pid, ns_name(kind), t, o);
	} else {
		if (read_nspid(pid, &levels, &inner) || levels < 1)
			inner = pid;
		sudcr_error("cannot dump process %d: it is in %s namespace %s, not sudcr's %s, which a restore would not bring back: run sudcr inside it: nsenter -t %d -a sudcr dump -t %d ...",
			    pid, ns_name(kind), t, o, pid, inner);
	}
	return -EPERM;
}

int dump_namespaces_early(pid_t pid)
{
	struct rec_ns_id ours[REC_NS_NR], theirs[REC_NS_NR];
	char dir[32];
	int ret, kind, levels = 0;
	pid_t inner = 0;

	ret = ns_check_procfs();
	if (ret)
		return ret;
	ret = ns_read_ids("thread-self", ours);
	if (ret) {
		sudcr_error("cannot read sudcr's namespaces in /proc/thread-self/ns: %s", strerror(-ret));
		return ret;
	}
	snprintf(dir, sizeof(dir), "%d", pid);
	/* Gone, or a zombie leader (no namespaces): the freeze says so, dump_namespaces() checks its threads. */
	if (ns_read_ids(dir, theirs))
		return 0;
	kind = ns_first_diff(theirs, ours);
	if (kind >= 0)
		return refuse(pid, pid, kind, theirs, ours);
	/* Its PID namespace is ours and /proc is ours: one level, the PID we were given. */
	if (!read_nspid(pid, &levels, &inner) && (levels != 1 || inner != pid)) {
		sudcr_error("cannot dump process %d: /proc/%d/status says NSpid has %d levels ending in %d, not one: it is not in sudcr's PID namespace",
			    pid, pid, levels, inner);
		return -EPERM;
	}
	return 0;
}

int dump_namespaces(struct dump_ctx *d)
{
	struct rec_ns_id ours[REC_NS_NR], theirs[REC_NS_NR];
	struct rec_namespaces rec = { .nr = REC_NS_NR };
	char dir[64];
	int ret, kind;

	ret = ns_read_ids("thread-self", ours);
	if (ret) {
		sudcr_error("cannot read sudcr's namespaces in /proc/thread-self/ns: %s", strerror(-ret));
		return ret;
	}
	for (int i = 0; i < d->nr_threads; i++) {
		pid_t tid = d->threads[i].tid;

		snprintf(dir, sizeof(dir), "%d/task/%d", d->pid, tid);
		ret = ns_read_ids(dir, theirs);
		if (ret) {
			sudcr_error("cannot read the namespaces of thread %d of process %d: %s", tid, d->pid,
				    strerror(-ret));
			return ret;
		}
		kind = ns_first_diff(theirs, ours);
		/* A zombie leader has none: its first live thread speaks for the process. */
		if (kind >= 0)
			return refuse(d->pid, d->leader_zombie && !i ? d->pid : tid, kind, theirs, ours);
	}
	memcpy(rec.ns, ours, sizeof(rec.ns));
	return img_write_record(d->img, IMG_REC_NAMESPACES, &rec, sizeof(rec));
}
