// SPDX-License-Identifier: MIT
/*
 * sudcr_check() (sudcr/sudcr.h): probe the running kernel and our
 * privileges for everything dump/restore use.  Each probe runs in a
 * throwaway child where it could disturb the caller itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cr.h"
#include "kernel_compat.h"
#include <sudcr/sud.h>
#include <sudcr/sudcr.h>

#ifndef CLONE_ARGS_SIZE_VER2
struct clone_args_v2 {
	__u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
		set_tid_size, cgroup;
};
#endif

/* Run fn in a child; the child's exit status 0 means yes. */
static bool in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (pid == 0)
		_exit(fn());
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static volatile char probe_selector;

static int probe_sud_prctl(void)
{
	if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_EXCLUSIVE_ON, 0, 0, &probe_selector))
		return 1;
	return prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0) ? 1 : 0;
}

static int probe_sud_inclusive(void)
{
	if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_INCLUSIVE_ON, 0x1000, 0x1000, 0))
		return 1;
	return prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_OFF, 0, 0, 0) ? 1 : 0;
}

/* Trace a stopped child and try one ptrace request on it. */
static bool probe_ptrace_request(long req, void *addr, void *data)
{
	int status, ok;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (pid == 0) {
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(pid, &status, WUNTRACED) != pid || ptrace(PTRACE_SEIZE, pid, 0, 0)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return false;
	}
	ptrace(PTRACE_INTERRUPT, pid, 0, 0);
	kill(pid, SIGCONT);
	waitpid(pid, &status, __WALL);
	/* GET_RSEQ_CONFIGURATION returns the size it wrote. */
	ok = ptrace(req, pid, addr, data) >= 0;
	kill(pid, SIGKILL);
	waitpid(pid, &status, __WALL);
	return ok;
}

static bool probe_sud_ptrace(void)
{
	struct ptrace_sud_config cfg;

	return probe_ptrace_request(PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG, (void *)sizeof(cfg), &cfg);
}

static bool probe_rseq_ptrace(void)
{
	struct sudcr_rseq_config cfg;

	return probe_ptrace_request(PTRACE_GET_RSEQ_CONFIGURATION, (void *)sizeof(cfg), &cfg);
}

/* clone3 with set_tid naming our own PID: EEXIST proves the feature. */
static bool probe_clone3_set_tid(void)
{
	pid_t want = getpid();
	struct clone_args_v2 args = {
		.exit_signal = SIGCHLD,
		.set_tid = (__u64)(uintptr_t)&want,
		.set_tid_size = 1,
	};
	long r = syscall(SYS_clone3, &args, 88);

	if (r == 0)
		_exit(0);
	if (r > 0) {
		waitpid(r, NULL, 0);
		return true;
	}
	return errno == EEXIST;
}

static bool probe_pagemap_scan(void)
{
	struct page_region vec[4];
	static char page[4096] __attribute__((aligned(4096)));
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.start = (uintptr_t)page,
		.end = (uintptr_t)page + sizeof(page),
		.vec = (uintptr_t)vec,
		.vec_len = 4,
		.category_anyof_mask = PAGE_IS_PRESENT,
		.return_mask = PAGE_IS_PRESENT,
	};
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	page[0] = 1;
	ok = ioctl(fd, PAGEMAP_SCAN, &arg) >= 0;
	close(fd);
	return ok;
}

static bool probe_userfaultfd(void)
{
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);

	if (fd < 0)
		fd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

#ifndef ARCH_MAP_VDSO_32
#define ARCH_MAP_VDSO_32 0x2002
#endif

/*
 * ia32 restore maps the 32-bit vDSO with arch_prctl(ARCH_MAP_VDSO_32)
 * (CONFIG_CHECKPOINT_RESTORE).  With a vDSO mapped already, as here, a
 * kernel that has it refuses with EEXIST and changes nothing; one without
 * it says EINVAL.
 */
static bool probe_map_vdso32(void)
{
	return syscall(SYS_arch_prctl, ARCH_MAP_VDSO_32, 0UL) < 0 && errno == EEXIST;
}

/* int $0x80 getpid (ia32 nr 20) from a 64-bit child. */
static int probe_ia32(void)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
	return r == getpid() ? 0 : 1;
}

static bool have_cap(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}

#ifndef CAP_CHECKPOINT_RESTORE
#define CAP_CHECKPOINT_RESTORE 40
#endif

struct check_state {
	void (*fn)(const struct sudcr_check_item *item, void *arg);
	void *arg;
	int missing;
};

static void item(struct check_state *st, const char *what, bool ok, bool needed, const char *why)
{
	struct sudcr_check_item it = { .what = what, .ok = ok, .needed = needed, .why = why };

	st->fn(&it, st->arg);
	if (needed && !ok)
		st->missing++;
}

int sudcr_check(void (*fn)(const struct sudcr_check_item *item, void *arg), void *arg)
{
	struct check_state st = { .fn = fn, .arg = arg };

	item(&st, "SUD prctl (PR_SET_SYSCALL_USER_DISPATCH)", in_child(probe_sud_prctl), false,
	     "(to restore SUD processes)");
	item(&st, "SUD ptrace requests (Linux 6.3+)", probe_sud_ptrace(), true, "");
	item(&st, "SUD inclusive mode", in_child(probe_sud_inclusive), false, "(for inclusive-mode processes)");
	item(&st, "PTRACE_GET_RSEQ_CONFIGURATION", probe_rseq_ptrace(), false, "(for processes using rseq)");
	item(&st, "clone3 with set_tid", probe_clone3_set_tid(), true, "");
	item(&st, "PAGEMAP_SCAN", probe_pagemap_scan(), false, "(faster dump; pagemap read otherwise)");
	item(&st, "userfaultfd", probe_userfaultfd(), false, "(not used yet)");
	item(&st, "ia32 emulation", in_child(probe_ia32), false, "(for 32-bit processes)");
	item(&st, "ARCH_MAP_VDSO_32", probe_map_vdso32(), false, "(to restore 32-bit processes)");
	item(&st, "TFD_IOC_SET_TICKS", cr_can_set_timerfd_ticks(), false,
	     "(timerfds with expirations not read yet)");
	item(&st, "CAP_SYS_PTRACE", have_cap(CAP_SYS_PTRACE), true, "");
	item(&st, "CAP_SYS_ADMIN", have_cap(CAP_SYS_ADMIN), false, "(suspending seccomp, PR_SET_MM)");
	item(&st, "CAP_CHECKPOINT_RESTORE", have_cap(CAP_CHECKPOINT_RESTORE), false,
	     "(set_tid, PR_SET_MM_MAP without CAP_SYS_ADMIN)");
	item(&st, "CAP_SYS_RESOURCE", have_cap(CAP_SYS_RESOURCE), false,
	     "(raising hard rlimits above sudcr's own)");
	return st.missing;
}
