// SPDX-License-Identifier: MIT
/* sudcr: command dispatch and shared argument helpers. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sudcr/log.h>
#include <sudcr/task.h>

#include "cli.h"

static const struct cli_command *const commands[] = {
	&cmd_check,
	&cmd_sud,
	&cmd_syscall,
	&cmd_dump,
	&cmd_restore,
	&cmd_show,
	&cmd_netlock,
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: sudcr [-v] COMMAND [ARGS...]\n\n"
		   "Checkpoint/restore for Linux processes, including processes that\n"
		   "intercept their own syscalls with Syscall User Dispatch (SUD).\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "  %-10s %s\n", "help", "this help, or 'sudcr help COMMAND' for a command's");
	fprintf(f, "\nGlobal options:\n"
		   "  -v, --verbose  more messages (repeat for debug output)\n"
		   "  -h, --help     this help; 'sudcr COMMAND --help' for a command\n"
		   "  --version      print the version\n\n"
		   "Exit status: 0 success, 1 operation failed (the target is left as\n"
		   "found), 2 bad usage, 3 'check' found something required missing.\n");
}

/* "sudcr help" is "sudcr --help", "sudcr help CMD" is "sudcr CMD --help". */
static int help_run(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;

	if (argc > 2)
		return cli_usage_error(NULL, "help: unexpected argument '%s'", argv[2]);
	if (!name || !strcmp(name, "-h") || !strcmp(name, "--help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (size_t c = 0; c < NR_COMMANDS; c++) {
		if (!strcmp(name, commands[c]->name)) {
			commands[c]->help();
			return EXIT_OK;
		}
	}
	return cli_usage_error(NULL, "help: unknown command '%s'", name);
}

static volatile pid_t forward_pid;

static void on_stop_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (!forward_pid) {
		sudcr_cancel();
		return;
	}
	/* From the terminal, the process got it too; from kill(2), only we did. */
	if (si->si_code == SI_USER || si->si_code == SI_QUEUE)
		kill(forward_pid, sig);
}

void cli_cancel_on_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa = { .sa_sigaction = on_stop_signal, .sa_flags = SA_SIGINFO | SA_RESTART };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* Ignored when we started (a background job's SIGINT): stays so. */
		if (!sigaction(sigs[i], NULL, &old) && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
}

void cli_forward_signals_to(pid_t pid)
{
	forward_pid = pid;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sudcr: %s%s", cmd ? cmd : "", cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'sudcr %s%s--help')\n", cmd ? cmd : "", cmd ? " " : "");
	return EXIT_USAGE;
}

int cli_bad_option(const char *cmd, int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";
	/* A short option may sit in a group ("-Rx"): name it alone. */
	bool is_short = optopt && strncmp(arg, "--", 2);

	if (c == ':' && is_short)
		return cli_usage_error(cmd, "option '-%c' needs an argument", optopt);
	if (c == ':')
		return cli_usage_error(cmd, "option '%s' needs an argument", arg);
	if (is_short)
		return cli_usage_error(cmd, "unknown option '-%c'", optopt);
	/* A known long option given "=VALUE" it does not take. */
	if (optopt && strchr(arg, '='))
		return cli_usage_error(cmd, "option '%.*s' takes no argument", (int)strcspn(arg, "="), arg);
	return cli_usage_error(cmd, "unknown option '%s'", arg);
}

int cli_parse_i64(const char *s, int64_t *v)
{
	char *end;
	long long x;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	if (s[0] == '-')
		x = strtoll(s, &end, 0);
	else
		x = (long long)strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*v = x;
	return 0;
}

int cli_parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !*s || s[0] == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

int cli_parse_pid(const char *s, pid_t *pid)
{
	uint64_t v;

	if (cli_parse_u64(s, &v) || v == 0 || v > INT_MAX)
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}

int cli_exit_code(int ret)
{
	return ret ? EXIT_FAIL : EXIT_OK;
}

int main(int argc, char **argv)
{
	int verbose = 0, i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			verbose++;
		} else if (!strcmp(argv[i], "-vv")) {
			verbose += 2;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("sudcr %s\n", SUDCR_VERSION);
			return EXIT_OK;
		} else {
			return cli_usage_error(NULL, "unknown option '%s'", argv[i]);
		}
	}
	if (verbose)
		sudcr_set_log_level(verbose > 1 ? SUDCR_LOG_DEBUG : SUDCR_LOG_INFO);
	if (i == argc)
		return cli_usage_error(NULL, "no command given");
	if (!strcmp(argv[i], "help"))
		return help_run(argc - i, argv + i);
	for (size_t c = 0; c < NR_COMMANDS; c++) {
		if (strcmp(argv[i], commands[c]->name))
			continue;
		for (int j = i + 1; j < argc; j++) {
			if (!strcmp(argv[j], "--"))
				break;
			if (!strcmp(argv[j], "-h") || !strcmp(argv[j], "--help")) {
				commands[c]->help();
				return EXIT_OK;
			}
		}
		return commands[c]->run(argc - i, argv + i);
	}
	return cli_usage_error(NULL, "unknown command '%s'", argv[i]);
}
