/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_IMAGE_RECORDS_H
#define SUDCR_IMAGE_RECORDS_H

/*
 * Record types and payloads of core.img (the container is in image.h and
 * docs/image-format.md).  Payloads are fixed-layout little-endian structs;
 * variable parts (paths, filter programs) follow the struct and their
 * length is in it.  Every reader checks the payload length against the
 * struct size (and the variable part against the remaining bytes) before
 * use.  Changing a layout needs a new IMG_FORMAT_VERSION.
 *
 * Ranges: 1-19 process, threads and memory; 20-39 signals; 40-59 files;
 * 60-79 other process state; 100-119 process trees.
 */

#include <stdint.h>

enum img_rec_type {
	/* process and memory (lib/dump/threads.c, lib/dump/mm.c) */
	IMG_REC_PROCESS = 1,		/* struct rec_process, first record */
	IMG_REC_THREAD = 2,		/* struct rec_thread, one per thread */
	IMG_REC_XSTATE = 3,		/* struct rec_xstate + xstate bytes */
	IMG_REC_MM = 4,			/* struct rec_mm */
	IMG_REC_VMA = 5,		/* struct rec_vma + path */
	IMG_REC_PAGES = 6,		/* struct rec_pages: an extent of a page file */
	IMG_REC_TLS = 7,		/* struct rec_tls, per thread of ia32 processes */
	IMG_REC_MM_ATTRS = 8,		/* struct rec_mm_attrs: mlockall(MCL_FUTURE); if set */

	/* signals (lib/kinds/signals.c) */
	IMG_REC_SIGACTION = 20,		/* struct rec_sigaction, one per handled signal */
	IMG_REC_SIGPENDING = 21,	/* struct rec_sigpending, one per queued signal */
	IMG_REC_SIGALTSTACK = 22,	/* struct rec_sigaltstack, per thread */

	/* namespaces (lib/kinds/namespaces.c) */
	IMG_REC_NAMESPACES = 26,	/* struct rec_namespaces, one */

	/* files (lib/dump/files.c) */
	IMG_REC_FD = 40,		/* struct rec_fd + path */
	IMG_REC_FILE_DATA = 41,		/* struct rec_file_data + bytes */
	IMG_REC_TIMERFD = 42,		/* struct rec_timerfd */
	IMG_REC_EPOLL = 43,		/* struct rec_epoll + rec_epoll_tfd[] */
	IMG_REC_UNIX = 44,		/* struct rec_unix */
	IMG_REC_UNIX_QUEUE = 45,	/* struct rec_unix_queue + rec_unix_msg[] + bytes */
	IMG_REC_LOCK = 46,		/* struct rec_lock */
	IMG_REC_TTY = 47,		/* struct rec_tty: the job's terminal (--shell-job) */
	IMG_REC_PIPE_OUTSIDE = 48,	/* struct rec_pipe_outside + int32_t pids[] */
	IMG_REC_FD_OWN = 49,		/* struct rec_fd_own: F_SETOWN_EX and F_SETSIG of a description */
	IMG_REC_PTY = 50,		/* struct rec_pty + queued bytes: a pty of the tree */

	/* other process and thread state (lib/dump/misc.c) */
	IMG_REC_MISC = 60,		/* struct rec_misc */
	IMG_REC_THREAD_MISC = 61,	/* struct rec_thread_misc, per thread */
	IMG_REC_RLIMIT = 62,		/* struct rec_rlimit */
	IMG_REC_ITIMER = 63,		/* struct rec_itimer */
	IMG_REC_POSIX_TIMER = 64,	/* struct rec_posix_timer */
	IMG_REC_SECCOMP = 65,		/* struct rec_seccomp + sock_filter[] */

	/* credentials (lib/kinds/creds.c) */
	IMG_REC_CREDS = 66,		/* struct rec_creds + gid[], per thread */
	/* process attributes and scheduling (lib/kinds/procattr.c, lib/kinds/sched.c) */
	IMG_REC_PROCATTR = 68,		/* struct rec_procattr, exactly one */
	IMG_REC_SCHED = 69,		/* struct rec_sched, one per thread */
	IMG_REC_FILE_TIMES = 70,	/* struct rec_file_times, per deleted file */
	IMG_REC_THREAD_ATTR = 71,	/* struct rec_thread_attr, one per thread */

	/* Sockets (lib/kinds/inet.c) */
	IMG_REC_INET = 120,		/* struct rec_inet + rec_inet_opt[] + sock_filter[] */
	IMG_REC_INET_QUEUE = 121,	/* struct rec_inet_queue + rec_inet_msg[] + bytes */
	IMG_REC_UNIX_SK = 122,		/* struct rec_unix_sk + rec_inet_opt[] */
	IMG_REC_NETLINK = 130,		/* struct rec_netlink + opts + groups + filter (lib/kinds/netlink.c) */
	IMG_REC_PACKET = 131,		/* struct rec_packet + opts + mc + filter (lib/kinds/packet.c) */
	IMG_REC_INET_TCP = 123,		/* struct rec_inet_tcp + queued bytes (lib/kinds/tcp.c) */
	IMG_REC_NETLOCK = 124,		/* struct rec_netlock + rec_netlock_conn[] (lib/kinds/netlock.c) */
	/* fd kinds' own records (lib/kinds/inotify.c, ...) */
	IMG_REC_INOTIFY = 140,		/* struct rec_inotify + rec_inotify_watch[] + paths */
	IMG_REC_FANOTIFY = 141,		/* struct rec_fanotify + rec_fanotify_mark[] + paths */
	IMG_REC_MQUEUE = 162,		/* struct rec_mqueue + messages (lib/kinds/mqueue.c) */
	IMG_REC_SYSV_MSG = 163,		/* struct rec_sysv_msg + messages (lib/kinds/sysv_msg.c) */
	IMG_REC_SYSV_SEM_UNDO = 164,	/* struct rec_sysv_sem_undo + rec_sem_val[] (lib/kinds/sysv_sem.c) */
	/* process trees (lib/dump/tree.c, lib/restore/tree.c): the tree's own core.img */
	IMG_REC_TREE_PROC = 100,	/* struct rec_tree_proc, one per process, parents first */
	IMG_REC_TREE_FD = 101,		/* struct rec_tree_fd: an fd inherited from the parent */
	IMG_REC_TREE_PIPE = 102,	/* struct rec_tree_pipe: a pipe with ends in several processes */
	IMG_REC_TREE_UNIX = 103,	/* struct rec_tree_unix: a socket pair with ends in several processes */
	IMG_REC_TREE_SHM = 110,		/* struct rec_tree_shm: a mapping of an object an earlier process maps */
	IMG_REC_TREE_COW = 111,		/* struct rec_tree_cow + runs: pages shared copy-on-write with the parent */
};

