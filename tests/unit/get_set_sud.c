// SPDX-License-Identifier: MIT
/*
 * PTRACE_{GET,SET}_SYSCALL_USER_DISPATCH_CONFIG through libsudcr, on a
 * stopped tracee: defaults, round trips, rejection of bad input, and the
 * inclusive-mode translation between the kernel's and the user's view.
 * Built 64-bit and -m32 (get_set_sud-32): an ia32 tracer uses the same
 * struct layout.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel_compat.h"
#include <sudcr/log.h>
#include <sudcr/sud.h>

#include "harness.h"

static pid_t tracee;
static unsigned char selector_byte;	/* same address in the forked tracee */
static char range_buf[0x3000];
static int quiet_errors;
static char last_error[1024];

static void log_to_buffer(enum sudcr_log_level level, const char *msg)
{
	(void)level;
	snprintf(last_error, sizeof(last_error), "%s", msg);
	if (!quiet_errors)
		printf("# sudcr: %s\n", msg);
}

static uint64_t addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/*
 * A stopped tracee.  If @prctl_mode is not OFF the tracee sets that SUD
 * config on itself first, with selector ALLOW, so its own syscalls run.
 */
static pid_t start_tracee(unsigned long prctl_mode, uint64_t off, uint64_t len, uint64_t sel)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(10);
		if (prctl_mode != PR_SYS_DISPATCH_OFF &&
		    prctl(PR_SET_SYSCALL_USER_DISPATCH, prctl_mode, (unsigned long)off, (unsigned long)len,
			  (unsigned long)sel))
			_exit(11);
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return WIFEXITED(status) ? -WEXITSTATUS(status) : -ECHILD;
	}
	return pid;
}

