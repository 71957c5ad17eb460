/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_LIB_PROC_PROC_H
#define SUDCR_LIB_PROC_PROC_H

/*
 * Parsers for /proc/PID/... files, private to libsudcr (lib/proc/, one file
 * per /proc file). The few that libsudcr-core exports are declared in
 * <sudcr/proc.h>. All return 0 or a negative errno.
 *
 * Each text parser has a *_buf variant that takes a NUL-terminated buffer, so
 * that tests can feed it crafted text; the buffer is treated as untrusted
 * (malformed input gives -EINVAL, never a crash or an overflow). The other
 * functions read /proc with one open and one growing buffer per file. A
 * process or thread that does not exist (any more) gives -ESRCH.
 *
 * Arrays returned through a pointer are malloc'ed: free() them. On error the
 * output pointers are left untouched.
 */

#include <limits.h>
#include <linux/limits.h>	/* PATH_MAX, also without POSIX */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sudcr/proc.h>

/* Read a whole /proc file into a malloc'ed NUL-terminated buffer. */
int proc_read_file(const char *path, char **buf, size_t *len);

/* The first @nr resource limits of @pid, soft and hard (/proc/PID/limits). */
int proc_read_limits(pid_t pid, uint64_t cur[], uint64_t max[], int nr);

/*
 * Child processes of every thread of @pid, zombies included, malloc'ed
 * (from /proc/PID/task/TID/children; a scan of /proc without it).
 */
int proc_children(pid_t pid, pid_t **kids, int *nr);

/* Fields of /proc/PID/status. */
struct proc_status {
	pid_t tgid;
	pid_t ppid;
	pid_t tracer_pid;
	int seccomp;		/* Seccomp: 0 none, 1 strict, 2 filter */
	uint64_t sig_blk, sig_pnd, shd_pnd, sig_ign, sig_cgt;
	char name[64];		/* as shown: escaped by the kernel */
	int umask;		/* Umask:, -1 when not shown (no fs struct) */
	int no_new_privs;	/* NoNewPrivs: */
	int seccomp_filters;	/* Seccomp_filters: */
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	uid_t uid[4];		/* real, effective, saved, filesystem */
	gid_t gid[4];
	uint64_t sigq_queued;	/* SigQ: queued/limit (per real uid) */
	uint64_t sigq_limit;
	int threads;		/* Threads: */
};
int proc_parse_status(pid_t pid, pid_t tid, struct proc_status *st);
int proc_parse_status_buf(const char *buf, struct proc_status *st);

/* CPU the thread last ran on (field 39 of stat). */
int proc_thread_cpu(pid_t pid, pid_t tid, int *cpu);

/* ---- /proc/PID/maps and /proc/PID/smaps ---- */

enum proc_vma_kind {
	VMA_PLAIN,		/* anonymous, no name */
	VMA_HEAP,		/* [heap] */
	VMA_STACK,		/* [stack] */
	VMA_VDSO,		/* [vdso] */
	VMA_VVAR,		/* [vvar] */
	VMA_VVAR_VCLOCK,	/* [vvar_vclock] */
	VMA_VSYSCALL,		/* [vsyscall] */
	VMA_ANON_NAMED,		/* [anon:NAME], [anon_shmem:NAME] */
	VMA_FILE,		/* a path: files, memfd, shared anon ("/dev/zero (deleted)"), anon_inode:... */
	VMA_OTHER_SPECIAL,	/* any other [...] name, e.g. [uprobes] */
};

/*
 * VmFlags: two-letter codes of smaps. The bit numbers are sudcr's own, not the
 * kernel's VM_* bits (those differ between kernels and architectures). A code
 * this list does not know (the kernel prints "??" for its unnamed bits) sets
 * PROC_VMF_UNKNOWN, so that a caller can refuse what it does not understand.
 */
