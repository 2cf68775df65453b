/* cmd_get.c - `quiver get`: download any list of http/https URLs in
 * parallel (DESIGN §1).  Parse, plan (names, clashes, shard, destination:
 * all before the first byte), run, summarise. */
#include "cli/commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/get/get_args.h"
#include "cli/get/get_net.h"
#include "cli/get/get_plan.h"
#include "cli/get/get_run.h"
#include "cli/stop.h"
#include "cli/tls_setup.h"
#include "transfer/sink_file.h"

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

static int get_execute(const struct get_args *a, const struct get_plan *p,
		       const struct get_net *net)
{
	struct cli_term term;
	struct cli_out o;
	struct get_totals t;
	struct qv_error err;
	FILE *json = get_json_open(a->json);
	enum qv_err rc;

	if (a->json != NULL && json == NULL) {
		(void)fprintf(stderr, "quiver get: cannot write %s: %s\n", a->json, strerror(errno));
		return 1;
	}
	cli_term_probe(&term, stderr);
	cli_out_init(&o, stdout, stderr, &a->out, &term);
	if (a->insecure)
		cli_out_note(&o, "quiver get: %s", CLI_TLS_INSECURE_WARNING);
	qv_error_clear(&err);
	rc = get_run(a, p, net, &o, json, cli_stop_install(), &t, &err);
	if (json != NULL && json != stdout && fclose(json) != 0)
		(void)fprintf(stderr, "quiver get: error writing %s\n", a->json);
	if (rc != QV_OK && rc != QV_E_INTERRUPTED) {
		(void)fprintf(stderr, "quiver get: %s\n", err.msg);
		return 1;
	}
	if (!o.quiet)
		get_summary(stderr, &t);
	if (rc == QV_E_INTERRUPTED)
		return 130;
	return t.failed > 0 ? 1 : 0;
}

int cmd_get(int argc, char **argv)
{
	struct get_args a;
	struct get_plan p;
	struct get_net net;
	struct qv_error err;
	enum qv_err rc;
	int status;

	status = get_args_parse(&a, argc, argv, stdout, stderr);
	if (status >= 0) {
		get_args_free(&a);
		return status;
	}
	qv_error_clear(&err);
	rc = get_plan_build(&p, &a, stderr, &err);
	/* proxies and credentials before anything prints a URL: from here on
	 * a URL that held a password reads user:***@ */
	if (rc == QV_OK)
		rc = get_net_init(&net, &a, &p, stderr, &err);
	if (rc != QV_OK) {
		(void)fprintf(stderr, "quiver get: %s\n", err.msg);
		status = rc == QV_E_USAGE ? 2 : 1;
	} else {
		status = a.dry_run ? get_dry_run(&a, &p) : get_execute(&a, &p, &net);
		get_net_clear(&net);
	}
	get_plan_clear(&p);
	get_args_free(&a);
	return status;
}
