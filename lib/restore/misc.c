// SPDX-License-Identifier: MIT
/*
 * Restore of the "other" process and thread state (see lib/dump/misc.c).
 *
 * In the stub, before it is seized: rseq of the stub dropped, umask and
 * cwd.  Everything else is injected after the address space has been
 * transplanted, because it either names addresses of the image (rseq,
 * robust list, clear_child_tid) or would disturb the transplant itself:
 * the transplant opens the image's files by path inside the new process
 * (so chroot waits), personality READ_IMPLIES_EXEC adds PROT_EXEC to every
 * mmap, and low RLIMIT_AS/MEMLOCK/NOFILE limits would make the restore's
 * own mappings and fds fail.  Seccomp filters come last, right after this
 * (lib/kinds/seccomp.c); injection keeps working after them because the
 * stub is seized with PTRACE_O_SUSPEND_SECCOMP.
 */
#include <errno.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/rseq.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <sudcr/cr.h>
#include <sudcr/kernel_compat.h>
#include <sudcr/log.h>

#include "../kinds/deleted_cwd.h"
#include "../kinds/misc.h"

/* Recent kernels (6.18 has it): timer_create() takes the id from *created_timer_id. */
#ifndef PR_TIMER_CREATE_RESTORE_IDS
#define PR_TIMER_CREATE_RESTORE_IDS 77
#define PR_TIMER_CREATE_RESTORE_IDS_OFF 0
#define PR_TIMER_CREATE_RESTORE_IDS_ON 1
#endif

#define MISC_RSEQ_ORIG_SIZE	32	/* struct rseq of Linux 4.18, what glibc registers */
#define MISC_ROBUST_HEAD_SIZE	24	/* struct robust_list_head (x86-64) */
#define MISC_ROBUST_HEAD_SIZE32	12	/* struct compat_robust_list_head (ia32) */

#define MISC_USER_TOP		(1ULL << 56)	/* above any x86-64 user address */
/* Fillers for holes in timer ids when ids cannot be asked for. */
#define MISC_MAX_TIMER_FILLERS	4096

static const char *const rlimit_names[RLIM_NLIMITS] = {
	[RLIMIT_CPU] = "CPU", [RLIMIT_FSIZE] = "FSIZE", [RLIMIT_DATA] = "DATA",
	[RLIMIT_STACK] = "STACK", [RLIMIT_CORE] = "CORE", [RLIMIT_RSS] = "RSS",
	[RLIMIT_NPROC] = "NPROC", [RLIMIT_NOFILE] = "NOFILE", [RLIMIT_MEMLOCK] = "MEMLOCK",
	[RLIMIT_AS] = "AS", [RLIMIT_LOCKS] = "LOCKS", [RLIMIT_SIGPENDING] = "SIGPENDING",
	[RLIMIT_MSGQUEUE] = "MSGQUEUE", [RLIMIT_NICE] = "NICE", [RLIMIT_RTPRIO] = "RTPRIO",
	[RLIMIT_RTTIME] = "RTTIME",
};

/* ---- reading and validating the image ---- */

static bool path_ok(const char *p, uint32_t len)
{
	return len > 0 && len < REC_PATH_MAX && p[0] == '/' && !memchr(p, '\0', len);
}

static int prepare_misc(struct restore_ctx *r, struct restore_misc_state *s)
{
	const struct rec_misc *m;
	const char *paths;
	const void *data;
	size_t len;
	int ret, n = 0;

	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_MISC, &data, &len)) == 1) {
		if (n++)
			return img_record_invalid(r->img, "more than one misc record");
		if (len < sizeof(*m))
			return img_record_invalid(r->img, "misc record of %zu bytes", len);
		m = data;
		paths = (const char *)(m + 1);
		if ((uint64_t)m->cwd_len + m->root_len != len - sizeof(*m) ||
		    !path_ok(paths, m->cwd_len) || !path_ok(paths + m->cwd_len, m->root_len))
			return img_record_invalid(r->img, "bad cwd or root path");
		if (m->umask > 0777 || m->dumpable < 0 || m->dumpable > 2 ||
		    m->child_subreaper > 1)
			return img_record_invalid(r->img, "bad umask %#o, dumpable %d or subreaper %u",
						  m->umask, m->dumpable, m->child_subreaper);
		if (m->nr_rlimits > RLIM_NLIMITS || m->nr_itimers > 3 ||
		    m->nr_posix_timers > INT_MAX / 2 || m->nr_seccomp > INT_MAX / 2)
			return img_record_invalid(r->img, "bad record counts");
		s->misc = *m;
		memcpy(s->cwd, paths, m->cwd_len);
		s->cwd[m->cwd_len] = '\0';
		memcpy(s->root, paths + m->cwd_len, m->root_len);
		s->root[m->root_len] = '\0';
	}
	if (ret < 0)
		return ret;
	if (!n) {
		sudcr_error("%s: image has no misc record (cwd, rlimits, timers)", r->opts.dir);
		return -EINVAL;
	}
	return 0;
}