/*
 * A tree image is a directory whose core.img holds only the tree records;
 * each live process's image is the subdirectory named by its PID, in the
 * single-process format.  Zombies have no image of their own.
 */
struct rec_tree_proc {
	int32_t pid, ppid;		/* ppid: the parent in the tree; 0 for the root */
	int32_t pgid, sid;
	uint32_t state;			/* REC_TREE_* */
	int32_t exit_status;		/* a zombie's wait status; else 0 */
	uint32_t nr_threads;		/* 0 for a zombie */
	uint32_t flags;			/* REC_TREE_F_* */
	char comm[16];			/* its name (a zombie's is shown and restored from here) */
};
#define REC_TREE_LIVE		1
#define REC_TREE_ZOMBIE		2
#define REC_TREE_F_STOPPED	(1u << 0)	/* group-stopped */
#define REC_TREE_F_FILES	(1u << 1)	/* shares its parent's fd table (CLONE_FILES) */
#define REC_TREE_F_FS		(1u << 2)	/* shares its parent's root, cwd and umask (CLONE_FS) */

/*
 * Pipe @ino (the dump's inode) has ends in several processes, through
 * open file descriptions of their own: @owner, an ancestor of all the
 * others, makes it; the others open it again through the fork.
 */
struct rec_tree_pipe {
	int32_t owner;
	uint32_t pad;
	uint64_t ino;
};

/*
 * AF_UNIX socket pair (@ino[0] < @ino[1], the dump's socket inodes, of
 * @type) whose ends are held by different processes, or by several that
 * did not all get them from one by fork: @owner, an ancestor of (or one
 * of) all their holders, makes it and fills both receive queues; every
 * holder's end (REC_FD_UNIX with rec_unix.peer -1) is that socket.
 */
struct rec_tree_unix {
	int32_t owner;
	uint32_t type;			/* SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET */
	uint64_t ino[2];
	/*
	 * A pair made by connect() and accept(): the accepted end's name (the
	 * listener's: an abstract name or an absolute path), name_len bytes of
	 * sun_path, and which end it is; the other end has no name.
	 * name_len 0: a pair with no names (socketpair()).
	 */
	uint32_t name_len;
	uint32_t named_end;		/* 0 or 1: ino[named_end] */
	uint8_t name[108];
	uint32_t pad;
};

/* fd @fd of process @pid is the open file description of its parent's fd @parent_fd. */
struct rec_tree_fd {
	int32_t pid;
	int32_t fd;
	int32_t parent_fd;
	uint32_t pad;
};

/*
 * The mapping at @start of process @pid maps the object (memfd, shared
 * anonymous memory, deleted file) that live process @peer, earlier in the
 * tree, maps at [@peer_start, @peer_end) (@peer_fd -1); or, with @peer_fd
 * >= 0 and no such peer, that fd @peer_fd of live process @peer (any other
 * of the tree) is: the restore maps @peer's object.
 */
struct rec_tree_shm {
	int32_t pid;
	int32_t peer;
	uint64_t start;
	uint64_t peer_start, peer_end;	/* 0 and 0 with peer_fd */
	int32_t peer_fd;
	uint32_t pad;
};

/*
 * The private anonymous mapping [@start, @end) of process @pid (not the
 * root) is also its parent's, at the same place, and the pages of the
 * @nr_runs runs that follow (struct rec_tree_cow_run, sorted, apart) are
 * the parent's still, shared copy-on-write: its image does not store them.
 */
struct rec_tree_cow {
	int32_t pid;
	uint32_t nr_runs;
	uint64_t start, end;
};

struct rec_tree_cow_run {
	uint64_t start, end;
};

#define REC_PATH_MAX 4096

struct rec_process {
	int32_t pid;
	uint32_t arch;			/* enum arch_kind */
	uint32_t nr_threads;
	uint32_t flags;			/* REC_PROC_* */
	uint64_t page_size;
	char comm[16];
};
#define REC_PROC_STOPPED	(1u << 0)	/* was group-stopped: restore stopped */
#define REC_PROC_SHELL_JOB	(1u << 1)	/* dumped with --shell-job */
#define REC_PROC_LEADER_ZOMBIE	(1u << 2)	/* the leader had exited: no thread record for it */

struct rec_thread {
	int32_t tid;
	uint32_t flags;
	uint8_t regs[27 * 8];		/* struct user_regs_struct (x86-64 layout) */
	uint64_t sigmask;		/* blocked signals */
	uint64_t sud_mode;		/* struct sud_config, user view */
	uint64_t sud_selector;
	uint64_t sud_offset;
	uint64_t sud_len;
	char comm[16];
};

struct rec_xstate {
	int32_t tid;
	uint32_t len;			/* followed by len bytes of NT_X86_XSTATE */
};

/* The GDT TLS entries (set_thread_area) of an ia32 thread; %gs points at one. */
struct rec_tls {
	int32_t tid;
	uint32_t nr;			/* ARCH_TLS_ENTRIES (3) */
	struct {
		uint32_t entry_number;	/* 12, 13, 14 */
		uint32_t base_addr;
		uint32_t limit;
		uint32_t flags;		/* bit fields of struct user_desc */
	} desc[3];
};

struct rec_mm {
	uint64_t start_code, end_code, start_data, end_data;
	uint64_t start_brk, brk, start_stack;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint32_t auxv_len;		/* number of uint64_t in auxv[] */
	uint32_t pad;
	uint64_t auxv[64];
	char exe[REC_PATH_MAX];
};

