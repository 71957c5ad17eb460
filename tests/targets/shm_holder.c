// SPDX-License-Identifier: MIT
/*
 * shm_holder MODE READY [KEY] - attaches a System V shm segment of 3
 * pages, fills it, writes its id to READY (atomically: through a temporary
 * file) and sleeps in pause() until killed.  MODE:
 *   keyed     the segment has KEY (hex), stays (no IPC_RMID)
 *   partial   IPC_PRIVATE, marked for removal, its last page unmapped
 *   madvise   IPC_PRIVATE, marked for removal, MADV_DONTFORK on the attach
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>

#define PG 4096

int main(int argc, char **argv)
{
	key_t key = IPC_PRIVATE;
	char tmp[4096];
	unsigned char *p;
	FILE *f;
	int id;

	if (argc < 3 || (!strcmp(argv[1], "keyed") && argc != 4)) {
		fprintf(stderr, "usage: shm_holder keyed|partial|madvise READY [KEY]\n");
		return 2;
	}
	if (argc == 4)
		key = (key_t)strtoul(argv[3], NULL, 16);
	id = shmget(key, 3 * PG, IPC_CREAT | IPC_EXCL | 0600);
	p = id < 0 ? (void *)-1 : shmat(id, NULL, 0);
	if (p == (void *)-1) {
		perror("shm_holder: shmget/shmat");
		return 1;
	}
	memset(p, 0x5a, 3 * PG);
	if (strcmp(argv[1], "keyed") && shmctl(id, IPC_RMID, NULL))
		return 1;
	if (!strcmp(argv[1], "partial") && munmap(p + 2 * PG, PG))
		return 1;
	if (!strcmp(argv[1], "madvise") && madvise(p, 3 * PG, MADV_DONTFORK))
		return 1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", id) < 0 || fclose(f) || rename(tmp, argv[2]))
		return 1;
	for (;;)
		pause();
}
