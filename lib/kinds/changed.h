/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_CHANGED_H
#define SUDCR_KINDS_CHANGED_H

/* Files changed behind the image (changed.c). */

#include <stdbool.h>

struct restore_ctx;

/*
 * Before anything is created: every file the process had open or mapped
 * is what it was, or the restore is refused (one line naming the file)
 * unless --allow-changed-files; what was only read is warned of.
 */
int file_stamps_check(struct restore_ctx *r);
/* Whether the image records its files' stamps (images of earlier versions do not). */
bool file_stamps_in_image(struct restore_ctx *r);

#endif
