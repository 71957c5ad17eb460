// SPDX-License-Identifier: MIT
/*
 * The high-level API (sudcr/sudcr.h): the options objects, and dump and
 * restore on top of the drivers (lib/dump/dump.c, lib/restore/restore.c).
 * An option is a field of the drivers' struct dump_opts or restore_opts
 * (cr.h) and a setter here; the drivers read the struct as before.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cr.h"
#include "kinds/netlock.h"
#include <sudcr/log.h>
#include <sudcr/sudcr.h>

_Static_assert(SUDCR_RESTORE_INHERIT_MAX == RESTORE_INHERIT_MAX, "one limit for --inherit-fd");

struct sudcr_dump_opts {
	struct dump_opts o;
	char *dir;		/* o.dir points here */
};

struct sudcr_restore_opts {
	struct restore_opts o;
	char *dir;		/* o.dir points here */
};

/* Replace *copy by a copy of @s (NULL is refused: no directory). */
static int set_string(char **copy, const char **field, const char *s)
{
	char *c;

	if (!s)
		return -EINVAL;
	c = strdup(s);
	if (!c) {
		sudcr_error("out of memory");
		return -ENOMEM;
	}
	free(*copy);
	*copy = c;
	*field = c;
	return 0;
}

int sudcr_dump_opts_new(struct sudcr_dump_opts **opts)
{
	*opts = calloc(1, sizeof(**opts));
	if (!*opts) {
		sudcr_error("out of memory");
		return -ENOMEM;
	}
	return 0;
}

void sudcr_dump_opts_free(struct sudcr_dump_opts *opts)
{
	if (!opts)
		return;
	free(opts->dir);
	free(opts);
}

int sudcr_dump_opts_set_dir(struct sudcr_dump_opts *opts, const char *dir)
{
	return set_string(&opts->dir, &opts->o.dir, dir);
}

int sudcr_dump_opts_set_leave_running(struct sudcr_dump_opts *opts, bool on)
{
	opts->o.leave_running = on;
	return 0;
}

int sudcr_dump_opts_set_shell_job(struct sudcr_dump_opts *opts, bool on)
{
	opts->o.shell_job = on;
	return 0;
}

int sudcr_dump_opts_set_overwrite(struct sudcr_dump_opts *opts, bool on)
{
	opts->o.overwrite = on;
	return 0;
}

int sudcr_dump_opts_set_no_sync(struct sudcr_dump_opts *opts, bool on)
{
	opts->o.no_sync = on;
	return 0;
}

int sudcr_dump_opts_set_tree(struct sudcr_dump_opts *opts, bool on)
{
	opts->o.tree = on;
	return 0;
}

int sudcr_dump_opts_set_tcp_established(struct sudcr_dump_opts *opts, bool on)
{
	opts->o.tcp_established = on;
	return 0;
}

int sudcr_dump(pid_t pid, const struct sudcr_dump_opts *opts)
{
	if (!opts->o.dir) {
		sudcr_error("dump of %d: no image directory given", pid);
		return -EINVAL;
	}
	return cr_dump(pid, &opts->o);
}

int sudcr_restore_opts_new(struct sudcr_restore_opts **opts)
{
	*opts = calloc(1, sizeof(**opts));
	if (!*opts) {
		sudcr_error("out of memory");
		return -ENOMEM;
	}
	return 0;
}

void sudcr_restore_opts_free(struct sudcr_restore_opts *opts)
{
	if (!opts)
		return;
	free(opts->dir);
	free(opts);
}

int sudcr_restore_opts_set_dir(struct sudcr_restore_opts *opts, const char *dir)
{
	return set_string(&opts->dir, &opts->o.dir, dir);
}

int sudcr_restore_opts_set_detach(struct sudcr_restore_opts *opts, bool on)
{
	opts->o.detach = on;
	return 0;
}

int sudcr_restore_opts_set_shell_job(struct sudcr_restore_opts *opts, bool on)
{
	opts->o.shell_job = on;
	return 0;
}

int sudcr_restore_opts_set_allow_changed_files(struct sudcr_restore_opts *opts, bool on)
{
	opts->o.allow_changed_files = on;
	return 0;
}

int sudcr_restore_opts_set_tcp_established(struct sudcr_restore_opts *opts, bool on)
{
	opts->o.tcp_established = on;
	return 0;
}

int sudcr_restore_opts_add_inherit_fd(struct sudcr_restore_opts *opts, int fd, uint64_t pipe_ino)
{
	struct restore_opts *o = &opts->o;

	if (fd < 0 || !pipe_ino)
		return -EINVAL;
	if (o->nr_inherit == RESTORE_INHERIT_MAX)
		return -E2BIG;
	o->inherit[o->nr_inherit].fd = fd;
	o->inherit[o->nr_inherit].ino = pipe_ino;
	o->nr_inherit++;
	return 0;
}

int sudcr_restore_opts_set_on_running(struct sudcr_restore_opts *opts, void (*fn)(pid_t pid, void *arg),
				      void *arg)
{
	opts->o.on_running = fn;
	opts->o.on_running_arg = arg;
	return 0;
}

int sudcr_restore(const struct sudcr_restore_opts *opts, int *exit_status)
{
	if (!opts->o.dir) {
		*exit_status = 0;
		sudcr_error("restore: no image directory given");
		return -EINVAL;
	}
	return cr_restore(&opts->o, exit_status);
}

int sudcr_netlock_list(void (*fn)(const char *table, void *arg), void *arg)
{
	return netlock_list(fn, arg);
}

int sudcr_netlock_lift(const char *dir, const char *table)
{
	if (!dir == !table)
		return -EINVAL;
	return dir ? netlock_lift_dir(dir) : netlock_lift_table(table);
}
