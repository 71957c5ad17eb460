// SPDX-License-Identifier: MIT
/*
 * run - the sudcr test runner (make test).
 *
 *   run [-v] [-k] [-l] [-jN] [-t SECONDS] [FILTER...]
 *
 * Runs, in this order, the programs in build/tests/unit/ and
 * build/tests/inject/ and the scripts tests/cli/NAME.sh (with bash), each test in its own process group with
 * stdin /dev/null, stdout and stderr into a pipe, cwd the source tree, and
 * in the environment SUDCR (the sudcr binary), TESTBIN (build/tests),
 * SRCDIR (the source tree), TESTTMP (an empty scratch directory for this
 * test) and TESTNAME.  Test names are "unit/NAME", "inject/NAME",
 * "cli/NAME"; a FILTER selects the tests whose name contains it.
 *
 *   -v    print every line of every test (prefixed with the test name)
 *   -k    keep every scratch directory (by default only failed tests'
 *         are kept, under build/tests/tmp/)
 *   -l    list the tests that would run, and exit
 *   -jN   run up to N tests at once (default 1: the SUD and injection
 *         tests measure timing and pin CPUs, and a restore needs its PIDs)
 *   -t S  kill a test (its whole process group and its descendants) after
 *         S seconds (default 120)
 *
 * Counting follows tests/harness.h: each PASS/FAIL/SKIP line counts once; a
 * test that exits non-zero or by a signal without a FAIL line counts one
 * failure, one that exits 0 having printed no result line counts one
 * failure, and a timeout counts one failure.  The output of a failed test
 * is printed whole.  The last line is "N passed, N failed[, N skipped]";
 * the exit status is 0 iff nothing failed.
 *
 * The runner is a child subreaper: every orphan of a test is re-parented to
 * it and reaped (PID 1 here does not reap, and a zombie keeps its PID,
 * which a same-PID restore needs).  After all tests, any descendant still
 * there is listed, killed, reaped and counted as one failure.
 *
 * A new kind of test is one more entry in test_kinds[]: how to find the
 * tests (discover) and what the test's process does (run, in a child that
 * is already in its own process group with its output going to the
 * runner).  run may exec a program or run C code that drives one, e.g. a
 * dump/restore scenario around a self-checking program that prints the
 * PASS/FAIL lines itself or has the driver print them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT	120
#define EXIT_GRACE	2.0		/* s to wait for EOF after the test exits */
#define OUTPUT_MAX	(4 << 20)	/* output kept per test for the failure report */
#define LINE_MAX_KEEP	(64 << 10)
#define REAP_TIMEOUT	10.0		/* s to wait for killed leftovers to go */

struct run_env {
	char srcdir[PATH_MAX];		/* the source tree */
	char testbin[PATH_MAX];		/* build/tests */
	char sudcr[PATH_MAX];		/* build/sudcr */
	char tmproot[PATH_MAX];		/* build/tests/tmp */
};

struct test_kind;

struct test {
	const struct test_kind *kind;
	char *name;		/* "unit/get_set_sud": what filters and output use */
	char *path;		/* what the kind runs */
	int variant;		/* for kinds that run one file several ways */
};

struct test_list {
	struct test *v;
	int n, cap;
};

struct test_kind {
	const char *name;	/* name prefix */
	/* Append the tests of this kind, in the order they should run. */
	int (*discover)(const struct test_kind *kind, const struct run_env *env, struct test_list *list);
	/*
	 * In the test's process: do the test, never return.  stdout/stderr
	 * go to the runner; print PASS/FAIL/SKIP lines there.
	 */
	void (*run)(const struct test *t, const struct run_env *env) __attribute__((noreturn));
	const char *dir;	/* where discover looks, see the kinds */
	int timeout;		/* seconds; 0 for the runner's -t */
};

struct running {
	struct test *t;
	pid_t pid;		/* the test's process, leader of its process group */
	int out_fd;		/* -1 after EOF */
	bool exited, timed_out;
	int status;
	double deadline, exit_time;
	char *out;		/* the output so far, up to OUTPUT_MAX */
	size_t out_len, out_cap;
	bool out_truncated;
	char *line;		/* the line being received */
	size_t line_len, line_cap;
	int pass, fail, skip;
	char tmpdir[PATH_MAX];
	pid_t runner;		/* our PID, for the child to check its parent */
};

