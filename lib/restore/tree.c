// SPDX-License-Identifier: MIT
/*
 * The restore of a process tree (an image written by dump -t of a process
 * with children: lib/dump/tree.c).
 *
 * Every process's image is read and validated first, and the tree's plan
 * made: who calls setsid(), who makes its own process group, who joins
 * which group, which group whose leader is gone needs a helper process.
 *
 * Then the stubs are made by their parents: sudcr makes the root's stub
 * (clone3 set_tid, as for one process); each stub sets up its session and
 * group, its files (an fd whose open file description it shared with its
 * parent is the parent's, inherited through the fork, IMG_REC_TREE_FD),
 * then makes its children's stubs with clone3 set_tid, so each restored
 * child is a real child of its restored parent: its wait, SIGCHLD, getppid
 * and parent-death signal are right.  A zombie's stub exits at once with
 * the zombie's status, before its parent is seized (its SIGCHLD, unblocked
 * and not handled by the stub, is discarded as the original's was
 * delivered); the parent reaps it after the restore.  A stopped process's
 * stub stops itself, which its parent's waitpid(WUNTRACED) sees.
 *
 * Why stubs rather than an injected clone3 in each restored parent: the
 * stubs carry sudcr's code and the whole validated plan, so a child's
 * setup (sessions, groups, files) is plain C in the child, and the
 * parent's memory is never duplicated into a child only to be replaced.
 * Memory a parent and child shared copy-on-write is shared again all the
 * same: before making its children, each stub makes the mappings they
 * share pages of, with its content, and they inherit them by the fork
 * (lib/restore/mm_cow.c).
 *
 * Once every stub has reported ready (one report pipe, inherited by all),
 * sudcr takes them one at a time: seizes it, injects its join of a group
 * another member made (setpgid: every group exists by then, made in a
 * stub), kills and reaps (an injected wait4) the helpers it made, with
 * exit_signal 0 so it gets no SIGCHLD, and transplants it as one process
 * is.  All stay stopped until the last is done; then all are released.  The root comes back as a child of
 * sudcr restore (or detached with -d), in its session and process group,
 * as a single process does; groups and sessions made inside the tree come
 * back with their IDs.  Any failure kills every stub: sudcr is a child
 * subreaper meanwhile, so it reaps them all.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cr.h"
#include <sudcr/log.h>

#include "../kinds/files.h"
#include "../kinds/kinds.h"
#include "tree.h"

#define TREE_MAX	4096

_Static_assert(sizeof(struct rec_tree_unix) == 144, "rec_tree_unix layout");

struct clone_args_tree {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
		set_tid_size, cgroup;
};

struct tmember {
	struct rec_tree_proc p;
	int parent;		/* index; -1 for the root */
	bool setsid_, setpgid_;	/* in the stub, before its children */
	pid_t join;		/* process group to join by injection once all exist; 0: none */
	pid_t stub_pgid;	/* the group it has after its stub's setup */
	bool ready, seized;
	bool files_top;		/* its fd table is shared with children (CLONE_FILES), not its parent */
	char dir[PATH_MAX];
	struct restore_ctx r;
	struct rec_tree_fd *fds;	/* its own IMG_REC_TREE_FD records */
	int nr_fds;
	struct rec_tree_shm *shm;	/* its own IMG_REC_TREE_SHM records */
	int nr_shm;
	const struct rec_tree_cow **cow;	/* its own IMG_REC_TREE_COW records, in the image */
	int nr_cow;
};

struct thelper {
	pid_t pid;		/* the gone leader's PID: the group's ID */
	int creator;		/* the member whose stub makes it */
	bool ready;
};

/* A pipe with ends in several processes (IMG_REC_TREE_PIPE). */
struct thand {
	uint64_t ino;
	int owner;		/* makes it and keeps a read end for its descendants */
	bool made;		/* the owner holds none of its ends: the tree makes it (a pipeline's) */
	uint32_t size;		/* then: its F_GETPIPE_SZ, from a holder's image */
	int writer;		/* puts its buffered bytes in: the first with a read end of its own */
};

/* A socket pair with ends in several processes (IMG_REC_TREE_UNIX). */
struct tsock {
	int owner;		/* makes it, keeps both ends for its descendants */
	int mem[2], ent[2];	/* each end: a holder whose image fills it (member, fd entry) */
};

struct rtree {
	const struct restore_opts *opts;
	struct img_reader *img;
	struct tmember *m;
	int nr;
	struct thelper *h;
	int nr_h;
	struct thand *hand;
	struct rec_tree_pipe *pipes;	/* the records, same order */
	int *hand_fd;		/* in the stubs: the read end the owner keeps, or -1;
				 * then both ends of each of socks (2 * k, 2 * k + 1) */
	int nr_hand;
	struct tsock *socks;
	struct rec_tree_unix *sock_recs;	/* the records, same order */
	int nr_socks;
	int hand_min;		/* above every fd number of every image: no dup2 of a descendant hits it */
	int report_fd, read_fd;
	int report_nr;		/* the stubs' report_fd, once sudcr closed its own */
	uint8_t *cow_placed;	/* shared with the stubs: restore_ctx.cow_placed of each */
	size_t cow_len;
	pid_t root_pgid;	/* sudcr restore's process group: the root's */
};

static int find_member(const struct rtree *t, pid_t pid)
{
	for (int i = 0; i < t->nr; i++)
		if (t->m[i].p.pid == pid)
			return i;
	return -1;
}

static bool live(const struct tmember *m)
{
	return m->p.state == REC_TREE_LIVE;
}

