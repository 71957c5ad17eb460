// SPDX-License-Identifier: MIT
/*
 * Credentials, per thread: uids, gids, supplementary groups, the five
 * capability sets and no_new_privs from /proc/PID/task/TID/status (one
 * read, so the lines agree), securebits by an injected PR_GET_SECUREBITS
 * (/proc does not show them).  Threads may differ: the raw set*id
 * syscalls change only the calling thread, and so does capset.
 * The dumpable flag is process-wide and dumped by prctl.c.  An exited
 * thread group leader (a zombie) has a record too.
 *
 * The restore, per thread.  Before anything is created: every record is validated, and the restore
 * is refused when the caller could not hold the credentials itself
 * (another uid without CAP_SETUID, capabilities the caller does not have,
 * ...): a restore never gives a process more than its restorer has.
 *
 * Applied after misc, the last injected step that may need privileges
 * (chroot, rlimits, seccomp filters, ...), and before registers and SUD,
 * which inject_end() sets without any privilege.  Each thread runs the raw
 * syscalls itself, which change only that thread's credentials.  The order
 * is one where no step takes away what a later one needs:
 *
 *   1. securebits NO_SETUID_FIXUP|KEEP_CAPS for now, so that leaving uid 0
 *      does not clear the capability sets (needs CAP_SETPCAP; without it,
 *      PR_SET_KEEPCAPS, which keeps the permitted set: 4 and 8 set the
 *      effective one again);
 *   2. setgroups (unless they are the same), setresgid, setfsgid (CAP_SETGID);
 *   3. setresuid, setfsuid (CAP_SETUID), capabilities untouched;
 *   4. capset with the image's inheritable set, permitted and effective
 *      still the stub's (full): inheritable must be set while the
 *      bounding set still allows it;
 *   5. ambient: clear, raise the image's (each needs permitted and
 *      inheritable, and no SECBIT_NO_CAP_AMBIENT_RAISE yet);
 *   6. PR_CAPBSET_DROP of what the image's bounding set lacks (CAP_SETPCAP);
 *   7. the image's securebits (CAP_SETPCAP; locks last of all);
 *   8. capset with the image's three sets: permitted and effective drop.
 *
 * A thread whose credentials are sudcr's own already (root restoring
 * what root ran) needs none of this: the stub is sudcr's fork.
 *
 * Changing ids or capabilities makes the kernel reset the dumpable flag
 * (to fs.suid_dumpable) and clear the thread's parent-death signal, so
 * the image's are set again afterwards.  Then
 * every thread is read back (/proc, and PR_GET_SECUREBITS where it was
 * changed) and anything that differs fails the restore: the half-made
 * process is killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "kinds.h"
#include "../show.h"

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

static int creds_from_proc(pid_t pid, pid_t tid, struct rec_creds **out, size_t *out_len)
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

static int dump_creds(struct dump_ctx *d)
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

/* ---- restore ---- */

/* Bits PR_SET_SECUREBITS knows on 6.18: SECURE_NOROOT .. SECURE_EXEC_DENY_INTERACTIVE_LOCKED. */
#define CREDS_SECUREBITS_KNOWN	0xfffu
/* Every *_LOCKED bit sits just above the bit it locks. */
#define CREDS_SECUREBITS_LOCKS	0xaaau

struct restore_creds_state {
	struct rec_creds **threads;	/* in the order of r->threads, into the image */
	int32_t *pdeathsig;		/* same order: what prctl.c set, which a change clears */
	struct rec_creds *leader;	/* the exited leader's (REC_PROC_LEADER_ZOMBIE) */
	int32_t dumpable;		/* the misc record's */
	uint32_t max_groups;
	struct rec_creds *caller;	/* sudcr's own (securebits from prctl) */
	bool caller_setpcap;
	int last_cap;			/* /proc/sys/kernel/cap_last_cap */
};

static int cap_last(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = CAP_LAST_CAP;

	if (f) {
		if (fscanf(f, "%d", &last) != 1 || last < 0 || last > 63)
			last = CAP_LAST_CAP;
		fclose(f);
	}
	return last;
}

static uint64_t cap_mask(int last)
{
	return last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
}

static const uint32_t *groups_of(const struct rec_creds *c)
{
	return (const uint32_t *)(c + 1);
}

