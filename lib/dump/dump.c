// SPDX-License-Identifier: MIT
/*
 * The dump driver: freeze, collect every kind of state into the image,
 * commit it, and let the process go (or kill it).  Any failure before the
 * commit aborts the image and leaves the process as it was found.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cr.h"
#include <sudcr/freeze.h>
#include <sudcr/log.h>

#include "../kinds/kinds.h"
#include "../namespaces.h"
#include "tree.h"

static int begin_injection(struct dump_ctx *d)
{
	int leader = -1;

	d->threads = calloc(d->proc.nr_threads, sizeof(*d->threads));
	if (!d->threads) {
		sudcr_error("out of memory for %d threads", d->proc.nr_threads);
		return -ENOMEM;
	}
	d->nr_threads = d->proc.nr_threads;
	/* The thread group leader goes first: process-wide injections run there. */
	for (int i = 0; i < d->proc.nr_threads; i++)
		if (d->proc.threads[i].tid == d->pid)
			leader = i;
	if (leader < 0) {
		char state = 0;

		/* The leader exited while other threads run: it stays a zombie. */
		if (proc_thread_state(d->pid, d->pid, &state) || (state != 'Z' && state != 'X')) {
			sudcr_error("process %d: its thread group leader could not be stopped", d->pid);
			return -EIO;
		}
		d->leader_zombie = true;
		leader = 0;
	}
	for (int i = 0, j = 1; i < d->proc.nr_threads; i++) {
		struct cr_thread *th = &d->threads[i == leader ? 0 : j++];

		th->task = &d->proc.threads[i];
		th->tid = th->task->tid;
	}
	/* In index order: end_injection() undoes them in reverse. */
	for (int i = 0; i < d->nr_threads; i++) {
		struct cr_thread *th = &d->threads[i];
		int ret = inject_begin_shared(&th->inj, th->task, i ? &d->threads[0].inj : NULL,
					      d->nr_threads, i);

		if (ret)
			return ret;
		th->inj_active = true;
	}
	d->kind = d->threads[0].inj.kind;
	d->stopped = d->threads[0].task->group_stop;
	d->proc_pid = d->leader_zombie ? d->threads[0].tid : d->pid;
	return 0;
}

void dump_forget_safety_pages(struct dump_ctx *d)
{
	int n = 0;

	for (int i = 0; i < d->nr_vmas; i++) {
		bool ours = false;

		/* The area of the safety pages, merged with its neighbours or split. */
		for (int k = 0; k < d->nr_threads && !ours; k++) {
			const struct inject_ctx *c = &d->threads[k].inj;

			ours = c->safety_area && d->vmas[i].start < c->safety_area + c->safety_area_len &&
			       c->safety_area < d->vmas[i].end;
		}
		if (!ours)
			d->vmas[n++] = d->vmas[i];
	}
	d->nr_vmas = n;
}

static int end_injection(struct dump_ctx *d)
{
	int ret = 0;

	/*
	 * In reverse: each inject_begin() saved sudcr's CPU affinity as the
	 * one before it pinned, so the first one's is the real one; it must be
	 * put back last.
	 */
	for (int i = d->nr_threads - 1; i >= 0; i--) {
		struct cr_thread *th = &d->threads[i];

		if (!th->inj_active)
			continue;
		int err = inject_end(&th->inj);

		th->inj_active = false;
		if (err && !ret)
			ret = err;
	}
	return ret;
}

/*
 * Process trees are not dumped: a child (or a zombie not yet reaped) would
 * silently be missing after the restore, so refuse.  The process is frozen:
 * it cannot fork meanwhile.
 */
static int refuse_children(struct dump_ctx *d)
{
	char list[96] = "";
	pid_t *kids;
	int n, ret, len = 0;

	ret = proc_children(d->proc_pid, &kids, &n);
	if (ret) {
		sudcr_error("cannot list the child processes of %d: %s", d->pid, strerror(-ret));
		return ret;
	}
	for (int i = 0; i < n && len < (int)sizeof(list) - 16; i++)
		len += snprintf(list + len, sizeof(list) - len, "%s%d", i ? ", " : "", kids[i]);
	if (n > 0 && len >= (int)sizeof(list) - 16)
		snprintf(list + len, sizeof(list) - len, ", ...");
	free(kids);
	if (!n)
		return 0;
	sudcr_error("process %d has %d child process%s (%s): process trees are not supported yet",
		    d->pid, n, n == 1 ? "" : "es", list);
	return -EOPNOTSUPP;
}

/*
 * The image directory, made here when it does not exist yet, so that a
 * failed dump knows it may remove it again (only if still empty: the
 * writer's abort removed its temporaries; anything else is not ours).
 */
