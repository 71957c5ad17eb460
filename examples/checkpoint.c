// SPDX-License-Identifier: MIT
/*
 * checkpoint PID DIR - embedding libsudcr's high-level API (sudcr/sudcr.h):
 * checkpoint process PID into the image directory DIR, leaving it running,
 * then print what the image holds, as `sudcr show --json -D DIR` does.
 *
 * Build against an installed sudcr:
 *   cc -o checkpoint checkpoint.c $(pkg-config --cflags --libs sudcr)
 *
 * Exit status 0 when the dump and the show worked, 1 otherwise; the
 * library has then said why, in one line on stderr (its default log).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sudcr/sudcr.h>

int main(int argc, char **argv)
{
	struct sudcr_dump_opts *opts;
	struct sudcr_image *img;
	char *end;
	long pid;
	int ret;

	if (argc != 3) {
		fprintf(stderr, "usage: checkpoint PID DIR\n");
		return 2;
	}
	errno = 0;
	pid = strtol(argv[1], &end, 10);
	if (errno || *end || pid <= 0) {
		fprintf(stderr, "checkpoint: '%s' is not a PID\n", argv[1]);
		return 2;
	}
	ret = sudcr_dump_opts_new(&opts);
	if (ret)
		return 1;
	ret = sudcr_dump_opts_set_dir(opts, argv[2]);
	if (!ret)
		ret = sudcr_dump_opts_set_leave_running(opts, true);
	if (!ret)
		ret = sudcr_dump(pid, opts);
	sudcr_dump_opts_free(opts);
	if (ret)
		return 1;
	ret = sudcr_image_open(&img, argv[2]);
	if (ret)
		return 1;
	ret = sudcr_image_show(img, stdout, SUDCR_SHOW_JSON);
	sudcr_image_close(img);
	return ret ? 1 : 0;
}
