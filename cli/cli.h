/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_CLI_H
#define SUDCR_CLI_H

/* Command-line layer: argument parsing and output only, no C/R logic. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Exit codes (documented in README.md). */
#define EXIT_OK		0
#define EXIT_FAIL	1	/* the operation failed; the target is left as found */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_MISSING	3	/* check: something dump/restore needs is missing */

struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*help)(void);
};

extern const struct cli_command cmd_check, cmd_sud, cmd_syscall, cmd_dump, cmd_restore, cmd_show,
	cmd_netlock;

/* Print "sudcr: <msg>" plus a hint to use --help, return EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * getopt_long() returned @c, '?' (unknown option) or ':' (an option without
 * its argument; the optstring starts with ':' so that getopt itself prints
 * nothing): one usage line naming the option, EXIT_USAGE.
 */
int cli_bad_option(const char *cmd, int c, char **argv);

/* Strict number parsers (decimal, 0x hex, optional leading '-'). */
int cli_parse_pid(const char *s, pid_t *pid);
int cli_parse_u64(const char *s, uint64_t *v);
int cli_parse_i64(const char *s, int64_t *v);

/*
 * For every command that changes a target (dump, restore, syscall, sud):
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT stop the operation cleanly
 * (sudcr_cancel(), which also interrupts a blocked injected syscall)
 * instead of killing sudcr in the middle of it, which would leave the
 * target half-injected (a signal ignored when sudcr started stays
 * ignored); SIGPIPE is ignored.
 * Once cli_forward_signals_to(pid) is called, such signals sent to sudcr
 * by another process go to pid instead (the terminal's reach pid itself).
 */
void cli_cancel_on_signals(void);
void cli_forward_signals_to(pid_t pid);

/* Map a negative errno from the library to an exit code. */
int cli_exit_code(int ret);

#endif
