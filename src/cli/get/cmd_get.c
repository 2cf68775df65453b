/* cmd_get.c - `quiver get`: download any list of http/https URLs in
 * parallel (DESIGN §1).  Parse, plan (names, clashes, shard, destination:
 * all before the first byte), run, summarise; or, with --name-by index,
 * stream the list (get_stream.h).  Either way --summary FILE gets the
 * outcome. */
#include "cli/commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/get/get_args.h"
#include "cli/get/get_net.h"
#include "cli/get/get_plan.h"
#include "cli/get/get_run.h"
#include "cli/get/get_stream.h"
#include "cli/get/task_summary.h"
#include "cli/stop.h"
#include "cli/tls_setup.h"
#include "transfer/sink_file.h"
#include "util/clock.h"

/* -n: what would be fetched, one "URL<TAB>PATH" line each. */
static int get_dry_run(const struct get_args *a, const struct get_plan *p)
{
	char path[SINK_FILE_PATH_MAX];
	size_t j;

	for (j = 0; j < p->npick; j++) {
		size_t i = p->pick[j];

		if (a->to_stdout)
			(void)snprintf(path, sizeof path, "-");
		else if (p->skip[j] || !get_plan_path(a, p->name[i], path, sizeof path))
			continue;
		printf("%s\t%s\n", p->list.url[i], path);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static FILE *get_json_open(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "-") == 0)
		return stdout;
	return fopen(name, "w");
}

/* The run inside get_execute's frame: the plan's or the stream's. */
typedef enum qv_err (*get_run_fn)(void *ctx, struct cli_out *o, FILE *json,
				  const volatile sig_atomic_t *stop, struct get_totals *t,
				  struct qv_error *err);

struct get_planned_run {
	const struct get_args *a;
	const struct get_plan *p;
	const struct get_net *net;
};

static enum qv_err get_run_planned(void *ctx, struct cli_out *o, FILE *json,
				   const volatile sig_atomic_t *stop, struct get_totals *t,
				   struct qv_error *err)
{
	const struct get_planned_run *r = ctx;

	return get_run(r->a, r->p, r->net, o, json, stop, t, err);
}

static enum qv_err get_run_streamed(void *ctx, struct cli_out *o, FILE *json,
				    const volatile sig_atomic_t *stop, struct get_totals *t,
				    struct qv_error *err)
{
	return get_stream_run(ctx, o, json, stop, t, err);
}

/* The frame of a run: --json, the output policy, run(ctx), the summary
 * line, the exit status. */
static int get_execute(const struct get_args *a, get_run_fn run, void *ctx,
		       struct get_totals *t, struct qv_error *errp)
{
	struct cli_term term;
	struct cli_out o;
	struct qv_error err;
	FILE *json = get_json_open(a->json);
	enum qv_err rc;

	memset(t, 0, sizeof *t);
	if (a->json != NULL && json == NULL) {
		(void)qv_error_sys(errp, QV_E_FILE, errno, "cannot write %s", a->json);
		(void)fprintf(stderr, "quiver get: %s\n", errp->msg);
		return 1;
	}
	cli_term_probe(&term, stderr);
	cli_out_init(&o, stdout, stderr, &a->out, &term);
	if (a->insecure)
		cli_out_note(&o, "quiver get: %s", CLI_TLS_INSECURE_WARNING);
	qv_error_clear(&err);
	rc = run(ctx, &o, json, cli_stop_install(), t, &err);
	if (json != NULL && json != stdout && fclose(json) != 0)
		(void)fprintf(stderr, "quiver get: error writing %s\n", a->json);
	if (rc != QV_OK && rc != QV_E_INTERRUPTED) {
		(void)fprintf(stderr, "quiver get: %s\n", err.msg);
		*errp = err;
		return rc == QV_E_USAGE ? 2 : 1;
	}
	if (!o.quiet)
		get_summary(stderr, t);
	if (rc == QV_E_INTERRUPTED)
		return 130;
	return t->failed > 0 ? 1 : 0;
}

/* The list streamed (--name-by index): never held, see get_stream.h. */
static int get_streamed(const struct get_args *a, struct task_summary *sum)
{
	struct get_stream *s;
	struct qv_error err;
	enum qv_err rc;
	int status;

	qv_error_clear(&err);
	rc = get_stream_new(&s, a, sum, &err);
	if (rc == QV_OK && a->dry_run)
		rc = get_stream_dry_run(s, &sum->t, &err);
	if (rc != QV_OK) {
		(void)fprintf(stderr, "quiver get: %s\n", err.msg);
		status = rc == QV_E_USAGE ? 2 : 1;
	} else {
		status = a->dry_run ? (sum->t.failed > 0 ? 1 : 0)
				    : get_execute(a, get_run_streamed, s, &sum->t, &err);
	}
	if (err.code != QV_OK)
		(void)snprintf(sum->error, sizeof sum->error, "%s", err.msg);
	sum->urls = get_stream_urls(s);
	get_stream_free(s);
	return status;
}

/* The whole list planned, then run (or printed by -n). */
static int get_planned(const struct get_args *a, struct task_summary *sum)
{
	struct get_plan p;
	struct get_net net;
	struct get_totals t;
	struct qv_error err;
	enum qv_err rc;
	int status;

	qv_error_clear(&err);
	memset(&t, 0, sizeof t);
	/* the plan decides it again; here for the summary of a failed plan */
	sum->have_shard = get_plan_shard(&sum->shard, a, &err) == QV_OK;
	qv_error_clear(&err);
	rc = get_plan_build(&p, a, stderr, &err);
	/* proxies and credentials before anything prints a URL: from here on
	 * a URL that held a password reads user:***@ */
	if (rc == QV_OK)
		rc = get_net_init(&net, a, &p, stderr, &err);
	if (rc != QV_OK) {
		(void)fprintf(stderr, "quiver get: %s\n", err.msg);
		status = rc == QV_E_USAGE ? 2 : 1;
	} else {
		struct get_planned_run r = {a, &p, &net};

		status = a->dry_run ? get_dry_run(a, &p) : get_execute(a, get_run_planned, &r, &t, &err);
		get_net_clear(&net);
	}
	if (err.code != QV_OK)
		(void)snprintf(sum->error, sizeof sum->error, "%s", err.msg);
	sum->urls = p.npick;
	sum->t = t;
	if (a->dry_run)
		sum->t.skipped = p.nskip;
	get_plan_clear(&p);
	return status;
}

int cmd_get(int argc, char **argv)
{
	struct get_args a;
	struct task_summary sum;
	struct qv_error err;
	int64_t t0 = clock_now_ns();
	int status;

	status = get_args_parse(&a, argc, argv, stdout, stderr);
	if (status >= 0) {
		get_args_free(&a);
		return status;
	}
	memset(&sum, 0, sizeof sum);
	status = a.name_by_index ? get_streamed(&a, &sum) : get_planned(&a, &sum);
	sum.exit_status = status;
	sum.t.secs = (double)(clock_now_ns() - t0) / 1e9; /* the task's, planning too */
	if (a.summary != NULL && task_summary_write(a.summary, &sum, &err) != QV_OK) {
		(void)fprintf(stderr, "quiver get: %s\n", err.msg);
		if (status == 0)
			status = 1;
	}
	get_args_free(&a);
	return status;
}