/* The socket pairs; t->hand_fd grows by their ends. */
static int read_socks(struct rtree *t)
{
	uint64_t n = img_count_type(t->img, IMG_REC_TREE_UNIX);
	const void *data;
	size_t len;
	int ret, *v;

	t->socks = calloc(n + 1, sizeof(*t->socks));
	t->sock_recs = calloc(n + 1, sizeof(*t->sock_recs));
	v = realloc(t->hand_fd, (t->nr_hand + 2 * n + 1) * sizeof(*v));
	if (!t->socks || !t->sock_recs || !v)
		return -ENOMEM;
	t->hand_fd = v;
	img_rewind(t->img);
	while ((ret = cr_next_of_type(t->img, IMG_REC_TREE_UNIX, &data, &len)) == 1) {
		const struct rec_tree_unix *p = data;
		int i = len == sizeof(*p) ? find_member(t, p->owner) : -1;

		if (i < 0 || !live(&t->m[i]) || !p->ino[0] || p->ino[0] >= p->ino[1] ||
		    p->ino[1] > UINT32_MAX || p->pad || p->named_end > 1 ||
		    p->name_len > sizeof(p->name) ||
		    (p->name_len && (p->type == SOCK_DGRAM || (p->name[0] && p->name[0] != '/') ||
				     (p->name[0] && memchr(p->name, 0, p->name_len) &&
				      (const uint8_t *)memchr(p->name, 0, p->name_len) != p->name + p->name_len - 1))) ||
		    (p->type != SOCK_STREAM && p->type != SOCK_DGRAM && p->type != SOCK_SEQPACKET))
			return img_record_invalid(t->img, "bad tree socket pair record");
		for (int k = 0; k < t->nr_socks; k++)
			for (int e = 0; e < 4; e++)
				if (t->sock_recs[k].ino[e / 2] == p->ino[e % 2])
					return img_record_invalid(t->img, "socket %llu in two pairs",
								  (unsigned long long)p->ino[e % 2]);
		t->sock_recs[t->nr_socks] = *p;
		t->socks[t->nr_socks++] = (struct tsock){ .owner = i, .mem = { -1, -1 } };
	}
	for (int k = 0; k < 2 * t->nr_socks; k++)
		t->hand_fd[t->nr_hand + k] = -1;
	return ret < 0 ? ret : 0;
}

