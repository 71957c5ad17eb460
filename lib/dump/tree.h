/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_DUMP_TREE_H
#define SUDCR_DUMP_TREE_H

/*
 * The dump of a process tree (dump -t, lib/dump/tree.c) and the parts of
 * the single-process driver (dump.c) it runs once per process.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "cr.h"

/* Whether the frozen process @pid has child processes (running or zombies). */
bool dump_tree_has_children(pid_t pid);
/*
 * Dump the tree whose root @root is frozen (d->proc seized): freeze every
 * descendant, collect each, commit the tree; then release or kill all.
 * On failure everything seized is released as it was found.
 */
int dump_tree(struct dump_ctx *root);

/* dump.c, one process: collect and commit into d->opts.dir. */
int dump_collect(struct dump_ctx *d, bool *dir_created, bool *committed);
int dump_end_injection(struct dump_ctx *d);
bool dump_process_killed(struct dump_ctx *d, bool stopped);
void dump_remove_image_dir(const char *dir, bool created);

#endif
