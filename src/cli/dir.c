/* dir.c - output directories: create them, and prove they are writable
 * before the first request (see dir.h). */
#include "cli/dir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transfer/sink_file.h"

enum qv_err cli_dir_make(const char *dir, struct qv_error *err)
{
	char path[SINK_FILE_PATH_MAX];
	size_t len = strlen(dir), i;

	if (len == 0)
		return QV_OK;
	if (len >= sizeof path)
		return qv_error_set(err, QV_E_FILE, "directory name too long");
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			return qv_error_sys(err, QV_E_FILE, errno, "cannot create directory %s", path);
		path[i] = i < len ? '/' : '\0';
	}
	return cli_dir_writable(dir, err);
}

enum qv_err cli_dir_writable(const char *dir, struct qv_error *err)
{
	char probe[SINK_FILE_PATH_MAX];
	int n = snprintf(probe, sizeof probe, "%s/.quiver-probe-XXXXXX", dir), fd;
	struct stat st;

	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		return qv_error_set(err, QV_E_FILE, "%s is not a directory", dir);
	if (n < 0 || (size_t)n >= sizeof probe)
		return qv_error_set(err, QV_E_FILE, "directory name too long");
	fd = mkostemp(probe, O_CLOEXEC);
	if (fd < 0)
		return qv_error_sys(err, QV_E_FILE, errno, "cannot write to %s", dir);
	(void)close(fd);
	(void)unlink(probe);
	return QV_OK;
}
