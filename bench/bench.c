// SPDX-License-Identifier: MIT
/*
 * make bench: dump and restore speed of processes with 1 MiB, 256 MiB and
 * 1 GiB of touched anonymous memory, into tmpfs, beside this machine's
 * memcpy bandwidth measured in the same run; then of processes with many
 * threads, of trees, and of a process with 1,000 established TCP
 * connections whose peers are the bench's own sockets (--tcp-established:
 * the network lock is taken and lifted inside the timed calls).  It prints figures; it does
 * not pass or fail on them (a busy machine would make that flaky).  Every
 * restored process checks its memory and the run stops if one is wrong.
 */
#include <dirent.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sudcr/log.h>
#include <sudcr/sudcr.h>

#define MiB (1024UL * 1024)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double memcpy_gbps(void)
{
	size_t len = 512 * MiB;
	char *a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double best = 0;

	memset(a, 1, len);
	memset(b, 2, len);
	for (int i = 0; i < 5; i++) {
		double t = now();

		memcpy(b, a, len);
		t = now() - t;
		if (len / t > best)
			best = len / t;
	}
	munmap(a, len);
	munmap(b, len);
	return best / 1e9;
}

/*
 * In a VM (Firecracker here) the first touch of guest memory since boot
 * costs the host a page allocation: 1 GiB written to fresh tmpfs took 2.7 s
 * against 0.33 s on memory touched before.  That is the hypervisor, not
 * sudcr: touch (and free) as much memory as the runs will use, once,
 * through tmpfs and anonymous memory, before measuring anything.
 */
static void warm_up(void)
{
	size_t len = 3072 * MiB;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	FILE *f = fopen("/dev/shm/sudcr-bench-warmup", "w");

	if (p != MAP_FAILED) {
		memset(p, 1, len);
		if (f)
			for (size_t o = 0; o < len; o += 64 * MiB)
				if (fwrite(p + o, 1, 64 * MiB, f) != 64 * MiB)
					break;
		munmap(p, len);
	}
	if (f)
		fclose(f);
	unlink("/dev/shm/sudcr-bench-warmup");
}

/*
 * This VM's balloon reports freed pages to the host (virtio-balloon free
 * page reporting) a little while after they are freed; touching such a page
 * again costs a host fault.  The dump allocates as much page cache as the
 * patient has memory, right after the patient allocated its own: it would
 * mostly get reported pages, the restore mostly not.  Touching and freeing
 * as much as a run will need just before it gives both sides the same
 * footing; what is measured is then sudcr, not the hypervisor.  A
 * reporting pass can still come in the middle of a timed call: then that
 * one row is slow (a 1 GiB dump's page cache writes measured twice as
 * slow as in the other runs).  Warming up right before each timed call
 * instead did not make that rarer (30 runs of --size 1024 each way).
 */
static bool no_warm;	/* --no-warm: measure without warm_pages() */

static void warm_pages(size_t len)
{
	char *p;

	if (len < 64 * MiB || no_warm)
		return;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	memset(p, 1, len);
	munmap(p, len);
}

/* The patient: touch @len bytes with a pattern, say ready, verify on request. */
static void __attribute__((noreturn)) patient(size_t len, int in, int out)
{
	uint64_t *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char c;

	for (size_t i = 0; i < len / 8; i++)
		mem[i] = i * 0x9e3779b97f4a7c15ULL + 1;
	if (write(out, "R", 1) != 1)
		_exit(2);
	while (read(in, &c, 1) == 1) {
		char verdict = 'Y';

		for (size_t i = 0; i < len / 8; i++)
			if (mem[i] != i * 0x9e3779b97f4a7c15ULL + 1) {
				verdict = 'N';
				break;
			}
		if (write(out, &verdict, 1) != 1)
			_exit(2);
	}
	_exit(0);
}

