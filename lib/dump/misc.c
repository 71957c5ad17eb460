// SPDX-License-Identifier: MIT
/*
 * Dump of the "other" process and thread state: personality, umask, cwd and
 * root, rlimits, interval and POSIX timers, prctl flags, seccomp filters,
 * and per thread rseq, robust futex list, clear_child_tid and comm.
 *
 * Values that only the task itself can report are read by injected
 * syscalls, with the numbers and structure layouts of the task's kind
 * (x86-64 or ia32).  Reading rlimits from inside matters: prlimit() on a
 * process of another uid needs CAP_SYS_RESOURCE, which root lacks on some
 * machines.  The image holds the values in one layout for both kinds.
 *
 * Everything is collected first and written at the end, IMG_REC_MISC first,
 * so the counts in it are those of the records that follow.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <sudcr/cr.h>
#include <sudcr/kernel_compat.h>
#include <sudcr/log.h>

#include "../kinds/deleted_cwd.h"

#ifndef SECCOMP_RET_USER_NOTIF
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#endif
#ifndef SECCOMP_RET_ACTION_FULL
#define SECCOMP_RET_ACTION_FULL 0xffff0000U
#endif

/* struct seccomp_metadata of PTRACE_SECCOMP_GET_METADATA. */
struct misc_seccomp_md {
	uint64_t filter_off;
	uint64_t flags;
};

struct misc_filter {
	uint32_t flags;
	uint32_t nr_insns;
	struct sock_filter *insns;
};

/* The seccomp filters of one thread, oldest first. */
struct misc_chain {
	int nr;
	struct misc_filter *f;
};

struct misc_dump {
	struct rec_misc misc;
	char cwd[REC_PATH_MAX];
	char root[REC_PATH_MAX];
	struct rec_thread_misc *threads;
	struct misc_chain *chains;		/* per thread */
	bool shared_chain;			/* every thread has chains[0] */
	struct rec_rlimit rlim[RLIM_NLIMITS];
	struct rec_itimer itimer[3];
	struct rec_posix_timer *timers;
	int nr_timers;
};

static void chain_free(struct misc_chain *c)
{
	for (int i = 0; i < c->nr; i++)
		free(c->f[i].insns);
	free(c->f);
	c->nr = 0;
	c->f = NULL;
}

static bool chain_equal(const struct misc_chain *a, const struct misc_chain *b)
{
	if (a->nr != b->nr)
		return false;
	for (int i = 0; i < a->nr; i++) {
		if (a->f[i].flags != b->f[i].flags || a->f[i].nr_insns != b->f[i].nr_insns ||
		    memcmp(a->f[i].insns, b->f[i].insns,
			   a->f[i].nr_insns * sizeof(struct sock_filter)))
			return false;
	}
	return true;
}

/*
 * Inject @nr into @th; a negative result is reported with @what and
 * returned as the error.
 */
static int misc_inject(struct cr_thread *th, const char *what, long nr, int64_t *res,
		       uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	int64_t r;
	int ret;

	if (nr < 0)
		return -ENOSYS;
	ret = cr_inject(th, nr, &r, a0, a1, a2, a3, 0, 0);
	if (ret)
		return ret;
	if (r < 0 && r >= -4095) {
		sudcr_error("thread %d: %s: %s", th->tid, what, strerror((int)-r));
		return (int)r;
	}
	if (res)
		*res = r;
	return 0;
}

static bool is_ia32(const struct cr_thread *th)
{
	return th->inj.kind == ARCH_IA32;
}

static int misc_read(struct cr_thread *th, const char *what, uint64_t addr, void *buf,
		     size_t len)
{
	int ret = inject_read_mem(th->tid, addr, buf, len);

	if (ret)
		sudcr_error("thread %d: cannot read the result of %s: %s", th->tid, what,
			    strerror(-ret));
	return ret;
}

