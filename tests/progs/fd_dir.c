// SPDX-License-Identifier: MIT
/*
 * A directory fd (O_DIRECTORY) and an O_PATH fd: after restore both name
 * the same directory/file, and the directory fd works for openat() and
 * reading its entries.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "progs/prog.h"

int main(void)
{
	char dir[4096], file[4200], link0[4200], link1[4200], link2[4200] = "", proc[64];
	struct stat st0, st1;
	int d, p, fd, found = 0;
	DIR *ds;
	struct dirent *de;

	snprintf(dir, sizeof(dir), "%s", prog_path("fd_dir.d"));
	mkdir(dir, 0700);
	snprintf(file, sizeof(file), "%s/entry-one", dir);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	SETUP(fd >= 0 && write(fd, "one", 3) == 3, "create %s", file);
	close(fd);
	d = open(dir, O_RDONLY | O_DIRECTORY);
	p = open(file, O_PATH);
	SETUP(d >= 0 && p >= 0 && !fstat(d, &st0), "open");
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", d);
	SETUP(readlink(proc, link0, sizeof(link0)) > 0, "readlink");
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", p);
	memset(link1, 0, sizeof(link1));
	SETUP(readlink(proc, link1, sizeof(link1) - 1) > 0, "readlink");
	memset(link0, 0, sizeof(link0));
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", d);
	SETUP(readlink(proc, link0, sizeof(link0) - 1) > 0, "readlink");

	prog_ready();
	prog_wait();

	CHECK(!fstat(d, &st1) && S_ISDIR(st1.st_mode) && st1.st_ino == st0.st_ino, "fd %d is not the directory",
	      d);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", d);
	CHECK(readlink(proc, link2, sizeof(link2) - 1) > 0 && !strcmp(link2, link0), "dir fd is '%s', was '%s'",
	      link2, link0);
	memset(link2, 0, sizeof(link2));
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", p);
	CHECK(readlink(proc, link2, sizeof(link2) - 1) > 0 && !strcmp(link2, link1), "O_PATH fd is '%s', was '%s'",
	      link2, link1);
	CHECK(fcntl(p, F_GETFL) & O_PATH, "fd %d lost O_PATH", p);
	fd = openat(d, "entry-one", O_RDONLY);
	CHECK(fd >= 0 && read(fd, file, 3) == 3 && !memcmp(file, "one", 3), "openat through the dir fd");
	ds = fdopendir(dup(d));
	while (ds && (de = readdir(ds)))
		found += !strcmp(de->d_name, "entry-one");
	CHECK(found == 1, "readdir through the dir fd found the entry %d times", found);
	prog_done();
}
