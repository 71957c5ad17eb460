// SPDX-License-Identifier: MIT
/*
 * Memory transplant, the shared objects: shared anonymous memory, memfds
 * and deleted files that several mappings (or a mapping and an fd) share.
 * Each is made (or found among the image's fds) once, before its mappings.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/log.h>

#include "mm.h"

uint32_t rmm_obj_kind(const struct rec_vma *v)
{
	if (v->flags & REC_VMA_MEMFD)
		return REC_VMA_MEMFD;
	if ((v->flags & REC_VMA_SHMEM) && (v->flags & (REC_VMA_SHARED | REC_VMA_OBJ_PRIVATE)))
		return REC_VMA_SHMEM;
	if ((v->flags & REC_VMA_FILE) && (v->flags & REC_VMA_DELETED))
		return REC_VMA_DELETED;
	return 0;
}

/*
 * A mapping whose object's content the image stores elsewhere must find it
 * there: else its pages that followed the object would come back zero.
 */
static int check_objects(struct restore_ctx *r, struct restore_mm_state *s)
{
	for (int i = 0; i < s->nr_vmas; i++) {
		const struct rec_vma *v = s->vmas[i].v;
		const struct shared_obj *o;

		if (s->vmas[i].obj < 0)
			continue;
		o = &s->objs[s->vmas[i].obj];
		if ((v->flags & REC_VMA_OBJ_HELD) && o->image_fd < 0 && !o->peer &&
		    ((v->flags & REC_VMA_SHARED) || !o->shared_view))
			return img_record_invalid(r->img, "mapping %llx-%llx: its object's content is not in the image",
						  (unsigned long long)v->start, (unsigned long long)v->end);
		if (o->kind == REC_VMA_MEMFD && o->image_fd < 0 && !o->peer &&
		    (o->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))) {
			sudcr_error("cannot restore mapping %llx-%llx (%s): a memfd with write seals that no fd holds is not supported",
				    (unsigned long long)v->start, (unsigned long long)v->end, o->path);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

int rmm_collect_objects(struct restore_ctx *r, struct restore_mm_state *s)
{
	const void *data;
	size_t len;
	int ret;

	for (int i = 0; i < s->nr_vmas; i++) {
		const struct rec_vma *v = s->vmas[i].v;
		uint32_t kind = rmm_obj_kind(v);
		struct shared_obj *o = NULL;
		int k;

		if (!kind)
			continue;
		for (k = 0; k < s->nr_objs; k++)
			if (s->objs[k].kind == kind && s->objs[k].dev == v->dev && s->objs[k].ino == v->ino)
				o = &s->objs[k];
		if (!o) {
			o = realloc(s->objs, (s->nr_objs + 1) * sizeof(*o));
			if (!o)
				return -ENOMEM;
			s->objs = o;
			o = &s->objs[s->nr_objs++];
			*o = (struct shared_obj){ .dev = v->dev, .ino = v->ino, .kind = kind,
						  .path = s->vmas[i].path, .image_fd = -1, .fd = -1 };
		}
		if (v->obj_size) {
			if (o->size && o->size != v->obj_size)
				return img_record_invalid(r->img, "mappings of one object disagree on its size at %llx",
							  (unsigned long long)v->start);
			o->size = v->obj_size;
		} else if (v->pgoff + (v->end - v->start) > o->size) {
			o->size = v->pgoff + (v->end - v->start);
		}
		if (kind == REC_VMA_MEMFD)
			o->seals = v->obj_seals;
		if (v->flags & REC_VMA_SHARED)
			o->shared_view = true;
		s->vmas[i].obj = o - s->objs;
	}
	/* The files module recreates memfds and deleted files an fd holds: map those. */
	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_FD, &data, &len)) == 1) {
		const struct rec_fd *f = data;
		uint64_t dev;

		if (len < sizeof(*f) || (f->kind != REC_FD_MEMFD && f->kind != REC_FD_DELETED))
			continue;
		dev = ((uint64_t)major(f->dev) << 32) | minor(f->dev);
		for (int k = 0; k < s->nr_objs; k++)
			if (s->objs[k].kind != REC_VMA_SHMEM && s->objs[k].dev == dev &&
			    s->objs[k].ino == f->ino) {
				/* mmap needs read access, and a shared mapping that may write, write access. */
				int acc = f->flags & O_ACCMODE;
				int rank = acc == O_RDWR ? 2 : acc == O_RDONLY ? 1 : 0;

				if (s->objs[k].image_fd < 0 || rank > s->objs[k].image_fd_rank) {
					s->objs[k].image_fd = f->fd;
					s->objs[k].image_fd_rank = rank;
				}
			}
	}
	if (ret < 0)
		return ret;
	/* The tree's: objects an earlier process makes. */
	for (int k = 0; k < r->nr_tree_shm; k++) {
		const struct rec_tree_shm *f = &r->tree_shm[k];
		const struct vma_ent *e = rmm_find_vma(s, f->start);

		if (!e || e->v->start != f->start || e->obj < 0) {
			sudcr_error("%s: shared memory record for mapping %llx: no mapping of an object there",
				    r->opts.dir, (unsigned long long)f->start);
			return -EINVAL;
		}
		if (!s->objs[e->obj].peer)
			s->objs[e->obj].peer = f;
	}
	return check_objects(r, s);
}

