// SPDX-License-Identifier: MIT
/* What the kinds of removed files share (removed.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "removed.h"

char *path_parent(const char *path)
{
	char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;

	if (!slash) {
		free(dir);
		return NULL;
	}
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return dir;
}

int path_parent_is_dir(const char *path)
{
	char *dir = path_parent(path);
	struct stat st;
	int err;

	if (!dir)
		return -ENOMEM;
	err = stat(dir, &st) ? -errno : S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	free(dir);
	return err;
}

char *path_stand_in(const char *path, int n)
{
	char *dir = path_parent(path), *name = NULL;

	if (dir && asprintf(&name, "%s/.sudcr-deleted-%d-%d", strcmp(dir, "/") ? dir : "", getpid(), n) < 0)
		name = NULL;
	free(dir);
	return name;
}