static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* The threaded patient: @nr threads in all, the others idle in pause(). */
static void __attribute__((noreturn)) thread_patient(int nr, int in, int out)
{
	char c;

	for (int i = 1; i < nr; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, idle_thread, NULL))
			_exit(2);
	}
	if (write(out, "R", 1) != 1)
		_exit(2);
	while (read(in, &c, 1) == 1) {
		/* Alive, with every thread: the count in /proc/self/status. */
		char buf[4096], *p;
		FILE *f = fopen("/proc/self/status", "r");
		char verdict = 'N';

		while (f && fgets(buf, sizeof(buf), f))
			if ((p = strstr(buf, "Threads:")) && atoi(p + 8) == nr)
				verdict = 'Y';
		if (f)
			fclose(f);
		if (write(out, &verdict, 1) != 1)
			_exit(2);
	}
	_exit(0);
}

/*
 * The tree patient: it and @nr - 1 children in pause(), which die with it;
 * with @len, @len bytes touched with a pattern before the forks, which the
 * children share copy-on-write.
 */
static void __attribute__((noreturn)) tree_patient(int nr, size_t len, int in, int out)
{
	pid_t *kids = calloc(nr, sizeof(*kids));
	uint64_t *mem = len ? mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : NULL;
	char c;

	if (mem == MAP_FAILED)
		_exit(2);
	for (size_t i = 0; i < len / 8; i++)
		mem[i] = i * 0x9e3779b97f4a7c15ULL + 1;
	for (int i = 1; i < nr; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			_exit(2);
		if (!kids[i]) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(in);
			close(out);
			for (;;)
				pause();
		}
	}
	if (write(out, "R", 1) != 1)
		_exit(2);
	while (read(in, &c, 1) == 1) {
		/* Every child still ours and running. */
		char verdict = 'Y';
		int st;

		for (int i = 1; i < nr; i++)
			if (waitpid(kids[i], &st, WNOHANG) != 0)
				verdict = 'N';
		for (size_t i = 0; i < len / 8 && verdict == 'Y'; i++)
			if (mem[i] != i * 0x9e3779b97f4a7c15ULL + 1)
				verdict = 'N';
		if (write(out, &verdict, 1) != 1)
			_exit(2);
	}
	_exit(0);
}

/* The memory of processes @v: the sum of their Pss (smaps_rollup), in bytes. */
static long long pss_sum(const pid_t *v, int nr)
{
	long long sum = 0;

	for (int i = 0; i < nr; i++) {
		char path[64], line[256];
		long long kb;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", v[i]);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "Pss: %lld kB", &kb) == 1)
				sum += kb * 1024;
		if (f)
			fclose(f);
	}
	return sum;
}

/*
 * The TCP patient: a listening socket on 127.0.0.1, its port after the
 * "R", then @nr connections accepted ("A").  On request, from each
 * connection one byte read and sent back.
 */
static void __attribute__((noreturn)) tcp_patient(int nr, int in, int out)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), *c = calloc(nr, sizeof(*c));
	char msg[3] = "R", ch;

	if (!c || l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, nr) ||
	    getsockname(l, (struct sockaddr *)&a, &al))
		_exit(2);
	memcpy(msg + 1, &a.sin_port, 2);
	if (write(out, msg, 3) != 3)
		_exit(2);
	for (int i = 0; i < nr; i++)
		if ((c[i] = accept(l, NULL, NULL)) < 0)
			_exit(2);
	if (write(out, "A", 1) != 1)
		_exit(2);
	while (read(in, &ch, 1) == 1) {
		char verdict = 'Y', b;

		for (int i = 0; i < nr; i++)
			if (read(c[i], &b, 1) != 1 || write(c[i], &b, 1) != 1)
				verdict = 'N';
		if (write(out, &verdict, 1) != 1)
			_exit(2);
	}
	_exit(0);
}

/* The bench's ends of @nr connections to 127.0.0.1:@port (network order), in @c; 0 or -1. */
static int tcp_connect_all(int *c, int nr, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = port };

	for (int i = 0; i < nr; i++) {
		c[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (c[i] < 0 || connect(c[i], (struct sockaddr *)&a, sizeof(a)))
			return -1;
	}
	return 0;
}

static void tcp_close_all(int *c, int nr)
{
	for (int i = 0; c && i < nr; i++)
		if (c[i] > 0)
			close(c[i]);
	free(c);
}