static bool has_cap(const struct rec_creds *c, int cap)
{
	return c->cap_eff & (1ULL << cap);
}

static bool id_in(uint32_t id, const uint32_t ids[4])
{
	return id == ids[0] || id == ids[1] || id == ids[2];
}

static bool group_in(uint32_t g, const struct rec_creds *c)
{
	for (uint32_t i = 0; i < c->nr_groups; i++)
		if (groups_of(c)[i] == g)
			return true;
	return false;
}

static bool same_groups(const struct rec_creds *a, const struct rec_creds *b)
{
	for (uint32_t i = 0; i < a->nr_groups; i++)
		if (!group_in(groups_of(a)[i], b))
			return false;
	for (uint32_t i = 0; i < b->nr_groups; i++)
		if (!group_in(groups_of(b)[i], a))
			return false;
	return true;
}

static int check_record(struct restore_ctx *r, const struct rec_creds *c, uint64_t caps)
{
	if (c->cap_inh & ~caps || c->cap_prm & ~caps || c->cap_eff & ~caps || c->cap_bnd & ~caps ||
	    c->cap_amb & ~caps)
		return img_record_invalid(r->img, "thread %d: capabilities this kernel does not know", c->tid);
	if (c->cap_eff & ~c->cap_prm || c->cap_amb & ~(c->cap_prm & c->cap_inh))
		return img_record_invalid(r->img, "thread %d: effective or ambient capabilities "
					  "outside the permitted and inheritable sets", c->tid);
	if (c->securebits & ~CREDS_SECUREBITS_KNOWN || c->no_new_privs > 1)
		return img_record_invalid(r->img, "thread %d: securebits %#x or no_new_privs %u", c->tid,
					  c->securebits, c->no_new_privs);
	return 0;
}

static int read_records(struct restore_ctx *r, struct restore_creds_state *s)
{
	uint64_t caps = cap_mask(s->last_cap);
	const void *data;
	uint32_t seen = 0;
	size_t len;
	int ret;

	s->threads = calloc(r->proc.nr_threads, sizeof(*s->threads));
	if (!s->threads)
		return -ENOMEM;
	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_CREDS, &data, &len)) == 1) {
		const struct rec_creds *c = data;
		uint32_t i;

		if (len < sizeof(*c) || c->nr_groups > REC_CREDS_MAX_GROUPS ||
		    len - sizeof(*c) != (size_t)c->nr_groups * sizeof(uint32_t))
			return img_record_invalid(r->img, "credentials record of %zu bytes", len);
		for (i = 0; i < r->proc.nr_threads && r->threads[i].tid != c->tid; i++)
			;
		if (i == r->proc.nr_threads && c->tid == r->proc.pid &&
		    (r->proc.flags & REC_PROC_LEADER_ZOMBIE) && !s->leader) {
			ret = check_record(r, c, caps);
			if (ret)
				return ret;
			s->leader = (struct rec_creds *)c;
			s->max_groups = c->nr_groups > s->max_groups ? c->nr_groups : s->max_groups;
			continue;
		}
		if (i == r->proc.nr_threads || s->threads[i])
			return img_record_invalid(r->img, "credentials of unknown or repeated thread %d",
						  c->tid);
		ret = check_record(r, c, caps);
		if (ret)
			return ret;
		s->threads[i] = (struct rec_creds *)c;
		if (c->nr_groups > s->max_groups)
			s->max_groups = c->nr_groups;
		seen++;
	}
	if (ret < 0)
		return ret;
	if (seen != r->proc.nr_threads) {
		/* Restored as the restorer instead, it would run with root's powers. */
		sudcr_error("%s: %u of %u threads lack their credentials record (image of an older sudcr?)",
			    r->opts.dir, r->proc.nr_threads - seen, r->proc.nr_threads);
		return -EINVAL;
	}
	if ((r->proc.flags & REC_PROC_LEADER_ZOMBIE) && !s->leader) {
		sudcr_error("%s: the exited thread group leader %d lacks its credentials record", r->opts.dir,
			    r->proc.pid);
		return -EINVAL;
	}
	img_rewind(r->img);
	ret = cr_next_of_type(r->img, IMG_REC_MISC, &data, &len);
	if (ret < 0)
		return ret;
	/* misc.c's prepare has checked it, and the THREAD_MISC records. */
	s->dumpable = ret == 1 && len >= sizeof(struct rec_misc) ? ((const struct rec_misc *)data)->dumpable : 1;
	s->pdeathsig = calloc(r->proc.nr_threads, sizeof(*s->pdeathsig));
	if (!s->pdeathsig)
		return -ENOMEM;
	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_THREAD_MISC, &data, &len)) == 1) {
		const struct rec_thread_misc *t = data;

		for (uint32_t i = 0; len == sizeof(*t) && i < r->proc.nr_threads; i++)
			/* With -d, prctl.c does not set it (and says so): sudcr exits at once. */
			if (r->threads[i].tid == t->tid)
				s->pdeathsig[i] = r->opts.detach ? 0 : t->pdeathsig;
	}
	return ret < 0 ? ret : 0;
}

