// SPDX-License-Identifier: MIT
/*
 * clone(CLONE_FILES) and clone(CLONE_FS) children: C shares this
 * process's fd table, D its root, cwd and umask; G, forked by C, has a
 * copy of the table (its own).  The cwd is a scratch directory and the
 * umask 027 before the dump.  After the restore the sharing is real, not
 * copies with the same contents: an fd C opens is this process's, one this
 * process closes is closed for C, one G opens is not ours; D's chdir and
 * umask are this process's.  The restored table has nothing more than
 * before (no fd of the restore's own left behind).
 */
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "progs/tree_util.h"

static int go_c[2], go_d[2], go_g[2], done[2];
static char stack_c[65536] __attribute__((aligned(16)));
static char stack_d[65536] __attribute__((aligned(16)));
static char dir2[4096];

static int child_c(void *arg)
{
	pid_t g = fork();
	int st;

	(void)arg;
	if (g < 0)
		return 1;
	if (!g) {
		/* Its own copy of the table: fd 101 stays its own. */
		if (tree_wait_byte(go_g[0]) != 'g' || dup2(go_g[0], 101) != 101)
			_exit(1);
		_exit(write(done[1], "G", 1) == 1 ? 0 : 2);
	}
	if (tree_wait_byte(go_c[0]) != 'c')
		return 2;
	/* Opened here, seen by the parent through the shared table. */
	if (dup2(go_c[0], 100) != 100 || write(done[1], "C", 1) != 1)
		return 3;
	/* Closed by the parent meanwhile: closed here too. */
	if (tree_wait_byte(go_c[0]) != 'd' || fcntl(102, F_GETFD) >= 0)
		return 4;
	return waitpid(g, &st, 0) == g && WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : 5;
}

static int child_d(void *arg)
{
	(void)arg;
	if (tree_wait_byte(go_d[0]) != 'd' || chdir(dir2) || umask(077) != 027)
		return 1;
	return write(done[1], "D", 1) == 1 ? 0 : 2;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the DIR's own */
}

int main(void)
{
	char dir1[4096], cwd[4096];
	pid_t c, d;
	int st, nfds;
	char b;

	snprintf(dir1, sizeof(dir1), "%s", prog_path("one"));
	snprintf(dir2, sizeof(dir2), "%s", prog_path("two"));
	SETUP(!mkdir(dir1, 0700) || errno == EEXIST, "mkdir");
	SETUP(!mkdir(dir2, 0700) || errno == EEXIST, "mkdir");
	SETUP(!chdir(dir1), "chdir");
	umask(027);
	SETUP(!pipe(go_c) && !pipe(go_d) && !pipe(go_g) && !pipe(done), "pipe");
	SETUP(dup2(done[1], 102) == 102, "dup2");
	c = clone(child_c, stack_c + sizeof(stack_c), CLONE_FILES | SIGCHLD, NULL);
	SETUP(c > 0, "clone CLONE_FILES");
	d = clone(child_d, stack_d + sizeof(stack_d), CLONE_FS | SIGCHLD, NULL);
	SETUP(d > 0, "clone CLONE_FS");
	nfds = count_fds();

	prog_ready();
	prog_wait();

	CHECK_EQ(count_fds(), nfds);
	CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, dir1), "cwd %s, want %s", cwd, dir1);
	CHECK(write(go_c[1], "c", 1) == 1 && read(done[0], &b, 1) == 1 && b == 'C', "C's open");
	CHECK(fcntl(100, F_GETFD) >= 0, "fd 100, opened by C, is not ours: the fd table is not shared");
	CHECK(!close(102) && write(go_c[1], "d", 1) == 1, "close 102");
	CHECK(write(go_g[1], "g", 1) == 1 && read(done[0], &b, 1) == 1 && b == 'G', "G's open");
	CHECK(fcntl(101, F_GETFD) < 0, "fd 101, opened by G in its own table, is ours");
	CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && !WEXITSTATUS(st), "C's exit: %#x", st);
	CHECK(write(go_d[1], "d", 1) == 1 && read(done[0], &b, 1) == 1 && b == 'D', "D's chdir");
	CHECK(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, dir2), "cwd %s after D's chdir to %s: fs info not shared",
	      cwd, dir2);
	CHECK_EQ(umask(0), 077);
	CHECK(waitpid(d, &st, 0) == d && WIFEXITED(st) && !WEXITSTATUS(st), "D's exit: %#x", st);
	prog_done();
}
