// SPDX-License-Identifier: MIT
/*
 * Failure path: a fanotify group of a permission class with a permission
 * mark (FAN_OPEN_PERM) is refused: an event read and not answered yet
 * cannot be seen, and would leave the process that opened the file blocked.
 * The dump fails with one line naming the fd, and the group keeps its mark.
 */
// sudcr-test: dump-fails fd 3: fanotify group with permission events
#include <sys/fanotify.h>

#include "progs/prog.h"

int main(void)
{
	char path[600], info[4096];
	int g;

	snprintf(path, sizeof(path), "%s", prog_path("fanotify-perm"));
	close(open(path, O_CREAT | O_WRONLY, 0644));
	g = fanotify_init(FAN_CLASS_CONTENT, O_RDONLY);
	SETUP(g == 3, "fanotify_init(FAN_CLASS_CONTENT) gave %d: %s", g, strerror(errno));
	SETUP(!fanotify_mark(g, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD, path), "mark: %s", strerror(errno));

	prog_ready();
	prog_wait();

	CHECK(prog_read_file("/proc/self/fdinfo/3", info, sizeof(info)) > 0 && strstr(info, "mask:10000 "),
	      "the permission mark is gone: %s", info);
	prog_done();
}