static int prepare_threads(struct restore_ctx *r, struct restore_misc_state *s)
{
	const struct rec_thread_misc *t;
	const void *data;
	uint32_t seen = 0;
	size_t len;
	int ret, i;

	s->threads = calloc(r->proc.nr_threads, sizeof(*s->threads));
	if (!s->threads) {
		sudcr_error("out of memory");
		return -ENOMEM;
	}
	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_THREAD_MISC, &data, &len)) == 1) {
		if (len != sizeof(*t))
			return img_record_invalid(r->img, "thread misc record of %zu bytes", len);
		t = data;
		i = restore_image_thread_index(r, t->tid);
		if (i < 0 || s->threads[i].tid)
			return img_record_invalid(r->img, "thread %d unknown or repeated", t->tid);
		if (t->rseq_ptr && (t->rseq_ptr >= MISC_USER_TOP || t->rseq_len < MISC_RSEQ_ORIG_SIZE ||
				    t->rseq_len > 4096))
			return img_record_invalid(r->img, "thread %d: bad rseq area %#llx+%u", t->tid,
						  (unsigned long long)t->rseq_ptr, t->rseq_len);
		if (t->robust_len != (r->proc.arch == ARCH_IA32 ? MISC_ROBUST_HEAD_SIZE32 :
				      MISC_ROBUST_HEAD_SIZE) || t->robust_list >= MISC_USER_TOP ||
		    t->clear_child_tid >= MISC_USER_TOP)
			return img_record_invalid(r->img, "thread %d: bad robust list or tid address",
						  t->tid);
		if (t->pdeathsig < 0 || t->pdeathsig >= _NSIG || t->no_new_privs > 1 ||
		    t->seccomp_mode > SECCOMP_MODE_FILTER || t->personality == 0xffffffff ||
		    !memchr(t->comm, '\0', sizeof(t->comm)))
			return img_record_invalid(r->img, "thread %d: bad pdeathsig, no_new_privs, "
						  "seccomp mode, personality or name", t->tid);
		s->threads[i] = *t;
		seen++;
	}
	if (ret < 0)
		return ret;
	if (seen != r->proc.nr_threads) {
		sudcr_error("%s: %u of %u threads lack their misc record", r->opts.dir,
			    r->proc.nr_threads - seen, r->proc.nr_threads);
		return -EINVAL;
	}
	return 0;
}

static int prepare_rlimits(struct restore_ctx *r, struct restore_misc_state *s)
{
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

static bool timeval_ok(uint64_t sec, uint64_t usec)
{
	return sec <= INT64_MAX && usec < 1000000;
}

static int prepare_itimers(struct restore_ctx *r, struct restore_misc_state *s)
{
	const struct rec_itimer *it;
	const void *data;
	uint32_t n = 0, mask = 0;
	size_t len;
	int ret;

	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_ITIMER, &data, &len)) == 1) {
		if (len != sizeof(*it))
			return img_record_invalid(r->img, "itimer record of %zu bytes", len);
		it = data;
		if (it->which > 2 || (mask & (1u << it->which)))
			return img_record_invalid(r->img, "itimer %u unknown or repeated", it->which);
		if (!timeval_ok(it->value_sec, it->value_usec) ||
		    !timeval_ok(it->interval_sec, it->interval_usec))
			return img_record_invalid(r->img, "itimer %u: bad time", it->which);
		s->itimer[it->which] = *it;
		mask |= 1u << it->which;
		n++;
	}
	if (ret < 0)
		return ret;
	if (n != s->misc.nr_itimers) {
		sudcr_error("%s: %u itimer records, the misc record says %u", r->opts.dir, n,
			    s->misc.nr_itimers);
		return -EINVAL;
	}
	return 0;
}

