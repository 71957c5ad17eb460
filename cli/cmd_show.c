// SPDX-License-Identifier: MIT
/* sudcr show: print what an image holds, as text or JSON. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <sudcr/arch.h>
#include <sudcr/image.h>
#include <sudcr/image_records.h>
#include <sudcr/log.h>
#include <sudcr/sud.h>

#include "cli.h"

static void show_help(void)
{
	printf("Usage: sudcr show -D DIR [--json]\n\n"
	       "Validates the image in DIR and prints what it holds: the process and its\n"
	       "threads with their SUD config and credentials (and for a thread cut\n"
	       "short in a sleep, that the restore issues the call again: a relative\n"
	       "timeout starts over, an absolute one is exact), the memory map with the\n"
	       "size stored for each mapping and in each page file, signal dispositions and pending\n"
	       "signals, each open fd (its kind, flags, position, size, path, what its\n"
	       "kind keeps and the file locks held through it), and how many records of\n"
	       "other kinds there are.  Bytes from the image that are not printable\n"
	       "text are shown escaped (\\n, \\xHH).  --json prints\n"
	       "one JSON object.\n");
}

static void json_str(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char ch = s[i];

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

/* Text output: bytes from the image escaped (sudcr_escape()), at most @n. */
static void text_str(const char *s, size_t n)
{
	char buf[4 * REC_PATH_MAX + 1];

	if (n > REC_PATH_MAX)
		n = REC_PATH_MAX;
	sudcr_escape(buf, sizeof(buf), s, n);
	fputs(buf, stdout);
}

struct show_state {
	bool json;
	int sections;		/* JSON: open arrays written so far */
	uint64_t counts[128];
	uint64_t pages_total;
	uint32_t arch;		/* of the process record */
};

static void prot_str(uint32_t prot, uint32_t flags, char out[5])
{
	out[0] = prot & PROT_READ ? 'r' : '-';
	out[1] = prot & PROT_WRITE ? 'w' : '-';
	out[2] = prot & PROT_EXEC ? 'x' : '-';
	out[3] = flags & REC_VMA_SHARED ? 's' : 'p';
	out[4] = '\0';
}

/* Bytes stored for each mapping: sum of PAGES records inside it. */
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

static const char *syscall_name(const struct show_state *st, unsigned long long nr)
{
	const char *name = NULL;

	if (st->arch == ARCH_X86_64 || st->arch == ARCH_IA32)
		name = arch_syscall_name(st->arch, (long)nr);
	return name ? name : "?";
}

