/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_SYSV_SHM_H
#define SUDCR_KINDS_SYSV_SHM_H

/* System V shared memory attached by the process (sysv_shm.c). */

#include <stdbool.h>
#include <stddef.h>

#include "proc/proc.h"

#include "../show.h"

#define IMG_REC_SYSV_SHM	160
#define IMG_REC_SYSV_SHM_ATTACH	161

/* Whether @v is (part of) a shmat() of a System V segment: the mm records it as REC_VMA_SYSV. */
bool sysv_shm_mapping(const struct proc_vma *v);

int sysv_shm_show(struct show_ctx *s, const void *data, size_t len, bool first);
int sysv_shm_attach_show(struct show_ctx *s, const void *data, size_t len, bool first);

#endif