/* Whether fd @fd of @peer's image is a memfd or deleted file of device @dev, inode @ino. */
static bool peer_fd_is(const struct restore_ctx *peer, int fd, uint64_t dev, uint64_t ino)
{
	const void *data;
	size_t len;

	img_rewind(peer->img);
	while (cr_next_of_type(peer->img, IMG_REC_FD, &data, &len) == 1) {
		const struct rec_fd *f = data;

		if (len >= sizeof(*f) && f->fd == fd)
			return (f->kind == REC_FD_MEMFD || f->kind == REC_FD_DELETED) && f->ino == ino &&
			       (((uint64_t)major(f->dev) << 32) | minor(f->dev)) == dev;
	}
	return false;
}

int restore_mm_check_peer(struct restore_ctx *r, const struct restore_ctx *peer, const struct rec_tree_shm *ref)
{
	const struct restore_mm_state *ps = peer->mm_state;
	const struct vma_ent *e = rmm_find_vma(r->mm_state, ref->start);

	if (e && e->obj < 0)
		e = NULL;
	if (e && ref->peer_fd >= 0) {
		if (r->mm_state->objs[e->obj].kind != REC_VMA_SHMEM && peer_fd_is(peer, ref->peer_fd, e->v->dev, e->v->ino))
			return 0;
		sudcr_error("%s: mapping %llx maps the object of fd %d of process %d, which its image does not have",
			    r->opts.dir, (unsigned long long)ref->start, ref->peer_fd, ref->peer);
		return -EINVAL;
	}
	for (int i = 0; e && i < ps->nr_vmas; i++) {
		const struct rec_vma *w = ps->vmas[i].v;

		if (w->start == ref->peer_start && w->end == ref->peer_end && ps->vmas[i].obj >= 0 &&
		    w->dev == e->v->dev && w->ino == e->v->ino &&
		    ps->objs[ps->vmas[i].obj].kind == r->mm_state->objs[e->obj].kind)
			return 0;
	}
	sudcr_error("%s: mapping %llx shares the object of mapping %llx-%llx of process %d, which its image does not have",
		    r->opts.dir, (unsigned long long)ref->start, (unsigned long long)ref->peer_start,
		    (unsigned long long)ref->peer_end, ref->peer);
	return -EINVAL;
}

/* The master mappings of shared anonymous objects must fit in the address space together. */
int rmm_check_shmem_total(struct restore_ctx *r, struct restore_mm_state *s)
{
	uint64_t need = 0;

	for (int k = 0; k < s->nr_objs; k++) {
		if (s->objs[k].kind != REC_VMA_SHMEM || s->objs[k].image_fd >= 0 || s->objs[k].peer)
			continue;
		need += (s->objs[k].size + PAGE - 1) & ~(PAGE - 1);
		if (need > USER_END) {
			sudcr_error("%s: shared memory objects of more than %llu bytes", r->opts.dir,
				    (unsigned long long)USER_END);
			return -EINVAL;
		}
	}
	return 0;
}