static int show_pass(struct img_reader *r, struct show_state *st, uint32_t want)
{
	const void *data;
	uint32_t type;
	size_t len;
	bool first = true;
	int ret;

	img_rewind(r);
	while ((ret = img_next_record(r, &type, &data, &len)) == 1) {
		if (type != want)
			continue;
		if (type == IMG_REC_PROCESS && len == sizeof(struct rec_process)) {
			const struct rec_process *p = data;

			st->arch = p->arch;
			if (st->json) {
				printf("\"process\":{\"pid\":%d,\"arch\":\"%s\",\"threads\":%u,\"stopped\":%s,\"shell_job\":%s,\"leader_exited\":%s,\"comm\":",
				       p->pid, arch_name(p->arch), p->nr_threads,
				       p->flags & REC_PROC_STOPPED ? "true" : "false",
				       p->flags & REC_PROC_SHELL_JOB ? "true" : "false",
				       p->flags & REC_PROC_LEADER_ZOMBIE ? "true" : "false");
				json_str(p->comm, sizeof(p->comm));
				printf("}");
			} else {
				printf("process %d (", p->pid);
				text_str(p->comm, sizeof(p->comm));
				printf("), %s, %u thread%s%s%s%s\n", arch_name(p->arch),
				       p->nr_threads, p->nr_threads == 1 ? "" : "s",
				       p->flags & REC_PROC_STOPPED ? ", stopped" : "",
				       p->flags & REC_PROC_SHELL_JOB ? ", shell job" : "",
				       p->flags & REC_PROC_LEADER_ZOMBIE ? ", thread group leader exited" : "");
			}
		} else if (type == IMG_REC_THREAD && len == sizeof(struct rec_thread)) {
			const struct rec_thread *t = data;
			const struct user_regs_struct *regs = (const void *)t->regs;

			if (st->json) {
				printf("%s{\"tid\":%d,\"comm\":", first ? "" : ",", t->tid);
				json_str(t->comm, sizeof(t->comm));
				printf(",\"ip\":\"0x%llx\",\"sigmask\":\"0x%" PRIx64 "\",\"sud\":{\"mode\":\"%s\",\"selector\":",
				       regs->rip, t->sigmask, sud_mode_name(t->sud_mode));
				if (t->sud_selector)
					printf("\"0x%" PRIx64 "\"", t->sud_selector);
				else
					printf("null");
				printf(",\"offset\":\"0x%" PRIx64 "\",\"len\":%" PRIu64 "}", t->sud_offset, t->sud_len);
				if (in_restart_block(regs))
					printf(",\"restart_block\":{\"syscall\":%lld,\"name\":\"%s\"}",
					       (long long)regs->orig_rax, syscall_name(st, regs->orig_rax));
				printf("}");
			} else {
				printf("  thread %d (", t->tid);
				text_str(t->comm, sizeof(t->comm));
				printf(") ip 0x%llx sigmask 0x%" PRIx64 "\n", regs->rip, t->sigmask);
				if (in_restart_block(regs))
					printf("    in %s (syscall %lld), cut short with a restart block: restore issues it again with its original arguments (a relative timeout starts over; an absolute one is exact)\n",
					       syscall_name(st, regs->orig_rax), (long long)regs->orig_rax);
				printf("    sud: %s", sud_mode_name(t->sud_mode));
				if (t->sud_mode)
					printf(" offset 0x%" PRIx64 " len %" PRIu64 " selector 0x%" PRIx64, t->sud_offset,
					       t->sud_len, t->sud_selector);
				printf("\n");
			}
		} else if (type == IMG_REC_CREDS && len >= sizeof(struct rec_creds)) {
			const struct rec_creds *c = data;
			const uint32_t *g = (const uint32_t *)(c + 1);
			uint32_t n = (len - sizeof(*c)) / sizeof(*g);

			if (n > c->nr_groups)
				n = c->nr_groups;
			if (st->json) {
				printf("%s{\"tid\":%d,\"uid\":[%u,%u,%u,%u],\"gid\":[%u,%u,%u,%u],\"groups\":[",
				       first ? "" : ",", c->tid, c->uid[0], c->uid[1], c->uid[2], c->uid[3],
				       c->gid[0], c->gid[1], c->gid[2], c->gid[3]);
				for (uint32_t i = 0; i < n; i++)
					printf("%s%u", i ? "," : "", g[i]);
				printf("],\"cap_inh\":\"0x%" PRIx64 "\",\"cap_prm\":\"0x%" PRIx64 "\",\"cap_eff\":\"0x%" PRIx64
				       "\",\"cap_bnd\":\"0x%" PRIx64 "\",\"cap_amb\":\"0x%" PRIx64 "\",\"securebits\":\"0x%x\","
				       "\"no_new_privs\":%s}", c->cap_inh, c->cap_prm, c->cap_eff, c->cap_bnd, c->cap_amb,
				       c->securebits, c->no_new_privs ? "true" : "false");
			} else {
				printf("  thread %d: uid %u/%u/%u/%u gid %u/%u/%u/%u groups", c->tid, c->uid[0], c->uid[1],
				       c->uid[2], c->uid[3], c->gid[0], c->gid[1], c->gid[2], c->gid[3]);
				for (uint32_t i = 0; i < n && i < 16; i++)
					printf("%s%u", i ? "," : " ", g[i]);
				printf("%s\n    caps inh 0x%" PRIx64 " prm 0x%" PRIx64 " eff 0x%" PRIx64 " bnd 0x%" PRIx64
				       " amb 0x%" PRIx64 " securebits 0x%x%s\n", !n ? " none" : n > 16 ? ",..." : "",
				       c->cap_inh, c->cap_prm, c->cap_eff, c->cap_bnd, c->cap_amb, c->securebits,
				       c->no_new_privs ? " no_new_privs" : "");
			}
		} else if (type == IMG_REC_SIGACTION && len == sizeof(struct rec_sigaction)) {
			const struct rec_sigaction *a = data;

			if (st->json)
				printf("%s{\"signo\":%u,\"handler\":\"0x%" PRIx64 "\",\"flags\":\"0x%" PRIx64 "\",\"mask\":\"0x%" PRIx64 "\"}",
				       first ? "" : ",", a->signo, a->handler, a->flags, a->mask);
			else
				printf("  signal %2u: handler 0x%" PRIx64 " flags 0x%" PRIx64 " mask 0x%" PRIx64 "\n",
				       a->signo, a->handler, a->flags, a->mask);
		} else if (type == IMG_REC_SIGPENDING && len == sizeof(struct rec_sigpending)) {
			const struct rec_sigpending *p = data;
			const siginfo_t *si = (const void *)p->siginfo;

			if (st->json)
				printf("%s{\"tid\":%d,\"signo\":%d,\"code\":%d}", first ? "" : ",", p->tid, si->si_signo,
				       si->si_code);
			else
				printf("  pending signal %d (si_code %d) %s %d\n", si->si_signo, si->si_code,
				       p->tid ? "for thread" : "for the process", p->tid ? p->tid : 0);
		}
		first = false;
	}
	return ret;
}

