// SPDX-License-Identifier: MIT
/*
 * The restore driver.  Everything in the image is read and validated
 * before anything is created.  The stub is a fork of sudcr made with the
 * image's PID (clone3 set_tid); it sets up in plain C what is easiest from
 * inside (fds, cwd, rlimits), reports ready and waits.  Then sudcr seizes
 * it and, by injection, replaces its address space and the rest of its
 * state; SUD is set last, by inject_end(), after every injected call.  Any
 * failure after the stub exists kills it: a half-restored process never
 * runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cr.h"
#include <sudcr/log.h>

#include "../kinds/changed.h"
#include "../kinds/kinds.h"
#include "../namespaces.h"
#include "tree.h"

struct clone_args_sudcr {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
		set_tid_size, cgroup;
};

/* The place of thread @tid in r->threads (the image's THREAD records), or -1. */
int restore_alloc_counted(struct restore_ctx *r, uint32_t type, uint32_t declared, size_t size,
			  const char *what, void **out)
{
	uint64_t present = img_count_type(r->img, type);

	*out = NULL;
	if (present != declared) {
		sudcr_error("%s: %llu %s records, the misc record says %u", r->opts.dir,
			    (unsigned long long)present, what, declared);
		return -EINVAL;
	}
	if (!declared)
		return 0;
	*out = calloc(declared, size);
	if (!*out) {
		sudcr_error("out of memory");
		return -ENOMEM;
	}
	return 0;
}

int restore_image_thread_index(const struct restore_ctx *r, long tid)
{
	for (uint32_t i = 0; i < r->proc.nr_threads; i++) {
		if (r->threads[i].tid == tid)
			return i;
	}
	return -1;
}

const struct rec_thread *restore_image_thread(const struct restore_ctx *r, long tid)
{
	int i = restore_image_thread_index(r, tid);

	return i < 0 ? NULL : &r->threads[i];
}

/* The XSTATE record of each thread, found once, in the order of r->threads. */
static int read_xstates(struct restore_ctx *r, int nr_threads)
{
	const void *data;
	size_t len;
	int ret;

	r->xstates = calloc(nr_threads, sizeof(*r->xstates));
	if (!r->xstates)
		return -ENOMEM;
	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_XSTATE, &data, &len)) == 1) {
		const struct rec_xstate *x = data;
		int i;

		/* At least the legacy FXSAVE area and the XSAVE header; no more than we can hold. */
		if (len < sizeof(*x) || x->len != len - sizeof(*x) || x->len < 512 + 64 ||
		    x->len > ARCH_XSTATE_MAX)
			return img_record_invalid(r->img, "bad xstate record (%zu bytes)", len);
		for (i = 0; i < nr_threads && r->threads[i].tid != x->tid; i++)
			;
		if (i == nr_threads || r->xstates[i])
			return img_record_invalid(r->img, "xstate record for unknown or repeated thread %d", x->tid);
		r->xstates[i] = x;
	}
	if (ret < 0)
		return ret;
	for (int i = 0; i < nr_threads; i++) {
		if (!r->xstates[i]) {
			sudcr_error("%s: thread %d has no extended CPU state (xstate record)", r->opts.dir,
				    r->threads[i].tid);
			return -EINVAL;
		}
	}
	return 0;
}

/* The TLS record of each ia32 thread, in the order of r->threads; none for x86-64 ones. */
static int read_tls(struct restore_ctx *r, int nr_threads)
{
	const void *data;
	size_t len;
	int ret, seen = 0;

	r->tls = calloc(nr_threads, sizeof(*r->tls));
	if (!r->tls)
		return -ENOMEM;
	img_rewind(r->img);
	while ((ret = cr_next_of_type(r->img, IMG_REC_TLS, &data, &len)) == 1) {
		const struct rec_tls *t = data;
		int i;

		if (len != sizeof(*t) || t->nr != ARCH_TLS_ENTRIES)
			return img_record_invalid(r->img, "bad TLS record");
		for (i = 0; i < nr_threads && r->threads[i].tid != t->tid; i++)
			;
		if (i == nr_threads || r->tls[i])
			return img_record_invalid(r->img, "TLS record for unknown or repeated thread %d", t->tid);
		for (int k = 0; k < ARCH_TLS_ENTRIES; k++)
			if (t->desc[k].entry_number != (uint32_t)(ARCH_TLS_FIRST + k))
				return img_record_invalid(r->img, "thread %d: TLS entry %u", t->tid,
							  t->desc[k].entry_number);
		r->tls[i] = t;
		seen++;
	}
	if (ret < 0)
		return ret;
	if (r->proc.arch == ARCH_IA32 && seen != nr_threads) {
		sudcr_error("%s: %d of %d ia32 threads lack their TLS record", r->opts.dir,
			    nr_threads - seen, nr_threads);
		return -EINVAL;
	}
	return 0;
}

