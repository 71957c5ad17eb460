/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_H
#define SUDCR_KINDS_H

/*
 * Kinds of state and their one table (kinds.c).  Private to the library:
 * the drivers (lib/dump/dump.c, lib/restore/restore.c) and show walk it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cr.h"

struct show_ctx;

/*
 * How `sudcr show` prints the records of one type, a section of its own
 * (lib/show.c, the driver, prints the sections by rank, lowest first).
 */
struct cr_rec_show {
	uint32_t type;		/* of its records; 0 ends a kind's list */
	unsigned int rank;	/* 10 process, 20 thread, 30 creds, 40 vma, 50 fd, 60 sigaction, 70 sigpending */
	const char *json;	/* the member holding them, an array; NULL: one object, no member */
	const char *text;	/* the heading line of the text ("" for none) */
	/* One record, in image order, as text or JSON (s->json); 0 or -errno (stops the show). */
	int (*print)(struct show_ctx *s, const void *data, size_t len, bool first);
};

/* A record type a kind owns: its number in the image and its name in show. */
struct cr_rec_type {
	uint32_t type;
	const char *name;		/* lower case; docs/image-format.md has it upper case */
};

/* The kind's records come after those of the kinds without the flag. */
#define CR_KIND_DUMP_LAST	(1u << 0)

/*
 * The steps of a kind, each NULL if it has none; all return 0 or -errno
 * and print their own message.  The drivers walk them in the table's order
 * (kinds.c): restore's in_stub, restore and finish steps in that order,
 * the dump's as cr_kinds_dump() says, the free steps in reverse.
 */
struct cr_kind {
	const char *name;
	const struct cr_rec_type *types;	/* ends with { 0, NULL } */
	unsigned int flags;			/* CR_KIND_* */
	/* show's sections of its record types, ends with { 0 }; NULL: show counts its records only */
	const struct cr_rec_show *show;

	/* dump, the target seized and injection active in every thread */
	int (*collect)(struct dump_ctx *d);	/* read the state, write nothing */
	int (*dump)(struct dump_ctx *d);	/* write the records (collect them too if no collect) */
	void (*dump_free)(struct dump_ctx *d);	/* after the dump, done or failed */
	/*
	 * Once the dump is over: the process about to be killed (@killed; the
	 * kill follows at once), or about to be let go as found (the dump
	 * failed, or --leave-running).
	 */
	void (*dump_done)(struct dump_ctx *d, bool killed);

	/* restore */
	int (*prepare)(struct restore_ctx *r);	/* check every record, keep what restore needs */
	/*
	 * Inside the new process before it is seized: plain C, sudcr's own
	 * libc.  On error it prints and returns nonzero; the stub exits.
	 */
	int (*in_stub)(struct restore_ctx *r);
	/*
	 * Injected, after the transplant, once all threads exist: first
	 * restore_thread for each thread @th (the image's thread i, in the
	 * order of r->threads), then restore.
	 */
	int (*restore_thread)(struct restore_ctx *r, uint32_t i, struct cr_thread *th);
	int (*restore)(struct restore_ctx *r);
	/* After injection has ended in every thread, before the release. */
	int (*finish)(struct restore_ctx *r);
	void (*free)(struct restore_ctx *r);
};

/* In restore order (see kinds.c), NULL-terminated. */
extern const struct cr_kind *const cr_kinds[];

const struct cr_kind *cr_kind_of_type(uint32_t type);
/* The record type entry of @type, NULL if no kind owns it. */
const struct cr_rec_type *cr_rec_type_of(uint32_t type);

/*
 * The drivers' walks of the table.  Dump and restore stop at the first
 * error and return -EINTR, before a step, once cr_cancelled().
 */
int cr_kinds_dump(struct dump_ctx *d);
/* Every kind's dump_done step (right before the kill, or before the release). */
void cr_kinds_dump_done(struct dump_ctx *d, bool killed);
int cr_kinds_prepare(struct restore_ctx *r);
int cr_kinds_in_stub(struct restore_ctx *r);
/*
 * The in_stub steps in two parts: the files kind's alone (@files), or every
 * other's.  A tree's stub makes its children between the two: they inherit
 * the descriptions they share, and nothing the others set that they could
 * not undo (an rlimit lowered, an oom_score_adj raised, rseq dropped).
 */
int cr_kinds_in_stub_part(struct restore_ctx *r, bool files);
int cr_kinds_restore(struct restore_ctx *r);
int cr_kinds_finish(struct restore_ctx *r);
void cr_kinds_free(struct restore_ctx *r);

/* At restore: the new process's thread @tid (NULL, with a message, if missing). */
struct cr_thread *cthread_of(struct restore_ctx *r, pid_t tid);

#endif
