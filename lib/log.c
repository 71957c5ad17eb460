// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include <sudcr/log.h>
#include "log.h"

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

/* Length of the valid UTF-8 sequence of a printable character at @p, 0 if none. */
static size_t utf8_printable(const unsigned char *p, size_t left)
{
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > left)
		return 0;
	/* The second byte's range rules out overlong forms and surrogates. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	/* C1 controls, U+0080..U+009F, act on terminals like C0 ones. */
	if (p[0] == 0xc2 && p[1] < 0xa0)
		return 0;
	return n;
}

size_t sudcr_escape(char *out, size_t size, const char *in, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)in;
	size_t o = 0;

	if (!size)
		return 0;
	for (size_t i = 0; i < len && p[i]; ) {
		char esc[4];
		size_t n = 0, take = 1;

		if (p[i] == '\\' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t') {
			esc[0] = '\\';
			esc[1] = p[i] == '\n' ? 'n' : p[i] == '\r' ? 'r' : p[i] == '\t' ? 't' : '\\';
			n = 2;
		} else if (p[i] >= 0x20 && p[i] < 0x7f) {
			esc[0] = p[i];
			n = 1;
		} else if (p[i] >= 0x80 && (take = utf8_printable(p + i, len - i))) {
			n = 0;
		} else {
			take = 1;
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[p[i] >> 4];
			esc[3] = hex[p[i] & 15];
			n = 4;
		}
		if (!n) {
			/* A whole UTF-8 character, copied as it is. */
			if (o + take >= size)
				break;
			memcpy(out + o, p + i, take);
			o += take;
		} else {
			if (o + n >= size)
				break;
			memcpy(out + o, esc, n);
			o += n;
		}
		i += take;
	}
	out[o] = '\0';
	return o;
}

void sudcr_log(enum sudcr_log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = { "", "warning: ", "", "debug: " };
	char msg[1024], shown[4 * sizeof(msg)];
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
	sudcr_escape(shown, sizeof(shown), msg, sizeof(msg));
	fprintf(stderr, "sudcr: %s%s\n", prefix[level], shown);
}
