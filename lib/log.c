// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include <sudcr/log.h>

static enum sudcr_log_level cur_level = SUDCR_LOG_WARN;
static sudcr_log_fn cur_fn;
static unsigned long nr_errors;

unsigned long sudcr_log_errors(void)
{
	return nr_errors;
}

void sudcr_set_log_level(enum sudcr_log_level level)
{
	cur_level = level;
}

void sudcr_set_log_fn(sudcr_log_fn fn)
{
	cur_fn = fn;
}

enum sudcr_log_level sudcr_log_level(void)
{
	return cur_level;
}

void sudcr_log(enum sudcr_log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = { "", "warning: ", "", "debug: " };
	char msg[1024];
	va_list ap;

	if (level == SUDCR_LOG_ERROR)
		nr_errors++;
	if (level > cur_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cur_fn) {
		cur_fn(level, msg);
		return;
	}
	fprintf(stderr, "sudcr: %s%s\n", prefix[level], msg);
}