static int cmp_timer(const void *a, const void *b)
{
	const struct rec_posix_timer *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int check_timer(struct restore_ctx *r, const struct rec_posix_timer *t)
{
	int kind = t->notify & ~SIGEV_THREAD_ID;

	if (t->id < 0)
		return img_record_invalid(r->img, "POSIX timer id %d", t->id);
	if (t->value_sec > INT64_MAX || t->value_nsec >= 1000000000 ||
	    t->interval_sec > INT64_MAX || t->interval_nsec >= 1000000000)
		return img_record_invalid(r->img, "POSIX timer %d: bad time", t->id);
	if (t->notify != SIGEV_NONE && t->notify != SIGEV_SIGNAL && t->notify != SIGEV_THREAD &&
	    t->notify != (SIGEV_SIGNAL | SIGEV_THREAD_ID))
		return img_record_invalid(r->img, "POSIX timer %d: notify %#x", t->id, t->notify);
	if (kind != SIGEV_NONE && (t->signo <= 0 || t->signo >= _NSIG))
		return img_record_invalid(r->img, "POSIX timer %d: signal %d", t->id, t->signo);
	if ((t->notify & SIGEV_THREAD_ID) ? restore_image_thread_index(r, t->notify_tid) < 0 :
					    t->notify_tid != r->proc.pid)
		return img_record_invalid(r->img, "POSIX timer %d: notifies %d, not in the image",
					  t->id, t->notify_tid);
	return 0;
}

static int prepare_posix_timers(struct restore_ctx *r, struct restore_misc_state *s)
{
	const void *data;
	size_t len;
	int ret, n = 0;

	ret = restore_alloc_counted(r, IMG_REC_POSIX_TIMER, s->misc.nr_posix_timers, sizeof(*s->timers),
				    "POSIX timer", (void **)&s->timers);
	if (ret)
		return ret;
	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_POSIX_TIMER, &data, &len)) == 1) {
		if (len != sizeof(*s->timers))
			return img_record_invalid(r->img, "POSIX timer record of %zu bytes", len);
		if ((uint32_t)n >= s->misc.nr_posix_timers)
			return img_record_invalid(r->img, "more POSIX timers than the misc record says");
		memcpy(&s->timers[n], data, len);
		ret = check_timer(r, &s->timers[n]);
		if (ret)
			return ret;
		n++;
	}
	if (ret < 0)
		return ret;
	if ((uint32_t)n != s->misc.nr_posix_timers) {
		sudcr_error("%s: %d POSIX timer records, the misc record says %u", r->opts.dir, n,
			    s->misc.nr_posix_timers);
		return -EINVAL;
	}
	s->nr_timers = n;
	if (n)
		qsort(s->timers, n, sizeof(*s->timers), cmp_timer);
	for (int i = 1; i < n; i++) {
		if (s->timers[i].id == s->timers[i - 1].id) {
			sudcr_error("%s: POSIX timer id %d appears twice", r->opts.dir,
				    s->timers[i].id);
			return -EINVAL;
		}
	}
	return 0;
}

int restore_misc_prepare(struct restore_ctx *r)
{
	struct restore_misc_state *s;
	int ret;

	s = calloc(1, sizeof(*s));
	if (!s) {
		sudcr_error("out of memory");
		return -ENOMEM;
	}
	r->misc_state = s;
	s->scratch_len = 4096;
	ret = prepare_misc(r, s);
	if (!ret)
		ret = prepare_threads(r, s);
	if (!ret)
		ret = prepare_rlimits(r, s);
	if (!ret)
		ret = prepare_itimers(r, s);
	if (!ret)
		ret = prepare_posix_timers(r, s);
	return ret;
}

void restore_misc_free(struct restore_ctx *r)
{
	struct restore_misc_state *s = r->misc_state;

	if (!s)
		return;
	for (int i = 0; i < s->nr_filters; i++)
		free(s->filters[i].insns);
	free(s->filters);
	free(s->timers);
	free(s->threads);
	free(s);
	r->misc_state = NULL;
}

/* ---- inside the stub ---- */

/*
 * The stub inherited sudcr's rseq registration (glibc's, in our TLS).  The
 * kernel writes that area on returns to user mode and reads its rseq_cs
 * pointer to decide whether to move the ip: after the transplant the
 * address holds the image's memory, so drop the registration before
 * anything is unmapped.  glibc up to 2.39 registers the 32-byte struct
 * rseq while __rseq_size says 20 (the bytes in use), so try both.
 */
