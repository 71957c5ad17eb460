// SPDX-License-Identifier: MIT
/*
 * run - the sudcr test runner (make test).
 *
 *   run [-v] [-k] [-l] [-jN] [-t SECONDS] [FILTER...]
 *
 * Runs, in this order, the programs in build/tests/unit/ and
 * build/tests/inject/, the scripts tests/cli/NAME.sh (with bash) and the
 * self-checking programs build/tests/progs/NAME (each dumped and restored
 * by a driver in the test's process, see "progs" below), each test in its
 * own process group with stdin /dev/null, stdout and stderr into a pipe,
 * cwd the source tree, and in the environment SUDCR (the sudcr binary),
 * TESTBIN (build/tests), SRCDIR (the source tree), TESTTMP (an empty
 * scratch directory for this test) and TESTNAME.  Test names are
 * "unit/NAME", "inject/NAME", "cli/NAME", "progs/NAME"; a FILTER selects
 * the tests whose name contains it.
 *
 *   -v    print every line of every test (prefixed with the test name)
 *   -k    keep every scratch directory (by default only failed tests'
 *         are kept; see "scratch directories" below)
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
 * Scratch directories: each run makes its own directory,
 * build/tests/tmp/run-PID-XXXXXX, and a test's TESTTMP is NAME in it (the
 * test name with '/' made '-'), so that two runners started at once in one
 * tree never share one (each holds an flock on its directory while it
 * runs).  A passed test's directory is removed as it ends, a failed one's
 * is kept and its path printed; the run directory and build/tests/tmp go
 * at the end if empty.  A kept directory stays until a later run runs that
 * test again, which removes it first, as before runs had directories of
 * their own; the directories of runs still going are never touched.
 * Running tests at once still shares the machine: as with -j, the timing
 * tests may suffer, and a restore may find its PID taken.
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
#include <ctype.h>
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
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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
	char rundir[PATH_MAX];		/* this run's, in tmproot; "" if none */
	int rundir_fd;			/* holds the flock that says we run */
	char **stale;			/* run directories of runs that are over */
	int nr_stale;
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

static void run_prog(const struct test *t, const struct run_env *env) __attribute__((noreturn));