/* What sudcr itself holds: the limit of what it may give. */
static int read_caller(struct restore_creds_state *s)
{
	size_t len;
	int bits, ret;

	ret = creds_from_proc(getpid(), gettid(), &s->caller, &len);
	if (ret) {
		sudcr_error("cannot read sudcr's own credentials from /proc: %s", strerror(-ret));
		return ret;
	}
	bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	if (bits < 0) {
		ret = -errno;
		sudcr_error("PR_GET_SECUREBITS: %s", strerror(-ret));
		return ret;
	}
	s->caller->securebits = bits;
	s->caller_setpcap = has_cap(s->caller, CAP_SETPCAP);
	return 0;
}

#define REFUSE(fmt, ...)                                                                           \
	({                                                                                         \
		sudcr_error("cannot restore: thread %d of the image " fmt, c->tid, ##__VA_ARGS__); \
		-EPERM;                                                                            \
	})

/* Could the caller hold @c itself?  If not, refuse: one line. */
static int check_caller_may(const struct restore_creds_state *s, const struct rec_creds *c)
{
	const struct rec_creds *me = s->caller;
	uint64_t inh_limit;

	if (!has_cap(me, CAP_SETUID))
		for (int i = 0; i < 4; i++)
			if (!id_in(c->uid[i], me->uid))
				return REFUSE("runs as uid %u/%u/%u/%u; you are uid %u/%u/%u without CAP_SETUID",
					      c->uid[0], c->uid[1], c->uid[2], c->uid[3], me->uid[0],
					      me->uid[1], me->uid[2]);
	if (!has_cap(me, CAP_SETGID)) {
		for (int i = 0; i < 4; i++)
			if (!id_in(c->gid[i], me->gid))
				return REFUSE("runs as gid %u/%u/%u/%u; you are gid %u/%u/%u without CAP_SETGID",
					      c->gid[0], c->gid[1], c->gid[2], c->gid[3], me->gid[0],
					      me->gid[1], me->gid[2]);
		if (!same_groups(c, me))
			return REFUSE("has other supplementary groups than yours, and you lack CAP_SETGID");
	}
	if (c->cap_prm & ~me->cap_prm)
		return REFUSE("holds capabilities you do not have (permitted %#" PRIx64 ", yours %#" PRIx64 ")",
			      c->cap_prm, me->cap_prm);
	if (c->cap_bnd & ~me->cap_bnd)
		return REFUSE("has capabilities in its bounding set that yours lacks (%#" PRIx64 ", yours %#" PRIx64 ")",
			      c->cap_bnd, me->cap_bnd);
	inh_limit = me->cap_inh | (s->caller_setpcap ? me->cap_bnd : me->cap_prm);
	if (c->cap_inh & ~inh_limit)
		return REFUSE("has inheritable capabilities you could not set (%#" PRIx64 ", yours %#" PRIx64 ")",
			      c->cap_inh, me->cap_inh);
	if (!s->caller_setpcap && (c->cap_bnd != me->cap_bnd || c->securebits != me->securebits))
		return REFUSE("has another bounding set or securebits than yours, and you lack CAP_SETPCAP");
	return 0;
}

static int restore_creds_prepare(struct restore_ctx *r)
{
	struct restore_creds_state *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	r->creds_state = s;
	s->last_cap = cap_last();
	ret = read_records(r, s);
	if (!ret)
		ret = read_caller(s);
	for (uint32_t i = 0; !ret && i < r->proc.nr_threads; i++)
		ret = check_caller_may(s, s->threads[i]);
	if (!ret && s->leader)
		ret = check_caller_may(s, s->leader);
	return ret;
}

static void restore_creds_free(struct restore_ctx *r)
{
	struct restore_creds_state *s = r->creds_state;

	if (!s)
		return;
	free(s->threads);
	free(s->pdeathsig);
	free(s->caller);
	free(s);
	r->creds_state = NULL;
}

/* ---- injected ---- */

/* The call, by the name of @th's kind (ia32: the 32-bit id calls). */
static int creds_call(struct cr_thread *th, enum arch_sc sc, const char *what,
		      uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	int64_t v;
	int ret;

	ret = cr_inject(th, arch_sc_nr(th->inj.kind, sc), &v, a0, a1, a2, a3, 0, 0);
	if (ret)
		return ret;
	if (v < 0 && v >= -4095) {
		sudcr_error("thread %d: cannot restore its credentials: %s: %s", th->tid, what,
			    strerror((int)-v));
		return (int)v;
	}
	return 0;
}

static int creds_prctl(struct cr_thread *th, const char *what, uint64_t op, uint64_t arg)
{
	return creds_call(th, SC_PRCTL, what, op, arg, 0, 0);
}

/* capset(2) on the thread itself, version 3 (64-bit sets as two halves). */
static int creds_capset(struct cr_thread *th, uint64_t scratch, uint64_t inh, uint64_t prm, uint64_t eff)
{
	struct {
		uint32_t version;
		int32_t pid;
		struct {
			uint32_t effective, permitted, inheritable;
		} data[2];
	} buf = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
		.data = {
			{ (uint32_t)eff, (uint32_t)prm, (uint32_t)inh },
			{ (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32) },
		},
	};
	int ret = inject_write_mem(th->tid, scratch, &buf, sizeof(buf));

	if (ret) {
		sudcr_error("thread %d: cannot write to its scratch area: %s", th->tid, strerror(-ret));
		return ret;
	}
	return creds_call(th, SC_CAPSET, "capset", scratch, scratch + 8, 0, 0);
}

