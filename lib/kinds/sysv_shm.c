// SPDX-License-Identifier: MIT
/*
 * System V shared memory the process has attached (shmat(2)): each
 * segment once, with its key, id, size, mode, owner, creator, IPC_RMID
 * state and content, and each attach at its address.
 *
 * An attach is a shared mapping of "/SYSV<key>" on the kernel's shm
 * mount, whose inode number is the segment's id.  The mm kind records
 * its mappings (REC_VMA_SYSV, no pages) so that the restore's layout keeps
 * their place free, and leaves them to this kind, which makes them with
 * an injected shmat() once the layout is in place.
 *
 * At restore a segment with the image's id that still exists (a
 * --leave-running dump, or one that outlived its killed process) must be
 * the same object: key, size, mode, owner, creator, creator's PID and
 * ctime; it is then attached as it is (its content is the live one).  A
 * segment that is gone is made again with the same id through
 * /proc/sys/kernel/shm_next_id (CAP_CHECKPOINT_RESTORE) by a child that
 * takes the creator's uid and gid, filled with the image's content, given
 * its owner and mode back and, if it was, marked for removal once
 * attached.  Its creator's PID and times are then the restore's.
 *
 * Segments the process does not attach are not its state: they live in
 * the IPC namespace, and are neither dumped nor touched.
 *
 * Refused at dump, each with one line: a segment attached only in part
 * (munmap or mremap of part of an attach), locked, sealed or madvise()d
 * attaches, an IPC namespace other than sudcr's, ia32 processes, and
 * segments larger than one record holds.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cr.h"
#include "image.h"
#include <sudcr/log.h>

#include "kinds.h"
#include "sysv_ids.h"
#include "sysv_shm.h"

#define PAGE		4096ull
#define SHM_MODE_KNOWN	(0777u | SHM_DEST | SHM_LOCKED)

struct rec_sysv_shm {
	int32_t id;
	int32_t key;			/* IPC_PRIVATE (0) once marked for removal */
	uint32_t mode;			/* shm_perm.mode: 0777, SHM_DEST, SHM_LOCKED */
	uint32_t uid, gid;		/* owner */
	uint32_t cuid, cgid;		/* creator */
	int32_t cpid;
	uint64_t size;			/* shm_segsz; the content follows, size bytes */
	int64_t ctime;
};

struct rec_sysv_shm_attach {
	uint64_t addr;
	uint64_t len;			/* the segment's size in pages */
	int32_t id;
	uint32_t shmflg;		/* SHM_RDONLY or 0 */
};

/* The VmFlags an attach may have: any other (mlock, mseal, madvise) is refused. */
#define SYSV_VMF_OK	(PROC_VMF_RD | PROC_VMF_WR | PROC_VMF_EX | PROC_VMF_SH | PROC_VMF_MR | \
			 PROC_VMF_MW | PROC_VMF_ME | PROC_VMF_MS | PROC_VMF_AC | PROC_VMF_NR | \
			 PROC_VMF_SD | PROC_VMF_AR)

bool sysv_shm_mapping(const struct proc_vma *v)
{
	return v->shared && v->dev_major == 0 && !strncmp(v->path, "/SYSV", 5) && v->kind == VMA_FILE;
}

static uint64_t pages_of(uint64_t size)
{
	return (size + PAGE - 1) & ~(PAGE - 1);
}

static int refuse_vma(const struct proc_vma *v, const char *why)
{
	sudcr_error("mapping %llx-%llx (System V shm id %llu): %s is not supported yet",
		    (unsigned long long)v->start, (unsigned long long)v->end, (unsigned long long)v->ino, why);
	return -EOPNOTSUPP;
}

static bool same_ipc_ns(struct dump_ctx *d)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", d->proc_pid);
	return !stat(path, &a) && !stat("/proc/self/ns/ipc", &b) && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* The segment's record, with its content read through the attach at @addr. */
