// SPDX-License-Identifier: MIT
/*
 * Failure path: a clone(CLONE_FS) child has changed the root it shares
 * with this process (chroot into the scratch directory).  The restore
 * resolves each process's paths by the root, which an injected chroot in
 * one would change for both: the dump must fail with one line, and leave
 * them running, the root still shared.
 */
// sudcr-test: dump-fails and their root is not /
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

static int go[2], ready[2];
static char stack[65536] __attribute__((aligned(16)));
static char dir[4096];

static int child(void *arg)
{
	(void)arg;
	if (chroot(dir) || write(ready[1], "r", 1) != 1)
		return 1;
	tree_wait_byte(go[0]);
	return 0;
}

int main(void)
{
	struct stat a, b;
	pid_t c;
	int st;
	char r;

	snprintf(dir, sizeof(dir), "%s", prog_path("root"));
	SETUP(!mkdir(dir, 0700) || errno == EEXIST, "mkdir");
	SETUP(!stat(dir, &a), "stat");
	SETUP(!pipe(go) && !pipe(ready), "pipe");
	c = clone(child, stack + sizeof(stack), CLONE_FS | SIGCHLD, NULL);
	SETUP(c > 0, "clone");
	SETUP(read(ready[0], &r, 1) == 1, "the child's chroot");

	prog_ready();
	prog_wait();

	/* Our root is the child's: the scratch directory. */
	CHECK(!stat("/", &b) && b.st_ino == a.st_ino && b.st_dev == a.st_dev, "the root is not shared");
	CHECK(write(go[1], "g", 1) == 1, "go");
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && !WEXITSTATUS(st), "the child's exit: %#x", st);
	prog_done();
}
