// SPDX-License-Identifier: MIT
/*
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
#include <string.h>

#include <sudcr/log.h>

#include "../namespaces.h"

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
	ret = ns_check_procfs();
	if (ret)
		return ret;
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
