/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_SHOW_H
#define SUDCR_SHOW_H

/*
 * show's driver (lib/show.c) and what a kind's printer needs from it.
 * A printer gets the records of its type one at a time, in image order,
 * and prints each to s->out as text or JSON (s->json).  The driver prints
 * the section around them (its text heading, its JSON array); the printer
 * prints the comma before every JSON element but the first (@first).  It
 * may walk the image itself (s->img, img_rewind()): the driver finds its
 * place again by index.  Bytes that come from the image go out through
 * show_json_str() or show_text_str(), never as they are.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct img_reader;

struct show_ctx {
	FILE *out;
	bool json;
	struct img_reader *img;
	uint32_t arch;		/* of the process record (printed first) */
	uint64_t pages_total;	/* bytes stored, summed by the memory printer */
};

/* A JSON string of at most @n bytes of @s (stops at a NUL). */
void show_json_str(struct show_ctx *s, const char *str, size_t n);
/* Text: at most @n bytes of @s (up to a NUL), escaped (sudcr_escape()). */
void show_text_str(struct show_ctx *s, const char *str, size_t n);

/*
 * A kind's printers are in its file (lib/kinds/NAME.c), named by its
 * record types' entries in the kinds' table (struct cr_rec_show,
 * lib/kinds/kinds.h).  The driver's own kinds, process and memory, and the
 * fd table have theirs in show.c.
 */
#include "kinds/kinds.h"
extern const struct cr_rec_show show_process_sections[], show_mm_sections[], show_files_sections[];

/*
 * The fd kinds' printers of their own records (lib/kinds/fd.c), for
 * description @rec: JSON members, or text lines under the fd's line.
 */
struct rec_fd;
int fd_kind_show_records(struct show_ctx *s, const struct rec_fd *rec);
/* A tree image (its core.img in s->img, the members' in @dir/PID): every pty of the tree, and who holds it. */
int pty_show_tree(struct show_ctx *s, const char *dir);

#endif