/* Make (or find) each shared object in the new process, before its mappings. */
int rmm_open_objects(struct cr_thread *th, uint64_t scratch, struct restore_mm_state *s, uint64_t *temp)
{
	for (int k = 0; k < s->nr_objs; k++) {
		struct shared_obj *o = &s->objs[k];
		size_t plen = strlen(o->path) + 1;
		int64_t fd;
		int ret;

		if (o->image_fd >= 0) {
			o->fd = o->image_fd;
			continue;
		}
		if (o->peer) {
			char path[96];

			/* Its maker is transplanted and stopped: the object is its mapping's file (or fd's). */
			if (o->peer->peer_fd >= 0)
				snprintf(path, sizeof(path), "/proc/%d/fd/%d", o->peer->peer, o->peer->peer_fd);
			else
				snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", o->peer->peer,
					 (unsigned long long)o->peer->peer_start, (unsigned long long)o->peer->peer_end);
			ret = rmm_open_in_target(th, scratch, path, O_RDWR | O_CLOEXEC, &fd);
			if (ret)
				return ret;
			o->fd = fd;
			o->own_fd = true;
			continue;
		}
		if (o->kind == REC_VMA_SHMEM) {
			o->master = *temp;
			*temp += (o->size + PAGE - 1) & ~(PAGE - 1);
			ret = rmm_must(th, NULL, "map shared memory", o->master, SC_MMAP, o->master, o->size,
				       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				       (uint64_t)-1, 0);
			if (ret)
				return ret;
			continue;
		}
		if (plen > SCRATCH_LEN / 2)
			return -ENAMETOOLONG;
		if (o->kind == REC_VMA_MEMFD) {
			const char *name = o->path + 7;	/* after "/memfd:", checked by rmm_add_vma() */
			/* Made without MFD_ALLOW_SEALING, a memfd has F_SEAL_SEAL and nothing else. */
			uint64_t mfd = o->seals == F_SEAL_SEAL ? 0 : MFD_ALLOW_SEALING;

			if (o->seals == F_SEAL_SEAL)
				o->seals = 0;
			ret = inject_write_mem(th->tid, scratch, name, strlen(name) + 1);
			if (!ret)
				ret = rmm_must(th, &fd, "create a memfd", 0, SC_MEMFD_CREATE, scratch, mfd, 0, 0, 0, 0);
		} else {
			/*
			 * A deleted file comes back deleted under its old name:
			 * created there and unlinked at once, so /proc shows
			 * "NAME (deleted)"; an unnamed file in its directory if
			 * the name is taken.
			 */
			ret = inject_write_mem(th->tid, scratch, o->path, plen);
			if (ret)
				return ret;
			ret = cr_inject(th, arch_sc_nr(th->inj.kind, SC_OPENAT), &fd, (uint64_t)AT_FDCWD, scratch,
					O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, 0, 0);
			if (!ret && fd >= 0) {
				ret = rmm_must(th, NULL, "unlink the recreated deleted file", 0, SC_UNLINKAT,
					       (uint64_t)AT_FDCWD, scratch, 0, 0, 0, 0);
			} else if (!ret) {
				char dir[REC_PATH_MAX];
				char *slash;

				snprintf(dir, sizeof(dir), "%s", o->path);
				slash = strrchr(dir, '/');
				if (slash)
					*(slash == dir ? slash + 1 : slash) = '\0';
				ret = inject_write_mem(th->tid, scratch, dir, strlen(dir) + 1);
				if (!ret)
					ret = rmm_must(th, &fd, "recreate a deleted file", 0, SC_OPENAT, (uint64_t)AT_FDCWD,
						       scratch, O_RDWR | O_TMPFILE | O_CLOEXEC, 0600, 0, 0);
			}
		}
		if (ret)
			return ret;
		o->fd = fd;
		o->own_fd = true;
		ret = rmm_must(th, NULL, "size a shared object", 0, SC_FTRUNCATE, fd, o->size, 0, 0, 0, 0);
		if (ret)
			return ret;
	}
	return 0;
}

/* Seal the memfds made here, now that their pages are in. */
int rmm_seal_objects(struct cr_thread *th, struct restore_mm_state *s)
{
	for (int k = 0; k < s->nr_objs; k++) {
		const struct shared_obj *o = &s->objs[k];
		int ret;

		if (!o->own_fd || o->peer || o->kind != REC_VMA_MEMFD || !o->seals)
			continue;
		ret = rmm_must(th, NULL, "seal a memfd (F_ADD_SEALS)", 0, SC_FCNTL, o->fd, F_ADD_SEALS, o->seals,
			       0, 0, 0);
		if (ret)
			return ret;
	}
	return 0;
}

void rmm_close_objects(struct cr_thread *th, struct restore_mm_state *s)
{
	for (int k = 0; k < s->nr_objs; k++) {
		struct shared_obj *o = &s->objs[k];

		if (o->own_fd)
			rmm_must(th, NULL, "close", 0, SC_CLOSE, o->fd, 0, 0, 0, 0, 0);
		if (o->master)
			rmm_must(th, NULL, "unmap", o->master, SC_MUNMAP, o->master, o->size, 0, 0, 0, 0);
		o->own_fd = false;
		o->master = 0;
		o->fd = -1;
	}
}

/*
 * A private view of a shared anonymous object: mmap needs a file, and the
 * object's is reached through its master mapping in /proc/self/map_files.
 */
int rmm_open_master(struct cr_thread *th, uint64_t scratch, const struct shared_obj *o, int64_t *fd)
{
	char path[96];

	snprintf(path, sizeof(path), "/proc/self/map_files/%llx-%llx", (unsigned long long)o->master,
		 (unsigned long long)(o->master + ((o->size + PAGE - 1) & ~(PAGE - 1))));
	return rmm_open_in_target(th, scratch, path, O_RDONLY | O_CLOEXEC, fd);
}
