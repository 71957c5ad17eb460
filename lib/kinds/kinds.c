// SPDX-License-Identifier: MIT
/*
 * The table of kinds of state (issue #9 item 1): every record type of an
 * image belongs to exactly one kind here, and everything that lists record
 * types or orders the per-kind steps derives from this table.
 *
 * Plan (the shape this file grows into; what is done is in git log):
 *
 *   lib/kinds/NAME.c     one file per kind of state (eventfd.c, pipe.c,
 *                        rlimit.c, seccomp.c, creds.c, ...).  It holds the
 *                        kind's record types and payload structs (a private
 *                        NAME.h beside it only if another file needs them),
 *                        how it is found, its dump, its validation of
 *                        untrusted records, its restore and its show text,
 *                        and defines one `const struct cr_kind cr_kind_NAME`.
 *   lib/kinds/kinds.c    this table: one line per kind, in restore order.
 *                        The list of record types, show's names, restore's
 *                        check for unknown types, and the order of the
 *                        steps (struct cr_kind: collect, dump, prepare,
 *                        in_stub, restore_thread, restore, finish and the
 *                        frees) derive from it;
 *                        tests/unit/kinds_test.c checks it against
 *                        lib/image_records.h and
 *                        docs/image-format.md (no type claimed twice, every
 *                        documented type owned, names agreeing).
 *   lib/dump/            the dump driver only: freeze, collect (walk the
 *                        table), commit.
 *   lib/restore/         the restore driver only: read, validate (walk the
 *                        table), create the stub, transplant (mm), the
 *                        per-kind restore steps (walk the table), release.
 *
 * Order: the table is in restore order, which is the order of dependency
 * (files before the cwd, umask and rlimits, no_new_privs before the
 * seccomp filters, credentials last).  The dump walks it too, first the
 * kinds without CR_KIND_DUMP_LAST, then those with it, the kinds with a
 * collect step together (cr_kinds_dump()), so that the image's records
 * keep the order they have always had.
 * The process kind (threads, registers, xstate, TLS) and the memory kind
 * (mm, mappings, pages) own their types here, but their restore is the
 * driver's own (read_core first; the transplant before the threads are
 * created; restore_threads last), so their restore step stays NULL.
 *
 * Steps, one at a time, each commit green:
 *   1. this table; restore's unknown-type check and show's names from it;
 *      the unit test.
 *   2. the drivers' dump/prepare/restore/free lists from it.
 *   3. the copied helpers get one home (image_thread, is_pipe_kind, sc_nr).
 *   4. kinds move out of dump/misc.c, restore/misc.c (done: misc.c keeps
 *      the MISC and THREAD_MISC records, each item has its file),
 *      dump/files.c and restore/files.c into lib/kinds/NAME.c (the
 *      per-kind fd switches become a table of fd kinds in the same way:
 *      lib/kinds/fd.c, REC_FD_* -> the kind's ops; fd.c says how to add one).
 *   5. a new kind, as one new file + one line here + its docs.
 * Kinds not yet moved are described here by the functions of their
 * current files.
 *
 * tree (lib/kinds/tree.c) owns the records of a tree's own core.img
 * (dump -t): lib/dump/tree.c and lib/restore/tree.c read and write them
 * around the single-process drivers, so the kind has no dump or restore
 * step; its prepare refuses them in a process's image.  A tree's stub runs
 * the files kind's in_stub step, makes its children, then the other kinds'
 * (cr_kinds_in_stub_part()).
 */
#include <errno.h>
#include <stddef.h>

#include <sudcr/log.h>

#include "kinds.h"
#include "../show.h"

const struct cr_kind cr_kind_process = {
	.name = "process",
	.show = show_process_sections,
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_PROCESS, "process" },
		{ IMG_REC_THREAD, "thread" },
		{ IMG_REC_XSTATE, "xstate" },
		{ IMG_REC_TLS, "tls" },
		{ 0, NULL },
	},
	.dump = dump_threads,
};

const struct cr_kind cr_kind_mm = {
	.name = "mm",
	.show = show_mm_sections,
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_MM, "mm" },
		{ IMG_REC_VMA, "vma" },
		{ IMG_REC_PAGES, "pages" },
		{ IMG_REC_MM_ATTRS, "mm_attrs" },
		{ 0, NULL },
	},
	.dump = dump_mm,
	.prepare = restore_mm_prepare,
	.free = restore_mm_free,
};

