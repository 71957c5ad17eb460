// SPDX-License-Identifier: MIT
/*
 * /proc/PID/auxv: the auxiliary vector.
 */
#include <errno.h>
#include <string.h>

#include "parse.h"
#include "proc.h"

/* ---- auxv ---- */

int proc_parse_auxv_buf(const void *buf, size_t len, bool compat32, uint64_t *out, int max,
			int *nr)
{
	size_t wsz = compat32 ? 4 : 8;
	const unsigned char *b = buf;
	int n = 0;

	if (max < 0)
		return -EINVAL;
	if (!len) {
		*nr = 0;
		return 0;
	}
	for (size_t off = 0; off + 2 * wsz <= len; off += 2 * wsz) {
		uint64_t type, val;

		if (compat32) {
			uint32_t t32, v32;

			memcpy(&t32, b + off, 4);
			memcpy(&v32, b + off + 4, 4);
			type = t32;
			val = v32;
		} else {
			memcpy(&type, b + off, 8);
			memcpy(&val, b + off + 8, 8);
		}
		if (n > max - 2)
			return -ENOSPC;
		out[n++] = type;
		out[n++] = val;
		if (type == 0) {	/* AT_NULL */
			*nr = n;
			return 0;
		}
	}
	return -EINVAL;
}

int proc_read_auxv(pid_t pid, bool compat32, uint64_t *out, int max, int *nr)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	ret = read_task_file(pid, 0, "auxv", 1024, &buf, &len);
	/* Zombies and kernel threads have no mm: the kernel refuses the open. */
	if (ret == -ESRCH && proc_missing(pid, 0) == -ENOENT) {
		*nr = 0;
		return 0;
	}
	if (ret)
		return ret;
	ret = proc_parse_auxv_buf(buf, len, compat32, out, max, nr);
	free(buf);
	return ret;
}

int proc_auxv_get(const uint64_t *auxv, int nr, uint64_t type, uint64_t *val)
{
	for (int i = 0; i + 1 < nr; i += 2) {
		if (auxv[i] == type) {
			*val = auxv[i + 1];
			return 0;
		}
	}
	return -ENOENT;
}
