// SPDX-License-Identifier: MIT
/*
 * Regular files: opened read-write with an offset, write-only with
 * O_APPEND, read-only with O_CLOEXEC, and with O_NOATIME|O_SYNC|O_NONBLOCK.
 * After restore each fd has the same path, file, flags, fd flags and
 * offset, and works: reads continue at the offset, appends go to the end.
 */
#include <sys/stat.h>

#include "progs/prog.h"

#define LEN 10000

struct f {
	const char *name;
	int flags, fd;
	off_t seek;
	int fl, fdfl;
	off_t pos;
	struct stat st;
	char link[4096];
};

int main(void)
{
	struct f f[] = {
		{ .name = "fd_regular.rw", .flags = O_RDWR, .seek = 1234 },
		{ .name = "fd_regular.append", .flags = O_WRONLY | O_APPEND, .seek = 0 },
		{ .name = "fd_regular.ro", .flags = O_RDONLY | O_CLOEXEC, .seek = 77 },
		{ .name = "fd_regular.flags", .flags = O_RDWR | O_NOATIME | O_SYNC | O_NONBLOCK, .seek = LEN },
	};
	const int n = sizeof(f) / sizeof(f[0]);
	unsigned char data[LEN], buf[64];
	char path[64];

	prog_fill(data, LEN, 111);
	for (int i = 0; i < n; i++) {
		const char *p = prog_path(f[i].name);
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		SETUP(fd >= 0 && write(fd, data, LEN) == LEN, "create %s", p);
		close(fd);
		f[i].fd = open(p, f[i].flags);
		SETUP(f[i].fd >= 0, "open %s", p);
		SETUP(lseek(f[i].fd, f[i].seek, SEEK_SET) == f[i].seek, "lseek");
	}
	SETUP(write(f[1].fd, "tail", 4) == 4, "append");
	for (int i = 0; i < n; i++) {
		f[i].fl = fcntl(f[i].fd, F_GETFL);
		f[i].fdfl = fcntl(f[i].fd, F_GETFD);
		f[i].pos = lseek(f[i].fd, 0, SEEK_CUR);
		fstat(f[i].fd, &f[i].st);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", f[i].fd);
		SETUP(readlink(path, f[i].link, sizeof(f[i].link) - 1) > 0, "readlink");
	}

	prog_ready();
	prog_wait();

	for (int i = 0; i < n; i++) {
		char link[4096] = "";
		struct stat st;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", f[i].fd);
		CHECK(readlink(path, link, sizeof(link) - 1) > 0 && !strcmp(link, f[i].link),
		      "fd %d is '%s', was '%s'", f[i].fd, link, f[i].link);
		CHECK(!fstat(f[i].fd, &st) && st.st_ino == f[i].st.st_ino && st.st_dev == f[i].st.st_dev,
		      "fd %d is another file", f[i].fd);
		CHECK(fcntl(f[i].fd, F_GETFL) == f[i].fl, "fd %d: flags 0%o, were 0%o", f[i].fd,
		      fcntl(f[i].fd, F_GETFL), f[i].fl);
		CHECK(fcntl(f[i].fd, F_GETFD) == f[i].fdfl, "fd %d: fd flags %d, were %d", f[i].fd,
		      fcntl(f[i].fd, F_GETFD), f[i].fdfl);
		CHECK(lseek(f[i].fd, 0, SEEK_CUR) == f[i].pos, "fd %d: offset %lld, was %lld", f[i].fd,
		      (long long)lseek(f[i].fd, 0, SEEK_CUR), (long long)f[i].pos);
	}
	CHECK(read(f[0].fd, buf, 16) == 16 && !memcmp(buf, data + 1234, 16), "read-write fd reads wrong data");
	CHECK(read(f[2].fd, buf, 16) == 16 && !memcmp(buf, data + 77, 16), "read-only fd reads wrong data");
	CHECK(write(f[1].fd, "more", 4) == 4 && lseek(f[1].fd, 0, SEEK_CUR) == LEN + 8,
	      "O_APPEND: offset after a write is %lld", (long long)lseek(f[1].fd, 0, SEEK_CUR));
	CHECK(pread(f[0].fd, buf, 4, 0) == 4 && !memcmp(buf, data, 4), "pread");
	CHECK(write(f[2].fd, "x", 1) < 0 && errno == EBADF, "read-only fd is writable");
	prog_done();
}