/* Options; the only process-wide settings. */
static bool opt_verbose, opt_keep, opt_list;
static int opt_jobs = 1;
static int opt_timeout = DEFAULT_TIMEOUT;

static sigset_t orig_mask;

static int total_pass, total_fail, total_skip;
static char **failed_names;
static int nr_failed_names;

/* pgid -> test, to say where a left-over process came from. */
static struct {
	pid_t pgid;
	const char *name;
} *started;
static int nr_started;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "run: out of memory\n");
		exit(2);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	return strcpy(xrealloc(NULL, strlen(s) + 1), s);
}

static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		fprintf(stderr, "run: out of memory\n");
		exit(2);
	}
	va_end(ap);
	return s;
}

/* snprintf for paths: -1 if it does not fit. */
static __attribute__((format(printf, 3, 4))) int pathf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* ---- discovery ---- */

static void list_add(struct test_list *list, const struct test_kind *kind, char *name, char *path,
		     int variant)
{
	if (list->n == list->cap) {
		list->cap = list->cap ? 2 * list->cap : 32;
		list->v = xrealloc(list->v, list->cap * sizeof(*list->v));
	}
	list->v[list->n++] = (struct test){ .kind = kind, .name = name, .path = path, .variant = variant };
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Sorted names of regular files in @dir that pass @want.  A missing
 * directory has no tests.
 */
static int list_dir(const char *dir, bool (*want)(const char *dir, const char *name, const struct stat *st),
		    char ***names)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;
	char path[PATH_MAX];
	int n = 0, cap = 0;

	*names = NULL;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (pathf(path, sizeof(path), "%s/%s", dir, de->d_name) || stat(path, &st) || !S_ISREG(st.st_mode) || !want(dir, de->d_name, &st))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			*names = xrealloc(*names, cap * sizeof(**names));
		}
		(*names)[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(*names, n, sizeof(**names), cmp_names);
	return n;
}

static bool want_binary(const char *dir, const char *name, const struct stat *st)
{
	static const char *const ignore[] = { ".o", ".d", ".a", ".so", ".c", ".h", ".log", ".tmp" };
	unsigned int i;

	(void)dir;
	if (!(st->st_mode & 0111))
		return false;
	for (i = 0; i < sizeof(ignore) / sizeof(ignore[0]); i++)
		if (has_suffix(name, ignore[i]))
			return false;
	return true;
}

static bool want_script(const char *dir, const char *name, const struct stat *st)
{
	(void)dir;
	(void)st;
	return has_suffix(name, ".sh");
}

/* Executables in TESTBIN/<kind->dir>. */
static int discover_binaries(const struct test_kind *kind, const struct run_env *env, struct test_list *list)
{
	char dir[PATH_MAX], **names;
	int i, n;

	if (pathf(dir, sizeof(dir), "%s/%s", env->testbin, kind->dir))
		return -ENAMETOOLONG;
	n = list_dir(dir, want_binary, &names);
	if (n < 0) {
		fprintf(stderr, "run: cannot read %s: %s\n", dir, strerror(-n));
		return n;
	}
	for (i = 0; i < n; i++) {
		list_add(list, kind, xasprintf("%s/%s", kind->name, names[i]),
			 xasprintf("%s/%s", dir, names[i]), 0);
		free(names[i]);
	}
	free(names);
	return 0;
}

/* *.sh in SRCDIR/<kind->dir>, named without the .sh. */
static int discover_scripts(const struct test_kind *kind, const struct run_env *env, struct test_list *list)
{
	char dir[PATH_MAX], **names;
	int i, n;

	if (pathf(dir, sizeof(dir), "%s/%s", env->srcdir, kind->dir))
		return -ENAMETOOLONG;
	n = list_dir(dir, want_script, &names);
	if (n < 0) {
		fprintf(stderr, "run: cannot read %s: %s\n", dir, strerror(-n));
		return n;
	}
	for (i = 0; i < n; i++) {
		names[i][strlen(names[i]) - 3] = '\0';
		list_add(list, kind, xasprintf("%s/%s", kind->name, names[i]),
			 xasprintf("%s/%s.sh", dir, names[i]), 0);
		free(names[i]);
	}
	free(names);
	return 0;
}

