// SPDX-License-Identifier: MIT
/*
 * The dump of a process tree (dump -t PID of a process with children).
 *
 * 1. Freeze: the root is frozen by the driver; each member's children are
 *    listed once it is frozen (a frozen process forks no more), each child
 *    is frozen in turn, breadth first.  A child that exits before it is
 *    seized stays a zombie (its parent is frozen and cannot reap it) and is
 *    recorded as one.  An orphan can still be reparented to a subreaper of
 *    the tree by a member that died before it was seized, so every member's
 *    children are listed once more, until a pass finds no one new: each
 *    pass is O(n), and a second one is almost always the last.
 * 2. Check what the members share: memory, fd tables, fs info and signal
 *    handlers (kcmp, the members sorted by each kernel object, so O(n log n)
 *    calls), and open file descriptions and anonymous objects (pipes,
 *    sockets, memfds, deleted files).  A description held by a process and
 *    its parent is restored as one, inherited through the fork (an
 *    IMG_REC_TREE_FD record); a pipe whose ends are in several members
 *    through descriptions of their own is made by the one that is an
 *    ancestor of all the others, or by their nearest common ancestor
 *    (IMG_REC_TREE_PIPE).  Any other sharing is
 *    refused, naming both processes, since restoring it twice would
 *    silently split it.
 * 3. Collect every live member with the single-process driver, each into
 *    the subdirectory DIR/PID in the single-process format; shared memory
 *    (shared anonymous, memfd, SysV, deleted files mapped shared) in two
 *    members is refused, for the same reason.
 * 4. Write DIR/core.img with one IMG_REC_TREE_PROC per process, parents
 *    first, and the IMG_REC_TREE_FD records, and commit it last: a tree
 *    image without it is never taken for complete.
 * Then every member is killed, or released with --leave-running.  On any
 * failure the members' images are removed and every member is released as
 * it was found.
 *
 * Memory that parent and child still share copy-on-write after fork is
 * stored once per process, and comes back as private copies (same
 * contents, not shared): see README.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kcmp.h>

#include "cr.h"
#include <sudcr/freeze.h>
#include <sudcr/log.h>

#include "../kinds/fd_dump.h"
#include "../kinds/kinds.h"
#include "tree.h"

struct member {
	pid_t pid, pgid, sid;
	int parent;		/* index in the tree; -1 for the root */
	bool zombie;
	bool share_files, share_fs;	/* its parent's fd table, fs info (CLONE_FILES, CLONE_FS) */
	int exit_status;
	char comm[16];
	bool frozen, dir_created, committed;
	char dir[PATH_MAX];
	struct dump_ctx d;
};

struct mfd {
	int m;			/* member index */
	int fd;
	bool anon;		/* an object with no name to open again */
	dev_t dev;
	ino_t ino;
	char link[256];
	int desc;		/* index of the first of the fds sharing its description */
	bool unix_sk;		/* an AF_UNIX socket: sock_diag said */
	bool tree_sock;		/* ... one end of a pair the tree makes (IMG_REC_TREE_UNIX) */
	uint8_t sk_type, sk_state;
	uint32_t peer;		/* the peer's inode if connected, else 0 */
	uint32_t name_len;	/* bound: sun_path's bytes (sock_diag) */
	uint8_t name[108];
};

struct tree {
	struct member **m;
	int nr, cap;
	const struct dump_opts *opts;
	unsigned char *seen;	/* bitmap of PIDs in the tree */
	long pid_max;
	struct mfd *fds;
	int nr_fds;
	struct rec_tree_fd *inherit;
	int nr_inherit;
	struct rec_tree_pipe *pipes;
	int nr_pipes;
	struct rec_tree_unix *socks;
	int nr_socks;
	uint32_t *sock_inos;	/* both ends of each of socks, sorted */
	pid_t *pids;		/* every member, sorted */
	bool top_created;
};

bool dump_tree_has_children(pid_t pid)
{
	pid_t *kids = NULL;
	int n = 0;

	if (proc_children(pid, &kids, &n))
		return false;	/* the single-process dump says why */
	free(kids);
	return n > 0;
}

static bool seen(struct tree *t, pid_t pid)
{
	return pid > 0 && pid < t->pid_max && (t->seen[pid / 8] & (1u << (pid % 8)));
}

static void mark(struct tree *t, pid_t pid)
{
	if (pid > 0 && pid < t->pid_max)
		t->seen[pid / 8] |= 1u << (pid % 8);
}

static struct member *new_member(struct tree *t, pid_t pid, int parent)
{
	struct member *m;

