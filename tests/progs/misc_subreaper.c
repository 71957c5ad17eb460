// SPDX-License-Identifier: MIT
/*
 * The child subreaper flag: set after restore (PR_GET_CHILD_SUBREAPER),
 * and in force: an orphaned grandchild is re-parented to the process.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include "progs/prog.h"

int main(void)
{
	int flag = 0, up[2], down[2], status;
	pid_t child, grandchild = 0, reaped;

	SETUP(!prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "PR_SET_CHILD_SUBREAPER");

	prog_ready();
	prog_wait();

	CHECK(!prctl(PR_GET_CHILD_SUBREAPER, &flag, 0, 0, 0) && flag == 1, "subreaper flag is %d", flag);
	if (!CHECK(!pipe(up) && !pipe(down), "pipe"))
		prog_done();
	child = fork();
	if (child == 0) {
		pid_t g = fork();

		if (g == 0) {
			char c;

			/* Live until told, orphaned by then. */
			close(down[1]);
			_exit(read(down[0], &c, 1) == 1 ? 0 : 1);
		}
		_exit(write(up[1], &g, sizeof(g)) == sizeof(g) ? 0 : 1);
	}
	close(down[0]);
	CHECK(child > 0 && waitpid(child, &status, 0) == child && status == 0, "child");
	CHECK(read(up[0], &grandchild, sizeof(grandchild)) == sizeof(grandchild) && grandchild > 0,
	      "grandchild pid");
	CHECK(write(down[1], "x", 1) == 1, "pipe");
	reaped = waitpid(grandchild, &status, 0);
	CHECK(reaped == grandchild, "the orphaned grandchild %d was not re-parented to us (waitpid: %s)",
	      grandchild, strerror(errno));
	prog_done();
}
