/* task_summary.h - `get --summary FILE`: one JSON object when a run ends,
 * so the tasks of a job array (Slurm, Kubernetes Indexed Jobs, AWS Batch)
 * can be added up by one `jq -s` and a re-run can tell what is left:
 *
 *   {"shard":"3/16","urls":625,"fetched":600,"skipped":20,"failed":5,
 *    "cut_short":0,"bytes":1234567,"seconds":12.345,"exit":1,"error":null}
 *
 * shard is null when the run ended before it was known (a usage error);
 * urls counts this shard's URLs (those read so far when a streamed run,
 * get --name-by index, was cut short); fetched + skipped + failed +
 * cut_short of them had an outcome, the rest were never started (an
 * interrupted run, or one that could not go on: error says why).  With -n
 * nothing is fetched and urls - skipped would be.
 * The file is written whole or not at all: FILE.PID.tmp beside it, fsync,
 * rename over FILE; its directory is made when missing. */
#ifndef QV_CLI_GET_TASK_SUMMARY_H
#define QV_CLI_GET_TASK_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/get/get_run.h"
#include "cli/get/shard.h"
#include "util/err.h"

struct task_summary {
	bool have_shard;            /* shard is known */
	struct shard shard;
	uint64_t urls;              /* in this shard */
	struct get_totals t;        /* fetched = t.ok, cut_short = t.interrupted;
				     * t.secs: the whole task, planning included */
	int exit_status;
	char error[QV_ERROR_MSG_MAX]; /* why the run could not go on, "": none */
};

/* Write s to path atomically.  Errors QV_E_FILE (named, with the reason). */
enum qv_err task_summary_write(const char *path, const struct task_summary *s,
			       struct qv_error *err);

#endif