/* Checked here, not where the stub uses it: by then the PID exists. */
static int check_mm(struct restore_ctx *r, const struct rec_mm *m)
{
	const char *nul = memchr(m->exe, '\0', sizeof(m->exe));

	/* auxv is (type, value) pairs. */
	if (m->auxv_len > sizeof(m->auxv) / sizeof(m->auxv[0]) || m->auxv_len % 2)
		return img_record_invalid(r->img, "bad auxv length %u", m->auxv_len);
	if (!nul || (m->exe[0] && m->exe[0] != '/'))
		return img_record_invalid(r->img, "executable path %s", nul ? "not absolute" : "not terminated");
	if (m->pad)
		return img_record_invalid(r->img, "non-zero padding in the mm record");
	return 0;
}

/* The records every restore needs, and a check that nothing is unknown. */
static int read_core(struct restore_ctx *r)
{
	const void *data;
	uint32_t type, flags;
	size_t len;
	int ret, nr_threads = 0, nr_proc = 0, nr_mm = 0;

	img_rewind(r->img);
	while ((ret = img_next_record_flags(r->img, &type, &flags, &data, &len)) == 1) {
		if (!cr_kind_of_type(type)) {
			ret = img_record_unknown(r->img, type, flags);
			if (ret)
				return ret;
			continue;
		}
		if (type == IMG_REC_PROCESS) {
			if (len != sizeof(r->proc) || nr_proc++)
				return img_record_invalid(r->img, "bad or repeated process record");
			memcpy(&r->proc, data, len);
		} else if (type == IMG_REC_THREAD) {
			struct rec_thread *nt;

			if (len != sizeof(struct rec_thread))
				return img_record_invalid(r->img, "thread record of %zu bytes", len);
			if (nr_threads >= 4096)
				return img_record_invalid(r->img, "too many threads");
			nt = realloc(r->thread_buf, (nr_threads + 1) * sizeof(*nt));
			if (!nt)
				return -ENOMEM;
			memcpy(&nt[nr_threads++], data, len);
			r->thread_buf = nt;
			r->threads = nt;
		} else if (type == IMG_REC_MM) {
			if (len != sizeof(struct rec_mm) || nr_mm++)
				return img_record_invalid(r->img, "bad or repeated mm record");
			ret = check_mm(r, data);
			if (ret)
				return ret;
			r->mm = data;
		}
	}
	if (ret < 0)
		return ret;
	if (!nr_proc || !nr_mm || !nr_threads) {
		sudcr_error("%s: image lacks its process, mm or thread records", r->opts.dir);
		return -EINVAL;
	}
	/* Before the per-thread records are matched to threads by tid. */
	for (int i = 0; i < nr_threads; i++)
		for (int j = 0; j < i; j++)
			if (r->threads[i].tid == r->threads[j].tid || r->threads[i].tid <= 0) {
				sudcr_error("%s: bad or repeated thread id %d", r->opts.dir, r->threads[i].tid);
				return -EINVAL;
			}
	ret = read_xstates(r, nr_threads);
	if (!ret)
		ret = read_tls(r, nr_threads);
	if (ret)
		return ret;
	if ((uint32_t)nr_threads != r->proc.nr_threads || r->proc.pid <= 0 ||
	    ((r->threads[0].tid != r->proc.pid) != !!(r->proc.flags & REC_PROC_LEADER_ZOMBIE))) {
		sudcr_error("%s: inconsistent process record (pid %d, %u threads, %d thread records)",
			    r->opts.dir, r->proc.pid, r->proc.nr_threads, nr_threads);
		return -EINVAL;
	}
	if (r->proc.arch != ARCH_X86_64 && r->proc.arch != ARCH_IA32) {
		sudcr_error("%s: unknown architecture %u", r->opts.dir, r->proc.arch);
		return -EINVAL;
	}
	/* One kind per process: the restore switches the whole stub, not each thread. */
	for (int i = 0; i < nr_threads; i++) {
		struct arch_regs regs;

		memcpy(&regs.r, r->threads[i].regs, sizeof(regs.r));
		if (arch_regs_kind(&regs) != r->proc.arch) {
			sudcr_error("%s: thread %d runs in %s mode in an %s process: not supported",
				    r->opts.dir, r->threads[i].tid, arch_name(arch_regs_kind(&regs)),
				    arch_name(r->proc.arch));
			return -EOPNOTSUPP;
		}
	}
	if (r->proc.page_size != (uint64_t)sysconf(_SC_PAGESIZE)) {
		sudcr_error("%s: image page size %llu differs from this machine's", r->opts.dir,
			    (unsigned long long)r->proc.page_size);
		return -EINVAL;
	}
	return 0;
}