/*
 * VMA records print one at a time: stored_in() walks the records for each,
 * so the cursor is found again by index.  Images have tens to hundreds of
 * mappings; the quadratic walk is fine for a diagnostic command.
 */
static int show_vmas(struct img_reader *r, struct show_state *st)
{
	const void *data;
	uint32_t type;
	size_t len;
	uint64_t idx = 0;
	int ret;

	for (;;) {
		uint64_t seen = 0;
		bool found = false;

		img_rewind(r);
		while ((ret = img_next_record(r, &type, &data, &len)) == 1) {
			if (type != IMG_REC_VMA || seen++ < idx)
				continue;
			found = true;
			break;
		}
		if (ret < 0)
			return ret;
		if (!found)
			return 0;
		if (st->json && idx)
			putchar(',');
		{
			const struct rec_vma *v = data;
			const char *path = (const char *)(v + 1);
			size_t plen;
			uint64_t stored;
			char prot[5];

			if (len < sizeof(*v))
				return -EINVAL;
			plen = len - sizeof(*v) < v->path_len ? len - sizeof(*v) : v->path_len;
			stored = stored_in(r, v->start, v->end);
			st->pages_total += stored;
			prot_str(v->prot, v->flags, prot);
			if (st->json) {
				printf("{\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\",\"prot\":\"%s\",\"size\":%" PRIu64
				       ",\"stored\":%" PRIu64 ",\"path\":",
				       v->start, v->end, prot, v->end - v->start, stored);
				json_str(path, plen);
				printf("}");
			} else {
				printf("  %012" PRIx64 "-%012" PRIx64 " %s %8" PRIu64 "K stored %8" PRIu64 "K ",
				       v->start, v->end, prot, (v->end - v->start) >> 10, stored >> 10);
				text_str(path, plen);
				printf("%s\n", v->flags & REC_VMA_DELETED ? " (deleted)" : "");
			}
		}
		idx++;
	}
}

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
static int show_fd_locks(struct img_reader *r, struct show_state *st, int32_t fd)
{
	const void *data;
	uint32_t type;
	size_t len;
	int ret, n = 0;

	img_rewind(r);
	while ((ret = img_next_record(r, &type, &data, &len)) == 1) {
		const struct rec_lock *l = data;
		const char *what;

		if (type != IMG_REC_LOCK || len != sizeof(*l) || l->fd != fd)
			continue;
		if (l->kind == REC_LOCK_FLOCK)
			what = l->type == F_WRLCK ? "LOCK_EX" : "LOCK_SH";
		else
			what = l->type == F_WRLCK ? "write" : "read";
		if (st->json)
			printf("%s{\"kind\":\"%s\",\"type\":\"%s\",\"start\":%" PRIu64 ",\"len\":%" PRIu64 "}",
			       n ? "," : "", lock_kind_name(l->kind), what, l->start, l->len);
		else if (l->kind == REC_LOCK_FLOCK)
			printf("      lock: flock %s\n", what);
		else if (l->len)
			printf("      lock: %s %s bytes %" PRIu64 "-%" PRIu64 "\n", lock_kind_name(l->kind), what,
			       l->start, l->start + l->len - 1);
		else
			printf("      lock: %s %s bytes %" PRIu64 "-EOF\n", lock_kind_name(l->kind), what, l->start);
		n++;
	}
	return ret;
}

/*
 * One line per fd: number, kind, flags, position, size and path, what the
 * kind keeps (eventfd count, signalfd mask, memfd seals, pipe size), the
 * fd whose description it shares, and the locks held through it.  Like
 * show_vmas(), it finds its place again by index after each lock walk.
 */
