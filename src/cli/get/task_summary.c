/* task_summary.c - the --summary file (see task_summary.h). */
#include "cli/get/task_summary.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/dir.h"
#include "cli/get/json_out.h"
#include "transfer/sink_file.h"

static void task_summary_print(FILE *f, const struct task_summary *s)
{
	if (s->have_shard)
		(void)fprintf(f, "{\"shard\":\"%u/%u\"", (unsigned)s->shard.k, (unsigned)s->shard.n);
	else
		(void)fputs("{\"shard\":null", f);
	(void)fprintf(f,
		      ",\"urls\":%llu,\"fetched\":%llu,\"skipped\":%llu,\"failed\":%llu,"
		      "\"cut_short\":%llu,\"bytes\":%llu,\"seconds\":%.3f,\"exit\":%d,\"error\":",
		      (unsigned long long)s->urls, (unsigned long long)s->t.ok,
		      (unsigned long long)s->t.skipped, (unsigned long long)s->t.failed,
		      (unsigned long long)s->t.interrupted, (unsigned long long)s->t.bytes,
		      s->t.secs, s->exit_status);
	if (s->error[0] != '\0')
		json_out_str(f, s->error, strlen(s->error));
	else
		(void)fputs("null", f);
	(void)fputs("}\n", f);
}

/* FILE's directory, made when missing as -o DIR is: the tasks of a job
 * array point at one that nobody made beforehand.  A failure shows when the
 * file is opened again. */
static void task_summary_mkdir(const char *path)
{
	char dir[SINK_FILE_PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct qv_error e;

	if (slash == NULL || slash == path || (size_t)(slash - path) >= sizeof dir)
		return;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	(void)cli_dir_make(dir, &e);
}

enum qv_err task_summary_write(const char *path, const struct task_summary *s,
			       struct qv_error *err)
{
	char tmp[SINK_FILE_PATH_MAX];
	int n = snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	int fd, e = 0;
	FILE *f;

	if (n < 0 || (size_t)n >= sizeof tmp)
		return qv_error_set(err, QV_E_FILE, "cannot write %s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 && errno == ENOENT) {
		task_summary_mkdir(path);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	}
	if (fd < 0)
		return qv_error_sys(err, QV_E_FILE, errno, "cannot write %s", tmp);
	f = fdopen(fd, "w");
	if (f == NULL) {
		e = errno;
		(void)close(fd);
	} else {
		task_summary_print(f, s);
		if (fflush(f) != 0 || fsync(fd) != 0)
			e = errno != 0 ? errno : EIO;
		if (fclose(f) != 0 && e == 0)
			e = errno;
	}
	if (e == 0 && rename(tmp, path) != 0)
		e = errno;
	if (e != 0) {
		(void)unlink(tmp);
		return qv_error_sys(err, QV_E_FILE, e, "cannot write %s", path);
	}
	return QV_OK;
}