static int check_pid_free(pid_t pid)
{
	char path[64], comm[64] = "";

	/* A zombie that is being reaped frees its PID shortly: wait a little. */
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/proc/%d", pid);
		if (access(path, F_OK))
			return 0;
		usleep(10000);
	}
	proc_read_comm(pid, 0, comm, sizeof(comm));
	sudcr_error("cannot restore: PID %d is taken by another process (%s)", pid, comm);
	return -EEXIST;
}

/*
 * Every record of the image is checked here, before anything exists: each
 * kind's prepare step checks its records (lengths, counts, offsets,
 * overlaps, terminators, values) and what they say of each other, and
 * keeps what its restore step needs.  Nothing after this reads a field of
 * the image it has not checked.
 */
static int validate_all(struct restore_ctx *r)
{
	int ret = read_core(r);

	return ret ? ret : cr_kinds_prepare(r);
}

int restore_validate(struct restore_ctx *r)
{
	int ret = img_reader_open(&r->img, r->opts.dir);

	return ret ? ret : validate_all(r);
}

static int prepare_all(struct restore_ctx *r);

int restore_member_prepare(struct restore_ctx *r)
{
	return prepare_all(r);
}

static int prepare_all(struct restore_ctx *r)
{
	int ret = validate_all(r);

	/* In other namespaces, PIDs (and all the rest) mean other things. */
	if (!ret)
		ret = restore_namespaces_prepare(r);
	/* Only a valid image gets this far: a taken PID is then the first thing to know. */
	if (!ret)
		ret = check_pid_free(r->proc.pid);
	if (!ret)
		ret = restore_files_check(r);
	/* After the fds' checks (a gone file, a new size: their messages), before the mappings'. */
	if (!ret)
		ret = file_stamps_check(r);
	if (!ret)
		ret = restore_mm_check(r);
	return ret;
}

/*
 * The stub reports to sudcr through its ready pipe, not its stderr: by the
 * time it has something to say, fd 2 is the image's (a log file, or
 * closed).  Each message is 'L', the level, the text and a NUL; 'R' says
 * the stub is ready.  sudcr logs the messages as its own.
 */
static int stub_report_fd = -1;

static void stub_log(enum sudcr_log_level level, const char *msg);

void restore_stub_log_to(int fd)
{
	stub_report_fd = fd;
	sudcr_set_log_fn(stub_log);
}

static void stub_log(enum sudcr_log_level level, const char *msg)
{
	char buf[1100];
	int n = snprintf(buf, sizeof(buf), "L%c%s", '0' + level, msg);

	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	buf[n++] = '\0';
	if (write(stub_report_fd, buf, n) != n)
		return;	/* nowhere else to say it */
}

