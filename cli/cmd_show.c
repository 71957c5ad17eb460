// SPDX-License-Identifier: MIT
/* sudcr show: print what an image holds, as text or JSON (the library's sudcr_image_show()). */
#include <getopt.h>
#include <stdio.h>

#include <sudcr/sudcr.h>

#include "cli.h"

static void show_help(void)
{
	printf("Usage: sudcr show -D DIR [--json]\n\n"
	       "Validates the image in DIR and prints what it holds: the process and its\n"
	       "threads with their SUD config and credentials (and for a thread cut\n"
	       "short in a sleep, that the restore issues the call again: a relative\n"
	       "timeout starts over, an absolute one is exact), the memory map with the\n"
	       "size stored for each mapping and in each page file, signal dispositions and pending\n"
	       "signals, each open fd (its kind, flags, position, size, path, what its\n"
	       "kind keeps and the file locks held through it), and how many records of\n"
	       "other kinds there are.  Bytes from the image that are not printable\n"
	       "text are shown escaped (\\n, \\xHH).  --json prints\n"
	       "one JSON object.\n");
}

static int show_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "images-dir", required_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'J' },
		{ 0 }
	};
	enum sudcr_show_format format = SUDCR_SHOW_TEXT;
	struct sudcr_image *img;
	const char *dir = NULL;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":D:", opts, NULL)) != -1) {
		if (c == 'D')
			dir = optarg;
		else if (c == 'J')
			format = SUDCR_SHOW_JSON;
		else
			return cli_bad_option("show", c, argv);
	}
	if (optind != argc)
		return cli_usage_error("show", "unexpected argument '%s'", argv[optind]);
	if (!dir)
		return cli_usage_error("show", "-D DIR is required");
	if (sudcr_image_open(&img, dir))
		return EXIT_FAIL;
	ret = sudcr_image_show(img, stdout, format);
	sudcr_image_close(img);
	return ret ? EXIT_FAIL : EXIT_OK;
}

const struct cli_command cmd_show = {
	.name = "show",
	.summary = "print what an image holds (text or --json)",
	.run = show_run,
	.help = show_help,
};
