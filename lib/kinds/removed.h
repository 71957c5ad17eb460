/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_REMOVED_H
#define SUDCR_KINDS_REMOVED_H

/*
 * What the kinds of removed files share (deleted_dir.c, deleted_cwd.c,
 * chardev.c's removed device nodes, pipe.c's removed FIFOs): each is made
 * again in the directory its name was in (removed.c).
 */

/* The directory absolute @path is in ("/" for "/x"), malloc'ed; NULL without a '/' or without memory. */
char *path_parent(const char *path);
/* 0 if the directory @path is in is one, else -errno (-ENOTDIR, -ENOENT, -ENOMEM). */
int path_parent_is_dir(const char *path);
/*
 * The @n-th other name in @path's directory, for a node made again whose
 * name is taken ("DIR/.sudcr-deleted-PID-N"), malloc'ed; NULL without memory.
 */
char *path_stand_in(const char *path, int n);

#endif
