// SPDX-License-Identifier: MIT
/*
 * membarrier registrations survive: after restore the private expedited
 * commands the process registered for work (they failed with EPERM), and
 * the one it did not register for still fails with EPERM.
 * MEMBARRIER_CMD_QUERY cannot tell registrations, so the commands are the
 * check.
 */
#include <linux/membarrier.h>
#include <stdbool.h>

#include "progs/prog.h"

static long mb(int cmd)
{
	long r = syscall(SYS_membarrier, cmd, 0, 0);

	return r < 0 ? -errno : r;
}

int main(void)
{
	long q = mb(MEMBARRIER_CMD_QUERY);
	bool sync_core;

	if (q < 0)
		prog_skip("membarrier: %s", strerror((int)-q));
	if (!(q & MEMBARRIER_CMD_PRIVATE_EXPEDITED) || !(q & MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ))
		prog_skip("membarrier private expedited (and _RSEQ) not supported: query %#lx", q);
	sync_core = q & MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE;
	SETUP(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == -EPERM, "registered before registering");
	SETUP(mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0, "register private expedited");
	if (sync_core)
		SETUP(mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE) == 0,
		      "register sync core");
	/* _RSEQ is left unregistered: it must stay so. */
	SETUP(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0, "private expedited after registering");
	SETUP(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) == -EPERM, "rseq registered");

	prog_ready();
	prog_wait();

	CHECK_EQ(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED), 0);
	if (sync_core)
		CHECK_EQ(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE), 0);
	CHECK_EQ(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ), -EPERM);
	prog_done();
}