/* The thread's credentials are the stub's (sudcr's) already: nothing to set. */
static bool same_as_caller(const struct rec_creds *me, const struct rec_creds *c)
{
	return !memcmp(c->uid, me->uid, sizeof(c->uid)) && !memcmp(c->gid, me->gid, sizeof(c->gid)) &&
	       c->nr_groups == me->nr_groups &&
	       !memcmp(groups_of(c), groups_of(me), c->nr_groups * sizeof(uint32_t)) &&
	       c->cap_inh == me->cap_inh && c->cap_prm == me->cap_prm && c->cap_eff == me->cap_eff &&
	       c->cap_bnd == me->cap_bnd && c->cap_amb == me->cap_amb && c->securebits == me->securebits;
}

static int apply_thread(struct restore_creds_state *s, struct cr_thread *th, const struct rec_creds *c,
			uint64_t scratch)
{
	const struct rec_creds *me = s->caller;
	/* The stub is our fork: it started with our credentials. */
	bool temp_bits = s->caller_setpcap && !(me->securebits & CREDS_SECUREBITS_LOCKS);
	/* Without CAP_SETPCAP, keep_caps alone (no privilege) keeps the permitted set. */
	bool temp_keep = !temp_bits && !(me->securebits & SECBIT_KEEP_CAPS_LOCKED);
	uint64_t groups = scratch + 64;
	int last = s->last_cap, ret = 0;

	if (temp_bits)
		ret = creds_prctl(th, "PR_SET_SECUREBITS", PR_SET_SECUREBITS,
				  SECBIT_NO_SETUID_FIXUP | SECBIT_KEEP_CAPS);
	else if (temp_keep)
		ret = creds_prctl(th, "PR_SET_KEEPCAPS", PR_SET_KEEPCAPS, 1);
	/* setgroups needs CAP_SETGID even to set the same groups again. */
	if (!ret && c->nr_groups && !same_groups(c, me))
		ret = inject_write_mem(th->tid, groups, groups_of(c), c->nr_groups * sizeof(uint32_t));
	if (!ret && !same_groups(c, me))
		ret = creds_call(th, SC_SETGROUPS, "setgroups", c->nr_groups, groups, 0, 0);
	if (!ret)
		ret = creds_call(th, SC_SETRESGID, "setresgid", c->gid[0], c->gid[1], c->gid[2], 0);
	/* setfsgid and setfsuid return the old id, never an error: the read-back checks. */
	if (!ret)
		ret = creds_call(th, SC_SETFSGID, "setfsgid", c->gid[3], 0, 0, 0);
	if (!ret)
		ret = creds_call(th, SC_SETRESUID, "setresuid", c->uid[0], c->uid[1], c->uid[2], 0);
	if (!ret)
		ret = creds_call(th, SC_SETFSUID, "setfsuid", c->uid[3], 0, 0, 0);
	if (!ret)
		ret = creds_capset(th, scratch, c->cap_inh, me->cap_prm, me->cap_eff);
	if (!ret)
		ret = creds_call(th, SC_PRCTL, "PR_CAP_AMBIENT_CLEAR_ALL", PR_CAP_AMBIENT,
				 PR_CAP_AMBIENT_CLEAR_ALL, 0, 0);
	for (int cap = 0; cap <= last && !ret; cap++)
		if (c->cap_amb & (1ULL << cap))
			ret = creds_call(th, SC_PRCTL, "PR_CAP_AMBIENT_RAISE", PR_CAP_AMBIENT,
					 PR_CAP_AMBIENT_RAISE, cap, 0);
	for (int cap = 0; cap <= last && !ret; cap++)
		if ((me->cap_bnd & ~c->cap_bnd) & (1ULL << cap))
			ret = creds_prctl(th, "PR_CAPBSET_DROP", PR_CAPBSET_DROP, cap);
	if (!ret && (temp_bits || c->securebits != me->securebits))
		ret = creds_prctl(th, "PR_SET_SECUREBITS", PR_SET_SECUREBITS, c->securebits);
	else if (!ret && temp_keep)
		/* check_caller_may(): securebits are the caller's here, keep_caps included. */
		ret = creds_prctl(th, "PR_SET_KEEPCAPS", PR_SET_KEEPCAPS, !!(c->securebits & SECBIT_KEEP_CAPS));
	if (!ret)
		ret = creds_capset(th, scratch, c->cap_inh, c->cap_prm, c->cap_eff);
	return ret;
}