/* ---- what a test's process does ---- */

static __attribute__((noreturn)) void exec_failed(const struct test *t, const char *what)
{
	printf("FAIL: %s: cannot run %s: %s\n", t->name, what, strerror(errno));
	fflush(stdout);
	_exit(127);
}

static __attribute__((noreturn)) void run_binary(const struct test *t, const struct run_env *env)
{
	(void)env;
	execl(t->path, t->path, (char *)NULL);
	exec_failed(t, t->path);
}

static __attribute__((noreturn)) void run_bash_script(const struct test *t, const struct run_env *env)
{
	(void)env;
	execlp("bash", "bash", t->path, (char *)NULL);
	exec_failed(t, "bash");
}

static const struct test_kind test_kinds[] = {
	{ .name = "unit", .dir = "unit", .discover = discover_binaries, .run = run_binary },
	{ .name = "inject", .dir = "inject", .discover = discover_binaries, .run = run_binary },
	{ .name = "cli", .dir = "tests/cli", .discover = discover_scripts, .run = run_bash_script },
};

/* ---- processes ---- */

struct proc_ent {
	pid_t pid, ppid, pgrp;
	char state;
	char comm[32];
};

static int scan_procs(struct proc_ent **out)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0, cap = 0;

	*out = NULL;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char path[64], buf[512], *lp, *rp;
		struct proc_ent e = { 0 };
		ssize_t len;
		int fd;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (pathf(path, sizeof(path), "/proc/%s/stat", de->d_name))
			continue;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* "pid (comm) state ppid pgrp ...": comm may hold anything. */
		lp = strchr(buf, '(');
		rp = strrchr(buf, ')');
		if (!lp || !rp || rp < lp)
			continue;
		e.pid = atoi(buf);
		snprintf(e.comm, sizeof(e.comm), "%.*s", (int)(rp - lp - 1), lp + 1);
		if (sscanf(rp + 1, " %c %d %d", &e.state, &e.ppid, &e.pgrp) != 3)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[n++] = e;
	}
	closedir(d);
	return n;
}

/* Mark the descendants of @root in @procs; returns how many. */
static int mark_descendants(pid_t root, const struct proc_ent *procs, int n, bool *mark)
{
	bool changed = true;
	int i, j, count = 0;

	memset(mark, 0, n * sizeof(*mark));
	while (changed) {
		changed = false;
		for (i = 0; i < n; i++) {
			if (mark[i])
				continue;
			if (procs[i].ppid == root) {
				mark[i] = changed = true;
				count++;
				continue;
			}
			for (j = 0; j < n; j++) {
				if (mark[j] && procs[j].pid == procs[i].ppid) {
					mark[i] = changed = true;
					count++;
					break;
				}
			}
		}
	}
	return count;
}

/* SIGKILL every descendant of @root (and @root itself if @self). */
static void kill_tree(pid_t root, bool self)
{
	struct proc_ent *procs;
	bool *mark;
	int i, n = scan_procs(&procs);

	if (n > 0) {
		mark = xrealloc(NULL, n * sizeof(*mark));
		mark_descendants(root, procs, n, mark);
		for (i = 0; i < n; i++)
			if (mark[i])
				kill(procs[i].pid, SIGKILL);
		free(mark);
		free(procs);
	}
	if (self)
		kill(root, SIGKILL);
}

static const char *started_by(pid_t pgrp)
{
	int i;

	for (i = nr_started - 1; i >= 0; i--)
		if (started[i].pgid == pgrp)
			return started[i].name;
	return NULL;
}

/* ---- output ---- */

static void record_failure(const char *name)
{
	int i;

	for (i = 0; i < nr_failed_names; i++)
		if (!strcmp(failed_names[i], name))
			return;
	failed_names = xrealloc(failed_names, (nr_failed_names + 1) * sizeof(*failed_names));
	failed_names[nr_failed_names++] = xstrdup(name);
}

