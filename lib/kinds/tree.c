// SPDX-License-Identifier: MIT
/*
 * The process-tree kind: IMG_REC_TREE_PROC, _FD, _PIPE, _UNIX, _SHM and _COW, which only
 * the tree's own core.img holds (lib/dump/tree.c writes them,
 * lib/restore/tree.c reads them).  A process's image holding one is
 * invalid: its prepare step refuses it, so a tree record can never be
 * skipped over unread.
 */
#include <errno.h>

#include <sudcr/log.h>

#include "kinds.h"

static int tree_prepare(struct restore_ctx *r)
{
	uint64_t n = img_count_type(r->img, IMG_REC_TREE_PROC) + img_count_type(r->img, IMG_REC_TREE_FD) +
		     img_count_type(r->img, IMG_REC_TREE_PIPE) + img_count_type(r->img, IMG_REC_TREE_SHM) +
		     img_count_type(r->img, IMG_REC_TREE_COW);

	if (!n)
		return 0;
	sudcr_error("%s: the image of process %d holds %llu process-tree records: it is part of a tree, restore the tree's directory",
		    r->opts.dir, r->proc.pid, (unsigned long long)n);
	return -EINVAL;
}

const struct cr_kind cr_kind_tree = {
	.name = "tree",
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_TREE_PROC, "tree_proc" },
		{ IMG_REC_TREE_FD, "tree_fd" },
		{ IMG_REC_TREE_PIPE, "tree_pipe" },
		{ IMG_REC_TREE_UNIX, "tree_unix" },
		{ IMG_REC_TREE_SHM, "tree_shm" },
		{ IMG_REC_TREE_COW, "tree_cow" },
		{ 0, NULL },
	},
	.prepare = tree_prepare,
};