static const struct test_kind test_kinds[] = {
	{ .name = "unit", .dir = "unit", .discover = discover_binaries, .run = run_binary },
	{ .name = "inject", .dir = "inject", .discover = discover_binaries, .run = run_binary },
	{ .name = "cli", .dir = "tests/cli", .discover = discover_scripts, .run = run_bash_script },
	{ .name = "progs", .dir = "progs", .discover = discover_binaries, .run = run_prog },
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

/*
 * Each run has its own directory, build/tests/tmp/run-PID-XXXXXX, holding
 * its tests' scratch directories, and keeps an flock on it while it runs:
 * runs started at once in one tree never share a scratch directory, and a
 * later run can tell the directory of a run that is over (nobody holds its
 * lock) from a live one. Making our directory and sorting out the others
 * happen under an flock on build/tests/tmp, which is also removed only
 * under it: a run directory seen there unlocked is really over.
 */
static void find_stale_runs(struct run_env *env, int root_fd)
{
	const char *own = strrchr(env->rundir, '/') + 1;
	struct dirent *de;
	int dfd = dup(root_fd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;

	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		int fd;

		if (strncmp(de->d_name, "run-", 4) || !strcmp(de->d_name, own))
			continue;
		fd = openat(root_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* Over and empty: gone now; over and not empty: kept scratch directories. */
		if (!flock(fd, LOCK_EX | LOCK_NB) && unlinkat(root_fd, de->d_name, AT_REMOVEDIR) &&
		    !pathf(path, sizeof(path), "%s/%s", env->tmproot, de->d_name)) {
			env->stale = xrealloc(env->stale, (env->nr_stale + 1) * sizeof(*env->stale));
			env->stale[env->nr_stale++] = xstrdup(path);
		}
		close(fd);
	}
	closedir(d);
}

/* Lock build/tests/tmp, making it if need be; -1 if it cannot be had. */
static int lock_tmproot(const struct run_env *env, bool create)
{
	for (int tries = 0; tries < 10; tries++) {
		struct stat a, b;
		int fd;

		if (create && mkdir_p(env->tmproot))
			return -1;
		fd = open(env->tmproot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX)) {
			close(fd);
			return -1;
		}
		/* Still the one there, not one that another run removed meanwhile? */
		if (!fstat(fd, &a) && !stat(env->tmproot, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return fd;
		close(fd);
	}
	return -1;
}

static int open_rundir(struct run_env *env)
{
	int root_fd = lock_tmproot(env, true), err = errno;

	env->rundir_fd = -1;
	if (root_fd < 0)
		goto fail;
	if (pathf(env->rundir, sizeof(env->rundir), "%s/run-%d-XXXXXX", env->tmproot, (int)getpid()) ||
	    !mkdtemp(env->rundir)) {
		err = errno;
		goto fail;
	}
	env->rundir_fd = open(env->rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (env->rundir_fd < 0 || flock(env->rundir_fd, LOCK_EX | LOCK_NB)) {
		err = errno;
		rmdir(env->rundir);
		goto fail;
	}
	find_stale_runs(env, root_fd);
	close(root_fd);
	return 0;

fail:
	fprintf(stderr, "run: cannot make a directory in %s: %s; tests get no TESTTMP\n", env->tmproot,
		strerror(err));
	if (env->rundir_fd >= 0)
		close(env->rundir_fd);
	if (root_fd >= 0)
		close(root_fd);
	env->rundir_fd = -1;
	env->rundir[0] = '\0';
	return -1;
}

/* Our directory goes if empty (kept scratch directories stay), and build/tests/tmp likewise. */
static void close_rundir(struct run_env *env)
{
	int root_fd;

	if (env->rundir[0]) {
		rmdir(env->rundir);
		close(env->rundir_fd);
		root_fd = lock_tmproot(env, false);
		if (root_fd >= 0) {
			rmdir(env->tmproot);
			close(root_fd);
		}
	}
	for (int i = 0; i < env->nr_stale; i++)
		free(env->stale[i]);
	free(env->stale);
}

static void make_tmpdir(struct running *r, const struct run_env *env)
{
	char leaf[NAME_MAX + 1], old[PATH_MAX], *p;

	r->tmpdir[0] = '\0';
	if (!env->rundir[0] || pathf(leaf, sizeof(leaf), "%s", r->t->name))
		return;
	for (p = leaf; *p; p++)
		if (*p == '/')
			*p = '-';
	/*
	 * What an earlier run kept for this test goes now, as when all runs
	 * shared build/tests/tmp (where such a directory may still be).
	 */
	for (int i = 0; i < env->nr_stale; i++) {
		if (!pathf(old, sizeof(old), "%s/%s", env->stale[i], leaf))
			remove_tree(old);
		rmdir(env->stale[i]);	/* only if empty */
	}
	if (!pathf(old, sizeof(old), "%s/%s", env->tmproot, leaf))
		remove_tree(old);
	if (pathf(r->tmpdir, sizeof(r->tmpdir), "%s/%s", env->rundir, leaf) || mkdir(r->tmpdir, 0755))
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

/* ---- progs: dump and restore around self-checking programs ---- */

/*
 * The "progs" kind runs each tests/progs/NAME (protocol in
 * tests/progs/prog.h) in two variants, one subtest line each, "PASS: NAME
 * (restore)" and "PASS: NAME (leave-running)":
 *
 *   restore        start it with pipes as stdin/stdout/stderr, wait for
 *                  READY, `sudcr dump -t PID -D $TESTTMP/img-restore
 *                  --shell-job` (which kills it), reap it, `sudcr restore
 *                  -D DIR --shell-job` with the same pipes as sudcr's
 *                  stdio, write "go", read the verdict; the exit status is
 *                  sudcr restore's (the program's own).
 *   leave-running  the same with `dump --leave-running`; "go" goes to the
 *                  original, which must pass and exit 0.
 *
 * Tag lines at the top of NAME.c, "// sudcr-test: TAG [ARGS]", adapt this:
 *
 *   dump-fails [TEXT]     the dump must fail: exit status 1, exactly one
 *                         line on stderr (holding TEXT, if given: the rest
 *                         of the tag line), no core.img or pages-0.img in
 *                         DIR; the program, left running, must still pass.
 *   leave-running-fails [TEXT]
 *                         the same, in the leave-running variant only (a
 *                         state only a dump that kills can keep).
 *   wait-syscall NR       dump only once the program is blocked in syscall
 *                         NR (/proc/PID/syscall): interrupted syscalls.
 *   wait-syscall32 NR     the same for the ia32 build NAME-32 (ia32 numbers;
 *                         required there when wait-syscall is given).
 *   stopped               the program stops itself after READY: it is
 *                         dumped stopped and must come back stopped (restore
 *                         with -d, the process checked in state T), then it
 *                         gets SIGCONT.  With --leave-running the original
 *                         must still be stopped after the dump.
 *   detached              restore with -d: the restored process is then
 *                         re-parented to us (we are a subreaper) and its
 *                         own exit status is checked.
 *   kick SIGNO            send signal SIGNO to the program just before "go"
 *                         (restore with -d: the signal must find the
 *                         restored process, not the stub).
 *   tcp-established       every dump and restore gets --tcp-established
 *                         (established TCP connections, under a network
 *                         lock: nftables, installed by
 *                         tests/setup-nftables.sh; without it the test
 *                         says SKIP with the reason).
 *   restore-fails HOW     before the real restore, a restore that must fail
 *                         cleanly: exit status 1, one line on stderr, no
 *                         process left.  HOW is pid-taken (a process holds
 *                         the PID), flip FILE (one byte of the image's FILE
 *                         inverted, in a copy of the image), truncate FILE
 *                         (FILE cut to half its size, in a copy) or
 *                         grow-file NAME (the program's file $TESTTMP/NAME
 *                         grows; cut back afterwards).  In the leave-running
 *                         variant the failing restore comes once the
 *                         original has passed and exited (pid-taken: while
 *                         it still runs), and the image is then restored
 *                         (the tag may stand up to 4 times: each is tried)
 *                         and must pass too.
 *
 * There is no tag that excuses a failure: a test that fails is fixed or
 * removed (an unknown tag, "known-failure" included, fails the test).
 *
 * A program listed in PROGS_32 (tests/tests.mk) is also built -m32 as
 * NAME-32, run the same way with the tags of NAME.c; where ia32 programs
 * cannot be built, NAME-32 is a stub that says SKIP with the reason.
 *
 * The test's process is a child subreaper, so that a process whose parent
 * (sudcr restore -d, a failed stub) goes away is ours to reap and check.
 * Each variant ends by listing, killing and reaping every process left.
 */

#define PROG_READY_TIMEOUT	10.0
#define PROG_SUDCR_TIMEOUT	30.0
#define PROG_VERDICT_TIMEOUT	15.0
#define PROG_STATE_TIMEOUT	5.0
#define PROG_DIAG_MAX		(64 << 10)

enum prog_variant { PV_RESTORE, PV_LEAVE_RUNNING, PV_NR };

static const char *const prog_variant_names[PV_NR] = { "restore", "leave-running" };

enum prog_rfail { RF_NONE, RF_PID_TAKEN, RF_FLIP, RF_TRUNCATE, RF_GROW_FILE };

struct prog_spec {
	bool dump_fails, stopped, detached, tcp_established;
	char dump_fails_says[128];	/* "dump-fails TEXT": the line must hold TEXT */
	bool lr_fails;			/* leave-running-fails */
	char lr_fails_says[128];
	long wait_syscall;		/* -1: none */
	long wait_syscall32;		/* the same for the ia32 build; -1: none */
	int kick;			/* signal, 0: none */
	struct prog_rfail_case {
		enum prog_rfail how;
		char arg[64];		/* FILE or NAME */
	} rfail[4];			/* one "restore-fails" tag each, in order */
	int nr_rfail;
	char error[256];		/* a bad tag */
};

struct prog_run {
	const char *name;		/* NAME */
	const char *path;		/* build/tests/progs/NAME */
	const struct prog_spec *spec;
	const struct run_env *env;
	const char *tmp;		/* $TESTTMP */
	enum prog_variant variant;
	/* The program's stdio pipes: its ends are kept for sudcr restore. */
	int in_r, in_w, out_r, out_w, err_r, err_w;
	char out[4096];			/* stdout not yet taken as lines */
	size_t out_len;
	char *diag;			/* what to show if the variant fails */
	size_t diag_len, diag_cap;
	pid_t pid;			/* the program, original then restored */
	pid_t keep[2];			/* processes that may legitimately be around */
	char why[512];			/* the first failure; "" while all is well */
	char skip[256];			/* the program said SKIP */
};

static __attribute__((format(printf, 2, 3))) void prog_diag(struct prog_run *r, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	if (r->diag_len + n + 1 > PROG_DIAG_MAX)
		return;
	buf_append(&r->diag, &r->diag_len, &r->diag_cap, buf, n);
	buf_append(&r->diag, &r->diag_len, &r->diag_cap, "\n", 1);
}

/* Record a failure (the first one is the verdict); returns -1. */
static __attribute__((format(printf, 2, 3))) int prog_fail(struct prog_run *r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	prog_diag(r, "failure: %s", buf);
	if (!r->why[0])
		snprintf(r->why, sizeof(r->why), "%s", buf);
	return -1;
}

/* Append @len bytes of output from @what to the diagnostics, line by line. */
static void prog_diag_output(struct prog_run *r, const char *what, const char *p, size_t len)
{
	while (len) {
		const char *nl = memchr(p, '\n', len);
		size_t n = nl ? (size_t)(nl - p) : len;

		prog_diag(r, "%s: %.*s", what, (int)n, p);
		p += n + (nl ? 1 : 0);
		len -= n + (nl ? 1 : 0);
	}
}

/* ---- tags ---- */

static int prog_parse_tag(struct prog_spec *s, char *tag)
{
	char *args, *end;

	tag += strspn(tag, " \t");
	tag[strcspn(tag, "\r\n")] = '\0';
	args = tag + strcspn(tag, " \t");
	if (*args)
		*args++ = '\0';
	args += strspn(args, " \t");

	if (!strcmp(tag, "dump-fails")) {
		s->dump_fails = true;
		if (strlen(args) >= sizeof(s->dump_fails_says))
			return -1;
		strcpy(s->dump_fails_says, args);
	} else if (!strcmp(tag, "leave-running-fails")) {
		s->lr_fails = true;
		if (strlen(args) >= sizeof(s->lr_fails_says))
			return -1;
		strcpy(s->lr_fails_says, args);
	} else if (!strcmp(tag, "stopped")) {
		s->stopped = true;
	} else if (!strcmp(tag, "detached")) {
		s->detached = true;
	} else if (!strcmp(tag, "tcp-established")) {
		s->tcp_established = true;
	} else if (!strcmp(tag, "wait-syscall")) {
		s->wait_syscall = strtol(args, &end, 10);
		if (end == args || s->wait_syscall < 0)
			return -1;
	} else if (!strcmp(tag, "wait-syscall32")) {
		s->wait_syscall32 = strtol(args, &end, 10);
		if (end == args || s->wait_syscall32 < 0)
			return -1;
	} else if (!strcmp(tag, "kick")) {
		s->kick = atoi(args);
		if (s->kick <= 0 || s->kick >= 65)
			return -1;
	} else if (!strcmp(tag, "restore-fails")) {
		char how[32] = "", arg[64] = "";

		struct prog_rfail_case *c;

		if (sscanf(args, "%31s %63s", how, arg) < 1)
			return -1;
		if (s->nr_rfail == (int)(sizeof(s->rfail) / sizeof(s->rfail[0])))
			return -1;
		c = &s->rfail[s->nr_rfail++];
		if (!strcmp(how, "pid-taken"))
			c->how = RF_PID_TAKEN;
		else if (!strcmp(how, "flip") && arg[0])
			c->how = RF_FLIP;
		else if (!strcmp(how, "truncate") && arg[0])
			c->how = RF_TRUNCATE;
		else if (!strcmp(how, "grow-file") && arg[0])
			c->how = RF_GROW_FILE;
		else
			return -1;
		if (strchr(arg, '/'))
			return -1;
		snprintf(c->arg, sizeof(c->arg), "%s", arg);
	} else {
		return -1;
	}
	return 0;
}

/* The tags of tests/progs/NAME.c (in its first 60 lines). */
static void prog_read_spec(const struct run_env *env, const char *name, struct prog_spec *s)
{
	static const char marker[] = "// sudcr-test:";
	char path[PATH_MAX], line[512];
	FILE *f;
	int n = 0;

	size_t len = strlen(name);
	bool ia32 = len > 3 && !strcmp(name + len - 3, "-32");

	memset(s, 0, sizeof(*s));
	s->wait_syscall = -1;
	s->wait_syscall32 = -1;
	/* NAME-32 is the ia32 build of NAME.c. */
	if (pathf(path, sizeof(path), "%s/tests/progs/%.*s.c", env->srcdir, (int)(ia32 ? len - 3 : len), name) ||
	    !(f = fopen(path, "r"))) {
		snprintf(s->error, sizeof(s->error), "cannot read tests/progs/%.64s.c: %s", name, strerror(errno));
		return;
	}
	while (n++ < 60 && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, marker), copy[sizeof(line)];

		if (!p)
			continue;
		snprintf(copy, sizeof(copy), "%s", p + sizeof(marker) - 1);
		copy[strcspn(copy, "\n")] = '\0';
		if (prog_parse_tag(s, p + sizeof(marker) - 1)) {
			snprintf(s->error, sizeof(s->error), "tests/progs/%.64s.c: bad tag '%.120s'", name, copy);
			break;
		}
	}
	fclose(f);
	if (ia32 && !s->error[0]) {
		if (s->wait_syscall >= 0 && s->wait_syscall32 < 0)
			snprintf(s->error, sizeof(s->error), "tests/progs/%.*s.c: wait-syscall without wait-syscall32",
				 (int)(len - 3), name);
		s->wait_syscall = s->wait_syscall32;
	}
}

/* ---- processes of the test ---- */

static pid_t prog_spawn(char *const argv[], int fd0, int fd1, int fd2)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	if (dup2(fd0, 0) < 0 || dup2(fd1, 1) < 0 || dup2(fd2, 2) < 0)
		_exit(126);
	close_range(3, ~0U, 0);
	execv(argv[0], argv);
	dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/*
 * Wait up to @timeout s for our child @pid to exit; 0 with its status, -1
 * on timeout.  A stop does not count.
 */
static int prog_wait_exit(pid_t pid, int *status, double timeout)
{
	double until = now() + timeout;

	for (;;) {
		pid_t got = waitpid(pid, status, WNOHANG | __WALL);

		if (got == pid)
			return 0;
		if (got < 0 && errno != EINTR)
			return -1;
		if (now() > until)
			return -1;
		usleep(1000);
	}
}

static const char *prog_status_str(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "status 0x%x", status);
	return buf;
}

/* State letter of @pid from /proc/PID/stat, 0 if it is gone. */
static char prog_proc_state(pid_t pid)
{
	char path[64], buf[512], *rp;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' ? rp[2] : 0;
}

static int prog_wait_state(struct prog_run *r, char want, double timeout)
{
	double until = now() + timeout;
	char st;

	while ((st = prog_proc_state(r->pid)) != want) {
		if (now() > until)
			return prog_fail(r, "process %d is in state '%c', expected '%c'", r->pid, st ? st : '-',
					 want);
		usleep(2000);
	}
	return 0;
}

static int prog_wait_syscall(struct prog_run *r, long nr)
{
	double until = now() + PROG_STATE_TIMEOUT;
	char path[64], buf[256] = "";

	snprintf(path, sizeof(path), "/proc/%d/syscall", r->pid);
	for (;;) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			if (isdigit((unsigned char)buf[0]) && atol(buf) == nr && prog_proc_state(r->pid) == 'S')
				return 0;
		}
		if (now() > until)
			return prog_fail(r, "process %d is not blocked in syscall %ld (/proc/PID/syscall: %s)",
					 r->pid, nr, buf);
		usleep(2000);
	}
}

/* Move what the program wrote to stderr into the diagnostics. */
static void prog_drain_stderr(struct prog_run *r)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(r->err_r, buf, sizeof(buf))) > 0)
		prog_diag_output(r, "stderr", buf, n);
}

