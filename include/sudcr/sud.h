/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_SUD_H
#define SUDCR_SUD_H

/*
 * Syscall User Dispatch configuration of a traced thread.
 *
 * The kernel reports an inclusive-mode config as an exclusive one with the
 * range inverted (offset' = offset + len, len' = -len, wrapping).  struct
 * sud_config always holds the user's view: the mode and range as they were
 * passed to prctl(PR_SET_SYSCALL_USER_DISPATCH).
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <sudcr/api.h>

enum sud_mode {
	SUD_MODE_OFF = 0,
	SUD_MODE_EXCLUSIVE = 1,
	SUD_MODE_INCLUSIVE = 2,
};

/* Values of the selector byte (the kernel's SYSCALL_DISPATCH_FILTER_*). */
#define SUD_SELECTOR_ALLOW	0	/* syscalls run */
#define SUD_SELECTOR_BLOCK	1	/* syscalls are dispatched (SIGSYS) */

struct sud_config {
	uint64_t mode;		/* enum sud_mode */
	uint64_t selector;	/* address of the selector byte, 0 for none */
	uint64_t offset;	/* start of the range */
	uint64_t len;		/* length of the range */
};

/* Raw config as PTRACE_{GET,SET}_SYSCALL_USER_DISPATCH_CONFIG pass it. */
struct sud_raw_config {
	uint64_t mode;
	uint64_t selector;
	uint64_t offset;
	uint64_t len;
};

SUDCR_API const char *sud_mode_name(uint64_t mode);
SUDCR_API int sud_mode_parse(const char *name, uint64_t *mode);

/* Conversions between the kernel's representation and the user's view. */
SUDCR_API void sud_from_raw(const struct sud_raw_config *raw, struct sud_config *cfg);
SUDCR_API void sud_to_raw(const struct sud_config *cfg, struct sud_raw_config *raw);

/* Raw ptrace access; the thread must be in a ptrace stop. */
SUDCR_API int sud_get_raw(pid_t tid, struct sud_raw_config *raw);
SUDCR_API int sud_set_raw(pid_t tid, const struct sud_raw_config *raw);

/* The thread must be in a ptrace stop.  Errors are reported. */
SUDCR_API int sud_get(pid_t tid, struct sud_config *cfg);
SUDCR_API int sud_set(pid_t tid, const struct sud_config *cfg);

/*
 * Read the config into *saved and switch SUD off, so that syscalls the
 * tracer injects run for real.  sud_put_back() sets *saved again.
 */
SUDCR_API int sud_suspend(pid_t tid, struct sud_config *saved);
SUDCR_API int sud_put_back(pid_t tid, const struct sud_config *saved);

/* Read the byte the selector points to now (process_vm_readv). */
SUDCR_API int sud_read_selector(pid_t tid, const struct sud_config *cfg, uint8_t *val);

#endif