/* The tree's records: processes, parents first, and the inherited fds. */
static int read_tree(struct rtree *t)
{
	const void *data;
	size_t len;
	uint32_t type, flags;
	uint64_t n = img_count_type(t->img, IMG_REC_TREE_PROC);
	int ret, k = 0;

	if (!n || n > TREE_MAX) {
		sudcr_error("%s: a tree of %llu processes", t->opts->dir, (unsigned long long)n);
		return -EINVAL;
	}
	t->m = calloc(n, sizeof(*t->m));
	if (!t->m)
		return -ENOMEM;
	img_rewind(t->img);
	while ((ret = img_next_record_flags(t->img, &type, &flags, &data, &len)) == 1) {
		if (type == IMG_REC_TREE_PROC) {
			struct tmember *m = &t->m[k];
			const struct rec_tree_proc *p = data;

			if (len != sizeof(*p) || k >= (int)n)
				return img_record_invalid(t->img, "bad tree process record");
			m->p = *p;
			m->p.comm[sizeof(m->p.comm) - 1] = '\0';
			m->parent = k ? find_member(t, p->ppid) : -1;
			t->nr = k;	/* find_member: the earlier ones only */
			/*
			 * A group or session of 0 is one outside sudcr's PID
			 * namespace (its leader is above it: a launcher that
			 * unshared the namespace).  Only the root's can be that,
			 * and a member's only as the root's.
			 */
			if (p->pid <= 0 || find_member(t, p->pid) >= 0 || p->pgid < 0 || p->sid < 0 ||
			    (k && !p->pgid && t->m[0].p.pgid) || (k && !p->sid && t->m[0].p.sid) ||
			    (k == 0) != (p->ppid == 0) || (k && m->parent < 0) ||
			    (k && !live(&t->m[m->parent])))
				return img_record_invalid(t->img, "tree process %d: bad or repeated PID, or a parent %d not before it",
							  p->pid, p->ppid);
			if (p->state == REC_TREE_LIVE) {
				if (p->exit_status || !p->nr_threads ||
				    p->flags & ~(REC_TREE_F_STOPPED | REC_TREE_F_FILES | REC_TREE_F_FS) ||
				    (!k && p->flags & (REC_TREE_F_FILES | REC_TREE_F_FS)))
					return img_record_invalid(t->img, "tree process %d: bad fields", p->pid);
			} else if (p->state == REC_TREE_ZOMBIE) {
				int st = p->exit_status;

				if (!k || p->nr_threads || p->flags || !(WIFEXITED(st) || WIFSIGNALED(st)) ||
				    (st & ~0xffff))
					return img_record_invalid(t->img, "tree zombie %d: bad fields", p->pid);
				if (WIFSIGNALED(st) && WCOREDUMP(st)) {
					sudcr_error("%s: zombie %d was killed by signal %d with a core dump: its status cannot be made again (not supported yet)",
						    t->opts->dir, p->pid, WTERMSIG(st));
					return -EOPNOTSUPP;
				}
			} else {
				return img_record_invalid(t->img, "tree process %d: state %u", p->pid, p->state);
			}
			t->nr = ++k;
		} else if (type != IMG_REC_TREE_FD && type != IMG_REC_TREE_PIPE &&
			   type != IMG_REC_TREE_UNIX && type != IMG_REC_TREE_SHM && type != IMG_REC_TREE_COW) {
			return img_record_invalid(t->img, "record type %u in a tree's own image", type);
		}
	}
	if (ret < 0)
		return ret;
	if (k != (int)n || !live(&t->m[0]))
		return img_record_invalid(t->img, "the root of the tree is no live process");
	/* Inherited fds, each for a live process with a parent. */
	img_rewind(t->img);
	while ((ret = cr_next_of_type(t->img, IMG_REC_TREE_FD, &data, &len)) == 1) {
		const struct rec_tree_fd *f = data;
		int i = len == sizeof(*f) ? find_member(t, f->pid) : -1;
		struct rec_tree_fd *v;

		if (i <= 0 || !live(&t->m[i]) || f->fd < 0 || f->parent_fd < 0 || f->pad)
			return img_record_invalid(t->img, "bad inherited fd record");
		for (int j = 0; j < t->m[i].nr_fds; j++)
			if (t->m[i].fds[j].fd == f->fd)
				return img_record_invalid(t->img, "process %d: fd %d inherited twice", f->pid, f->fd);
		v = realloc(t->m[i].fds, (t->m[i].nr_fds + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		v[t->m[i].nr_fds++] = *f;
		t->m[i].fds = v;
	}
	if (ret < 0)
		return ret;
	n = img_count_type(t->img, IMG_REC_TREE_PIPE);
	t->hand = calloc(n + 1, sizeof(*t->hand));
	t->hand_fd = calloc(n + 1, sizeof(*t->hand_fd));
	t->pipes = calloc(n + 1, sizeof(*t->pipes));
	if (!t->hand || !t->hand_fd || !t->pipes)
		return -ENOMEM;
	img_rewind(t->img);
	while ((ret = cr_next_of_type(t->img, IMG_REC_TREE_PIPE, &data, &len)) == 1) {
		const struct rec_tree_pipe *p = data;
		int i = len == sizeof(*p) ? find_member(t, p->owner) : -1;

		if (i < 0 || !live(&t->m[i]) || !p->ino || p->pad)
			return img_record_invalid(t->img, "bad tree pipe record");
		for (int k = 0; k < t->nr_hand; k++)
			if (t->hand[k].ino == p->ino)
				return img_record_invalid(t->img, "pipe %llu twice", (unsigned long long)p->ino);
		t->hand_fd[t->nr_hand] = -1;
		t->pipes[t->nr_hand] = *p;
		t->hand[t->nr_hand++] = (struct thand){ .ino = p->ino, .owner = i, .writer = -1 };
	}
	if (ret < 0)
		return ret;
	return read_socks(t);
}

/* Mappings of objects an earlier live process maps: that one is transplanted first and makes them. */
static int read_tree_shm(struct rtree *t)
{
	const void *data;
	size_t len;
	int ret;

	img_rewind(t->img);
	while ((ret = cr_next_of_type(t->img, IMG_REC_TREE_SHM, &data, &len)) == 1) {
		const struct rec_tree_shm *f = data;
		int i = len == sizeof(*f) ? find_member(t, f->pid) : -1;
		int p = len == sizeof(*f) ? find_member(t, f->peer) : -1;
		struct rec_tree_shm *v;

		/* A mapping of an earlier process; or an fd of any other, made before any is transplanted. */
		if (i < 0 || p < 0 || p == i || !live(&t->m[i]) || !live(&t->m[p]) || f->pad ||
		    (f->peer_fd < 0 && (!i || p > i || f->peer_start >= f->peer_end || f->peer_fd != -1)) ||
		    (f->peer_fd >= 0 && (f->peer_start || f->peer_end)))
			return img_record_invalid(t->img, "bad shared memory record of process %d", f->pid);
		for (int j = 0; j < t->m[i].nr_shm; j++)
			if (t->m[i].shm[j].start == f->start)
				return img_record_invalid(t->img, "process %d: mapping %llx shared twice", f->pid,
							  (unsigned long long)f->start);
		v = realloc(t->m[i].shm, (t->m[i].nr_shm + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		v[t->m[i].nr_shm++] = *f;
		t->m[i].shm = v;
	}
	return ret < 0 ? ret : 0;
}

/* Mappings sharing pages copy-on-write with the parent's (lib/restore/mm_cow.c). */
static int read_tree_cow(struct rtree *t)
{
	const void *data;
	size_t len;
	int ret;

	img_rewind(t->img);
	while ((ret = cr_next_of_type(t->img, IMG_REC_TREE_COW, &data, &len)) == 1) {
		const struct rec_tree_cow *c = data;
		int i = len >= sizeof(*c) ? find_member(t, c->pid) : -1;
		const struct rec_tree_cow **v;

		if (i <= 0 || !live(&t->m[i]) || (len - sizeof(*c)) / sizeof(struct rec_tree_cow_run) != c->nr_runs ||
		    (len - sizeof(*c)) % sizeof(struct rec_tree_cow_run) || c->start >= c->end)
			return img_record_invalid(t->img, "bad copy-on-write record of process %d", c->pid);
		v = realloc(t->m[i].cow, (t->m[i].nr_cow + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		v[t->m[i].nr_cow++] = c;
		t->m[i].cow = v;
	}
	return ret < 0 ? ret : 0;
}

/* One byte per mapping of each process, shared with the stubs: which mappings a stub made. */
static int map_cow_placed(struct rtree *t)
{
	size_t at = 0;
	bool any = false;

	for (int i = 0; i < t->nr; i++) {
		any |= t->m[i].nr_cow > 0;
		if (live(&t->m[i]))
			t->cow_len += restore_mm_nr_vmas(&t->m[i].r);
	}
	if (!any || !t->cow_len)
		return 0;
	t->cow_placed = mmap(NULL, t->cow_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t->cow_placed == MAP_FAILED) {
		t->cow_placed = NULL;
		return -errno;
	}
	for (int i = 0; i < t->nr; i++) {
		if (!live(&t->m[i]))
			continue;
		t->m[i].r.cow_placed = t->cow_placed + at;
		at += restore_mm_nr_vmas(&t->m[i].r);
	}
	return 0;
}

static int add_helper(struct rtree *t, pid_t pgid, int creator)
{
	struct thelper *v;

	/* The last member of the group makes it: every other one has joined by its turn. */
	for (int i = 0; i < t->nr_h; i++)
		if (t->h[i].pid == pgid) {
			t->h[i].creator = creator;
			return 0;
		}
	v = realloc(t->h, (t->nr_h + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	t->h = v;
	v[t->nr_h++] = (struct thelper){ .pid = pgid, .creator = creator };
	return 0;
}

/*
 * Sessions and groups, in creation order.  The root keeps sudcr's session
 * and group, as one process does: the root's dumped session and group are
 * "the root's" for the others.  A session is inherited through fork or
 * made by its leader, so each process's session is its parent's or its
 * own.  A group is made by its leader in its stub; joined by injection once
 * all exist; and one whose leader is gone is made by a helper with its ID.
 */
static int plan_groups(struct rtree *t)
{
	const struct rec_tree_proc *root = &t->m[0].p;

	t->m[0].stub_pgid = t->root_pgid;
	for (int i = 1; i < t->nr; i++) {
		struct tmember *m = &t->m[i], *par = &t->m[m->parent];
		pid_t target;
		int leader;

		if (m->p.sid == m->p.pid) {
			m->setsid_ = true;
		} else if (m->p.sid != par->p.sid) {
			sudcr_error("%s: process %d is in session %d, neither its parent %d's (%d) nor its own: not supported yet",
				    t->opts->dir, m->p.pid, m->p.sid, par->p.pid, par->p.sid);
			return -EOPNOTSUPP;
		}
		if (m->p.pgid == m->p.pid && !m->setsid_)
			m->setpgid_ = true;
		m->stub_pgid = m->setsid_ || m->setpgid_ ? m->p.pid : par->stub_pgid;
		target = m->p.pgid == root->pgid ? t->root_pgid : m->p.pgid;
		if (target == m->stub_pgid)
			continue;
		if (m->p.state == REC_TREE_ZOMBIE) {
			sudcr_error("%s: zombie %d was in process group %d, which it neither made nor inherited: not supported yet",
				    t->opts->dir, m->p.pid, m->p.pgid);
			return -EOPNOTSUPP;
		}
		if (target == t->root_pgid && m->p.sid != root->sid) {
			sudcr_error("%s: process %d is in the root's process group %d but not in its session: not valid",
				    t->opts->dir, m->p.pid, m->p.pgid);
			return -EINVAL;
		}
		m->join = target;
		if (target == t->root_pgid)
			continue;
		leader = find_member(t, target);
		if (leader >= 0 && t->m[leader].p.pgid == target) {
			if (t->m[leader].p.sid != m->p.sid) {
				sudcr_error("%s: process %d is in group %d of another session: not valid",
					    t->opts->dir, m->p.pid, target);
				return -EINVAL;
			}
			continue;
		}
		if (leader >= 0) {
			sudcr_error("%s: process %d is in group %d, whose ID is that of process %d of another group: not valid",
				    t->opts->dir, m->p.pid, target, target);
			return -EINVAL;
		}
		/* Its leader is gone: a member of it (the last) makes a helper with its ID. */
		int ret = add_helper(t, target, i);

		if (ret)
			return ret;
		for (int h = 0; h < t->nr_h; h++)
			if (t->h[h].pid == target && t->m[t->h[h].creator].p.sid != m->p.sid) {
				sudcr_error("%s: process group %d spans two sessions: not valid", t->opts->dir,
					    target);
				return -EINVAL;
			}
	}
	return 0;
}

static int check_pid_unused(pid_t pid)
{
	char path[64], comm[64] = "";

	/* A zombie being reaped frees its PID shortly (as restore.c's check). */
	snprintf(path, sizeof(path), "/proc/%d", pid);
	for (int i = 0; i < 100; i++) {
		if (access(path, F_OK))
			return 0;
		usleep(10000);
	}
	proc_read_comm(pid, 0, comm, sizeof(comm));
	sudcr_error("cannot restore: PID %d is taken by another process (%s)", pid, comm);
	return -EEXIST;
}

/* The object leader of pipe @ino in member @i's image, or -1. */
static int pipe_object(const struct tmember *m, uint64_t ino)
{
	const struct restore_files_state *s = m->r.files_state;

	for (int i = 0; s && i < s->nr; i++)
		if (s->fds[i].obj == i && s->fds[i].rec->kind == REC_FD_PIPE && s->fds[i].rec->ino == ino)
			return i;
	return -1;
}

/* Whether member @m's object @o has a read end, and is not wholly its parent's. */
static bool own_reader(const struct tmember *m, int o)
{
	const struct restore_files_state *s = m->r.files_state;
	bool reader = false;

	for (int i = 0; i < s->nr; i++) {
		if (s->fds[i].obj != o)
			continue;
		if ((s->fds[i].rec->flags & O_ACCMODE) != O_WRONLY)
			reader = true;
	}
	for (int k = 0; k < m->nr_fds; k++)
		if (m->fds[k].fd == s->fds[o].rec->fd)
			return false;
	return reader;
}

static bool descends(const struct rtree *t, int a, int m)
{
	for (; m >= 0; m = t->m[m].parent)
		if (m == a)
			return true;
	return false;
}

/* Who makes each shared pipe, who fills it: all its holders descend from its maker. */
static int plan_pipes(struct rtree *t)
{
	for (int i = 0; i < t->nr; i++) {
		const struct restore_files_state *s = t->m[i].r.files_state;

		if (live(&t->m[i]) && s && s->max_fd + 1 > t->hand_min)
			t->hand_min = s->max_fd + 1;
	}
	for (int k = 0; k < t->nr_hand; k++) {
		struct thand *h = &t->hand[k];

		int holders = 0;

		h->made = pipe_object(&t->m[h->owner], h->ino) < 0;
		for (int i = 0; i < t->nr; i++) {
			int o = live(&t->m[i]) ? pipe_object(&t->m[i], h->ino) : -1;

			if (o < 0)
				continue;
			if (!holders++)
				h->size = t->m[i].r.files_state->fds[o].rec->pipe_size;
			if (!descends(t, h->owner, i)) {
				sudcr_error("%s: process %d holds pipe %llu, which process %d, not its ancestor, makes",
					    t->opts->dir, t->m[i].p.pid, (unsigned long long)h->ino,
					    t->m[h->owner].p.pid);
				return -EINVAL;
			}
			if (h->writer < 0 && own_reader(&t->m[i], o))
				h->writer = i;
		}
		if (holders < 2 || (h->made && (h->size < 4096 || h->size > (1u << 30)))) {
			sudcr_error("%s: pipe %llu that process %d makes: %d processes hold it, size %u",
				    t->opts->dir, (unsigned long long)h->ino, t->m[h->owner].p.pid, holders,
				    h->size);
			return -EINVAL;
		}
	}
	return 0;
}

/* The description leader of socket @ino, an end alone, in member @i's image, or -1. */
static int sock_end(const struct tmember *m, uint64_t ino)
{
	const struct restore_files_state *s = m->r.files_state;

	for (int i = 0; s && i < s->nr; i++)
		if (s->fds[i].desc == i && s->fds[i].rec->kind == REC_FD_UNIX && s->fds[i].unx &&
		    s->fds[i].unx->peer < 0 && s->fds[i].rec->ino == ino)
			return i;
	return -1;
}

/* Who fills each end of each socket pair: a holder of it; all its holders descend from its maker. */
static int plan_socks(struct rtree *t)
{
	for (int k = 0; k < t->nr_socks; k++) {
		struct tsock *p = &t->socks[k];
		const struct rec_tree_unix *rec = &t->sock_recs[k];

		for (int i = 0; i < t->nr; i++) {
			for (int e = 0; e < 2 && live(&t->m[i]); e++) {
				int o = sock_end(&t->m[i], rec->ino[e]);

				if (o < 0)
					continue;
				if (!descends(t, p->owner, i) ||
				    t->m[i].r.files_state->fds[o].unx->peer_ino != rec->ino[!e]) {
					sudcr_error("%s: process %d holds socket %llu of a pair that process %d, not its ancestor, makes, or not with its peer",
						    t->opts->dir, t->m[i].p.pid,
						    (unsigned long long)rec->ino[e], t->m[p->owner].p.pid);
					return -EINVAL;
				}
				if (p->mem[e] < 0) {
					p->mem[e] = i;
					p->ent[e] = o;
				}
			}
		}
		if (p->mem[0] < 0 || p->mem[1] < 0) {
			sudcr_error("%s: socket pair %llu/%llu that process %d makes: no process holds one of its ends",
				    t->opts->dir, (unsigned long long)rec->ino[0],
				    (unsigned long long)rec->ino[1], t->m[p->owner].p.pid);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Member @i shares its parent's fd table: its image holds the same fds,
 * each a description of the parent's (IMG_REC_TREE_FD).
 */
static int check_files_shared(const struct rtree *t, int i)
{
	const struct tmember *m = &t->m[i];
	const struct restore_files_state *s = m->r.files_state, *ps = t->m[m->parent].r.files_state;
	int same = s && ps && s->nr == ps->nr && m->nr_fds == s->nr;

	for (int k = 0; same && k < m->nr_fds; k++)
		same = rf_find_fd(ps, m->fds[k].fd) >= 0 && rf_find_fd(ps, m->fds[k].parent_fd) >= 0;
	if (same)
		return 0;
	sudcr_error("%s: process %d shares its parent's fd table, but its image does not hold the same fds",
		    m->dir, m->p.pid);
	return -EINVAL;
}

/* Each process's image, read and checked; the inherited fds checked against both images. */
static int prepare_members(struct rtree *t)
{
	int ret = 0;

	for (int i = 0; i < t->nr && !ret; i++) {
		struct tmember *m = &t->m[i];
		struct restore_ctx *r = &m->r;

		if (!live(m)) {
			ret = check_pid_unused(m->p.pid);
			continue;
		}
		snprintf(m->dir, sizeof(m->dir), "%s/%d", t->opts->dir, m->p.pid);
		r->opts = *t->opts;
		r->opts.dir = m->dir;
		/* Its parent is its own: its parent-death signal stays, with -d too. */
		if (i)
			r->opts.detach = false;
		r->files_shared = m->p.flags & REC_TREE_F_FILES;
		r->fs_shared = m->p.flags & REC_TREE_F_FS;
		r->tree_fds = m->fds;
		r->nr_tree_fds = m->nr_fds;
		r->tree_shm = m->shm;
		r->nr_tree_shm = m->nr_shm;
		r->tree_cow = m->cow;
		r->nr_tree_cow = m->nr_cow;
		r->tree_pipes = t->pipes;
		r->nr_tree_pipes = t->nr_hand;
		r->tree_unix = t->sock_recs;
		r->nr_tree_unix = t->nr_socks;
		r->tree_keep = t->hand_fd;
		r->nr_tree_keep = t->nr_hand + 2 * t->nr_socks;
		ret = img_reader_open(&r->img, m->dir);
		if (!ret)
			ret = restore_member_prepare(r);
		if (!ret && (r->proc.pid != m->p.pid || r->proc.nr_threads != m->p.nr_threads)) {
			sudcr_error("%s: process %d of %u threads, the tree says %d of %u", m->dir,
				    r->proc.pid, r->proc.nr_threads, m->p.pid, m->p.nr_threads);
			ret = -EINVAL;
		}
		if (!ret && !!(r->proc.flags & REC_PROC_STOPPED) != !!(m->p.flags & REC_TREE_F_STOPPED)) {
			sudcr_error("%s: process %d: stopped in its image but not in the tree's, or the reverse",
				    m->dir, m->p.pid);
			ret = -EINVAL;
		}
	}
	for (int h = 0; h < t->nr_h && !ret; h++)
		ret = check_pid_unused(t->h[h].pid);
	for (int i = 1; i < t->nr && !ret; i++) {
		struct tmember *m = &t->m[i];

		if (!live(m) || !(m->p.flags & REC_TREE_F_FILES))
			continue;
		ret = check_files_shared(t, i);
		/* The top of the sharing, for close_stub_fds(). */
		for (int a = m->parent; a >= 0; a = t->m[a].parent)
			if (!(t->m[a].p.flags & REC_TREE_F_FILES)) {
				t->m[a].files_top = true;
				break;
			}
	}
	for (int i = 0; i < t->nr && !ret; i++)
		for (int k = 0; k < t->m[i].nr_shm && !ret; k++)
			ret = restore_mm_check_peer(&t->m[i].r, &t->m[find_member(t, t->m[i].shm[k].peer)].r,
						    &t->m[i].shm[k]);
	for (int i = 0; i < t->nr && !ret; i++)
		if (t->m[i].nr_cow)
			ret = restore_mm_cow_link(&t->m[i].r, &t->m[t->m[i].parent].r);
	if (!ret)
		ret = map_cow_placed(t);
	if (!ret)
		ret = plan_pipes(t);
	return ret ? ret : plan_socks(t);
}

bool restore_tree_unix_pair(const struct restore_ctx *r, uint64_t ino, uint64_t peer_ino, uint32_t type)
{
	for (int k = 0; k < r->nr_tree_unix; k++) {
		const struct rec_tree_unix *p = &r->tree_unix[k];

		if (p->type == type && ((p->ino[0] == ino && p->ino[1] == peer_ino) ||
					(p->ino[1] == ino && p->ino[0] == peer_ino)))
			return true;
	}
	return false;
}

bool restore_tree_pipe_inside(const struct restore_ctx *r, const struct rf_fd *o)
{
	for (int k = 0; k < r->nr_tree_fds; k++)
		if (r->tree_fds[k].fd == o->rec->fd)
			return true;
	for (int k = 0; k < r->nr_tree_pipes; k++)
		if (r->tree_pipes[k].ino == o->rec->ino)
			return true;
	return false;
}

/* ---- in the stubs ---- */

static void __attribute__((noreturn)) stub_die(const char *what, int err)
{
	sudcr_error("%s: %s", what, strerror(err));
	_exit(1);
}

/* Before the stub's files: the pipes it makes for its descendants, those it opens of its ancestors'. */
static void setup_pipes(struct rtree *t, int i)
{
	struct restore_files_state *s = t->m[i].r.files_state;

	/* Those it makes without holding them: only a read end stays, above every image's fds. */
	for (int k = 0; k < t->nr_hand; k++) {
		int p[2];

		if (t->hand[k].owner != i || !t->hand[k].made)
			continue;
		if (pipe2(p, O_CLOEXEC))
			stub_die("pipe2 for the child processes", errno);
		if (fcntl(p[1], F_SETPIPE_SZ, (int)t->hand[k].size) < (int)t->hand[k].size)
			stub_die("F_SETPIPE_SZ of a pipe for the child processes", errno);
		t->hand_fd[k] = fcntl(p[0], F_DUPFD_CLOEXEC, t->hand_min);
		if (t->hand_fd[k] < 0)
			stub_die("F_DUPFD of a pipe for the child processes", errno);
		close(p[0]);
		close(p[1]);
	}
	for (int k = 0; k < t->nr_hand; k++) {
		int o = pipe_object(&t->m[i], t->hand[k].ino);

		if (o < 0)
			continue;
		if (t->hand[k].owner == i) {
			s->fds[o].tree_keep = &t->hand_fd[k];
			continue;
		}
		if (t->hand_fd[k] < 0)
			rf_stub_die("internal: pipe %llu of the tree is not open", (unsigned long long)t->hand[k].ino);
		s->fds[o].inherit_src = t->hand_fd[k];
		s->fds[o].inherit_same = t->hand[k].writer != i;
	}
}

/*
 * Before the stub's files: the socket pairs it makes, both ends kept above
 * every image's fds for its descendants, and its own ends taken from them.
 */
static void setup_socks(struct rtree *t, int i)
{
	struct restore_files_state *s = t->m[i].r.files_state;

	for (int k = 0; k < t->nr_socks; k++) {
		struct tsock *p = &t->socks[k];
		int *kept = &t->hand_fd[t->nr_hand + 2 * k], sv[2];

		if (p->owner != i)
			continue;
		unix_make_tree_pair(t->m[p->mem[0]].r.files_state,
				    &t->m[p->mem[0]].r.files_state->fds[p->ent[0]],
				    t->m[p->mem[1]].r.files_state,
				    &t->m[p->mem[1]].r.files_state->fds[p->ent[1]], &t->sock_recs[k], sv);
		for (int e = 0; e < 2; e++) {
			kept[e] = fcntl(sv[e], F_DUPFD_CLOEXEC, t->hand_min);
			if (kept[e] < 0)
				stub_die("F_DUPFD of a socket for the child processes", errno);
			close(sv[e]);
		}
	}
	for (int k = 0; k < t->nr_socks; k++)
		for (int e = 0; e < 2; e++) {
			int o = sock_end(&t->m[i], t->sock_recs[k].ino[e]);

			if (o < 0)
				continue;
			if (t->hand_fd[t->nr_hand + 2 * k + e] < 0)
				rf_stub_die("internal: socket %llu of the tree is not open",
					    (unsigned long long)t->sock_recs[k].ino[e]);
			s->fds[o].inherit_src = t->hand_fd[t->nr_hand + 2 * k + e];
		}
}

/* The owner's read ends, moved above every image's fds (files.c put them above its own). */
static void lift_pipes(struct rtree *t, int i)
{
	for (int k = 0; k < t->nr_hand; k++) {
		int fd;

		if (t->hand[k].owner != i || t->hand_fd[k] < 0 || t->hand_fd[k] >= t->hand_min)
			continue;
		fd = fcntl(t->hand_fd[k], F_DUPFD_CLOEXEC, t->hand_min);
		if (fd < 0)
			stub_die("F_DUPFD of a pipe for the child processes", errno);
		close(t->hand_fd[k]);
		t->hand_fd[k] = fd;
	}
}

static void close_pipes(struct rtree *t)
{
	for (int k = 0; k < t->nr_hand + 2 * t->nr_socks; k++)
		if (t->hand_fd[k] >= 0) {
			close(t->hand_fd[k]);
			t->hand_fd[k] = -1;
		}
}

static void report_ready(struct rtree *t)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "P%d", (int)getpid()) + 1;

	if (write(t->report_fd, buf, n) != n)
		_exit(1);
}

static void __attribute__((noreturn)) member_main(struct rtree *t, int i, pid_t parent);

static pid_t clone_with_pid(pid_t pid, int exit_signal, uint64_t flags)
{
	pid_t want = pid;
	struct clone_args_tree args = {
		.flags = flags,
		.exit_signal = (uint64_t)exit_signal,
		.set_tid = (uintptr_t)&want,
		.set_tid_size = 1,
	};

	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* A zombie: its name, session and group, then its exit as the original's. */
static void __attribute__((noreturn)) zombie_main(struct rtree *t, int i)
{
	const struct tmember *m = &t->m[i];
	int st = m->p.exit_status;
	sigset_t all;

	prctl(PR_SET_NAME, m->p.comm);
	if ((m->setsid_ && setsid() < 0) || (m->setpgid_ && setpgid(0, 0)))
		stub_die("zombie: its session or process group", errno);
	close_range(0, ~0U, 0);
	if (WIFEXITED(st))
		_exit(WEXITSTATUS(st));
	/* No core file: a core dump would also set the core bit the original lacked. */
	prctl(PR_SET_DUMPABLE, 0);
	signal(WTERMSIG(st), SIG_DFL);
	sigfillset(&all);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	kill(getpid(), WTERMSIG(st));
	_exit(127);
}

/* A helper for group @h whose leader is gone: it makes the group and waits to be killed. */
static void __attribute__((noreturn)) helper_main(struct rtree *t, int h, pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	if (setpgid(0, 0))
		stub_die("helper for a process group", errno);
	report_ready(t);
	close_range(0, ~0U, 0);
	(void)h;
	for (;;)
		pause();
}

static void make_children(struct rtree *t, int i)
{
	pid_t self = getpid();
	sigset_t chld;

	/* A zombie's SIGCHLD must not stay pending in us: unblocked, not handled, it is dropped. */
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_UNBLOCK, &chld, NULL);
	for (int h = 0; h < t->nr_h; h++) {
		pid_t pid;

		if (t->h[h].creator != i)
			continue;
		pid = clone_with_pid(t->h[h].pid, 0, 0);
		if (pid < 0)
			stub_die("cannot create the helper process of a process group", errno);
		if (!pid)
			helper_main(t, h, self);
	}
	for (int c = i + 1; c < t->nr; c++) {
		pid_t pid;

		if (t->m[c].parent != i)
			continue;
		pid = clone_with_pid(t->m[c].p.pid, SIGCHLD,
				     (t->m[c].p.flags & REC_TREE_F_FILES ? CLONE_FILES : 0) |
				     (t->m[c].p.flags & REC_TREE_F_FS ? CLONE_FS : 0));
		if (pid < 0) {
			int err = errno;

			sudcr_error("cannot create process %d (child of %d): %s", t->m[c].p.pid, self,
				    err == EEXIST ? "PID taken" : strerror(err));
			_exit(1);
		}
		if (!pid) {
			if (live(&t->m[c]))
				member_main(t, c, self);
			zombie_main(t, c);
		}
	}
	/* Zombies are dead before we report: no SIGCHLD after we are seized. */
	for (int c = i + 1; c < t->nr; c++) {
		siginfo_t si;

		if (t->m[c].parent != i || live(&t->m[c]))
			continue;
		while (waitid(P_PID, t->m[c].p.pid, &si, WEXITED | WNOWAIT) && errno == EINTR)
			;
	}
}

static void __attribute__((noreturn)) member_main(struct rtree *t, int i, pid_t parent)
{
	struct tmember *m = &t->m[i];
	struct restore_ctx *r = &m->r;

	/* As for one process (restore.c): dies with its parent until it is seized. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	restore_stub_log_to(t->report_fd);
	if (m->setsid_ && setsid() < 0)
		stub_die("setsid", errno);
	if (m->setpgid_ && setpgid(0, 0))
		stub_die("setpgid", errno);
	r->keep_fds[0] = t->report_fd;
	r->nr_keep_fds = 1;
	/* Files before the children, which inherit what they share; misc (cwd, umask) after. */
	setup_pipes(t, i);
	setup_socks(t, i);
	if (cr_kinds_in_stub_part(r, true))
		_exit(1);
	lift_pipes(t, i);
	/* The memory its children share copy-on-write, in place before they are made. */
	if (restore_mm_cow_in_stub(r))
		_exit(1);
	make_children(t, i);
	/* A table shared with others: what they still use stays; sudcr closes it (close_stub_fds()). */
	if (!m->files_top && !r->files_shared)
		close_pipes(t);
	if (cr_kinds_in_stub_part(r, false))
		_exit(1);
	report_ready(t);
	if (!m->files_top && !r->files_shared)
		close(t->report_fd);
	if (r->proc.flags & REC_PROC_STOPPED)
		kill(getpid(), SIGSTOP);
	for (;;)
		pause();
}

/* ---- in sudcr ---- */

static void mark_ready(struct rtree *t, pid_t pid)
{
	int i = find_member(t, pid);

	if (i >= 0) {
		t->m[i].ready = true;
		return;
	}
	for (int h = 0; h < t->nr_h; h++)
		if (t->h[h].pid == pid)
			t->h[h].ready = true;
}

/* Read the stubs' reports until each has said it is ready or all are gone. */
static bool wait_ready(struct rtree *t, int *errors)
{
	char buf[4096];
	size_t used = 0;
	int want = t->nr_h, got = 0;
	ssize_t n;

	for (int i = 0; i < t->nr; i++)
		want += live(&t->m[i]);
	while (got < want) {
		n = read(t->read_fd, buf + used, sizeof(buf) - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += n;
		for (;;) {
			char *end = memchr(buf, '\0', used);

			if (!end)
				break;
			if (buf[0] == 'P') {
				mark_ready(t, (pid_t)atoi(buf + 1));
				got++;
			} else if (buf[0] == 'L' && end > buf + 1) {
				int level = buf[1] - '0';

				if (level < SUDCR_LOG_ERROR || level > SUDCR_LOG_DEBUG)
					level = SUDCR_LOG_ERROR;
				if (level == SUDCR_LOG_ERROR)
					(*errors)++;
				sudcr_log(level, "%s", buf + 2);
			}
			used -= end + 1 - buf;
			memmove(buf, end + 1, used);
		}
		if (used == sizeof(buf))
			used = 0;
	}
	return got == want;
}

static int make_report_pipe(struct rtree *t)
{
	int fds[2], ret = restore_high_pipe(fds);

	if (ret)
		return ret;
	t->read_fd = fds[0];
	t->report_fd = fds[1];
	return 0;
}

static int create_stubs(struct rtree *t)
{
	int errors = 0, ret;
	pid_t pid, self = getpid();

	ret = make_report_pipe(t);
	if (ret)
		return ret;
	fflush(NULL);
	pid = clone_with_pid(t->m[0].p.pid, SIGCHLD, 0);
	if (pid < 0) {
		int err = errno;

		close(t->read_fd);
		close(t->report_fd);
		sudcr_error("cannot create process with PID %d: %s", t->m[0].p.pid,
			    err == EEXIST ? "PID taken" : strerror(err));
		return -err;
	}
	if (pid == 0) {
		close(t->read_fd);
		member_main(t, 0, self);
	}
	t->m[0].r.pid = pid;
	t->report_nr = t->report_fd;
	close(t->report_fd);
	t->report_fd = -1;
	if (!wait_ready(t, &errors)) {
		if (!errors)
			sudcr_error("a new process of the tree failed while setting up its files and settings");
		ret = -EIO;
	}
	close(t->read_fd);
	t->read_fd = -1;
	return ret;
}

/* A stopped process's stub stops itself after its report: wait until it has. */
static int wait_stopped(struct rtree *t)
{
	for (int i = 0; i < t->nr; i++) {
		char state = 0;
		int k;

		if (!live(&t->m[i]) || !(t->m[i].p.flags & REC_TREE_F_STOPPED))
			continue;
		for (k = 0; k < 5000; k++) {
			if (!proc_thread_state(t->m[i].p.pid, t->m[i].p.pid, &state) && state == 'T')
				break;
			usleep(1000);
		}
		if (k == 5000) {
			sudcr_error("the new process %d did not stop", t->m[i].p.pid);
			return -EIO;
		}
	}
	return 0;
}

static int inject_checked(struct restore_ctx *r, enum arch_sc sc, const char *what, int64_t want,
			  uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct cr_thread *th = &r->cthreads[0];
	int64_t res;
	int ret = cr_inject(th, arch_sc_nr(th->inj.kind, sc), &res, a0, a1, a2, 0, 0, 0);

	if (ret)
		return ret;
	if (res != want) {
		sudcr_error("process %d: %s: %s", r->pid, what,
			    res < 0 ? strerror((int)-res) : "unexpected result");
		return res < 0 ? (int)res : -EIO;
	}
	return 0;
}

/*
 * At the turn of member @i whose fd table its children share: every stub
 * of them has reported, so what their stubs kept in it goes, all above
 * every image's fds (t->hand_min) but the report pipe, which may be below.
 */
static int close_stub_fds(struct rtree *t, int i)
{
	struct restore_ctx *r = &t->m[i].r;
	struct cr_thread *th = &r->cthreads[0];
	int64_t res;
	int ret = cr_inject(th, arch_syscall_by_name(th->inj.kind, "close_range"), &res,
			    (uint64_t)t->hand_min, ~0U, 0, 0, 0, 0);

	if (!ret && res) {
		sudcr_error("process %d: cannot close the restore's fds: %s", r->pid, strerror((int)-res));
		ret = res < 0 ? (int)res : -EIO;
	}

	if (!ret && t->report_nr < t->hand_min)
		ret = inject_checked(r, SC_CLOSE, "cannot close the restore's report pipe", 0,
				     (uint64_t)t->report_nr, 0, 0);
	return ret;
}

/*
 * At member @i's turn, seized: it joins its group (made by its leader's
 * stub or a helper, long before), and the helpers it made go: every other
 * member of their group came before it.
 */
static int join_group(struct rtree *t, int i)
{
	struct tmember *m = &t->m[i];
	int ret = 0;

	if (m->join) {
		char what[64];

		snprintf(what, sizeof(what), "cannot join process group %d", m->join);
		ret = inject_checked(&m->r, SC_SETPGID, what, 0, 0, m->join, 0);
	}
	for (int h = 0; h < t->nr_h && !ret; h++) {
		if (t->h[h].creator != i)
			continue;
		kill(t->h[h].pid, SIGKILL);
		ret = inject_checked(&m->r, SC_WAIT4, "cannot reap the helper of its process group",
				     t->h[h].pid, t->h[h].pid, 0, __WALL);
		if (!ret)
			t->h[h].ready = false;
	}
	return ret;
}

/*
 * Kill whatever was made and reap it all (sudcr is a subreaper meanwhile):
 * the seized, those that said they are ready, and the root; the others
 * die with their parents (their parent-death signal).
 */
static void kill_all(struct rtree *t)
{
	int status;

	for (int i = t->nr - 1; i >= 0; i--) {
		struct tmember *m = &t->m[i];

		if (m->seized)
			restore_member_kill(&m->r);
		else if (live(m) && m->ready)
			kill(m->p.pid, SIGKILL);
	}
	for (int h = 0; h < t->nr_h; h++)
		if (t->h[h].ready)
			kill(t->h[h].pid, SIGKILL);
	if (t->m[0].r.pid > 0)
		kill(t->m[0].r.pid, SIGKILL);
	while (waitpid(-1, &status, __WALL) >= 0 || errno == EINTR)
		;
}

/*
 * The stopped ones first: a tracee let go in a group stop runs for a moment
 * before it stops again, and its parent must find it stopped.  Then the
 * others, children first: a parent that runs finds its children as they
 * were.
 */
static void release_all(struct rtree *t)
{
	for (int i = t->nr - 1; i >= 0; i--)
		if (live(&t->m[i]) && (t->m[i].p.flags & REC_TREE_F_STOPPED))
			task_detach_process(&t->m[i].r.tp);
	for (int i = t->nr - 1; i >= 0; i--) {
		char state = 0;

		if (!live(&t->m[i]) || !(t->m[i].p.flags & REC_TREE_F_STOPPED))
			continue;
		for (int k = 0; k < 5000; k++) {
			if (!proc_thread_state(t->m[i].p.pid, t->m[i].p.pid, &state) && state == 'T')
				break;
			usleep(1000);
		}
		if (state != 'T')
			sudcr_warn("process %d, restored stopped, is in state %c", t->m[i].p.pid,
				   state ? state : '?');
	}
	for (int i = t->nr - 1; i >= 0; i--)
		if (live(&t->m[i]) && !(t->m[i].p.flags & REC_TREE_F_STOPPED))
			task_detach_process(&t->m[i].r.tp);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

static int run_tree(struct rtree *t)
{
	struct timespec t0;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = plan_groups(t);
	if (!ret)
		ret = prepare_members(t);
	sudcr_debug("tree: %d images read and checked at %.1f ms", t->nr, ms_since(&t0));
	if (!ret)
		ret = cr_cancelled() ? -EINTR : create_stubs(t);
	if (!ret)
		ret = wait_stopped(t);
	sudcr_debug("tree: stubs ready at %.1f ms", ms_since(&t0));
	/*
	 * One at a time, each seized only at its turn: injection pins sudcr to
	 * the CPU of the process it injects into and puts back the affinity
	 * it found when it ends, so one process's injection must end before
	 * the next one's begins (all seized first and ended in the same order,
	 * sudcr was left pinned to the CPU of the last but one).  The seized
	 * stay stopped until all are done.
	 */
	for (int i = 0; i < t->nr && !ret; i++) {
		struct tmember *m = &t->m[i];

		if (!live(m))
			continue;
		m->r.pid = m->p.pid;
		ret = cr_cancelled() ? -EINTR : restore_member_seize(&m->r);
		m->seized = true;
		if (!ret)
			ret = join_group(t, i);
		if (!ret && m->files_top)
			ret = close_stub_fds(t, i);
		if (!ret)
			ret = restore_member_finish(&m->r);
	}
	sudcr_debug("tree: every process transplanted at %.1f ms", ms_since(&t0));
	/* The last moment a stop can be asked for: then the tree runs. */
	if (!ret && cr_cancelled())
		ret = -EINTR;
	return ret;
}

int restore_tree(const struct restore_opts *opts, int *exit_status)
{
	struct rtree t = { .opts = opts, .report_fd = -1, .read_fd = -1 };
	int ret, status, was_subreaper = 0;

	*exit_status = 0;
	t.root_pgid = getpgrp();
	ret = img_reader_open(&t.img, opts->dir);
	if (!ret)
		ret = read_tree(&t);
	if (!ret)
		ret = read_tree_shm(&t);
	if (!ret)
		ret = read_tree_cow(&t);
	if (ret)
		goto out;
	/* Our caller's flag is put back after (a library caller may be a subreaper itself). */
	if (prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper) || prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		ret = -errno;
		sudcr_error("prctl(PR_SET_CHILD_SUBREAPER): %s", strerror(-ret));
		goto out;
	}
	ret = run_tree(&t);
	if (ret) {
		kill_all(&t);
		prctl(PR_SET_CHILD_SUBREAPER, was_subreaper);
		goto out;
	}
	prctl(PR_SET_CHILD_SUBREAPER, was_subreaper);
	release_all(&t);
	sudcr_info("restored the tree of %d (%d processes)", t.m[0].p.pid, t.nr);
	if (!opts->detach) {
		pid_t root = t.m[0].p.pid;

		if (opts->on_running)
			opts->on_running(root, opts->on_running_arg);
		while (waitpid(root, &status, 0) < 0 && errno == EINTR)
			;
		*exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
out:
	if (ret == -EINTR && cr_cancelled())
		sudcr_error("restore interrupted: no process was left running");
	for (int i = 0; i < t.nr; i++) {
		if (live(&t.m[i]) && t.m[i].r.img)
			restore_free(&t.m[i].r);
		free(t.m[i].fds);
		free(t.m[i].shm);
		free(t.m[i].cow);
	}
	free(t.m);
	free(t.h);
	free(t.hand);
	free(t.hand_fd);
	free(t.pipes);
	free(t.socks);
	free(t.sock_recs);
	if (t.cow_placed)
		munmap(t.cow_placed, t.cow_len);
	img_reader_close(t.img);
	return ret;
}