const struct cr_kind cr_kind_files = {
	.name = "files",
	.show = show_files_sections,
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_FD, "fd" },
		{ IMG_REC_FILE_DATA, "file_data" },
		{ IMG_REC_TIMERFD, "timerfd" },
		{ IMG_REC_EPOLL, "epoll" },
		{ IMG_REC_UNIX, "unix" },
		{ IMG_REC_UNIX_QUEUE, "unix_queue" },
		{ IMG_REC_LOCK, "lock" },
		{ IMG_REC_TTY, "tty" },
		{ IMG_REC_PIPE_OUTSIDE, "pipe_outside" },
		{ IMG_REC_FILE_TIMES, "file_times" },
		{ IMG_REC_INET, "inet" },
		{ IMG_REC_INET_QUEUE, "inet_queue" },
		{ IMG_REC_INET_TCP, "inet_tcp" },
		{ IMG_REC_UNIX_SK, "unix_sk" },
		{ IMG_REC_NETLINK, "netlink" },
		{ IMG_REC_PACKET, "packet" },
		{ IMG_REC_INOTIFY, "inotify" },
		{ IMG_REC_FANOTIFY, "fanotify" },
		{ IMG_REC_MQUEUE, "mqueue" },
		{ IMG_REC_FD_OWN, "fd_own" },
		{ IMG_REC_PTY, "pty" },
		{ 0, NULL },
	},
	.flags = CR_KIND_DUMP_LAST,
	.dump = dump_files,
	.prepare = restore_files_prepare,
	.in_stub = restore_files_in_stub,
	.restore = restore_files,
	.free = restore_files_free,
};

/*
 * The table: one line per kind, in restore order (the dump's is derived,
 * see above).  A kind NAME defines `const struct cr_kind cr_kind_NAME`.
 *
 * sysv_sem's dump is the very last (CR_KIND_DUMP_LAST, after files and
 * cwd_deleted): it reads the semaphores as close to the kill as it can;
 * its in_stub step comes after the files', in a tree after the children
 * are made (they must not share the undo list it makes).
 * sysv_shm comes right after mm: its attaches go where the layout kept
 * their place, before any later kind maps something of its own; sysv_msg,
 * which makes gone queues again from sudcr itself, after it.
 *
 * From misc to seccomp, the kinds of the MISC and THREAD_MISC records
 * (misc.h): misc first, whose prepare reads both records and makes the
 * state the others complete, and whose dump writes both before the
 * records they count (cr_kinds_dump()).  Then, in the stub, the umask and
 * the cwd (fs), the inherited rseq area dropped, procattr's; injected, the
 * root (fs, which maps the scratch area they share), each thread's
 * personality, rseq area, robust list and name; the rlimits (set by
 * sudcr with prlimit(), not injected); injected again, the interval and
 * POSIX timers, the prctl flags (parent-death signal and
 * no_new_privs per thread, then subreaper and dumpable), procattr's,
 * sched's, and the seccomp filters, which an unprivileged process can
 * only install with no_new_privs; credentials last.  procattr before
 * sched: their records are in that order and procattr's prepare makes the
 * state sched's fills.  netlock after credentials: it injects nothing;
 * its prepare refuses an image whose network lock is held without
 * --tcp-established, and its finish, the last, takes the restored TCP
 * connections out of repair mode and lifts the lock just before the
 * release.
 */
#define CR_KINDS(X)		\
	X(process)		\
	X(namespaces)		\
	X(mm)			\
	X(sysv_shm)		\
	X(sysv_msg)		\
	X(signals)		\
	X(files)		\
	X(file_stamps)		\
	X(fd_mounts)		\
	X(cwd_deleted)		\
	X(sysv_sem)		\
	X(misc)			\
	X(fs)			\
	X(personality)		\
	X(rseq)			\
	X(robust_list)		\
	X(comm)			\
	X(rlimit)		\
	X(itimer)		\
	X(posix_timer)		\
	X(prctl)		\
	X(procattr)		\
	X(sched)		\
	X(seccomp)		\
	X(coredump_filter)	\
	X(creds)		\
	X(netlock)		\
	X(tree)

#define CR_KIND_DECLARE(name)	extern const struct cr_kind cr_kind_##name;
#define CR_KIND_ENTRY(name)	&cr_kind_##name,

CR_KINDS(CR_KIND_DECLARE)

const struct cr_kind *const cr_kinds[] = {
	CR_KINDS(CR_KIND_ENTRY)
	NULL
};

static bool dump_now(const struct cr_kind *k, unsigned int last)
{
	return !(k->flags & CR_KIND_DUMP_LAST) == !last;
}

/*
 * Each kind's dump, in the table's order, those with CR_KIND_DUMP_LAST
 * after the others.  The kinds with a collect step are those whose state
 * one record carries or counts (the MISC record, written first, counts the
 * RLIMIT, ITIMER, POSIX_TIMER and SECCOMP records): at the place of the
 * first of them, all of them collect, then all of them write, in the
 * table's order.  The dump_free steps run at the end, done or failed.
 */
