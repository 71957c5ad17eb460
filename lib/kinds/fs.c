// SPDX-License-Identifier: MIT
/*
 * The process's umask, working directory and root (what the kernel keeps
 * in its fs_struct), in the MISC record (misc.c).
 *
 * The umask and the working directory are set in the stub, before it is
 * seized.  The root waits until after the transplant, whose injected opens
 * resolve the image's file paths by our root.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cr.h"
#include <sudcr/log.h>

#include "deleted_cwd.h"
#include "kinds.h"
#include "misc.h"

/*
 * A path from /proc/PID/{cwd,root} is only usable if it still leads to the
 * same directory: not when deleted, nor when it lies in another mount
 * namespace than ours.  Refuse rather than restore somewhere else.
 */
static int dump_fs_link(pid_t pid, const char *name, char *buf, size_t len)
{
	char proc[64];
	struct stat want, got;
	int ret;

	ret = proc_read_link(pid, name, buf, len);
	if (ret) {
		sudcr_error("process %d: cannot read /proc/%d/%s: %s", pid, pid, name,
			    strerror(-ret));
		return ret;
	}
	/*
	 * A removed cwd is made again (kinds/deleted_cwd.c, which writes its
	 * record), and a removed root with it if it is the cwd.
	 */
	ret = !strcmp(name, "cwd") ? deleted_cwd_strip(pid, buf) : deleted_root_strip(pid, buf);
	if (ret)
		return ret < 0 ? ret : 0;
	snprintf(proc, sizeof(proc), "/proc/%d/%s", pid, name);
	if (stat(proc, &want)) {
		ret = -errno;
		sudcr_error("process %d: cannot stat its %s: %s", pid, name, strerror(-ret));
		return ret;
	}
	if (buf[0] != '/' || stat(buf, &got) || got.st_dev != want.st_dev ||
	    got.st_ino != want.st_ino) {
		sudcr_error("process %d: its %s \"%s\" cannot be reached by that path "
			    "(deleted, or in another mount namespace)", pid, name, buf);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int fs_collect(struct dump_ctx *d)
{
	struct misc_dump *m = d->misc_dump;
	struct cr_thread *th = &d->threads[0];
	struct proc_status st;
	int64_t r;
	int ret;

	ret = dump_fs_link(d->proc_pid, "cwd", m->cwd, sizeof(m->cwd));
	if (!ret)
		ret = dump_fs_link(d->proc_pid, "root", m->root, sizeof(m->root));
	if (ret)
		return ret;
	m->misc.cwd_len = strlen(m->cwd);
	m->misc.root_len = strlen(m->root);

	ret = proc_parse_status(d->pid, d->leader_zombie ? d->proc_pid : 0, &st);
	if (ret) {
		sudcr_error("process %d: cannot read its status: %s", d->pid, strerror(-ret));
		return ret;
	}
	if (st.umask >= 0) {
		m->misc.umask = st.umask;
		return 0;
	}
	/* Kernels before 4.7 do not show Umask: ask and put it back. */
	ret = misc_dump_inject(th, "umask", arch_sc_nr(th->inj.kind, SC_UMASK), &r, 022, 0, 0, 0);
	if (!ret)
		ret = misc_dump_inject(th, "umask", arch_sc_nr(th->inj.kind, SC_UMASK), NULL, r, 0, 0, 0);
	if (ret)
		return ret;
	m->misc.umask = r & 0777;
	return 0;
}

static int fs_in_stub(struct restore_ctx *r)
{
	const struct restore_misc_state *s = r->misc_state;

	if (r->fs_shared)
		return 0;	/* its parent's (CLONE_FS), which sets them up */
	umask(s->misc.umask);
	/*
	 * By sudcr's root: the cwd may even lie outside the process's root
	 * (chroot without chdir); fs_restore() leaves it where it is.
	 */
	if (r->cwd_deleted) {
		int ret = deleted_cwd_enter(r, s->cwd);

		if (ret)
			return ret < 0 ? ret : -EIO;
	} else if (chdir(s->cwd)) {
		int err = errno;

		sudcr_error("cannot restore the working directory %s: %s", s->cwd, strerror(err));
		return -err;
	}
	return 0;
}

/*
 * After the transplant.  The first injected step of the kinds that share
 * misc's scratch area: it maps it, whether a root is set or not.
 */
static int fs_restore(struct restore_ctx *r)
{
	struct restore_misc_state *s = r->misc_state;
	struct cr_thread *th = cthread_of(r, r->proc.pid);
	uint64_t scratch;
	int64_t v;
	int ret;

	if (!th)
		return -ESRCH;
	ret = misc_scratch(r, &scratch);
	if (ret || !strcmp(s->root, "/"))
		return ret;
	/* A removed root is the removed cwd the stub made again and entered. */
	ret = deleted_cwd_is_root(r) ? misc_write(th, scratch, ".", 2) :
				       misc_write(th, scratch, s->root, s->misc.root_len + 1);
	if (!ret)
		ret = cr_inject(th, NR(th, CHROOT), &v, scratch, 0, 0, 0, 0, 0);
	if (ret)
		return ret;
	if (v) {
		sudcr_error("cannot restore the root directory %s: %s", s->root, strerror((int)-v));
		return (int)v;
	}
	return 0;
}

/* Its records are misc's. */
const struct cr_kind cr_kind_fs = {
	.name = "fs",
	.types = (const struct cr_rec_type[]){ { 0, NULL } },
	.collect = fs_collect,
	.in_stub = fs_in_stub,
	.restore = fs_restore,
};