static void stop_tracee(pid_t pid)
{
	int status;

	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static void check_raw(const struct sud_raw_config *got, uint64_t mode, uint64_t sel, uint64_t off,
		      uint64_t len)
{
	CHECKF(got->mode == mode && got->selector == sel && got->offset == off && got->len == len,
	       "raw config is mode %llu selector 0x%llx offset 0x%llx len 0x%llx, expected mode %llu selector 0x%llx offset 0x%llx len 0x%llx",
	       (unsigned long long)got->mode, (unsigned long long)got->selector,
	       (unsigned long long)got->offset, (unsigned long long)got->len, (unsigned long long)mode,
	       (unsigned long long)sel, (unsigned long long)off, (unsigned long long)len);
}

static void check_cfg(const struct sud_config *got, const struct sud_config *want)
{
	CHECKF(!memcmp(got, want, sizeof(*got)),
	       "config is mode %s selector 0x%llx offset 0x%llx len 0x%llx, expected mode %s selector 0x%llx offset 0x%llx len 0x%llx",
	       sud_mode_name(got->mode), (unsigned long long)got->selector,
	       (unsigned long long)got->offset, (unsigned long long)got->len, sud_mode_name(want->mode),
	       (unsigned long long)want->selector, (unsigned long long)want->offset,
	       (unsigned long long)want->len);
}

static void default_is_off(void)
{
	struct sud_raw_config raw;
	struct sud_config cfg, off = { .mode = SUD_MODE_OFF };

	CHECK_EQ(sud_get_raw(tracee, &raw), 0);
	check_raw(&raw, PR_SYS_DISPATCH_OFF, 0, 0, 0);
	CHECK_EQ(sud_get(tracee, &cfg), 0);
	check_cfg(&cfg, &off);
}

static void exclusive_round_trip(void)
{
	struct sud_raw_config raw = {
		.mode = PR_SYS_DISPATCH_EXCLUSIVE_ON,
		.selector = addr(&selector_byte),
		.offset = addr(range_buf),
		.len = sizeof(range_buf),
	}, got;
	struct sud_config cfg = {
		.mode = SUD_MODE_EXCLUSIVE,
		.selector = addr(&selector_byte),
		.offset = addr(range_buf) + 0x1000,
		.len = 0x1000,
	}, got_cfg;

	CHECK_EQ(sud_set_raw(tracee, &raw), 0);
	CHECK_EQ(sud_get_raw(tracee, &got), 0);
	check_raw(&got, raw.mode, raw.selector, raw.offset, raw.len);

	CHECK_EQ(sud_set(tracee, &cfg), 0);
	CHECK_EQ(sud_get(tracee, &got_cfg), 0);
	check_cfg(&got_cfg, &cfg);

	/* No selector and no range: every syscall is dispatched. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.mode = SUD_MODE_EXCLUSIVE;
	CHECK_EQ(sud_set(tracee, &cfg), 0);
	CHECK_EQ(sud_get(tracee, &got_cfg), 0);
	check_cfg(&got_cfg, &cfg);
}

static void set_off_reads_off(void)
{
	struct sud_raw_config raw = {
		.mode = PR_SYS_DISPATCH_EXCLUSIVE_ON,
		.selector = addr(&selector_byte),
	}, off = { .mode = PR_SYS_DISPATCH_OFF }, got;
	struct sud_config cfg, off_cfg = { .mode = SUD_MODE_OFF };

	CHECK_EQ(sud_set_raw(tracee, &raw), 0);
	CHECK_EQ(sud_set_raw(tracee, &off), 0);
	CHECK_EQ(sud_get_raw(tracee, &got), 0);
	check_raw(&got, PR_SYS_DISPATCH_OFF, 0, 0, 0);

	CHECK_EQ(sud_set_raw(tracee, &raw), 0);
	CHECK_EQ(sud_set(tracee, &off_cfg), 0);
	CHECK_EQ(sud_get(tracee, &cfg), 0);
	check_cfg(&cfg, &off_cfg);
}

static void wrong_size_rejected(void)
{
	struct ptrace_sud_config k = { .mode = PR_SYS_DISPATCH_EXCLUSIVE_ON };
	struct sud_raw_config got;
	long ret;

	errno = 0;
	ret = ptrace(PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG, tracee, (void *)(sizeof(k) - 1), &k);
	CHECKF(ret == -1 && errno == EINVAL, "SET with size %zu: ret %ld errno %d (%s), expected EINVAL",
	       sizeof(k) - 1, ret, errno, strerror(errno));
	errno = 0;
	ret = ptrace(PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG, tracee, (void *)(sizeof(k) - 1), &k);
	CHECKF(ret == -1 && errno == EINVAL, "GET with size %zu: ret %ld errno %d (%s), expected EINVAL",
	       sizeof(k) - 1, ret, errno, strerror(errno));
	errno = 0;
	ret = ptrace(PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG, tracee, (void *)(sizeof(k) + 1), &k);
	CHECKF(ret == -1 && errno == EINVAL, "SET with size %zu: ret %ld errno %d (%s), expected EINVAL",
	       sizeof(k) + 1, ret, errno, strerror(errno));
	/* Nothing was set. */
	CHECK_EQ(sud_get_raw(tracee, &got), 0);
	check_raw(&got, PR_SYS_DISPATCH_OFF, 0, 0, 0);
}

static void bad_input_rejected(void)
{
	struct sud_raw_config raw = { .mode = 42 }, got;
	struct sud_config cfg = { .mode = 42 };

	CHECK_EQ(sud_set_raw(tracee, &raw), -EINVAL);

	quiet_errors = 1;
	CHECK_EQ(sud_set(tracee, &cfg), -EINVAL);

	/* Mode off takes no range or selector. */
	raw = (struct sud_raw_config){ .mode = PR_SYS_DISPATCH_OFF, .len = 1 };
	CHECK_EQ(sud_set_raw(tracee, &raw), -EINVAL);

	/* An exclusive range may not wrap around. */
	raw = (struct sud_raw_config){
		.mode = PR_SYS_DISPATCH_EXCLUSIVE_ON,
		.offset = addr(range_buf),
		.len = -(uint64_t)0x10,
	};
	CHECK_EQ(sud_set_raw(tracee, &raw), -EINVAL);

	/* A selector beyond the user address space. */
	raw = (struct sud_raw_config){ .mode = PR_SYS_DISPATCH_EXCLUSIVE_ON, .selector = -(uint64_t)4096 };
	CHECK_EQ(sud_set_raw(tracee, &raw), -EFAULT);

	/* The library refuses an empty inclusive range itself. */
	cfg = (struct sud_config){ .mode = SUD_MODE_INCLUSIVE, .offset = addr(range_buf) };
	CHECK_EQ(sud_set(tracee, &cfg), -EINVAL);
	quiet_errors = 0;

	CHECK_EQ(sud_get_raw(tracee, &got), 0);
	check_raw(&got, PR_SYS_DISPATCH_OFF, 0, 0, 0);
}

static void inclusive_round_trip(void)
{
	struct sud_config cfg = {
		.mode = SUD_MODE_INCLUSIVE,
		.selector = addr(&selector_byte),
		.offset = addr(range_buf),
		.len = 0x2000,
	}, got;
	struct sud_raw_config raw;

	CHECK_EQ(sud_set(tracee, &cfg), 0);
	CHECK_EQ(sud_get(tracee, &got), 0);
	check_cfg(&got, &cfg);

	/* The kernel keeps it as an exclusive config with the range inverted. */
	CHECK_EQ(sud_get_raw(tracee, &raw), 0);
	check_raw(&raw, PR_SYS_DISPATCH_EXCLUSIVE_ON, cfg.selector, cfg.offset + cfg.len, -cfg.len);

	/* Setting that raw form back restores the same config. */
	CHECK_EQ(sud_set_raw(tracee, &(struct sud_raw_config){ .mode = PR_SYS_DISPATCH_OFF }), 0);
	CHECK_EQ(sud_set(tracee, &got), 0);
	CHECK_EQ(sud_get(tracee, &got), 0);
	check_cfg(&got, &cfg);
}

/* A config the tracee set on itself with prctl() is what the tracer reads. */
static void prctl_config_visible(void)
{
	struct sud_config want = {
		.mode = SUD_MODE_EXCLUSIVE,
		.selector = addr(&selector_byte),
		.offset = addr(range_buf),
		.len = 0x1000,
	}, got;
	pid_t pid;

	pid = start_tracee(PR_SYS_DISPATCH_EXCLUSIVE_ON, want.offset, want.len, want.selector);
	CHECKF(pid > 0, "tracee with an exclusive config: cannot start (%d)", pid);
	if (pid > 0) {
		CHECK_EQ(sud_get(pid, &got), 0);
		check_cfg(&got, &want);
		stop_tracee(pid);
	}

	want.mode = SUD_MODE_INCLUSIVE;
	pid = start_tracee(PR_SYS_DISPATCH_INCLUSIVE_ON, want.offset, want.len, want.selector);
	CHECKF(pid > 0, "tracee with an inclusive config: cannot start (%d)", pid);
	if (pid > 0) {
		CHECK_EQ(sud_get(pid, &got), 0);
		check_cfg(&got, &want);
		stop_tracee(pid);
	}
}

static void not_traced_rejected(void)
{
	struct sud_raw_config raw;

	/* Our parent is not our tracee. */
	CHECK_EQ(sud_get_raw(getppid(), &raw), -ESRCH);
	quiet_errors = 1;
	CHECK_EQ(sud_get(getppid(), (struct sud_config *)&raw), -ESRCH);
	quiet_errors = 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	sudcr_set_log_fn(log_to_buffer);

	tracee = start_tracee(PR_SYS_DISPATCH_OFF, 0, 0, 0);
	if (tracee < 0) {
		harness_begin("start_tracee");
		CHECKF(0, "cannot start a stopped tracee (%d)", tracee);
		harness_end();
		return harness_exit();
	}
	if (sud_get_raw(tracee, &(struct sud_raw_config){ 0 }) == -EIO) {
		harness_skip("get_set_sud", "kernel lacks PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG (Linux 6.3+)");
		stop_tracee(tracee);
		return 0;
	}

	RUN_TEST(default_is_off);
	RUN_TEST(exclusive_round_trip);
	RUN_TEST(set_off_reads_off);
	RUN_TEST(wrong_size_rejected);
	RUN_TEST(bad_input_rejected);
	RUN_TEST(inclusive_round_trip);
	RUN_TEST(prctl_config_visible);
	RUN_TEST(not_traced_rejected);

	stop_tracee(tracee);
	return harness_exit();
}