struct rec_vma {
	uint64_t start, end, pgoff;
	uint32_t prot;			/* PROT_* */
	uint32_t flags;			/* REC_VMA_* */
	uint64_t vmflags;		/* PROC_VMF_* from smaps, for madvise state */
	uint64_t dev, ino;		/* file identity, 0 for anonymous */
	int32_t shmid;			/* index of the shared object (memfd, shmem), -1 if none */
	uint32_t path_len;		/* followed by path_len bytes, no NUL */
	uint64_t obj_size;		/* memfd, shmem, deleted file: the object's size, else 0 */
	uint32_t obj_seals;		/* memfd: F_GET_SEALS, else 0 */
	uint32_t pad;
};
#define REC_VMA_SHARED		(1u << 0)
#define REC_VMA_ANON		(1u << 1)
#define REC_VMA_FILE		(1u << 2)
#define REC_VMA_DELETED		(1u << 3)	/* file is deleted: contents stored */
#define REC_VMA_GROWSDOWN	(1u << 4)
#define REC_VMA_HEAP		(1u << 5)
#define REC_VMA_STACK		(1u << 6)
#define REC_VMA_VDSO		(1u << 7)
#define REC_VMA_VVAR		(1u << 8)
#define REC_VMA_VVAR_VCLOCK	(1u << 9)
#define REC_VMA_MEMFD		(1u << 10)
#define REC_VMA_SHMEM		(1u << 11)	/* MAP_SHARED|MAP_ANONYMOUS */
#define REC_VMA_OBJ_PRIVATE	(1u << 12)	/* private view of a memfd, shmem or deleted file */
#define REC_VMA_OBJ_HELD	(1u << 13)	/* that object's content is stored elsewhere (fd, shared map) */
#define REC_VMA_SYSV		(1u << 14)	/* System V shm attach: made by lib/kinds/sysv_shm.c, ino the shmid */
#define REC_VMA_KNOWN		((1u << 15) - 1)	/* a flag outside these is refused */

/* What the mm gives the mappings made later. */
struct rec_mm_attrs {
	uint32_t mlockall;		/* mlockall() flags: MCL_FUTURE [| MCL_ONFAULT], or 0 */
	uint32_t flags;			/* 0 (KSM merge-any is in rec_procattr) */
};

struct rec_pages {
	uint64_t vaddr;			/* first page in the target */
	uint64_t nr_pages;
	uint64_t offset;		/* in page file number `file` */
	uint32_t crc;			/* crc32c of the data */
	uint32_t file;			/* pages-FILE.img */
};