/* Log what the stub sent; true if it said it is ready.  *errors: how many errors it reported. */
static bool stub_reports(int fd, int *errors)
{
	char buf[4096];
	size_t used = 0;
	bool ready = false;
	ssize_t n;

	for (;;) {
		n = read(fd, buf + used, sizeof(buf) - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += n;
		for (;;) {
			char *end;

			if (used && buf[0] == 'R') {
				ready = true;
				memmove(buf, buf + 1, --used);
				continue;
			}
			if (used < 2 || buf[0] != 'L' || !(end = memchr(buf, '\0', used)))
				break;
			int level = buf[1] - '0';

			if (level < SUDCR_LOG_ERROR || level > SUDCR_LOG_DEBUG)
				level = SUDCR_LOG_ERROR;
			if (level == SUDCR_LOG_ERROR)
				(*errors)++;
			sudcr_log(level, "%s", buf + 2);
			used -= end + 1 - buf;
			memmove(buf, end + 1, used);
		}
		if (used == sizeof(buf))
			used = 0;	/* garbage: the stub never sends that much at once */
	}
	return ready;
}

/* Inside the stub: plain C, sudcr's own libc.  Never returns. */
static void __attribute__((noreturn)) stub_main(struct restore_ctx *r, int ready_fd, pid_t sudcr_pid)
{
	char ok = 'R';

	stub_report_fd = ready_fd;
	sudcr_set_log_fn(stub_log);
	/*
	 * If sudcr dies before it seizes us, so does the half-made process;
	 * from the seize on, PTRACE_O_EXITKILL does it.  sudcr may have died
	 * already: then we have another parent (a subreaper, or init).
	 */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != sudcr_pid)
		_exit(1);
	r->keep_fds[0] = ready_fd;
	r->nr_keep_fds = 1;
	/* The kinds' steps in the stub; rseq.c's drops the rseq area inherited from us. */
	if (cr_kinds_in_stub(r))
		_exit(1);
	if (write(ready_fd, &ok, 1) != 1)
		_exit(1);
	close(ready_fd);
	if (r->proc.flags & REC_PROC_STOPPED)
		kill(getpid(), SIGSTOP);
	for (;;)
		pause();
}

/*
 * A close-on-exec pipe whose ends sit near the top of the fd limit (at
 * most 4092), out of the way of the fd numbers an image uses: the stubs
 * report through it while they set up their files.
 */
int restore_high_pipe(int fds[2])
{
	struct rlimit rl;

	if (pipe2(fds, O_CLOEXEC)) {
		int err = errno;

		sudcr_error("pipe: %s", strerror(err));
		return -err;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur < 64)
		rl.rlim_cur = 64;
	for (int i = 0; i < 2; i++) {
		int nfd = fcntl(fds[i], F_DUPFD_CLOEXEC, (int)(rl.rlim_cur > 4096 ? 4096 : rl.rlim_cur) - 4);

		if (nfd >= 0) {
			close(fds[i]);
			fds[i] = nfd;
		}
	}
	return 0;
}

static int create_stub(struct restore_ctx *r)
{
	pid_t want = r->proc.pid;
	struct clone_args_sudcr args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&want,
		.set_tid_size = 1,
	};
	int fds[2], status, errors = 0, ret;
	pid_t self = getpid();
	long pid;

	ret = restore_high_pipe(fds);
	if (ret)
		return ret;
	fflush(NULL);
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0) {
		int err = errno;

		close(fds[0]);
		close(fds[1]);
		if (err == EEXIST)
			sudcr_error("cannot restore: PID %d is taken", want);
		else
			sudcr_error("cannot create process with PID %d: %s%s", want, strerror(err),
				    err == EPERM ? " (needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN)" : "");
		return -err;
	}
	if (pid == 0) {
		close(fds[0]);
		stub_main(r, fds[1], self);
	}
	close(fds[1]);
	r->pid = pid;
	/* Until EOF: the stub closes its end too, so it does not end up in the image's process. */
	if (!stub_reports(fds[0], &errors)) {
		close(fds[0]);
		waitpid(pid, &status, 0);
		r->pid = 0;
		/* The stub said why, unless it died before it could. */
		if (!errors)
			sudcr_error("the new process failed while setting up its files and settings");
		return -EIO;
	}
	close(fds[0]);
	if (r->proc.flags & REC_PROC_STOPPED) {
		if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
			sudcr_error("the new process did not stop");
			return -EIO;
		}
	}
	return 0;
}

