/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_KERNEL_COMPAT_H
#define SUDCR_KERNEL_COMPAT_H

/*
 * Constants and structures from kernels newer than the installed headers
 * (Debian 12 ships Linux 6.1 headers).  Each is guarded so newer headers
 * win.  Values are the kernel's ABI and never change.
 */

#include <linux/types.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>

/* The device of the terminal behind /dev/tty or /dev/console opens (2.6.37+). */
#ifndef TIOCGDEV
#define TIOCGDEV _IOR('T', 0x32, unsigned int)
#endif

/* Syscall User Dispatch (prctl, 5.11+; inclusive mode 6.18-era). */
#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#endif
#ifndef PR_SYS_DISPATCH_OFF
#define PR_SYS_DISPATCH_OFF 0
#endif
#ifndef PR_SYS_DISPATCH_EXCLUSIVE_ON
#define PR_SYS_DISPATCH_EXCLUSIVE_ON 1
#endif
#ifndef PR_SYS_DISPATCH_INCLUSIVE_ON
#define PR_SYS_DISPATCH_INCLUSIVE_ON 2
#endif
#ifndef SYSCALL_DISPATCH_FILTER_ALLOW
#define SYSCALL_DISPATCH_FILTER_ALLOW 0
#define SYSCALL_DISPATCH_FILTER_BLOCK 1
#endif
#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH 2
#endif

/* ptrace SUD config (6.3+). */
#ifndef PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG
#define PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG 0x4210
#define PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG 0x4211
struct ptrace_sud_config {
	__u64 mode;
	__u64 selector;
	__u64 offset;
	__u64 len;
};
#endif

#ifndef PTRACE_GET_RSEQ_CONFIGURATION
#define PTRACE_GET_RSEQ_CONFIGURATION 0x420f
#endif
/* Our own name: glibc and the kernel headers spell it differently. */
struct sudcr_rseq_config {
	__u64 rseq_abi_pointer;
	__u32 rseq_abi_size;
	__u32 signature;
	__u32 flags;
	__u32 pad;
};

#ifndef PTRACE_GETSIGMASK
#define PTRACE_GETSIGMASK 0x420a
#define PTRACE_SETSIGMASK 0x420b
#endif

#ifndef PTRACE_O_SUSPEND_SECCOMP
#define PTRACE_O_SUSPEND_SECCOMP (1 << 21)
#endif

/*
 * Set the expiration count of a timerfd (3.17+, only with
 * CONFIG_CHECKPOINT_RESTORE).  <linux/timerfd.h> has it but clashes with
 * glibc's <sys/timerfd.h>.
 */
#ifndef TFD_IOC_SET_TICKS
#include <linux/ioctl.h>
#define TFD_IOC_SET_TICKS _IOW('T', 0, __u64)
#endif

/* PAGEMAP_SCAN ioctl (6.7+). */
#ifndef PAGEMAP_SCAN
#include <linux/ioctl.h>
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_WPALLOWED (1 << 0)
#define PAGE_IS_WRITTEN   (1 << 1)
#define PAGE_IS_FILE      (1 << 2)
#define PAGE_IS_PRESENT   (1 << 3)
#define PAGE_IS_SWAPPED   (1 << 4)
#define PAGE_IS_PFNZERO   (1 << 5)
#define PAGE_IS_HUGE      (1 << 6)
#define PAGE_IS_SOFT_DIRTY (1 << 7)
struct page_region {
	__u64 start;
	__u64 end;
	__u64 categories;
};
struct pm_scan_arg {
	__u64 size;
	__u64 flags;
	__u64 start;
	__u64 end;
	__u64 walk_end;
	__u64 vec;
	__u64 vec_len;
	__u64 max_pages;
	__u64 category_inverted;
	__u64 category_mask;
	__u64 category_anyof_mask;
	__u64 return_mask;
};
#endif

/* AF_UNIX: pidfds of senders (6.5+). */
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 77
#endif

/* Memory (mm dump and restore). */
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08		/* 6.11+: a mapping type, instead of MAP_PRIVATE */
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020		/* 6.3+ */
#endif

/* PR_SET_THP_DISABLE's flag of 6.18: THP only where madvise(MADV_HUGEPAGE) asks. */
#ifndef PR_THP_DISABLE_EXCEPT_ADVISED
#define PR_THP_DISABLE_EXCEPT_ADVISED (1 << 1)
#endif

/* Memory-deny-write-execute (6.3+) and KSM for the whole process (6.4+). */
#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_GET_MDWE 66
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN (1UL << 0)
#endif
#ifndef PR_MDWE_NO_INHERIT
#define PR_MDWE_NO_INHERIT (1UL << 1)
#endif
#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67
#define PR_GET_MEMORY_MERGE 68
#endif

/* CPUID faulting (arch_prctl, 4.12+). */
#ifndef ARCH_GET_CPUID
#define ARCH_GET_CPUID 0x1011
#define ARCH_SET_CPUID 0x1012
#endif

/* ioprio_get/ioprio_set (linux/ioprio.h has no glibc wrapper). */
#ifndef IOPRIO_WHO_PROCESS
#define IOPRIO_WHO_PROCESS 1
#endif

/* Socket options newer than the 6.1 headers, or not in glibc's (lib/kinds/inet.c). */
#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51
#endif
#ifndef IPV6_FLOWINFO
#define IPV6_FLOWINFO 11
#endif
#ifndef IPV6_FLOWINFO_SEND
#define IPV6_FLOWINFO_SEND 33
#endif
#ifndef TCP_RTO_MIN_US
#define TCP_RTO_MIN_US 45
#endif
#ifndef TCP_DELACK_MAX_US
#define TCP_DELACK_MAX_US 46
#endif
/* pidfds: PIDFD_THREAD (6.9+) and PIDFD_GET_INFO (6.13+; exit status 6.15+, coredump 6.16+). */
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
#ifndef PIDFD_GET_INFO
#include <linux/ioctl.h>
struct pidfd_info {
	__u64 mask;
	__u64 cgroupid;
	__u32 pid, tgid, ppid;
	__u32 ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	__s32 exit_code;
	__u32 coredump_mask;
	__u32 __spare1;
};
#define PIDFD_GET_INFO _IOWR(0xFF, 11, struct pidfd_info)
#endif
#ifndef PIDFD_INFO_PID
#define PIDFD_INFO_PID (1UL << 0)
#endif
#ifndef PIDFD_INFO_EXIT
#define PIDFD_INFO_EXIT (1UL << 3)
#endif
#ifndef PIDFD_INFO_COREDUMP
#define PIDFD_INFO_COREDUMP (1UL << 4)
#endif

#endif
