// SPDX-License-Identifier: MIT
/*
 * Namespace identities, shared by the dump's and the restore's checks
 * (lib/kinds/namespaces.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <sudcr/log.h>

#include "namespaces.h"

static const struct {
	const char *file, *name;
} kinds[REC_NS_NR] = {
	[REC_NS_PID] = { "pid", "PID" },
	[REC_NS_PID_FOR_CHILDREN] = { "pid_for_children", "PID (for children)" },
	[REC_NS_USER] = { "user", "user" },
	[REC_NS_MNT] = { "mnt", "mount" },
	[REC_NS_NET] = { "net", "network" },
	[REC_NS_IPC] = { "ipc", "IPC" },
	[REC_NS_UTS] = { "uts", "UTS" },
	[REC_NS_CGROUP] = { "cgroup", "cgroup" },
	[REC_NS_TIME] = { "time", "time" },
	[REC_NS_TIME_FOR_CHILDREN] = { "time_for_children", "time (for children)" },
};

const char *ns_file(int kind)
{
	return kinds[kind].file;
}

const char *ns_name(int kind)
{
	return kinds[kind].name;
}

bool ns_for_children(int kind)
{
	return kind == REC_NS_PID_FOR_CHILDREN || kind == REC_NS_TIME_FOR_CHILDREN;
}

int ns_read_ids(const char *dir, struct rec_ns_id ids[REC_NS_NR])
{
	char path[96];
	struct stat st;
	bool unborn = false;

	for (int k = 0; k < REC_NS_NR; k++) {
		snprintf(path, sizeof(path), "/proc/%s/ns/%s", dir, kinds[k].file);
		if (stat(path, &st)) {
			int err = errno;

			ids[k].dev = 0;
			ids[k].ino = 0;
			if (err != ENOENT || k == REC_NS_PID)
				return -err;
			/*
			 * A kernel without this kind (CONFIG_TIME_NS=n) has no
			 * file for anyone: none to differ.  If sudcr has one,
			 * either the task has no namespaces any more (gone, or
			 * a zombie, which keeps only ns/pid), or it is
			 * pid_for_children after unshare(CLONE_NEWPID) before
			 * the first child: the kernel shows that namespace only
			 * once it has an init.
			 */
			snprintf(path, sizeof(path), "/proc/thread-self/ns/%s", kinds[k].file);
			if (access(path, F_OK))
				continue;
			if (k != REC_NS_PID_FOR_CHILDREN)
				return -ENOENT;
			unborn = true;
			continue;
		}
		ids[k].dev = st.st_dev;
		ids[k].ino = st.st_ino;
	}
	/* Only a live task, whose other files are there, can have one unborn. */
	if (unborn)
		ids[REC_NS_PID_FOR_CHILDREN] = (struct rec_ns_id){ 0, NS_INO_UNBORN };
	return 0;
}

int ns_first_diff(const struct rec_ns_id *a, const struct rec_ns_id *b)
{
	for (int k = 0; k < REC_NS_NR; k++)
		if (a[k].dev != b[k].dev || a[k].ino != b[k].ino)
			return k;
	return -1;
}

void ns_id_str(int kind, const struct rec_ns_id *id, const struct rec_ns_id *other, char *buf, size_t size)
{
	const char *file = kinds[kind].file;
	size_t base = strcspn(file, "_");	/* pid_for_children: pid:[...] */

	if (!id->dev && !id->ino)
		snprintf(buf, size, "none");
	else if (!id->dev && id->ino == NS_INO_UNBORN)
		snprintf(buf, size, "%.*s:[new, no process in it yet]", (int)base, file);
	else if (id->dev == other->dev || !other->dev)
		snprintf(buf, size, "%.*s:[%llu]", (int)base, file, (unsigned long long)id->ino);
	else
		snprintf(buf, size, "%.*s:[%llu] on nsfs %u:%u", (int)base, file, (unsigned long long)id->ino,
			 major(id->dev), minor(id->dev));
}

int ns_check_procfs(void)
{
	char link[32];
	ssize_t n;
	int err;

	n = readlink("/proc/self", link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		if (atoi(link) == getpid())
			return 0;
		sudcr_error("/proc is not the procfs of sudcr's PID namespace (/proc/self is %s, sudcr is %d there): mount one for it (unshare -p -f --mount-proc, nsenter -p -m)",
			    link, getpid());
		return -EINVAL;
	}
	err = n < 0 ? errno : EINVAL;
	sudcr_error("/proc is not the procfs of sudcr's PID namespace (/proc/self: %s): mount one for it (unshare -p -f --mount-proc, nsenter -p -m)",
		    strerror(err));
	return -EINVAL;
}