/* The parent-death signal of a thread apply_thread() changed: cleared by the kernel, set again. */
static int put_back_pdeathsig(struct cr_thread *th, int32_t sig, uint64_t scratch)
{
	int32_t now = -1;
	int ret = sig ? creds_prctl(th, "PR_SET_PDEATHSIG", PR_SET_PDEATHSIG, sig) : 0;

	if (!ret)
		ret = creds_prctl(th, "PR_GET_PDEATHSIG", PR_GET_PDEATHSIG, scratch);
	if (!ret) {
		ret = inject_read_mem(th->tid, scratch, &now, sizeof(now));
		if (ret)
			sudcr_error("thread %d: cannot read its scratch area: %s", th->tid, strerror(-ret));
	}
	if (!ret && now != sig) {
		sudcr_error("thread %d: its parent-death signal came back as %d, not %d", th->tid, now, sig);
		ret = -EIO;
	}
	return ret;
}

static void ids_str(char *buf, size_t size, const uint32_t ids[4])
{
	snprintf(buf, size, "%u/%u/%u/%u", ids[0], ids[1], ids[2], ids[3]);
}

/* Read thread @th back; the first difference fails the restore. */
static int verify_thread(struct restore_ctx *r, struct restore_creds_state *s, struct cr_thread *th,
			 const struct rec_creds *c)
{
	struct rec_creds *now;
	char want[64], got[64];
	const char *what = NULL;
	long nr = arch_sc_nr(th->inj.kind, SC_PRCTL);
	int64_t bits;
	size_t len;
	int ret;

	ret = creds_from_proc(r->pid, th->tid, &now, &len);
	if (ret) {
		sudcr_error("thread %d: cannot read its credentials back: %s", th->tid, strerror(-ret));
		return ret;
	}
	/* Left as the stub's, sudcr's own, unless apply_thread() ran: no call then. */
	bits = s->caller->securebits;
	if (!same_as_caller(s->caller, c))
		ret = cr_inject(th, nr, &bits, PR_GET_SECUREBITS, 0, 0, 0, 0, 0);
	if (ret)
		goto out_free;
	now->securebits = (uint32_t)bits;
	if (memcmp(now->uid, c->uid, sizeof(c->uid))) {
		ids_str(want, sizeof(want), c->uid);
		ids_str(got, sizeof(got), now->uid);
		what = "uids";
	} else if (memcmp(now->gid, c->gid, sizeof(c->gid))) {
		ids_str(want, sizeof(want), c->gid);
		ids_str(got, sizeof(got), now->gid);
		what = "gids";
	} else if (now->nr_groups != c->nr_groups ||
		   memcmp(groups_of(now), groups_of(c), c->nr_groups * sizeof(uint32_t))) {
		snprintf(want, sizeof(want), "%u groups", c->nr_groups);
		snprintf(got, sizeof(got), "%u, or others", now->nr_groups);
		what = "supplementary groups";
	} else {
		static const struct {
			const char *name;
			size_t off;
		} sets[] = {
			{ "inheritable capabilities", offsetof(struct rec_creds, cap_inh) },
			{ "permitted capabilities", offsetof(struct rec_creds, cap_prm) },
			{ "effective capabilities", offsetof(struct rec_creds, cap_eff) },
			{ "bounding set", offsetof(struct rec_creds, cap_bnd) },
			{ "ambient capabilities", offsetof(struct rec_creds, cap_amb) },
		};

		for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]) && !what; i++) {
			uint64_t w, g;

			memcpy(&w, (const char *)c + sets[i].off, sizeof(w));
			memcpy(&g, (const char *)now + sets[i].off, sizeof(g));
			if (w != g) {
				snprintf(want, sizeof(want), "%#" PRIx64, w);
				snprintf(got, sizeof(got), "%#" PRIx64, g);
				what = sets[i].name;
			}
		}
		if (!what && now->securebits != c->securebits) {
			snprintf(want, sizeof(want), "%#x", c->securebits);
			snprintf(got, sizeof(got), "%#x", now->securebits);
			what = "securebits";
		} else if (!what && now->no_new_privs != c->no_new_privs &&
			   !(now->no_new_privs && s->caller->no_new_privs)) {
			/* (The stub inherits sudcr's no_new_privs: prctl.c warns about that.) */
			snprintf(want, sizeof(want), "%u", c->no_new_privs);
			snprintf(got, sizeof(got), "%u", now->no_new_privs);
			what = "no_new_privs";
		}
	}
	if (what) {
		sudcr_error("thread %d: its %s came back as %s, not %s as dumped", th->tid, what, got, want);
		ret = -EIO;
	}
