// SPDX-License-Identifier: MIT
/*
 * System V semaphores: what belongs to the process is its undo list, the
 * semadj values its SEM_UNDO operations left, which the kernel adds to
 * the semaphores when the process exits (exit_sem(), clamped to
 * 0..SEMVMX).  No syscall reads them, from /proc or semctl(), in the
 * process or outside it.  The sets and their values are state of the IPC
 * namespace, not of a process (any process may use any set it may access
 * by id): they are neither dumped nor touched.
 *
 * Whether the process has an undo list at all: kcmp(KCMP_SYSVSEM) against
 * a process that surely has none (a fork of sudcr made for the question:
 * sudcr itself has one, empty, as soon as it has made a worker thread,
 * which CLONE_SYSVSEM shares it with).  A list appears with the first
 * semop() with SEM_UNDO, and with the first thread made with CLONE_SYSVSEM
 * (every pthread), so a list may be empty.  Without a list, or while no
 * semaphore set exists, there is nothing to keep; nor when no set was
 * operated on since the process started (every semop() sets its set's
 * otime): a multi-threaded process among sets that others used before it
 * is dumped, --leave-running too.
 *
 * With a list and sets, the undo values are measured by the exit that
 * applies them.  A --leave-running dump cannot know them: refused, one
 * line.  A dump that kills the process records, as late as it can (this
 * kind's dump is the last step, right before the kill), every set of the
 * namespace with each semaphore's value and last operator (GETPID); the
 * kernel's exit_sem() then adds each nonzero semadj to its semaphore and
 * makes the process its last operator.  At restore, in the stub (the
 * process itself, which has no undo list yet), each semaphore is read
 * again: one still with the dump's value and last operator was not
 * touched (semadj 0), and so was every semaphore of a set whose otime is
 * still the dump's and older than the dump's reading (exit_sem() sets the
 * otime of each set it adjusts, as every semop() does); one whose last operator is now the process was
 * adjusted by the exit: its semadj X is its value now minus its value at
 * the dump, and the stub's semop() of -X with SEM_UNDO gives it back its
 * dump's value and the process the semadj X (all of a set in one atomic
 * semop(), IPC_NOWAIT).  Nothing is set with SETVAL or SETALL, which
 * would clear every process's undo values of the semaphore.  A restore
 * that fails later kills the stub, whose exit gives the values back.
 *
 * A set removed since took the process's undo entry on it along (as it
 * would have had the process lived on): nothing to do for it.  Refused at
 * restore, one line each (the undo value cannot be known): a set changed
 * (its ctime: SETVAL, SETALL and IPC_SET, which clear undo values), a
 * semaphore another process operated on
 * since the dump (its last operator is neither the dump's nor the
 * process), and a semaphore the exit may have clamped (left at 0 or
 * SEMVMX by the process).  Refused at the dump: an undo list shared with
 * another process (CLONE_SYSVSEM without CLONE_THREAD: the exit of the
 * last sharer applies it, not the kill), and a tree in which more than
 * one process has an undo list (their exits would add up on a semaphore).
 * Not seen: another process's semop() on a semaphore with an undo value
 * in the moments between this kind's reading and the kill (it is counted
 * in the undo value).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/kcmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cr.h"
#include "image.h"
#include <sudcr/log.h>

#include "../proc/proc.h"
#include "kinds.h"
#include "../show.h"

#define SEM_VMX		32767		/* the kernel's SEMVMX */
#define SEM_NSEMS_MAX	32000		/* the kernel's SEMMSL */

struct rec_sysv_sem_undo {
	int32_t id;
	int32_t key;
	int32_t pid;			/* the process: the exit makes it the last operator */
	uint32_t nsems;			/* followed by nsems of struct rec_sem_val */
	int64_t ctime;
	int64_t otime;			/* sem_otime: the last semop() on it (exit_sem()'s too) */
	int64_t at;			/* when it was read (CLOCK_REALTIME seconds) */
};

struct rec_sem_val {
	int32_t val;			/* GETVAL */
	int32_t sempid;			/* GETPID: the last operator */
};

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

/* ---- dump ---- */