/*
 * The next line the program writes to stdout, within @timeout s.  If
 * @watch (our child) exits meanwhile, give up half a second later: *@status
 * gets its status and *@exited is set.  0 with the line, -1 if none came.
 */
static int prog_read_line(struct prog_run *r, char *line, size_t size, double timeout, pid_t watch,
			  int *status, bool *exited)
{
	double until = now() + timeout;

	for (;;) {
		char *nl = memchr(r->out, '\n', r->out_len);
		struct pollfd pfd[2] = {
			{ .fd = r->out_r, .events = POLLIN },
			{ .fd = r->err_r, .events = POLLIN },
		};
		double t;
		ssize_t n;

		if (nl) {
			size_t len = nl - r->out;

			snprintf(line, size, "%.*s", (int)len, r->out);
			memmove(r->out, nl + 1, r->out_len - len - 1);
			r->out_len -= len + 1;
			prog_diag(r, "stdout: %s", line);
			return 0;
		}
		if (r->out_len == sizeof(r->out)) {
			prog_diag_output(r, "stdout", r->out, r->out_len);
			r->out_len = 0;
		}
		if (watch > 0 && !*exited && waitpid(watch, status, WNOHANG | __WALL) == watch) {
			*exited = true;
			if (now() + 0.5 < until)
				until = now() + 0.5;
		}
		t = now();
		if (t >= until)
			break;
		poll(pfd, 2, (int)((until - t > 0.01 ? 0.01 : until - t) * 1000) + 1);
		prog_drain_stderr(r);
		n = read(r->out_r, r->out + r->out_len, sizeof(r->out) - r->out_len);
		if (n > 0)
			r->out_len += n;
	}
	prog_drain_stderr(r);
	if (r->out_len)
		prog_diag_output(r, "stdout (no newline)", r->out, r->out_len);
	r->out_len = 0;
	return -1;
}