out_free:
	free(now);
	return ret;
}

/* Record @i: the threads', then the exited leader's, which exits after this. */
static const struct rec_creds *nth_record(const struct restore_ctx *r, const struct restore_creds_state *s,
					  uint32_t i)
{
	return i < r->proc.nr_threads ? s->threads[i] : s->leader;
}

static int restore_creds(struct restore_ctx *r)
{
	struct restore_creds_state *s = r->creds_state;
	struct cr_thread *leader = cthread_of(r, r->proc.pid);
	int32_t dumpable = s->dumpable == 2 ? 1 : s->dumpable;	/* prctl.c warns about 2 */
	uint32_t nr = r->proc.nr_threads + !!s->leader;
	uint64_t scratch = 0;
	bool changed = false;
	int64_t v;
	int ret = 0;

	if (!leader)
		return -ESRCH;
	for (uint32_t i = 0; i < nr && !ret; i++) {
		const struct rec_creds *c = nth_record(r, s, i);
		struct cr_thread *th = cthread_of(r, c->tid);

		if (!th)
			return -ESRCH;
		/* The common case, root restoring what root ran: no call at all. */
		if (same_as_caller(s->caller, c))
			continue;
		if (!scratch)
			ret = cr_scratch(leader, (64 + (size_t)s->max_groups * sizeof(uint32_t) + 4095) &
					 ~(size_t)4095, &scratch);
		if (!ret)
			ret = apply_thread(s, th, c, scratch);
		/* The exited leader has no THREAD_MISC record, nor a parent-death signal to keep. */
		if (!ret && i < r->proc.nr_threads)
			ret = put_back_pdeathsig(th, s->pdeathsig[i], scratch);
		changed = true;
	}
	/* Changing ids or capabilities reset it to fs.suid_dumpable. */
	if (!ret && changed)
		ret = creds_prctl(leader, "PR_SET_DUMPABLE", PR_SET_DUMPABLE, dumpable);
	for (uint32_t i = 0; i < nr && !ret; i++) {
		const struct rec_creds *c = nth_record(r, s, i);
		struct cr_thread *th = cthread_of(r, c->tid);

		ret = th ? verify_thread(r, s, th, c) : -ESRCH;
	}
	if (ret || !changed)
		return ret;
	ret = cr_inject(leader, arch_sc_nr(leader->inj.kind, SC_PRCTL), &v, PR_GET_DUMPABLE, 0, 0,
			0, 0, 0);
	if (!ret && v != dumpable) {
		sudcr_error("process %d: its dumpable flag came back as %lld, not %d", r->pid, (long long)v,
			    dumpable);
		ret = -EIO;
	}
	return ret;
}