#define PROC_VMF_RD	(1ULL << 0)	/* readable */
#define PROC_VMF_WR	(1ULL << 1)	/* writable */
#define PROC_VMF_EX	(1ULL << 2)	/* executable */
#define PROC_VMF_SH	(1ULL << 3)	/* shared */
#define PROC_VMF_MR	(1ULL << 4)	/* may read */
#define PROC_VMF_MW	(1ULL << 5)	/* may write */
#define PROC_VMF_ME	(1ULL << 6)	/* may execute */
#define PROC_VMF_MS	(1ULL << 7)	/* may share */
#define PROC_VMF_GD	(1ULL << 8)	/* grows down */
#define PROC_VMF_PF	(1ULL << 9)	/* pure PFN range */
#define PROC_VMF_DW	(1ULL << 10)	/* deny write (gone since 5.15) */
#define PROC_VMF_LO	(1ULL << 11)	/* locked */
#define PROC_VMF_IO	(1ULL << 12)	/* memory-mapped I/O */
#define PROC_VMF_SR	(1ULL << 13)	/* MADV_SEQUENTIAL */
#define PROC_VMF_RR	(1ULL << 14)	/* MADV_RANDOM */
#define PROC_VMF_DC	(1ULL << 15)	/* MADV_DONTFORK */
#define PROC_VMF_DE	(1ULL << 16)	/* do not expand on remap */
#define PROC_VMF_AC	(1ULL << 17)	/* accountable */
#define PROC_VMF_NR	(1ULL << 18)	/* swap space not reserved */
#define PROC_VMF_HT	(1ULL << 19)	/* hugetlb */
#define PROC_VMF_SF	(1ULL << 20)	/* synchronous page faults (MAP_SYNC) */
#define PROC_VMF_NL	(1ULL << 21)	/* non-linear (gone since 4.0) */
#define PROC_VMF_AR	(1ULL << 22)	/* architecture specific (x86: PAT) */
#define PROC_VMF_WF	(1ULL << 23)	/* MADV_WIPEONFORK */
#define PROC_VMF_DD	(1ULL << 24)	/* MADV_DONTDUMP */
#define PROC_VMF_SD	(1ULL << 25)	/* soft dirty */
#define PROC_VMF_MM	(1ULL << 26)	/* mixed map */
#define PROC_VMF_HG	(1ULL << 27)	/* MADV_HUGEPAGE */
#define PROC_VMF_NH	(1ULL << 28)	/* MADV_NOHUGEPAGE */
#define PROC_VMF_MG	(1ULL << 29)	/* MADV_MERGEABLE (KSM) */
#define PROC_VMF_UM	(1ULL << 30)	/* userfaultfd missing */
#define PROC_VMF_UW	(1ULL << 31)	/* userfaultfd write-protect */
#define PROC_VMF_SS	(1ULL << 32)	/* shadow stack */
#define PROC_VMF_LF	(1ULL << 33)	/* lock on fault (mlock2 MLOCK_ONFAULT) */
#define PROC_VMF_UI	(1ULL << 34)	/* userfaultfd minor */
#define PROC_VMF_SL	(1ULL << 35)	/* sealed (mseal) */
#define PROC_VMF_DP	(1ULL << 36)	/* droppable (MAP_DROPPABLE) */
#define PROC_VMF_BT	(1ULL << 37)	/* arm64 BTI */
#define PROC_VMF_MT	(1ULL << 38)	/* arm64 MTE */
#define PROC_VMF_UNKNOWN (1ULL << 63)	/* some code not listed above */

struct proc_vma {
	uint64_t start, end, pgoff;
	uint32_t prot;		/* PROT_READ | PROT_WRITE | PROT_EXEC */
	bool shared;		/* 's' (VM_MAYSHARE) rather than 'p' */
	uint32_t dev_major, dev_minor;
	uint64_t ino;
	/*
	 * As the kernel prints it (a newline in a file name shows as "\012"; a
	 * literal "\012" in a name looks the same, so open files through
	 * /proc/PID/map_files rather than by this path). Empty for anonymous;
	 * shorter than PATH_MAX. It points into the array's own allocation
	 * (the paths follow the last entry), so one free() of the array frees
	 * them too, and a copied entry's path lives as long as the array.
	 */
	const char *path;
	bool deleted;		/* path had " (deleted)", stripped here */
	enum proc_vma_kind kind;
	uint64_t vmflags;	/* PROC_VMF_* */
	uint64_t rss, anonymous, swap;	/* bytes, from smaps */
	bool has_smaps;		/* VmFlags: line seen (0 for plain maps text) */
};