/*
 * A path from /proc/PID/{cwd,root} is only usable if it still leads to the
 * same directory: not when deleted, nor when it lies in another mount
 * namespace than ours.  Refuse rather than restore somewhere else.
 */
static int dump_fs_link(pid_t pid, const char *name, char *buf, size_t len)
{
	char proc[64];
	struct stat want, got;
	int ret;

	ret = proc_read_link(pid, name, buf, len);
	if (ret) {
		sudcr_error("process %d: cannot read /proc/%d/%s: %s", pid, pid, name,
			    strerror(-ret));
		return ret;
	}
	/* A removed cwd is made again (kinds/deleted_cwd.c, which writes its record). */
	if (!strcmp(name, "cwd")) {
		ret = deleted_cwd_strip(pid, buf);
		if (ret)
			return ret < 0 ? ret : 0;
	}
	snprintf(proc, sizeof(proc), "/proc/%d/%s", pid, name);
	if (stat(proc, &want)) {
		ret = -errno;
		sudcr_error("process %d: cannot stat its %s: %s", pid, name, strerror(-ret));
		return ret;
	}
	if (buf[0] != '/' || stat(buf, &got) || got.st_dev != want.st_dev ||
	    got.st_ino != want.st_ino) {
		sudcr_error("process %d: its %s \"%s\" cannot be reached by that path "
			    "(deleted, or in another mount namespace)", pid, name, buf);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int dump_rlimits(struct dump_ctx *d, struct misc_dump *m, uint64_t scratch)
{
	struct cr_thread *th = &d->threads[0];
	uint64_t v[2];
	int ret;

	for (unsigned int res = 0; res < RLIM_NLIMITS; res++) {
		ret = misc_inject(th, "prlimit64", arch_sc_nr(th->inj.kind, SC_PRLIMIT64), NULL, 0, res, 0, scratch);
		if (!ret)
			ret = misc_read(th, "prlimit64", scratch, v, sizeof(v));
		if (ret)
			return ret;
		m->rlim[res].resource = res;
		m->rlim[res].cur = v[0];
		m->rlim[res].max = v[1];
	}
	m->misc.nr_rlimits = RLIM_NLIMITS;
	return 0;
}

static int dump_itimers(struct dump_ctx *d, struct misc_dump *m, uint64_t scratch)
{
	struct cr_thread *th = &d->threads[0];
	uint64_t v[4];		/* struct itimerval: interval, then value */
	int32_t v32[4];		/* the same of ia32 tasks */
	int ret;

	for (int which = 0; which < 3; which++) {
		ret = misc_inject(th, "getitimer", arch_sc_nr(th->inj.kind, SC_GETITIMER), NULL, which, scratch, 0, 0);
		if (!ret && is_ia32(th)) {
			ret = misc_read(th, "getitimer", scratch, v32, sizeof(v32));
			for (int k = 0; k < 4; k++)
				v[k] = (uint64_t)(int64_t)v32[k];
		} else if (!ret) {
			ret = misc_read(th, "getitimer", scratch, v, sizeof(v));
		}
		if (ret)
			return ret;
		m->itimer[which] = (struct rec_itimer){
			.which = which,
			.interval_sec = v[0], .interval_usec = v[1],
			.value_sec = v[2], .value_usec = v[3],
		};
	}
	m->misc.nr_itimers = 3;
	return 0;
}

static int dump_posix_timers(struct dump_ctx *d, struct misc_dump *m, uint64_t scratch)
{
	struct cr_thread *th = &d->threads[0];
	struct proc_posix_timer *pt = NULL;
	uint64_t v[4];		/* struct itimerspec: interval, then value */
	int nr = 0, ret;

	ret = proc_parse_timers(d->proc_pid, &pt, &nr);
	if (ret) {
		sudcr_error("process %d: cannot list its POSIX timers (/proc/%d/timers): %s",
			    d->pid, d->pid, strerror(-ret));
		return ret;
	}
	if (!nr)
		goto out;
	m->timers = calloc(nr, sizeof(*m->timers));
	if (!m->timers) {
		sudcr_error("process %d: out of memory", d->pid);
		ret = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < nr; i++) {
		/* timer_gettime64 of ia32 tasks takes the same 64-bit itimerspec. */
		ret = misc_inject(th, "timer_gettime",
				  arch_sc_nr(th->inj.kind, is_ia32(th) ? SC_TIMER_GETTIME64 : SC_TIMER_GETTIME), NULL,
				  pt[i].id, scratch, 0, 0);
		if (!ret)
			ret = misc_read(th, "timer_gettime", scratch, v, sizeof(v));
		if (ret)
			goto out;
		m->timers[i] = (struct rec_posix_timer){
			.id = pt[i].id,
			.clock_id = pt[i].clock_id,
			.signo = pt[i].signo,
			.notify = pt[i].notify_kind,
			.notify_tid = pt[i].notify_tid,
			.sigval = pt[i].sigval,
			.interval_sec = v[0], .interval_nsec = v[1],
			.value_sec = v[2], .value_nsec = v[3],
		};
	}
	m->nr_timers = nr;
	m->misc.nr_posix_timers = nr;
out:
	free(pt);
	return ret;
}

/*
 * A filter that hands syscalls to a user-space listener cannot work after
 * restore: the listener's fd is not connected to the new filter.
 */
static bool filter_uses_listener(const struct misc_filter *f)
{
	for (uint32_t i = 0; i < f->nr_insns; i++) {
		if (f->insns[i].code == (BPF_RET | BPF_K) &&
		    (f->insns[i].k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
			return true;
	}
	return false;
}

/* PTRACE_SECCOMP_GET_FILTER index 0 is the oldest filter. */
static int dump_seccomp_chain(pid_t tid, int expect, struct misc_chain *c)
{
	int ret;

	for (unsigned long idx = 0;; idx++) {
		struct misc_seccomp_md md = { .filter_off = idx };
		struct misc_filter *f, *nf;
		long n;

		n = ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)idx, NULL);
		if (n < 0 && errno == ENOENT)
			break;
		if (n <= 0 || n > BPF_MAXINSNS) {
			ret = n < 0 ? -errno : -EIO;
			sudcr_error("thread %d: cannot read seccomp filter %lu: %s%s", tid, idx,
				    n < 0 ? strerror(-ret) : "bad length",
				    ret == -EACCES || ret == -EPERM ?
				    " (needs CAP_SYS_ADMIN, and sudcr must not run under seccomp)" :
				    "");
			goto out_free;
		}
		nf = realloc(c->f, (c->nr + 1) * sizeof(*c->f));
		if (!nf)
			goto out_nomem;
		c->f = nf;
		f = &c->f[c->nr];
		f->nr_insns = n;
		f->insns = calloc(n, sizeof(*f->insns));
		if (!f->insns)
			goto out_nomem;
		c->nr++;
		if (ptrace(PTRACE_SECCOMP_GET_FILTER, tid, (void *)idx, f->insns) != n) {
			ret = -EIO;
			sudcr_error("thread %d: seccomp filter %lu changed while reading it", tid,
				    idx);
			goto out_free;
		}
		if (ptrace(PTRACE_SECCOMP_GET_METADATA, tid, (void *)sizeof(md), &md) < 0) {
			ret = -errno;
			sudcr_error("thread %d: cannot read flags of seccomp filter %lu: %s", tid,
				    idx, strerror(-ret));
			goto out_free;
		}
		f->flags = md.flags & SECCOMP_FILTER_FLAG_LOG;
		if (filter_uses_listener(f)) {
			sudcr_error("thread %d: seccomp filter %lu sends syscalls to a user-space "
				    "listener (SECCOMP_RET_USER_NOTIF): not supported", tid, idx);
			ret = -EOPNOTSUPP;
			goto out_free;
		}
	}
	if (expect > 0 && c->nr != expect) {
		sudcr_error("thread %d: /proc says %d seccomp filters, ptrace gave %d", tid, expect,
			    c->nr);
		ret = -EIO;
		goto out_free;
	}
	return 0;

out_nomem:
	sudcr_error("thread %d: out of memory reading its seccomp filters", tid);
	ret = -ENOMEM;
out_free:
	chain_free(c);
	return ret;
}

static int dump_thread_misc(struct dump_ctx *d, int i, struct misc_dump *m, uint64_t scratch)
{
	struct cr_thread *th = &d->threads[i];
	struct rec_thread_misc *t = &m->threads[i];
	struct sudcr_rseq_config rc = { 0 };
	struct proc_status st;
	uint64_t head = 0, tidaddr = 0;
	size_t len = 0;
	int32_t sig = 0;
	int64_t r;
	long n;
	int ret;

	t->tid = th->tid;
	ret = proc_parse_status(d->pid, th->tid, &st);
	if (ret) {
		sudcr_error("thread %d: cannot read its status: %s", th->tid, strerror(-ret));
		return ret;
	}
	t->no_new_privs = !!st.no_new_privs;
	if (st.seccomp < 0 || st.seccomp > 2) {
		sudcr_error("thread %d: unknown seccomp mode %d", th->tid, st.seccomp);
		return -EOPNOTSUPP;
	}
	t->seccomp_mode = st.seccomp;
	if (st.seccomp == SECCOMP_MODE_FILTER) {
		ret = dump_seccomp_chain(th->tid, st.seccomp_filters, &m->chains[i]);
		if (ret)
			return ret;
	}

	/* personality is per task: threads inherit it but can change it. */
	ret = misc_inject(th, "personality", arch_sc_nr(th->inj.kind, SC_PERSONALITY), &r, 0xffffffff, 0, 0, 0);
	if (ret)
		return ret;
	t->personality = (uint32_t)r;

	n = ptrace(PTRACE_GET_RSEQ_CONFIGURATION, th->tid, (void *)sizeof(rc), &rc);
	if (n < 0) {
		ret = -errno;
		sudcr_error("thread %d: cannot read its rseq registration: %s", th->tid,
			    strerror(-ret));
		return ret;
	}
	t->rseq_ptr = rc.rseq_abi_pointer;
	t->rseq_len = rc.rseq_abi_size;
	t->rseq_sig = rc.signature;
	t->rseq_flags = rc.flags;

	if (is_ia32(th)) {
		/*
		 * An ia32 task's list is the compat one, which only its own
		 * get_robust_list shows (ours would show the native one, empty).
		 */
		uint32_t hl[2];

		ret = misc_inject(th, "get_robust_list", arch_sc_nr(th->inj.kind, SC_GET_ROBUST_LIST), NULL, 0,
				  scratch, scratch + 4, 0);
		if (!ret)
			ret = misc_read(th, "get_robust_list", scratch, hl, sizeof(hl));
		if (ret)
			return ret;
		head = hl[0];
		len = hl[1];
	} else if (syscall(SYS_get_robust_list, th->tid, &head, &len)) {
		ret = -errno;
		sudcr_error("thread %d: cannot read its robust futex list: %s", th->tid,
			    strerror(-ret));
		return ret;
	}
	t->robust_list = head;
	t->robust_len = len;

	/*
	 * The scratch page is the leader's; threads share the address space.
	 * PR_GET_TID_ADDRESS stores a kernel pointer: 8 bytes for either kind.
	 */
	ret = misc_inject(th, "prctl(PR_GET_TID_ADDRESS)", arch_sc_nr(th->inj.kind, SC_PRCTL), NULL,
			  PR_GET_TID_ADDRESS, scratch, 0, 0);
	if (!ret)
		ret = misc_read(th, "PR_GET_TID_ADDRESS", scratch, &tidaddr, sizeof(tidaddr));
	if (!ret)
		ret = misc_inject(th, "prctl(PR_GET_PDEATHSIG)", arch_sc_nr(th->inj.kind, SC_PRCTL), NULL,
				  PR_GET_PDEATHSIG, scratch, 0, 0);
	if (!ret)
		ret = misc_read(th, "PR_GET_PDEATHSIG", scratch, &sig, sizeof(sig));
	if (ret)
		return ret;
	t->clear_child_tid = tidaddr;
	t->pdeathsig = sig;

	ret = proc_read_comm(d->pid, th->tid, t->comm, sizeof(t->comm));
	if (ret)
		sudcr_error("thread %d: cannot read its name: %s", th->tid, strerror(-ret));
	return ret;
}

static int dump_process_misc(struct dump_ctx *d, struct misc_dump *m, uint64_t scratch)
{
	struct cr_thread *th = &d->threads[0];
	struct proc_status st;
	int64_t r;
	int ret;

	ret = dump_fs_link(d->proc_pid, "cwd", m->cwd, sizeof(m->cwd));
	if (!ret)
		ret = dump_fs_link(d->proc_pid, "root", m->root, sizeof(m->root));
	if (ret)
		return ret;
	m->misc.cwd_len = strlen(m->cwd);
	m->misc.root_len = strlen(m->root);

	ret = proc_parse_status(d->pid, d->leader_zombie ? d->proc_pid : 0, &st);
	if (ret) {
		sudcr_error("process %d: cannot read its status: %s", d->pid, strerror(-ret));
		return ret;
	}
	if (st.umask >= 0) {
		m->misc.umask = st.umask;
	} else {
		/* Kernels before 4.7 do not show Umask: ask and put it back. */
		ret = misc_inject(th, "umask", arch_sc_nr(th->inj.kind, SC_UMASK), &r, 022, 0, 0, 0);
		if (!ret)
			ret = misc_inject(th, "umask", arch_sc_nr(th->inj.kind, SC_UMASK), NULL, r, 0, 0, 0);
		if (ret)
			return ret;
		m->misc.umask = r & 0777;
	}

	ret = misc_inject(th, "prctl(PR_GET_DUMPABLE)", arch_sc_nr(th->inj.kind, SC_PRCTL), &r, PR_GET_DUMPABLE, 0,
			  0, 0);
	if (ret)
		return ret;
	m->misc.dumpable = r;
	ret = misc_inject(th, "prctl(PR_GET_CHILD_SUBREAPER)", arch_sc_nr(th->inj.kind, SC_PRCTL), NULL,
			  PR_GET_CHILD_SUBREAPER, scratch, 0, 0);
	if (!ret)
		ret = misc_read(th, "PR_GET_CHILD_SUBREAPER", scratch, &m->misc.child_subreaper,
				sizeof(m->misc.child_subreaper));
	if (ret)
		return ret;
	m->misc.child_subreaper = !!m->misc.child_subreaper;

	ret = dump_rlimits(d, m, scratch);
	if (!ret)
		ret = dump_itimers(d, m, scratch);
	if (!ret)
		ret = dump_posix_timers(d, m, scratch);
	return ret;
}

/*
 * Identical chains in every thread (the usual case: inherited, or
 * installed with TSYNC) are stored once, with tid 0, and restored with
 * TSYNC so the threads share them again.  Otherwise each thread's chain is
 * stored on its own.
 */
static void seccomp_layout(struct dump_ctx *d, struct misc_dump *m)
{
	m->shared_chain = m->chains[0].nr > 0;
	for (int i = 1; i < d->nr_threads && m->shared_chain; i++)
		m->shared_chain = chain_equal(&m->chains[0], &m->chains[i]);
	m->misc.nr_seccomp = 0;
	for (int i = 0; i < d->nr_threads; i++) {
		m->misc.nr_seccomp += m->chains[i].nr;
		if (m->shared_chain)
			break;
	}
}

static int write_chain(struct img_writer *w, int32_t tid, const struct misc_chain *c)
{
	for (int i = 0; i < c->nr; i++) {
		size_t ilen = c->f[i].nr_insns * sizeof(struct sock_filter);
		struct rec_seccomp *rec;
		int ret;

		rec = malloc(sizeof(*rec) + ilen);
		if (!rec) {
			sudcr_error("out of memory writing a seccomp filter");
			return -ENOMEM;
		}
		*rec = (struct rec_seccomp){
			.tid = tid,
			.index = i,
			.flags = c->f[i].flags,
			.nr_insns = c->f[i].nr_insns,
		};
		memcpy(rec + 1, c->f[i].insns, ilen);
		ret = img_write_record(w, IMG_REC_SECCOMP, rec, sizeof(*rec) + ilen);
		free(rec);
		if (ret)
			return ret;
	}
	return 0;
}

static int write_records(struct dump_ctx *d, struct misc_dump *m)
{
	struct img_writer *w = d->img;
	size_t plen = m->misc.cwd_len + m->misc.root_len;
	struct rec_misc *rec;
	int ret;

	rec = malloc(sizeof(*rec) + plen);
	if (!rec) {
		sudcr_error("process %d: out of memory", d->pid);
		return -ENOMEM;
	}
	*rec = m->misc;
	memcpy((char *)(rec + 1), m->cwd, m->misc.cwd_len);
	memcpy((char *)(rec + 1) + m->misc.cwd_len, m->root, m->misc.root_len);
	ret = img_write_record(w, IMG_REC_MISC, rec, sizeof(*rec) + plen);
	free(rec);
	for (int i = 0; !ret && i < d->nr_threads; i++)
		ret = img_write_record(w, IMG_REC_THREAD_MISC, &m->threads[i],
				       sizeof(m->threads[i]));
	for (unsigned int i = 0; !ret && i < m->misc.nr_rlimits; i++)
		ret = img_write_record(w, IMG_REC_RLIMIT, &m->rlim[i], sizeof(m->rlim[i]));
	for (unsigned int i = 0; !ret && i < m->misc.nr_itimers; i++)
		ret = img_write_record(w, IMG_REC_ITIMER, &m->itimer[i], sizeof(m->itimer[i]));
	for (int i = 0; !ret && i < m->nr_timers; i++)
		ret = img_write_record(w, IMG_REC_POSIX_TIMER, &m->timers[i],
				       sizeof(m->timers[i]));
	if (!ret && m->shared_chain) {
		ret = write_chain(w, 0, &m->chains[0]);
	} else {
		for (int i = 0; !ret && i < d->nr_threads; i++)
			ret = write_chain(w, m->threads[i].tid, &m->chains[i]);
	}
	return ret;
}

int dump_misc(struct dump_ctx *d)
{
	struct misc_dump *m;
	uint64_t scratch;
	int ret;

	if (d->nr_threads < 1)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (m) {
		m->threads = calloc(d->nr_threads, sizeof(*m->threads));
		m->chains = calloc(d->nr_threads, sizeof(*m->chains));
	}
	if (!m || !m->threads || !m->chains) {
		sudcr_error("process %d: out of memory", d->pid);
		ret = -ENOMEM;
		goto out_free;
	}
	ret = cr_scratch(&d->threads[0], 64, &scratch);
	if (ret)
		goto out_free;

	ret = dump_process_misc(d, m, scratch);
	for (int i = 0; !ret && i < d->nr_threads; i++)
		ret = dump_thread_misc(d, i, m, scratch);
	if (ret)
		goto out_free;
	seccomp_layout(d, m);
	ret = write_records(d, m);

out_free:
	if (!m)
		return ret;
	if (m->chains) {
		for (int i = 0; i < d->nr_threads; i++)
			chain_free(&m->chains[i]);
	}
	free(m->chains);
	free(m->threads);
	free(m->timers);
	free(m);
	return ret;
}
