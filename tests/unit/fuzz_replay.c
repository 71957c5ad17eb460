// SPDX-License-Identifier: MIT
/*
 * The fuzz target of fuzz/fuzz_image.c, built with the ordinary compiler
 * (and under `make asan-test` with ASan/UBSan), run over:
 *   fuzz/corpus/        core.img files of real dumps: each must validate;
 *   fuzz/regressions/   inputs that crashed or fooled a validator once:
 *                       each must be rejected, and nothing may crash.
 * A crash kills this binary, which the runner counts as a failure.
 */
#include <dirent.h>

#include "../../fuzz/fuzz_image.c"
#include "harness.h"

static char last_error[1024];

static void capture(enum sudcr_log_level level, const char *msg)
{
	if (level == SUDCR_LOG_ERROR)
		snprintf(last_error, sizeof(last_error), "%s", msg);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st))
		goto out;
	buf = malloc(st.st_size ? st.st_size : 1);
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	*len = st.st_size;
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

/* Replay every file of SRCDIR/sub; want_valid: each must validate, else each must be refused. */
static int replay(const char *src, const char *sub, bool want_valid)
{
	char dir[4096], path[8192], name[300];
	char *names[1024];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", src, sub);
	d = opendir(dir);
	if (!d) {
		printf("FAIL: %s: %s\n", dir, strerror(errno));
		harness_failed++;
		return 0;
	}
	while ((de = readdir(d)) && n < 1024)
		if (de->d_name[0] != '.' && strcmp(de->d_name, "README"))
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_name);
	for (int i = 0; i < n; i++) {
		size_t len = 0;
		uint8_t *data;
		int ret;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(name, sizeof(name), "%s/%s", sub, names[i]);
		harness_begin(name);
		data = slurp(path, &len);
		if (!data) {
			harness_fail(__FILE__, __LINE__, "cannot read %s", path);
		} else {
			last_error[0] = '\0';
			ret = fuzz_validate(data, len);
			if (want_valid && ret)
				harness_fail(__FILE__, __LINE__, "a real image is refused: %s (%s)", strerror(-ret),
					     last_error);
			else if (!want_valid && !ret)
				harness_fail(__FILE__, __LINE__, "a hostile image is accepted");
		}
		harness_end();
		free(data);
		free(names[i]);
	}
	return n;
}

int main(void)
{
	const char *src = getenv("SRCDIR") ? getenv("SRCDIR") : ".";

	if (fz_setup())
		return 1;
	sudcr_set_log_fn(capture);
	if (!replay(src, "fuzz/corpus", true)) {
		printf("FAIL: fuzz/corpus: no seeds\n");
		harness_failed++;
	}
	replay(src, "fuzz/regressions", false);
	fz_cleanup();
	return harness_exit();
}