/* All mappings of @pid from one read of /proc/PID/smaps, in address order. */
int proc_parse_maps(pid_t pid, struct proc_vma **vmas, int *nr);
/* The same from a buffer; plain maps text (no smaps fields) is accepted too. */
int proc_parse_smaps_buf(const char *buf, struct proc_vma **vmas, int *nr);
const char *proc_vma_kind_name(enum proc_vma_kind kind);

/* ---- /proc/PID/stat ---- */

struct proc_stat {
	pid_t pid;
	char comm[64];		/* raw: may hold ')', spaces, even newlines */
	char state;
	pid_t ppid, pgrp, session;
	int tty_nr;
	pid_t tpgid;
	uint32_t flags;		/* PF_* */
	uint64_t minflt, majflt, utime, stime;	/* utime/stime in clock ticks */
	int64_t priority, nice;
	int num_threads;
	uint64_t start_time;	/* clock ticks after boot */
	uint64_t vsize;		/* bytes */
	uint64_t rss;		/* pages */
	uint64_t rsslim;
	uint64_t start_code, end_code, start_stack;
	int exit_signal;
	int processor;
	uint32_t rt_priority, policy;
	uint64_t start_data, end_data, start_brk;
	uint64_t arg_start, arg_end, env_start, env_end;
	int exit_code;
};
/* @tid 0: /proc/PID/stat (whole process), else /proc/PID/task/TID/stat. */
int proc_parse_stat(pid_t pid, pid_t tid, struct proc_stat *st);
int proc_parse_stat_buf(const char *buf, struct proc_stat *st);

/* ---- /proc/PID/auxv ---- */

/*
 * Fills @out with type, value, type, value, ... up to and including the
 * AT_NULL pair; *nr is the number of words written (so *nr / 2 entries).
 * @compat32: the process is ia32, its auxv holds 32-bit words. A process
 * without memory (zombie, kernel thread) gives *nr = 0. -ENOSPC when @max
 * words are too few, -EINVAL when the data ends before AT_NULL.
 */
int proc_read_auxv(pid_t pid, bool compat32, uint64_t *out, int max, int *nr);
int proc_parse_auxv_buf(const void *buf, size_t len, bool compat32, uint64_t *out, int max,
			int *nr);
/* Value of @type in a parsed auxv, -ENOENT if absent. */
int proc_auxv_get(const uint64_t *auxv, int nr, uint64_t type, uint64_t *val);

/* ---- /proc/PID/fd/N and /proc/PID/fdinfo/N ---- */

struct proc_fd {
	int fd;
	/* readlink of fd/N, raw: "/path", "/path (deleted)", "pipe:[123]", "anon_inode:[eventfd]" */
	char link[PATH_MAX];
	/* Everything below comes from fdinfo. */
	uint64_t pos;		/* f_pos, as the kernel's loff_t bit pattern */
	uint32_t flags;		/* O_* flags, O_CLOEXEC included when set */
	int mnt_id;
	uint64_t ino;
	bool has_eventfd;
	uint64_t eventfd_count;
	int eventfd_id;
	bool eventfd_semaphore;
	bool has_signalfd;
	uint64_t signalfd_mask;	/* bit N-1 for signal N */
	bool has_timerfd;
	int timerfd_clockid;
	uint64_t timerfd_ticks;
	uint32_t timerfd_settime_flags;
	uint64_t timerfd_value_sec, timerfd_value_nsec;	/* time left to expiry */
	uint64_t timerfd_interval_sec, timerfd_interval_nsec;
	bool has_pidfd;
	pid_t pidfd_pid;	/* -1 when the process is gone */
	int nr_locks;		/* "lock:" lines: proc_read_fd_locks() tells what they are */
};
/* Every open fd of @pid, sorted by fd. fds closed while listing are skipped. */
int proc_list_fds(pid_t pid, struct proc_fd **fds, int *nr);
/* One fd; -ENOENT when @pid has no fd @fd. */
int proc_read_fd(pid_t pid, int fd, struct proc_fd *out);
/* Fills every field but ->fd and ->link, which are left as they are. */
int proc_parse_fdinfo_buf(const char *buf, struct proc_fd *fd);