/*
 * Run a sudcr command to its end (at most PROG_SUDCR_TIMEOUT s) with stdin
 * @in and its stdout+stderr captured in @out (NUL-terminated).  Returns its
 * status, or -1 if it could not run or timed out (then killed).
 */
static int prog_run_sudcr(struct prog_run *r, char *const argv[], int in, char *out, size_t size)
{
	double until = now() + PROG_SUDCR_TIMEOUT, exited_at = 0;
	char cmd[1024] = "", sbuf[64];
	size_t len = 0;
	int fds[2], status = -1;
	bool exited = false;
	pid_t pid;

	for (int i = 0; argv[i]; i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), "%s%s", i ? " " : "", argv[i]);
	prog_diag(r, "$ %s", cmd);
	out[0] = '\0';
	if (pipe2(fds, O_CLOEXEC))
		return prog_fail(r, "pipe: %s", strerror(errno));
	pid = prog_spawn(argv, in, fds[1], fds[1]);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return prog_fail(r, "fork: %s", strerror(errno));
	}
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		char buf[4096];
		ssize_t n;

		poll(&pfd, 1, 10);
		while ((n = read(fds[0], buf, sizeof(buf))) > 0) {
			size_t take = (size_t)n < size - 1 - len ? (size_t)n : size - 1 - len;

			memcpy(out + len, buf, take);
			len += take;
			out[len] = '\0';
		}
		/* EOF, or a process that inherited the pipe keeps it open. */
		if (n == 0 || (exited && now() > exited_at + 0.3))
			break;
		if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
			exited = true;
			exited_at = now();
		}
		if (!exited && now() > until) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			close(fds[0]);
			prog_diag_output(r, "  sudcr", out, len);
			prog_fail(r, "'%s' did not finish within %.0f s", cmd, PROG_SUDCR_TIMEOUT);
			return -1;
		}
	}
	close(fds[0]);
	if (!exited && prog_wait_exit(pid, &status, PROG_SUDCR_TIMEOUT)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		prog_fail(r, "'%s' did not finish within %.0f s", cmd, PROG_SUDCR_TIMEOUT);
		return -1;
	}
	prog_diag_output(r, "  sudcr", out, len);
	prog_diag(r, "  (%s)", prog_status_str(status, sbuf, sizeof(sbuf)));
	return status;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		if (*s == '\n' || !s[1])
			n++;
	return n;
}