static int stub_drop_rseq(void)
{
	void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
	unsigned int lens[3] = { MISC_RSEQ_ORIG_SIZE, __rseq_size, (__rseq_size + 31) & ~31u };

	if (!__rseq_size)
		return 0;	/* glibc did not register one */
	for (int i = 0; i < 3; i++) {
		if (!syscall(SYS_rseq, area, lens[i], RSEQ_FLAG_UNREGISTER, RSEQ_SIG))
			return 0;
		if (errno != EINVAL) {
			int err = errno;

			sudcr_error("cannot drop the new process's inherited rseq area: %s",
				    strerror(err));
			return -err;
		}
	}
	/* Nothing of that size registered there: somebody dropped it already. */
	sudcr_debug("no inherited rseq registration to drop");
	return 0;
}

int restore_misc_in_stub(struct restore_ctx *r)
{
	const struct restore_misc_state *s = r->misc_state;

	if (stub_drop_rseq())
		_exit(1);
	restore_procattr_in_stub(r);
	umask(s->misc.umask);
	/*
	 * By sudcr's root: the cwd may even lie outside the process's root
	 * (chroot without chdir); restore_chroot() leaves it where it is.
	 */
	if (r->cwd_deleted) {
		if (deleted_cwd_enter(r, s->cwd))
			_exit(1);
	} else if (chdir(s->cwd)) {
		int err = errno;

		sudcr_error("cannot restore the working directory %s: %s", s->cwd, strerror(err));
		_exit(1);
	}
	return 0;
}

/* ---- injected ---- */

struct cr_thread *cthread_of(struct restore_ctx *r, pid_t tid)
{
	for (int i = 0; i < r->tp.nr_threads; i++) {
		if (r->cthreads[i].tid == tid)
			return &r->cthreads[i];
	}
	sudcr_error("thread %d of the image is missing in the new process", tid);
	return NULL;
}

/* Inject @nr; a failure of the call itself is reported with @what. */
int misc_inject(struct cr_thread *th, const char *what, long nr, int64_t *res,
		uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	int64_t v;
	int ret;

	ret = cr_inject(th, nr, &v, a0, a1, a2, a3, 0, 0);
	if (ret)
		return ret;
	if (v < 0 && v >= -4095) {
		sudcr_error("thread %d: cannot restore %s: %s", th->tid, what, strerror((int)-v));
		return (int)v;
	}
	if (res)
		*res = v;
	return 0;
}

int misc_write(struct cr_thread *th, uint64_t addr, const void *buf, size_t len)
{
	int ret = inject_write_mem(th->tid, addr, buf, len);

	if (ret)
		sudcr_error("thread %d: cannot write to its scratch area: %s", th->tid,
			    strerror(-ret));
	return ret;
}

static int misc_read(struct cr_thread *th, uint64_t addr, void *buf, size_t len)
{
	int ret = inject_read_mem(th->tid, addr, buf, len);

	if (ret)
		sudcr_error("thread %d: cannot read its scratch area: %s", th->tid, strerror(-ret));
	return ret;
}

/* After the transplant, whose injected opens resolve paths by our root. */
static int restore_chroot(struct restore_misc_state *s, struct cr_thread *th, uint64_t scratch)
{
	int ret;
	int64_t v;

	if (!strcmp(s->root, "/"))
		return 0;
	ret = misc_write(th, scratch, s->root, s->misc.root_len + 1);
	if (!ret)
		ret = cr_inject(th, NR(th, CHROOT), &v, scratch, 0, 0, 0, 0, 0);
	if (ret)
		return ret;
	if (v) {
		sudcr_error("cannot restore the root directory %s: %s", s->root, strerror((int)-v));
		return (int)v;
	}
	return 0;
}

/*
 * @scratch is the leader's: every thread shares the address space.
 * @pdeathsig: the parent-death signal to set (see restore_misc()).
 */