static int dump_segment(struct dump_ctx *d, const struct proc_vma *v, const struct shmid_ds *ds)
{
	struct rec_sysv_shm *rec;
	size_t len = sizeof(*rec) + ds->shm_segsz;
	char path[64];
	ssize_t n;
	int fd, ret;

	if (ds->shm_segsz > IMG_RECORD_MAX - sizeof(*rec)) {
		sudcr_error("System V shm segment %llu: %zu bytes, more than an image record holds (%u)",
			    (unsigned long long)v->ino, (size_t)ds->shm_segsz, IMG_RECORD_MAX);
		return -EOPNOTSUPP;
	}
	rec = calloc(1, len);
	if (!rec)
		return -ENOMEM;
	rec->id = (int32_t)v->ino;
	rec->key = ds->shm_perm.__key;
	rec->mode = ds->shm_perm.mode;
	rec->uid = ds->shm_perm.uid;
	rec->gid = ds->shm_perm.gid;
	rec->cuid = ds->shm_perm.cuid;
	rec->cgid = ds->shm_perm.cgid;
	rec->cpid = ds->shm_cpid;
	rec->size = ds->shm_segsz;
	rec->ctime = ds->shm_ctime;
	/* Through /proc/PID/mem: it reads what protection hides, and attaches nothing (the times stay). */
	snprintf(path, sizeof(path), "/proc/%d/mem", d->proc_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : pread(fd, rec + 1, ds->shm_segsz, (off_t)v->start);
	if (n != (ssize_t)ds->shm_segsz) {
		ret = n < 0 ? -errno : -EIO;
		sudcr_error("System V shm segment %llu: cannot read its content at %llx: %s",
			    (unsigned long long)v->ino, (unsigned long long)v->start,
			    n < 0 ? strerror(-ret) : "short read");
		goto out;
	}
	ret = img_write_record(d->img, IMG_REC_SYSV_SHM, rec, len);
out:
	if (fd >= 0)
		close(fd);
	free(rec);
	return ret;
}

static int dump_sysv_shm(struct dump_ctx *d)
{
	int32_t *seen = NULL;
	int nr_seen = 0, ret = 0;

	for (int i = 0; i < d->nr_vmas && !ret; i++) {
		const struct proc_vma *v = &d->vmas[i];
		struct rec_sysv_shm_attach a = { 0 };
		struct shmid_ds ds;
		bool known = false;
		uint64_t end;
		int j;

		if (!sysv_shm_mapping(v))
			continue;
		if (d->kind == ARCH_IA32)
			return refuse_vma(v, "System V shm in an ia32 process");
		if (!same_ipc_ns(d))
			return refuse_vma(v, "System V shm of another IPC namespace");
		if (v->ino > INT32_MAX || shmctl((int)v->ino, IPC_STAT, &ds)) {
			int err = v->ino > INT32_MAX ? EINVAL : errno;

			sudcr_error("mapping %llx-%llx: cannot read System V shm segment %llu: %s",
				    (unsigned long long)v->start, (unsigned long long)v->end,
				    (unsigned long long)v->ino, strerror(err));
			return -err;
		}
		if (ds.shm_perm.mode & ~SHM_MODE_KNOWN) {
			sudcr_error("System V shm segment %llu: unknown mode bits %#o", (unsigned long long)v->ino,
				    ds.shm_perm.mode & ~SHM_MODE_KNOWN);
			return -EOPNOTSUPP;
		}
		/* One attach: mappings of the segment from offset 0, one after the other, to its end. */
		end = v->start;
		for (j = i; j < d->nr_vmas; j++) {
			const struct proc_vma *w = &d->vmas[j];

			if (!sysv_shm_mapping(w) || w->ino != v->ino || w->start != end ||
			    w->pgoff != w->start - v->start)
				break;
			if (w->vmflags & ~SYSV_VMF_OK)
				return refuse_vma(w, "a locked, sealed or madvise()d attach");
			if ((w->vmflags ^ v->vmflags) & PROC_VMF_MW)
				return refuse_vma(w, "an attach of mixed write permission");
			end = w->end;
		}
		if (v->pgoff || end - v->start != pages_of(ds.shm_segsz))
			return refuse_vma(v, "a segment attached in part (munmap or mremap of an attach)");
		for (int k = 0; k < nr_seen; k++)
			known |= seen[k] == (int32_t)v->ino;
		if (!known) {
			int32_t *n = realloc(seen, (nr_seen + 1) * sizeof(*n));

			if (!n) {
				ret = -ENOMEM;
				break;
			}
			seen = n;
			seen[nr_seen++] = (int32_t)v->ino;
			ret = dump_segment(d, v, &ds);
			if (ret)
				break;
		}
		a.addr = v->start;
		a.len = end - v->start;
		a.id = (int32_t)v->ino;
		a.shmflg = (v->vmflags & PROC_VMF_MW) ? 0 : SHM_RDONLY;
		ret = img_write_record(d->img, IMG_REC_SYSV_SHM_ATTACH, &a, sizeof(a));
		i = j - 1;
	}
	free(seen);
	return ret;
}

/* ---- restore ---- */

struct shm_seg {
	const struct rec_sysv_shm *rec;
	bool made;			/* made again by this restore */
};

struct restore_sysv_shm_state {
	struct shm_seg *segs;
	int nr_segs;
	const struct rec_sysv_shm_attach **attaches;
	int nr_attaches;
	const struct rec_vma **vmas;	/* the REC_VMA_SYSV mappings, in address order */
	int nr_vmas;
	bool done;			/* the restore got to its finish: keep what was made */
};

static struct shm_seg *seg_of(struct restore_sysv_shm_state *s, int32_t id)
{
	for (int i = 0; i < s->nr_segs; i++)
		if (s->segs[i].rec->id == id)
			return &s->segs[i];
	return NULL;
}

static int grow(void *pp, int nr, size_t size)
{
	void **p = pp, *n;

	if (nr % 16)
		return 0;
	n = realloc(*p, (nr + 16) * size);
	if (!n)
		return -ENOMEM;
	*p = n;
	return 0;
}

static int read_records(struct restore_ctx *r, struct restore_sysv_shm_state *s)
{
	const void *data;
	uint32_t type;
	size_t len;
	int ret;

	img_rewind(r->img);
	while ((ret = img_next_record(r->img, &type, &data, &len)) == 1) {
		if (type == IMG_REC_SYSV_SHM) {
			const struct rec_sysv_shm *g = data;

			if (len < sizeof(*g) || len - sizeof(*g) != g->size || !g->size)
				return img_record_invalid(r->img, "System V shm record of %zu bytes", len);
			if (g->id < 0 || (g->mode & ~SHM_MODE_KNOWN) || seg_of(s, g->id) ||
			    g->size > (uint64_t)SIZE_MAX / 2)
				return img_record_invalid(r->img, "System V shm segment %d: bad or repeated",
							  g->id);
			if ((g->mode & SHM_DEST) && g->key != IPC_PRIVATE)
				return img_record_invalid(r->img, "System V shm segment %d: removed but keyed",
							  g->id);
			ret = grow(&s->segs, s->nr_segs, sizeof(*s->segs));
			if (ret)
				return ret;
			s->segs[s->nr_segs++] = (struct shm_seg){ .rec = g };
		} else if (type == IMG_REC_SYSV_SHM_ATTACH) {
			const struct rec_sysv_shm_attach *a = data;

			if (len != sizeof(*a) || (a->shmflg & ~(uint32_t)SHM_RDONLY))
				return img_record_invalid(r->img, "bad System V shm attach record");
			ret = grow(&s->attaches, s->nr_attaches, sizeof(*s->attaches));
			if (ret)
				return ret;
			s->attaches[s->nr_attaches++] = a;
		} else if (type == IMG_REC_VMA && len >= sizeof(struct rec_vma) &&
			   (((const struct rec_vma *)data)->flags & REC_VMA_SYSV)) {
			/* The mm's prepare checked the record itself, its order and overlaps. */
			ret = grow(&s->vmas, s->nr_vmas, sizeof(*s->vmas));
			if (ret)
				return ret;
			s->vmas[s->nr_vmas++] = data;
		}
	}
	return ret < 0 ? ret : 0;
}

/*
 * Every attach is of a segment of the image, as long as the segment, and
 * exactly covered by REC_VMA_SYSV mappings of that id; every such mapping
 * is in an attach, every segment has one.
 */
/* After every record is read: the message names no record (the reader is past them all). */
static int __attribute__((format(printf, 2, 3))) bad_image(struct restore_ctx *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sudcr_error("%s: image: %s", r->opts.dir, msg);
	return -EINVAL;
}

static int check_attaches(struct restore_ctx *r, struct restore_sysv_shm_state *s)
{
	int next = 0;

	if (s->nr_segs && r->proc.arch == ARCH_IA32)
		return bad_image(r, "System V shm in an ia32 process");
	for (int i = 0; i < s->nr_attaches; i++) {
		const struct rec_sysv_shm_attach *a = s->attaches[i];
		struct shm_seg *g = seg_of(s, a->id);
		uint64_t at = a->addr;

		if (!g || a->addr % PAGE || a->len != pages_of(g->rec->size) || a->addr + a->len < a->addr ||
		    (i && s->attaches[i - 1]->addr + s->attaches[i - 1]->len > a->addr))
			return bad_image(r, "System V shm attach at %llx: bad, or of no segment",
						  (unsigned long long)a->addr);
		while (next < s->nr_vmas && at < a->addr + a->len) {
			const struct rec_vma *v = s->vmas[next];

			if (v->start != at || v->ino != (uint64_t)a->id || v->pgoff != at - a->addr ||
			    v->end > a->addr + a->len || (v->vmflags & ~SYSV_VMF_OK) ||
			    !(v->vmflags & PROC_VMF_MW) != !!(a->shmflg & SHM_RDONLY))
				break;
			at = v->end;
			next++;
		}
		if (at != a->addr + a->len)
			return bad_image(r, "System V shm attach at %llx: its mappings do not match",
						  (unsigned long long)a->addr);
	}
	if (next != s->nr_vmas)
		return bad_image(r, "System V shm mapping %llx outside any attach",
					  (unsigned long long)s->vmas[next]->start);
	for (int i = 0; i < s->nr_segs; i++) {
		bool used = false;

		for (int k = 0; k < s->nr_attaches && !used; k++)
			used = s->attaches[k]->id == s->segs[i].rec->id;
		if (!used)
			return bad_image(r, "System V shm segment %d: not attached",
						  s->segs[i].rec->id);
	}
	return 0;
}

static void sysv_shm_free(struct restore_ctx *r)
{
	struct restore_sysv_shm_state *s = r->sysv_shm_state;

	if (!s)
		return;
	/* A failed restore takes back the segments it made (the stub that attached them is gone). */
	for (int i = 0; i < s->nr_segs && !s->done; i++)
		if (s->segs[i].made)
			shmctl(s->segs[i].rec->id, IPC_RMID, NULL);
	free(s->segs);
	free(s->attaches);
	free(s->vmas);
	free(s);
	r->sysv_shm_state = NULL;
}

static int sysv_shm_prepare(struct restore_ctx *r)
{
	struct restore_sysv_shm_state *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	r->sysv_shm_state = s;
	ret = read_records(r, s);
	if (!ret)
		ret = check_attaches(r, s);
	return ret;
}

/* Whether the live segment @ds is the image's @g. */
static const char *differs(const struct rec_sysv_shm *g, const struct shmid_ds *ds)
{
	if (ds->shm_perm.__key != g->key)
		return "key";
	if (ds->shm_segsz != g->size)
		return "size";
	if (ds->shm_perm.mode != g->mode)
		return "mode or removal state";
	if (ds->shm_perm.uid != g->uid || ds->shm_perm.gid != g->gid)
		return "owner";
	if (ds->shm_perm.cuid != g->cuid || ds->shm_perm.cgid != g->cgid || ds->shm_cpid != g->cpid)
		return "creator";
	if (ds->shm_ctime != g->ctime)
		return "change time";
	return NULL;
}

struct shm_get {
	const struct rec_sysv_shm *rec;
	int shmflg;
};

static int shm_get(const struct sysv_maker *m)
{
	const struct shm_get *a = m->arg;

	return shmget(m->key, a->rec->size, IPC_CREAT | IPC_EXCL | a->shmflg | (int)(a->rec->mode & 0777));
}

static int shm_rm(int id)
{
	return shmctl(id, IPC_RMID, NULL);
}

static int shm_scratch(void)
{
	int id = shmget(IPC_PRIVATE, PAGE, IPC_CREAT | 0600);

	return id < 0 ? -1 : shmctl(id, IPC_RMID, NULL);
}

/* @shmflg: SHM_NORESERVE if its attaches show it (VmFlags nr), else 0. */
static int make_segment(struct shm_seg *seg, int shmflg)
{
	const struct rec_sysv_shm *g = seg->rec;
	const struct shm_get a = { g, shmflg };
	const struct sysv_maker m = {
		.what = "shm segment", .other = "segment", .next_id = "/proc/sys/kernel/shm_next_id",
		.get_name = "shmget", .id = g->id, .key = g->key, .cuid = g->cuid, .cgid = g->cgid,
		.get = shm_get, .rm = shm_rm, .scratch = shm_scratch, .arg = &a,
	};
	struct shmid_ds ds;
	int ret, err;
	void *p;

	ret = sysv_make_with_id(&m);
	if (ret)
		return ret;
	seg->made = true;
	memset(&ds, 0, sizeof(ds));
	ds.shm_perm.uid = g->uid;
	ds.shm_perm.gid = g->gid;
	ds.shm_perm.mode = g->mode & 0777;
	p = shmat(g->id, NULL, 0);
	if (p == (void *)-1 || shmctl(g->id, IPC_SET, &ds) ||
	    ((g->mode & SHM_LOCKED) && shmctl(g->id, SHM_LOCK, NULL))) {
		err = errno;
		sudcr_error("System V shm segment %d: cannot fill it and set its owner and mode: %s", g->id,
			    strerror(err));
		if (p != (void *)-1)
			shmdt(p);
		return -err;
	}
	memcpy(p, g + 1, g->size);
	shmdt(p);
	return 0;
}

static int attach(struct restore_ctx *r, struct cr_thread *th, const struct rec_sysv_shm_attach *a)
{
	struct restore_sysv_shm_state *s = r->sysv_shm_state;
	uint32_t prot = PROT_READ | ((a->shmflg & SHM_RDONLY) ? 0 : PROT_WRITE);
	int64_t res;
	int ret;

	ret = inject_syscall6(&th->inj, arch_sc_nr(th->inj.kind, SC_SHMAT), &res, (uint64_t)a->id, a->addr,
			      a->shmflg, 0, 0, 0);
	if (!ret && (uint64_t)res != a->addr) {
		sudcr_error("cannot attach System V shm segment %d at %llx: %s", a->id,
			    (unsigned long long)a->addr, res < 0 ? strerror((int)-res) : "placed elsewhere");
		return res < 0 ? (int)res : -EEXIST;
	}
	for (int i = 0; i < s->nr_vmas && !ret; i++) {
		const struct rec_vma *v = s->vmas[i];

		if (v->start < a->addr || v->start >= a->addr + a->len || v->prot == prot)
			continue;
		ret = inject_syscall6(&th->inj, arch_sc_nr(th->inj.kind, SC_MPROTECT), &res, v->start,
				      v->end - v->start, v->prot, 0, 0, 0);
		if (!ret && res) {
			sudcr_error("cannot set the protection of System V shm mapping %llx: %s",
				    (unsigned long long)v->start, strerror((int)-res));
			ret = (int)res;
		}
	}
	return ret;
}

static int sysv_shm_restore(struct restore_ctx *r)
{
	struct restore_sysv_shm_state *s = r->sysv_shm_state;
	struct cr_thread *th;
	int ret = 0;

	if (!s->nr_segs)
		return 0;
	th = cthread_of(r, r->proc.pid);
	if (!th)
		return -ESRCH;
	for (int i = 0; i < s->nr_segs && !ret; i++) {
		const struct rec_sysv_shm *g = s->segs[i].rec;
		struct shmid_ds ds;
		const char *why;

		if (!shmctl(g->id, IPC_STAT, &ds)) {
			why = differs(g, &ds);
			if (why) {
				sudcr_error("System V shm segment %d exists but is not the image's: its %s differs",
					    g->id, why);
				ret = -EEXIST;
			}
		} else if (errno == EINVAL || errno == EIDRM) {
			int shmflg = 0;

			for (int k = 0; k < s->nr_vmas; k++)
				if (s->vmas[k]->ino == (uint64_t)g->id && (s->vmas[k]->vmflags & PROC_VMF_NR))
					shmflg = SHM_NORESERVE;
			ret = make_segment(&s->segs[i], shmflg);
		} else {
			ret = -errno;
			sudcr_error("cannot read System V shm segment %d: %s", g->id, strerror(-ret));
		}
	}
	for (int i = 0; i < s->nr_attaches && !ret; i++)
		ret = attach(r, th, s->attaches[i]);
	/* Marked for removal once attached, as it was: it goes with its last detach. */
	for (int i = 0; i < s->nr_segs && !ret; i++) {
		const struct rec_sysv_shm *g = s->segs[i].rec;

		if (s->segs[i].made && (g->mode & SHM_DEST) && shmctl(g->id, IPC_RMID, NULL)) {
			ret = -errno;
			sudcr_error("cannot mark System V shm segment %d for removal: %s", g->id, strerror(-ret));
		}
	}
	return ret;
}

static int sysv_shm_finish(struct restore_ctx *r)
{
	r->sysv_shm_state->done = true;
	return 0;
}

int sysv_shm_show(struct show_ctx *s, const void *data, size_t len, bool first)
{
	const struct rec_sysv_shm *g = data;

	if (len < sizeof(*g))
		return 0;
	if (s->json)
		fprintf(s->out,
			"%s{\"id\":%d,\"key\":\"0x%08x\",\"size\":%" PRIu64 ",\"mode\":\"0%o\",\"uid\":%u,\"gid\":%u,"
			"\"cuid\":%u,\"cgid\":%u,\"cpid\":%d,\"ctime\":%" PRId64 ",\"removed\":%s,\"locked\":%s}",
			first ? "" : ",", g->id, (unsigned int)g->key, g->size, g->mode & 0777, g->uid, g->gid,
			g->cuid, g->cgid, g->cpid, g->ctime, (g->mode & SHM_DEST) ? "true" : "false",
			(g->mode & SHM_LOCKED) ? "true" : "false");
	else
		fprintf(s->out,
			"  System V shm segment %d: key 0x%08x, %" PRIu64 " bytes, mode 0%o, owner %u:%u, creator %u:%u (pid %d), ctime %" PRId64 "%s%s\n",
			g->id, (unsigned int)g->key, g->size, g->mode & 0777, g->uid, g->gid, g->cuid, g->cgid,
			g->cpid, g->ctime, (g->mode & SHM_DEST) ? ", marked for removal" : "",
			(g->mode & SHM_LOCKED) ? ", locked" : "");
	return 0;
}

int sysv_shm_attach_show(struct show_ctx *s, const void *data, size_t len, bool first)
{
	const struct rec_sysv_shm_attach *a = data;

	if (len != sizeof(*a))
		return 0;
	if (s->json)
		fprintf(s->out, "%s{\"id\":%d,\"addr\":\"0x%" PRIx64 "\",\"len\":%" PRIu64 ",\"readonly\":%s}",
			first ? "" : ",", a->id, a->addr, a->len, (a->shmflg & SHM_RDONLY) ? "true" : "false");
	else
		fprintf(s->out, "  System V shm attach of segment %d at 0x%" PRIx64 ", %" PRIu64 " bytes%s\n", a->id, a->addr,
			a->len, (a->shmflg & SHM_RDONLY) ? ", read-only" : "");
	return 0;
}

static const struct cr_rec_show sysv_shm_sections[] = {
	{ IMG_REC_SYSV_SHM, 80, "sysv_shm", "", sysv_shm_show },
	{ IMG_REC_SYSV_SHM_ATTACH, 90, "sysv_shm_attaches", "", sysv_shm_attach_show },
	{ 0 },
};

const struct cr_kind cr_kind_sysv_shm = {
	.name = "sysv_shm",
	.show = sysv_shm_sections,
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_SYSV_SHM, "sysv_shm" },
		{ IMG_REC_SYSV_SHM_ATTACH, "sysv_shm_attach" },
		{ 0, NULL },
	},
	.dump = dump_sysv_shm,
	.prepare = sysv_shm_prepare,
	.restore = sysv_shm_restore,
	.finish = sysv_shm_finish,
	.free = sysv_shm_free,
};