/* The ids of the semaphore sets /proc/sysvipc/sem lists; their number, or -errno. */
static int sem_set_ids(int **ids)
{
	char line[512];
	FILE *f = fopen("/proc/sysvipc/sem", "re");
	int n = 0, *v;

	*ids = NULL;
	if (!f)
		return errno == ENOENT ? 0 : -errno;	/* no CONFIG_SYSVIPC: no sets */
	if (!fgets(line, sizeof(line), f)) {		/* the heading */
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		long long key;
		int id;

		if (sscanf(line, "%lld %d", &key, &id) != 2)
			continue;
		v = realloc(*ids, (n + 1) * sizeof(*v));
		if (!v) {
			fclose(f);
			free(*ids);
			*ids = NULL;
			return -ENOMEM;
		}
		*ids = v;
		v[n++] = id;
	}
	fclose(f);
	return n;
}

static long kcmp_sysvsem(pid_t a, pid_t b)
{
	return syscall(SYS_kcmp, a, b, KCMP_SYSVSEM, 0, 0);
}

/*
 * A child of sudcr without an undo list, paused, to compare undo lists
 * with (kcmp).  Its PID, or -errno.
 */
static pid_t start_reference(void)
{
	pid_t parent = getpid(), pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		/* A killed sudcr leaves no child behind. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(1);
		for (;;)
			pause();
	}
	return pid;
}

static void stop_reference(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Whether @pid has an undo list (1), not (0), or -errno (said). */
static int has_undo_list(pid_t ref, pid_t pid)
{
	long r = kcmp_sysvsem(ref, pid);
	int err = errno;

	if (r < 0) {
		sudcr_error("process %d: cannot tell whether it has System V semaphore undo entries (kcmp): %s",
			    pid, strerror(err));
		return -err;
	}
	return r != 0;
}

/*
 * When @pid started, in CLOCK_REALTIME seconds, or -1: /proc's start time
 * is on CLOCK_BOOTTIME.
 */
static double start_realtime(pid_t pid)
{
	struct timespec rt, bt;
	struct proc_stat st;

	if (proc_parse_stat(pid, 0, &st) || clock_gettime(CLOCK_REALTIME, &rt) || clock_gettime(CLOCK_BOOTTIME, &bt))
		return -1;
	return rt.tv_sec - bt.tv_sec + (rt.tv_nsec - bt.tv_nsec) / 1e9 + (double)st.start_time / sysconf(_SC_CLK_TCK);
}

/*
 * Whether @pid, which has an undo list, may have undo values: a semop()
 * on some set since it started.  Every semop() sets its set's otime (in
 * seconds), the SEM_UNDO ones that make undo values too; a set whose otime
 * ends before the process started (a margin for the clocks' rounding) has
 * no undo values of it.  1 if it may, 0 if not, -errno.
 */
static int may_have_undo_values(pid_t pid, const int *ids, int nr)
{
	double start = start_realtime(pid);

	if (start < 0)
		return 1;
	for (int i = 0; i < nr; i++) {
		struct semid_ds ds;
		union semun arg = { .buf = &ds };

		if (semctl(ids[i], 0, IPC_STAT, arg)) {
			if (errno == EINVAL || errno == EIDRM)
				continue;
			return -errno;
		}
		if (ds.sem_otime && (double)ds.sem_otime + 1.0 > start - 0.05)
			return 1;
	}
	return 0;
}

/* No other process shares the process's undo list, and no other process of its tree has one. */
static int check_alone(struct dump_ctx *d, pid_t ref, const int *ids, int nr)
{
	DIR *dir = opendir("/proc");
	struct dirent *e;
	int ret = 0;

	for (int i = 0; i < d->nr_tree_pids && !ret; i++) {
		if (d->tree_pids[i] == d->pid)
			continue;
		ret = has_undo_list(ref, d->tree_pids[i]);
		if (ret > 0)
			ret = may_have_undo_values(d->tree_pids[i], ids, nr);
		if (ret > 0) {
			sudcr_error("processes %d and %d of the tree both have System V semaphore undo lists (SEM_UNDO): their exits' adjustments cannot be told apart: not supported",
				    d->pid, d->tree_pids[i]);
			ret = -EOPNOTSUPP;
		}
	}
	if (!dir)
		return ret ? ret : -errno;
	while (!ret && (e = readdir(dir))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0 || pid == d->pid || pid == ref)
			continue;
		/* Equal lists: the process's own (it has one), shared.  Gone meanwhile: ESRCH. */
		if (kcmp_sysvsem(d->pid, (pid_t)pid) == 0) {
			sudcr_error("process %d shares its System V semaphore undo list with process %ld (CLONE_SYSVSEM): its undo values are applied when both have exited: not supported",
				    d->pid, pid);
			ret = -EOPNOTSUPP;
		}
	}
	closedir(dir);
	return ret;
}

