/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KINDS_SYSV_IDS_H
#define SUDCR_KINDS_SYSV_IDS_H

/*
 * Making a System V IPC object again with the id it had (sysv_ids.c),
 * what sysv_shm.c and sysv_msg.c share: the kernel's shm_next_id or
 * msg_next_id, the get as the creator, the id checked, next_id used up
 * on failure.
 */

#include <stdint.h>
#include <sys/types.h>

struct sysv_maker {
	const char *what;	/* in messages: "shm segment", "message queue" */
	const char *other;	/* "another segment has its key": "segment", "queue" */
	const char *next_id;	/* "/proc/sys/kernel/shm_next_id" */
	const char *get_name;	/* "shmget" */
	int id;
	key_t key;
	uint32_t cuid, cgid;	/* the creator, whose effective ids the get takes */
	/* In the child: the get with IPC_CREAT | IPC_EXCL; the new id, or -1 and errno. */
	int (*get)(const struct sysv_maker *m);
	/* IPC_RMID of @id */
	int (*rm)(int id);
	/* A new object, removed at once: uses up next_id (0, or -1 and errno). */
	int (*scratch)(void);
	const void *arg;	/* the kind's, for get */
};

/* 0 once the object exists with m->id, else one line and -errno. */
int sysv_make_with_id(const struct sysv_maker *m);

#endif
