// SPDX-License-Identifier: MIT
/*
 * Reading a whole /proc file (in libsudcr-core).
 */
#include <fcntl.h>

#include "parse.h"
#include "proc.h"

int proc_read_file(const char *path, char **buf, size_t *len)
{
	return read_path_all(AT_FDCWD, path, 4096, buf, len);
}
