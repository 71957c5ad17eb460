// SPDX-License-Identifier: MIT
/*
 * Making a System V IPC object again with the id it had: a child writes
 * the id to the kernel's *_next_id file (CAP_CHECKPOINT_RESTORE), takes
 * the creator's uid and gid as its effective ids (the object's cuid and
 * cgid are the maker's) and makes it; its exit status says how that went.
 * A get that fails before making an object (a key taken) leaves next_id
 * set, and the file takes no -1: the next object anyone made would get
 * the image's id, so one made and removed at once uses it up.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sudcr/log.h>

#include "sysv_ids.h"

enum {
	MAKE_OK = 0,
	MAKE_NEXT_ID = 10,	/* cannot write next_id */
	MAKE_CREDS = 120,	/* cannot take the creator's ids */
	MAKE_KEY_TAKEN = 121,
	MAKE_GET = 122,		/* the get failed otherwise */
	MAKE_OTHER_ID = 123,	/* made with another id: the index is taken */
};

static void __attribute__((noreturn)) make_in_child(const struct sysv_maker *m)
{
	char buf[16];
	int fd, n, id;

	fd = open(m->next_id, O_WRONLY | O_CLOEXEC);
	n = snprintf(buf, sizeof(buf), "%d", m->id);
	if (fd < 0 || write(fd, buf, n) != n)
		_exit(MAKE_NEXT_ID);
	close(fd);
	if (setegid(m->cgid) || seteuid(m->cuid))
		_exit(MAKE_CREDS);
	id = m->get(m);
	if (id < 0)
		_exit(errno == EEXIST ? MAKE_KEY_TAKEN : MAKE_GET);
	if (id != m->id) {
		m->rm(id);
		_exit(MAKE_OTHER_ID);
	}
	_exit(MAKE_OK);
}

static void reset_next_id(const struct sysv_maker *m)
{
	if (m->scratch())
		sudcr_warn("cannot reset %s: %s", m->next_id, strerror(errno));
}

int sysv_make_with_id(const struct sysv_maker *m)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		make_in_child(m);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		reset_next_id(m);
		sudcr_error("System V %s %d: its maker died", m->what, m->id);
		return -EIO;
	}
	if (WEXITSTATUS(status))
		reset_next_id(m);
	switch (WEXITSTATUS(status)) {
	case MAKE_OK:
		return 0;
	case MAKE_KEY_TAKEN:
		sudcr_error("cannot make System V %s %d again: another %s has its key %#x", m->what, m->id, m->other,
			    (unsigned int)m->key);
		return -EEXIST;
	case MAKE_OTHER_ID:
		sudcr_error("cannot make System V %s %d again: its index is taken by another %s", m->what, m->id,
			    m->other);
		return -EEXIST;
	case MAKE_NEXT_ID:
		sudcr_error("cannot make System V %s %d again: cannot write %s (needs CAP_CHECKPOINT_RESTORE)", m->what,
			    m->id, m->next_id);
		return -EPERM;
	case MAKE_CREDS:
		sudcr_error("cannot make System V %s %d again: cannot take its creator's uid and gid", m->what, m->id);
		return -EPERM;
	default:
		sudcr_error("cannot make System V %s %d again: %s failed", m->what, m->id, m->get_name);
		return -EPERM;
	}
}