/*
 * The watch list of an epoll fd, one entry per "tfd:" line of its fdinfo,
 * in the kernel's order (which is the order kcmp(KCMP_EPOLL_TFD) counts
 * toff in).  tfd is the fd number the file had when it was added; events
 * the mask as the kernel keeps it (EPOLLERR|EPOLLHUP added, only the
 * EPOLLONESHOT/ET/WAKEUP/EXCLUSIVE bits left once a one-shot entry fired).
 */
struct proc_epoll_tfd {
	int tfd;
	uint32_t events;
	uint64_t data;
	uint64_t ino;		/* of the watched file; 0 if fdinfo does not say */
	uint32_t sdev;
};
/* *v is NULL when there are none; free(*v). */
int proc_read_epoll(pid_t pid, int fd, struct proc_epoll_tfd **v, int *nr);
int proc_parse_epoll_buf(const char *buf, struct proc_epoll_tfd **v, int *nr);

/*
 * File locks, one per "lock:" line of /proc/PID/fdinfo/N or line of
 * /proc/locks (fs/locks.c lock_get_status()):
 *   "1: FLOCK  ADVISORY  READ 31890 fe:00:10969877 0 EOF"
 *   "4: OFDLCK ADVISORY  WRITE -1 fe:00:10969879 100 149"
 *   "1: LEASE  ACTIVE    READ 31890 fe:00:10969881 0 EOF"
 * fdinfo shows the locks taken through that open file description: its
 * flock and OFD locks, and the POSIX locks the process took through it.
 * Lines of /proc/locks for blocked waiters ("1: -> FLOCK ...") are left out.
 */
enum proc_lock_kind {
	PROC_LOCK_OTHER = 0,	/* LEASE, DELEG, ACCESS, UNKNOWN: see ->name */
	PROC_LOCK_FLOCK,
	PROC_LOCK_POSIX,
	PROC_LOCK_OFD,
};
struct proc_lock {
	int kind;		/* enum proc_lock_kind */
	char name[12];		/* the kernel's word: "FLOCK", "POSIX", "OFDLCK", "LEASE"... */
	bool advisory;		/* "ADVISORY"; a lease shows its state there instead */
	int type;		/* F_RDLCK, F_WRLCK or F_UNLCK */
	int pid;		/* in the pid namespace of /proc; -1 for OFD locks */
	unsigned int dev_major, dev_minor;	/* of the inode's super block */
	uint64_t ino;
	uint64_t start, end;	/* first and last byte; end UINT64_MAX: "EOF" */
};
/* *v is NULL when there are none; free(*v). */
int proc_read_fd_locks(pid_t pid, int fd, struct proc_lock **v, int *nr);
int proc_read_locks(struct proc_lock **v, int *nr);
/* The "lock:" lines of fdinfo text (@fdinfo), or the lines of /proc/locks. */
int proc_parse_locks_buf(const char *buf, bool fdinfo, struct proc_lock **v, int *nr);

/* ---- /proc/PID/timers (POSIX timers) ---- */

struct proc_posix_timer {
	int id;			/* kernel timer id */
	int signo;
	uint64_t sigval;	/* sigev_value (sival_ptr) */
	/* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD, each | SIGEV_THREAD_ID when a thread is the target */
	int notify_kind;
	pid_t notify_tid;	/* thread (SIGEV_THREAD_ID) or process the signal goes to */
	int clock_id;		/* may be negative: CPU-time clocks of a pid/tid */
};
/* Sorted by id. -EOPNOTSUPP if the kernel has no /proc/PID/timers. */
int proc_parse_timers(pid_t pid, struct proc_posix_timer **t, int *nr);
int proc_parse_timers_buf(const char *buf, struct proc_posix_timer **t, int *nr);

/* ---- small things ---- */

/*
 * readlink of /proc/PID/@name ("cwd", "root", "exe", "fd/3", ...), NUL
 * terminated. -ENAMETOOLONG if @len is too small; -ENOENT if the link is not
 * there (exe of a zombie or kernel thread).
 */
int proc_read_link(pid_t pid, const char *name, char *buf, size_t len);

/* /proc/PID/task/TID/comm (@tid 0: /proc/PID/comm) without the newline. */
int proc_read_comm(pid_t pid, pid_t tid, char *buf, size_t len);

#endif