static int show_fds(struct img_reader *r, struct show_state *st)
{
	const void *data;
	uint32_t type;
	size_t len;
	uint64_t idx = 0;
	int ret;

	for (;;) {
		const struct rec_fd *f;
		const char *path;
		uint64_t seen = 0;
		bool found = false;
		char flags[160], detail[64];
		size_t plen;

		img_rewind(r);
		while ((ret = img_next_record(r, &type, &data, &len)) == 1) {
			if (type != IMG_REC_FD || seen++ < idx)
				continue;
			found = true;
			break;
		}
		if (ret < 0)
			return ret;
		if (!found)
			return 0;
		f = data;
		if (len < sizeof(*f))
			return -EINVAL;
		path = (const char *)(f + 1);
		plen = len - sizeof(*f) < f->path_len ? len - sizeof(*f) : f->path_len;
		open_flags_str(f->flags, flags, sizeof(flags));
		if (st->json) {
			printf("%s{\"fd\":%d,\"kind\":\"%s\",\"flags\":\"%s\",\"cloexec\":%s,\"pos\":%" PRIu64
			       ",\"size\":%" PRIu64 ",\"mode\":\"0%o\",\"desc\":%d,\"obj\":%d",
			       idx ? "," : "", f->fd, sudcr_fd_kind_name(f->kind), flags,
			       f->fd_flags & FD_CLOEXEC ? "true" : "false", f->pos, f->size, f->mode, f->desc, f->obj);
			sudcr_fd_kind_detail(f, true, detail, sizeof(detail));
			fputs(detail, stdout);
			printf(",\"path\":");
			json_str(path, plen);
			printf(",\"locks\":[");
			ret = show_fd_locks(r, st, f->fd);
			printf("]}");
		} else {
			printf("  fd %3d %-12s %s%s pos %" PRIu64 " size %" PRIu64, f->fd, sudcr_fd_kind_name(f->kind), flags,
			       f->fd_flags & FD_CLOEXEC ? " cloexec" : "", f->pos, f->size);
			sudcr_fd_kind_detail(f, false, detail, sizeof(detail));
			fputs(detail, stdout);
			if (f->desc != f->fd)
				printf(" (shares fd %d)", f->desc);
			if (plen) {
				putchar(' ');
				text_str(path, plen);
			}
			putchar('\n');
			if (f->desc == f->fd)
				ret = show_fd_locks(r, st, f->fd);
		}
		if (ret < 0)
			return ret;
		idx++;
	}
}

/* A tree's own image: its processes, parents first; each live one's image is DIR/PID. */
static int show_tree(struct img_reader *r, const struct show_state *st, const char *dir)
{
	const void *data;
	uint32_t type;
	size_t len;
	int ret, n = 0;

	if (st->json)
		printf("{\"tree\":[");
	else
		printf("tree: %" PRIu64 " processes (each live one's image in %s/PID)\n"
		       "  %-7s %-7s %-7s %-7s %-16s %-7s %s\n", st->counts[IMG_REC_TREE_PROC], dir,
		       "PID", "PPID", "PGID", "SID", "STATE", "THREADS", "NAME");
	img_rewind(r);
	while ((ret = img_next_record(r, &type, &data, &len)) == 1) {
		const struct rec_tree_proc *p = data;
		bool zombie = p->state == REC_TREE_ZOMBIE;
		char state[32];

		if (type != IMG_REC_TREE_PROC)
			continue;
		if (len != sizeof(*p))
			return img_record_invalid(r, "bad tree process record");
		if (zombie && WIFSIGNALED(p->exit_status))
			snprintf(state, sizeof(state), "zombie (signal %d)", WTERMSIG(p->exit_status));
		else if (zombie)
			snprintf(state, sizeof(state), "zombie (exit %d)", WEXITSTATUS(p->exit_status));
		else
			snprintf(state, sizeof(state), "%s", p->flags & REC_TREE_F_STOPPED ? "stopped" : "live");
		if (st->json) {
			printf("%s{\"pid\":%d,\"ppid\":%d,\"pgid\":%d,\"sid\":%d,\"state\":\"%s\",",
			       n ? "," : "", p->pid, p->ppid, p->pgid, p->sid,
			       zombie ? "zombie" : p->flags & REC_TREE_F_STOPPED ? "stopped" : "live");
			if (zombie)
				printf("\"exit_status\":%d,", p->exit_status);
			printf("\"threads\":%u,\"comm\":", p->nr_threads);
			json_str(p->comm, strnlen(p->comm, sizeof(p->comm)));
			printf("}");
		} else {
			printf("  %-7d %-7d %-7d %-7d %-16s %-7u ", p->pid, p->ppid, p->pgid, p->sid, state,
			       p->nr_threads);
			text_str(p->comm, strnlen(p->comm, sizeof(p->comm)));
			printf("\n");
		}
		n++;
	}
	if (ret < 0)
		return ret;
	if (st->json)
		printf("],\"inherited_fds\":%" PRIu64 ",\"shared_pipes\":%" PRIu64 "}\n",
		       st->counts[IMG_REC_TREE_FD], st->counts[IMG_REC_TREE_PIPE]);
	else
		printf("fds inherited from the parent: %" PRIu64 "; pipes made once for several processes: %" PRIu64 "\n",
		       st->counts[IMG_REC_TREE_FD], st->counts[IMG_REC_TREE_PIPE]);
	return 0;
}