static void buf_append(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = xrealloc(*buf, *cap);
	}
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static void handle_line(struct running *r, const char *line, size_t len)
{
	bool result = false;

	if (r->out_len + len + 1 <= OUTPUT_MAX) {
		buf_append(&r->out, &r->out_len, &r->out_cap, line, len);
		buf_append(&r->out, &r->out_len, &r->out_cap, "\n", 1);
	} else {
		r->out_truncated = true;
	}
	if (len >= 5 && !strncmp(line, "PASS:", 5)) {
		r->pass++;
		result = true;
	} else if (len >= 5 && !strncmp(line, "FAIL:", 5)) {
		r->fail++;
		result = true;
		record_failure(r->t->name);
	} else if (len >= 5 && !strncmp(line, "SKIP:", 5)) {
		r->skip++;
		result = true;
	}
	if (opt_verbose || result)
		printf("%s: %.*s\n", r->t->name, (int)len, line);
}

static void handle_output(struct running *r, const char *p, size_t n)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;
		size_t keep = take;

		if (r->line_len + keep > LINE_MAX_KEEP)
			keep = r->line_len < LINE_MAX_KEEP ? LINE_MAX_KEEP - r->line_len : 0;
		buf_append(&r->line, &r->line_len, &r->line_cap, p, keep);
		if (!nl)
			return;
		handle_line(r, r->line ? r->line : "", r->line_len);
		r->line_len = 0;
		p = nl + 1;
		n -= take + 1;
	}
}

/* 1 after reading something, 0 if there is nothing now, -1 at EOF. */
static int read_output(struct running *r)
{
	char buf[16384];
	ssize_t n = read(r->out_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		close(r->out_fd);
		r->out_fd = -1;
		return -1;
	}
	handle_output(r, buf, n);
	return 1;
}

/* ---- running one test ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void remove_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX], *p;

	if (pathf(tmp, sizeof(tmp), "%s", path))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static void make_tmpdir(struct running *r, const struct run_env *env)
{
	char *p;

	if (pathf(r->tmpdir, sizeof(r->tmpdir), "%s/%s", env->tmproot, r->t->name)) {
		r->tmpdir[0] = '\0';
		return;
	}
	for (p = r->tmpdir + strlen(env->tmproot) + 1; *p; p++)
		if (*p == '/')
			*p = '-';
	remove_tree(r->tmpdir);
	if (mkdir_p(r->tmpdir))
		r->tmpdir[0] = '\0';
}

static __attribute__((noreturn)) void test_child(struct running *r, const struct run_env *env, int out_fd)
{
	int null_fd;

	setpgid(0, 0);
	/* If the runner is killed outright, take the test down with it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) || getppid() != r->runner)
		_exit(126);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &orig_mask, NULL);
	null_fd = open("/dev/null", O_RDONLY);
	if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		_exit(126);
	close_range(3, ~0U, 0);
	if (chdir(env->srcdir)) {
		printf("FAIL: %s: cannot chdir to %s: %s\n", r->t->name, env->srcdir, strerror(errno));
		_exit(126);
	}
	setenv("SUDCR", env->sudcr, 1);
	setenv("TESTBIN", env->testbin, 1);
	setenv("SRCDIR", env->srcdir, 1);
	setenv("TESTNAME", r->t->name, 1);
	if (r->tmpdir[0])
		setenv("TESTTMP", r->tmpdir, 1);
	else
		unsetenv("TESTTMP");
	r->t->kind->run(r->t, env);
}

static int start_test(struct running *r, struct test *t, const struct run_env *env)
{
	int pipefd[2];
	int timeout = t->kind->timeout ? t->kind->timeout : opt_timeout;

	memset(r, 0, sizeof(*r));
	r->t = t;
	r->runner = getpid();
	make_tmpdir(r, env);
	if (pipe2(pipefd, O_CLOEXEC)) {
		fprintf(stderr, "run: pipe: %s\n", strerror(errno));
		remove_tree(r->tmpdir);
		return -1;
	}
	if (opt_verbose)
		printf("=== %s\n", t->name);
	fflush(stdout);
	fflush(stderr);
	r->pid = fork();
	if (r->pid < 0) {
		fprintf(stderr, "run: fork: %s\n", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		remove_tree(r->tmpdir);
		return -1;
	}
	if (!r->pid)
		test_child(r, env, pipefd[1]);
	/* Both sides set the group, so that a kill right away finds it. */
	setpgid(r->pid, r->pid);
	close(pipefd[1]);
	r->out_fd = pipefd[0];
	fcntl(r->out_fd, F_SETFL, O_NONBLOCK);
	r->deadline = now() + timeout;
	started = xrealloc(started, (nr_started + 1) * sizeof(*started));
	started[nr_started].pgid = r->pid;
	started[nr_started++].name = t->name;
	return 0;
}