/* The tree's processes: @pid and its children, as /proc lists them. */
static int tree_pids(pid_t pid, pid_t *v, int max)
{
	char path[64];
	int n = 0;
	FILE *f;

	v[n++] = pid;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, pid);
	f = fopen(path, "r");
	while (f && n < max && fscanf(f, "%d", &v[n]) == 1)
		n++;
	if (f)
		fclose(f);
	return n;
}

/* Reap until none of @v is left (they come to us, a subreaper, as they die). */
static void reap_all(const pid_t *v, int n)
{
	char path[64];
	int status;

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/proc/%d", v[i]);
		while (!access(path, F_OK) && waitpid(-1, &status, 0) > 0)
			;
	}
}

static long long dir_bytes(const char *dir)
{
	char path[4096];
	long long sum = 0;
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st))
			continue;
		sum += S_ISDIR(st.st_mode) ? dir_bytes(path) : (long long)st.st_blocks * 512;
	}
	closedir(d);
	return sum;
}

static void remove_tree_image(const char *dir)
{
	char path[4096];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!lstat(path, &st) && S_ISDIR(st.st_mode))
			remove_tree_image(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static void remove_image(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/core.img", dir);
	unlink(path);
	for (int k = 0; k < 16; k++) {
		snprintf(path, sizeof(path), "%s/pages-%d.img", dir, k);
		unlink(path);
	}
	rmdir(dir);
}

static int one_run(size_t len, int threads, int procs, int conns, const char *dir, double mc,
		   const struct sudcr_dump_opts *dopts, const struct sudcr_restore_opts *ropts)
{
	int to[2], from[2], status, ret, *cl = NULL;
	uint16_t port;
	double td, tr;
	char c = 0;
	pid_t pid;

	if (pipe(to) || pipe(from))
		return -1;
	warm_pages(2 * len);	/* untimed, see warm_pages() */
	pid = fork();
	if (pid == 0) {
		/* The patient's stdio are the pipes, as with a shell job. */
		dup2(to[0], 0);
		dup2(from[1], 1);
		close_range(3, ~0U, 0);
		/*
		 * A fresh process, not a fork of this one: a fork would carry
		 * the bench's own memory (thread stacks, heap) into the image.
		 */
		char lbuf[32], tbuf[32], pbuf[32], cbuf[32];

		snprintf(lbuf, sizeof(lbuf), "%zu", len);
		snprintf(tbuf, sizeof(tbuf), "%d", threads);
		snprintf(pbuf, sizeof(pbuf), "%d", procs);
		snprintf(cbuf, sizeof(cbuf), "%d", conns);
		execl("/proc/self/exe", "bench-patient", "--patient", lbuf, tbuf, pbuf, cbuf, (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	if (read(from[0], &c, 1) != 1 || c != 'R' ||
	    (conns && (read(from[0], &port, 2) != 2 || !(cl = calloc(conns, sizeof(*cl))) ||
		       tcp_connect_all(cl, conns, port) || read(from[0], &c, 1) != 1 || c != 'A'))) {
		fprintf(stderr, "bench: patient did not start%s\n", conns ? " or take its connections" : "");
		tcp_close_all(cl, conns);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return -1;
	}
	pid_t members[128];
	int nr_members = tree_pids(pid, members, 128);

	td = now();
	ret = sudcr_dump(pid, dopts);
	td = now() - td;
	if (ret)
		kill(pid, SIGKILL);	/* a failed dump leaves it running */
	waitpid(pid, &status, 0);
	/* The tree's children came to us (a subreaper) when it died. */
	reap_all(members, nr_members);
	if (ret) {
		tcp_close_all(cl, conns);
		return ret;
	}
	/*
	 * A shell job gets the restorer's stdio: hand the patient its pipes as
	 * our own stdin/stdout for the time of the restore.
	 */
	int saved_in = dup(0), saved_out = dup(1), pin[2], pout[2];

	fflush(stdout);
	if (pipe(pin) || pipe(pout))
		return -1;
	close(to[1]);
	close(from[0]);
	to[1] = pin[1];
	from[0] = pout[0];
	dup2(pin[0], 0);
	dup2(pout[1], 1);
	close(pin[0]);
	close(pout[1]);
	tr = now();
	ret = sudcr_restore(ropts, &status);
	tr = now() - tr;
	dup2(saved_in, 0);
	dup2(saved_out, 1);
	close(saved_in);
	close(saved_out);
	if (ret) {
		tcp_close_all(cl, conns);
		return ret;
	}
	/* Every connection answers: a byte out, the same byte back. */
	for (int i = 0; i < conns; i++)
		if (write(cl[i], "x", 1) != 1)
			c = 0;
	if (write(to[1], "?", 1) != 1 || read(from[0], &c, 1) != 1 || c != 'Y') {
		fprintf(stderr, "bench: restored process has wrong %s\n", conns ? "connections" : "memory");
		tcp_close_all(cl, conns);
		return -1;
	}
	long long pss = procs && len ? pss_sum(members, nr_members) : 0;

	for (int i = 0; i < conns; i++)
		if (read(cl[i], &c, 1) != 1 || c != 'x') {
			fprintf(stderr, "bench: connection %d did not answer after the restore\n", i);
			tcp_close_all(cl, conns);
			return -1;
		}
	tcp_close_all(cl, conns);
	kill(pid, SIGKILL);
	/* Ours since restore -d; the children follow it (their parent-death signal). */
	waitpid(pid, &status, 0);
	reap_all(members, nr_members);
	close(to[1]);
	close(from[0]);
	long long bytes = procs ? dir_bytes(dir) : 0;

	if (procs)
		remove_tree_image(dir);
	else
		remove_image(dir);	/* untimed: freeing 1 GiB of tmpfs is not the next dump's cost */
	if (conns)
		printf("%4d TCP connections  dump %8.2f ms (%.3f ms/connection)   restore %8.2f ms (%.3f ms/connection)\n",
		       conns, td * 1e3, td * 1e3 / conns, tr * 1e3, tr * 1e3 / conns);
	else if (procs && len)
		printf("%4d process%s %zu MiB  dump %8.2f ms   restore %8.2f ms   image %.1f MiB   memory after the restore %.1f MiB (Pss of all)\n",
		       procs, procs > 1 ? "es" : "  ", len / MiB, td * 1e3, tr * 1e3, bytes / (double)MiB,
		       pss / (double)MiB);
	else if (procs)
		printf("%4d process%s  dump %8.2f ms (%.3f ms/process)   restore %8.2f ms (%.3f ms/process)   image %.1f MiB\n",
		       procs, procs > 1 ? "es" : "  ", td * 1e3, td * 1e3 / procs, tr * 1e3, tr * 1e3 / procs,
		       bytes / (double)MiB);
	else if (threads)
		printf("%4d thread%s  dump %8.2f ms (%.3f ms/thread)   restore %8.2f ms (%.3f ms/thread)\n",
		       threads, threads > 1 ? "s" : " ", td * 1e3, td * 1e3 / threads, tr * 1e3, tr * 1e3 / threads);
	else
		printf("%8zu MiB  dump %8.2f ms %6.2f GB/s (%4.0f%% of memcpy)   restore %8.2f ms %6.2f GB/s (%4.0f%% of memcpy)\n",
		       len / MiB, td * 1e3, len / td / 1e9, 100 * len / td / 1e9 / mc, tr * 1e3, len / tr / 1e9,
		       100 * len / tr / 1e9 / mc);
	fflush(stdout);
	return 0;
}

/* The options of the bench's dumps and restores, through the public API as a user sets them. */
static int one(size_t len, int threads, int procs, int conns, const char *dir, double mc)
{
	struct sudcr_dump_opts *dopts = NULL;
	struct sudcr_restore_opts *ropts = NULL;
	int ret;

	ret = sudcr_dump_opts_new(&dopts);
	if (!ret)
		ret = sudcr_dump_opts_set_dir(dopts, dir);
	if (!ret)
		ret = sudcr_dump_opts_set_shell_job(dopts, true);
	if (!ret)
		ret = sudcr_dump_opts_set_no_sync(dopts, true);
	if (!ret)
		ret = sudcr_dump_opts_set_tree(dopts, procs > 0);
	if (!ret)
		ret = sudcr_dump_opts_set_tcp_established(dopts, conns > 0);
	if (!ret)
		ret = sudcr_restore_opts_new(&ropts);
	if (!ret)
		ret = sudcr_restore_opts_set_dir(ropts, dir);
	if (!ret)
		ret = sudcr_restore_opts_set_detach(ropts, true);
	if (!ret)
		ret = sudcr_restore_opts_set_shell_job(ropts, true);
	if (!ret)
		ret = sudcr_restore_opts_set_tcp_established(ropts, conns > 0);
	if (!ret)
		ret = one_run(len, threads, procs, conns, dir, mc, dopts, ropts);
	sudcr_restore_opts_free(ropts);
	sudcr_dump_opts_free(dopts);
	return ret;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 1 * MiB, 256 * MiB, 1024 * MiB };
	static const int nr_threads[] = { 1, 10, 100 };
	const char *dir = "/dev/shm/sudcr-bench";
	bool only_threads = false, only_trees = false, only_tcp = false;
	size_t only_size = 0;	/* --size MIB: that size only (and no thread rows) */
	int reps = 3;		/* --reps N */

	if (argc == 6 && !strcmp(argv[1], "--patient")) {
		if (atoi(argv[5]))
			tcp_patient(atoi(argv[5]), 0, 1);
		if (atoi(argv[4]))
			tree_patient(atoi(argv[4]), strtoull(argv[2], NULL, 0), 0, 1);
		if (atoi(argv[3]))
			thread_patient(atoi(argv[3]), 0, 1);
		patient(strtoull(argv[2], NULL, 0), 0, 1);
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--threads"))
			only_threads = true;
		else if (!strcmp(argv[i], "--trees"))
			only_threads = only_trees = true;
		else if (!strcmp(argv[i], "--tcp"))
			only_threads = only_trees = only_tcp = true;
		else if (!strcmp(argv[i], "--no-warm"))
			no_warm = true;
		else if (!strcmp(argv[i], "--size") && i + 1 < argc)
			only_size = strtoull(argv[++i], NULL, 0) * MiB;
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: bench [--threads | --trees | --tcp | --size MIB] [--reps N] [--no-warm] [DIR]\n");
			return 2;
		} else
			dir = argv[i];
	}
	double mc;
	int ret = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGPIPE, SIG_IGN);
	warm_up();
	mc = memcpy_gbps();
	printf("memcpy bandwidth: %.2f GB/s (best of 5 x 512 MiB)\n", mc);
	printf("image directory: %s (tmpfs, no fsync); times are sudcr_dump()/sudcr_restore() calls\n", dir);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && !ret && !only_threads; i++)
		for (int rep = 0; rep < reps && !ret; rep++)
			if (!only_size || only_size == sizes[i])
				ret = one(sizes[i], 0, 0, 0, dir, mc);
	if (only_size) {
		remove_image(dir);
		return ret ? 1 : 0;
	}
	if (!only_trees)
		printf("threads (small memory, threads idle in pause()):\n");
	for (size_t i = 0; i < sizeof(nr_threads) / sizeof(nr_threads[0]) && !ret && !only_trees; i++)
		for (int rep = 0; rep < reps && !ret; rep++)
			ret = one(0, nr_threads[i], 0, 0, dir, mc);
	if (only_threads && !only_trees) {
		remove_image(dir);
		return ret ? 1 : 0;
	}
	if (!only_tcp)
		printf("process trees (small processes, a parent and its children in pause()):\n");
	for (size_t i = 0; i < sizeof(nr_threads) / sizeof(nr_threads[0]) && !ret && !only_tcp; i++)
		for (int rep = 0; rep < reps && !ret; rep++)
			ret = one(0, 0, nr_threads[i], 0, dir, mc);
	printf("a tree of 10 processes forked from a parent with 200 MiB touched (shared copy-on-write):\n");
	for (int rep = 0; rep < reps && !ret; rep++)
		ret = one(200 * MiB, 0, 10, 0, dir, mc);
	/* The peers are the bench's sockets on the loopback; the lock (nft) is inside the timed calls. */
	printf("established TCP connections (--tcp-established; the peers, this bench's sockets, hold on):\n");
	for (int rep = 0; rep < reps && !ret; rep++)
		ret = one(0, 0, 0, 1000, dir, mc);
	remove_image(dir);
	return ret ? 1 : 0;
}