static int restore_thread_misc(struct cr_thread *th, const struct rec_thread_misc *t,
			       int pdeathsig, uint64_t scratch)
{
	char comm[16];
	int ret;

	ret = misc_inject(th, "its personality", NR(th, PERSONALITY), NULL, t->personality, 0, 0, 0);
	if (!ret && t->rseq_ptr) {
		int64_t v;

		ret = cr_inject(th, NR(th, RSEQ), &v, t->rseq_ptr, t->rseq_len, t->rseq_flags,
				t->rseq_sig, 0, 0);
		if (!ret && v) {
			sudcr_error("thread %d: cannot register its rseq area %#llx (%u bytes): %s%s",
				    th->tid, (unsigned long long)t->rseq_ptr, t->rseq_len,
				    strerror((int)-v), v == -EBUSY || v == -EINVAL ?
				    " (is the stub's own registration still active?)" : "");
			ret = (int)v;
		}
	}
	if (!ret)
		ret = misc_inject(th, "its robust futex list", NR(th, SET_ROBUST_LIST), NULL,
				  t->robust_list, t->robust_len, 0, 0);
	if (!ret)
		ret = misc_inject(th, "its clear_child_tid address", NR(th, SET_TID_ADDRESS), NULL,
				  t->clear_child_tid, 0, 0, 0);
	if (ret)
		return ret;
	memcpy(comm, t->comm, sizeof(comm));
	ret = misc_write(th, scratch, comm, sizeof(comm));
	if (!ret)
		ret = misc_inject(th, "its name", NR(th, PRCTL), NULL, PR_SET_NAME, scratch, 0, 0);
	if (!ret)
		ret = misc_inject(th, "its parent-death signal", NR(th, PRCTL), NULL, PR_SET_PDEATHSIG,
				  pdeathsig, 0, 0);
	return ret;
}

/*
 * Raising a hard limit above the stub's (sudcr's own) needs
 * CAP_SYS_RESOURCE, which root lacks on some machines and users in
 * containers often do: keep sudcr's hard limit then, and say so once.
 */
static int restore_rlimits(struct restore_misc_state *s, struct cr_thread *th, uint64_t scratch)
{
	char lowered[512] = "";
	size_t used = 0;
	int ret;

	for (unsigned int res = 0; res < RLIM_NLIMITS; res++) {
		uint64_t want[2], have[2];
		int64_t v;

		if (!(s->rlim_mask & (1u << res)))
			continue;
		want[0] = s->rlim[res].cur;
		want[1] = s->rlim[res].max;
		ret = misc_write(th, scratch, want, sizeof(want));
		if (!ret)
			ret = cr_inject(th, NR(th, PRLIMIT64), &v, 0, res, scratch, 0, 0, 0);
		if (ret)
			return ret;
		if (!v)
			continue;
		if (v != -EPERM) {
			sudcr_error("cannot restore RLIMIT_%s: %s", rlimit_names[res],
				    strerror((int)-v));
			return (int)v;
		}
		ret = misc_inject(th, "an rlimit", NR(th, PRLIMIT64), NULL, 0, res, 0, scratch + 16);
		if (!ret)
			ret = misc_read(th, scratch + 16, have, sizeof(have));
		if (ret)
			return ret;
		if (used < sizeof(lowered)) {
			char w[24] = "unlimited", h[24] = "unlimited";

			if (want[1] != RLIM_INFINITY)
				snprintf(w, sizeof(w), "%llu", (unsigned long long)want[1]);
			if (have[1] != RLIM_INFINITY)
				snprintf(h, sizeof(h), "%llu", (unsigned long long)have[1]);
			used += snprintf(lowered + used, sizeof(lowered) - used, "%sRLIMIT_%s %s -> %s",
					 used ? ", " : "", rlimit_names[res], w, h);
		}
		want[1] = have[1];
		if (want[0] > want[1])
			want[0] = want[1];
		ret = misc_write(th, scratch, want, sizeof(want));
		if (!ret)
			ret = misc_inject(th, "an rlimit", NR(th, PRLIMIT64), NULL, 0, res, scratch, 0);
		if (ret)
			return ret;
	}
	if (used)
		sudcr_warn("hard limits lowered to sudcr's own (raising them needs "
			   "CAP_SYS_RESOURCE): %s", lowered);
	return 0;
}

