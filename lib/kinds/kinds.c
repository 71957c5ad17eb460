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
 *                        check for unknown types, and the order of the dump,
 *                        prepare, restore and free steps derive from it;
 *                        tests/unit/kinds_test.c checks it against
 *                        include/sudcr/image_records.h and
 *                        docs/image-format.md (no type claimed twice, every
 *                        documented type owned, names agreeing).
 *   lib/dump/            the dump driver only: freeze, collect (walk the
 *                        table), commit.
 *   lib/restore/         the restore driver only: read, validate (walk the
 *                        table), create the stub, transplant (mm), the
 *                        per-kind restore steps (walk the table), release.
 *
 * Order: the table is in restore order, which is the order of dependency
 * (files before misc's cwd/umask/rlimits, credentials last).  The dump
 * walks it too, first the kinds without CR_KIND_DUMP_LAST, then those with
 * it, so that the image's records keep the order they have always had.
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
 *   4. kinds move out of dump/misc.c, restore/misc.c, dump/files.c and
 *      restore/files.c into lib/kinds/NAME.c, one kind per commit (the
 *      per-kind fd switches become a table of fd kinds in the same way:
 *      lib/kinds/fd.c, REC_FD_* -> the kind's names and show text).
 *   5. a new kind, as one new file + one line here + its docs.
 * Kinds not yet moved are described here by the functions of their
 * current files.
 *
 * tree (lib/kinds/tree.c) owns the records of a tree's own core.img
 * (dump -t): lib/dump/tree.c and lib/restore/tree.c read and write them
 * around the single-process drivers, so the kind has no dump or restore
 * step; its prepare refuses them in a process's image.
 */
#include <errno.h>
#include <stddef.h>

#include "kinds.h"

const struct cr_kind cr_kind_process = {
	.name = "process",
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
		{ 0, NULL },
	},
	.flags = CR_KIND_DUMP_LAST,
	.dump = dump_files,
	.prepare = restore_files_prepare,
	.restore = restore_files,
	.free = restore_files_free,
};

const struct cr_kind cr_kind_misc = {
	.name = "misc",
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_MISC, "misc" },
		{ IMG_REC_THREAD_MISC, "thread_misc" },
		{ IMG_REC_RLIMIT, "rlimit" },
		{ IMG_REC_ITIMER, "itimer" },
		{ IMG_REC_POSIX_TIMER, "posix_timer" },
		{ 0, NULL },
	},
	.dump = dump_misc,
	.prepare = restore_misc_prepare,
	.restore = restore_misc,
	.free = restore_misc_free,
};

/*
 * The table: one line per kind, in restore order (the dump's is derived,
 * see above).  A kind NAME defines `const struct cr_kind cr_kind_NAME`.
 * seccomp right after misc: its records are checked against misc's (their
 * count, the threads' modes) and written by misc's dump, and its filters,
 * which an unprivileged process can only install with no_new_privs (set
 * by misc's restore), are installed once misc's restore is done, the
 * injected steps of procattr and sched included.  procattr and sched
 * after it: their records follow misc's in the image, procattr's prepare
 * makes the state sched's fills, and their steps in the stub and by
 * injection are still called from misc's (after no_new_privs, before the
 * filters), so neither has a restore step of its own.
 */
#define CR_KINDS(X)		\
	X(process)		\
	X(namespaces)		\
	X(mm)			\
	X(signals)		\
	X(files)		\
	X(misc)			\
	X(seccomp)		\
	X(procattr)		\
	X(sched)		\
	X(coredump_filter)	\
	X(creds)		\
	X(tree)

#define CR_KIND_DECLARE(name)	extern const struct cr_kind cr_kind_##name;
#define CR_KIND_ENTRY(name)	&cr_kind_##name,

CR_KINDS(CR_KIND_DECLARE)

const struct cr_kind *const cr_kinds[] = {
	CR_KINDS(CR_KIND_ENTRY)
	NULL
};

/* Each kind's dump, in the table's order, those with CR_KIND_DUMP_LAST after the others. */
int cr_kinds_dump(struct dump_ctx *d)
{
	int ret = 0;

	for (unsigned int last = 0; last < 2; last++)
		for (const struct cr_kind *const *k = cr_kinds; *k && !ret; k++)
			if ((*k)->dump && !((*k)->flags & CR_KIND_DUMP_LAST) == !last)
				ret = cr_cancelled() ? -EINTR : (*k)->dump(d);
	return ret;
}

int cr_kinds_prepare(struct restore_ctx *r)
{
	int ret = 0;

	for (const struct cr_kind *const *k = cr_kinds; *k && !ret; k++)
		if ((*k)->prepare)
			ret = (*k)->prepare(r);
	return ret;
}

int cr_kinds_restore(struct restore_ctx *r)
{
	int ret = 0;

	for (const struct cr_kind *const *k = cr_kinds; *k && !ret; k++)
		if ((*k)->restore)
			ret = cr_cancelled() ? -EINTR : (*k)->restore(r);
	return ret;
}

void cr_kinds_free(struct restore_ctx *r)
{
	for (const struct cr_kind *const *k = cr_kinds; *k; k++)
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

const char *sudcr_record_name(uint32_t type)
{
	for (const struct cr_kind *const *k = cr_kinds; *k; k++)
		for (const struct cr_rec_type *t = (*k)->types; t->name; t++)
			if (t->type == type)
				return t->name;
	return "unknown";
}
