// SPDX-License-Identifier: MIT
/*
 * Syscall User Dispatch: reading, writing, suspending and putting back the
 * config of a traced thread through the ptrace requests of Linux 6.3+.
 */
#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

#include "kernel_compat.h"
#include <sudcr/log.h>
#include <sudcr/sud.h>

const char *sud_mode_name(uint64_t mode)
{
	switch (mode) {
	case SUD_MODE_OFF:
		return "off";
	case SUD_MODE_EXCLUSIVE:
		return "exclusive";
	case SUD_MODE_INCLUSIVE:
		return "inclusive";
	}
	return "unknown";
}

int sud_mode_parse(const char *name, uint64_t *mode)
{
	if (!strcmp(name, "off"))
		*mode = SUD_MODE_OFF;
	else if (!strcmp(name, "exclusive"))
		*mode = SUD_MODE_EXCLUSIVE;
	else if (!strcmp(name, "inclusive"))
		*mode = SUD_MODE_INCLUSIVE;
	else
		return -EINVAL;
	return 0;
}

/*
 * The kernel stores an inclusive range [o, o+l) inverted, as offset o+l and
 * length -l, and reports it as exclusive.  Such a pair wraps around (offset
 * + len <= offset with offset != 0), which the kernel refuses for a real
 * exclusive config, so the two can always be told apart.
 */
void sud_from_raw(const struct sud_raw_config *raw, struct sud_config *cfg)
{
	cfg->selector = raw->selector;
	if (raw->mode == PR_SYS_DISPATCH_OFF) {
		cfg->mode = SUD_MODE_OFF;
		cfg->offset = raw->offset;
		cfg->len = raw->len;
	} else if (raw->mode == PR_SYS_DISPATCH_EXCLUSIVE_ON && raw->offset &&
		   raw->offset + raw->len <= raw->offset) {
		cfg->mode = SUD_MODE_INCLUSIVE;
		cfg->offset = raw->offset + raw->len;
		cfg->len = -raw->len;
	} else {
		cfg->mode = raw->mode;
		cfg->offset = raw->offset;
		cfg->len = raw->len;
	}
}

void sud_to_raw(const struct sud_config *cfg, struct sud_raw_config *raw)
{
	raw->mode = cfg->mode;
	raw->selector = cfg->selector;
	raw->offset = cfg->offset;
	raw->len = cfg->len;
}

static int sud_ptrace_error(int err, pid_t tid, const char *what)
{
	switch (err) {
	case EIO:
		/* Kernels before 6.3 answer unknown requests with EIO. */
		sudcr_error("kernel lacks PTRACE_%s_SYSCALL_USER_DISPATCH_CONFIG (needs Linux 6.3+)", what);
		return -EOPNOTSUPP;
	case ESRCH:
		sudcr_error("cannot %s SUD config of thread %d: no such thread, or it is not stopped under our trace",
			    what[0] == 'G' ? "read" : "write", tid);
		return -ESRCH;
	default:
		sudcr_error("cannot %s SUD config of thread %d: %s", what[0] == 'G' ? "read" : "write", tid,
			    strerror(err));
		return -err;
	}
}

int sud_get_raw(pid_t tid, struct sud_raw_config *raw)
{
	struct ptrace_sud_config k;

	if (ptrace(PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG, tid, (void *)sizeof(k), &k))
		return -errno;
	raw->mode = k.mode;
	raw->selector = k.selector;
	raw->offset = k.offset;
	raw->len = k.len;
	return 0;
}

int sud_set_raw(pid_t tid, const struct sud_raw_config *raw)
{
	struct ptrace_sud_config k = {
		.mode = raw->mode,
		.selector = raw->selector,
		.offset = raw->offset,
		.len = raw->len,
	};

	if (ptrace(PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG, tid, (void *)sizeof(k), &k))
		return -errno;
	return 0;
}

int sud_get(pid_t tid, struct sud_config *cfg)
{
	struct sud_raw_config raw;
	int ret = sud_get_raw(tid, &raw);

	if (ret)
		return sud_ptrace_error(-ret, tid, "GET");
	sud_from_raw(&raw, cfg);
	return 0;
}

int sud_set(pid_t tid, const struct sud_config *cfg)
{
	struct sud_raw_config raw;
	int ret;

	if (cfg->mode == SUD_MODE_OFF && (cfg->offset || cfg->len || cfg->selector)) {
		sudcr_error("SUD mode off takes no offset, len or selector");
		return -EINVAL;
	}
	if (cfg->mode == SUD_MODE_INCLUSIVE && (!cfg->len || cfg->offset + cfg->len <= cfg->offset)) {
		sudcr_error("inclusive SUD range must be non-empty and not wrap (offset 0x%llx len %llu)",
			    (unsigned long long)cfg->offset, (unsigned long long)cfg->len);
		return -EINVAL;
	}
	sud_to_raw(cfg, &raw);
	ret = sud_set_raw(tid, &raw);
	if (ret == -EINVAL && cfg->mode > SUD_MODE_EXCLUSIVE) {
		sudcr_error("kernel rejects SUD mode %s for thread %d (inclusive mode needs a newer kernel)",
			    sud_mode_name(cfg->mode), tid);
		return ret;
	}
	if (ret == -EFAULT) {
		sudcr_error("cannot set SUD config of thread %d: selector 0x%llx is not a user address", tid,
			    (unsigned long long)cfg->selector);
		return ret;
	}
	if (ret)
		return sud_ptrace_error(-ret, tid, "SET");
	return 0;
}

int sud_suspend(pid_t tid, struct sud_config *saved)
{
	static const struct sud_config off = { .mode = SUD_MODE_OFF };
	int ret = sud_get(tid, saved);

	if (ret)
		return ret;
	if (saved->mode == SUD_MODE_OFF)
		return 0;
	return sud_set(tid, &off);
}

int sud_put_back(pid_t tid, const struct sud_config *saved)
{
	if (saved->mode == SUD_MODE_OFF)
		return 0;
	return sud_set(tid, saved);
}

int sud_read_selector(pid_t tid, const struct sud_config *cfg, uint8_t *val)
{
	struct iovec local = { val, 1 };
	struct iovec remote = { (void *)(uintptr_t)cfg->selector, 1 };

	if (!cfg->selector)
		return -ENOENT;
	if (process_vm_readv(tid, &local, 1, &remote, 1, 0) != 1)
		return -errno;
	return 0;
}
