/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_FD_H
#define SUDCR_KINDS_FD_H

/* What the dump and the restore of fds (dump/files.c, restore/files.c) both know of fd kinds. */

#include <stdbool.h>
#include <stdint.h>

#include <sudcr/image_records.h>

/* A pipe or FIFO: an object with two ends and buffered bytes. */
static inline bool is_pipe_kind(uint32_t kind)
{
	return kind == REC_FD_PIPE || kind == REC_FD_FIFO;
}

#endif
