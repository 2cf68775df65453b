/* file.c - a whole regular file read into memory, bounded (see file.h). */
#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

enum qv_err file_read_all(const char *path, size_t max, enum qv_err code, uint8_t **out,
			  size_t *len, struct qv_error *err)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t have = 0;
	enum qv_err rc = QV_OK;
	int fd;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return qv_error_sys(err, code, errno, "cannot read %s", path);
	if (fstat(fd, &st) != 0) {
		rc = qv_error_sys(err, code, errno, "cannot read %s", path);
	} else if (!S_ISREG(st.st_mode)) {
		rc = qv_error_set(err, code, "%s is not a regular file", path);
	} else if ((uintmax_t)st.st_size > max) {
		rc = qv_error_set(err, code, "%s is larger than %zu bytes", path, max);
	} else if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		rc = qv_error_set(err, QV_E_NOMEM, "out of memory");
	}
	/* Read what fstat promised, no more: the file may change under us. */
	while (rc == QV_OK && have < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + have, (size_t)st.st_size - have);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rc = qv_error_sys(err, code, errno, "cannot read %s", path);
		else if (r == 0)
			break;
		else
			have += (size_t)r;
	}
	(void)close(fd);
	if (rc != QV_OK) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len = have;
	return QV_OK;
}
