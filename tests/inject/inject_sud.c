// SPDX-License-Identifier: MIT
/*
 * Syscall injection into SUD targets: the injected call runs for real, the
 * target's handler never sees it (its exact counts prove it), and every
 * bit of thread state is as before afterwards.  Run for each SUD setup,
 * 64-bit and ia32.
 */
#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <time.h>

#include <sudcr/arch.h>
#include <sudcr/freeze.h>
#include <sudcr/inject.h>
#include "kernel_compat.h"
#include "proc/proc.h"
#include <sudcr/sud.h>

#include "harness.h"
#include "target_ctl.h"

struct snapshot {
	struct arch_regs regs;
	struct arch_xstate xs;
	uint64_t mask;
	struct sud_config sud;
	struct proc_status st;
};

static int take_snapshot(pid_t pid, pid_t tid, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	if (arch_get_regs(tid, &s->regs) || arch_get_xstate(tid, &s->xs))
		return -1;
	if (ptrace(PTRACE_GETSIGMASK, tid, (void *)8, &s->mask))
		return -1;
	if (sud_get(tid, &s->sud))
		return -1;
	return proc_parse_status(pid, tid, &s->st);
}

/*
 * @requeued: signals that were being delivered when the thread was stopped;
 * the injection layer swallowed them (so @a does not show them) and queued
 * them again from inside the thread, so @b shows them pending.
 */
static void compare_snapshots(const struct snapshot *a, const struct snapshot *b, uint64_t requeued)
{
	CHECKF(!memcmp(&a->regs, &b->regs, sizeof(a->regs)), "registers changed by injection");
	CHECKF(a->xs.len == b->xs.len && !memcmp(a->xs.buf, b->xs.buf, a->xs.len),
	       "extended state changed by injection");
	CHECKF(a->mask == b->mask, "signal mask 0x%llx became 0x%llx", (unsigned long long)a->mask,
	       (unsigned long long)b->mask);
	CHECKF(!memcmp(&a->sud, &b->sud, sizeof(a->sud)), "SUD config changed by injection");
	CHECKF((a->st.sig_pnd | requeued) == b->st.sig_pnd && a->st.shd_pnd == b->st.shd_pnd,
	       "pending signals changed: %llx/%llx (+%llx re-queued) -> %llx/%llx",
	       (unsigned long long)a->st.sig_pnd, (unsigned long long)a->st.shd_pnd,
	       (unsigned long long)requeued, (unsigned long long)b->st.sig_pnd,
	       (unsigned long long)b->st.shd_pnd);
}

/* CRC-ish sum of every executable mapping but the vDSO: text must not change. */
static unsigned long long text_sum(pid_t pid)
{
	struct proc_vma *v;
	unsigned long long sum = 0;
	char path[64];
	int n, fd;

	if (proc_parse_maps(pid, &v, &n))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY);
	for (int i = 0; i < n && fd >= 0; i++) {
		if (!(v[i].prot & 4) || v[i].kind == VMA_VSYSCALL)
			continue;
		for (uint64_t a = v[i].start; a < v[i].end; a += 4096) {
			unsigned long long page[512];

			if (pread(fd, page, sizeof(page), a) != sizeof(page))
				continue;
			for (int k = 0; k < 512; k++)
				sum = sum * 1099511628211ULL + page[k];
		}
	}
	if (fd >= 0)
		close(fd);
	free(v);
	return sum;
}

static const char *modes[] = { "selector", "range", "inclusive", "selector-ro", "seccomp", "off" };

