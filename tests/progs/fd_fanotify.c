// SPDX-License-Identifier: MIT
/*
 * fanotify: a group with fd events (FAN_CLASS_NOTIF, non-blocking) and two
 * inode marks, one with an ignore mask that survives modification; a group
 * reporting file ids (FAN_REPORT_FID), shared by a dup, with a mount mark
 * and a filesystem mark on /dev/shm.  After restore fdinfo shows the same
 * groups and marks, flags included, and the first group gives the events
 * of its marks: FAN_MODIFY and FAN_CLOSE_WRITE of one file, only
 * FAN_CLOSE_WRITE of the other (its FAN_MODIFY ignored).
 */
#include <sys/fanotify.h>
#include <sys/stat.h>

#include "progs/prog.h"

static char f1[600], f2[600];

/* The "fanotify " lines of @fd's fdinfo, sorted, joined. */
static void marks(int fd, char *out, size_t size)
{
	char path[64], buf[8192], *lines[16], *l;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	out[0] = '\0';
	if (prog_read_file(path, buf, sizeof(buf)) < 0)
		return;
	for (l = strtok(buf, "\n"); l && n < 16; l = strtok(NULL, "\n"))
		if (!strncmp(l, "fanotify ", 9))
			lines[n++] = l;
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (strcmp(lines[j], lines[i]) < 0) {
				char *t = lines[i];

				lines[i] = lines[j];
				lines[j] = t;
			}
	for (int i = 0; i < n; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s;", lines[i]);
}

static int touch_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND);
	int ok = fd >= 0 && write(fd, "x", 1) == 1;

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

int main(void)
{
	char before[2][2048], after[2048];
	char buf[4096] __attribute__((aligned(8)));
	struct stat s1, s2;
	uint64_t got1 = 0, got2 = 0;
	int a, b, b2, fl[2];
	ssize_t n;

	snprintf(f1, sizeof(f1), "%s", prog_path("fanotify-one"));
	snprintf(f2, sizeof(f2), "%s", prog_path("fanotify-two"));
	close(open(f1, O_CREAT | O_WRONLY, 0644));
	close(open(f2, O_CREAT | O_WRONLY, 0644));
	SETUP(!stat(f1, &s1) && !stat(f2, &s2), "stat");

	a = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	SETUP(a >= 0, "fanotify_init: %s", strerror(errno));
	SETUP(!fanotify_mark(a, FAN_MARK_ADD, FAN_MODIFY | FAN_CLOSE_WRITE, AT_FDCWD, f1), "mark one");
	SETUP(!fanotify_mark(a, FAN_MARK_ADD, FAN_CLOSE_WRITE, AT_FDCWD, f2), "mark two");
	SETUP(!fanotify_mark(a, FAN_MARK_ADD | FAN_MARK_IGNORED_MASK | FAN_MARK_IGNORED_SURV_MODIFY, FAN_MODIFY,
			     AT_FDCWD, f2), "ignore mark two");
	b = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID, O_RDONLY);
	SETUP(b >= 0, "fanotify_init(FAN_REPORT_FID): %s", strerror(errno));
	b2 = dup(b);
	SETUP(!fanotify_mark(b, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_CLOSE_NOWRITE, AT_FDCWD, "/dev/shm"),
	      "mount mark: %s", strerror(errno));
	SETUP(!fanotify_mark(b, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_DELETE_SELF, AT_FDCWD, "/dev/shm"),
	      "filesystem mark: %s", strerror(errno));
	marks(a, before[0], sizeof(before[0]));
	marks(b, before[1], sizeof(before[1]));
	fl[0] = fcntl(a, F_GETFL);
	fl[1] = fcntl(b, F_GETFL);

	prog_ready();
	prog_wait();

	marks(a, after, sizeof(after));
	CHECK(!strcmp(before[0], after), "group a: '%s', was '%s'", after, before[0]);
	marks(b, after, sizeof(after));
	CHECK(!strcmp(before[1], after), "group b: '%s', was '%s'", after, before[1]);
	CHECK(fcntl(a, F_GETFL) == fl[0] && fcntl(b, F_GETFL) == fl[1] && fcntl(a, F_GETFD) == FD_CLOEXEC &&
	      fcntl(b, F_GETFD) == 0 && fcntl(b2, F_GETFD) == 0, "flags 0%o 0%o, were 0%o 0%o",
	      fcntl(a, F_GETFL), fcntl(b, F_GETFL), fl[0], fl[1]);
	fcntl(b2, F_SETFL, O_NONBLOCK);
	CHECK(fcntl(b, F_GETFL) & O_NONBLOCK, "b2 no longer shares b's description");

	CHECK(!touch_write(f1) && !touch_write(f2), "writes");
	while ((n = read(a, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct fanotify_event_metadata *ev = (struct fanotify_event_metadata *)p;
			struct stat st;

			if (ev->fd >= 0 && !fstat(ev->fd, &st)) {
				if (st.st_ino == s1.st_ino)
					got1 |= ev->mask;
				else if (st.st_ino == s2.st_ino)
					got2 |= ev->mask;
				close(ev->fd);
			}
			p += ev->event_len;
		}
	}
	CHECK(got1 == (FAN_MODIFY | FAN_CLOSE_WRITE), "events of one: 0x%llx", (unsigned long long)got1);
	CHECK(got2 == FAN_CLOSE_WRITE, "events of two: 0x%llx (FAN_MODIFY is ignored)", (unsigned long long)got2);
	prog_done();
}