struct rec_sigaction {
	uint32_t signo;
	uint32_t pad;
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct rec_sigpending {
	int32_t tid;			/* 0: process-wide (shared) queue */
	uint32_t pad;
	uint8_t siginfo[128];		/* native siginfo_t as PTRACE_PEEKSIGINFO gives it */
};

struct rec_sigaltstack {
	int32_t tid;
	int32_t flags;
	uint64_t sp;
	uint64_t size;
};

/*
 * Files (lib/dump/files.c, lib/restore/files.c): one rec_fd per open fd,
 * in increasing fd order.  Fds sharing an open file description (dup,
 * fork, SCM_RIGHTS) point with ->desc to the lowest of them; fds of one
 * object (the two ends of a pipe, all opens of one memfd or deleted file)
 * point with ->obj to the lowest fd of the object, whose record is followed
 * by the object's IMG_REC_FILE_DATA records.  The record of the lowest fd
 * of a timerfd description is followed by its IMG_REC_TIMERFD record, that
 * of an epoll description by its IMG_REC_EPOLL record, that of an AF_UNIX
 * socket description by its IMG_REC_UNIX record and the IMG_REC_UNIX_QUEUE
 * records of its receive queue.  The file locks taken through a
 * description come last among the records of its lowest fd, one
 * IMG_REC_LOCK each.
 */
enum rec_fd_kind {
	REC_FD_REG = 1,		/* regular file, reopened by path; size checked */
	REC_FD_DELETED = 2,	/* unlinked regular file: content stored */
	REC_FD_DIR = 3,		/* directory, reopened by path */
	REC_FD_CHR = 4,		/* character device (mem devices, ttys), reopened by path */
	REC_FD_PIPE = 5,	/* anonymous pipe: size stored; buffered bytes as data */
	REC_FD_FIFO = 6,	/* named pipe, reopened by path; buffered bytes as data */
	REC_FD_EVENTFD = 7,	/* counter in ->count */
	REC_FD_MEMFD = 8,	/* name in path ("/memfd:NAME"), content, seals */
	REC_FD_INHERIT = 9,	/* --shell-job: sudcr restore's own fd ->inherit_fd */
	REC_FD_PATH = 10,	/* O_PATH descriptor, reopened by path */
	REC_FD_SIGNALFD = 11,	/* signal mask in ->count */
	REC_FD_TIMERFD = 12,	/* clock, flags and times in the IMG_REC_TIMERFD record */
	REC_FD_EPOLL = 13,	/* watch list in the IMG_REC_EPOLL record */
	REC_FD_UNIX = 14,	/* AF_UNIX socket of a pair: IMG_REC_UNIX (+ _QUEUE); obj: the pair */
	REC_FD_TTY = 15,	/* --shell-job: the job's terminal, replaced by sudcr restore's */
	REC_FD_PTY = 16,	/* pty of the tree (master, slave, /dev/tty): IMG_REC_PTY; obj: the pair */
	REC_FD_INET = 20,	/* AF_INET/AF_INET6 TCP or UDP socket: IMG_REC_INET */
	REC_FD_UNIX_SK = 21,	/* AF_UNIX socket listening or not connected: IMG_REC_UNIX_SK */
	REC_FD_NETLINK = 24,	/* AF_NETLINK socket: IMG_REC_NETLINK (lib/kinds/netlink.c) */
	REC_FD_PACKET = 25,	/* AF_PACKET socket: IMG_REC_PACKET (lib/kinds/packet.c) */
	REC_FD_PIDFD = 30,	/* pidfd of the process (->count: PID) or of one exited (xflags) */
	REC_FD_INOTIFY = 31,	/* inotify instance: its watches in the IMG_REC_INOTIFY record */
	REC_FD_FANOTIFY = 32,	/* fanotify group: its flags and marks in the IMG_REC_FANOTIFY record */
	REC_FD_DELETED_DIR = 35, /* removed directory held open: made again, opened, removed */
	REC_FD_DELETED_CHR = 36, /* removed mem device node (null, zero...): mknod, opened, removed */
	REC_FD_DELETED_NODE = 37, /* O_PATH fd of a removed symlink or FIFO: made again, opened, removed */
	REC_FD_MQUEUE = 40,	/* POSIX message queue: name in path; IMG_REC_MQUEUE (lib/kinds/mqueue.c) */
};
#define REC_FD_EFD_SEMAPHORE	(1u << 0)	/* rec_fd.xflags */
#define REC_FD_PIDFD_DEAD	(1u << 0)	/* rec_fd.xflags of a pidfd: its process exited */
#define REC_FD_PIDFD_EXIT	(1u << 1)	/* ... and ->count is its wait status */
#define REC_FD_FIFO_DELETED	(1u << 0)	/* rec_fd.xflags of REC_FD_FIFO: its name was removed */
#define REC_FD_PTY_MASTER	(1u << 0)	/* rec_fd.xflags of REC_FD_PTY: the /dev/ptmx end */
#define REC_FD_PTY_DEVTTY	(1u << 1)	/* ... an open of /dev/tty (the slave, as ctty) */

struct rec_fd {
	int32_t fd;
	uint32_t kind;			/* enum rec_fd_kind */
	uint32_t flags;			/* open(2) flags of the description, O_CLOEXEC excluded */
	uint32_t fd_flags;		/* FD_CLOEXEC */
	int32_t desc;			/* lowest fd sharing the open file description */
	int32_t obj;			/* lowest fd of the same pipe/FIFO/memfd/deleted file; else desc */
	int32_t inherit_fd;		/* REC_FD_INHERIT: 0, 1 or 2; else -1 */
	uint32_t mode;			/* st_mode at dump */
	uint64_t pos;			/* file position */
	uint64_t size;			/* st_size at dump; pipes and FIFOs: bytes buffered */
	int64_t mtime_sec;
	int64_t mtime_nsec;
	uint64_t dev, ino, rdev;	/* st_dev, st_ino, st_rdev at dump */
	uint32_t uid, gid;
	uint64_t count;			/* eventfd counter; signalfd: mask, bit N-1 for signal N;
					 * pidfd: PID, or wait status (REC_FD_PIDFD_EXIT) */
	uint32_t xflags;		/* REC_FD_EFD_*, REC_FD_PIDFD_* */
	uint32_t pipe_size;		/* F_GETPIPE_SZ of pipes and FIFOs */
	uint32_t seals;			/* memfd: F_GET_SEALS */
	uint32_t path_len;		/* followed by path_len bytes, no NUL */
};

/*
 * An inotify instance (REC_FD_INOTIFY), one per description, right after
 * the FD record of its lowest fd: its watches in increasing wd order, each
 * with the path that led to the watched inode at the dump, then the paths.
 */
struct rec_inotify {
	int32_t fd;			/* rec_fd.desc of the instance */
	uint32_t nr;			/* rec_inotify_watch[nr] follow */
	uint64_t queued;		/* bytes of events queued, not read, at the dump */
};

struct rec_inotify_watch {
	int32_t wd;
	uint32_t mask;			/* IN_* events, IN_ONESHOT, IN_EXCL_UNLINK */
	uint64_t dev, ino;		/* st_dev, st_ino of the watched inode */
	uint32_t path_off, path_len;	/* into the bytes after the array; absolute, no NUL */
};

/*
 * A fanotify group (REC_FD_FANOTIFY), one per description, right after the
 * FD record of its lowest fd: fanotify_init's flags and event flags, then
 * its marks in fdinfo's order, each with the path it is made again on,
 * then the paths.
 */
struct rec_fanotify {
	int32_t fd;			/* rec_fd.desc of the group */
	uint32_t nr;			/* rec_fanotify_mark[nr] follow */
	uint32_t flags;			/* fanotify_init's: FAN_CLASS_*, FAN_REPORT_*, FAN_CLOEXEC, ... */
	uint32_t event_flags;		/* event_f_flags */
	uint64_t queued;		/* bytes of events queued, not read, at the dump */
};

enum rec_fan_mark_type {
	REC_FAN_MARK_INODE = 0,
	REC_FAN_MARK_MOUNT = 1,
	REC_FAN_MARK_FILESYSTEM = 2,
};

struct rec_fanotify_mark {
	uint32_t type;			/* enum rec_fan_mark_type */
	uint32_t mflags;		/* FAN_MARK_IGNORED_SURV_MODIFY, _EVICTABLE, _IGNORE */
	uint32_t mask, ignored_mask;	/* FAN_* events */
	uint64_t dev, ino;		/* inode: its st_dev, st_ino; mount: 0, its mount id;
					 * filesystem: its st_dev, 0 */
	uint32_t path_off, path_len;	/* into the bytes after the array; absolute, no NUL */
};

struct rec_file_data {
	int32_t fd;			/* rec_fd.obj of the object */
	uint32_t pad;
	uint64_t offset;		/* in the file; pipes: in the buffered bytes */
	uint64_t len;			/* followed by len bytes */
};

/*
 * A timerfd (REC_FD_TIMERFD), one per description.  Times are what was
 * left at the dump; the restore arms the timer again relative to the
 * moment it does so, except an absolute timer of the wall clock, which
 * expires at the same wall-clock time (wall_*).
 */
struct rec_timerfd {
	int32_t fd;			/* rec_fd.desc of the timerfd */
	int32_t clockid;		/* CLOCK_REALTIME, MONOTONIC, BOOTTIME or an _ALARM one */
	uint32_t settime_flags;		/* TFD_TIMER_ABSTIME, TFD_TIMER_CANCEL_ON_SET */
	uint32_t pad;
	uint64_t ticks;			/* expirations not read yet */
	uint64_t value_sec, value_nsec;	/* left until the next expiry; 0: disarmed */
	uint64_t interval_sec, interval_nsec;
	uint64_t wall_sec, wall_nsec;	/* armed, TFD_TIMER_ABSTIME, CLOCK_REALTIME(_ALARM):
					 * the expiry in CLOCK_REALTIME; else 0 */
};

/*
 * An epoll (REC_FD_EPOLL), one per description: what it watches.  Each
 * entry is the file at fd tfd of the process, which the dump checked
 * (kcmp KCMP_EPOLL_TFD), in the kernel's order.  events are as the kernel
 * keeps them: EPOLLERR|EPOLLHUP added, and a one-shot entry that fired
 * has only its EPOLLONESHOT/EPOLLET/EPOLLWAKEUP bits left (disarmed).
 */
struct rec_epoll {
	int32_t fd;			/* rec_fd.desc of the epoll */
	uint32_t nr;			/* followed by nr struct rec_epoll_tfd */
};

struct rec_epoll_tfd {
	int32_t tfd;
	uint32_t events;		/* EPOLL* */
	uint64_t data;			/* epoll_event.data */
};

/*
 * An AF_UNIX socket (REC_FD_UNIX), one per description: one end of an
 * unbound connected pair whose other end is in the process too (both ends'
 * descriptions have the pair's lowest fd as rec_fd.obj).  Its receive
 * queue follows in IMG_REC_UNIX_QUEUE records, in order.
 */
/* The owner and signal of the description of fd @fd (lib/kinds/fown.c). */
struct rec_fd_own {
	int32_t fd;			/* its lowest fd */
	uint32_t type;			/* F_OWNER_TID or F_OWNER_PID */
	int32_t pid;			/* 0: none */
	uint32_t sig;			/* F_SETSIG; 0: SIGIO */
};

struct rec_unix {
	int32_t fd;			/* rec_fd.desc of this end */
	int32_t peer;			/* rec_fd.desc of the other end; -1: in another process (a tree's) */
	uint32_t type;			/* SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET */
	uint32_t shutdown;		/* of this end: 1 receive, 2 send (the kernel's sk_shutdown) */
	uint32_t sndbuf, rcvbuf;	/* SO_SNDBUF, SO_RCVBUF as getsockopt gives them */
	int32_t peek_off;		/* SO_PEEK_OFF; -1: not used */
	int32_t rcvlowat;		/* SO_RCVLOWAT */
	uint32_t opts;			/* REC_UNIX_PASS* */
	uint32_t peer_ino;		/* peer -1: the other end's socket inode (IMG_REC_TREE_UNIX); else 0 */
	int64_t rcvtimeo_sec, rcvtimeo_usec;	/* SO_RCVTIMEO */
	int64_t sndtimeo_sec, sndtimeo_usec;	/* SO_SNDTIMEO */
	uint32_t cred_uid, cred_gid;	/* uid and gid of messages with REC_UNIX_MSG_CREDS */
};
#define REC_UNIX_PASSCRED	(1u << 0)	/* rec_unix.opts: SO_PASSCRED */
#define REC_UNIX_PASSSEC	(1u << 1)	/* SO_PASSSEC */
#define REC_UNIX_PASSPIDFD	(1u << 2)	/* SO_PASSPIDFD (6.5+) */

/*
 * Part of the receive queue of rec_unix fd: nr messages (SOCK_STREAM:
 * pieces of the byte stream), their lengths and flags, then their bytes
 * one after the other (len in all).
 */
struct rec_unix_queue {
	int32_t fd;			/* rec_unix.fd of the receiving end */
	uint32_t nr;			/* followed by nr struct rec_unix_msg */
	uint64_t len;			/* then len bytes */
};

struct rec_unix_msg {
	uint32_t len;
	uint32_t flags;			/* REC_UNIX_MSG_* */
};
/* Sent by the process itself with its credentials attached (SCM_CREDENTIALS). */
#define REC_UNIX_MSG_CREDS	(1u << 0)

/*
 * An AF_INET or AF_INET6 socket (REC_FD_INET), one per description, right
 * after the FD record of its lowest fd: a TCP socket that listens, or that
 * is not connected (bound or not); a UDP socket, bound or not, connected
 * or not, whose queued datagrams follow in IMG_REC_INET_QUEUE records.  Addresses are in network order (IPv4 in
 * the first 4 bytes), ports in host order.  nr_opts struct rec_inet_opt
 * follow, the options whose value differs from a new socket's, in the
 * order the restore sets them; then nr_filter struct sock_filter, its
 * classic BPF filter (SO_ATTACH_FILTER).
 */
struct rec_inet {
	int32_t fd;			/* rec_fd.desc of the socket */
	uint32_t family;		/* AF_INET, AF_INET6 */
	uint32_t type;			/* SOCK_STREAM (TCP), SOCK_DGRAM (UDP) */
	uint32_t protocol;		/* IPPROTO_TCP, IPPROTO_UDP */
	uint32_t state;			/* the kernel's: TCP_LISTEN 10, TCP_CLOSE 7; UDP connected: 1 */
	uint32_t backlog;		/* listening: listen()'s backlog as the kernel keeps it */
	uint32_t shutdown;		/* 1 receive, 2 send (the kernel's sk_shutdown) */
	uint32_t events;		/* poll() revents at the dump, which the restored socket must give */
	uint8_t addr[16];		/* local address (getsockname) */
	uint8_t peer_addr[16];		/* UDP connected: the peer's */
	uint16_t port, peer_port;
	uint32_t scope_id, peer_scope_id;	/* AF_INET6: sin6_scope_id */
	uint32_t flags;			/* REC_INET_* */
	uint32_t nr_opts;
	uint32_t nr_filter;
};
#define REC_INET_BOUND		(1u << 0)	/* rec_inet.flags: bind() to addr, port */
#define REC_INET_FILTER_LOCKED	(1u << 1)	/* SO_LOCK_FILTER after the filter */

/*
 * An AF_UNIX socket that listens or is not connected (REC_FD_UNIX_SK), one
 * per description, right after the FD record of its lowest fd: its name
 * (none, a path, or an abstract name: name[0] is 0), and for a path the
 * socket file's identity, mode and owner at the dump.  nr_opts struct
 * rec_inet_opt follow (its SOL_SOCKET options that differ from a new
 * socket's).
 */
struct rec_unix_sk {
	int32_t fd;			/* rec_fd.desc of the socket */
	uint32_t type;			/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	uint32_t state;			/* TCP_LISTEN 10; TCP_CLOSE 7: not connected; 1: its peer closed */
	uint32_t backlog;		/* listening: listen()'s backlog as the kernel keeps it */
	uint32_t flags;			/* REC_UNIX_SK_* */
	uint32_t events;		/* poll() revents at the dump */
	uint32_t shutdown;		/* 1 receive, 2 send */
	uint32_t name_len;		/* bytes of name used; 0: not bound */
	uint32_t mode, uid, gid;	/* the socket file's (a path whose file is there) */
	uint32_t nr_opts;
	uint64_t dev, ino;		/* the socket file's (sock_diag UNIX_DIAG_VFS) */
	uint8_t name[108];		/* sun_path as getsockname gives it */
	uint32_t pad;
};
#define REC_UNIX_SK_DELETED	(1u << 0)	/* its file was unlinked: bind, then unlink */

/*
 * Part of the receive queue of UDP socket rec_inet fd: nr datagrams, each
 * with its length and sender, then their bytes one after the other (len
 * in all), in queue order.
 */
struct rec_inet_queue {
	int32_t fd;			/* rec_inet.fd */
	uint32_t nr;			/* followed by nr struct rec_inet_msg */
	uint64_t len;			/* then len bytes */
};

struct rec_inet_msg {
	uint32_t len;
	uint16_t port;			/* the sender's, host order */
	uint16_t family;		/* of the sender's address: AF_INET, AF_INET6 */
	uint32_t scope_id;
	uint32_t pad;
	uint8_t addr[16];		/* the sender's, network order */
};

/*
 * An established TCP connection (--tcp-established), right after the
 * IMG_REC_INET record of its socket, as TCP_REPAIR reads it: the sequence
 * numbers past each queue, the queues' bytes (sndq_len bytes of the send
 * queue, sent and not acknowledged or not sent yet, then rcvq_len bytes
 * of the receive queue, not read yet), what the handshake agreed (MSS,
 * window scales, SACK, timestamps), the timestamp clock and the window.
 */
struct rec_inet_tcp {
	int32_t fd;			/* rec_inet.fd */
	uint32_t flags;			/* REC_TCP_* */
	uint32_t snd_seq;		/* write_seq: past the last byte of the send queue */
	uint32_t rcv_seq;		/* rcv_nxt: past the last byte received */
	uint32_t sndq_len;		/* bytes of the send queue (SIOCOUTQ) */
	uint32_t unsent_len;		/* of them, not sent yet (SIOCOUTQNSD) */
	uint32_t rcvq_len;		/* bytes of the receive queue (SIOCINQ) */
	uint32_t mss;			/* the MSS clamp (TCP_MAXSEG in repair mode) */
	uint32_t snd_wscale, rcv_wscale;	/* REC_TCP_WSCALE */
	uint32_t timestamp;		/* TCP_TIMESTAMP */
	uint32_t snd_wl1, snd_wnd, max_window, rcv_wnd, rcv_wup;	/* TCP_REPAIR_WINDOW */
};
#define REC_TCP_SACK		(1u << 0)	/* SACK permitted */
#define REC_TCP_TSTAMP		(1u << 1)	/* timestamps */
#define REC_TCP_WSCALE		(1u << 2)	/* window scaling */

/*
 * The network lock a dump with --tcp-established took (one record, after
 * the files' records): an nftables table of family inet that drops the
 * packets of exactly the connections listed, both ways, so that the peer
 * is answered neither with data nor with a reset while no process holds
 * them.  REC_NETLOCK_HELD: the dump left it in place (the process was
 * killed); the restore removes it once the sockets are back.
 */
struct rec_netlock {
	char table[32];			/* its name, "sudcr_" [0-9a-z_], NUL-terminated */
	uint32_t flags;			/* REC_NETLOCK_* */
	uint32_t nr;			/* followed by nr struct rec_netlock_conn */
};
#define REC_NETLOCK_HELD	(1u << 0)

struct rec_netlock_conn {
	uint32_t family;		/* of the packets: AF_INET (v4-mapped too), AF_INET6 */
	uint16_t port, peer_port;	/* host order */
	uint8_t addr[16], peer_addr[16];	/* network order, IPv4 in the first 4 bytes */
};

struct rec_inet_opt {
	int32_t level;			/* SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_TCP, IPPROTO_UDP */
	int32_t name;			/* one of lib/kinds/inet.c's table */
	uint32_t len;			/* bytes of val, as getsockopt gave them */
	uint32_t pad;
	uint8_t val[32];
};

/*
 * An AF_NETLINK socket (REC_FD_NETLINK), one per description, right after
 * the FD record of its lowest fd.  Followed by nr_opts struct rec_inet_opt
 * (its SOL_SOCKET options of inet.c's table that differ from a new
 * socket's), nr_nlopts more (its SOL_NETLINK ones of netlink.c's table
 * that differ), nr_groups uint32_t (NETLINK_LIST_MEMBERSHIPS: bit b of
 * word w is group 32 * w + b + 1; trailing zero words left out) and
 * nr_filter struct sock_filter (its classic BPF filter).
 */
struct rec_netlink {
	int32_t fd;			/* rec_fd.desc of the socket */
	uint32_t type;			/* SOCK_RAW, SOCK_DGRAM */
	uint32_t protocol;		/* NETLINK_ROUTE, ... (SO_PROTOCOL) */
	uint32_t flags;			/* REC_NETLINK_* */
	uint32_t portid;		/* bound: its port id (getsockname nl_pid); else 0 */
	uint32_t dst_portid, dst_group;	/* connected: getpeername's nl_pid, nl_groups */
	uint32_t events;		/* poll() revents at the dump, POLLIN left out */
	uint32_t nr_opts, nr_nlopts, nr_groups, nr_filter;
};
#define REC_NETLINK_BOUND	(1u << 0)	/* bind() to portid */
#define REC_NETLINK_CONNECTED	(1u << 1)	/* connect() to dst_portid, dst_group */
#define REC_NETLINK_FILTER_LOCKED (1u << 2)	/* SO_LOCK_FILTER after the filter */

/*
 * An AF_PACKET socket (REC_FD_PACKET), one per description, right after
 * the FD record of its lowest fd.  Followed by nr_opts struct rec_inet_opt
 * (SOL_SOCKET, as rec_netlink's), nr_popts more (SOL_PACKET, packet.c's
 * table), nr_mc struct rec_packet_mc (PACKET_ADD_MEMBERSHIP, from
 * packet_diag) and nr_filter struct sock_filter.
 */
struct rec_packet {
	int32_t fd;			/* rec_fd.desc of the socket */
	uint32_t type;			/* SOCK_RAW, SOCK_DGRAM */
	uint32_t protocol;		/* SO_PROTOCOL (what socket() was given, network order) */
	uint32_t num;			/* the protocol it is hooked to: sll_protocol, network order */
	int32_t ifindex;		/* sll_ifindex of its bind, 0: every device */
	uint32_t flags;			/* REC_PACKET_* */
	uint32_t events;		/* poll() revents at the dump, POLLIN left out */
	uint32_t pdi_flags;		/* packet_diag's PDI_* (PDI_RUNNING, PDI_AUXDATA, ...) */
	uint32_t copy_thresh;		/* packet_diag's pdi_copy_thresh (PACKET_COPY_THRESH) */
	uint32_t nr_opts, nr_popts, nr_mc, nr_filter;
	uint32_t pad;
	char ifname[16];		/* ifindex's name at the dump (NUL-padded), "" for 0 */
};
#define REC_PACKET_FILTER_LOCKED (1u << 0)	/* SO_LOCK_FILTER after the filter */

struct rec_packet_mc {
	int32_t ifindex;
	uint32_t count;			/* how many times it was added (1 or more) */
	uint16_t type;			/* PACKET_MR_MULTICAST, _PROMISC, _ALLMULTI, _UNICAST */
	uint16_t alen;			/* bytes of addr, at most 32 */
	uint32_t pad;
	uint8_t addr[32];
	char ifname[16];		/* ifindex's name at the dump */
};

/*
 * A file lock held through the description of rec_fd fd, as
 * /proc/PID/fdinfo shows it: its flock (one per description), an OFD lock
 * (F_OFD_SETLK), or a POSIX record lock (F_SETLK) of the process that it
 * took through this description.  The restore takes it again on the
 * restored description, without waiting.
 */
enum rec_lock_kind {
	REC_LOCK_FLOCK = 1,		/* flock(2): start and len 0 */
	REC_LOCK_OFD = 2,		/* F_OFD_SETLK */
	REC_LOCK_POSIX = 3,		/* F_SETLK, owned by the process */
};

struct rec_lock {
	int32_t fd;			/* rec_fd.desc of the description */
	uint32_t kind;			/* enum rec_lock_kind */
	uint32_t type;			/* F_RDLCK (0, flock LOCK_SH) or F_WRLCK (1, LOCK_EX) */
	uint32_t pad;
	uint64_t start;			/* first byte */
	uint64_t len;			/* bytes; 0: from start to any end (struct flock's l_len 0) */
};

/*
 * The job's external terminal (--shell-job): one record, right after the
 * FD record of the lowest REC_FD_TTY fd, when the process has any.  Every
 * REC_FD_TTY fd is restored as a new open of the terminal of sudcr
 * restore, to which these modes are applied.
 */
struct rec_termios {
	uint32_t iflag, oflag, cflag, lflag;	/* struct termios */
	uint32_t ispeed, ospeed;
	uint8_t line;
	uint8_t pad[3];
	uint8_t cc[32];			/* c_cc[], NCCS of glibc (the kernel uses 19) */
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;	/* TIOCGWINSZ */
	uint32_t pad2;
};

struct rec_tty {
	int32_t fd;			/* the lowest REC_FD_TTY fd */
	uint32_t flags;			/* REC_TTY_* */
	uint64_t rdev;			/* the terminal at the dump (TIOCGDEV) */
	struct rec_termios m;		/* its modes and window size */
};
#define REC_TTY_CTTY		(1u << 0)	/* it was the controlling terminal */

/*
 * A pseudo-terminal pair of the tree (REC_FD_PTY, lib/kinds/pty.c), one
 * per pty the process holds an end of, right after the FD record of the
 * object's lowest fd.  The modes are the slave's (those a program sets).
 * The queued bytes (in_len bytes typed into the master, not yet read
 * from the slave, then out_len bytes written to the slave, not yet read
 * from the master) follow, in the record of the process holding the
 * master only.  In a canonical-mode input queue, a line that was ended
 * by VEOF is stored with that VEOF byte; the line being typed comes last.
 */
struct rec_pty {
	int32_t fd;			/* rec_fd.obj of the pty's fds */
	uint32_t index;			/* N of /dev/pts/N */
	uint32_t flags;			/* REC_PTY_* */
	int32_t pgrp;			/* REC_PTY_CTTY: the foreground process group, 0 if none */
	uint32_t in_len, out_len;	/* bytes that follow */
	struct rec_termios m;		/* the slave's modes and window size */
};
#define REC_PTY_CTTY		(1u << 0)	/* the process leads the session it is the terminal of */
#define REC_PTY_LOCKED		(1u << 1)	/* TIOCGPTLCK: the slave is locked */
#define REC_PTY_PKT		(1u << 2)	/* TIOCGPKT: packet mode */
#define REC_PTY_EXCL		(1u << 3)	/* TIOCGEXCL on the slave: exclusive mode */

/*
 * A pipe or FIFO of which the process holds one end only, the other being
 * held outside the process at the dump: right after the FD record (and
 * data) of the object's lowest fd.  The PIDs are those sudcr saw holding
 * it, for the warnings; a pipe whose other end was closed everywhere has
 * no such record (it is restored exactly).
 */
struct rec_pipe_outside {
	int32_t fd;			/* rec_fd.obj of the pipe or FIFO */
	uint32_t outside;		/* the end the process lacks: REC_PIPE_READ or _WRITE */
	uint32_t nr_pids;		/* followed by nr_pids int32_t */
	uint32_t pad;
};
#define REC_PIPE_READ		1u
#define REC_PIPE_WRITE		2u
#define REC_PIPE_PIDS_MAX	64

/*
 * Other process and thread state (lib/dump/misc.c).  Exactly one
 * IMG_REC_MISC; its counts say how many records of the other misc types
 * the image holds, so that a missing one is noticed.
 */
struct rec_misc {
	uint32_t umask;
	int32_t dumpable;		/* PR_GET_DUMPABLE: 0, 1 or 2 */
	uint32_t child_subreaper;	/* PR_GET_CHILD_SUBREAPER: 0 or 1 */
	uint32_t nr_rlimits;		/* IMG_REC_RLIMIT records */
	uint32_t nr_itimers;		/* IMG_REC_ITIMER records */
	uint32_t nr_posix_timers;	/* IMG_REC_POSIX_TIMER records */
	uint32_t nr_seccomp;		/* IMG_REC_SECCOMP records */
	uint32_t cwd_len;		/* followed by cwd_len bytes of cwd, then */
	uint32_t root_len;		/* root_len bytes of root: absolute, no NUL */
	uint32_t pad;
};

struct rec_thread_misc {
	int32_t tid;
	uint32_t personality;
	uint64_t rseq_ptr;		/* 0: no rseq area registered */
	uint32_t rseq_len;
	uint32_t rseq_sig;
	uint32_t rseq_flags;
	int32_t pdeathsig;		/* PR_GET_PDEATHSIG */
	uint64_t robust_list;		/* get_robust_list() head and length */
	uint64_t robust_len;
	uint64_t clear_child_tid;	/* PR_GET_TID_ADDRESS */
	uint32_t no_new_privs;
	uint32_t seccomp_mode;		/* 0 off, 1 strict, 2 filter */
	char comm[16];			/* NUL-terminated */
};

struct rec_rlimit {
	uint32_t resource;		/* RLIMIT_* */
	uint32_t pad;
	uint64_t cur;			/* ~0: RLIM_INFINITY */
	uint64_t max;
};

struct rec_itimer {
	uint32_t which;			/* ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF */
	uint32_t pad;
	uint64_t value_sec, value_usec;	/* left until expiry; 0: disarmed */
	uint64_t interval_sec, interval_usec;
};

struct rec_posix_timer {
	int32_t id;			/* kernel timer id, restored as is */
	int32_t clock_id;		/* negative: CPU clock of a pid or tid */
	int32_t signo;
	int32_t notify;			/* SIGEV_NONE/SIGNAL/THREAD, | SIGEV_THREAD_ID */
	int32_t notify_tid;		/* target thread for SIGEV_THREAD_ID */
	uint32_t pad;
	uint64_t sigval;		/* sigev_value */
	uint64_t value_sec, value_nsec;	/* left until expiry; 0: disarmed */
	uint64_t interval_sec, interval_nsec;
};

struct rec_seccomp {
	int32_t tid;			/* 0: the chain of every thread */
	uint32_t index;			/* place in the chain, 0 the oldest */
	uint32_t flags;			/* SECCOMP_FILTER_FLAG_LOG or 0 */
	uint32_t nr_insns;		/* followed by nr_insns struct sock_filter */
};

/*
 * Process-wide attributes (lib/kinds/procattr.c): exactly one record.
 * membarrier registrations are found by issuing each registered-only
 * command in the process (EPERM: not registered); the registration for
 * MEMBARRIER_CMD_GLOBAL_EXPEDITED cannot be found that way and is not kept.
 */
struct rec_procattr {
	int32_t oom_score_adj;		/* /proc/PID/oom_score_adj: -1000..1000 */
	uint32_t thp_disable;		/* PR_GET_THP_DISABLE: 0, 1, or 3 (1 | EXCEPT_ADVISED) */
	uint32_t membarrier;		/* REC_MEMBARRIER_* registered */
	uint32_t mdwe;			/* PR_GET_MDWE: PR_MDWE_REFUSE_EXEC_GAIN, _NO_INHERIT */
	uint32_t memory_merge;		/* PR_GET_MEMORY_MERGE: 0 or 1 (KSM for every mapping) */
	uint32_t pad;
};
#define REC_MEMBARRIER_PRIVATE_EXPEDITED	(1u << 0)
#define REC_MEMBARRIER_SYNC_CORE		(1u << 1)	/* ..._PRIVATE_EXPEDITED_SYNC_CORE */
#define REC_MEMBARRIER_RSEQ			(1u << 2)	/* ..._PRIVATE_EXPEDITED_RSEQ */
#define REC_THP_DISABLE_EXCEPT_ADVISED		(1u << 1)	/* rec_procattr.thp_disable */

/*
 * Scheduling of one thread (lib/kinds/sched.c): one record per thread of
 * rec_thread.  The values are those of sched_getattr(2), getpriority(2),
 * ioprio_get(2), sched_getaffinity(2) (without the pinning of the dump's
 * own injection) and PR_GET_TIMERSLACK.
 */
struct rec_sched {
	int32_t tid;
	uint32_t policy;		/* SCHED_OTHER, FIFO, RR, BATCH, IDLE, DEADLINE */
	uint64_t flags;			/* SCHED_FLAG_RESET_ON_FORK */
	int32_t nice;			/* -20..19, also kept for FIFO/RR threads */
	uint32_t priority;		/* FIFO/RR: 1..99; else 0 */
	uint64_t dl_runtime, dl_deadline, dl_period;	/* SCHED_DEADLINE, ns */
	uint32_t ioprio;		/* IOPRIO_PRIO_VALUE(class, level); 0: none set */
	uint32_t nr_cpus;		/* CPUs described by cpus[]: 1024 */
	uint64_t timerslack_ns;		/* PR_GET_TIMERSLACK (0 for FIFO/RR/DEADLINE threads) */
	uint64_t cpus[16];		/* CPU affinity: bit N%64 of cpus[N/64] for CPU N */
};

/*
 * Per-thread x86 execution controls (lib/kinds/procattr.c): one record per
 * thread of rec_thread.
 */
struct rec_thread_attr {
	int32_t tid;
	uint32_t tsc;			/* PR_GET_TSC: PR_TSC_ENABLE (1) or PR_TSC_SIGSEGV (2) */
	uint32_t cpuid;			/* ARCH_GET_CPUID: 1 enabled, 0 faulting (SIGSEGV) */
	uint32_t pad;
};

/*
 * The times of a deleted file (REC_FD_DELETED) that the restore creates
 * again; follows the IMG_REC_FILE_DATA records of its object.
 */
struct rec_file_times {
	int32_t fd;			/* rec_fd.obj of the object */
	uint32_t pad;
	int64_t atime_sec, atime_nsec;
	int64_t mtime_sec, mtime_nsec;
};

/*
 * The credentials of one thread (threads may differ: the raw syscalls
 * change only the calling thread's), as /proc/PID/task/TID/status shows
 * them, and its securebits (PR_GET_SECUREBITS).  Capability sets are
 * bit masks of CAP_* numbers.  no_new_privs is also in rec_thread_misc,
 * which sets it; here it is what the restore checks at the end.
 */
struct rec_creds {
	int32_t tid;
	uint32_t securebits;		/* SECBIT_* (PR_GET_SECUREBITS), keep_caps included */
	uint32_t uid[4];		/* real, effective, saved, filesystem */
	uint32_t gid[4];
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	uint32_t no_new_privs;
	uint32_t nr_groups;		/* followed by nr_groups uint32_t supplementary gids */
};
#define REC_CREDS_MAX_GROUPS	65536	/* NGROUPS_MAX */

/*
 * The namespaces the process was in, which were sudcr's: st_dev and
 * st_ino of /proc/PID/ns/NAME, both 0 where the kernel has no such kind.
 */
enum rec_ns_kind {
	REC_NS_PID,
	REC_NS_PID_FOR_CHILDREN,
	REC_NS_USER,
	REC_NS_MNT,
	REC_NS_NET,
	REC_NS_IPC,
	REC_NS_UTS,
	REC_NS_CGROUP,
	REC_NS_TIME,
	REC_NS_TIME_FOR_CHILDREN,
	REC_NS_NR
};

struct rec_ns_id {
	uint64_t dev, ino;
};

struct rec_namespaces {
	uint32_t nr;			/* REC_NS_NR */
	uint32_t pad;
	struct rec_ns_id ns[REC_NS_NR];	/* by enum rec_ns_kind */
};

#endif