static void run_mode(const char *mode, bool ia32, int rounds)
{
	struct target_counts before, after;
	unsigned long long text0, text1;
	struct target t;
	int requeued = 0;

	CHECKF(!target_start(&t, mode, ia32), "cannot start sud_target %s", mode);
	if (harness_subtest_failed)
		return;
	usleep(20000);
	CHECK(!target_check(&t, &before));
	text0 = text_sum(t.pid);
	for (int r = 0; r < rounds && !harness_subtest_failed; r++) {
		struct snapshot s0, s1;
		struct task_proc p;
		struct inject_ctx c;
		int64_t res = 0;
		uint64_t vs, ve;

		if (freeze_process(t.pid, &p)) {
			CHECKF(0, "freeze failed");
			break;
		}
		struct task_thread *th = &p.threads[0];
		uint64_t inflight = 0;

		requeued += th->nr_intercepted;
		for (int k = 0; k < th->nr_intercepted; k++)
			inflight |= 1ULL << (th->intercepted[k].si_signo - 1);
		CHECK(!take_snapshot(t.pid, th->tid, &s0));
		CHECK(!inject_begin(&c, th));
		CHECK_EQ(c.kind, ia32 ? ARCH_IA32 : ARCH_X86_64);
		CHECK(!proc_find_mapping(t.pid, "[vdso]", &vs, &ve));
		/* Never the target's code: its vDSO, or the safety page of an x86-64 thread. */
		CHECKF((c.sc_ip >= vs && c.sc_ip < ve) || (c.safety && c.sc_ip == c.safety),
		       "injection site 0x%llx is outside the vDSO and the safety page", (unsigned long long)c.sc_ip);
		CHECKF(ia32 || c.safety, "x86-64 thread without a safety page");
		CHECK(!inject_syscall6(&c, arch_syscall_by_name(c.kind, "getppid"), &res, 0, 0, 0, 0, 0, 0));
		CHECK_EQ(res, getpid());
		CHECK(!inject_syscall6(&c, arch_syscall_by_name(c.kind, "getpid"), &res, 0, 0, 0, 0, 0, 0));
		CHECK_EQ(res, t.pid);
		/* A failing call reports its errno. */
		CHECK(!inject_syscall6(&c, arch_syscall_by_name(c.kind, "close"), &res, 9999, 0, 0, 0, 0, 0));
		CHECK_EQ(res, -EBADF);
		CHECK(!inject_end(&c));
		CHECK(!take_snapshot(t.pid, th->tid, &s1));
		compare_snapshots(&s0, &s1, inflight);
		CHECK(!thaw_process(&p));
		usleep(1000);
	}
	text1 = text_sum(t.pid);
	CHECKF(text0 && text0 == text1, "target code changed");
	usleep(20000);
	CHECK(!target_check(&t, &after));
	CHECKF(after.bad == 0, "%s: target saw %lu bad results", mode, after.bad);
	CHECKF(after.calls > before.calls, "%s: target stopped calling (%lu -> %lu)", mode, before.calls,
	       after.calls);
	if (strcmp(mode, "off") && strcmp(mode, "selector-ro"))
		CHECKF(after.hits == after.calls && after.hits > before.hits,
		       "%s: hits %lu calls %lu: interception count is off", mode, after.hits, after.calls);
	else
		CHECKF(after.hits == 0, "%s: handler ran %lu times", mode, after.hits);
	CHECK_EQ(target_quit(&t), 0);
	printf("# %s%s: %d rounds, %lu calls, %d in-flight signals re-queued\n", mode, ia32 ? " (ia32)" : "",
	       rounds, after.calls, requeued);
}

/*
 * A signal that arrives while we inject stays pending (all signals are
 * blocked) and is delivered after release: SIGTERM kills the target only
 * then.
 */
static void signal_during_injection(void)
{
	struct target t;
	struct task_proc p;
	struct inject_ctx c;
	struct proc_status st;
	int64_t res;
	int status;

	CHECK(!target_start(&t, "selector", false));
	CHECK(!freeze_process(t.pid, &p));
	CHECK(!inject_begin(&c, &p.threads[0]));
	kill(t.pid, SIGTERM);
	for (int i = 0; i < 5; i++)
		CHECK(!inject_syscall6(&c, 39, &res, 0, 0, 0, 0, 0, 0));
	CHECK_EQ(res, t.pid);
	CHECK(!proc_parse_status(t.pid, 0, &st));
	CHECKF((st.shd_pnd | st.sig_pnd) & (1ULL << (SIGTERM - 1)), "SIGTERM is not pending");
	CHECK(!inject_end(&c));
	CHECK(!thaw_process(&p));
	close(t.to);
	fclose(t.in);
	CHECK_EQ(waitpid(t.pid, &status, 0), t.pid);
	CHECKF(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "target status 0x%x, expected SIGTERM", status);
}

static void modes_64(void)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		run_mode(modes[i], false, !strcmp(modes[i], "selector") ? 200 : 30);
}

static void modes_ia32(void)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		run_mode(modes[i], true, !strcmp(modes[i], "selector") ? 200 : 30);
}

int main(void)
{
	const char *why;

	setvbuf(stdout, NULL, _IOLBF, 0);
	RUN_TEST(modes_64);
	RUN_TEST(signal_during_injection);
	why = ia32_skip_reason();
	if (why)
		harness_skip("modes_ia32", why);
	else
		RUN_TEST(modes_ia32);
	return harness_exit();
}
