// SPDX-License-Identifier: MIT
/*
 * Credentials per thread.  With raw syscalls, which change only the
 * calling thread (glibc's wrappers would change them all):
 *   main:  groups 5,6,7, gids 1003/1004/1005/1006, uids 1001/1002/1007/1002,
 *          kept its capabilities through the uid change (SECBIT_KEEP_CAPS):
 *          permitted KILL CHOWN NET_BIND_SERVICE SETPCAP, effective KILL,
 *          inheritable KILL CHOWN (CHOWN no longer in its bounding set),
 *          ambient KILL, securebits KEEP_CAPS|NO_CAP_AMBIENT_RAISE;
 *   one:   groups 9, gids 2003, uids 2001/2002/2003: no capabilities left;
 *   two:   still uid 0 but fsuid 3000, fsgid 3001, NET_RAW out of its
 *          bounding and effective sets, no_new_privs.
 * Changing ids resets the dumpable flag and the parent-death signal; both
 * are set again afterwards (dumpable 1, thread one's parent-death signal
 * SIGUSR2) and must stay so.
 *
 * After "go" each thread's Uid, Gid, Groups, Cap* and NoNewPrivs lines of
 * /proc/self/task/TID/status and its PR_GET_SECUREBITS must be what they
 * were, and thread one, with no capabilities, must still be unable to
 * become root again.
 */
#include <linux/capability.h>
#include <linux/securebits.h>

#include "progs/thr.h"

#define CAP(x) (1ULL << (x))

/* ia32: the calls with 32-bit ids (the plain ones take 16-bit ids). */
#ifdef __i386__
#define NR_SETGROUPS	SYS_setgroups32
#define NR_SETRESUID	SYS_setresuid32
#define NR_SETRESGID	SYS_setresgid32
#define NR_SETFSUID	SYS_setfsuid32
#define NR_SETFSGID	SYS_setfsgid32
#else
#define NR_SETGROUPS	SYS_setgroups
#define NR_SETRESUID	SYS_setresuid
#define NR_SETRESGID	SYS_setresgid
#define NR_SETFSUID	SYS_setfsuid
#define NR_SETFSGID	SYS_setfsgid
#endif

struct thr {
	volatile pid_t tid;
	volatile uint32_t set_up;	/* its credentials are set (or failed: err) */
	volatile uint32_t gate;
	char err[128];
	char before[1024], after[1024];
	long bits_before, bits_after;
	long back_to_root;		/* thread one: setresuid(0, 0, 0) after go */
	int pdeathsig;			/* thread one: PR_GET_PDEATHSIG after go */
	pthread_t t;
};

static struct thr t[3];

/* The credential lines of thread @tid, in one string. */
static void creds_lines(pid_t tid, char *out, size_t size)
{
	static const char *const keys[] = { "Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:",
					    "CapBnd:", "CapAmb:", "NoNewPrivs:" };
	char path[64], buf[4096], *line, *save;
	size_t used = 0;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	if (prog_read_file(path, buf, sizeof(buf)) < 0) {
		snprintf(out, size, "(cannot read %s)", path);
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (!strncmp(line, keys[k], strlen(keys[k])) && used < size)
				used += snprintf(out + used, size - used, "%s; ", line);
}

static int capset_raw(uint64_t inh, uint64_t prm, uint64_t eff)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)prm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32) },
	};

	return syscall(SYS_capset, &h, d);
}

#define TRY(x)                                                                  \
	do {                                                                    \
		if ((x) < 0) {                                                  \
			snprintf(me->err, sizeof(me->err), "%s: %s", #x, strerror(errno)); \
			return -1;                                              \
		}                                                               \
	} while (0)

static int set_main(struct thr *me)
{
	const gid_t groups[] = { 5, 6, 7 };
	const uint64_t prm = CAP(CAP_KILL) | CAP(CAP_CHOWN) | CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_SETPCAP);

	TRY(syscall(NR_SETGROUPS, 3, groups));
	TRY(syscall(NR_SETRESGID, 1003, 1004, 1005));
	syscall(NR_SETFSGID, 1006);
	TRY(prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS, 0, 0, 0));
	TRY(syscall(NR_SETRESUID, 1001, 1002, 1007));
	TRY(capset_raw(CAP(CAP_KILL) | CAP(CAP_CHOWN), prm, CAP(CAP_KILL) | CAP(CAP_SETPCAP)));
	TRY(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0));
	TRY(prctl(PR_CAPBSET_DROP, CAP_CHOWN, 0, 0, 0));
	TRY(prctl(PR_CAPBSET_DROP, CAP_SYS_MODULE, 0, 0, 0));
	TRY(prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS | SECBIT_NO_CAP_AMBIENT_RAISE, 0, 0, 0));
	TRY(capset_raw(CAP(CAP_KILL) | CAP(CAP_CHOWN), prm, CAP(CAP_KILL)));
	return 0;
}

