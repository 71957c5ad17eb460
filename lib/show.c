// SPDX-License-Identifier: MIT
/*
 * sudcr show: print what an image holds, as text or JSON
 * (sudcr_image_show(), sudcr/sudcr.h).
 *
 * The driver prints the sections, the records of one type each, by rank
 * (struct cr_rec_show, lib/kinds/kinds.h), then the page files and the
 * count of records of every type.  The sections come from the kinds'
 * table: a kind lists its sections (.show) and its printers are in its
 * file (lib/kinds/creds.c, signals.c, ...).  The printers below are those
 * of the driver's own kinds, the process (threads, registers) and memory,
 * and of the fd table, which prints each fd kind's detail through the fd
 * kinds' show op.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <sudcr/arch.h>
#include "image.h"
#include "image_records.h"
#include <sudcr/log.h>
#include <sudcr/sud.h>
#include <sudcr/sudcr.h>

#include "show.h"
#include "kinds/kinds.h"

struct sudcr_image {
	struct img_reader *r;
	char *dir;
};

void show_json_str(struct show_ctx *s, const char *str, size_t n)
{
	fputc('"', s->out);
	for (size_t i = 0; i < n && str[i]; i++) {
		unsigned char ch = str[i];

		if (ch == '"' || ch == '\\')
			fprintf(s->out, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(s->out, "\\u%04x", ch);
		else
			fputc(ch, s->out);
	}
	fputc('"', s->out);
}

void show_text_str(struct show_ctx *s, const char *str, size_t n)
{
	char buf[4 * REC_PATH_MAX + 1];

	if (n > REC_PATH_MAX)
		n = REC_PATH_MAX;
	sudcr_escape(buf, sizeof(buf), str, n);
	fputs(buf, s->out);
}

/* ---- process and threads (kinds: the drivers' own records) ---- */

static int show_process(struct show_ctx *s, const void *data, size_t len, bool first)
{
	const struct rec_process *p = data;

	(void)first;
	if (len != sizeof(*p))
		return 0;
	s->arch = p->arch;
	if (s->json) {
		fprintf(s->out, "\"process\":{\"pid\":%d,\"arch\":\"%s\",\"threads\":%u,\"stopped\":%s,\"shell_job\":%s,\"leader_exited\":%s,\"comm\":",
			p->pid, arch_name(p->arch), p->nr_threads,
			p->flags & REC_PROC_STOPPED ? "true" : "false",
			p->flags & REC_PROC_SHELL_JOB ? "true" : "false",
			p->flags & REC_PROC_LEADER_ZOMBIE ? "true" : "false");
		show_json_str(s, p->comm, sizeof(p->comm));
		fprintf(s->out, "}");
	} else {
		fprintf(s->out, "process %d (", p->pid);
		show_text_str(s, p->comm, sizeof(p->comm));
		fprintf(s->out, "), %s, %u thread%s%s%s%s\n", arch_name(p->arch),
			p->nr_threads, p->nr_threads == 1 ? "" : "s",
			p->flags & REC_PROC_STOPPED ? ", stopped" : "",
			p->flags & REC_PROC_SHELL_JOB ? ", shell job" : "",
			p->flags & REC_PROC_LEADER_ZOMBIE ? ", thread group leader exited" : "");
	}
	return 0;
}

/*
 * A thread stopped in a sleep with a timeout (nanosleep, futex, poll...):
 * the kernel's restart block cannot be rebuilt, so the restore restarts
 * the call from its registers (DESIGN.md, "Restart block").
 */
#define ERESTART_RESTARTBLOCK 516

static bool in_restart_block(const struct user_regs_struct *regs)
{
	return (long long)regs->rax == -ERESTART_RESTARTBLOCK && (long long)regs->orig_rax >= 0;
}

static const char *syscall_name(const struct show_ctx *s, unsigned long long nr)
{
	const char *name = NULL;

	if (s->arch == ARCH_X86_64 || s->arch == ARCH_IA32)
		name = arch_syscall_name(s->arch, (long)nr);
	return name ? name : "?";
}

