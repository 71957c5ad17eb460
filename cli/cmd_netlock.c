// SPDX-License-Identifier: MIT
/* sudcr netlock: list the network locks of dump --tcp-established, or lift one. */
#include <getopt.h>
#include <stdio.h>

#include <sudcr/log.h>
#include <sudcr/sudcr.h>

#include "cli.h"

static void netlock_help(void)
{
	printf("Usage: sudcr netlock {--list | --lift -D DIR | --lift --table NAME} [-v]\n\n"
	       "A dump with --tcp-established that kills the process leaves a network\n"
	       "lock: an nftables table (inet sudcr_PID_RANDOM) that drops the packets\n"
	       "of its established TCP connections until restore --tcp-established\n"
	       "lifts it.  This lists those tables, or lifts one whose image will not\n"
	       "be restored: the peers of its connections then get resets, as if the\n"
	       "process had died.\n\n"
	       "  -l, --list            print the name of every such table, one a line\n"
	       "      --lift            remove a lock: that of the image in DIR (-D; every\n"
	       "                        process's of a tree image), or the table NAME\n"
	       "  -D, --images-dir DIR  the image whose lock --lift removes\n"
	       "      --table NAME      the table --lift removes\n"
	       "  -v, --verbose         more messages\n");
}

static void print_table(const char *table, void *arg)
{
	(void)arg;
	printf("inet %s\n", table);
}

static int netlock_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "lift", no_argument, NULL, 'L' },
		{ "images-dir", required_argument, NULL, 'D' },
		{ "table", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 }
	};
	const char *dir = NULL, *table = NULL;
	bool list = false, lift = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":lD:v", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			list = true;
			break;
		case 'L':
			lift = true;
			break;
		case 'D':
			dir = optarg;
			break;
		case 'T':
			table = optarg;
			break;
		case 'v':
			sudcr_set_log_level(sudcr_log_level() < SUDCR_LOG_INFO ? SUDCR_LOG_INFO : SUDCR_LOG_DEBUG);
			break;
		default:
			return cli_bad_option("netlock", c, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("netlock", "unexpected argument '%s'", argv[optind]);
	if (list == lift)
		return cli_usage_error("netlock", "--list or --lift is required");
	if (list && (dir || table))
		return cli_usage_error("netlock", "--list takes neither -D nor --table");
	if (lift && !dir == !table)
		return cli_usage_error("netlock", "--lift takes -D DIR or --table NAME");
	if (list) {
		ret = sudcr_netlock_list(print_table, NULL);
		return ret < 0 ? EXIT_FAIL : EXIT_OK;
	}
	return sudcr_netlock_lift(dir, table) ? EXIT_FAIL : EXIT_OK;
}

const struct cli_command cmd_netlock = {
	.name = "netlock",
	.summary = "list the network locks of dump --tcp-established, or lift one",
	.run = netlock_run,
	.help = netlock_help,
};
