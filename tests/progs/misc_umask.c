// SPDX-License-Identifier: MIT
/*
 * The umask: the same after restore, and applied to a new file.
 */
#include <sys/stat.h>

#include "progs/prog.h"

int main(void)
{
	const char *path = prog_path("misc_umask.new");
	struct stat st;
	mode_t m;
	int fd;

	umask(0137);
	unlink(path);

	prog_ready();
	prog_wait();

	m = umask(0022);
	CHECK(m == 0137, "umask is 0%o, expected 0137", m);
	umask(m);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0777);
	CHECK(fd >= 0 && !fstat(fd, &st) && (st.st_mode & 0777) == 0640, "new file mode 0%o, expected 0640",
	      st.st_mode & 0777);
	if (fd >= 0)
		close(fd);
	unlink(path);
	prog_done();
}