static int set_one(struct thr *me)
{
	const gid_t groups[] = { 9 };

	TRY(syscall(NR_SETGROUPS, 1, groups));
	TRY(syscall(NR_SETRESGID, 2003, 2003, 2003));
	TRY(syscall(NR_SETRESUID, 2001, 2002, 2003));
	TRY(prctl(PR_SET_PDEATHSIG, SIGUSR2, 0, 0, 0));
	return 0;
}

static int set_two(struct thr *me)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	uint64_t prm, eff, inh;

	TRY(syscall(SYS_capget, &h, d));
	prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	eff = d[0].effective | (uint64_t)d[1].effective << 32;
	inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	TRY(prctl(PR_CAPBSET_DROP, CAP_NET_RAW, 0, 0, 0));
	TRY(capset_raw(inh, prm, eff & ~CAP(CAP_NET_RAW)));
	TRY(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	/* They return the old id, never an error: the Uid/Gid lines show them. */
	syscall(NR_SETFSGID, 3001);
	syscall(NR_SETFSUID, 3000);
	return 0;
}

static void *thr_main(void *arg)
{
	struct thr *me = arg;

	me->tid = gettid();
	if (!(me == &t[1] ? set_one(me) : set_two(me))) {
		me->bits_before = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
		creds_lines(me->tid, me->before, sizeof(me->before));
	}
	__atomic_store_n(&me->set_up, 1, __ATOMIC_RELEASE);
	thr_gate_wait(&me->gate);
	me->bits_after = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	creds_lines(me->tid, me->after, sizeof(me->after));
	if (me == &t[1]) {
		prctl(PR_GET_PDEATHSIG, &me->pdeathsig, 0, 0, 0);
		me->back_to_root = syscall(NR_SETRESUID, 0, 0, 0) < 0 ? -errno : 0;
	}
	return NULL;
}

int main(void)
{
	t[0].tid = gettid();
	for (int i = 1; i < 3; i++) {
		thr_create(&t[i].t, thr_main, &t[i], 0);
		while (!__atomic_load_n(&t[i].set_up, __ATOMIC_ACQUIRE))
			thr_sleep_ms(1);
		SETUP(!t[i].err[0], "thread %d: %s", i, t[i].err);
	}
	for (int i = 1; i < 3; i++)
		THR_SETUP_BLOCKED(t[i].tid, SYS_futex, "thread waiting for go");
	/* Last: without CAP_DAC_OVERRIDE, the other threads' /proc/.../syscall are closed to it. */
	SETUP(!set_main(&t[0]), "main thread: %s", t[0].err);
	SETUP(!prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "PR_SET_DUMPABLE");
	t[0].bits_before = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	creds_lines(t[0].tid, t[0].before, sizeof(t[0].before));
	SETUP(strcmp(t[0].before, t[1].before) && strcmp(t[1].before, t[2].before) &&
	      strcmp(t[0].before, t[2].before), "the threads' credentials do not differ: %s / %s / %s",
	      t[0].before, t[1].before, t[2].before);

	prog_ready();
	prog_wait();

	t[0].bits_after = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	creds_lines(t[0].tid, t[0].after, sizeof(t[0].after));
	for (int i = 1; i < 3; i++) {
		int err;

		thr_gate_open(&t[i].gate);
		err = thr_join(t[i].t, NULL);
		CHECK(!err, "thread %d: pthread_join: %s", i, strerror(err));
	}
	for (int i = 0; i < 3; i++) {
		CHECK(!strcmp(t[i].before, t[i].after), "thread %d: before '%s', after '%s'", i, t[i].before,
		      t[i].after);
		CHECK(t[i].bits_before == t[i].bits_after, "thread %d: securebits %#lx, were %#lx", i,
		      t[i].bits_after, t[i].bits_before);
	}
	CHECK(t[1].back_to_root == -EPERM, "thread one, uid 2001 without capabilities, could become root "
	      "again (setresuid: %ld)", t[1].back_to_root);
	CHECK_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	CHECK_EQ(t[1].pdeathsig, SIGUSR2);
	prog_done();
}
