// SPDX-License-Identifier: MIT
/* sudcr dump: checkpoint a process into an image directory. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <sudcr/log.h>
#include <sudcr/sudcr.h>

#include "cli.h"

static void dump_help(void)
{
	printf("Usage: sudcr dump {-t PID | -p PID} -D DIR [--leave-running] [--shell-job]\n"
	       "                  [--tcp-established] [-v]\n\n"
	       "Checkpoints process PID and every descendant (-t), or PID alone (-p), their memory, registers, signal state, SUD config,\n"
	       "files and other state, into the image directory DIR (created if missing).\n"
	       "By default the process is killed once a complete image is on disk, as CRIU\n"
	       "does; with --leave-running it goes on unharmed.  If anything cannot be\n"
	       "dumped the process is left running exactly as found and DIR holds no image\n"
	       "(DIR is removed again if the dump created it).\n"
	       "SIGINT (^C), SIGTERM, SIGHUP or SIGQUIT stop the dump the same way.\n"
	       "Namespaces are not dumped: a process in a PID, user, mount, network, IPC,\n"
	       "UTS, cgroup or time namespace that is not sudcr's is refused; run sudcr\n"
	       "inside them (nsenter -t PID -a sudcr dump ...).\n\n"
	       "  -t, --tree PID        the process to dump, with all its threads and all\n"
	       "                        its descendants (children, zombies among them);\n"
	       "                        sharing between them that cannot be restored is\n"
	       "                        refused (PID 1, the init of sudcr's own PID\n"
	       "                        namespace, only with --leave-running)\n"
	       "  -p, --pid PID         the process alone: one with child processes is\n"
	       "                        refused\n"
	       "  -D, --images-dir DIR  where to write the image\n"
	       "  -R, --leave-running   keep the process running after the dump\n"
	       "  -j, --shell-job       the process's terminal and its stdio pipes belong to\n"
	       "                        the caller: restore --shell-job gives it its own,\n"
	       "                        with the terminal modes the process had; files at\n"
	       "                        stdio stay those files.  Without it a terminal is\n"
	       "                        refused.  A pipe whose other end is outside the\n"
	       "                        process is dumped either way, with a warning\n"
	       "      --tcp-established dump established TCP connections (TCP_REPAIR): their\n"
	       "                        packets are dropped by a network lock (an nftables\n"
	       "                        table, package nftables) from the dump until\n"
	       "                        restore --tcp-established brings them back, so\n"
	       "                        the peer sees no reset.  Without it an\n"
	       "                        established connection is refused\n"
	       "      --overwrite       replace an image already in DIR\n"
	       "      --no-sync         do not fsync the image (faster, for tmpfs)\n"
	       "  -v, --verbose         more messages\n");
}

static int dump_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tree", required_argument, NULL, 't' },
		{ "pid", required_argument, NULL, 'p' },
		{ "images-dir", required_argument, NULL, 'D' },
		{ "leave-running", no_argument, NULL, 'R' },
		{ "shell-job", no_argument, NULL, 'j' },
		{ "overwrite", no_argument, NULL, 'O' },
		{ "no-sync", no_argument, NULL, 'S' },
		{ "tcp-established", no_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 }
	};
	struct sudcr_dump_opts *o;
	bool leave_running = false, shell_job = false, overwrite = false, no_sync = false, tree = false;
	bool tcp = false;
	const char *dir = NULL;
	pid_t pid = 0;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":t:p:D:Rjv", opts, NULL)) != -1) {
		switch (c) {
		case 't':
		case 'p':
			if (cli_parse_pid(optarg, &pid))
				return cli_usage_error("dump", "'%s' is not a PID", optarg);
			tree = c == 't';
			break;
		case 'D':
			dir = optarg;
			break;
		case 'R':
			leave_running = true;
			break;
		case 'j':
			shell_job = true;
			break;
		case 'O':
			overwrite = true;
			break;
		case 'S':
			no_sync = true;
			break;
		case 'T':
			tcp = true;
			break;
		case 'v':
			sudcr_set_log_level(sudcr_log_level() < SUDCR_LOG_INFO ? SUDCR_LOG_INFO : SUDCR_LOG_DEBUG);
			break;
		default:
			return cli_bad_option("dump", c, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("dump", "unexpected argument '%s'", argv[optind]);
	if (!pid)
		return cli_usage_error("dump", "-t PID or -p PID is required");
	if (!dir)
		return cli_usage_error("dump", "-D DIR is required");
	cli_cancel_on_signals();
	ret = sudcr_dump_opts_new(&o);
	if (ret)
		return cli_exit_code(ret);
	ret = sudcr_dump_opts_set_dir(o, dir);
	if (!ret)
		ret = sudcr_dump_opts_set_leave_running(o, leave_running);
	if (!ret)
		ret = sudcr_dump_opts_set_shell_job(o, shell_job);
	if (!ret)
		ret = sudcr_dump_opts_set_overwrite(o, overwrite);
	if (!ret)
		ret = sudcr_dump_opts_set_no_sync(o, no_sync);
	if (!ret)
		ret = sudcr_dump_opts_set_tree(o, tree);
	if (!ret)
		ret = sudcr_dump_opts_set_tcp_established(o, tcp);
	if (!ret)
		ret = sudcr_dump(pid, o);
	sudcr_dump_opts_free(o);
	return cli_exit_code(ret);
}

const struct cli_command cmd_dump = {
	.name = "dump",
	.summary = "checkpoint a process into an image directory",
	.run = dump_run,
	.help = dump_help,
};