static void kill_test(struct running *r)
{
	/* The tree first: once the test dies, its children become ours. */
	kill_tree(r->pid, true);
	kill(-r->pid, SIGKILL);
}

static void print_test_failure(struct running *r, const char *why)
{
	if (opt_verbose)
		return;	/* all of it is on the screen already */
	printf("---- %s failed%s%s; its output:\n", r->t->name, why ? ": " : "", why ? why : "");
	if (r->out_len)
		fwrite(r->out, 1, r->out_len, stdout);
	if (r->out_truncated)
		printf("[output beyond %d bytes not kept]\n", OUTPUT_MAX);
	printf("---- end of %s\n", r->t->name);
}

static void finish_test(struct running *r)
{
	int timeout = r->t->kind->timeout ? r->t->kind->timeout : opt_timeout;
	char why[160] = "";
	int extra = 0;

	if (r->out_fd >= 0) {
		close(r->out_fd);
		r->out_fd = -1;
	}
	if (r->line_len)
		handle_line(r, r->line, r->line_len);

	if (r->timed_out) {
		snprintf(why, sizeof(why), "timed out after %d s", timeout);
		extra = 1;
	} else if (WIFSIGNALED(r->status)) {
		snprintf(why, sizeof(why), "killed by signal %d (%s)", WTERMSIG(r->status),
			 strsignal(WTERMSIG(r->status)));
		extra = !r->fail;
	} else if (WEXITSTATUS(r->status)) {
		snprintf(why, sizeof(why), "exited with status %d", WEXITSTATUS(r->status));
		extra = !r->fail;
	} else if (!r->pass && !r->fail && !r->skip) {
		snprintf(why, sizeof(why), "printed no result");
		extra = 1;
	}
	if (extra) {
		printf("%s: FAIL: %s\n", r->t->name, why);
		record_failure(r->t->name);
	}
	total_pass += r->pass;
	total_skip += r->skip;
	total_fail += r->fail + extra;

	if (r->fail + extra)
		print_test_failure(r, why[0] ? why : NULL);
	else if (opt_verbose)
		printf("=== %s: %d passed%s\n", r->t->name, r->pass, r->skip ? ", some skipped" : "");

	if (r->tmpdir[0]) {
		if (opt_keep || r->fail + extra)
			printf("%s: scratch directory kept: %s\n", r->t->name, r->tmpdir);
		else
			remove_tree(r->tmpdir);
	}
	fflush(stdout);
	free(r->out);
	free(r->line);
}

/* Reap every child that has exited: tests, and orphans re-parented to us. */
static void reap(struct running *run, int nr)
{
	int status, i;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
		for (i = 0; i < nr; i++) {
			if (run[i].pid == pid && !run[i].exited) {
				run[i].exited = true;
				run[i].status = status;
				run[i].exit_time = now();
			}
		}
	}
}

