// SPDX-License-Identifier: MIT
/*
 * System V message queues the process uses: each with its key, id, mode,
 * owner, creator, qbytes and ctime, and its messages with their types in
 * queue order.
 *
 * A process holds no handle on a queue (only its id, in memory), so which
 * queues are its own is a choice: those whose last msgsnd() or msgrcv()
 * was the process's (msg_lspid, msg_lrpid).  In a tree a queue goes to one
 * process only, its last sender if that one is in the tree, else its last
 * receiver, so that a tree restore makes it once.  A queue nobody in the
 * dump has sent to or received from yet, and queues of other programs, are
 * not dumped, nor touched.
 *
 * The dump reads the messages without taking them: msgrcv() with MSG_COPY
 * by position (the kernel's CONFIG_CHECKPOINT_RESTORE; without it the dump
 * refuses with one line).  MSG_COPY does not change the queue's times or
 * PIDs.  A queue that changes under the dump (its count, bytes or times
 * differ after the reading) is read again, and refused after a few tries.
 *
 * At restore a queue with the image's id that still exists (a kill-mode
 * dump leaves it in the IPC namespace) must be the same object: key, mode,
 * owner, creator, qbytes and ctime; it is then used as it is, with its
 * live messages.  A queue that is gone is made again with its id through
 * /proc/sys/kernel/msg_next_id (CAP_CHECKPOINT_RESTORE) by a child that
 * takes the creator's uid and gid, given its owner, mode and qbytes
 * (above /proc/sys/kernel/msgmnb this needs CAP_SYS_RESOURCE), and filled
 * with the messages in their order.  Its last sender is then sudcr, its
 * last receiver none, and its times the restore's.  Anything else (the id
 * taken by another queue, the key by another queue) fails with one line.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cr.h"
#include "image.h"
#include <sudcr/log.h>

#include "kinds.h"
#include "sysv_ids.h"
#include "../show.h"

#ifndef MSG_COPY
#define MSG_COPY	040000
#endif
#define MSG_TRIES	5

struct rec_sysv_msg {
	int32_t id;
	int32_t key;
	uint32_t mode;			/* msg_perm.mode: 0777 */
	uint32_t uid, gid;		/* owner */
	uint32_t cuid, cgid;		/* creator */
	uint32_t nr_msgs;		/* followed by nr_msgs of (struct rec_sysv_msg_item + len bytes) */
	uint64_t qbytes;
	int64_t ctime;
};

struct rec_sysv_msg_item {
	int64_t type;			/* > 0 */
	uint32_t len;
	uint32_t pad;
};

/* ---- dump ---- */

static bool in_tree(struct dump_ctx *d, pid_t pid)
{
	if (pid == d->pid)
		return true;
	for (int i = 0; i < d->nr_tree_pids; i++)
		if (d->tree_pids[i] == pid)
			return true;
	return false;
}

/* Whether the queue whose last sender and receiver are @lspid and @lrpid is this process's. */
static bool queue_is_mine(struct dump_ctx *d, pid_t lspid, pid_t lrpid)
{
	if (lspid == d->pid)
		return true;
	return lrpid == d->pid && !(lspid > 0 && in_tree(d, lspid));
}

static bool same_state(const struct msqid_ds *a, const struct msqid_ds *b)
{
	return a->msg_qnum == b->msg_qnum && a->__msg_cbytes == b->__msg_cbytes && a->msg_stime == b->msg_stime &&
	       a->msg_rtime == b->msg_rtime && a->msg_ctime == b->msg_ctime;
}

/*
 * The record of queue @id, its messages copied one by one; *changed if the
 * queue changed meanwhile (nothing is written then).
 */