static int show_thread(struct show_ctx *s, const void *data, size_t len, bool first)
{
	const struct rec_thread *t = data;
	const struct user_regs_struct *regs = (const void *)t->regs;

	if (len != sizeof(*t))
		return 0;
	if (s->json) {
		fprintf(s->out, "%s{\"tid\":%d,\"comm\":", first ? "" : ",", t->tid);
		show_json_str(s, t->comm, sizeof(t->comm));
		fprintf(s->out, ",\"ip\":\"0x%llx\",\"sigmask\":\"0x%" PRIx64 "\",\"sud\":{\"mode\":\"%s\",\"selector\":",
			regs->rip, t->sigmask, sud_mode_name(t->sud_mode));
		if (t->sud_selector)
			fprintf(s->out, "\"0x%" PRIx64 "\"", t->sud_selector);
		else
			fprintf(s->out, "null");
		fprintf(s->out, ",\"offset\":\"0x%" PRIx64 "\",\"len\":%" PRIu64 "}", t->sud_offset, t->sud_len);
		if (in_restart_block(regs))
			fprintf(s->out, ",\"restart_block\":{\"syscall\":%lld,\"name\":\"%s\"}",
				(long long)regs->orig_rax, syscall_name(s, regs->orig_rax));
		fprintf(s->out, "}");
	} else {
		fprintf(s->out, "  thread %d (", t->tid);
		show_text_str(s, t->comm, sizeof(t->comm));
		fprintf(s->out, ") ip 0x%llx sigmask 0x%" PRIx64 "\n", regs->rip, t->sigmask);
		if (in_restart_block(regs))
			fprintf(s->out, "    in %s (syscall %lld), cut short with a restart block: restore issues it again with its original arguments (a relative timeout starts over; an absolute one is exact)\n",
				syscall_name(s, regs->orig_rax), (long long)regs->orig_rax);
		fprintf(s->out, "    sud: %s", sud_mode_name(t->sud_mode));
		if (t->sud_mode)
			fprintf(s->out, " offset 0x%" PRIx64 " len %" PRIu64 " selector 0x%" PRIx64, t->sud_offset,
				t->sud_len, t->sud_selector);
		fprintf(s->out, "\n");
	}
	return 0;
}

/* ---- memory (the mm driver's records) ---- */

static void prot_str(uint32_t prot, uint32_t flags, char out[5])
{
	out[0] = prot & PROT_READ ? 'r' : '-';
	out[1] = prot & PROT_WRITE ? 'w' : '-';
	out[2] = prot & PROT_EXEC ? 'x' : '-';
	out[3] = flags & REC_VMA_SHARED ? 's' : 'p';
	out[4] = '\0';
}

/*
 * Bytes stored for each mapping: sum of PAGES records inside it.  A walk
 * per mapping: images have tens to hundreds of mappings; the quadratic
 * walk is fine for a diagnostic command.
 */
static uint64_t stored_in(struct img_reader *r, uint64_t start, uint64_t end)
{
	const void *data;
	uint32_t type;
	size_t len;
	uint64_t sum = 0;

	img_rewind(r);
	while (img_next_record(r, &type, &data, &len) == 1) {
		const struct rec_pages *p = data;

		if (type == IMG_REC_PAGES && len == sizeof(*p) && p->vaddr >= start && p->vaddr < end)
			sum += p->nr_pages * 4096;
	}
	return sum;
}

static int show_vma(struct show_ctx *s, const void *data, size_t len, bool first)
{
	const struct rec_vma *v = data;
	const char *path = (const char *)(v + 1);
	size_t plen;
	uint64_t stored;
	char prot[5];

	if (s->json && !first)
		fputc(',', s->out);
	if (len < sizeof(*v))
		return -EINVAL;
	plen = len - sizeof(*v) < v->path_len ? len - sizeof(*v) : v->path_len;
	stored = stored_in(s->img, v->start, v->end);
	s->pages_total += stored;
	prot_str(v->prot, v->flags, prot);
	if (s->json) {
		fprintf(s->out, "{\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\",\"prot\":\"%s\",\"size\":%" PRIu64
			",\"stored\":%" PRIu64 ",\"path\":",
			v->start, v->end, prot, v->end - v->start, stored);
		show_json_str(s, path, plen);
		fprintf(s->out, "}");
	} else {
		fprintf(s->out, "  %012" PRIx64 "-%012" PRIx64 " %s %8" PRIu64 "K stored %8" PRIu64 "K ",
			v->start, v->end, prot, (v->end - v->start) >> 10, stored >> 10);
		show_text_str(s, path, plen);
		fprintf(s->out, "%s\n", v->flags & REC_VMA_DELETED ? " (deleted)" : "");
	}
	return 0;
}

