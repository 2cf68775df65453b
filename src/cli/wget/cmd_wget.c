/* cmd_wget.c - quiver as `wget` (DESIGN §10): run as `quiver wget ARGS`,
 * or through a link named wget (main.c).  wget's command line becomes a
 * `get` run (wget_args.c): the same plan, engines, .part + rename and
 * verified TLS; only the names of existing files (NAME.1, ...), the lines
 * wget prints and GNU wget's exit statuses are wget's own. */
#include "cli/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/get/get_net.h"
#include "cli/get/get_plan.h"
#include "cli/get/get_run.h"
#include "cli/stop.h"
#include "cli/tls_setup.h"
#include "cli/wget/wget_args.h"
#include "cli/wget/wget_exit.h"
#include "cli/wget/wget_head.h"

/* -o/-a LOG: everything wget would say on stderr goes to LOG instead. */
static int wget_log_open(const struct wget_args *w)
{
	int fd = open(w->log, O_WRONLY | O_CREAT | O_CLOEXEC | (w->log_append ? O_APPEND : O_TRUNC),
		      0644);

	if (fd < 0 || dup2(fd, STDERR_FILENO) < 0) {
		(void)fprintf(stderr, "wget: %s: %s\n", w->log, strerror(errno));
		if (fd >= 0)
			(void)close(fd);
		return 3;
	}
	(void)close(fd);
	return -1;
}

/* -O DIR/FILE: DIR must exist (GNU opens FILE first, else status 1); get
 * would create it, as it creates -P's.  A bad URL needs no check here: it
 * fails alone, reported, with GNU's status 1, as in GNU wget. */
static int wget_check(const struct wget_args *w)
{
	struct stat st;

	errno = 0;
	if (w->out_dir == NULL || (stat(w->out_dir, &st) == 0 && S_ISDIR(st.st_mode)))
		return -1;
	(void)fprintf(stderr, "wget: %s/%s: %s\n", w->out_dir, w->g.out_name,
		      errno != 0 ? strerror(errno) : "not a directory");
	return 1;
}

/* What wget says after a run besides the per-file lines. */
static void wget_after(const struct wget_args *w, const struct get_plan *p,
		       const struct get_totals *t, struct cli_out *o)
{
	if (o->quiet)
		return;
	if (w->spider && p->npick == 1)
		(void)fputs(t->failed > 0 ? "Remote file does not exist -- broken link!!!\n"
					  : "Remote file exists.\n",
			    stderr);
	if (p->npick > 1)
		get_summary(stderr, t);
}

/* The run, as get's frame runs it, with wget's lines and statuses. */
static int wget_execute(struct wget_args *w, struct get_plan *p, struct get_net *net)
{
	struct wget_head head;
	struct cli_out_want want = w->g.out;
	struct cli_term term;
	struct cli_out o;
	struct get_totals t;
	struct qv_error err;
	enum qv_err rc;

	cli_term_probe(&term, stderr);
	/* a line per file where no bar is drawn: in logs, pipes, with -nv or -S */
	if (!want.quiet && !w->spider && (w->no_verbose || w->server_response || !term.err_tty))
		want.verbose = true;
	cli_out_init(&o, stdout, stderr, &want, &term);
	/* -S speaks even with -q, as BusyBox does: scripts run
	 * `wget -q -S --spider URL 2>&1 | grep HTTP/` for the status */
	if (w->server_response) {
		wget_head_init(&head, stderr);
		w->g.on_head = wget_head_feed;
		w->g.head_ctx = &head;
	}
	if (w->g.insecure)
		cli_out_note(&o, "wget: %s", CLI_TLS_INSECURE_WARNING);
	qv_error_clear(&err);
	rc = get_run(&w->g, p, net, &o, NULL, cli_stop_install(), &t, &err);
	if (rc == QV_E_INTERRUPTED)
		return 130;
	if (rc != QV_OK) {
		(void)fprintf(stderr, "wget: %s\n", err.msg);
		return wget_exit_of(rc);
	}
	wget_after(w, p, &t, &o);
	return wget_exit_worst(t.errs);
}

static int wget_main(struct wget_args *w)
{
	struct get_plan p;
	struct get_net net;
	struct qv_error err;
	enum qv_err rc;
	int status;

	if (w->log != NULL && (status = wget_log_open(w)) >= 0)
		return status;
	if ((status = wget_check(w)) >= 0)
		return status;
	qv_error_clear(&err);
	rc = get_plan_build(&p, &w->g, stderr, &err);
	if (rc == QV_OK)
		rc = get_net_init(&net, &w->g, &p, stderr, &err);
	if (rc != QV_OK) {
		(void)fprintf(stderr, "wget: %s\n", err.msg);
		get_plan_clear(&p);
		/* a list wget cannot run (a bad URL): GNU's and BusyBox's 1, not
		 * the 2 of a bad option */
		return rc == QV_E_USAGE ? 1 : wget_exit_of(rc);
	}
	status = wget_execute(w, &p, &net);
	get_net_clear(&net);
	get_plan_clear(&p);
	return status;
}

int cmd_wget(int argc, char **argv)
{
	struct wget_args w;
	int status = wget_args_parse(&w, argc, argv, stdout, stderr);

	if (status < 0)
		status = wget_main(&w);
	wget_args_free(&w);
	return status;
}
