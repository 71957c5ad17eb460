// SPDX-License-Identifier: MIT
/*
 * Credentials of a thread group leader that has exited: main sets its own
 * (raw syscalls: groups 8, gids 1103, uids 1101, no capabilities left) and
 * calls pthread_exit; it stays a zombie whose credentials decide who may
 * signal the process and whose it is in ps.  The other thread has its own
 * (groups 9, gids 1203, uids 1201/1202/1203).
 *
 * After "go" the leader must be a zombie again with the same Uid, Gid,
 * Groups and Cap* lines in /proc/PID/task/PID/status, and the thread its
 * own.
 */
#include "progs/thr.h"

#ifdef __i386__
#define NR_SETGROUPS	SYS_setgroups32
#define NR_SETRESUID	SYS_setresuid32
#define NR_SETRESGID	SYS_setresgid32
#else
#define NR_SETGROUPS	SYS_setgroups
#define NR_SETRESUID	SYS_setresuid
#define NR_SETRESGID	SYS_setresgid
#endif

static pid_t pid;
static volatile uint32_t thread_set;
static char thread_err[128];

static void creds_lines(pid_t tid, char *out, size_t size)
{
	static const char *const keys[] = { "Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:",
					    "CapBnd:", "CapAmb:" };
	char path[64], buf[4096], *line, *save;
	size_t used = 0;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	if (prog_read_file(path, buf, sizeof(buf)) < 0) {
		snprintf(out, size, "(cannot read %s)", path);
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (!strncmp(line, keys[k], strlen(keys[k])) && used < size)
				used += snprintf(out + used, size - used, "%s; ", line);
}

static char leader_state(void)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, pid);
	if (prog_read_file(path, buf, sizeof(buf)) <= 0)
		return '?';
	p = strrchr(buf, ')');
	return p && p[1] ? p[2] : '?';
}

static void *checker(void *arg)
{
	const gid_t groups[] = { 9 };
	char leader_before[1024], leader_after[1024], own_before[1024], own_after[1024];
	pid_t tid = gettid();

	(void)arg;
	if (syscall(NR_SETGROUPS, 1, groups) || syscall(NR_SETRESGID, 1203, 1203, 1203) ||
	    syscall(NR_SETRESUID, 1201, 1202, 1203))
		snprintf(thread_err, sizeof(thread_err), "thread: %s", strerror(errno));
	__atomic_store_n(&thread_set, 1, __ATOMIC_RELEASE);
	while (leader_state() != 'Z')
		thr_sleep_ms(1);
	SETUP(!thread_err[0], "%s", thread_err);
	creds_lines(pid, leader_before, sizeof(leader_before));
	creds_lines(tid, own_before, sizeof(own_before));
	SETUP(strstr(leader_before, "Uid:\t1101\t1101\t1101\t1101") != NULL, "leader: %s", leader_before);

	prog_ready();
	prog_wait();

	CHECK(leader_state() == 'Z', "the leader's state is %c, not a zombie", leader_state());
	creds_lines(pid, leader_after, sizeof(leader_after));
	creds_lines(tid, own_after, sizeof(own_after));
	CHECK(!strcmp(leader_before, leader_after), "leader: before '%s', after '%s'", leader_before,
	      leader_after);
	CHECK(!strcmp(own_before, own_after), "thread: before '%s', after '%s'", own_before, own_after);
	prog_done();
}

int main(void)
{
	const gid_t groups[] = { 8 };
	pthread_t t;

	pid = getpid();
	thr_create(&t, checker, NULL, 0);
	while (!__atomic_load_n(&thread_set, __ATOMIC_ACQUIRE))
		thr_sleep_ms(1);
	SETUP(!syscall(NR_SETGROUPS, 1, groups) && !syscall(NR_SETRESGID, 1103, 1103, 1103) &&
	      !syscall(NR_SETRESUID, 1101, 1101, 1101), "leader: %s", strerror(errno));
	pthread_exit(NULL);
}