/* ---- fds (the fd kinds: lib/kinds/fd.c's table) and their locks (lib/kinds/locks.c) ---- */

/* open(2) flags as "rw,append,nonblock": the access mode, then the others. */
static void open_flags_str(uint32_t flags, char *out, size_t size)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ O_CREAT, "creat" }, { O_EXCL, "excl" }, { O_NOCTTY, "noctty" }, { O_TRUNC, "trunc" },
		{ O_APPEND, "append" }, { O_NONBLOCK, "nonblock" }, { O_DSYNC, "dsync" },
		{ O_ASYNC, "async" }, { O_DIRECT, "direct" }, { O_DIRECTORY, "directory" },
		{ O_NOFOLLOW, "nofollow" }, { O_NOATIME, "noatime" }, { O_PATH, "path" },
		{ O_SYNC, "sync" }, { O_TMPFILE, "tmpfile" },
	};
	uint32_t acc = flags & O_ACCMODE;
	size_t n;

	n = snprintf(out, size, "%s", acc == O_RDONLY ? "r" : acc == O_WRONLY ? "w" : acc == O_RDWR ? "rw" : "acc3");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && n < size; i++)
		if ((flags & names[i].bit) == names[i].bit)
			n += snprintf(out + n, size - n, ",%s", names[i].name);
}

static const char *lock_kind_name(uint32_t kind)
{
	switch (kind) {
	case REC_LOCK_FLOCK: return "flock";
	case REC_LOCK_OFD: return "ofd";
	case REC_LOCK_POSIX: return "posix";
	}
	return "unknown";
}

/* The IMG_REC_LOCK records of description @fd (rec_lock.fd is rec_fd.desc). */
static int show_fd_locks(struct show_ctx *s, int32_t fd)
{
	const void *data;
	uint32_t type;
	size_t len;
	int ret, n = 0;

	img_rewind(s->img);
	while ((ret = img_next_record(s->img, &type, &data, &len)) == 1) {
		const struct rec_lock *l = data;
		const char *what;

		if (type != IMG_REC_LOCK || len != sizeof(*l) || l->fd != fd)
			continue;
		if (l->kind == REC_LOCK_FLOCK)
			what = l->type == F_WRLCK ? "LOCK_EX" : "LOCK_SH";
		else
			what = l->type == F_WRLCK ? "write" : "read";
		if (s->json)
			fprintf(s->out, "%s{\"kind\":\"%s\",\"type\":\"%s\",\"start\":%" PRIu64 ",\"len\":%" PRIu64 "}",
				n ? "," : "", lock_kind_name(l->kind), what, l->start, l->len);
		else if (l->kind == REC_LOCK_FLOCK)
			fprintf(s->out, "      lock: flock %s\n", what);
		else if (l->len)
			fprintf(s->out, "      lock: %s %s bytes %" PRIu64 "-%" PRIu64 "\n", lock_kind_name(l->kind), what,
				l->start, l->start + l->len - 1);
		else
			fprintf(s->out, "      lock: %s %s bytes %" PRIu64 "-EOF\n", lock_kind_name(l->kind), what, l->start);
		n++;
	}
	return ret;
}

/*
 * One line per fd: number, kind, flags, position, size and path, what the
 * kind keeps (eventfd count, signalfd mask, memfd seals, pipe size), the
 * fd whose description it shares, and the locks held through it.
 */