/* Returns the signal that interrupted the run, or 0. */
static int run_tests(struct test *tests, int n, const struct run_env *env, int sig_fd)
{
	struct running *run = xrealloc(NULL, opt_jobs * sizeof(*run));
	struct pollfd *pfd = xrealloc(NULL, (opt_jobs + 1) * sizeof(*pfd));
	int nr = 0, next = 0, interrupted = 0, i;

	while (next < n || nr) {
		double t, wake;
		int np = 0, ms;

		while (!interrupted && nr < opt_jobs && next < n) {
			struct test *t = &tests[next++];

			if (start_test(&run[nr], t, env)) {
				printf("%s: FAIL: cannot start the test\n", t->name);
				record_failure(t->name);
				total_fail++;
				continue;
			}
			nr++;
		}
		if (interrupted && !nr)
			break;

		pfd[np++] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		t = now();
		wake = t + 0.25;	/* clone children without SIGCHLD are reaped by polling */
		for (i = 0; i < nr; i++) {
			if (run[i].out_fd >= 0)
				pfd[np++] = (struct pollfd){ .fd = run[i].out_fd, .events = POLLIN };
			if (!run[i].exited && run[i].deadline < wake)
				wake = run[i].deadline;
			if (run[i].exited && run[i].exit_time + EXIT_GRACE < wake)
				wake = run[i].exit_time + EXIT_GRACE;
		}
		ms = wake > t ? (int)((wake - t) * 1000) + 1 : 0;
		if (poll(pfd, np, ms) < 0 && errno != EINTR) {
			fprintf(stderr, "run: poll: %s\n", strerror(errno));
			usleep(100000);
		}

		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo != SIGCHLD && !interrupted) {
					interrupted = si.ssi_signo;
					printf("run: %s: stopping all tests\n", strsignal(si.ssi_signo));
					for (i = 0; i < nr; i++)
						kill_test(&run[i]);
				}
			}
		}
		for (i = 0; i < nr; i++)
			if (run[i].out_fd >= 0)
				read_output(&run[i]);
		reap(run, nr);

		t = now();
		for (i = 0; i < nr;) {
			struct running *r = &run[i];

			if (!r->exited && t >= r->deadline && !r->timed_out) {
				r->timed_out = true;
				kill_test(r);
			}
			if (r->exited && (r->out_fd < 0 || t >= r->exit_time + EXIT_GRACE)) {
				/* Whatever is in the pipe now. */
				while (r->out_fd >= 0 && read_output(r) > 0)
					;
				finish_test(r);
				*r = run[--nr];
				continue;
			}
			i++;
		}
	}
	free(run);
	free(pfd);
	return interrupted;
}

/*
 * Kill, reap and report whatever the tests left behind.  Returns the
 * number of processes found.
 */
static int check_leftovers(void)
{
	struct proc_ent *procs;
	bool *mark;
	int i, n, found;
	char *msg = NULL;
	size_t len = 0, cap = 0;
	double until;

	reap(NULL, 0);
	n = scan_procs(&procs);
	if (n <= 0)
		return 0;
	mark = xrealloc(NULL, n * sizeof(*mark));
	found = mark_descendants(getpid(), procs, n, mark);
	for (i = 0; i < n; i++) {
		char item[128];
		const char *from;

		if (!mark[i])
			continue;
		from = started_by(procs[i].pgrp);
		snprintf(item, sizeof(item), "%s%d (%s%s%s%s)", len ? ", " : "", procs[i].pid, procs[i].comm,
			 procs[i].state == 'Z' ? ", zombie" : "", from ? ", from " : "", from ? from : "");
		buf_append(&msg, &len, &cap, item, strlen(item));
		kill(procs[i].pid, SIGKILL);
	}
	free(mark);
	free(procs);
	if (!found)
		return 0;
	printf("run: FAIL: left processes running: %s\n", msg);
	free(msg);

	/* Killed parents hand their children to us: repeat until none is left. */
	until = now() + REAP_TIMEOUT;
	for (;;) {
		reap(NULL, 0);
		n = scan_procs(&procs);
		if (n <= 0)
			break;
		mark = xrealloc(NULL, n * sizeof(*mark));
		found = mark_descendants(getpid(), procs, n, mark);
		for (i = 0; i < n; i++)
			if (mark[i])
				kill(procs[i].pid, SIGKILL);
		free(mark);
		free(procs);
		if (!found)
			break;
		if (now() > until) {
			printf("run: %d processes would not go away\n", found);
			break;
		}
		usleep(10000);
	}
	return 1;
}

/* ---- setup ---- */

static int dirname_of(char *path)
{
	char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return -1;
	*slash = '\0';
	return 0;
}

static bool is_srcdir(const char *dir)
{
	char path[PATH_MAX];

	return !pathf(path, sizeof(path), "%s/tests/harness.h", dir) && !access(path, F_OK);
}

