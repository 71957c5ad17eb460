/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_MISC_H
#define SUDCR_KINDS_MISC_H

/*
 * The MISC and THREAD_MISC records (lib/kinds/misc.c) and the kinds whose
 * state they carry or count.  The records bundle small items of several
 * kinds, one file each: fs.c (umask, cwd, root), personality.c, rseq.c,
 * robust_list.c (and clear_child_tid), comm.c, prctl.c (dumpable,
 * child-subreaper, parent-death signal, no_new_privs) and seccomp.c (the
 * threads' modes).  The MISC record, written first, also counts the
 * records of rlimit.c, itimer.c, posix_timer.c and seccomp.c.
 *
 * misc.c owns the records: at dump it makes the state below, whose parts
 * the other kinds' collect steps fill, and writes the two records once all
 * have collected (see cr_kinds_dump()); at restore its prepare reads and
 * checks both records and makes the restore state, which the other kinds'
 * prepare steps complete and their restore steps use.
 */

#include <linux/filter.h>
#include <sys/resource.h>

#include "cr.h"

#include "kinds.h"

/*
 * Syscall number of @name for the thread's kind: after the memory
 * transplant, the threads of an ia32 process run ia32 syscalls.
 */
#define NR(th, NAME) arch_sc_nr((th)->inj.kind, SC_##NAME)

/* ---- dump ---- */

/* A seccomp filter as read by ptrace (seccomp.c). */
struct misc_dump_filter {
	uint32_t flags;
	uint32_t nr_insns;
	struct sock_filter *insns;
};

/* The seccomp filters of one thread, oldest first. */
struct misc_chain {
	int nr;
	struct misc_dump_filter *f;
};

struct misc_dump {
	struct rec_misc misc;			/* its counts filled by the counted kinds */
	char cwd[REC_PATH_MAX];
	char root[REC_PATH_MAX];
	struct rec_thread_misc *threads;	/* in the order of d->threads */
	struct proc_status *status;		/* the same: each thread's, read once */
	uint64_t scratch;			/* the leader's scratch area */
	struct misc_chain *chains;		/* per thread (seccomp.c) */
	bool shared_chain;			/* every thread has chains[0] */
	struct rec_rlimit rlim[RLIM_NLIMITS];
	struct rec_itimer itimer[3];
	struct rec_posix_timer *timers;
	int nr_timers;
};

/* Inject @nr into @th at dump; a negative result is reported with @what. */
int misc_dump_inject(struct cr_thread *th, const char *what, long nr, int64_t *res,
		     uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
/* Read what an injected @what left at @addr. */
int misc_dump_read(struct cr_thread *th, const char *what, uint64_t addr, void *buf, size_t len);

/* ---- restore ---- */

struct misc_filter {
	int32_t tid;			/* 0: every thread */
	uint32_t index;
	uint32_t flags;
	uint32_t nr_insns;
	struct sock_filter *insns;
};

struct restore_misc_state {
	struct rec_misc misc;
	char cwd[REC_PATH_MAX];
	char root[REC_PATH_MAX];
	struct rec_thread_misc *threads;	/* in the order of r->threads */
	struct rec_rlimit rlim[RLIM_NLIMITS];
	uint32_t rlim_mask;			/* resources present */
	struct rec_itimer itimer[3];
	struct rec_posix_timer *timers;		/* sorted by id */
	int nr_timers;
	struct misc_filter *filters;		/* sorted by tid, then index */
	int nr_filters;
	/*
	 * The leader's scratch area, for every thread (they share the
	 * address space): mapped once, by fs.c's restore, at the size the
	 * prepare steps asked for.
	 */
	size_t scratch_len;
	uint32_t own_personality;		/* sudcr's (personality.c) */
	bool warned_pdeath;			/* prctl.c */
	bool warned_nnp;
};

/* Inject @nr; a failure of the call itself is reported with @what. */
int misc_inject(struct cr_thread *th, const char *what, long nr, int64_t *res,
		uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
int misc_write(struct cr_thread *th, uint64_t addr, const void *buf, size_t len);
int misc_read(struct cr_thread *th, uint64_t addr, void *buf, size_t len);
/* The leader's scratch area (see scratch_len). */
int misc_scratch(struct restore_ctx *r, uint64_t *scratch);

#endif