static int seize_stub(struct restore_ctx *r);

int restore_member_seize(struct restore_ctx *r)
{
	return seize_stub(r);
}

static int seize_stub(struct restore_ctx *r)
{
	int64_t res;
	/*
	 * EXITKILL: if sudcr dies from here to the final detach, the kernel
	 * kills every thread (new ones inherit it), so no half-restored
	 * process holds the PID.
	 */
	int ret = task_seize_process_opts(r->pid, &r->tp, PTRACE_O_EXITKILL);

	if (ret)
		return ret;
	/* Room for every thread (and an exited leader), so pointers into tp.threads stay valid. */
	uint32_t nr = r->proc.nr_threads + 1;

	if ((uint32_t)r->tp.cap_threads < nr) {
		struct task_thread *t = realloc(r->tp.threads, nr * sizeof(*t));

		if (!t)
			return -ENOMEM;
		r->tp.threads = t;
		r->tp.cap_threads = nr;
	}
	r->cthreads = calloc(nr, sizeof(*r->cthreads));
	if (!r->cthreads)
		return -ENOMEM;
	for (int i = 0; i < r->tp.nr_threads; i++) {
		struct cr_thread *th = &r->cthreads[i];

		th->task = &r->tp.threads[i];
		th->tid = th->task->tid;
		ret = inject_begin(&th->inj, th->task);
		if (ret)
			return ret;
		th->inj_active = true;
	}
	/* The stub's own death signal (EXITKILL covers it now); kinds/prctl.c sets the image's, if any. */
	return cr_inject(&r->cthreads[0], arch_sc_nr(r->cthreads[0].inj.kind, SC_PRCTL), &res, PR_SET_PDEATHSIG, 0, 0, 0, 0, 0);
}

/*
 * The image's thread group leader had exited while its threads ran: the
 * leader we used for the restore leaves the same way, with exit(2), and
 * stays a zombie until the last thread goes.  Its scratch area goes first.
 */
static int exit_leader(struct restore_ctx *r)
{
	struct cr_thread *th = &r->cthreads[0];
	struct arch_regs regs;
	const uint64_t none[6] = { 0 };
	int64_t res;
	int ret = 0;

	if (th->inj.scratch)
		ret = cr_inject(th, arch_sc_nr(th->inj.kind, SC_MUNMAP), &res, th->inj.scratch,
				th->inj.scratch_len, 0, 0, 0, 0);
	if (!ret)
		ret = arch_get_regs(th->tid, &regs);
	if (ret)
		return ret;
	arch_setup_syscall(&regs, th->inj.kind, th->inj.sc_ip, arch_sc_nr(th->inj.kind, SC_EXIT),
			   none);
	ret = arch_set_regs(th->tid, &regs);
	inject_abandon(&th->inj);
	th->inj_active = false;
	return ret;
}

static int end_all(struct restore_ctx *r)
{
	bool zombie = r->proc.flags & REC_PROC_LEADER_ZOMBIE;
	int ret = 0;

	/* In reverse, for sudcr's CPU affinity: see end_injection() in dump.c. */
	for (int i = r->tp.nr_threads - 1; i >= (zombie ? 1 : 0) && r->cthreads; i--) {
		if (!r->cthreads[i].inj_active)
			continue;
		int err = inject_end(&r->cthreads[i].inj);

		r->cthreads[i].inj_active = false;
		if (err && !ret)
			ret = err;
	}
	if (zombie && !ret && r->cthreads[0].inj_active)
		ret = exit_leader(r);
	return ret;
}

