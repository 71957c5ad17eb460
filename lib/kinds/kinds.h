/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_H
#define SUDCR_KINDS_H

/*
 * Kinds of state and their one table (kinds.c).  Private to the library:
 * the drivers (lib/dump/dump.c, lib/restore/restore.c) and show walk it.
 */

#include <stddef.h>
#include <stdint.h>

#include <sudcr/cr.h>

/* A record type a kind owns: its number in the image and its name in show. */
struct cr_rec_type {
	uint32_t type;
	const char *name;		/* lower case; docs/image-format.md has it upper case */
};

/* The kind's records come after those of the kinds without the flag. */
#define CR_KIND_DUMP_LAST	(1u << 0)

struct cr_kind {
	const char *name;
	const struct cr_rec_type *types;	/* ends with { 0, NULL } */
	unsigned int flags;			/* CR_KIND_* */
	/* Each step may be NULL; all return 0 or -errno. */
	int (*dump)(struct dump_ctx *d);	/* collect, write the records */
	int (*prepare)(struct restore_ctx *r);	/* check every record, keep what restore needs */
	int (*restore)(struct restore_ctx *r);	/* after the transplant, once all threads exist */
	void (*free)(struct restore_ctx *r);
};

/* In restore order (see kinds.c), NULL-terminated. */
extern const struct cr_kind *const cr_kinds[];

const struct cr_kind *cr_kind_of_type(uint32_t type);

/*
 * The drivers' walks of the table.  Dump and restore stop at the first
 * error and return -EINTR, before a step, once cr_cancelled().
 */
int cr_kinds_dump(struct dump_ctx *d);
int cr_kinds_prepare(struct restore_ctx *r);
int cr_kinds_restore(struct restore_ctx *r);
void cr_kinds_free(struct restore_ctx *r);

#endif