/* The record of set @id: every semaphore's value and last operator.  0 if the set went meanwhile. */
static int dump_set(struct dump_ctx *d, int id)
{
	struct rec_sysv_sem_undo *rec;
	struct rec_sem_val *v;
	struct semid_ds ds;
	union semun arg = { .buf = &ds };
	unsigned short *vals = NULL;
	size_t len;
	int ret = 0;

	if (semctl(id, 0, IPC_STAT, arg))
		return errno == EINVAL || errno == EIDRM ? 0 : -errno;
	if (!ds.sem_nsems || ds.sem_nsems > SEM_NSEMS_MAX)
		return -EINVAL;
	len = sizeof(*rec) + ds.sem_nsems * sizeof(*v);
	rec = calloc(1, len);
	vals = calloc(ds.sem_nsems, sizeof(*vals));
	if (!rec || !vals) {
		ret = -ENOMEM;
		goto out;
	}
	rec->id = id;
	rec->key = ds.sem_perm.__key;
	rec->pid = d->pid;
	rec->nsems = (uint32_t)ds.sem_nsems;
	rec->ctime = ds.sem_ctime;
	rec->otime = ds.sem_otime;
	rec->at = time(NULL);
	arg.array = vals;
	if (semctl(id, 0, GETALL, arg)) {
		ret = errno == EINVAL || errno == EIDRM ? 0 : -errno;
		goto out;
	}
	v = (struct rec_sem_val *)(rec + 1);
	for (uint32_t i = 0; i < rec->nsems; i++) {
		v[i].val = vals[i];
		v[i].sempid = semctl(id, (int)i, GETPID);
		if (v[i].sempid < 0) {
			ret = errno == EINVAL || errno == EIDRM ? 0 : -errno;
			goto out;
		}
	}
	ret = img_write_record(d->img, IMG_REC_SYSV_SEM_UNDO, rec, len);
out:
	if (ret < 0)
		sudcr_error("cannot read System V semaphore set %d: %s", id, strerror(-ret));
	free(vals);
	free(rec);
	return ret;
}

static int sysv_sem_dump(struct dump_ctx *d)
{
	int *ids, nr = sem_set_ids(&ids), ret;
	pid_t ref;

	if (nr <= 0) {
		if (nr < 0)
			sudcr_error("cannot read /proc/sysvipc/sem: %s", strerror(-nr));
		return nr;
	}
	ref = start_reference();
	if (ref < 0) {
		free(ids);
		sudcr_error("cannot fork: %s", strerror(-ref));
		return ref;
	}
	ret = has_undo_list(ref, d->pid);
	if (ret > 0)
		ret = may_have_undo_values(d->pid, ids, nr);
	if (ret > 0 && d->opts.leave_running) {
		sudcr_error("process %d may have System V semaphore undo values (SEM_UNDO: it has an undo list, and of %d semaphore set%s some were operated on since it started), which only its exit shows: not supported with --leave-running",
			    d->pid, nr, nr == 1 ? "" : "s");
		ret = -EOPNOTSUPP;
	} else if (ret > 0) {
		ret = check_alone(d, ref, ids, nr);
		for (int i = 0; i < nr && !ret; i++)
			ret = dump_set(d, ids[i]);
	}
	stop_reference(ref);
	free(ids);
	return ret < 0 ? ret : 0;
}

/* ---- restore ---- */

