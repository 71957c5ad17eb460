// SPDX-License-Identifier: MIT
/*
 * The worker pool of the page copies: the dump's readers
 * (lib/dump/mm_pages.c) and the restore's writers (lib/restore/mm_pages.c)
 * run one thread per CPU sudcr may use.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "cr.h"

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
