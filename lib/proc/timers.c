// SPDX-License-Identifier: MIT
/*
 * /proc/PID/timers: POSIX timers.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "proc.h"

/* ---- POSIX timers ---- */

/* "signal/pid.123", "none/pid.123", "signal/tid.123", "thread/pid.123" */
static int parse_notify(const char *p, const char *end, struct proc_posix_timer *t)
{
	int kind, tid;

	if (scan_word(&p, end, "signal"))
		kind = SIGEV_SIGNAL;
	else if (scan_word(&p, end, "none"))
		kind = SIGEV_NONE;
	else if (scan_word(&p, end, "thread"))
		kind = SIGEV_THREAD;
	else
		return -EINVAL;
	if (!scan_char(&p, end, '/'))
		return -EINVAL;
	if (scan_word(&p, end, "tid"))
		kind |= SIGEV_THREAD_ID;
	else if (!scan_word(&p, end, "pid"))
		return -EINVAL;
	if (!scan_char(&p, end, '.') || val_int(p, end, &tid))
		return -EINVAL;
	t->notify_kind = kind;
	t->notify_tid = tid;
	return 0;
}

static int cmp_timer(const void *a, const void *b)
{
	const struct proc_posix_timer *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

#define TIMER_SEEN_ALL	0xf	/* ID, signal, notify, ClockID */

int proc_parse_timers_buf(const char *buf, struct proc_posix_timer **timers, int *nr)
{
	const char *pos = buf, *ls, *le;
	struct proc_posix_timer *v = NULL, *t = NULL;
	int n = 0, cap = 0, ret = 0, seen = 0;

	while (next_line(&pos, &ls, &le)) {
		const char *ke, *p;
		int bit;

		if (ls == le)
			continue;
		if (!split_key(ls, le, &ke, &p)) {
			ret = -EINVAL;
			goto out_free;
		}
		if (key_is(ls, ke, "ID")) {
			if (t && seen != TIMER_SEEN_ALL) {
				ret = -EINVAL;
				goto out_free;
			}
			ret = grow((void **)&v, &cap, n, sizeof(*v));
			if (ret)
				goto out_free;
			t = &v[n++];
			memset(t, 0, sizeof(*t));
			seen = 1;
			ret = val_int(p, le, &t->id);
		} else if (!t) {
			ret = -EINVAL;
		} else if (key_is(ls, ke, "signal")) {
			bit = 2;
			ret = scan_int(&p, le, &t->signo) || !scan_char(&p, le, '/') ||
			      val_hex(p, le, &t->sigval) ? -EINVAL : 0;
			ret = ret ? ret : (seen & bit ? -EINVAL : 0);
			seen |= bit;
		} else if (key_is(ls, ke, "notify")) {
			bit = 4;
			ret = parse_notify(p, le, t);
			ret = ret ? ret : (seen & bit ? -EINVAL : 0);
			seen |= bit;
		} else if (key_is(ls, ke, "ClockID")) {
			bit = 8;
			ret = val_int(p, le, &t->clock_id);
			ret = ret ? ret : (seen & bit ? -EINVAL : 0);
			seen |= bit;
		}
		if (ret)
			goto out_free;
	}
	if (t && seen != TIMER_SEEN_ALL) {
		ret = -EINVAL;
		goto out_free;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_timer);
	*timers = v;
	*nr = n;
	return 0;

out_free:
	free(v);
	return ret;
}

int proc_parse_timers(pid_t pid, struct proc_posix_timer **t, int *nr)
{
	char *buf = NULL;
	int ret;

	if (pid <= 0)
		return -EINVAL;
	ret = read_task_file(pid, 0, "timers", 1024, &buf, NULL);
	if (ret == -ESRCH) {
		/* No CONFIG_CHECKPOINT_RESTORE, or the process is gone. */
		ret = proc_missing(pid, 0);
		return ret == -ENOENT ? -EOPNOTSUPP : ret;
	}
	if (ret)
		return ret;
	ret = proc_parse_timers_buf(buf, t, nr);
	free(buf);
	return ret;
}