static int show_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "images-dir", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'J' },
		{ 0 }
	};
	struct show_state st = { 0 };
	struct img_reader *r;
	const char *dir = NULL;
	const void *data;
	uint32_t type;
	size_t len;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":D:", opts, NULL)) != -1) {
		if (c == 'D')
			dir = optarg;
		else if (c == 'J')
			st.json = true;
		else
			return cli_bad_option("show", c, argv);
	}
	if (optind != argc)
		return cli_usage_error("show", "unexpected argument '%s'", argv[optind]);
	if (!dir)
		return cli_usage_error("show", "-D DIR is required");
	if (img_reader_open(&r, dir))
		return EXIT_FAIL;
	while ((ret = img_next_record(r, &type, &data, &len)) == 1)
		st.counts[type < 128 ? type : 127]++;
	if (ret < 0)
		goto out;
	if (st.counts[IMG_REC_TREE_PROC]) {
		ret = show_tree(r, &st, dir);
		goto out;
	}
	if (st.json)
		putchar('{');
	ret = show_pass(r, &st, IMG_REC_PROCESS);
	printf(st.json ? ",\"threads\":[" : "");
	if (ret >= 0)
		ret = show_pass(r, &st, IMG_REC_THREAD);
	printf(st.json ? "],\"creds\":[" : "credentials:\n");
	if (ret >= 0)
		ret = show_pass(r, &st, IMG_REC_CREDS);
	printf(st.json ? "],\"memory\":[" : "memory:\n");
	if (ret >= 0)
		ret = show_vmas(r, &st);
	printf(st.json ? "],\"fds\":[" : "files:\n");
	if (ret >= 0)
		ret = show_fds(r, &st);
	printf(st.json ? "],\"sigactions\":[" : "signals:\n");
	if (ret >= 0)
		ret = show_pass(r, &st, IMG_REC_SIGACTION);
	printf(st.json ? "],\"pending\":[" : "");
	if (ret >= 0)
		ret = show_pass(r, &st, IMG_REC_SIGPENDING);
	if (st.json) {
		printf("],\"pages_stored\":%" PRIu64 ",\"page_files\":[", st.pages_total);
		for (unsigned int k = 0; k < img_page_files(r); k++)
			printf("%s%" PRIu64, k ? "," : "", img_pages_data_len(r, k));
		printf("],\"records\":{");
		for (int t = 0, first = 1; t < 128; t++) {
			if (!st.counts[t])
				continue;
			printf("%s\"%s\":%" PRIu64, first ? "" : ",", sudcr_record_name(t), st.counts[t]);
			first = 0;
		}
		printf("}}\n");
	} else {
		printf("stored pages: %" PRIu64 "K in %u page file%s (", st.pages_total >> 10,
		       img_page_files(r), img_page_files(r) == 1 ? "" : "s");
		for (unsigned int k = 0; k < img_page_files(r); k++)
			printf("%s%" PRIu64 "K", k ? " + " : "", img_pages_data_len(r, k) >> 10);
		printf(")\nrecords:");
		for (int t = 0; t < 128; t++)
			if (st.counts[t])
				printf(" %s %" PRIu64, sudcr_record_name(t), st.counts[t]);
		printf("\n");
	}
out:
	img_reader_close(r);
	return ret < 0 ? EXIT_FAIL : EXIT_OK;
}

const struct cli_command cmd_show = {
	.name = "show",
	.summary = "print what an image holds (text or --json)",
	.run = show_run,
	.help = show_help,
};