static int show_fd(struct show_ctx *s, const void *data, size_t len, bool first)
{
	const struct rec_fd *f = data;
	const char *path;
	char flags[160], detail[64];
	size_t plen;
	int ret = 0;

	if (len < sizeof(*f))
		return -EINVAL;
	path = (const char *)(f + 1);
	plen = len - sizeof(*f) < f->path_len ? len - sizeof(*f) : f->path_len;
	open_flags_str(f->flags, flags, sizeof(flags));
	if (s->json) {
		fprintf(s->out, "%s{\"fd\":%d,\"kind\":\"%s\",\"flags\":\"%s\",\"cloexec\":%s,\"pos\":%" PRIu64
			",\"size\":%" PRIu64 ",\"mode\":\"0%o\",\"desc\":%d,\"obj\":%d",
			first ? "" : ",", f->fd, sudcr_fd_kind_name(f->kind), flags,
			f->fd_flags & FD_CLOEXEC ? "true" : "false", f->pos, f->size, f->mode, f->desc, f->obj);
		sudcr_fd_kind_detail(f, true, detail, sizeof(detail));
		fputs(detail, s->out);
		if (f->desc == f->fd)
			ret = fd_kind_show_records(s, f);
		if (ret < 0)
			return ret;
		fprintf(s->out, ",\"path\":");
		show_json_str(s, path, plen);
		fprintf(s->out, ",\"locks\":[");
		ret = show_fd_locks(s, f->fd);
		fprintf(s->out, "]}");
	} else {
		fprintf(s->out, "  fd %3d %-12s %s%s pos %" PRIu64 " size %" PRIu64, f->fd, sudcr_fd_kind_name(f->kind),
			flags, f->fd_flags & FD_CLOEXEC ? " cloexec" : "", f->pos, f->size);
		sudcr_fd_kind_detail(f, false, detail, sizeof(detail));
		fputs(detail, s->out);
		if (f->desc != f->fd)
			fprintf(s->out, " (shares fd %d)", f->desc);
		if (plen) {
			fputc(' ', s->out);
			show_text_str(s, path, plen);
		}
		fputc('\n', s->out);
		if (f->desc == f->fd)
			ret = fd_kind_show_records(s, f);
		if (ret >= 0 && f->desc == f->fd)
			ret = show_fd_locks(s, f->fd);
	}
	return ret < 0 ? ret : 0;
}

/* ---- the driver ---- */

/* The printers of the driver's own kinds (process and memory: lib/kinds/kinds.c's table names them). */
const struct cr_rec_show show_process_sections[] = {
	{ IMG_REC_PROCESS, 10, NULL, "", show_process },
	{ IMG_REC_THREAD, 20, "threads", "", show_thread },
	{ 0 },
};
const struct cr_rec_show show_mm_sections[] = {
	{ IMG_REC_VMA, 40, "memory", "memory:\n", show_vma },
	{ 0 },
};
const struct cr_rec_show show_files_sections[] = {
	{ IMG_REC_FD, 50, "fds", "files:\n", show_fd },
	{ 0 },
};

/* A section: the records of sec->type, printed through sec->print. */
struct show_section {
	const struct cr_rec_show *sec;
};

static int by_rank(const void *a, const void *b)
{
	const struct show_section *x = a, *y = b;

	return x->sec->rank < y->sec->rank ? -1 : x->sec->rank > y->sec->rank;
}

/* Every record type of the kinds' table with a section, by rank; the count in *@nr. */
static struct show_section *show_sections(size_t *nr)
{
	struct show_section *v = NULL;
	size_t n = 0;

	for (const struct cr_kind *const *k = cr_kinds; *k; k++)
		for (const struct cr_rec_show *t = (*k)->show; t && t->type; t++) {
			struct show_section *nv;

			nv = realloc(v, (n + 1) * sizeof(*v));
			if (!nv) {
				free(v);
				sudcr_error("out of memory");
				return NULL;
			}
			v = nv;
			v[n++].sec = t;
		}
	qsort(v, n, sizeof(*v), by_rank);
	*nr = n;
	return v;
}

/* A tree's own image holds only the tree: its processes, parents first; each live one's image is DIR/PID. */

/*
 * The records of one section, in image order.  Their data stays valid
 * until the image is closed, so they are collected first: a printer may
 * walk the image itself (the memory one sums PAGES records, the fd one
 * finds the locks).
 */
static int show_section(struct show_ctx *s, const struct show_section *sec)
{
	uint64_t nr = img_count_type(s->img, sec->sec->type), n = 0;
	struct { const void *data; size_t len; } *recs;
	const void *data;
	uint32_t type;
	size_t len;
	int ret;

	if (!nr)
		return 0;
	recs = calloc(nr, sizeof(*recs));
	if (!recs) {
		sudcr_error("out of memory");
		return -ENOMEM;
	}
	img_rewind(s->img);
	while ((ret = img_next_record(s->img, &type, &data, &len)) == 1) {
		if (type != sec->sec->type || n == nr)
			continue;
		recs[n].data = data;
		recs[n].len = len;
		n++;
	}
	for (uint64_t i = 0; i < n && ret >= 0; i++)
		ret = sec->sec->print(s, recs[i].data, recs[i].len, i == 0);
	free(recs);
	return ret;
}

