// SPDX-License-Identifier: MIT
/*
 * The dump's namespace check.  A process in a namespace that is not
 * sudcr's would come back from the image in the restorer's (another
 * getpid(), other mounts, another network), and namespaces are not
 * restored: refuse it, once before the process is touched and again per
 * frozen thread (a thread may have called unshare() or setns() in
 * between, and threads may differ), then record the ones it was in.
 *
 * The restore's namespace check.  The process is created in sudcr's
 * namespaces (the stub is sudcr's child), so they must be the ones it
 * was dumped in, every kind:
 *   - pid, user: PIDs, uids and capabilities would mean something else;
 *   - mnt: its paths would resolve to other files;
 *   - net, ipc, uts, cgroup, time: refused too.  Each could be argued
 *     harmless for some programs, but for others it is the state they
 *     run on (sockets bound to addresses of another network, SysV and
 *     POSIX IPC objects found by key or name, a host name read once,
 *     cgroup paths, absolute CLOCK_MONOTONIC/BOOTTIME timers that would
 *     fire at other moments), and sudcr cannot tell which: a refusal
 *     costs an nsenter, a silent change costs a wrong process.
 * Kinds the dumping kernel did not have are recorded as none and must be
 * absent here too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sudcr/log.h>

#include "../namespaces.h"
#include "kinds.h"

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

/* ---- restore ---- */

static const char *const why[REC_NS_NR] = {
	[REC_NS_PID] = "its PIDs would mean other processes",
	[REC_NS_PID_FOR_CHILDREN] = "its PIDs would mean other processes",
	[REC_NS_USER] = "its uids and capabilities would mean something else",
	[REC_NS_MNT] = "its paths would resolve to other files",
	[REC_NS_NET] = "its sockets would be in another network",
	[REC_NS_IPC] = "its System V IPC and POSIX message queues would be other ones",
	[REC_NS_UTS] = "it would see another host name",
	[REC_NS_CGROUP] = "its cgroup paths would be seen from another root",
	[REC_NS_TIME] = "its monotonic and boot-time clocks would jump",
	[REC_NS_TIME_FOR_CHILDREN] = "its monotonic and boot-time clocks would jump",
};

int restore_namespaces_prepare(struct restore_ctx *r)
{
	struct rec_ns_id ours[REC_NS_NR];
	struct rec_namespaces rec;
	const void *data;
	char t[64], o[64];
	size_t len;
	int ret, kind, nr = 0;

	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_NAMESPACES, &data, &len)) == 1) {
		if (len != sizeof(rec) || nr++)
			return img_record_invalid(r->img, "bad or repeated namespaces record");
		memcpy(&rec, data, len);
		if (rec.nr != REC_NS_NR || rec.pad)
			return img_record_invalid(r->img, "namespaces record with %u kinds", rec.nr);
		/* The dump refused a process whose children would go elsewhere. */
		if (memcmp(&rec.ns[REC_NS_PID], &rec.ns[REC_NS_PID_FOR_CHILDREN], sizeof(rec.ns[0])) ||
		    memcmp(&rec.ns[REC_NS_TIME], &rec.ns[REC_NS_TIME_FOR_CHILDREN], sizeof(rec.ns[0])))
			return img_record_invalid(r->img, "namespaces record with other namespaces for children");
	}
	if (ret < 0)
		return ret;
	if (!nr) {
		sudcr_error("%s: image has no namespaces record: cannot tell which namespaces it belongs in", r->opts.dir);
		return -EINVAL;
	}
	/* /proc is sudcr's: cr_restore() checked it first. */
	ret = ns_read_ids("thread-self", ours);
	if (ret) {
		sudcr_error("cannot read sudcr's namespaces in /proc/thread-self/ns: %s", strerror(-ret));
		return ret;
	}
	kind = ns_first_diff(rec.ns, ours);
	if (kind < 0)
		return 0;
	ns_id_str(kind, &rec.ns[kind], &ours[kind], t, sizeof(t));
	ns_id_str(kind, &ours[kind], &rec.ns[kind], o, sizeof(o));
	sudcr_error("cannot restore %s: it was dumped in %s namespace %s, sudcr runs in %s, and %s: restore it inside that namespace",
		    r->opts.dir, ns_name(kind), t, o, why[kind]);
	return -EPERM;
}

const struct cr_kind cr_kind_namespaces = {
	.name = "namespaces",
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_NAMESPACES, "namespaces" },
		{ 0, NULL },
	},
	.dump = dump_namespaces,
};
