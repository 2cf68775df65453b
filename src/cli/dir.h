/* dir.h - output directories of every command: created when missing and
 * proved writable before the first request, so a run never downloads into
 * a directory it cannot write. */
#ifndef QV_CLI_DIR_H
#define QV_CLI_DIR_H

#include "util/err.h"

/* Create dir and its missing parents (like mkdir -p), then
 * cli_dir_writable(dir). */
enum qv_err cli_dir_make(const char *dir, struct qv_error *err);

/* Make sure files can be created in dir, before any download: creates and
 * removes a probe file, because access(2) says yes to root on a read-only
 * tree such as /proc or /sys (and to anyone on some network mounts). */
enum qv_err cli_dir_writable(const char *dir, struct qv_error *err);

#endif