/* ---- process trees (lib/kinds/tree.c: a tree image's own core.img) ---- */

static int show_tree_proc(struct show_ctx *s, const void *data, size_t len, bool first)
{
	const struct rec_tree_proc *p = data;
	bool zombie;
	char state[32];

	if (len != sizeof(*p))
		return img_record_invalid(s->img, "bad tree process record");
	zombie = p->state == REC_TREE_ZOMBIE;
	if (zombie && WIFSIGNALED(p->exit_status))
		snprintf(state, sizeof(state), "zombie (signal %d)", WTERMSIG(p->exit_status));
	else if (zombie)
		snprintf(state, sizeof(state), "zombie (exit %d)", WEXITSTATUS(p->exit_status));
	else
		snprintf(state, sizeof(state), "%s", p->flags & REC_TREE_F_STOPPED ? "stopped" : "live");
	if (s->json) {
		fprintf(s->out, "%s{\"pid\":%d,\"ppid\":%d,\"pgid\":%d,\"sid\":%d,\"state\":\"%s\",",
			first ? "" : ",", p->pid, p->ppid, p->pgid, p->sid,
			zombie ? "zombie" : p->flags & REC_TREE_F_STOPPED ? "stopped" : "live");
		if (zombie)
			fprintf(s->out, "\"exit_status\":%d,", p->exit_status);
		fprintf(s->out, "\"threads\":%u,\"comm\":", p->nr_threads);
		show_json_str(s, p->comm, strnlen(p->comm, sizeof(p->comm)));
		fputc('}', s->out);
	} else {
		fprintf(s->out, "  %-7d %-7d %-7d %-7d %-16s %-7u ", p->pid, p->ppid, p->pgid, p->sid, state,
			p->nr_threads);
		show_text_str(s, p->comm, strnlen(p->comm, sizeof(p->comm)));
		fputc('\n', s->out);
	}
	return 0;
}

/* A tree image's core.img holds only the tree records (lib/kinds/tree.c): one section of its own. */
static const struct cr_rec_show show_tree_rec = { IMG_REC_TREE_PROC, 0, "tree", "", show_tree_proc };
static const struct show_section show_tree_section = { &show_tree_rec };

static int show_tree(struct show_ctx *s, const char *dir)
{
	int ret;

	if (s->json)
		fputs("{\"tree\":[", s->out);
	else
		fprintf(s->out, "tree: %" PRIu64 " processes (each live one's image in %s/PID)\n"
			"  %-7s %-7s %-7s %-7s %-16s %-7s %s\n", img_count_type(s->img, IMG_REC_TREE_PROC), dir,
			"PID", "PPID", "PGID", "SID", "STATE", "THREADS", "NAME");
	ret = show_section(s, &show_tree_section);
	if (ret < 0)
		return ret;
	if (s->json)
		fprintf(s->out, "],\"inherited_fds\":%" PRIu64 ",\"shared_pipes\":%" PRIu64
			",\"shared_socket_pairs\":%" PRIu64 ",\"shared_mappings\":%" PRIu64,
			img_count_type(s->img, IMG_REC_TREE_FD), img_count_type(s->img, IMG_REC_TREE_PIPE),
			img_count_type(s->img, IMG_REC_TREE_UNIX), img_count_type(s->img, IMG_REC_TREE_SHM));
	else
		fprintf(s->out, "fds inherited from the parent: %" PRIu64 "; pipes made once for several processes: %" PRIu64
			"; socket pairs made once for several: %" PRIu64
			"; mappings of an earlier process's memory object: %" PRIu64 "\n",
			img_count_type(s->img, IMG_REC_TREE_FD), img_count_type(s->img, IMG_REC_TREE_PIPE),
			img_count_type(s->img, IMG_REC_TREE_UNIX), img_count_type(s->img, IMG_REC_TREE_SHM));
	/* Each terminal once, with every process on it (lib/kinds/pty.c). */
	ret = pty_show_tree(s, dir);
	if (s->json)
		fputs("}\n", s->out);
	return ret;
}

