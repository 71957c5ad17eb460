// SPDX-License-Identifier: MIT
/*
 * sud_getppid TARGET [MODE] - embedding libsudcr-core, the part of sudcr
 * other checkpoint/restore software can link alone (README, "Embedding").
 *
 * Build against an installed sudcr:
 *   cc -o sud_getppid sud_getppid.c $(pkg-config --cflags --libs sudcr-core)
 *
 * It starts TARGET MODE (default "range"), a program that uses Syscall User
 * Dispatch and counts its own intercepted calls (tests/targets/sud_target.c
 * in the sudcr tree, which speaks a line protocol on its stdin and stdout);
 * seizes it; runs a getppid inside it, which must return our PID; lets it go;
 * then asks the target for its counts.  Injection switches SUD off in the
 * target while the call runs and puts it back afterwards, so:
 *   - the injected getppid is not dispatched to the target's SIGSYS
 *     handler (that would count a hit for a call the target did not make,
 *     and the call would not return our PID);
 *   - every call the target makes after the release is still intercepted
 *     (with SUD left off, its calls would run for real and be counted as
 *     bad).
 * Exit status 0 when all of this holds, 1 otherwise, with one line saying
 * what.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sudcr/freeze.h>
#include <sudcr/inject.h>
#include <sudcr/task.h>

struct counts {
	unsigned long hits, calls, bad;
};

static pid_t target_pid;
static FILE *from_target;
static int to_target = -1;

static int start_target(const char *path, const char *mode)
{
	int in[2], out[2];
	char line[64];

	if (pipe(in) || pipe(out)) {
		perror("sud_getppid: pipe");
		return -1;
	}
	target_pid = fork();
	if (target_pid < 0) {
		perror("sud_getppid: fork");
		return -1;
	}
	if (!target_pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execl(path, path, mode, (char *)NULL);
		fprintf(stderr, "sud_getppid: cannot run %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	to_target = in[1];
	from_target = fdopen(out[0], "r");
	if (!from_target) {
		perror("sud_getppid: fdopen");
		return -1;
	}
	/* "READY <pid>": SUD is armed and the target is in its loop. */
	if (!fgets(line, sizeof(line), from_target) || strncmp(line, "READY ", 6)) {
		fprintf(stderr, "sud_getppid: %s %s did not start\n", path, mode);
		return -1;
	}
	return 0;
}

/* Send "check" or "quit" and read the "hits=H calls=C bad=B" reply. */
static int target_counts(const char *cmd, struct counts *c)
{
	char line[128];
	size_t len = strlen(cmd);

	if (write(to_target, cmd, len) != (ssize_t)len || write(to_target, "\n", 1) != 1) {
		perror("sud_getppid: write to the target");
		return -1;
	}
	if (!fgets(line, sizeof(line), from_target) ||
	    sscanf(line, "hits=%lu calls=%lu bad=%lu", &c->hits, &c->calls, &c->bad) != 3) {
		fprintf(stderr, "sud_getppid: no counts from the target after \"%s\"\n", cmd);
		return -1;
	}
	return 0;
}

/* Exact interception: every call the target made was dispatched, once. */
static int counts_exact(const char *when, const struct counts *c)
{
	if (c->bad || !c->calls || c->hits != c->calls) {
		fprintf(stderr, "sud_getppid: %s: the target counts hits=%lu calls=%lu bad=%lu, "
			"want hits == calls > 0 and bad=0\n", when, c->hits, c->calls, c->bad);
		return -1;
	}
	return 0;
}

/* Seize the target, run getppid in its main thread, release it. */
static int inject_getppid(int64_t *ppid)
{
	struct task_proc proc;
	struct task_thread *t;
	struct inject_ctx ctx;
	long nr;
	int ret, err;

	ret = freeze_process(target_pid, &proc);
	if (ret)
		return ret;
	t = task_find_thread(&proc, target_pid);
	if (!t) {
		fprintf(stderr, "sud_getppid: thread %d not seized\n", target_pid);
		thaw_process(&proc);
		return -ESRCH;
	}
	ret = inject_begin(&ctx, t);
	if (ret) {
		thaw_process(&proc);
		return ret;
	}
	nr = arch_syscall_by_name(ctx.kind, "getppid");
	if (nr < 0) {
		fprintf(stderr, "sud_getppid: no getppid for %s\n", arch_name(ctx.kind));
		ret = -ENOSYS;
	} else {
		ret = inject_syscall6(&ctx, nr, ppid, 0, 0, 0, 0, 0, 0);
	}
	err = inject_end(&ctx);
	if (!ret)
		ret = err;
	err = thaw_process(&proc);
	return ret ? ret : err;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "range";
	struct counts before, after, last;
	int64_t ppid = 0;
	int status, ok = 0;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: sud_getppid TARGET [MODE]\n");
		return 2;
	}
	if (start_target(argv[1], mode))
		goto out;
	if (target_counts("check", &before) || counts_exact("before seizing", &before))
		goto out;
	if (inject_getppid(&ppid))
		goto out;	/* libsudcr-core printed why */
	if (ppid != getpid()) {
		fprintf(stderr, "sud_getppid: injected getppid() = %lld, want %d, the target's parent\n",
			(long long)ppid, (int)getpid());
		goto out;
	}
	/*
	 * The target answers between two rounds of its loop: this reply
	 * comes after calls it made since the release.
	 */
	if (target_counts("check", &after) || counts_exact("after the release", &after))
		goto out;
	if (after.calls <= before.calls) {
		fprintf(stderr, "sud_getppid: the target made no call since the release (calls=%lu)\n",
			after.calls);
		goto out;
	}
	/* "quit": the target checks its counts once more and exits 0 if exact. */
	if (target_counts("quit", &last) || counts_exact("at exit", &last))
		goto out;
	ok = 1;
out:
	if (to_target >= 0)
		close(to_target);
	if (target_pid > 0) {
		if (!ok)
			kill(target_pid, SIGKILL);
		if (waitpid(target_pid, &status, 0) != target_pid) {
			perror("sud_getppid: waitpid");
			ok = 0;
		} else if (ok && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			fprintf(stderr, "sud_getppid: the target found its counts wrong (status 0x%x)\n",
				status);
			ok = 0;
		}
	}
	if (ok)
		printf("sud_getppid: injected getppid() = %lld (our PID); target's counts exact: "
		       "hits=calls=%lu before, %lu after the release, bad=0\n",
		       (long long)ppid, before.calls, after.calls);
	return ok ? 0 : 1;
}