static int make_image_dir(const char *dir, bool *created)
{
	int err;

	*created = false;
	if (!mkdir(dir, 0700)) {
		*created = true;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	err = errno;
	sudcr_error("%s: cannot create image directory: %s", dir, strerror(err));
	return -err;
}

static void remove_image_dir(const char *dir, bool created)
{
	if (created && rmdir(dir)) {
		int err = errno;

		sudcr_debug("%s: image directory left: %s", dir, strerror(err));
	}
}

/*
 * Whether someone killed the process while sudcr held it: a thread gone or a
 * zombie (a thread group leader that had exited before is one already), or,
 * with @stopped, one that left its ptrace stop (a SIGKILL wakes it).
 */
static bool process_killed(struct dump_ctx *d, bool stopped)
{
	for (int i = 0; i < d->nr_threads; i++) {
		char state = 0;

		if (i == 0 && d->leader_zombie)
			continue;
		if (proc_thread_state(d->proc_pid, d->threads[i].tid, &state) || state == 'Z' || state == 'X')
			return true;
		if (stopped && state != 't')
			return true;
	}
	return false;
}

/*
 * Collect the frozen process of @d into d->opts.dir and commit the image:
 * injection begun in every thread, every kind dumped.  On failure the
 * image is aborted; either way the caller ends the injection
 * (dump_end_injection()) and releases or kills the process.
 */
int dump_collect(struct dump_ctx *d, bool *dir_created, bool *committed)
{
	const struct dump_opts *opts = &d->opts;
	pid_t pid = d->pid;
	int ret;

	*dir_created = *committed = false;
	ret = begin_injection(d);
	if (ret)
		return ret;
	ret = proc_parse_stat(pid, d->leader_zombie ? d->proc_pid : 0, &d->stat);
	if (!ret)
		ret = proc_parse_status(pid, d->leader_zombie ? d->proc_pid : 0, &d->status);
	if (ret) {
		sudcr_error("cannot read /proc/%d: %s", pid, strerror(-ret));
		return ret;
	}
	ret = make_image_dir(opts->dir, dir_created);
	if (!ret)
		ret = img_writer_open_flags(&d->img, opts->dir, opts->overwrite ? IMG_W_OVERWRITE : 0);
	if (ret)
		return ret;
	img_writer_set_sync(d->img, !opts->no_sync);

	/*
	 * mm parses the maps (d->vmas, which files uses too) before any module
	 * maps scratch memory.  A member of a tree has its children in the
	 * tree's image.
	 */
	ret = cr_cancelled() ? -EINTR : d->tree_member ? 0 : refuse_children(d);
	if (!ret)
		ret = cr_kinds_dump(d);
	if (!ret && cr_cancelled())
		ret = -EINTR;
	if (ret) {
		img_writer_abort(d->img);
		return ret;
	}
	/*
	 * Every record was read while the process lived: if it is gone now,
	 * some read may have come from a dying process.  Checked last, so an
	 * image that is committed was taken whole from a live process.
	 */
	if (process_killed(d, true)) {
		img_writer_abort(d->img);
		return -ESRCH;
	}
	ret = img_writer_commit(d->img);
	if (!ret)
		*committed = true;
	return ret;
}

int dump_end_injection(struct dump_ctx *d)
{
	return end_injection(d);
}

bool dump_process_killed(struct dump_ctx *d, bool stopped)
{
	return process_killed(d, stopped);
}

void dump_remove_image_dir(const char *dir, bool created)
{
	remove_image_dir(dir, created);
}

int cr_dump(pid_t pid, const struct dump_opts *opts)
{
	struct dump_ctx d = { .pid = pid, .opts = *opts };
	bool dir_created = false, committed = false;
	unsigned long errors = sudcr_log_errors();
	int ret, err;

	/* Outside sudcr's namespaces it would come back elsewhere: refuse before touching it. */
	ret = dump_namespaces_early(pid);
	if (ret)
		return ret;
	/*
	 * PID 1 is the init of our own PID namespace (PIDs are ours): the
	 * kernel drops a SIGKILL sent to it from inside, so the kill at the
	 * end would never come (and if it did, every process of the
	 * namespace, sudcr too, would die with it).  Refuse before touching it.
	 */
	if (pid == 1 && !opts->leave_running) {
		sudcr_error("process 1 is the init of sudcr's PID namespace, which sudcr cannot kill from inside: use --leave-running");
		return -EPERM;
	}

	ret = freeze_process(pid, &d.proc);
	if (ret)
		return ret;
	/* A tree of one process is dumped as one process, in the same image. */
	if (opts->tree && dump_tree_has_children(pid))
		return dump_tree(&d);
	ret = dump_collect(&d, &dir_created, &committed);
	if (ret)
		goto out_end;
	sudcr_info("dumped process %d into %s", pid, opts->dir);
	if (!opts->leave_running) {
		/* The image is complete: the process goes, as with CRIU. */
		err = end_injection(&d);
		cr_kinds_dump_done(&d, true);
		task_kill_process(&d.proc);
		task_proc_free(&d.proc);
		free(d.threads);
		free(d.vmas);
		return 0;
	}
out_end:
	err = end_injection(&d);
	if (err && !ret)
		ret = err;
	cr_kinds_dump_done(&d, false);
	err = thaw_process(&d.proc);
	if (err && !ret)
		ret = err;
	if (ret && committed && process_killed(&d, false)) {
		/* Killed by someone else once the image was whole: the image stands. */
		sudcr_warn("process %d died after its image was complete (killed by someone else?)", pid);
		ret = 0;
	}
	if (ret)
		remove_image_dir(opts->dir, dir_created);
	if (ret == -EINTR && cr_cancelled())
		sudcr_error("dump interrupted: process %d left as it was, no image written", pid);
	else if (ret == -ESRCH && sudcr_log_errors() == errors)
		sudcr_error("process %d died during the dump (killed by someone else?): no image written", pid);
	free(d.threads);
	free(d.vmas);
	return ret;
}