int cr_kinds_dump(struct dump_ctx *d)
{
	const struct cr_kind *const *k, *const *j;
	bool collected = false;
	int ret = 0;

	for (unsigned int last = 0; last < 2; last++) {
		for (k = cr_kinds; *k && !ret; k++) {
			if (!dump_now(*k, last))
				continue;
			if (!(*k)->collect) {
				if ((*k)->dump)
					ret = cr_cancelled() ? -EINTR : (*k)->dump(d);
				continue;
			}
			if (collected)
				continue;
			collected = true;
			for (j = k; *j && !ret; j++)
				if ((*j)->collect && dump_now(*j, last))
					ret = cr_cancelled() ? -EINTR : (*j)->collect(d);
			for (j = k; *j && !ret; j++)
				if ((*j)->collect && (*j)->dump && dump_now(*j, last))
					ret = cr_cancelled() ? -EINTR : (*j)->dump(d);
		}
	}
	for (k = cr_kinds; *k;)
		k++;
	while (k-- > cr_kinds)
		if ((*k)->dump_free)
			(*k)->dump_free(d);
	return ret;
}

void cr_kinds_dump_done(struct dump_ctx *d, bool killed)
{
	for (const struct cr_kind *const *k = cr_kinds; *k; k++)
		if ((*k)->dump_done)
			(*k)->dump_done(d, killed);
}

int cr_kinds_prepare(struct restore_ctx *r)
{
	int ret = 0;

	for (const struct cr_kind *const *k = cr_kinds; *k && !ret; k++)
		if ((*k)->prepare)
			ret = (*k)->prepare(r);
	return ret;
}

int cr_kinds_in_stub(struct restore_ctx *r)
{
	int ret = 0;

	for (const struct cr_kind *const *k = cr_kinds; *k && !ret; k++)
		if ((*k)->in_stub)
			ret = (*k)->in_stub(r);
	return ret;
}

int cr_kinds_in_stub_part(struct restore_ctx *r, bool files)
{
	int ret = 0;

	for (const struct cr_kind *const *k = cr_kinds; *k && !ret; k++)
		if ((*k)->in_stub && (*k == &cr_kind_files) == files)
			ret = (*k)->in_stub(r);
	return ret;
}

struct cr_thread *cthread_of(struct restore_ctx *r, pid_t tid)
{
	for (int i = 0; i < r->tp.nr_threads; i++) {
		if (r->cthreads[i].tid == tid)
			return &r->cthreads[i];
	}
	sudcr_error("thread %d of the image is missing in the new process", tid);
	return NULL;
}

static int restore_kind(struct restore_ctx *r, const struct cr_kind *k)
{
	int ret = 0;

	for (uint32_t i = 0; k->restore_thread && i < r->proc.nr_threads && !ret; i++) {
		struct cr_thread *th = cthread_of(r, r->threads[i].tid);

		ret = th ? k->restore_thread(r, i, th) : -ESRCH;
	}
	if (!ret && k->restore)
		ret = k->restore(r);
	return ret;
}

int cr_kinds_restore(struct restore_ctx *r)
{
	int ret = 0;

	for (const struct cr_kind *const *k = cr_kinds; *k && !ret; k++)
		if ((*k)->restore || (*k)->restore_thread)
			ret = cr_cancelled() ? -EINTR : restore_kind(r, *k);
	return ret;
}

int cr_kinds_finish(struct restore_ctx *r)
{
	int ret = 0;

	for (const struct cr_kind *const *k = cr_kinds; *k && !ret; k++)
		if ((*k)->finish)
			ret = cr_cancelled() ? -EINTR : (*k)->finish(r);
	return ret;
}

/* In reverse: a kind's state may hold what an earlier kind's prepare made. */
void cr_kinds_free(struct restore_ctx *r)
{
	const struct cr_kind *const *k = cr_kinds;

	while (*k)
		k++;
	while (k-- > cr_kinds)
		if ((*k)->free)
			(*k)->free(r);
}

const struct cr_kind *cr_kind_of_type(uint32_t type)
{
	for (const struct cr_kind *const *k = cr_kinds; *k; k++)
		for (const struct cr_rec_type *t = (*k)->types; t->name; t++)
			if (t->type == type)
				return *k;
	return NULL;
}

const struct cr_rec_type *cr_rec_type_of(uint32_t type)
{
	for (const struct cr_kind *const *k = cr_kinds; *k; k++)
		for (const struct cr_rec_type *t = (*k)->types; t->name; t++)
			if (t->type == type)
				return t;
	return NULL;
}

const char *sudcr_record_name(uint32_t type)
{
	const struct cr_rec_type *t = cr_rec_type_of(type);

	return t ? t->name : "unknown";
}