static int setup_env(struct run_env *env)
{
	char build[PATH_MAX];
	const char *src = getenv("SRCDIR");
	ssize_t n;

	n = readlink("/proc/self/exe", env->testbin, sizeof(env->testbin) - 1);
	if (n < 0) {
		fprintf(stderr, "run: cannot find myself: %s\n", strerror(errno));
		return -1;
	}
	env->testbin[n] = '\0';
	if (dirname_of(env->testbin))
		return -1;
	if (pathf(build, sizeof(build), "%s", env->testbin) || dirname_of(build) ||
	    pathf(env->sudcr, sizeof(env->sudcr), "%s/sudcr", build) ||
	    pathf(env->tmproot, sizeof(env->tmproot), "%s/tmp", env->testbin)) {
		fprintf(stderr, "run: cannot make sense of my path %s\n", env->testbin);
		return -1;
	}

	/* The source tree: $SRCDIR, where make built us, or the cwd. */
	if (src && *src) {
		if (!realpath(src, env->srcdir)) {
			fprintf(stderr, "run: SRCDIR=%s: %s\n", src, strerror(errno));
			return -1;
		}
#ifdef RUN_SRCDIR
	} else if (is_srcdir(RUN_SRCDIR)) {
		pathf(env->srcdir, sizeof(env->srcdir), "%s", RUN_SRCDIR);
#endif
	} else if (!getcwd(env->srcdir, sizeof(env->srcdir))) {
		fprintf(stderr, "run: getcwd: %s\n", strerror(errno));
		return -1;
	}
	if (!is_srcdir(env->srcdir)) {
		fprintf(stderr, "run: %s is not the sudcr source tree (set SRCDIR)\n", env->srcdir);
		return -1;
	}
	return 0;
}

static bool matches(const char *name, char **filters, int nr_filters)
{
	int i;

	if (!nr_filters)
		return true;
	for (i = 0; i < nr_filters; i++)
		if (strstr(name, filters[i]))
			return true;
	return false;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: run [-v] [-k] [-l] [-jN] [-t SECONDS] [FILTER...]\n"
		   "  -v  print all output     -k  keep scratch directories\n"
		   "  -l  list tests           -j  tests at once (default 1)\n"
		   "  -t  timeout per test in seconds (default %d)\n",
		DEFAULT_TIMEOUT);
}

int main(int argc, char **argv)
{
	struct run_env env;
	struct test_list all = { 0 }, sel = { 0 };
	sigset_t mask;
	unsigned int k;
	int c, i, sig_fd, interrupted;

	while ((c = getopt(argc, argv, "vklj:t:h")) != -1) {
		switch (c) {
		case 'v':
			opt_verbose = true;
			break;
		case 'k':
			opt_keep = true;
			break;
		case 'l':
			opt_list = true;
			break;
		case 'j':
			opt_jobs = atoi(optarg);
			if (opt_jobs < 1) {
				usage(stderr);
				return 2;
			}
			break;
		case 't':
			opt_timeout = atoi(optarg);
			if (opt_timeout < 1) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setup_env(&env))
		return 2;

	for (k = 0; k < sizeof(test_kinds) / sizeof(test_kinds[0]); k++)
		if (test_kinds[k].discover(&test_kinds[k], &env, &all))
			return 2;
	for (i = 0; i < all.n; i++)
		if (matches(all.v[i].name, argv + optind, argc - optind))
			list_add(&sel, all.v[i].kind, all.v[i].name, all.v[i].path, all.v[i].variant);
	if (opt_list) {
		for (i = 0; i < sel.n; i++)
			printf("%s\n", sel.v[i].name);
		return 0;
	}

	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) {
		fprintf(stderr, "run: PR_SET_CHILD_SUBREAPER: %s\n", strerror(errno));
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &orig_mask);
	sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sig_fd < 0) {
		fprintf(stderr, "run: signalfd: %s\n", strerror(errno));
		return 2;
	}
	if (mkdir_p(env.tmproot))
		fprintf(stderr, "run: cannot create %s; tests get no TESTTMP\n", env.tmproot);

	if (argc > optind && !sel.n) {
		printf("run: FAIL: no test matches the filter\n");
		total_fail++;
	}
	interrupted = run_tests(sel.v, sel.n, &env, sig_fd);
	if (check_leftovers()) {
		total_fail++;
		record_failure("(left processes)");
	}
	rmdir(env.tmproot);	/* only if empty */

	if (interrupted)
		printf("run: interrupted by %s; not all tests ran\n", strsignal(interrupted));
	if (nr_failed_names) {
		printf("failed:");
		for (i = 0; i < nr_failed_names; i++)
			printf(" %s", failed_names[i]);
		printf("\n");
	}
	printf("%d passed, %d failed", total_pass, total_fail);
	if (total_skip)
		printf(", %d skipped", total_skip);
	printf("\n");
	if (interrupted)
		return 128 + interrupted;
	return total_fail ? 1 : 0;
}