/* The first line of @s, for messages. */
static const char *first_line(const char *s, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s", (int)strcspn(s, "\n"), s);
	return buf;
}

static void prog_image_dir(const struct prog_run *r, const char *suffix, char *dir, size_t size)
{
	snprintf(dir, size, "%s/img-%s%s", r->tmp, prog_variant_names[r->variant], suffix);
}

static int prog_dump(struct prog_run *r, const char *dir, char *out, size_t size)
{
	char pid[16];
	bool leave = r->variant == PV_LEAVE_RUNNING, tcp = r->spec->tcp_established;
	char *argv[] = { (char *)r->env->sudcr, "dump", "-t", pid, "-D", (char *)dir, "--shell-job",
			 tcp ? "--tcp-established" : leave ? "--leave-running" : NULL,
			 tcp && leave ? "--leave-running" : NULL, NULL };

	snprintf(pid, sizeof(pid), "%d", r->pid);
	return prog_run_sudcr(r, argv, r->in_r, out, size);
}

static bool file_exists(const char *dir, const char *name)
{
	char path[PATH_MAX];

	return !pathf(path, sizeof(path), "%s/%s", dir, name) && !access(path, F_OK);
}

/*
 * Processes of ours other than r->keep[] and @also: a restore or dump that
 * failed must leave nothing behind.  Returns how many, listed in @buf.
 */
static int prog_strays(struct prog_run *r, pid_t also, char *buf, size_t size)
{
	struct proc_ent *procs;
	bool *mark;
	int n, found = 0;

	buf[0] = '\0';
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
	n = scan_procs(&procs);
	if (n <= 0)
		return 0;
	mark = xrealloc(NULL, n * sizeof(*mark));
	mark_descendants(getpid(), procs, n, mark);
	for (int i = 0; i < n; i++) {
		if (!mark[i] || procs[i].pid == r->keep[0] || procs[i].pid == r->keep[1] || procs[i].pid == also)
			continue;
		/* The children of a kept program (a tree) are its own. */
		bool kept = false;

		for (pid_t pp = procs[i].ppid; pp > 1 && !kept;) {
			int k;

			kept = pp == r->keep[0] || pp == r->keep[1];
			for (k = 0; k < n && procs[k].pid != pp; k++)
				;
			pp = k < n ? procs[k].ppid : 0;
		}
		if (kept)
			continue;
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%d (%s, state %c)", found ? ", " : "",
			 procs[i].pid, procs[i].comm, procs[i].state);
		found++;
	}
	free(mark);
	free(procs);
	return found;
}

/* ---- corrupting an image, holding a PID ---- */

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return -errno;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			n = -1;
			break;
		}
	close(in);
	close(out);
	return n < 0 ? -EIO : 0;
}

static int copy_dir(const char *from, const char *to)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int ret = 0;

	remove_tree(to);
	if (mkdir(to, 0700) || !(d = opendir(from)))
		return -errno;
	while (!ret && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (pathf(a, sizeof(a), "%s/%s", from, de->d_name) || pathf(b, sizeof(b), "%s/%s", to, de->d_name))
			ret = -ENAMETOOLONG;
		else
			ret = copy_file(a, b);
	}
	closedir(d);
	return ret;
}

/* Invert one byte of @path (in the page data, for a page file), or cut it to half. */
static int corrupt_file(struct prog_run *r, const char *path, bool flip)
{
	struct stat st;
	unsigned char c;
	off_t off;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return prog_fail(r, "cannot open %s to corrupt it: %s", path, strerror(errno));
	}
	if (!flip) {
		prog_diag(r, "truncating %s from %lld to %lld bytes", path, (long long)st.st_size,
			  (long long)st.st_size / 2);
		if (ftruncate(fd, st.st_size / 2)) {
			close(fd);
			return prog_fail(r, "ftruncate %s: %s", path, strerror(errno));
		}
		close(fd);
		return 0;
	}
	off = st.st_size / 2;
	if (strstr(path, "/pages-") && st.st_size > 4096)
		off = 4096 + (st.st_size - 4096) / 2;
	if (st.st_size == 0 || pread(fd, &c, 1, off) != 1 || (c ^= 0xff, pwrite(fd, &c, 1, off) != 1)) {
		close(fd);
		return prog_fail(r, "cannot flip byte %lld of %s (size %lld)", (long long)off, path,
				 (long long)st.st_size);
	}
	prog_diag(r, "inverted byte %lld of %s (size %lld)", (long long)off, path, (long long)st.st_size);
	close(fd);
	return 0;
}

struct clone_args_run {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
		set_tid_size, cgroup;
};

/* A process of ours that sits on PID @pid (clone3 set_tid, as root). */
static pid_t hold_pid(struct prog_run *r, pid_t pid)
{
	struct clone_args_run args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&pid,
		.set_tid_size = 1,
	};
	long got;

	fflush(NULL);
	got = syscall(SYS_clone3, &args, sizeof(args));
	if (got == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		for (;;)
			pause();
	}
	if (got < 0) {
		prog_fail(r, "cannot take PID %d to make the restore fail: %s", pid, strerror(errno));
		return -1;
	}
	return got;
}

/*
 * The restore that must fail, set up as r->spec says; afterwards the
 * setup is undone and *@dir is the image the real restore uses.
 */
