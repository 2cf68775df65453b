/* cmd_flags2.c - `quiver flags2`: the book's flags2_sequential.py,
 * flags2_threadpool.py and flags2_asyncio.py as one command (--engine seq,
 * threads, poll), with their report, -v lines, progress bar and exit
 * statuses.  flags3 (cmd_flags3.c) is the same command with metadata. */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli/flags/flags2_run.h"
#include "cli/stop.h"

int flags2_command(bool flags3, int argc, char **argv)
{
	const char *me = flags3 ? "quiver flags3" : "quiver flags2";
	struct flags2_args *a;
	struct flags2_result res;
	struct cli_term term;
	struct cli_out o;
	enum qv_err rc;
	int status;

	/* the code table and the site URL are several KiB: not on the stack */
	a = malloc(sizeof *a);
	if (a == NULL) {
		(void)fprintf(stderr, "%s: out of memory\n", me);
		return 1;
	}
	status = flags2_parse(a, flags3, argc, argv, stdout);
	if (status >= 0)
		goto out;
	cli_term_probe(&term, stderr);
	cli_out_init(&o, stdout, stderr, &a->out, &term);
	flags2_report_start(stdout, a->label, a->site, &a->codes, flags2_connections(a));
	rc = flags2_run(a, &o, cli_stop_install(), &res);
	if (rc == QV_OK || rc == QV_E_INTERRUPTED)
		flags2_report_end(stdout, &res.counts, res.secs);
	if (rc == QV_E_INTERRUPTED)
		status = 130;
	else if (rc != QV_OK) {
		(void)fprintf(stderr, "%s: %s\n", me, res.err.msg);
		status = 1;
	} else
		status = res.counts.errors > 0 ? 1 : 0;
out:
	free(a);
	return status;
}

int cmd_flags2(int argc, char **argv)
{
	return flags2_command(false, argc, argv);
}