int sudcr_image_open(struct sudcr_image **img, const char *dir)
{
	int ret;

	*img = calloc(1, sizeof(**img));
	if (!*img) {
		sudcr_error("out of memory");
		return -ENOMEM;
	}
	(*img)->dir = strdup(dir);
	ret = (*img)->dir ? img_reader_open(&(*img)->r, dir) : -ENOMEM;
	if (ret == -ENOMEM && !(*img)->dir)
		sudcr_error("out of memory");
	if (ret) {
		free((*img)->dir);
		free(*img);
		*img = NULL;
	}
	return ret;
}

void sudcr_image_close(struct sudcr_image *img)
{
	if (!img)
		return;
	img_reader_close(img->r);
	free(img->dir);
	free(img);
}

/* The records of each type in the image, kept in ascending type order (show prints them so). */
struct type_count {
	uint32_t type;
	uint64_t n;
};

static int count_type(struct type_count **v, size_t *nr, uint32_t type)
{
	struct type_count *nv;
	size_t i = 0;

	while (i < *nr && (*v)[i].type < type)
		i++;
	if (i < *nr && (*v)[i].type == type) {
		(*v)[i].n++;
		return 0;
	}
	nv = realloc(*v, (*nr + 1) * sizeof(**v));
	if (!nv) {
		sudcr_error("out of memory");
		return -ENOMEM;
	}
	*v = nv;
	memmove(&nv[i + 1], &nv[i], (*nr - i) * sizeof(*nv));
	nv[i].type = type;
	nv[i].n = 1;
	(*nr)++;
	return 0;
}

int sudcr_image_show(struct sudcr_image *img, FILE *out, enum sudcr_show_format format)
{
	struct show_ctx s = { .out = out, .json = format == SUDCR_SHOW_JSON, .img = img->r };
	struct img_reader *r = img->r;
	struct show_section *sections;
	struct type_count *counts = NULL;
	size_t nr_sections = 0, nr_counts = 0;
	bool in_array = false;
	const void *data;
	uint32_t type;
	size_t len;
	int ret;

	img_rewind(r);
	while ((ret = img_next_record(r, &type, &data, &len)) == 1)
		if (count_type(&counts, &nr_counts, type)) {
			free(counts);
			return -ENOMEM;
		}
	if (ret < 0) {
		free(counts);
		return ret;
	}
	if (img_count_type(r, IMG_REC_TREE_PROC)) {
		ret = show_tree(&s, img->dir);
		free(counts);
		return ret;
	}
	sections = show_sections(&nr_sections);
	if (!sections && nr_sections) {
		free(counts);
		return -ENOMEM;
	}
	if (s.json)
		fputc('{', out);
	for (size_t i = 0; i < nr_sections; i++) {
		const struct show_section *sec = &sections[i];

		if (s.json && sec->sec->json) {
			fprintf(out, "%s\"%s\":[", in_array ? "]," : ",", sec->sec->json);
			in_array = true;
		} else if (!s.json) {
			fputs(sec->sec->text, out);
		}
		/* After an error the headings still come, as they always did: no more records. */
		if (ret >= 0)
			ret = show_section(&s, sec);
	}
	if (s.json) {
		fprintf(out, "%s,\"pages_stored\":%" PRIu64 ",\"page_files\":[", in_array ? "]" : "", s.pages_total);
		for (unsigned int k = 0; k < img_page_files(r); k++)
			fprintf(out, "%s%" PRIu64, k ? "," : "", img_pages_data_len(r, k));
		fprintf(out, "],\"records\":{");
		for (size_t t = 0; t < nr_counts; t++)
			fprintf(out, "%s\"%s\":%" PRIu64, t ? "," : "", sudcr_record_name(counts[t].type), counts[t].n);
		fprintf(out, "}}\n");
	} else {
		fprintf(out, "stored pages: %" PRIu64 "K in %u page file%s (", s.pages_total >> 10,
			img_page_files(r), img_page_files(r) == 1 ? "" : "s");
		for (unsigned int k = 0; k < img_page_files(r); k++)
			fprintf(out, "%s%" PRIu64 "K", k ? " + " : "", img_pages_data_len(r, k) >> 10);
		fprintf(out, ")\nrecords:");
		for (size_t t = 0; t < nr_counts; t++)
			fprintf(out, " %s %" PRIu64, sudcr_record_name(counts[t].type), counts[t].n);
		fprintf(out, "\n");
	}
	free(sections);
	free(counts);
	return ret < 0 ? ret : 0;
}
