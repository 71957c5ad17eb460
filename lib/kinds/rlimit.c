// SPDX-License-Identifier: MIT
/*
 * The process's resource limits: one RLIMIT record per resource, counted
 * in the MISC record (misc.c).
 *
 * Read from /proc/PID/limits (proc/limits.c), all in one read, exact:
 * prlimit() on a process of another uid needs CAP_SYS_RESOURCE, which root
 * lacks on some machines, and an injected prlimit64 per resource cost 16
 * ptrace round trips per process.
 * Set after the transplant: low RLIMIT_AS/MEMLOCK/NOFILE limits would make
 * the restore's own mappings and fds fail.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cr.h"
#include "proc/proc.h"
#include <sudcr/log.h>

#include "kinds.h"
#include "misc.h"

static const char *const rlimit_names[RLIM_NLIMITS] = {
	[RLIMIT_CPU] = "CPU", [RLIMIT_FSIZE] = "FSIZE", [RLIMIT_DATA] = "DATA",
	[RLIMIT_STACK] = "STACK", [RLIMIT_CORE] = "CORE", [RLIMIT_RSS] = "RSS",
	[RLIMIT_NPROC] = "NPROC", [RLIMIT_NOFILE] = "NOFILE", [RLIMIT_MEMLOCK] = "MEMLOCK",
	[RLIMIT_AS] = "AS", [RLIMIT_LOCKS] = "LOCKS", [RLIMIT_SIGPENDING] = "SIGPENDING",
	[RLIMIT_MSGQUEUE] = "MSGQUEUE", [RLIMIT_NICE] = "NICE", [RLIMIT_RTPRIO] = "RTPRIO",
	[RLIMIT_RTTIME] = "RTTIME",
};

static int rlimit_collect(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;
	uint64_t cur[RLIM_NLIMITS], max[RLIM_NLIMITS];
	int ret = proc_read_limits(d->pid, cur, max, RLIM_NLIMITS);

	if (ret) {
		sudcr_error("process %d: cannot read its resource limits from /proc/%d/limits: %s", d->pid,
			    d->pid, ret == -EINVAL ? "not in the kernel's format" : strerror(-ret));
		return ret;
	}
	for (unsigned int res = 0; res < RLIM_NLIMITS; res++) {
		m->rlim[res].resource = res;
		m->rlim[res].cur = cur[res];
		m->rlim[res].max = max[res];
	}
	m->misc.nr_rlimits = RLIM_NLIMITS;
	return 0;
}

static int rlimit_dump(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;
	int ret = 0;

	for (unsigned int i = 0; !ret && i < m->misc.nr_rlimits; i++)
		ret = img_write_record(d->img, IMG_REC_RLIMIT, &m->rlim[i], sizeof(m->rlim[i]));
	return ret;
}

static int rlimit_prepare(struct restore_ctx *r)
{
	struct restore_misc_state *s = r->misc_state;
	const struct rec_rlimit *l;
	const void *data;
	uint32_t n = 0;
	size_t len;
	int ret;

	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_RLIMIT, &data, &len)) == 1) {
		if (len != sizeof(*l))
			return img_record_invalid(r->img, "rlimit record of %zu bytes", len);
		l = data;
		if (l->resource >= RLIM_NLIMITS || (s->rlim_mask & (1u << l->resource)))
			return img_record_invalid(r->img, "rlimit %u unknown or repeated",
						  l->resource);
		if (l->cur > l->max)
			return img_record_invalid(r->img, "rlimit %u: soft limit above hard limit",
						  l->resource);
		s->rlim[l->resource] = *l;
		s->rlim_mask |= 1u << l->resource;
		n++;
	}
	if (ret < 0)
		return ret;
	if (n != s->misc.nr_rlimits) {
		sudcr_error("%s: %u rlimit records, the misc record says %u", r->opts.dir, n,
			    s->misc.nr_rlimits);
		return -EINVAL;
	}
	return 0;
}

/*
 * Set by sudcr itself with prlimit() on the process (allowed: until the
 * image's credentials are applied, last, the process has sudcr's), not by
 * an injected prlimit64 per resource.  Raising a hard limit above
 * sudcr's own needs CAP_SYS_RESOURCE, which root lacks on some machines
 * and users in containers often do: keep sudcr's hard limit then, and say
 * so once.
 */
static int rlimit_restore(struct restore_ctx *r)
{
	struct restore_misc_state *s = r->misc_state;
	pid_t pid = r->proc.pid;
	char lowered[512] = "";
	size_t used = 0;

	for (unsigned int res = 0; res < RLIM_NLIMITS; res++) {
		struct rlimit want, have;
		int err;

		if (!(s->rlim_mask & (1u << res)))
			continue;
		want.rlim_cur = s->rlim[res].cur;
		want.rlim_max = s->rlim[res].max;
		if (!prlimit(pid, res, &want, NULL))
			continue;
		err = errno;
		if (err != EPERM || prlimit(pid, res, NULL, &have)) {
			err = err == EPERM ? errno : err;
			sudcr_error("cannot restore RLIMIT_%s of process %d: %s", rlimit_names[res], pid,
				    strerror(err));
			return -err;
		}
		if (used < sizeof(lowered)) {
			char w[24] = "unlimited", h[24] = "unlimited";

			if (want.rlim_max != RLIM_INFINITY)
				snprintf(w, sizeof(w), "%llu", (unsigned long long)want.rlim_max);
			if (have.rlim_max != RLIM_INFINITY)
				snprintf(h, sizeof(h), "%llu", (unsigned long long)have.rlim_max);
			used += snprintf(lowered + used, sizeof(lowered) - used, "%sRLIMIT_%s %s -> %s",
					 used ? ", " : "", rlimit_names[res], w, h);
		}
		want.rlim_max = have.rlim_max;
		if (want.rlim_cur > want.rlim_max)
			want.rlim_cur = want.rlim_max;
		if (prlimit(pid, res, &want, NULL)) {
			err = errno;
			sudcr_error("cannot restore RLIMIT_%s of process %d: %s", rlimit_names[res], pid,
				    strerror(err));
			return -err;
		}
	}
	if (used)
		sudcr_warn("hard limits lowered to sudcr's own (raising them needs "
			   "CAP_SYS_RESOURCE): %s", lowered);
	return 0;
}

const struct cr_kind cr_kind_rlimit = {
	.name = "rlimit",
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_RLIMIT, "rlimit" },
		{ 0, NULL },
	},
	.collect = rlimit_collect,
	.dump = rlimit_dump,
	.prepare = rlimit_prepare,
	.restore = rlimit_restore,
};