static int restore_itimers(struct restore_misc_state *s, struct cr_thread *th, uint64_t scratch)
{
	for (int which = 0; which < 3; which++) {
		const struct rec_itimer *it = &s->itimer[which];
		/* struct itimerval: interval, then value. */
		uint64_t v[4] = { it->interval_sec, it->interval_usec, it->value_sec,
				  it->value_usec };
		/* ia32: struct compat_itimerval, 32-bit fields (the dump read them so). */
		int32_t v32[4] = { (int32_t)v[0], (int32_t)v[1], (int32_t)v[2], (int32_t)v[3] };
		bool ia32 = th->inj.kind == ARCH_IA32;
		int ret;

		if (!it->value_sec && !it->value_usec)
			continue;	/* disarmed, as in the new process */
		ret = ia32 ? misc_write(th, scratch, v32, sizeof(v32)) : misc_write(th, scratch, v, sizeof(v));
		if (!ret)
			ret = misc_inject(th, "an interval timer", NR(th, SETITIMER), NULL, which,
					  scratch, 0, 0);
		if (ret)
			return ret;
	}
	return 0;
}

/* struct sigevent of x86-64, as the kernel reads it. */
struct misc_sigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	int32_t pad[11];
};

/* struct compat_sigevent of ia32 tasks: a 32-bit sigval first. */
struct misc_sigevent32 {
	uint32_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	int32_t pad[12];
};

/*
 * Timers get the ids they had: recent kernels take the wanted id from
 * *created_timer_id once PR_TIMER_CREATE_RESTORE_IDS is on.  Older kernels
 * hand out ids in order from 0 in a new process, so holes are made with
 * filler timers, deleted at the end.
 */
static int restore_posix_timers(struct restore_misc_state *s, struct cr_thread *th,
				uint64_t scratch)
{
	const uint64_t ev_addr = scratch, id_addr = scratch + 64, ts_addr = scratch + 128;
	int32_t *fillers = NULL;
	int nr_fillers = 0, ret = 0;
	bool by_id;
	int64_t v;

	if (!s->nr_timers)
		return 0;
	ret = cr_inject(th, NR(th, PRCTL), &v, PR_TIMER_CREATE_RESTORE_IDS,
			PR_TIMER_CREATE_RESTORE_IDS_ON, 0, 0, 0, 0);
	if (ret)
		return ret;
	if (v && v != -EINVAL) {
		sudcr_error("thread %d: cannot ask for POSIX timer ids: %s", th->tid,
			    strerror((int)-v));
		return (int)v;
	}
	by_id = !v;
	for (int i = 0; i < s->nr_timers; i++) {
		const struct rec_posix_timer *t = &s->timers[i];
		struct misc_sigevent ev = {
			.value = t->sigval,
			.signo = t->signo,
			.notify = t->notify,
			.tid = t->notify_tid,
		};
		struct misc_sigevent32 ev32 = {
			.value = (uint32_t)t->sigval,
			.signo = t->signo,
			.notify = t->notify,
			.tid = t->notify_tid,
		};
		/* struct itimerspec: interval, then value. */
		uint64_t ts[4] = { t->interval_sec, t->interval_nsec, t->value_sec,
				   t->value_nsec };
		int32_t id = t->id;

		if (th->inj.kind == ARCH_IA32)
			ret = misc_write(th, ev_addr, &ev32, sizeof(ev32));
		else
			ret = misc_write(th, ev_addr, &ev, sizeof(ev));
		if (ret)
			goto out;
		for (;;) {
			ret = misc_write(th, id_addr, &id, sizeof(id));
			if (!ret)
				ret = cr_inject(th, NR(th, TIMER_CREATE), &v, t->clock_id, ev_addr,
						id_addr, 0, 0, 0);
			if (ret)
				goto out;
			if (v) {
				sudcr_error("cannot create POSIX timer %d (clock %d): %s", t->id,
					    t->clock_id, strerror((int)-v));
				ret = (int)v;
				goto out;
			}
			ret = misc_read(th, id_addr, &id, sizeof(id));
			if (ret)
				goto out;
			if (id == t->id)
				break;
			if (by_id || id > t->id || nr_fillers >= MISC_MAX_TIMER_FILLERS) {
				sudcr_error("cannot create POSIX timer %d: the kernel gave id %d%s",
					    t->id, id, by_id || id > t->id ? "" :
					    " (hole too large without PR_TIMER_CREATE_RESTORE_IDS)");
				ret = -EEXIST;
				goto out;
			}
			if (!(nr_fillers & 63)) {
				int32_t *nf = realloc(fillers, (nr_fillers + 64) * sizeof(*nf));

				if (!nf) {
					sudcr_error("out of memory");
					ret = -ENOMEM;
					goto out;
				}
				fillers = nf;
			}
			fillers[nr_fillers++] = id;
			id = t->id;
		}
		if (!t->value_sec && !t->value_nsec)
			continue;	/* disarmed */
		ret = misc_write(th, ts_addr, ts, sizeof(ts));
		if (!ret)
			/* timer_settime64 of ia32 tasks takes the same 64-bit itimerspec. */
			ret = misc_inject(th, "a POSIX timer", th->inj.kind == ARCH_IA32 ?
					  NR(th, TIMER_SETTIME64) : NR(th, TIMER_SETTIME), NULL,
					  t->id, 0, ts_addr, 0);
		if (ret)
			goto out;
	}
	for (int i = 0; i < nr_fillers; i++) {
		ret = misc_inject(th, "POSIX timer ids", NR(th, TIMER_DELETE), NULL, fillers[i], 0, 0,
				  0);
		if (ret)
			goto out;
	}
	if (by_id)
		ret = misc_inject(th, "POSIX timer ids", NR(th, PRCTL), NULL,
				  PR_TIMER_CREATE_RESTORE_IDS, PR_TIMER_CREATE_RESTORE_IDS_OFF, 0,
				  0);
out:
	free(fillers);
	return ret;
}

