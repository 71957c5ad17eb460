// SPDX-License-Identifier: MIT
/*
 * Failure path: a regular file open in the process grows between dump and
 * restore: restore must fail with one line (the file changed) and leave no
 * process.  Cut back to its size, the file lets the image restore, with
 * the fd's offset and the file's data: it is open for reading only, so
 * that its new mtime and ctime are only warned of (open for writing, any
 * change is refused: tests/cli/changed_files.sh).
 */
// sudcr-test: restore-fails grow-file neg_file_grown.dat
#include "progs/prog.h"

int main(void)
{
	unsigned char data[5000], buf[16];
	int fd;

	prog_fill(data, sizeof(data), 191);
	fd = open(prog_path("neg_file_grown.dat"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	SETUP(fd >= 0 && write(fd, data, sizeof(data)) == sizeof(data) && !close(fd), "create");
	fd = open(prog_path("neg_file_grown.dat"), O_RDONLY);
	SETUP(fd >= 0, "open");
	SETUP(lseek(fd, 1000, SEEK_SET) == 1000, "lseek");

	prog_ready();
	prog_wait();

	CHECK(lseek(fd, 0, SEEK_CUR) == 1000, "offset");
	CHECK(read(fd, buf, 16) == 16 && !memcmp(buf, data + 1000, 16), "data");
	prog_done();
}
