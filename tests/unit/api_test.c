// SPDX-License-Identifier: MIT
/*
 * The high-level API (sudcr/sudcr.h) as an embedder uses it: the options
 * objects check what they are given, dump and restore refuse options
 * without an image directory (one message each), and show prints to the
 * stream it is given, text and JSON, nothing to stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "image_records.h"
#include <sudcr/log.h>
#include <sudcr/sudcr.h>

#include "harness.h"

static int nr_errors;
static char last_error[256];

static void capture_log(enum sudcr_log_level level, const char *msg)
{
	if (level != SUDCR_LOG_ERROR)
		return;
	nr_errors++;
	snprintf(last_error, sizeof(last_error), "%s", msg);
}

static void test_dump_opts(void)
{
	struct sudcr_dump_opts *o;

	CHECK_EQ(sudcr_dump_opts_new(&o), 0);
	CHECK_EQ(sudcr_dump_opts_set_dir(o, NULL), -EINVAL);
	nr_errors = 0;
	/* No directory: refused before anything is looked at (ourselves: not dumpable anyway). */
	CHECK_EQ(sudcr_dump(getpid(), o), -EINVAL);
	CHECK_EQ(nr_errors, 1);
	CHECKF(strstr(last_error, "no image directory"), "message: '%s'", last_error);
	/* The directory is copied: the caller's buffer may go. */
	{
		char dir[] = "/nonexistent/a";

		CHECK_EQ(sudcr_dump_opts_set_dir(o, dir), 0);
		CHECK_EQ(sudcr_dump_opts_set_dir(o, "/nonexistent/b"), 0);
		dir[0] = 'X';
	}
	CHECK_EQ(sudcr_dump_opts_set_leave_running(o, true), 0);
	CHECK_EQ(sudcr_dump_opts_set_shell_job(o, true), 0);
	CHECK_EQ(sudcr_dump_opts_set_overwrite(o, true), 0);
	CHECK_EQ(sudcr_dump_opts_set_no_sync(o, true), 0);
	CHECK_EQ(sudcr_dump_opts_set_tree(o, true), 0);
	sudcr_dump_opts_free(o);
	sudcr_dump_opts_free(NULL);
}

static void test_restore_opts(void)
{
	struct sudcr_restore_opts *o;
	int status = -1;

	CHECK_EQ(sudcr_restore_opts_new(&o), 0);
	nr_errors = 0;
	CHECK_EQ(sudcr_restore(o, &status), -EINVAL);
	CHECK_EQ(status, 0);
	CHECK_EQ(nr_errors, 1);
	CHECK_EQ(sudcr_restore_opts_add_inherit_fd(o, -1, 5), -EINVAL);
	CHECK_EQ(sudcr_restore_opts_add_inherit_fd(o, 3, 0), -EINVAL);
	for (int i = 0; i < SUDCR_RESTORE_INHERIT_MAX; i++)
		CHECK_EQ(sudcr_restore_opts_add_inherit_fd(o, 3 + i, 100 + i), 0);
	CHECK_EQ(sudcr_restore_opts_add_inherit_fd(o, 40, 200), -E2BIG);
	CHECK_EQ(sudcr_restore_opts_set_dir(o, "/nonexistent"), 0);
	CHECK_EQ(sudcr_restore_opts_set_detach(o, true), 0);
	CHECK_EQ(sudcr_restore_opts_set_shell_job(o, true), 0);
	CHECK_EQ(sudcr_restore_opts_set_on_running(o, NULL, NULL), 0);
	/* A directory with no image: the reader's one message, nothing created. */
	nr_errors = 0;
	CHECK(sudcr_restore(o, &status) < 0);
	CHECK_EQ(nr_errors, 1);
	sudcr_restore_opts_free(o);
}

/* A process record and one thread record, no pages. */
static int write_image(const char *dir)
{
	struct rec_process p = { .pid = 4242, .arch = 0, .nr_threads = 1, .page_size = 4096 };
	struct rec_thread t = { .tid = 4242, .sigmask = 0x10 };
	struct img_writer *w;
	int ret;

	memcpy(p.comm, "prog", 5);
	memcpy(t.comm, "prog\n", 6);	/* a byte show must escape */
	ret = img_writer_open(&w, dir);
	if (ret)
		return ret;
	img_writer_set_sync(w, false);
	ret = img_write_record(w, IMG_REC_PROCESS, &p, sizeof(p));
	if (!ret)
		ret = img_write_record(w, IMG_REC_THREAD, &t, sizeof(t));
	if (ret) {
		img_writer_abort(w);
		return ret;
	}
	return img_writer_commit(w);
}

static char *show(struct sudcr_image *img, enum sudcr_show_format format)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	CHECK_EQ(sudcr_image_show(img, f, format), 0);
	fclose(f);
	return buf;
}

static void test_show_stream(void)
{
	static const char text_head[] = "process 4242 (prog), x86_64, 1 thread\n"
					"  thread 4242 (prog\\n) ip 0x0 sigmask 0x10\n"
					"    sud: off\n"
					"credentials:\nmemory:\nfiles:\nsignals:\n";
	static const char json_head[] = "{\"process\":{\"pid\":4242,\"arch\":\"x86_64\",\"threads\":1,";
	char dir[] = "/tmp/sudcr-api-test-XXXXXX", path[64];
	struct sudcr_image *img = NULL;
	char *text, *json;
	int saved, fd;

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/img", dir);
	CHECK_EQ(write_image(path), 0);
	nr_errors = 0;
	CHECK_EQ(sudcr_image_open(&img, dir), -ENOENT);	/* no image there */
	CHECK_EQ(nr_errors, 1);
	CHECK(!img);
	CHECK_EQ(sudcr_image_open(&img, path), 0);
	if (!img)
		goto out;
	/* stdout goes to a file meanwhile: show must write nothing there. */
	snprintf(path, sizeof(path), "%s/stdout", dir);
	fflush(stdout);
	saved = dup(1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(saved >= 0 && fd >= 0);
	dup2(fd, 1);
	text = show(img, SUDCR_SHOW_TEXT);
	json = show(img, SUDCR_SHOW_JSON);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	CHECK_EQ(lseek(fd, 0, SEEK_END), 0);
	close(fd);
	CHECKF(text && !strncmp(text, text_head, strlen(text_head)), "text: '%s'", text ? text : "(none)");
	CHECKF(text && strstr(text, "\nrecords: process 1 thread 1\n"), "text: '%s'", text ? text : "(none)");
	CHECKF(json && !strncmp(json, json_head, strlen(json_head)),
	       "json: '%s'", json ? json : "(none)");
	CHECKF(json && strstr(json, "\"comm\":\"prog\\u000a\"") &&
	       strstr(json, "],\"creds\":[],\"memory\":[],\"fds\":[],\"netlock\":[],\"sigactions\":[],\"pending\":[],\"sysv_shm\":[],\"sysv_shm_attaches\":[],\"sysv_msg\":[],\"sysv_sem_undo\":[],\"pages_stored\":0,") &&
	       strstr(json, "\"records\":{\"process\":1,\"thread\":1}}\n"),
	       "json: '%s'", json ? json : "(none)");
	free(text);
	free(json);
	sudcr_image_close(img);
out:
	sudcr_image_close(NULL);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CHECK_EQ(system(path), 0);
}

int main(void)
{
	sudcr_set_log_fn(capture_log);
	RUN_TEST(test_dump_opts);
	RUN_TEST(test_restore_opts);
	RUN_TEST(test_show_stream);
	return harness_exit();
}