static int prog_failing_restore(struct prog_run *r, const char *dir, const struct prog_rfail_case *c)
{
	char bad[PATH_MAX], path[PATH_MAX], out[8192], line[512], strays[1024], sbuf[64];
	/* -d: a restore that wrongly succeeds shows as exit status 0 and a process left, not a hang. */
	char *argv[] = { (char *)r->env->sudcr, "restore", "-D", bad, "--shell-job", "-d",
			 r->spec->tcp_established ? "--tcp-established" : NULL, NULL };
	const char *use = dir;
	pid_t holder = 0;
	off_t grown_from = -1;
	int status, ret = 0, fd;
	struct stat st;

	switch (c->how) {
	case RF_NONE:
		return 0;
	case RF_PID_TAKEN:
		if (r->variant == PV_RESTORE) {
			holder = hold_pid(r, r->pid);
			if (holder < 0)
				return -1;
		}
		break;
	case RF_FLIP:
	case RF_TRUNCATE:
		prog_image_dir(r, "-bad", bad, sizeof(bad));
		use = bad;
		if (copy_dir(dir, bad))
			return prog_fail(r, "cannot copy %s to %s: %s", dir, bad, strerror(errno));
		if (pathf(path, sizeof(path), "%s/%s", bad, c->arg) ||
		    corrupt_file(r, path, c->how == RF_FLIP))
			return -1;
		break;
	case RF_GROW_FILE:
		snprintf(path, sizeof(path), "%s/%s", r->tmp, c->arg);
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) || write(fd, "grown\n", 6) != 6) {
			if (fd >= 0)
				close(fd);
			return prog_fail(r, "cannot grow %s: %s", path, strerror(errno));
		}
		close(fd);
		grown_from = st.st_size;
		prog_diag(r, "%s grew from %lld to %lld bytes", path, (long long)st.st_size,
			  (long long)st.st_size + 6);
		break;
	}
	if (use == dir)
		snprintf(bad, sizeof(bad), "%s", dir);

	status = prog_run_sudcr(r, argv, r->in_r, out, sizeof(out));
	if (status < 0) {
		ret = -1;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 1) {
		ret = prog_fail(r, "restore that should fail: %s, expected exit status 1",
				prog_status_str(status, sbuf, sizeof(sbuf)));
	} else if (count_lines(out) != 1) {
		ret = prog_fail(r, "failed restore printed %d lines, expected one: '%s'", count_lines(out),
				first_line(out, line, sizeof(line)));
	}
	/* Nothing of the failed restore may be left: no process with the PID, no stub. */
	if (!holder && r->keep[0] != r->pid && prog_proc_state(r->pid))
		ret = prog_fail(r, "failed restore left process %d (state %c)", r->pid, prog_proc_state(r->pid));
	if (holder && waitpid(holder, &status, WNOHANG) != 0)
		ret = prog_fail(r, "the process holding PID %d is gone after the failed restore", r->pid);
	if (prog_strays(r, holder, strays, sizeof(strays)))
		ret = prog_fail(r, "failed restore left processes: %s", strays);
	if (!ret)
		prog_diag(r, "restore failed as it should: %s", first_line(out, line, sizeof(line)));

	if (holder > 0) {
		kill(holder, SIGKILL);
		waitpid(holder, NULL, 0);
	}
	if (grown_from >= 0 && truncate(path, grown_from))
		ret = prog_fail(r, "cannot cut %s back: %s", path, strerror(errno));
	return ret;
}

/* Every failing restore of the spec of one phase: the taken PID, or the others. */
static int prog_failing_restores(struct prog_run *r, const char *dir, bool pid_taken)
{
	for (int i = 0; i < r->spec->nr_rfail; i++) {
		const struct prog_rfail_case *c = &r->spec->rfail[i];

		if ((c->how == RF_PID_TAKEN) == pid_taken && prog_failing_restore(r, dir, c))
			return -1;
	}
	return 0;
}

/* ---- one variant ---- */