static int restore_process_flags(struct restore_misc_state *s, struct cr_thread *th)
{
	int ret;

	ret = misc_inject(th, "its child-subreaper flag", NR(th, PRCTL), NULL, PR_SET_CHILD_SUBREAPER,
			  s->misc.child_subreaper, 0, 0);
	if (ret)
		return ret;
	if (s->misc.dumpable == 2) {
		/* SUID_DUMP_ROOT: only the kernel sets it, on exec of a setuid file. */
		sudcr_warn("process was dumpable only by root (suid_dumpable 2): restored as "
			   "dumpable");
		return 0;
	}
	return misc_inject(th, "its dumpable flag", NR(th, PRCTL), NULL, PR_SET_DUMPABLE,
			   s->misc.dumpable, 0, 0);
}

int restore_misc(struct restore_ctx *r)
{
	struct restore_misc_state *s = r->misc_state;
	struct cr_thread *leader = cthread_of(r, r->proc.pid);
	bool warned_nnp = false, warned_pdeath = false;
	uint64_t scratch;
	int ret;

	if (!leader)
		return -ESRCH;
	ret = cr_scratch(leader, s->scratch_len, &scratch);
	if (!ret)
		ret = restore_chroot(s, leader, scratch);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < r->proc.nr_threads; i++) {
		const struct rec_thread_misc *t = &s->threads[i];
		struct cr_thread *th = cthread_of(r, t->tid);
		int pdeathsig = t->pdeathsig;

		if (!th)
			return -ESRCH;
		/*
		 * The new parent is sudcr: with -d it exits at once and the
		 * signal would come right away (CRIU skips it for its root
		 * task for the same reason).
		 */
		if (pdeathsig && r->opts.detach) {
			if (!warned_pdeath)
				sudcr_warn("thread %d: parent-death signal %d not restored: with -d "
					   "its new parent, sudcr, exits at once", t->tid, pdeathsig);
			warned_pdeath = true;
			pdeathsig = 0;
		}
		ret = restore_thread_misc(th, t, pdeathsig, scratch);
		if (ret)
			return ret;
	}
	ret = restore_rlimits(s, leader, scratch);
	if (!ret)
		ret = restore_process_flags(s, leader);
	if (!ret)
		ret = restore_itimers(s, leader, scratch);
	if (!ret)
		ret = restore_posix_timers(s, leader, scratch);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < r->proc.nr_threads; i++) {
		const struct rec_thread_misc *t = &s->threads[i];
		struct cr_thread *th = cthread_of(r, t->tid);

		if (!th)
			return -ESRCH;
		if (t->no_new_privs) {
			ret = misc_inject(th, "no_new_privs", NR(th, PRCTL), NULL, PR_SET_NO_NEW_PRIVS,
					  1, 0, 0);
			if (ret)
				return ret;
		} else if (!warned_nnp && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1) {
			/* The stub is our fork: it inherited ours, and it cannot be cleared. */
			sudcr_warn("sudcr runs with no_new_privs: the restored process has it too");
			warned_nnp = true;
		}
	}
	ret = restore_sched_inject(r);
	if (!ret)
		ret = restore_procattr_inject(r);
	return ret;
}
