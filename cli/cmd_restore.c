// SPDX-License-Identifier: MIT
/* sudcr restore: bring a process back from an image, with its PID. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <sudcr/cr.h>
#include <sudcr/log.h>

#include "cli.h"

static void restore_help(void)
{
	printf("Usage: sudcr restore -D DIR [-d] [--shell-job] [-v]\n\n"
	       "Restores the process in image DIR with its original PID, memory,\n"
	       "registers, signal state, SUD config, files and other state.  Without -d,\n"
	       "sudcr waits for the process and exits with its exit status (128+N if a\n"
	       "signal N killed it).  If the PID is taken or anything fails, nothing is\n"
	       "left behind: a half-restored process never runs.  SIGINT (^C), SIGTERM,\n"
	       "SIGHUP or SIGQUIT stop a restore in progress the same way; once the\n"
	       "process runs, sudcr passes them on to it (those from the terminal reach\n"
	       "it directly).  The restore runs only in the namespaces the image was\n"
	       "dumped in (PID, user, mount, network, IPC, UTS, cgroup, time): elsewhere\n"
	       "it is refused.\n\n"
	       "  -D, --images-dir DIR      the image to restore\n"
	       "  -d, --restore-detached    exit once the process runs\n"
	       "  -j, --shell-job           give the process sudcr's stdin/stdout/stderr\n"
	       "  -v, --verbose             more messages\n");
}

static int restore_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "images-dir", required_argument, NULL, 'D' },
		{ "restore-detached", no_argument, NULL, 'd' },
		{ "shell-job", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 }
	};
	struct restore_opts o = { 0 };
	int c, status, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":D:djv", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
			o.dir = optarg;
			break;
		case 'd':
			o.detach = true;
			break;
		case 'j':
			o.shell_job = true;
			break;
		case 'v':
			sudcr_set_log_level(sudcr_log_level() < SUDCR_LOG_INFO ? SUDCR_LOG_INFO : SUDCR_LOG_DEBUG);
			break;
		default:
			return cli_bad_option("restore", c, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("restore", "unexpected argument '%s'", argv[optind]);
	if (!o.dir)
		return cli_usage_error("restore", "-D DIR is required");
	cli_cancel_on_signals();
	o.on_running = cli_forward_signals_to;
	ret = sudcr_restore(&o, &status);
	if (ret)
		return EXIT_FAIL;
	return o.detach ? EXIT_OK : status;
}

const struct cli_command cmd_restore = {
	.name = "restore",
	.summary = "restore a process from an image directory, with its PID",
	.run = restore_run,
	.help = restore_help,
};