struct restore_sysv_sem_state {
	const struct rec_sysv_sem_undo **sets;
	int nr;
};

static void sysv_sem_free(struct restore_ctx *r)
{
	struct restore_sysv_sem_state *s = r->sysv_sem_state;

	if (!s)
		return;
	free(s->sets);
	free(s);
	r->sysv_sem_state = NULL;
}

static int sysv_sem_prepare(struct restore_ctx *r)
{
	struct restore_sysv_sem_state *s = calloc(1, sizeof(*s));
	const void *data;
	uint32_t type;
	size_t len;
	int ret;

	if (!s)
		return -ENOMEM;
	r->sysv_sem_state = s;
	img_rewind(r->img);
	while ((ret = img_next_record(r->img, &type, &data, &len)) == 1) {
		const struct rec_sysv_sem_undo *g = data, **n;
		const struct rec_sem_val *v;

		if (type != IMG_REC_SYSV_SEM_UNDO)
			continue;
		if (len < sizeof(*g) || !g->nsems || g->nsems > SEM_NSEMS_MAX ||
		    len != sizeof(*g) + g->nsems * sizeof(*v))
			return img_record_invalid(r->img, "System V semaphore record of %zu bytes", len);
		if (g->id < 0 || g->pid != r->proc.pid || g->otime < 0 || g->at < 0)
			return img_record_invalid(r->img, "System V semaphore set %d: bad id, or of process %d",
						  g->id, g->pid);
		v = (const struct rec_sem_val *)(g + 1);
		for (uint32_t i = 0; i < g->nsems; i++)
			if (v[i].val < 0 || v[i].val > SEM_VMX || v[i].sempid < 0)
				return img_record_invalid(r->img, "System V semaphore set %d: bad semaphore %u",
							  g->id, i);
		for (int i = 0; i < s->nr; i++)
			if (s->sets[i]->id == g->id)
				return img_record_invalid(r->img, "System V semaphore set %d: repeated", g->id);
		n = realloc(s->sets, (s->nr + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->sets = n;
		s->sets[s->nr++] = g;
	}
	return ret < 0 ? ret : 0;
}

/*
 * In the stub: the undo values of set @g, found as the file's header
 * says (the exit's adjustments), taken again by a semop() with SEM_UNDO.  0, or -errno (said).
 */
static int restore_set(const struct rec_sysv_sem_undo *g)
{
	const struct rec_sem_val *v = (const struct rec_sem_val *)(g + 1);
	struct semid_ds ds;
	union semun arg = { .buf = &ds };
	unsigned short *vals = calloc(g->nsems, sizeof(*vals));
	struct sembuf *ops = calloc(g->nsems, sizeof(*ops));
	pid_t me = getpid();
	int nr = 0, ret = 0;

	if (!vals || !ops) {
		ret = -ENOMEM;
		goto out;
	}
	/*
	 * A set removed since (another with its id and another key or size
	 * is a new one) took the process's undo entry on it along, as it
	 * would have had the process lived on: nothing to take again.
	 */
	if (semctl(g->id, 0, IPC_STAT, arg)) {
		ret = errno == EINVAL || errno == EIDRM ? 0 : -errno;
		if (ret)
			sudcr_error("cannot read System V semaphore set %d: %s", g->id, strerror(-ret));
		goto out;
	}
	if (ds.sem_perm.__key != g->key || ds.sem_nsems != g->nsems)
		goto out;
	/*
	 * exit_sem() sets the otime of every set the process has an undo
	 * entry for, as any semop() does: a set whose last semop() is the one
	 * before the dump, in an earlier second than the dump's reading, was
	 * not touched since by anyone, the exit included: the process had no
	 * undo entry on it.
	 */
	if (ds.sem_otime == g->otime && g->otime < g->at)
		goto out;
	if (ds.sem_ctime != g->ctime) {
		sudcr_error("System V semaphore set %d was changed since the dump (SETVAL, SETALL or IPC_SET, which clear undo values): the process's undo values on it cannot be known",
			    g->id);
		ret = -ESTALE;
		goto out;
	}
	arg.array = vals;
	if (semctl(g->id, 0, GETALL, arg)) {
		ret = -errno;
		sudcr_error("cannot read System V semaphore set %d: %s", g->id, strerror(-ret));
		goto out;
	}
	for (uint32_t i = 0; i < g->nsems && !ret; i++) {
		int now = vals[i], last = semctl(g->id, (int)i, GETPID), x = now - v[i].val;

		if (last < 0) {
			ret = -errno;
			sudcr_error("cannot read System V semaphore set %d: %s", g->id, strerror(-ret));
		} else if (last == v[i].sempid && !x && (last != me || (now && now != SEM_VMX))) {
			continue;	/* untouched since the dump */
		} else if (last != me) {
			sudcr_error("semaphore %u of System V semaphore set %d was operated on by process %d since the dump: the process's undo value on it cannot be known",
				    i, g->id, last);
			ret = -EBUSY;
		} else if (!now || now == SEM_VMX) {
			sudcr_error("semaphore %u of System V semaphore set %d: the process's exit left it at %d, where the kernel clamps undo values: its undo value cannot be known",
				    i, g->id, now);
			ret = -ERANGE;
		} else if (x) {
			ops[nr].sem_num = (unsigned short)i;
			ops[nr].sem_op = (short)-x;
			ops[nr].sem_flg = SEM_UNDO | IPC_NOWAIT;
			nr++;
		}
	}
	if (!ret && nr && semop(g->id, ops, nr)) {
		ret = -errno;
		sudcr_error("System V semaphore set %d: cannot take the process's undo values again: %s", g->id,
			    strerror(-ret));
	}
out:
	free(vals);
	free(ops);
	return ret;
}

static int sysv_sem_in_stub(struct restore_ctx *r)
{
	struct restore_sysv_sem_state *s = r->sysv_sem_state;
	int ret = 0;

	for (int i = 0; i < s->nr && !ret; i++)
		ret = restore_set(s->sets[i]);
	return ret;
}

static int sysv_sem_show(struct show_ctx *s, const void *data, size_t len, bool first)
{
	const struct rec_sysv_sem_undo *g = data;
	const struct rec_sem_val *v = (const struct rec_sem_val *)(g + 1);

	if (len < sizeof(*g) || len != sizeof(*g) + g->nsems * sizeof(*v))
		return 0;
	if (s->json) {
		fprintf(s->out,
			"%s{\"id\":%d,\"key\":\"0x%08x\",\"pid\":%d,\"ctime\":%" PRId64 ",\"otime\":%" PRId64 ",\"at\":%" PRId64 ",\"semaphores\":[",
			first ? "" : ",", g->id, (unsigned int)g->key, g->pid, g->ctime, g->otime, g->at);
		for (uint32_t i = 0; i < g->nsems; i++)
			fprintf(s->out, "%s{\"value\":%d,\"last_pid\":%d}", i ? "," : "", v[i].val, v[i].sempid);
		fprintf(s->out, "]}");
		return 0;
	}
	fprintf(s->out, "  System V semaphore set %d: key 0x%08x, ctime %" PRId64 ", otime %" PRId64 ", at the dump:",
		g->id, (unsigned int)g->key, g->ctime, g->otime);
	for (uint32_t i = 0; i < g->nsems; i++)
		fprintf(s->out, " %d (pid %d)", v[i].val, v[i].sempid);
	fprintf(s->out, "; undo values found at restore\n");
	return 0;
}

static const struct cr_rec_show sysv_sem_sections[] = {
	{ IMG_REC_SYSV_SEM_UNDO, 94, "sysv_sem_undo", "", sysv_sem_show },
	{ 0 },
};

const struct cr_kind cr_kind_sysv_sem = {
	.name = "sysv_sem",
	.show = sysv_sem_sections,
	.types = (const struct cr_rec_type[]){
		{ IMG_REC_SYSV_SEM_UNDO, "sysv_sem_undo" },
		{ 0, NULL },
	},
	.flags = CR_KIND_DUMP_LAST,
	.dump = sysv_sem_dump,
	.prepare = sysv_sem_prepare,
	.in_stub = sysv_sem_in_stub,
	.free = sysv_sem_free,
};
