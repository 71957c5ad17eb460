// SPDX-License-Identifier: MIT
/*
 * inotify: an instance watching a directory (IN_CREATE|IN_DELETE), a file
 * (IN_MODIFY|IN_ONESHOT) and another file (IN_ATTRIB|IN_EXCL_UNLINK), with
 * a gap in the wds (a watch removed: wds 1, 2, 4); a second, non-blocking
 * and shared by a dup, watching a symlink itself (IN_DONT_FOLLOW).  After
 * restore fdinfo shows the same watches (wd, inode, mask), each gives the
 * events of its inode with its wd, the one-shot watch goes away after its
 * event, and the next watch gets wd 5.
 */
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "progs/prog.h"

static char dir[512], f1[600], f2[600], f3[600], link_p[600], made[600];

/* The fdinfo watch lines of @fd ("inotify wd:... mask:..." up to " ignored_mask"), sorted, joined. */
static void watches(int fd, char *out, size_t size)
{
	char path[64], buf[8192], *lines[16], *l;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	out[0] = '\0';
	if (prog_read_file(path, buf, sizeof(buf)) < 0)
		return;
	for (l = strtok(buf, "\n"); l && n < 16; l = strtok(NULL, "\n")) {
		char *e = strstr(l, " ignored_mask");

		if (strncmp(l, "inotify wd:", 11) || !e)
			continue;
		*e = '\0';
		lines[n++] = l;
	}
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

/* The next event of @fd: its wd and mask (IN_ISDIR dropped), -1 if none within a read. */
static int next_event(int fd, uint32_t *mask, char *name, size_t size)
{
	static char buf[4096] __attribute__((aligned(8)));
	static ssize_t len, off;
	struct inotify_event *ev;

	if (off >= len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 5000) != 1)
			return -1;
		len = read(fd, buf, sizeof(buf));
		off = 0;
		if (len <= 0)
			return -1;
	}
	ev = (struct inotify_event *)(buf + off);
	off += sizeof(*ev) + ev->len;
	*mask = ev->mask & ~IN_ISDIR;
	snprintf(name, size, "%s", ev->len ? ev->name : "");
	return ev->wd;
}

int main(void)
{
	char before[2][2048], after[2048], name[256];
	int a, b, b2, w[4], ws, fl[2], wd;
	uint32_t mask;

	snprintf(dir, sizeof(dir), "%s", prog_path("inotify-dir"));
	snprintf(f1, sizeof(f1), "%s/one", dir);
	snprintf(f2, sizeof(f2), "%s/two", dir);
	snprintf(f3, sizeof(f3), "%s/three", dir);
	snprintf(link_p, sizeof(link_p), "%s/link", dir);
	snprintf(made, sizeof(made), "%s/made-%d", dir, getpid());
	mkdir(dir, 0755);
	close(open(f1, O_CREAT | O_WRONLY, 0644));
	close(open(f2, O_CREAT | O_WRONLY, 0644));
	close(open(f3, O_CREAT | O_WRONLY, 0644));
	unlink(link_p);
	SETUP(!symlink("one", link_p), "symlink");

	a = inotify_init();
	SETUP(a >= 0, "inotify_init");
	w[0] = inotify_add_watch(a, dir, IN_CREATE | IN_DELETE);
	w[1] = inotify_add_watch(a, f1, IN_MODIFY | IN_ONESHOT);
	w[2] = inotify_add_watch(a, f3, IN_OPEN);
	w[3] = inotify_add_watch(a, f2, IN_ATTRIB | IN_EXCL_UNLINK);
	SETUP(w[0] == 1 && w[1] == 2 && w[2] == 3 && w[3] == 4 && !inotify_rm_watch(a, w[2]),
	      "watches %d %d %d %d", w[0], w[1], w[2], w[3]);
	SETUP(next_event(a, &mask, name, sizeof(name)) == 3 && mask == IN_IGNORED, "IN_IGNORED of wd 3");
	b = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	SETUP(b >= 0, "inotify_init1");
	b2 = dup(b);
	ws = inotify_add_watch(b, link_p, IN_ATTRIB | IN_DONT_FOLLOW);
	SETUP(ws == 1, "watch of the symlink: %d", ws);
	watches(a, before[0], sizeof(before[0]));
	watches(b, before[1], sizeof(before[1]));
	fl[0] = fcntl(a, F_GETFL);
	fl[1] = fcntl(b, F_GETFL);

	prog_ready();
	prog_wait();

	watches(a, after, sizeof(after));
	CHECK(!strcmp(before[0], after), "watches of a: '%s', were '%s'", after, before[0]);
	watches(b, after, sizeof(after));
	CHECK(!strcmp(before[1], after), "watches of b: '%s', were '%s'", after, before[1]);
	CHECK(fcntl(a, F_GETFL) == fl[0] && fcntl(b, F_GETFL) == fl[1] && fcntl(b, F_GETFD) == FD_CLOEXEC &&
	      fcntl(b2, F_GETFD) == 0, "flags");
	fcntl(b2, F_SETFL, 0);
	CHECK(!(fcntl(b, F_GETFL) & O_NONBLOCK), "b2 no longer shares b's description");
	fcntl(b, F_SETFL, O_NONBLOCK);

	close(open(made, O_CREAT | O_WRONLY, 0644));
	wd = next_event(a, &mask, name, sizeof(name));
	CHECK(wd == 1 && mask == IN_CREATE && !strcmp(name, strrchr(made, '/') + 1),
	      "create: wd %d mask 0x%x name '%s'", wd, mask, name);
	int fd = open(f1, O_WRONLY | O_APPEND);

	CHECK(fd >= 0 && write(fd, "x", 1) == 1 && write(fd, "y", 1) == 1, "write");
	close(fd);
	wd = next_event(a, &mask, name, sizeof(name));
	CHECK(wd == 2 && mask == IN_MODIFY, "modify: wd %d mask 0x%x", wd, mask);
	wd = next_event(a, &mask, name, sizeof(name));
	CHECK(wd == 2 && mask == IN_IGNORED, "one-shot: wd %d mask 0x%x, not IN_IGNORED", wd, mask);
	CHECK(!chmod(f2, 0600), "chmod");
	wd = next_event(a, &mask, name, sizeof(name));
	CHECK(wd == 4 && mask == IN_ATTRIB, "attrib: wd %d mask 0x%x", wd, mask);
	CHECK(!unlink(made), "unlink");
	wd = next_event(a, &mask, name, sizeof(name));
	CHECK(wd == 1 && mask == IN_DELETE, "delete: wd %d mask 0x%x", wd, mask);
	wd = inotify_add_watch(a, f3, IN_OPEN);
	CHECK(wd == 5, "next watch got wd %d, not 5", wd);

	CHECK(!fchmodat(AT_FDCWD, link_p, 0700, AT_SYMLINK_NOFOLLOW) || errno == EOPNOTSUPP, "lchmod");
	CHECK(!chmod(f1, 0600), "chmod of the link's target");
	{
		char buf[256] __attribute__((aligned(8)));
		ssize_t n = read(b, buf, sizeof(buf));

		/* Only the symlink's own changes: none (lchmod is not supported on Linux). */
		CHECK(n < 0 && errno == EAGAIN, "b read %zd: the symlink's watch follows it", n);
	}
	prog_done();
}