/* ---- show ---- */

static int show_creds(struct show_ctx *s, const void *data, size_t len, bool first)
{
	const struct rec_creds *c = data;
	const uint32_t *g = (const uint32_t *)(c + 1);
	uint32_t n;

	if (len < sizeof(*c))
		return 0;
	n = (len - sizeof(*c)) / sizeof(*g);
	if (n > c->nr_groups)
		n = c->nr_groups;
	if (s->json) {
		fprintf(s->out, "%s{\"tid\":%d,\"uid\":[%u,%u,%u,%u],\"gid\":[%u,%u,%u,%u],\"groups\":[",
			first ? "" : ",", c->tid, c->uid[0], c->uid[1], c->uid[2], c->uid[3],
			c->gid[0], c->gid[1], c->gid[2], c->gid[3]);
		for (uint32_t i = 0; i < n; i++)
			fprintf(s->out, "%s%u", i ? "," : "", g[i]);
		fprintf(s->out, "],\"cap_inh\":\"0x%" PRIx64 "\",\"cap_prm\":\"0x%" PRIx64 "\",\"cap_eff\":\"0x%" PRIx64
			"\",\"cap_bnd\":\"0x%" PRIx64 "\",\"cap_amb\":\"0x%" PRIx64 "\",\"securebits\":\"0x%x\","
			"\"no_new_privs\":%s}", c->cap_inh, c->cap_prm, c->cap_eff, c->cap_bnd, c->cap_amb,
			c->securebits, c->no_new_privs ? "true" : "false");
	} else {
		fprintf(s->out, "  thread %d: uid %u/%u/%u/%u gid %u/%u/%u/%u groups", c->tid, c->uid[0], c->uid[1],
			c->uid[2], c->uid[3], c->gid[0], c->gid[1], c->gid[2], c->gid[3]);
		for (uint32_t i = 0; i < n && i < 16; i++)
			fprintf(s->out, "%s%u", i ? "," : " ", g[i]);
		fprintf(s->out, "%s\n    caps inh 0x%" PRIx64 " prm 0x%" PRIx64 " eff 0x%" PRIx64 " bnd 0x%" PRIx64
			" amb 0x%" PRIx64 " securebits 0x%x%s\n", !n ? " none" : n > 16 ? ",..." : "",
			c->cap_inh, c->cap_prm, c->cap_eff, c->cap_bnd, c->cap_amb, c->securebits,
			c->no_new_privs ? " no_new_privs" : "");
	}
	return 0;
}

static const struct cr_rec_show creds_show[] = {
	{ IMG_REC_CREDS, 30, "creds", "credentials:\n", show_creds },
	{ 0 },
};

const struct cr_kind cr_kind_creds = {
	.name = "creds",
	.show = creds_show,
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_CREDS, "creds" },
		{ 0, NULL },
	},
	.flags = CR_KIND_DUMP_LAST,
	.dump = dump_creds,
	.prepare = restore_creds_prepare,
	.restore = restore_creds,
	.free = restore_creds_free,
};