	if (t->nr == t->cap) {
		int cap = t->cap ? t->cap * 2 : 16;
		struct member **v = realloc(t->m, cap * sizeof(*v));

		if (!v)
			return NULL;
		t->m = v;
		t->cap = cap;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->pid = pid;
	m->parent = parent;
	m->d.pid = pid;
	m->d.opts = *t->opts;
	m->d.tree_member = true;
	snprintf(m->dir, sizeof(m->dir), "%s/%d", t->opts->dir, pid);
	m->d.opts.dir = m->dir;
	t->m[t->nr++] = m;
	mark(t, pid);
	return m;
}

/* Record a zombie from its stat; false if it is not one. */
static bool take_zombie(struct member *m)
{
	struct proc_stat st;

	if (proc_parse_stat(m->pid, 0, &st) || (st.state != 'Z' && st.state != 'X'))
		return false;
	m->zombie = true;
	m->exit_status = st.exit_code;
	snprintf(m->comm, sizeof(m->comm), "%.15s", st.comm);
	m->pgid = st.pgrp;
	m->sid = st.session;
	return true;
}

/* Freeze child @pid of member @parent, or record it as a zombie. */
static int add_child(struct tree *t, pid_t pid, int parent)
{
	pid_t ppid = t->m[parent]->pid, self = getpid();
	struct proc_status ps;
	struct proc_stat st;
	struct member *m;
	int ret;

	m = new_member(t, pid, parent);
	if (!m) {
		sudcr_error("out of memory");
		return -ENOMEM;
	}
	if (take_zombie(m))
		return 0;
	if (!proc_parse_status(pid, 0, &ps) && ps.tracer_pid && ps.tracer_pid != self) {
		sudcr_error("process %d (child of %d in the tree) is traced by process %d: a traced process cannot be dumped",
			    pid, ppid, ps.tracer_pid);
		return -EBUSY;
	}
	ret = freeze_process(pid, &m->d.proc);
	if (ret) {
		/* It exited meanwhile: its frozen parent keeps it a zombie. */
		if (take_zombie(m))
			return 0;
		sudcr_error("process %d (child of %d in the tree) cannot be frozen: %s", pid, ppid,
			    strerror(-ret));
		return ret;
	}
	m->frozen = true;
	ret = proc_parse_stat(pid, 0, &st);
	if (ret) {
		sudcr_error("cannot read /proc/%d/stat: %s", pid, strerror(-ret));
		return ret;
	}
	snprintf(m->comm, sizeof(m->comm), "%.15s", st.comm);
	m->pgid = st.pgrp;
	m->sid = st.session;
	return 0;
}

/* List the children of member @i and add those not in the tree yet; *grew if any. */
static int scan_member(struct tree *t, int i, bool *grew)
{
	pid_t *kids = NULL;
	int n = 0, ret;

	if (t->m[i]->zombie)
		return 0;
	ret = proc_children(t->m[i]->pid, &kids, &n);
	if (ret) {
		sudcr_error("cannot list the child processes of %d: %s", t->m[i]->pid, strerror(-ret));
		return ret;
	}
	for (int k = 0; k < n && !ret; k++) {
		if (seen(t, kids[k]))
			continue;
		*grew = true;
		ret = add_child(t, kids[k], i);
	}
	free(kids);
	return ret;
}

static int freeze_tree(struct tree *t)
{
	bool grew = true;
	int ret = 0;

	/* Breadth first: t->nr grows as children are added. */
	for (int i = 0; i < t->nr && !ret; i++)
		ret = cr_cancelled() ? -EINTR : scan_member(t, i, &grew);
	/* Until a pass over every member finds no one new (orphans reparented meanwhile). */
	while (!ret && grew) {
		grew = false;
		for (int i = 0; i < t->nr && !ret; i++)
			ret = cr_cancelled() ? -EINTR : scan_member(t, i, &grew);
	}
	return ret;
}

static int kcmp(pid_t a, pid_t b, int type, unsigned long x, unsigned long y)
{
	return (int)syscall(SYS_kcmp, a, b, type, x, y);
}

/* kcmp's order (0 equal, 1 less, 2 greater) as qsort's; errors by PID. */
static int kcmp_order(int r, pid_t a, pid_t b)
{
	if (r == 0 || r == 1 || r == 2)
		return r == 0 ? 0 : r == 1 ? -1 : 1;
	return a < b ? -1 : a > b;
}

struct by_obj {
	struct tree *t;
	int type;
};

static int cmp_member_obj(const void *pa, const void *pb, void *arg)
{
	const struct by_obj *c = arg;
	pid_t a = c->t->m[*(const int *)pa]->pid, b = c->t->m[*(const int *)pb]->pid;

	return kcmp_order(kcmp(a, b, c->type, 0, 0), a, b);
}

/* Whether member @i's root is "/" (a shared fs_struct is restored only then). */
static bool root_is_slash(const struct tree *t, int i)
{
	char path[64], link[8];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/root", t->m[i]->pid);
	n = readlink(path, link, sizeof(link));
	return n == 1 && link[0] == '/';
}

/*
 * A class of members sharing one fd table (or fs info): restored shared
 * if each got it from its parent (clone with the flag), all from one
 * member of the class, its "top": its stub makes theirs with the flag
 * (REC_TREE_F_FILES, _FS).  Two tops (one of them sharing it with a
 * sibling made by clone(CLONE_PARENT)), or fs info whose root is not /
 * (each process's transplant resolves its paths by the root that an
 * injected chroot would change for all), are refused.
 */
static int share_class(struct tree *t, const int *cls, int n, int type, const char *what)
{
	int top = -1;

	for (int k = 0; k < n; k++) {
		struct member *m = t->m[cls[k]];
		int p = m->parent;
		bool from_parent = p >= 0 && !t->m[p]->zombie &&
				   kcmp(m->pid, t->m[p]->pid, type, 0, 0) == 0;

		if (from_parent) {
			if (type == KCMP_FILES)
				m->share_files = true;
			else
				m->share_fs = true;
		} else if (top < 0) {
			top = cls[k];
		} else {
			sudcr_error("processes %d and %d share their %s, and neither got it from its parent: not supported yet",
				    t->m[top]->pid, m->pid, what);
			return -EOPNOTSUPP;
		}
	}
	if (type == KCMP_FS && top >= 0 && !root_is_slash(t, top)) {
		sudcr_error("processes %d and %d share their %s, and their root is not /: not supported yet",
			    t->m[cls[0]]->pid, t->m[cls[1]]->pid, what);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* The root's fd table or fs info shared with its parent, outside the tree: refused. */
static int check_root_shares(struct tree *t, int type, const char *what)
{
	struct proc_stat st;
	pid_t root = t->m[0]->pid;

	if (proc_parse_stat(root, 0, &st) || st.ppid <= 0 || kcmp(root, st.ppid, type, 0, 0))
		return 0;
	sudcr_error("process %d shares its %s with its parent %d, outside the tree: not supported yet",
		    root, what, st.ppid);
	return -EOPNOTSUPP;
}

/*
 * Memory, fd tables, fs info or signal handlers shared by two processes.
 * fd tables and fs info come back shared (share_class()).  Memory is
 * refused, and so are signal handlers, which only processes sharing
 * their memory can share (clone(2): CLONE_SIGHAND needs CLONE_VM).
 */
static int check_shared_tasks(struct tree *t)
{
	static const struct {
		int type;
		const char *what;
		bool shared;	/* restored shared */
	} objs[] = {
		{ KCMP_VM, "memory (CLONE_VM, or a vfork in progress)", false },
		{ KCMP_FILES, "fd table (CLONE_FILES)", true },
		{ KCMP_FS, "root, cwd and umask (CLONE_FS)", true },
		{ KCMP_SIGHAND, "signal handlers (CLONE_SIGHAND)", false },
	};
	int *live = calloc(t->nr, sizeof(*live)), n = 0, ret = 0;

	if (!live)
		return -ENOMEM;
	for (int i = 0; i < t->nr; i++)
		if (!t->m[i]->zombie)
			live[n++] = i;
	for (size_t k = 0; k < sizeof(objs) / sizeof(objs[0]) && !ret; k++) {
		struct by_obj c = { t, objs[k].type };

		qsort_r(live, n, sizeof(*live), cmp_member_obj, &c);
		for (int i = 1, s = 0; i <= n && !ret; i++) {
			pid_t a = t->m[live[i - 1]]->pid;

			if (i < n && kcmp(a, t->m[live[i]]->pid, objs[k].type, 0, 0) == 0)
				continue;
			/* live[s..i) share it */
			if (i - s > 1 && !objs[k].shared) {
				sudcr_error("processes %d and %d share their %s: not supported yet",
					    t->m[live[s]]->pid, t->m[live[s + 1]]->pid, objs[k].what);
				ret = -EOPNOTSUPP;
			} else if (i - s > 1) {
				ret = share_class(t, live + s, i - s, objs[k].type, objs[k].what);
			}
			s = i;
		}
		if (!ret && objs[k].shared)
			ret = check_root_shares(t, objs[k].type, objs[k].what);
	}
	free(live);
	return ret;
}

static bool anon_link(const char *link)
{
	size_t n = strlen(link);

	return !strncmp(link, "pipe:", 5) || !strncmp(link, "socket:", 7) || !strncmp(link, "/memfd:", 7) ||
	       (n > 10 && !strcmp(link + n - 10, " (deleted)"));
}

static int list_fds(struct tree *t, int mi)
{
	char path[64];
	struct dirent *de;
	pid_t pid = t->m[mi]->pid;
	DIR *dir;
	int ret = 0, cap = t->nr_fds;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	dir = opendir(path);
	if (!dir) {
		ret = -errno;
		sudcr_error("cannot list the fds of %d: %s", pid, strerror(-ret));
		return ret;
	}
	while ((de = readdir(dir))) {
		struct mfd *e, *v;
		char *end, lpath[96];
		long fd = strtol(de->d_name, &end, 10);
		ssize_t len;
		struct stat st;

		if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end)
			continue;
		if (t->nr_fds == cap) {
			cap = cap ? cap * 2 : 64;
			v = realloc(t->fds, cap * sizeof(*v));
			if (!v) {
				ret = -ENOMEM;
				break;
			}
			t->fds = v;
		}
		e = &t->fds[t->nr_fds];
		memset(e, 0, sizeof(*e));
		e->m = mi;
		e->fd = (int)fd;
		snprintf(lpath, sizeof(lpath), "/proc/%d/fd/%ld", pid, fd);
		len = readlink(lpath, e->link, sizeof(e->link) - 1);
		if (len < 0)
			continue;	/* closed meanwhile by another thread: cannot be, it is frozen */
		e->link[len] = '\0';
		e->anon = anon_link(e->link);
		if (e->anon && !stat(lpath, &st)) {
			e->dev = st.st_dev;
			e->ino = st.st_ino;
		}
		t->nr_fds++;
	}
	closedir(dir);
	return ret;
}

static int cmp_fd_desc(const void *pa, const void *pb, void *arg)
{
	const struct tree *t = arg;
	const struct mfd *x = pa, *y = pb;
	pid_t a = t->m[x->m]->pid, b = t->m[y->m]->pid;
	int r = kcmp(a, b, KCMP_FILE, x->fd, y->fd);

	if (r < 0 || r > 2)
		return a != b ? (a < b ? -1 : 1) : (x->fd < y->fd ? -1 : x->fd > y->fd);
	return kcmp_order(r, a, b);
}

static bool same_desc(const struct tree *t, const struct mfd *x, const struct mfd *y)
{
	return !kcmp(t->m[x->m]->pid, t->m[y->m]->pid, KCMP_FILE, x->fd, y->fd);
}

static int add_inherit(struct tree *t, const struct mfd *e, int parent_fd)
{
	struct rec_tree_fd *v = realloc(t->inherit, (t->nr_inherit + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	t->inherit = v;
	v[t->nr_inherit++] = (struct rec_tree_fd){ .pid = t->m[e->m]->pid, .fd = e->fd,
						   .parent_fd = parent_fd };
	return 0;
}

static bool is_ancestor(const struct tree *t, int a, int m)
{
	for (; m >= 0; m = t->m[m]->parent)
		if (m == a)
			return true;
	return false;
}

/* The holder of pipe @x that is an ancestor of (or is) every other holder, or else their nearest ancestor. */
static int pipe_owner(const struct tree *t, const struct mfd *x)
{
	for (int i = 0; i < t->nr_fds; i++) {
		const struct mfd *c = &t->fds[i];
		bool all = true;

		if (c->ino != x->ino || c->dev != x->dev)
			continue;
		for (int j = 0; j < t->nr_fds && all; j++)
			if (t->fds[j].ino == x->ino && t->fds[j].dev == x->dev)
				all = is_ancestor(t, c->m, t->fds[j].m);
		if (all)
			return c->m;
	}
	/*
	 * No holder is: the nearest ancestor of them all (a shell whose
	 * pipeline's ends are in two of its children) makes it, holding none
	 * of its ends itself.
	 */
	for (int a = x->m; a >= 0; a = t->m[a]->parent) {
		bool all = true;

		for (int j = 0; j < t->nr_fds && all; j++)
			if (t->fds[j].ino == x->ino && t->fds[j].dev == x->dev)
				all = is_ancestor(t, a, t->fds[j].m);
		if (all)
			return a;
	}
	return -1;
}

static int add_pipe(struct tree *t, int owner, uint64_t ino)
{
	struct rec_tree_pipe *v;

	for (int i = 0; i < t->nr_pipes; i++)
		if (t->pipes[i].ino == ino)
			return 0;
	v = realloc(t->pipes, (t->nr_pipes + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	t->pipes = v;
	v[t->nr_pipes++] = (struct rec_tree_pipe){ .owner = t->m[owner]->pid, .ino = ino };
	return 0;
}

/* The AF_UNIX sockets among the fds: type and peer (sock_diag), once per socket. */
static void diag_unix(struct tree *t)
{
	for (int i = 0; i < t->nr_fds; i++) {
		struct mfd *x = &t->fds[i];
		struct unix_diag_info u;

		if (x->desc != i) {
			const struct mfd *l = &t->fds[x->desc];

			x->unix_sk = l->unix_sk;
			x->sk_type = l->sk_type;
			x->sk_state = l->sk_state;
			x->peer = l->peer;
			x->name_len = l->name_len;
			memcpy(x->name, l->name, sizeof(x->name));
			continue;
		}
		/* Not AF_UNIX (-ENOENT) or not told: the member's own dump says what it is. */
		if (strncmp(x->link, "socket:[", 8) || !x->ino || unix_diag_get((uint32_t)x->ino, &u))
			continue;
		x->unix_sk = true;
		x->sk_type = u.type;
		x->sk_state = u.state;
		x->peer = u.state == 1 ? u.peer : 0;	/* TCP_ESTABLISHED */
		x->name_len = u.named ? u.name_len : 0;
		memcpy(x->name, u.name, sizeof(x->name));
	}
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/* The members holding description @d (an index of its first fd), sorted, once each; their number. */
static int desc_holders(const struct tree *t, int d, int *out)
{
	int n = 0;

	for (int i = d; i < t->nr_fds && t->fds[i].desc == d; i++)
		out[n++] = t->fds[i].m;
	qsort(out, n, sizeof(*out), cmp_int);
	for (int i = 1, k = 1; i <= n; i++) {
		if (i == n)
			return k;
		if (out[i] != out[k - 1])
			out[k++] = out[i];
	}
	return n;
}

/*
 * Whether each member's own image can hold socket pair @a/@b whole, as a
 * single process's: one member made both descriptions (their only "top")
 * and every other holder of either got both from its parent.
 */
static bool pair_in_one(const struct tree *t, int a, int b, const int *top, int *ha, int *hb)
{
	int na = desc_holders(t, a, ha), nb = desc_holders(t, b, hb), maker = -1;

	if (na != nb || memcmp(ha, hb, na * sizeof(*ha)))
		return false;
	for (int d = 0; d < 2; d++)
		for (int i = d ? b : a; i < t->nr_fds && t->fds[i].desc == (d ? b : a); i++) {
			if (top[i] < 0)
				continue;
			if (maker >= 0 && top[i] != maker)
				return false;
			maker = top[i];
		}
	return true;
}

/* The nearest member that is an ancestor of (or is) every holder of the @n descriptions @d. */
static int pair_owner(const struct tree *t, const int *d, int n)
{
	for (int o = t->fds[d[0]].m; o >= 0; o = t->m[o]->parent) {
		bool all = true;

		for (int k = 0; k < n && all; k++)
			for (int i = d[k]; i < t->nr_fds && t->fds[i].desc == d[k] && all; i++)
				all = is_ancestor(t, o, t->fds[i].m);
		if (all)
			return o;
	}
	return -1;
}

/*
 * A pair made by connect() and accept() (an end has a name): restored if
 * one end only has one, the accepted end, with the listener's abstract
 * name or absolute path, and the type keeps connections (not SOCK_DGRAM);
 * else the member's own dump refuses it.  *named: which end, -1 none.
 */
static bool named_pair_ok(const struct mfd *x, const struct mfd *y, int *named)
{
	*named = x->name_len ? 0 : y->name_len ? 1 : -1;
	if (*named < 0)
		return true;
	const struct mfd *n = *named ? y : x;

	return !(x->name_len && y->name_len) && x->sk_type != SOCK_DGRAM &&
	       (n->name[0] == '\0' || n->name[0] == '/');
}

/* Descriptions of listening sockets bound to the name of @x into d[], after *n. */
static void add_listeners(const struct tree *t, const struct mfd *x, int *d, int *n)
{
	for (int i = 0; i < t->nr_fds; i++) {
		const struct mfd *l = &t->fds[i];

		if (l->desc == i && l->unix_sk && l->sk_state == 10 /* TCP_LISTEN */ &&
		    l->name_len == x->name_len && !memcmp(l->name, x->name, x->name_len))
			d[(*n)++] = i;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Socket pairs with both ends in the tree but not wholly in one member's
 * image (pair_in_one()): the nearest common ancestor of their holders
 * makes them (IMG_REC_TREE_UNIX), each holder's image has its ends alone.
 */
static int find_unix_pairs(struct tree *t, const int *top)
{
	int *ha = malloc((t->nr_fds + 1) * sizeof(*ha)), *hb = malloc((t->nr_fds + 1) * sizeof(*hb));
	int *descs = malloc((t->nr_fds + 2) * sizeof(*descs));
	int ret = 0, named, nd;

	if (!ha || !hb || !descs) {
		ret = -ENOMEM;
		goto out;
	}
	for (int a = 0; a < t->nr_fds && !ret; a++) {
		const struct mfd *x = &t->fds[a];
		struct rec_tree_unix *v;
		int b, owner;

		if (x->desc != a || !x->unix_sk || !x->peer || x->peer < x->ino)
			continue;
		for (b = 0; b < t->nr_fds; b++)
			if (t->fds[b].desc == b && t->fds[b].unix_sk && t->fds[b].ino == x->peer &&
			    t->fds[b].peer == x->ino)
				break;
		/* Its peer outside the tree, or names it cannot have again: the member's dump says so. */
		if (b == t->nr_fds || !named_pair_ok(x, &t->fds[b], &named) ||
		    (named < 0 && pair_in_one(t, a, b, top, ha, hb)))
			continue;
		/* Its maker binds the listener's name for a moment: before any holder of the listener does. */
		descs[0] = a;
		descs[1] = b;
		nd = 2;
		if (named >= 0)
			add_listeners(t, named ? &t->fds[b] : x, descs, &nd);
		owner = pair_owner(t, descs, nd);
		v = realloc(t->socks, (t->nr_socks + 1) * sizeof(*v));
		if (!v || owner < 0) {
			ret = v ? -EINVAL : -ENOMEM;
			break;
		}
		t->socks = v;
		v[t->nr_socks] = (struct rec_tree_unix){ .owner = t->m[owner]->pid,
							 .type = x->sk_type,
							 .ino = { x->ino, x->peer } };
		if (named >= 0) {
			const struct mfd *n = named ? &t->fds[b] : x;

			v[t->nr_socks].named_end = (uint32_t)named;
			v[t->nr_socks].name_len = n->name_len;
			memcpy(v[t->nr_socks].name, n->name, n->name_len);
		}
		t->nr_socks++;
		for (int i = 0; i < t->nr_fds; i++)
			if (t->fds[i].desc == a || t->fds[i].desc == b)
				t->fds[i].tree_sock = true;
	}
	if (!ret && t->nr_socks) {
		t->sock_inos = malloc(2 * t->nr_socks * sizeof(*t->sock_inos));
		if (!t->sock_inos) {
			ret = -ENOMEM;
			goto out;
		}
		for (int k = 0; k < t->nr_socks; k++) {
			t->sock_inos[2 * k] = (uint32_t)t->socks[k].ino[0];
			t->sock_inos[2 * k + 1] = (uint32_t)t->socks[k].ino[1];
		}
		qsort(t->sock_inos, 2 * t->nr_socks, sizeof(*t->sock_inos), cmp_u32);
	}
out:
	free(ha);
	free(hb);
	free(descs);
	return ret;
}

/*
 * Open file descriptions and anonymous objects held by several members.
 * A description is inherited by each holder whose parent holds it too;
 * the one holder whose parent does not (its "top") makes it.  Two tops
 * would be two descriptions after the restore: refused, but for a socket
 * pair the tree makes (find_unix_pairs()), whose every end is handed down
 * from its maker.  An anonymous object (pipe, socket, memfd, deleted
 * file) whose descriptions have tops in different processes would be two
 * objects: refused.
 */
static int check_shared_fds(struct tree *t)
{
	int *top, ret = 0;

	for (int i = 0; i < t->nr && !ret; i++)
		if (!t->m[i]->zombie)
			ret = list_fds(t, i);
	if (ret)
		return ret;
	qsort_r(t->fds, t->nr_fds, sizeof(*t->fds), cmp_fd_desc, t);
	top = calloc(t->nr_fds + 1, sizeof(*top));
	if (!top)
		return -ENOMEM;
	for (int s = 0, e; s < t->nr_fds && !ret; s = e) {
		for (e = s + 1; e < t->nr_fds && same_desc(t, &t->fds[s], &t->fds[e]); e++)
			;
		for (int i = s; i < e && !ret; i++) {
			const struct mfd *x = &t->fds[i];
			int parent = t->m[x->m]->parent, pfd = -1;

			t->fds[i].desc = s;
			for (int j = s; j < e && pfd < 0; j++)
				if (parent >= 0 && t->fds[j].m == parent)
					pfd = t->fds[j].fd;
			top[i] = pfd >= 0 ? -1 : x->m;
			if (pfd >= 0)
				ret = add_inherit(t, x, pfd);
		}
	}
	diag_unix(t);
	if (!ret)
		ret = find_unix_pairs(t, top);
	for (int s = 0, e; s < t->nr_fds && !ret; s = e) {
		int first_top = -1;

		for (e = s + 1; e < t->nr_fds && t->fds[e].desc == s; e++)
			;
		for (int i = s; i < e && !ret && !t->fds[s].tree_sock; i++) {
			const struct mfd *x = &t->fds[i];

			if (top[i] < 0)
				continue;
			if (first_top < 0) {
				first_top = i;
			} else if (t->fds[first_top].m != x->m) {
				sudcr_error("processes %d and %d share the open file description of their fds %d and %d (%s), and neither got it from the other by fork: not supported yet",
					    t->m[t->fds[first_top].m]->pid, t->m[x->m]->pid,
					    t->fds[first_top].fd, x->fd, x->link);
				ret = -EOPNOTSUPP;
			}
		}
	}
	/*
	 * One anonymous object, made by one process: all its descriptions'
	 * tops are that one.  A pipe may have others, in descendants of the
	 * one that makes it: they open it again through the fork.
	 */
	for (int i = 0; i < t->nr_fds && !ret; i++) {
		const struct mfd *x = &t->fds[i];

		if (!x->anon || top[i] < 0 || !x->ino || x->tree_sock)
			continue;
		for (int j = 0; j < t->nr_fds && !ret; j++) {
			const struct mfd *y = &t->fds[j];
			int owner;

			if (j == i || top[j] < 0 || top[j] == top[i] || !y->anon || y->ino != x->ino ||
			    y->dev != x->dev)
				continue;
			owner = strncmp(x->link, "pipe:", 5) ? -1 : pipe_owner(t, x);
			if (owner >= 0) {
				ret = add_pipe(t, owner, x->ino);
				continue;
			}
			sudcr_error("processes %d and %d share %s through different open file descriptions (fds %d and %d): not supported yet",
				    t->m[x->m]->pid, t->m[y->m]->pid, x->link, x->fd, y->fd);
			ret = -EOPNOTSUPP;
		}
	}
	free(top);
	return ret;
}

/*
 * A System V segment attached in two members: each image would make it.
 * Other shared memory is the mm dump's (IMG_REC_TREE_SHM).
 */
static int check_shared_memory(struct tree *t)
{
	for (int i = 0; i < t->nr; i++) {
		struct dump_ctx *a = &t->m[i]->d;

		for (int k = 0; k < a->nr_vmas && !t->m[i]->zombie; k++) {
			const struct proc_vma *v = &a->vmas[k];

			if (!v->shared || strncmp(v->path, "/SYSV", 5))
				continue;
			for (int j = i + 1; j < t->nr; j++) {
				struct dump_ctx *b = &t->m[j]->d;

				for (int l = 0; l < b->nr_vmas && !t->m[j]->zombie; l++) {
					const struct proc_vma *w = &b->vmas[l];

					if (!w->shared || strncmp(w->path, "/SYSV", 5) || w->ino != v->ino ||
					    w->dev_major != v->dev_major || w->dev_minor != v->dev_minor)
						continue;
					sudcr_error("processes %d and %d share memory (System V segment %llu): not supported yet",
						    a->pid, b->pid, (unsigned long long)v->ino);
					return -EOPNOTSUPP;
				}
			}
		}
	}
	return 0;
}

/* A member image committed before the tree failed: its files go. */
static void remove_member_image(struct member *m)
{
	char path[PATH_MAX + 300];
	struct dirent *de;
	DIR *dir = opendir(m->dir);

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (strcmp(de->d_name, "core.img") && strncmp(de->d_name, "pages-", 6))
			continue;
		snprintf(path, sizeof(path), "%s/%s", m->dir, de->d_name);
		unlink(path);
	}
	closedir(dir);
	dump_remove_image_dir(m->dir, m->dir_created);
}

static int write_tree(struct tree *t)
{
	struct img_writer *img;
	int ret;

	ret = img_writer_open_flags(&img, t->opts->dir, t->opts->overwrite ? IMG_W_OVERWRITE : 0);
	if (ret)
		return ret;
	img_writer_set_sync(img, !t->opts->no_sync);
	for (int i = 0; i < t->nr && !ret; i++) {
		const struct member *m = t->m[i];
		struct rec_tree_proc p = {
			.pid = m->pid,
			.ppid = m->parent >= 0 ? t->m[m->parent]->pid : 0,
			.pgid = m->pgid,
			.sid = m->sid,
			.state = m->zombie ? REC_TREE_ZOMBIE : REC_TREE_LIVE,
			.exit_status = m->zombie ? m->exit_status : 0,
			.nr_threads = m->zombie ? 0 : (uint32_t)m->d.nr_threads,
			.flags = (!m->zombie && m->d.stopped ? REC_TREE_F_STOPPED : 0) |
				 (m->share_files ? REC_TREE_F_FILES : 0) | (m->share_fs ? REC_TREE_F_FS : 0),
		};

		memcpy(p.comm, m->comm, sizeof(p.comm));
		ret = img_write_record(img, IMG_REC_TREE_PROC, &p, sizeof(p));
	}
	for (int i = 0; i < t->nr_inherit && !ret; i++)
		ret = img_write_record(img, IMG_REC_TREE_FD, &t->inherit[i], sizeof(t->inherit[i]));
	for (int i = 0; i < t->nr_pipes && !ret; i++)
		ret = img_write_record(img, IMG_REC_TREE_PIPE, &t->pipes[i], sizeof(t->pipes[i]));
	for (int i = 0; i < t->nr_socks && !ret; i++)
		ret = img_write_record(img, IMG_REC_TREE_UNIX, &t->socks[i], sizeof(t->socks[i]));
	for (int i = 0; i < t->nr && !ret; i++)
		for (int k = 0; k < t->m[i]->d.nr_tree_shm && !ret; k++)
			ret = img_write_record(img, IMG_REC_TREE_SHM, &t->m[i]->d.tree_shm[k],
					       sizeof(t->m[i]->d.tree_shm[k]));
	for (int i = 0; i < t->nr && !ret; i++)
		for (int k = 0; k < t->m[i]->d.nr_tree_cow && !ret; k++) {
			const struct rec_tree_cow *c = t->m[i]->d.tree_cow[k];

			ret = img_write_record(img, IMG_REC_TREE_COW, c,
					       sizeof(*c) + c->nr_runs * sizeof(struct rec_tree_cow_run));
		}
	if (ret) {
		img_writer_abort(img);
		return ret;
	}
	return img_writer_commit(img);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_inherit(const void *a, const void *b)
{
	const struct rec_tree_fd *x = a, *y = b;

	return x->pid != y->pid ? cmp_pid(&x->pid, &y->pid) : x->fd < y->fd ? -1 : x->fd > y->fd;
}

bool dump_tree_sock(const struct dump_ctx *d, uint32_t ino)
{
	return d->tree_member && d->nr_tree_socks &&
	       bsearch(&ino, d->tree_socks, d->nr_tree_socks, sizeof(uint32_t), cmp_u32);
}

bool dump_tree_fd_inherited(const struct dump_ctx *d, int fd)
{
	if (!d->tree_member)
		return false;
	for (int k = 0; k < d->nr_tree_fds; k++)
		if (d->tree_fds[k].fd == fd)
			return true;
	return false;
}

bool dump_tree_pipe_inside(const struct dump_ctx *d, int fd, const int32_t *pids, int nr)
{
	if (!d->tree_member)
		return false;
	if (dump_tree_fd_inherited(d, fd))
		return true;
	for (int k = 0; k < nr; k++)
		if (!bsearch(&pids[k], d->tree_pids, d->nr_tree_pids, sizeof(pid_t), cmp_pid))
			return false;
	return nr > 0;
}

/* What each member's files dump needs to know of the tree. */
static int share_tree(struct tree *t)
{
	t->pids = calloc(t->nr, sizeof(*t->pids));
	if (!t->pids)
		return -ENOMEM;
	for (int i = 0; i < t->nr; i++)
		t->pids[i] = t->m[i]->pid;
	qsort(t->pids, t->nr, sizeof(*t->pids), cmp_pid);
	if (t->nr_inherit)	/* t->inherit is NULL then: no qsort(NULL, 0) */
		qsort(t->inherit, t->nr_inherit, sizeof(*t->inherit), cmp_inherit);
	for (int i = 0; i < t->nr; i++) {
		struct dump_ctx *d = &t->m[i]->d;

		d->tree_pids = t->pids;
		d->nr_tree_pids = t->nr;
		d->tree_socks = t->sock_inos;
		d->nr_tree_socks = 2 * t->nr_socks;
		for (int k = 0; k < t->nr_inherit; k++) {
			if (t->inherit[k].pid != d->pid)
				continue;
			if (!d->nr_tree_fds)
				d->tree_fds = &t->inherit[k];
			d->nr_tree_fds++;
		}
	}
	return 0;
}

static int collect_tree(struct tree *t)
{
	struct dump_ctx **live = calloc(t->nr, sizeof(*live));
	int nr_live = 0, nr_done = 0, ret = live ? share_tree(t) : -ENOMEM;

	for (int i = 0; i < t->nr && live; i++)
		if (!t->m[i]->zombie)
			live[nr_live++] = &t->m[i]->d;
	for (int i = 0; i < t->nr && !ret; i++) {
		struct member *m = t->m[i];

		if (m->zombie)
			continue;
		/* The mm dump finds the objects it maps that an earlier member maps, or any holds. */
		m->d.tree_peers = live;
		m->d.nr_tree_peers = nr_done++;
		m->d.nr_tree_live = nr_live;
		m->d.tree_parent = m->parent >= 0 ? &t->m[m->parent]->d : NULL;
		ret = cr_cancelled() ? -EINTR : dump_collect(&m->d, &m->dir_created, &m->committed);
		/* Between two members the injection of the one done ends: it stays frozen. */
		if (!ret)
			ret = dump_end_injection(&m->d);
	}
	for (int i = 0; i < t->nr; i++) {
		t->m[i]->d.nr_tree_peers = t->m[i]->d.nr_tree_live = 0;
		t->m[i]->d.tree_parent = NULL;
	}
	free(live);
	if (!ret)
		ret = check_shared_memory(t);
	/* The last look: none of them left its stop while the others were collected. */
	for (int i = 0; i < t->nr && !ret; i++)
		if (!t->m[i]->zombie && dump_process_killed(&t->m[i]->d, true))
			ret = -ESRCH;
	if (!ret)
		ret = write_tree(t);
	return ret;
}

static int make_top_dir(struct tree *t)
{
	if (!mkdir(t->opts->dir, 0700)) {
		t->top_created = true;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	int err = errno;

	sudcr_error("%s: cannot create image directory: %s", t->opts->dir, strerror(err));
	return -err;
}

int dump_tree(struct dump_ctx *root)
{
	struct tree t = { .opts = &root->opts };
	unsigned long errors = sudcr_log_errors();
	struct member *r;
	FILE *f;
	int ret, err;

	t.pid_max = 4194304;
	f = fopen("/proc/sys/kernel/pid_max", "r");
	if (f) {
		if (fscanf(f, "%ld", &t.pid_max) != 1 || t.pid_max <= 0 || t.pid_max > 4194304)
			t.pid_max = 4194304;
		fclose(f);
	}
	t.seen = calloc(t.pid_max / 8 + 1, 1);
	r = t.seen ? new_member(&t, root->pid, -1) : NULL;
	if (!r) {
		sudcr_error("out of memory");
		thaw_process(&root->proc);
		free(t.seen);
		return -ENOMEM;
	}
	r->d.proc = root->proc;
	r->frozen = true;
	{
		struct proc_stat st;

		ret = proc_parse_stat(r->pid, 0, &st);
		if (ret)
			sudcr_error("cannot read /proc/%d/stat: %s", r->pid, strerror(-ret));
		r->pgid = st.pgrp;
		r->sid = st.session;
		snprintf(r->comm, sizeof(r->comm), "%.15s", st.comm);
	}
	if (!ret)
		ret = freeze_tree(&t);
	if (!ret)
		ret = check_shared_tasks(&t);
	if (!ret)
		ret = check_shared_fds(&t);
	if (!ret)
		ret = make_top_dir(&t);
	if (!ret)
		ret = collect_tree(&t);

	if (!ret && !t.opts->leave_running) {
		/* The image is complete: the tree goes, children first. */
		for (int i = t.nr - 1; i >= 0; i--) {
			struct member *m = t.m[i];

			if (m->frozen) {
				cr_kinds_dump_done(&m->d, true);
				task_kill_process(&m->d.proc);
			}
		}
	}
	for (int i = t.nr - 1; i >= 0; i--) {
		struct member *m = t.m[i];

		err = dump_end_injection(&m->d);
		if (err && !ret)
			ret = err;
		if (ret || t.opts->leave_running || !m->frozen)
			cr_kinds_dump_done(&m->d, false);
		if (m->frozen) {
			err = thaw_process(&m->d.proc);
			if (err && !ret)
				ret = err;
		}
		if (ret && m->committed)
			remove_member_image(m);
		else if (ret)
			dump_remove_image_dir(m->dir, m->dir_created);
	}
	if (ret) {
		dump_remove_image_dir(t.opts->dir, t.top_created);
		if (ret == -EINTR && cr_cancelled())
			sudcr_error("dump interrupted: the tree of %d left as it was, no image written",
				    root->pid);
		else if (ret == -ESRCH && sudcr_log_errors() == errors)
			sudcr_error("a process of the tree of %d died during the dump (killed by someone else?): no image written",
				    root->pid);
	} else {
		sudcr_info("dumped the tree of %d (%d processes) into %s", root->pid, t.nr, t.opts->dir);
	}
	for (int i = 0; i < t.nr; i++) {
		free(t.m[i]->d.threads);
		free(t.m[i]->d.vmas);
		free(t.m[i]->d.tree_shm);
		for (int k = 0; k < t.m[i]->d.nr_tree_cow; k++)
			free(t.m[i]->d.tree_cow[k]);
		free(t.m[i]->d.tree_cow);
		free(t.m[i]);
	}
	free(t.m);
	free(t.fds);
	free(t.inherit);
	free(t.pipes);
	free(t.socks);
	free(t.sock_inos);
	free(t.pids);
	free(t.seen);
	return ret;
}
