// SPDX-License-Identifier: MIT
/*
 * A working directory that was removed: the process enters a directory
 * (mode 0750, an old mtime) and removes it.  After restore its cwd is a
 * removed directory again (nlink 0, "(deleted)" in /proc/self/cwd) with
 * that mode and mtime; getcwd() fails with ENOENT as before, and no entry
 * can be made in it.
 */
#include <sys/stat.h>

#include "progs/prog.h"

int main(void)
{
	const struct timespec old[2] = { { 0, UTIME_OMIT }, { 1100000000, 5000 } };
	char d[4096], want[4200], got[4200], buf[4096];
	struct stat st;
	ssize_t n;

	snprintf(d, sizeof(d), "%s", prog_path("misc_cwd_deleted.dir"));
	rmdir(d);
	SETUP(!mkdir(d, 0700) && !chmod(d, 0750) && !utimensat(AT_FDCWD, d, old, 0), "mkdir %s", d);
	SETUP(!chdir(d) && !rmdir(d), "enter and remove %s", d);
	SETUP(!getcwd(buf, sizeof(buf)) && errno == ENOENT, "getcwd of a removed cwd");

	prog_ready();
	prog_wait();

	snprintf(want, sizeof(want), "%s (deleted)", d);
	n = readlink("/proc/self/cwd", got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = '\0';
	CHECK(!strcmp(got, want), "/proc/self/cwd: %s", got);
	CHECK(!stat(".", &st) && S_ISDIR(st.st_mode) && st.st_nlink == 0, "a removed directory (nlink %lu)",
	      (unsigned long)st.st_nlink);
	CHECK((st.st_mode & 07777) == 0750, "mode %o", st.st_mode & 07777);
	CHECK(st.st_mtim.tv_sec == 1100000000 && st.st_mtim.tv_nsec == 5000, "mtime %lld.%09ld",
	      (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	CHECK(!getcwd(buf, sizeof(buf)) && errno == ENOENT, "getcwd: %s", strerror(errno));
	CHECK(open("x", O_CREAT | O_WRONLY, 0600) == -1 && errno == ENOENT, "no new entry: %s", strerror(errno));
	prog_done();
}
