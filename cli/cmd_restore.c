// SPDX-License-Identifier: MIT
/* sudcr restore: bring a process back from an image, with its PID. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <sudcr/log.h>
#include <sudcr/sudcr.h>

#include "cli.h"

static void restore_help(void)
{
	printf("Usage: sudcr restore -D DIR [-d] [--shell-job] [--inherit-fd fd[N]:pipe:[INODE]]\n"
	       "                     [--allow-changed-files] [--tcp-established] [-v]\n\n"
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
	       "  -j, --shell-job           the process's terminal becomes sudcr's, with the\n"
	       "                            modes it had, and its stdio that were the\n"
	       "                            caller's pipes become sudcr's stdin/stdout/stderr\n"
	       "                            (it joins sudcr's session and process group\n"
	       "                            either way)\n"
	       "      --inherit-fd fd[N]:pipe:[INODE]\n"
	       "                            the process's pipe INODE, whose other end was\n"
	       "                            outside it, is joined to fd N of sudcr (any\n"
	       "                            number of times); without it, such a pipe comes\n"
	       "                            back without its other end, with a warning\n"
	       "      --allow-changed-files restore even though a file the process had open\n"
	       "                            for writing, locked or mapped (its program and\n"
	       "                            libraries included) changed since the dump,\n"
	       "                            with a warning naming each such file; without\n"
	       "                            it such a restore is refused\n"
	       "      --tcp-established     restore the established TCP connections of an\n"
	       "                            image dumped with --tcp-established, and lift\n"
	       "                            their network lock once they are back (an image\n"
	       "                            with such connections is refused without it; a\n"
	       "                            failed restore leaves the lock in place)\n"
	       "  -v, --verbose             more messages\n");
}

/* fd[N]:pipe:[INODE], CRIU's syntax; only pipes. */
static int parse_inherit_fd(const char *arg, int *fd, uint64_t *ino)
{
	unsigned long long i;
	int end = 0;

	if (sscanf(arg, "fd[%d]:pipe:[%llu]%n", fd, &i, &end) != 2 || arg[end] || *fd < 0 ||
	    !i || strchr(arg, '-') || strchr(arg, '+') || strchr(arg, ' '))
		return -1;
	*ino = i;
	return 0;
}

static void on_running(pid_t pid, void *arg)
{
	(void)arg;
	cli_forward_signals_to(pid);
}

static int restore_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "images-dir", required_argument, NULL, 'D' },
		{ "restore-detached", no_argument, NULL, 'd' },
		{ "shell-job", no_argument, NULL, 'j' },
		{ "inherit-fd", required_argument, NULL, 'I' },
		{ "allow-changed-files", no_argument, NULL, 'C' },
		{ "tcp-established", no_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 }
	};
	struct {
		int fd;
		uint64_t ino;
	} inherit[SUDCR_RESTORE_INHERIT_MAX];
	struct sudcr_restore_opts *o;
	bool detach = false, shell_job = false, allow_changed = false, tcp = false;
	const char *dir = NULL;
	int c, status, ret, nr_inherit = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":D:djv", opts, NULL)) != -1) {
		switch (c) {
		case 'D':
			dir = optarg;
			break;
		case 'd':
			detach = true;
			break;
		case 'j':
			shell_job = true;
			break;
		case 'I':
			if (nr_inherit == SUDCR_RESTORE_INHERIT_MAX ||
			    parse_inherit_fd(optarg, &inherit[nr_inherit].fd, &inherit[nr_inherit].ino))
				return cli_usage_error("restore", "--inherit-fd '%s': want fd[N]:pipe:[INODE]%s",
						       optarg, nr_inherit == SUDCR_RESTORE_INHERIT_MAX ?
						       " (at most 16 of them)" : "");
			nr_inherit++;
			break;
		case 'C':
			allow_changed = true;
			break;
		case 'T':
			tcp = true;
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
	if (!dir)
		return cli_usage_error("restore", "-D DIR is required");
	cli_cancel_on_signals();
	ret = sudcr_restore_opts_new(&o);
	if (ret)
		return EXIT_FAIL;
	ret = sudcr_restore_opts_set_dir(o, dir);
	if (!ret)
		ret = sudcr_restore_opts_set_detach(o, detach);
	if (!ret)
		ret = sudcr_restore_opts_set_shell_job(o, shell_job);
	if (!ret)
		ret = sudcr_restore_opts_set_allow_changed_files(o, allow_changed);
	if (!ret)
		ret = sudcr_restore_opts_set_tcp_established(o, tcp);
	for (int i = 0; i < nr_inherit && !ret; i++)
		ret = sudcr_restore_opts_add_inherit_fd(o, inherit[i].fd, inherit[i].ino);
	if (!ret)
		ret = sudcr_restore_opts_set_on_running(o, on_running, NULL);
	if (!ret)
		ret = sudcr_restore(o, &status);
	sudcr_restore_opts_free(o);
	if (ret)
		return EXIT_FAIL;
	return detach ? EXIT_OK : status;
}

const struct cli_command cmd_restore = {
	.name = "restore",
	.summary = "restore a process from an image directory, with its PID",
	.run = restore_run,
	.help = restore_help,
};
