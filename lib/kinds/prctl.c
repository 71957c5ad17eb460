// SPDX-License-Identifier: MIT
/*
 * The prctl flags: the process's dumpable and child-subreaper flags (in
 * the MISC record) and each thread's parent-death signal and no_new_privs
 * (in THREAD_MISC; misc.c), set by injection after the transplant.
 * no_new_privs is set before the seccomp filters are installed (the
 * table's order): an unprivileged process can only install them with it.
 */
#include <errno.h>
#include <sys/prctl.h>

#include "cr.h"
#include <sudcr/log.h>

#include "kinds.h"
#include "misc.h"

static int prctl_collect(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;
	struct cr_thread *th = &d->threads[0];
	int64_t r;
	int ret;

	ret = misc_dump_inject(th, "prctl(PR_GET_DUMPABLE)", arch_sc_nr(th->inj.kind, SC_PRCTL), &r,
			       PR_GET_DUMPABLE, 0, 0, 0);
	if (ret)
		return ret;
	m->misc.dumpable = r;
	ret = misc_dump_inject(th, "prctl(PR_GET_CHILD_SUBREAPER)", arch_sc_nr(th->inj.kind, SC_PRCTL),
			       NULL, PR_GET_CHILD_SUBREAPER, m->scratch, 0, 0);
	if (!ret)
		ret = misc_dump_read(th, "PR_GET_CHILD_SUBREAPER", m->scratch, &m->misc.child_subreaper,
				     sizeof(m->misc.child_subreaper));
	if (ret)
		return ret;
	m->misc.child_subreaper = !!m->misc.child_subreaper;

	for (int i = 0; i < d->nr_threads; i++) {
		int32_t sig = 0;

		th = &d->threads[i];
		m->threads[i].no_new_privs = !!m->status[i].no_new_privs;
		ret = misc_dump_inject(th, "prctl(PR_GET_PDEATHSIG)", arch_sc_nr(th->inj.kind, SC_PRCTL),
				       NULL, PR_GET_PDEATHSIG, m->scratch, 0, 0);
		if (!ret)
			ret = misc_dump_read(th, "PR_GET_PDEATHSIG", m->scratch, &sig, sizeof(sig));
		if (ret)
			return ret;
		m->threads[i].pdeathsig = sig;
	}
	return 0;
}

static int prctl_restore_thread(struct restore_ctx *r, uint32_t i, struct cr_thread *th)
{
	struct restore_misc_state *s = r->misc_state;
	const struct rec_thread_misc *t = &s->threads[i];
	int pdeathsig = t->pdeathsig;
	int ret;

	/*
	 * The new parent is sudcr: with -d it exits at once and the signal
	 * would come right away (CRIU skips it for its root task for the
	 * same reason).
	 */
	if (pdeathsig && r->opts.detach) {
		if (!s->warned_pdeath)
			sudcr_warn("thread %d: parent-death signal %d not restored: with -d "
				   "its new parent, sudcr, exits at once", t->tid, pdeathsig);
		s->warned_pdeath = true;
		pdeathsig = 0;
	}
	/*
	 * None is what every thread has now: the kernel clears it in a new
	 * thread, and the seize cleared the stub's own (restore.c).
	 */
	ret = pdeathsig ? misc_inject(th, "its parent-death signal", NR(th, PRCTL), NULL,
				      PR_SET_PDEATHSIG, pdeathsig, 0, 0) : 0;
	if (ret)
		return ret;
	if (t->no_new_privs)
		return misc_inject(th, "no_new_privs", NR(th, PRCTL), NULL, PR_SET_NO_NEW_PRIVS, 1, 0, 0);
	if (!s->warned_nnp && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1) {
		/* The stub is our fork: it inherited ours, and it cannot be cleared. */
		sudcr_warn("sudcr runs with no_new_privs: the restored process has it too");
		s->warned_nnp = true;
	}
	return 0;
}

static int prctl_restore(struct restore_ctx *r)
{
	struct restore_misc_state *s = r->misc_state;
	struct cr_thread *th = cthread_of(r, r->proc.pid);
	int ret;

	if (!th)
		return -ESRCH;
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

/* Its records are misc's. */
const struct cr_kind cr_kind_prctl = {
	.name = "prctl",
	.types = (const struct cr_rec_type[]){ { 0, NULL } },
	.collect = prctl_collect,
	.restore_thread = prctl_restore_thread,
	.restore = prctl_restore,
};
