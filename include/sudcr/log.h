/* SPDX-License-Identifier: MIT */
#ifndef SUDCR_LOG_H
#define SUDCR_LOG_H

/*
 * Error and debug reporting.  Library functions return 0 or a negative
 * errno and report the error once, where the context is known, through
 * sudcr_error().  Callers propagate the code without printing again, so a
 * failing command prints exactly one line.
 */

#include <stdarg.h>
#include <stddef.h>

#include <sudcr/api.h>

enum sudcr_log_level {
	SUDCR_LOG_ERROR = 0,
	SUDCR_LOG_WARN = 1,
	SUDCR_LOG_INFO = 2,
	SUDCR_LOG_DEBUG = 3,
};

/*
 * A log function gets the message as formatted, which may hold any byte
 * that came from a process or an image (paths, names): it escapes it with
 * sudcr_escape() before showing it.  The default one (stderr) does.
 */
typedef void (*sudcr_log_fn)(enum sudcr_log_level level, const char *msg);

/* Options, set once by the program: the only process-wide settings. */
SUDCR_API void sudcr_set_log_level(enum sudcr_log_level level);
SUDCR_API void sudcr_set_log_fn(sudcr_log_fn fn);
SUDCR_API enum sudcr_log_level sudcr_log_level(void);

SUDCR_API void sudcr_log(enum sudcr_log_level level, const char *fmt, ...)
			 __attribute__((format(printf, 2, 3)));

/*
 * Copy @in (@len bytes, or up to a NUL) into @out as text that is safe to
 * print on one line: a backslash becomes "\\", \n \r \t stay readable as
 * such, every other control or non-printable byte and every byte that is
 * not part of valid UTF-8 becomes \xHH.  The result is NUL-terminated and
 * cut, if @size is too small, between two whole escapes.  Returns the
 * length of what was written.
 */
SUDCR_API size_t sudcr_escape(char *out, size_t size, const char *in, size_t len);

#define sudcr_error(...) sudcr_log(SUDCR_LOG_ERROR, __VA_ARGS__)
#define sudcr_warn(...)  sudcr_log(SUDCR_LOG_WARN, __VA_ARGS__)
#define sudcr_info(...)  sudcr_log(SUDCR_LOG_INFO, __VA_ARGS__)
#define sudcr_debug(...) sudcr_log(SUDCR_LOG_DEBUG, __VA_ARGS__)

#endif
