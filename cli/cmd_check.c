// SPDX-License-Identifier: MIT
/* sudcr check: one line per item the library's sudcr_check() probes. */
#include <stdio.h>

#include <sudcr/sudcr.h>

#include "cli.h"

static void check_help(void)
{
	printf("Usage: sudcr check\n\n"
	       "Probes the running kernel and sudcr's privileges and prints one line per\n"
	       "item: 'yes' or 'no', and whether dump/restore need it.  Exits 0 when\n"
	       "everything needed is there, 3 when something needed is missing.\n");
}

static void print_item(const struct sudcr_check_item *it, void *arg)
{
	(void)arg;
	printf("%-42s %-3s  %s\n", it->what, it->ok ? "yes" : "no", it->needed ? "(needed)" : it->why);
}

static int check_run(int argc, char **argv)
{
	int missing;

	(void)argv;
	if (argc > 1)
		return cli_usage_error("check", "takes no arguments");
	missing = sudcr_check(print_item, NULL);
	if (missing) {
		printf("%d needed item%s missing\n", missing, missing > 1 ? "s" : "");
		return EXIT_MISSING;
	}
	printf("everything dump/restore need is there\n");
	return EXIT_OK;
}

const struct cli_command cmd_check = {
	.name = "check",
	.summary = "probe the kernel and privileges for what sudcr needs",
	.run = check_run,
	.help = check_help,
};