static int dump_queue(struct dump_ctx *d, int id, bool *changed)
{
	struct msqid_ds ds, after;
	struct rec_sysv_msg *rec;
	struct { long type; char text[]; } *buf = NULL;
	size_t cap, len, off;
	int ret = 0;

	*changed = false;
	if (msgctl(id, IPC_STAT, &ds)) {
		ret = -errno;
		if (ret == -EINVAL || ret == -EIDRM) {	/* removed since it was listed */
			*changed = true;
			return 0;
		}
		sudcr_error("cannot read System V message queue %d: %s", id, strerror(-ret));
		return ret;
	}
	if (ds.msg_perm.mode & ~0777u) {
		sudcr_error("System V message queue %d: unknown mode bits %#o", id, ds.msg_perm.mode & ~0777u);
		return -EOPNOTSUPP;
	}
	if (ds.msg_qnum > UINT32_MAX || ds.__msg_cbytes > IMG_RECORD_MAX / 2 ||
	    ds.msg_qnum > (IMG_RECORD_MAX / 2) / sizeof(struct rec_sysv_msg_item)) {
		sudcr_error("System V message queue %d: %lu messages, %lu bytes: more than an image record holds",
			    id, (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes);
		return -EOPNOTSUPP;
	}
	len = sizeof(*rec) + ds.msg_qnum * sizeof(struct rec_sysv_msg_item) + ds.__msg_cbytes;
	rec = calloc(1, len);
	/* No one message is longer than all of them. */
	cap = ds.__msg_cbytes + 1;
	buf = malloc(sizeof(*buf) + cap);
	if (!rec || !buf) {
		ret = -ENOMEM;
		goto out;
	}
	rec->id = id;
	rec->key = ds.msg_perm.__key;
	rec->mode = ds.msg_perm.mode;
	rec->uid = ds.msg_perm.uid;
	rec->gid = ds.msg_perm.gid;
	rec->cuid = ds.msg_perm.cuid;
	rec->cgid = ds.msg_perm.cgid;
	rec->nr_msgs = (uint32_t)ds.msg_qnum;
	rec->qbytes = ds.msg_qbytes;
	rec->ctime = ds.msg_ctime;
	off = sizeof(*rec);
	for (unsigned long i = 0; i < ds.msg_qnum; i++) {
		struct rec_sysv_msg_item it = { 0 };
		ssize_t n = msgrcv(id, buf, cap, (long)i, IPC_NOWAIT | MSG_COPY);

		if (n < 0 && errno == ENOSYS) {
			sudcr_error("System V message queue %d: this kernel cannot read a queue without emptying it (msgrcv MSG_COPY needs CONFIG_CHECKPOINT_RESTORE): not supported",
				    id);
			ret = -EOPNOTSUPP;
			goto out;
		}
		if (n < 0 && (errno == ENOMSG || errno == E2BIG || errno == EIDRM || errno == EINVAL)) {
			*changed = true;		/* fewer or other messages than counted */
			goto out;
		}
		if (n < 0) {
			ret = -errno;
			sudcr_error("System V message queue %d: cannot read message %lu: %s", id, i, strerror(-ret));
			goto out;
		}
		if (off + sizeof(it) + (size_t)n > len) {
			*changed = true;
			goto out;
		}
		it.type = buf->type;
		it.len = (uint32_t)n;
		memcpy((char *)rec + off, &it, sizeof(it));
		memcpy((char *)rec + off + sizeof(it), buf->text, n);
		off += sizeof(it) + n;
	}
	if (msgctl(id, IPC_STAT, &after) || !same_state(&ds, &after) || off != len) {
		*changed = true;
		goto out;
	}
	ret = img_write_record(d->img, IMG_REC_SYSV_MSG, rec, len);
out:
	free(buf);
	free(rec);
	return ret;
}

static int sysv_msg_dump(struct dump_ctx *d)
{
	char line[512];
	FILE *f = fopen("/proc/sysvipc/msg", "re");
	int ret = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;	/* no CONFIG_SYSVIPC: no queues */
	if (!fgets(line, sizeof(line), f)) {	/* the heading */
		fclose(f);
		return 0;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		long long key;
		int id, lspid, lrpid;
		unsigned long cbytes, qnum;
		unsigned int perms;
		bool changed = true;

		if (sscanf(line, "%lld %d %o %lu %lu %d %d", &key, &id, &perms, &cbytes, &qnum, &lspid, &lrpid) != 7) {
			sudcr_error("cannot parse /proc/sysvipc/msg: '%.60s'", line);
			ret = -EIO;
			break;
		}
		if (!queue_is_mine(d, lspid, lrpid))
			continue;
		for (int t = 0; t < MSG_TRIES && changed && !ret; t++)
			ret = dump_queue(d, id, &changed);
		if (!ret && changed) {
			struct msqid_ds ds;

			if (msgctl(id, IPC_STAT, &ds) && (errno == EINVAL || errno == EIDRM))
				continue;		/* removed meanwhile: not the process's any more */
			sudcr_error("System V message queue %d changes while it is dumped (another process uses it): not supported",
				    id);
			ret = -EBUSY;
		}
	}
	fclose(f);
	return ret;
}

/* ---- restore ---- */

struct msg_queue {
	const struct rec_sysv_msg *rec;
	size_t len;			/* of the record */
	bool made;			/* made again by this restore */
};

struct restore_sysv_msg_state {
	struct msg_queue *queues;
	int nr;
	bool done;			/* the restore got to its finish: keep what was made */
};

/* The items of @g, each checked: NULL-terminated walk by *off; 1 while there is one. */
static int next_item(const struct rec_sysv_msg *g, size_t len, size_t *off, struct rec_sysv_msg_item *it,
		     const void **text)
{
	if (*off == len)
		return 0;
	if (len - *off < sizeof(*it))
		return -EINVAL;
	memcpy(it, (const char *)g + *off, sizeof(*it));
	if (it->type <= 0 || it->pad || it->len > len - *off - sizeof(*it))
		return -EINVAL;
	*text = (const char *)g + *off + sizeof(*it);
	*off += sizeof(*it) + it->len;
	return 1;
}

static int check_record(const struct rec_sysv_msg *g, size_t len)
{
	struct rec_sysv_msg_item it;
	const void *text;
	size_t off = sizeof(*g);
	uint32_t n = 0;
	int ret;

	while ((ret = next_item(g, len, &off, &it, &text)) == 1)
		n++;
	return ret < 0 || n != g->nr_msgs ? -EINVAL : 0;
}

static void sysv_msg_free(struct restore_ctx *r)
{
	struct restore_sysv_msg_state *s = r->sysv_msg_state;

	if (!s)
		return;
	/* A failed restore takes back the queues it made. */
	for (int i = 0; i < s->nr && !s->done; i++)
		if (s->queues[i].made)
			msgctl(s->queues[i].rec->id, IPC_RMID, NULL);
	free(s->queues);
	free(s);
	r->sysv_msg_state = NULL;
}

static int sysv_msg_prepare(struct restore_ctx *r)
{
	struct restore_sysv_msg_state *s = calloc(1, sizeof(*s));
	const void *data;
	uint32_t type;
	size_t len;
	int ret;

	if (!s)
		return -ENOMEM;
	r->sysv_msg_state = s;
	img_rewind(r->img);
	while ((ret = img_next_record(r->img, &type, &data, &len)) == 1) {
		const struct rec_sysv_msg *g = data;
		struct msg_queue *q;

		if (type != IMG_REC_SYSV_MSG)
			continue;
		if (len < sizeof(*g) || check_record(g, len))
			return img_record_invalid(r->img, "System V message queue record of %zu bytes: bad messages",
						  len);
		if (g->id < 0 || (g->mode & ~0777u) || !g->qbytes || g->qbytes > INT32_MAX)
			return img_record_invalid(r->img, "System V message queue %d: bad id, mode or qbytes", g->id);
		for (int i = 0; i < s->nr; i++)
			if (s->queues[i].rec->id == g->id)
				return img_record_invalid(r->img, "System V message queue %d: repeated", g->id);
		q = realloc(s->queues, (s->nr + 1) * sizeof(*q));
		if (!q)
			return -ENOMEM;
		s->queues = q;
		s->queues[s->nr++] = (struct msg_queue){ .rec = g, .len = len };
	}
	return ret < 0 ? ret : 0;
}

/* Whether the live queue @ds is the image's @g: NULL, or what differs. */
static const char *differs(const struct rec_sysv_msg *g, const struct msqid_ds *ds)
{
	if (ds->msg_perm.__key != g->key)
		return "key";
	if (ds->msg_perm.mode != g->mode)
		return "mode";
	if (ds->msg_perm.uid != g->uid || ds->msg_perm.gid != g->gid)
		return "owner";
	if (ds->msg_perm.cuid != g->cuid || ds->msg_perm.cgid != g->cgid)
		return "creator";
	if (ds->msg_qbytes != g->qbytes)
		return "qbytes";
	if (ds->msg_ctime != g->ctime)
		return "change time";
	return NULL;
}

static int msg_get(const struct sysv_maker *m)
{
	const struct rec_sysv_msg *g = m->arg;

	return msgget(m->key, IPC_CREAT | IPC_EXCL | (int)(g->mode & 0777));
}

static int msg_rm(int id)
{
	return msgctl(id, IPC_RMID, NULL);
}

static int msg_scratch(void)
{
	int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	return id < 0 ? -1 : msgctl(id, IPC_RMID, NULL);
}

static int fill_queue(const struct rec_sysv_msg *g, size_t len)
{
	struct rec_sysv_msg_item it;
	struct { long type; char text[]; } *m = NULL;
	const void *text;
	size_t off = sizeof(*g);
	uint32_t i = 0;
	int ret;

	while ((ret = next_item(g, len, &off, &it, &text)) == 1) {
		void *n = realloc(m, sizeof(*m) + it.len + 1);

		if (!n) {
			ret = -ENOMEM;
			break;
		}
		m = n;
		m->type = (long)it.type;
		memcpy(m->text, text, it.len);
		if (msgsnd(g->id, m, it.len, IPC_NOWAIT)) {
			ret = -errno;
			sudcr_error("System V message queue %d: cannot put message %u (%u bytes) back: %s", g->id, i,
				    it.len, ret == -EAGAIN ? "the queue is full" : strerror(-ret));
			break;
		}
		i++;
	}
	free(m);
	return ret;
}

static int make_queue(struct msg_queue *q)
{
	const struct rec_sysv_msg *g = q->rec;
	const struct sysv_maker m = {
		.what = "message queue", .other = "queue", .next_id = "/proc/sys/kernel/msg_next_id",
		.get_name = "msgget", .id = g->id, .key = g->key, .cuid = g->cuid, .cgid = g->cgid,
		.get = msg_get, .rm = msg_rm, .scratch = msg_scratch, .arg = g,
	};
	struct msqid_ds ds;
	int err;

	err = sysv_make_with_id(&m);
	if (err)
		return err;
	q->made = true;
	memset(&ds, 0, sizeof(ds));
	ds.msg_perm.uid = g->uid;
	ds.msg_perm.gid = g->gid;
	ds.msg_perm.mode = g->mode;
	ds.msg_qbytes = g->qbytes;
	if (msgctl(g->id, IPC_SET, &ds)) {
		err = errno;
		sudcr_error("System V message queue %d: cannot set its owner, mode and qbytes %" PRIu64 ": %s", g->id,
			    g->qbytes, err == EPERM ? "qbytes above /proc/sys/kernel/msgmnb needs CAP_SYS_RESOURCE" :
			    strerror(err));
		return -err;
	}
	return fill_queue(g, q->len);
}

static int sysv_msg_restore(struct restore_ctx *r)
{
	struct restore_sysv_msg_state *s = r->sysv_msg_state;
	int ret = 0;

	for (int i = 0; i < s->nr && !ret; i++) {
		const struct rec_sysv_msg *g = s->queues[i].rec;
		struct msqid_ds ds;
		const char *why;

		if (!msgctl(g->id, IPC_STAT, &ds)) {
			why = differs(g, &ds);
			if (why) {
				sudcr_error("System V message queue %d exists but is not the image's: its %s differs",
					    g->id, why);
				ret = -EEXIST;
			}
		} else if (errno == EINVAL || errno == EIDRM) {
			ret = make_queue(&s->queues[i]);
		} else {
			ret = -errno;
			sudcr_error("cannot read System V message queue %d: %s", g->id, strerror(-ret));
		}
	}
	return ret;
}

static int sysv_msg_finish(struct restore_ctx *r)
{
	r->sysv_msg_state->done = true;
	return 0;
}

static int sysv_msg_show(struct show_ctx *s, const void *data, size_t len, bool first)
{
	const struct rec_sysv_msg *g = data;
	struct rec_sysv_msg_item it;
	const void *text;
	size_t off = sizeof(*g);
	uint64_t bytes = 0;

	if (len < sizeof(*g) || check_record(g, len))
		return 0;
	if (s->json)
		fprintf(s->out,
			"%s{\"id\":%d,\"key\":\"0x%08x\",\"mode\":\"0%o\",\"uid\":%u,\"gid\":%u,\"cuid\":%u,\"cgid\":%u,"
			"\"qbytes\":%" PRIu64 ",\"ctime\":%" PRId64 ",\"messages\":[",
			first ? "" : ",", g->id, (unsigned int)g->key, g->mode, g->uid, g->gid, g->cuid, g->cgid,
			g->qbytes, g->ctime);
	for (int i = 0; next_item(g, len, &off, &it, &text) == 1; i++) {
		bytes += it.len;
		if (s->json)
			fprintf(s->out, "%s{\"type\":%" PRId64 ",\"len\":%u}", i ? "," : "", it.type, it.len);
	}
	if (s->json)
		fprintf(s->out, "]}");
	else
		fprintf(s->out,
			"  System V message queue %d: key 0x%08x, mode 0%o, owner %u:%u, creator %u:%u, qbytes %" PRIu64 ", ctime %" PRId64 ", %u message%s (%" PRIu64 " bytes)\n",
			g->id, (unsigned int)g->key, g->mode, g->uid, g->gid, g->cuid, g->cgid, g->qbytes, g->ctime,
			g->nr_msgs, g->nr_msgs == 1 ? "" : "s", bytes);
	return 0;
}

static const struct cr_rec_show sysv_msg_sections[] = {
	{ IMG_REC_SYSV_MSG, 92, "sysv_msg", "", sysv_msg_show },
	{ 0 },
};

const struct cr_kind cr_kind_sysv_msg = {
	.name = "sysv_msg",
	.show = sysv_msg_sections,
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_SYSV_MSG, "sysv_msg" },
		{ 0, NULL },
	},
	.dump = sysv_msg_dump,
	.prepare = sysv_msg_prepare,
	.restore = sysv_msg_restore,
	.finish = sysv_msg_finish,
	.free = sysv_msg_free,
};
