// SPDX-License-Identifier: MIT
/* Helpers shared by the dump and restore modules. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <sudcr/cr.h>
#include <sudcr/kernel_compat.h>
#include <sudcr/log.h>

bool cr_cancelled(void)
{
	return sudcr_cancel_requested();
}

int cr_inject(struct cr_thread *th, long nr, int64_t *ret, uint64_t a0, uint64_t a1, uint64_t a2,
	      uint64_t a3, uint64_t a4, uint64_t a5)
{
	if (!th->inj_active) {
		sudcr_error("thread %d: no injection in progress", th->tid);
		return -EINVAL;
	}
	if (nr < 0) {
		sudcr_error("thread %d: a syscall %s tasks do not have", th->tid, arch_name(th->inj.kind));
		return -ENOSYS;
	}
	return inject_syscall6(&th->inj, nr, ret, a0, a1, a2, a3, a4, a5);
}

int cr_scratch(struct cr_thread *th, size_t len, uint64_t *addr)
{
	if (!th->inj_active)
		return -EINVAL;
	return inject_scratch(&th->inj, len, addr);
}

int cr_next_of_type(struct img_reader *img, uint32_t want, const void **data, size_t *len)
{
	uint32_t type;
	int ret;

	while ((ret = img_next_record(img, &type, data, len)) == 1)
		if (type == want)
			return 1;
	return ret;
}

int cr_worker_cpus(const struct cr_thread *th, int max, cpu_set_t *cpus)
{
	int n;

	if (th && th->inj_active && th->inj.self_pinned)
		*cpus = th->inj.saved_self_cpus;
	else if (sched_getaffinity(0, sizeof(*cpus), cpus))
		return 1;
	n = CPU_COUNT(cpus);
	if (n < 1) {
		sched_getaffinity(0, sizeof(*cpus), cpus);
		n = 1;
	}
	return n < max ? n : max;
}

struct worker_start {
	void *(*fn)(void *);
	void *arg;
	const cpu_set_t *cpus;
};

static void *worker_main(void *arg)
{
	struct worker_start *w = arg;

	sched_setaffinity(0, sizeof(*w->cpus), w->cpus);
	return w->fn(w->arg);
}

void cr_run_workers(int nr, void *args, size_t size, void *(*fn)(void *), const cpu_set_t *cpus)
{
	struct worker_start *w;
	pthread_t *t;
	int started = 1;
	cpu_set_t own;
	bool have_own;

	if (nr <= 1) {
		/* Alone, where the caller is: moving costs more than it saves. */
		fn(args);
		return;
	}
	w = calloc(nr, sizeof(*w));
	t = calloc(nr, sizeof(*t));
	have_own = !sched_getaffinity(0, sizeof(own), &own);

	if (w && t)
		for (; started < nr; started++) {
			w[started] = (struct worker_start){ fn, (char *)args + started * size, cpus };
			if (pthread_create(&t[started], NULL, worker_main, &w[started]))
				break;
		}
	sched_setaffinity(0, sizeof(*cpus), cpus);
	fn(args);
	for (int i = 1; i < started; i++)
		pthread_join(t[i], NULL);
	if (have_own)
		sched_setaffinity(0, sizeof(own), &own);
	free(w);
	free(t);
}

bool cr_can_set_timerfd_ticks(void)
{
	uint64_t zero = 0;
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	/* 0 is refused by the ioctl itself; without it the answer is ENOTTY. */
	ok = ioctl(fd, TFD_IOC_SET_TICKS, &zero) < 0 && errno == EINVAL;
	close(fd);
	return ok;
}
