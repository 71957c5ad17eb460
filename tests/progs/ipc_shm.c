// SPDX-License-Identifier: MIT
// sudcr-test: restore-fails pid-taken
/*
 * System V shared memory: a keyed segment (mode 0640, one page of its
 * attach made read-only, and attached a second time read-only), one marked for removal while attached
 * (IPC_RMID), and a keyed one attached read-only.  After restore: the
 * attaches at their addresses with their content, the same ids, keys,
 * sizes and modes, the removal mark, the read-only attach still one
 * (mprotect to write fails), one page's protection, and each attach a
 * view of its segment (a second shmat sees what the first writes).
 *
 * In the restore variant the keyed segments outlive the killed process
 * and are reused; the removed one dies with it and is made again with its
 * id.  The leave-running image is restored once the original has removed
 * its segments and exited (the restore-fails tag): all three are made
 * again.
 */
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include "progs/prog.h"

#define PG	4096
#define LEN_A	(3 * PG + 100)
#define LEN_B	(2 * PG)
#define LEN_C	PG

/* The protection of the mapping at @p in /proc/self/maps ("rw-s"), or "". */
static const char *perms_at(const void *p)
{
	static char perms[8];
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	perms[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx %7s", &s, &e, perms) == 3 && (unsigned long)p >= s &&
		    (unsigned long)p < e)
			break;
		perms[0] = '\0';
	}
	if (f)
		fclose(f);
	return perms;
}

/* A second attach of @id sees @len bytes of @p, and what is written through @p. */
static void check_view(int id, unsigned char *p, size_t len, const char *what)
{
	unsigned char *q = shmat(id, NULL, 0);

	if (!CHECK(q != (void *)-1, "second attach of %s: %s", what, strerror(errno)))
		return;
	CHECK(!memcmp(p, q, len), "%s: the second attach sees other content", what);
	p[len - 1] ^= 0xff;
	CHECK(q[len - 1] == p[len - 1], "%s: not a view of its segment", what);
	p[len - 1] ^= 0xff;
	shmdt(q);
}

int main(void)
{
	key_t key_a = 0x5d1c0000 | (getpid() & 0xffff), key_c = 0x5d1d0000 | (getpid() & 0xffff);
	struct shmid_ds ds;
	unsigned char *pa, *pa2, *pb, *pc;
	int ida, idb, idc;

	ida = shmget(key_a, LEN_A, IPC_CREAT | IPC_EXCL | 0640);
	idb = shmget(IPC_PRIVATE, LEN_B, IPC_CREAT | 0600);
	idc = shmget(key_c, LEN_C, IPC_CREAT | IPC_EXCL | 0600);
	SETUP(ida >= 0 && idb >= 0 && idc >= 0, "shmget");
	pa = shmat(ida, NULL, 0);
	pb = shmat(idb, NULL, 0);
	SETUP(pa != (void *)-1 && pb != (void *)-1, "shmat");
	prog_fill(pa, LEN_A, 161);
	prog_fill(pb, LEN_B, 162);
	pc = shmat(idc, NULL, 0);
	SETUP(pc != (void *)-1, "shmat c");
	prog_fill(pc, LEN_C, 163);
	SETUP(!shmdt(pc), "shmdt c");
	pc = shmat(idc, pc, SHM_RDONLY);
	SETUP(pc != (void *)-1, "shmat c read-only");
	SETUP(!mprotect(pa + PG, PG, PROT_READ), "mprotect");
	pa2 = shmat(ida, NULL, SHM_RDONLY);
	SETUP(pa2 != (void *)-1, "second attach of a");
	SETUP(!shmctl(idb, IPC_RMID, NULL), "IPC_RMID");

	prog_ready();
	prog_wait();

	CHECK(prog_check_fill(pa, LEN_A, 161) < 0, "content of a differs at %ld", prog_check_fill(pa, LEN_A, 161));
	CHECK(prog_check_fill(pb, LEN_B, 162) < 0, "content of b differs at %ld", prog_check_fill(pb, LEN_B, 162));
	CHECK(prog_check_fill(pc, LEN_C, 163) < 0, "content of c differs at %ld", prog_check_fill(pc, LEN_C, 163));
	if (CHECK(!shmctl(ida, IPC_STAT, &ds), "IPC_STAT a: %s", strerror(errno))) {
		CHECK_EQ(ds.shm_perm.__key, key_a);
		CHECK_EQ(ds.shm_segsz, LEN_A);
		CHECK_EQ(ds.shm_perm.mode, 0640);
		CHECK_EQ(ds.shm_perm.uid, getuid());
		CHECK_EQ(ds.shm_nattch, 4);	/* the kernel counts each mapping: 3 of pa, pa2 */
	}
	CHECK_EQ(shmget(key_a, 0, 0), ida);
	CHECK_EQ(shmget(key_c, 0, 0), idc);
	if (CHECK(!shmctl(idb, IPC_STAT, &ds), "IPC_STAT b: %s", strerror(errno))) {
		CHECK_EQ(ds.shm_perm.mode, SHM_DEST | 0600);
		CHECK_EQ(ds.shm_perm.__key, IPC_PRIVATE);
		CHECK_EQ(ds.shm_segsz, LEN_B);
	}
	CHECK(!strcmp(perms_at(pa), "rw-s") && !strcmp(perms_at(pa + PG), "r--s") &&
	      !strcmp(perms_at(pa + 2 * PG), "rw-s"), "protection of a: %s", perms_at(pa + PG));
	CHECK(!strcmp(perms_at(pc), "r--s"), "c is %s", perms_at(pc));
	CHECK(mprotect(pc, PG, PROT_READ | PROT_WRITE) && errno == EACCES, "c is no longer attached read-only");
	check_view(ida, pa, LEN_A, "a");
	pa[5] ^= 0xff;
	CHECK(pa2[5] == pa[5] && !memcmp(pa, pa2, LEN_A), "the two attaches of a are not one segment");
	pa[5] ^= 0xff;
	CHECK(!strcmp(perms_at(pa2), "r--s"), "pa2 is %s", perms_at(pa2));
	check_view(idb, pb, LEN_B, "b");
	shmdt(pa);
	shmdt(pa2);
	shmdt(pb);
	shmdt(pc);
	shmctl(ida, IPC_RMID, NULL);
	shmctl(idc, IPC_RMID, NULL);
	prog_done();
}
