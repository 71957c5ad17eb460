/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_MISC_H
#define SUDCR_KINDS_MISC_H

/*
 * The restore state of the misc kind (lib/restore/misc.c), shared with
 * the seccomp kind (seccomp.c), whose records misc counts and whose
 * threads' seccomp modes are in misc's THREAD_MISC records.
 */

#include <linux/filter.h>
#include <sys/resource.h>

#include <sudcr/cr.h>

/*
 * Syscall number of @name for the thread's kind: after the memory
 * transplant, the threads of an ia32 process run ia32 syscalls.
 */
#define NR(th, NAME) arch_sc_nr((th)->inj.kind, SC_##NAME)

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
	size_t scratch_len;
};

/* lib/restore/misc.c: the new process's thread @tid (NULL, with a message, if missing). */
struct cr_thread *cthread_of(struct restore_ctx *r, pid_t tid);
/* Inject @nr; a failure of the call itself is reported with @what. */
int misc_inject(struct cr_thread *th, const char *what, long nr, int64_t *res,
		uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
int misc_write(struct cr_thread *th, uint64_t addr, const void *buf, size_t len);

#endif