/*
 * The image's leader had exited: exit_leader() has set it up to call
 * exit(2).  Let it go first and wait until it is a zombie, so that no other
 * thread runs while it is still there (one reading /proc/PID/task/PID would
 * see it running).  In a stopped process it joins the group stop instead
 * and exits on SIGCONT, as the rest does.
 */
static int release_leader(struct restore_ctx *r)
{
	char state = 0;
	int ret;

	if (!(r->proc.flags & REC_PROC_LEADER_ZOMBIE))
		return 0;
	ret = task_detach_thread(&r->tp.threads[0]);
	if (ret || (r->proc.flags & REC_PROC_STOPPED))
		return ret;
	for (int i = 0; i < 5000; i++) {
		if (!proc_thread_state(r->pid, r->pid, &state) && (state == 'Z' || state == 'X'))
			return 0;
		usleep(1000);
	}
	sudcr_error("the thread group leader of %d did not exit (state %c)", r->pid, state ? state : '?');
	return -EIO;
}

void restore_free(struct restore_ctx *r)
{
	cr_kinds_free(r);
	free(r->cthreads);
	free(r->thread_buf);
	free(r->xstates);
	free(r->tls);
	task_proc_free(&r->tp);
	img_reader_close(r->img);
}

/* After seize_stub(): the transplant and everything else, up to the detach. */
int restore_member_finish(struct restore_ctx *r)
{
	static int (*const stages[])(struct restore_ctx *) = {
		restore_mm, restore_create_threads, cr_kinds_restore, restore_threads, end_all,
		cr_kinds_finish, release_leader,
	};
	int ret = 0;

	for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]) && !ret; i++)
		ret = cr_cancelled() ? -EINTR : stages[i](r);
	return ret;
}

/*
 * The half-made process dies: there is nothing to put back in it, so drop
 * the injection state without touching it (no errors from a dead process
 * after the one that matters).  Not waited for.
 */
void restore_member_kill(struct restore_ctx *r)
{
	restore_files_undo(r);
	for (int i = r->tp.nr_threads - 1; i >= 0 && r->cthreads; i--) {
		if (r->cthreads[i].inj_active)
			inject_abandon(&r->cthreads[i].inj);
		r->cthreads[i].inj_active = false;
	}
	if (r->tp.nr_threads)
		task_kill_process(&r->tp);
	else if (r->pid > 0)
		kill(r->pid, SIGKILL);
}

int cr_restore(const struct restore_opts *opts, int *exit_status)
{
	struct restore_ctx r = { .opts = *opts };
	int ret, status;

	*exit_status = 0;
	/* Before anything is read from /proc (sudcr's own credentials: creds.c). */
	ret = ns_check_procfs();
	if (ret)
		return ret;
	ret = img_reader_open(&r.img, opts->dir);
	if (ret)
		return ret;
	/* A tree's own core.img holds only the tree; its processes are in subdirectories. */
	if (img_count_type(r.img, IMG_REC_TREE_PROC)) {
		img_reader_close(r.img);
		return restore_tree(opts, exit_status);
	}
	ret = prepare_all(&r);
	if (!ret)
		ret = cr_cancelled() ? -EINTR : create_stub(&r);
	if (ret)
		goto out;
	ret = cr_cancelled() ? -EINTR : seize_stub(&r);
	if (!ret)
		ret = restore_member_finish(&r);
	/* The last moment a stop can be asked for: then the process runs. */
	if (!ret && cr_cancelled())
		ret = -EINTR;
	if (ret) {
		restore_member_kill(&r);
		/* Our child: collect it too (the tracer wait above may have been the tracer's only). */
		if (r.pid > 0)
			while (waitpid(r.pid, &status, __WALL) < 0 && errno == EINTR)
				;
		goto out;
	}
	task_detach_process(&r.tp);
	sudcr_info("restored process %d", r.pid);
	if (!opts->detach) {
		if (opts->on_running)
			opts->on_running(r.pid, opts->on_running_arg);
		while (waitpid(r.pid, &status, 0) < 0 && errno == EINTR)
			;
		*exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
out:
	if (ret == -EINTR && cr_cancelled())
		sudcr_error("restore interrupted: no process was left running");
	restore_free(&r);
	return ret;
}