static void prog_close_pipes(struct prog_run *r)
{
	int *fds[] = { &r->in_r, &r->in_w, &r->out_r, &r->out_w, &r->err_r, &r->err_w };

	for (unsigned int i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

static int prog_open_pipes(struct prog_run *r)
{
	int in[2], out[2], err[2];

	if (pipe2(in, O_CLOEXEC))
		return -1;
	if (pipe2(out, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	if (pipe2(err, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return -1;
	}
	r->in_r = in[0];
	r->in_w = in[1];
	r->out_r = out[0];
	r->out_w = out[1];
	r->err_r = err[0];
	r->err_w = err[1];
	fcntl(r->out_r, F_SETFL, O_NONBLOCK);
	fcntl(r->err_r, F_SETFL, O_NONBLOCK);
	return 0;
}

/*
 * "go" to the program, then its verdict and exit status.  @watch is the
 * process whose exit status is the program's: the program itself when it
 * is our child, else sudcr restore.
 */
static int prog_finish(struct prog_run *r, pid_t watch, const char *whose)
{
	char line[1024], sbuf[64];
	bool exited = false;
	int status = 0;

	if (r->spec->kick && kill(r->pid, r->spec->kick))
		return prog_fail(r, "kill(%d, %d): %s", r->pid, r->spec->kick, strerror(errno));
	if (write(r->in_w, "go\n", 3) != 3)
		return prog_fail(r, "cannot write to the program: %s", strerror(errno));
	if (prog_read_line(r, line, sizeof(line), PROG_VERDICT_TIMEOUT, watch, &status, &exited)) {
		if (exited)
			return prog_fail(r, "%s: no verdict; %s", whose, prog_status_str(status, sbuf, sizeof(sbuf)));
		return prog_fail(r, "%s: no verdict within %.0f s", whose, PROG_VERDICT_TIMEOUT);
	}
	if (!exited && prog_wait_exit(watch, &status, PROG_VERDICT_TIMEOUT))
		return prog_fail(r, "%s: said '%s' but did not exit", whose, line);
	prog_drain_stderr(r);
	prog_diag(r, "%s: %s", whose, prog_status_str(status, sbuf, sizeof(sbuf)));
	if (!strncmp(line, "FAIL", 4))
		return prog_fail(r, "%s: %s", whose, line);
	if (strcmp(line, "PASS"))
		return prog_fail(r, "%s: unexpected verdict '%s'", whose, line);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return prog_fail(r, "%s said PASS but: %s", whose, prog_status_str(status, sbuf, sizeof(sbuf)));
	return 0;
}

/* sudcr restore, then the verdict of the restored program. */
static int prog_restore(struct prog_run *r, const char *dir)
{
	bool detach = r->spec->detached || r->spec->stopped || r->spec->kick;
	bool tcp = r->spec->tcp_established;
	char *argv[] = { (char *)r->env->sudcr, "restore", "-D", (char *)dir, "--shell-job",
			 tcp ? "--tcp-established" : detach ? "-d" : NULL, tcp && detach ? "-d" : NULL,
			 NULL };
	char sbuf[64];
	pid_t restorer;
	int status;

	prog_diag(r, "$ %s restore -D %s --shell-job%s", r->env->sudcr, dir, detach ? " -d" : "");
	restorer = prog_spawn(argv, r->in_r, r->out_w, r->err_w);
	if (restorer < 0)
		return prog_fail(r, "fork: %s", strerror(errno));
	if (!detach)
		return prog_finish(r, restorer, "restored program (sudcr restore)");

	if (prog_wait_exit(restorer, &status, PROG_SUDCR_TIMEOUT)) {
		kill(restorer, SIGKILL);
		waitpid(restorer, NULL, 0);
		return prog_fail(r, "sudcr restore -d did not finish within %.0f s", PROG_SUDCR_TIMEOUT);
	}
	prog_drain_stderr(r);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return prog_fail(r, "sudcr restore -d: %s", prog_status_str(status, sbuf, sizeof(sbuf)));
	/* Its parent is gone: the restored process is ours now (subreaper). */
	if (r->spec->stopped) {
		if (prog_wait_state(r, 'T', PROG_STATE_TIMEOUT))
			return -1;
		usleep(50000);
		if (prog_proc_state(r->pid) != 'T')
			return prog_fail(r, "restored process %d did not stay stopped (state %c)", r->pid,
					 prog_proc_state(r->pid));
		kill(r->pid, SIGCONT);
	}
	return prog_finish(r, r->pid, "restored program");
}

static int prog_variant(struct prog_run *r)
{
	char dir[PATH_MAX], out[8192], line[1024], sbuf[64];
	char *argv[] = { (char *)r->path, NULL };
	bool exited = false;
	int status = 0;

	prog_diag(r, "== %s (%s)", r->name, prog_variant_names[r->variant]);
	if (prog_open_pipes(r))
		return prog_fail(r, "pipe: %s", strerror(errno));
	r->pid = prog_spawn(argv, r->in_r, r->out_w, r->err_w);
	if (r->pid < 0)
		return prog_fail(r, "fork: %s", strerror(errno));
	prog_diag(r, "started %s: pid %d", r->path, r->pid);
	r->keep[0] = r->pid;
	if (prog_read_line(r, line, sizeof(line), PROG_READY_TIMEOUT, r->pid, &status, &exited)) {
		if (exited)
			return prog_fail(r, "no READY; %s", prog_status_str(status, sbuf, sizeof(sbuf)));
		return prog_fail(r, "no READY within %.0f s", PROG_READY_TIMEOUT);
	}
	if (!strncmp(line, "SKIP:", 5)) {
		snprintf(r->skip, sizeof(r->skip), "%s", line + 5 + strspn(line + 5, " "));
		/* It exits right after saying so: reap it, or it is left as a zombie. */
		if (!exited && prog_wait_exit(r->pid, &status, PROG_READY_TIMEOUT))
			return prog_fail(r, "said SKIP but did not exit");
		return 0;
	}
	if (strcmp(line, "READY"))
		return prog_fail(r, "expected READY, got '%s'", line);
	if (r->spec->stopped && prog_wait_state(r, 'T', PROG_STATE_TIMEOUT))
		return -1;
	if (r->spec->wait_syscall >= 0 && prog_wait_syscall(r, r->spec->wait_syscall))
		return -1;

	prog_image_dir(r, "", dir, sizeof(dir));
	status = prog_dump(r, dir, out, sizeof(out));
	if (status < 0)
		return -1;
	if (r->spec->dump_fails || (r->spec->lr_fails && r->variant == PV_LEAVE_RUNNING)) {
		const char *says = r->spec->dump_fails ? r->spec->dump_fails_says : r->spec->lr_fails_says;

		if (!WIFEXITED(status) || WEXITSTATUS(status) != 1)
			return prog_fail(r, "dump that should fail: %s, expected exit status 1",
					 prog_status_str(status, sbuf, sizeof(sbuf)));
		if (count_lines(out) != 1)
			return prog_fail(r, "failed dump printed %d lines, expected one: '%s'", count_lines(out),
					 first_line(out, line, sizeof(line)));
		if (says[0] && !strstr(out, says))
			return prog_fail(r, "failed dump said '%s', not '%s'", first_line(out, line, sizeof(line)),
					 says);
		if (file_exists(dir, "core.img") || file_exists(dir, "pages-0.img"))
			return prog_fail(r, "failed dump left an image in %s", dir);
		if (waitpid(r->pid, &status, WNOHANG | __WALL))
			return prog_fail(r, "the program did not survive the failed dump: %s",
					 prog_status_str(status, sbuf, sizeof(sbuf)));
		prog_diag(r, "dump failed as it should: %s", first_line(out, line, sizeof(line)));
		return prog_finish(r, r->pid, "program after the failed dump");
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return prog_fail(r, "dump: %s: %s", prog_status_str(status, sbuf, sizeof(sbuf)),
				 first_line(out, line, sizeof(line)));

	if (r->variant == PV_RESTORE) {
		/* The original must be gone, and reaped: its PID is needed. */
		if (prog_wait_exit(r->pid, &status, PROG_STATE_TIMEOUT))
			return prog_fail(r, "the original %d is still there after the dump", r->pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
			prog_drain_stderr(r);
			return prog_fail(r, "the original ended by itself during the dump: %s",
					 prog_status_str(status, sbuf, sizeof(sbuf)));
		}
		r->keep[0] = 0;
		/*
		 * The rest of a tree the dump killed came to us (we are a
		 * subreaper) when its root died: dead already (the dump waits
		 * for each), their PIDs are needed too.
		 */
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
		if (prog_failing_restores(r, dir, true) || prog_failing_restores(r, dir, false))
			return -1;
		return prog_restore(r, dir);
	}

	/* leave-running */
	if (waitpid(r->pid, &status, WNOHANG | __WALL)) {
		prog_drain_stderr(r);
		return prog_fail(r, "the original did not survive the dump: %s",
				 prog_status_str(status, sbuf, sizeof(sbuf)));
	}
	if (r->spec->stopped) {
		if (prog_wait_state(r, 'T', PROG_STATE_TIMEOUT))
			return -1;
		kill(r->pid, SIGCONT);
	}
	if (prog_failing_restores(r, dir, true))
		return -1;
	if (prog_finish(r, r->pid, "original"))
		return -1;
	r->keep[0] = 0;
	if (!r->spec->nr_rfail)
		return 0;
	/* The image of the leave-running dump must restore too, after the failing restores. */
	if (prog_failing_restores(r, dir, false))
		return -1;
	return prog_restore(r, dir);
}

/* Kill and reap whatever the variant left; a failure if anything was left. */
static void prog_cleanup(struct prog_run *r, bool complain)
{
	char strays[1024];
	double until = now() + REAP_TIMEOUT;

	r->keep[0] = r->keep[1] = 0;
	if (prog_strays(r, 0, strays, sizeof(strays)) && complain)
		prog_fail(r, "processes left: %s", strays);
	while (now() < until) {
		kill_tree(getpid(), false);
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
		if (!prog_strays(r, 0, strays, sizeof(strays)))
			break;
		usleep(5000);
	}
	prog_drain_stderr(r);
	prog_close_pipes(r);
}

static void prog_print_diag(const struct prog_run *r)
{
	const char *p = r->diag;

	while (p && *p) {
		size_t n = strcspn(p, "\n");

		printf("# %.*s\n", (int)n, p);
		p += n + (p[n] ? 1 : 0);
	}
}

static __attribute__((noreturn)) void run_prog(const struct test *t, const struct run_env *env)
{
	const char *name = strrchr(t->name, '/') + 1;
	const char *tmp = getenv("TESTTMP");
	struct prog_spec spec;
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	prog_read_spec(env, name, &spec);
	if (spec.tcp_established && !spec.error[0]) {
		/* The network lock needs nft: tests/setup-nftables.sh installs it, or says why not. */
		char cmd[2 * PATH_MAX + 64], why[256] = "", path[PATH_MAX];
		FILE *f;

		snprintf(cmd, sizeof(cmd), "sh '%s/tests/setup-nftables.sh' '%s' >&2", env->srcdir,
			 env->testbin);
		if (system(cmd) == -1 || pathf(path, sizeof(path), "%s/nftables.ok", env->testbin) ||
		    access(path, F_OK)) {
			pathf(path, sizeof(path), "%s/nftables.skip", env->testbin);
			f = fopen(path, "r");
			if (!f || !fgets(why, sizeof(why), f))
				snprintf(why, sizeof(why), "nft is not available");
			if (f)
				fclose(f);
			why[strcspn(why, "\n")] = '\0';
			for (int v = 0; v < PV_NR; v++)
				printf("SKIP: %s (%s): tcp-established: %s\n", name, prog_variant_names[v], why);
			_exit(0);
		}
	}
	for (int v = 0; v < PV_NR; v++) {
		struct prog_run r = {
			.name = name, .path = t->path, .spec = &spec, .env = env, .tmp = tmp, .variant = v,
			.in_r = -1, .in_w = -1, .out_r = -1, .out_w = -1, .err_r = -1, .err_w = -1,
		};
		const char *vn = prog_variant_names[v];

		if (spec.error[0]) {
			printf("FAIL: %s (%s): %s\n", name, vn, spec.error);
			failed++;
			continue;
		}
		if (!tmp || !*tmp) {
			printf("FAIL: %s (%s): no TESTTMP for the image\n", name, vn);
			failed++;
			continue;
		}
		if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) {
			printf("FAIL: %s (%s): PR_SET_CHILD_SUBREAPER: %s\n", name, vn, strerror(errno));
			failed++;
			continue;
		}
		prog_variant(&r);
		prog_cleanup(&r, !r.why[0]);
		if (r.why[0]) {
			printf("FAIL: %s (%s): %s\n", name, vn, r.why);
			prog_print_diag(&r);
			failed++;
		} else if (r.skip[0]) {
			printf("SKIP: %s (%s): %s\n", name, vn, r.skip);
		} else {
			printf("PASS: %s (%s)\n", name, vn);
			if (opt_verbose)
				prog_print_diag(&r);
		}
		free(r.diag);
	}
	fflush(stdout);
	_exit(failed ? 1 : 0);
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

/* Under make asan-test a leak at exit would fail the run: free the lists. */
static void free_lists(struct test_list *all, struct test_list *sel)
{
	for (int i = 0; i < all->n; i++) {
		free(all->v[i].name);
		free(all->v[i].path);
	}
	free(all->v);
	free(sel->v);
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
	struct run_env env = { 0 };
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
		free_lists(&all, &sel);
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
	open_rundir(&env);

	if (argc > optind && !sel.n) {
		printf("run: FAIL: no test matches the filter\n");
		total_fail++;
	}
	interrupted = run_tests(sel.v, sel.n, &env, sig_fd);
	if (check_leftovers()) {
		total_fail++;
		record_failure("(left processes)");
	}
	close_rundir(&env);

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
	free_lists(&all, &sel);
	for (i = 0; i < nr_failed_names; i++)
		free(failed_names[i]);
	free(failed_names);
	free(started);
	if (interrupted)
		return 128 + interrupted;
	return total_fail ? 1 : 0;
}
