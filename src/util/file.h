/* file.h - a whole regular file read into memory, bounded: one home for
 * the CA bundles and keys of tls/ and wget's --post-file. */
#ifndef QV_UTIL_FILE_H
#define QV_UTIL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Read the regular file path (at most max bytes) into a new buffer *out of
 * *len bytes (free() it).  Errors carry code, the caller's kind of file
 * (QV_E_TLS_PEM, QV_E_FILE): "cannot read PATH: why", "PATH is larger than
 * N bytes", "PATH is not a regular file"; or QV_E_NOMEM. */
enum qv_err file_read_all(const char *path, size_t max, enum qv_err code, uint8_t **out,
			  size_t *len, struct qv_error *err);

#endif
