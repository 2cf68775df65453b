/* cmd_flags.c - `quiver flags`: the book's flags.py, flags_threadpool.py and
 * flags_asyncio.py as one command with an --engine switch.  Output is the
 * seed's, byte for byte: "CC " per flag, then "\n{n} downloads in {s:.2f}s". */
#include "cli/commands.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/flags/flags_common.h"
#include "cli/opt.h"
#include "cli/stop.h"
#include "cli/tls_setup.h"
#include "http/url.h"

/* -w above this only burns descriptors (flags2 caps -m at 1000 too). */
#define FLAGS_WORKERS_MAX 1000u

struct flags_args {
	enum engine_kind engine;
	unsigned workers;
	char site[URL_MAX];
	const char *dir;
	uint32_t timeout_ms;
	const char *cacert;        /* --cacert FILE */
	bool insecure;             /* -k/--insecure */
	struct flags_codes codes;
};

static void flags_usage(FILE *f)
{
	(void)fprintf(f, "usage: quiver flags [--engine seq|threads|poll] [-w N] [--site URL] "
			 "[-o DIR] [--timeout S]\n"
			 "                    [--cacert FILE] [-k] [CC ...]\n");
}

static void flags_help(void)
{
	flags_usage(stdout);
	printf("\nDownload flag GIFs like the book's flags.py (seq), flags_threadpool.py (threads)\n"
	       "and flags_asyncio.py (poll).\n\n"
	       "  --engine E          seq (default), threads or poll\n"
	       "  -w, --workers N     concurrent transfers for threads/poll (default\n"
	       "                      min(32, ncpu+4), at most 1000)\n"
	       "  --site URL          base URL (default " FLAGS_SITE_DEFAULT ")\n"
	       "  -o, --output-dir DIR  save DIR/CC.gif (default " FLAGS_DIR_DEFAULT
	       ", created if missing)\n"
	       "  --timeout S         per-phase timeout in seconds: connect, read, write\n"
	       "                      (default 6.1; at most 3 decimals)\n"
	       "  --cacert FILE       trust the CA certificates in FILE (PEM) for https;\n"
	       "                      default: $SSL_CERT_FILE, $SSL_CERT_DIR, or the system\n"
	       "                      CA bundle\n"
	       "  -k, --insecure      do not verify https certificates (prints a warning)\n"
	       "  CC ...              two-letter country codes (default the 20 most populous:\n"
	       "                      " FLAGS_POP20 ")\n");
}

/* Print "quiver flags: why" and the usage line; the exit status for it. */
static int flags_bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int flags_bad(const char *fmt, ...)
{
	va_list ap;

	(void)fputs("quiver flags: ", stderr);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
	flags_usage(stderr);
	return 2;
}

enum { F_HELP = 1, F_ENGINE, F_WORKERS, F_SITE, F_DIR, F_CACERT, F_INSECURE, F_TIMEOUT };

/* {id, short, kind, min, long, max} */
static const struct opt_spec flags_opts[] = {
	{F_HELP, 'h', OPT_FLAG, 0, "help", 0},
	{F_ENGINE, '\0', OPT_TEXT, 0, "engine", 0},
	{F_WORKERS, 'w', OPT_UINT, 1, "workers", FLAGS_WORKERS_MAX},
	{F_SITE, '\0', OPT_TEXT, 0, "site", 0},
	{F_DIR, 'o', OPT_TEXT, 0, "output-dir", 0},
	{F_CACERT, '\0', OPT_TEXT, 0, "cacert", 0},
	{F_INSECURE, 'k', OPT_FLAG, 0, "insecure", 0},
	{F_TIMEOUT, '\0', OPT_SECS, 1, "timeout", NUM_SECS_MAX_MS},
};
#define FLAGS_NOPTS (sizeof flags_opts / sizeof flags_opts[0])

/* One option with a text value; returns -1 to go on, or an exit status. */
static int flags_text(struct flags_args *a, int id, const char *v)
{
	struct qv_error e;

	switch (id) {
	case F_ENGINE:
		if (!engine_parse(v, &a->engine))
			return flags_bad("unknown engine '%s' (seq, threads or poll)", v);
		break;
	case F_SITE:
		if (flags_site_check(v, a->site, sizeof a->site, &e) != QV_OK)
			return flags_bad("bad --site: %s", e.msg);
		break;
	case F_DIR:
		if (v[0] == '\0')
			return flags_bad("option %s needs a directory", "-o");
		a->dir = v;
		break;
	default: /* F_CACERT */
		if (v[0] == '\0')
			return flags_bad("option %s needs a file", "--cacert");
		a->cacert = v;
		break;
	}
	return -1;
}

/* Fill a from argv; returns -1 to go on, or an exit status. */
static int flags_parse(struct flags_args *a, int argc, char **argv)
{
	struct opt_iter it;
	const char *v;
	int id, st;

	a->engine = ENGINE_SEQ;
	a->workers = flags_default_workers();
	(void)snprintf(a->site, sizeof a->site, "%s", FLAGS_SITE_DEFAULT);
	a->dir = FLAGS_DIR_DEFAULT;
	a->timeout_ms = FLAGS_TIMEOUT_MS;
	a->codes.count = 0;
	opt_init(&it, argc, argv);
	while ((id = opt_next(&it, flags_opts, FLAGS_NOPTS, &v)) != OPT_END) {
		st = -1;
		if (id == OPT_ARG) {
			if (!flags_codes_add(&a->codes, v))
				return flags_bad("invalid country code '%s' (two letters expected)", v);
		} else if (id < 0) {
			(void)fputs("quiver flags: ", stderr);
			opt_why_print(stderr, id, &it, v);
			(void)fputc('\n', stderr);
			flags_usage(stderr);
			return 2;
		} else if (id == F_HELP) {
			flags_help();
			return 0;
		} else if (id == F_INSECURE) {
			a->insecure = true;
		} else if (id == F_WORKERS) {
			a->workers = (unsigned)it.num;
		} else if (id == F_TIMEOUT) {
			a->timeout_ms = (uint32_t)it.num;
		} else {
			st = flags_text(a, id, v);
		}
		if (st >= 0)
			return st;
	}
	if (a->codes.count == 0)
		flags_codes_add_list(&a->codes, FLAGS_POP20);
	flags_codes_sort(&a->codes);
	return -1;
}

int cmd_flags(int argc, char **argv)
{
	static const char me[] = "quiver flags";
	struct flags_args *a;
	struct flags_run_cfg cfg;
	struct flags_run_report rep;
	struct tls_client *tls = NULL;
	struct qv_error e;
	enum qv_err rc;
	int status;

	/* The codes table and URL buffer are a few KiB: keep them off the stack. */
	a = calloc(1, sizeof *a);
	if (a == NULL) {
		(void)fprintf(stderr, "%s: out of memory\n", me);
		return 1;
	}
	status = flags_parse(a, argc, argv);
	if (status >= 0)
		goto out;
	if (!engine_available(a->engine)) {
		(void)fprintf(stderr, "%s: engine '%s' is not available yet\n", me,
			      engine_name(a->engine));
		status = 2;
		goto out;
	}
	/* An https site loads the CA certificates now: a missing bundle is one
	 * clear error, not one per flag. */
	if (cli_tls_client(&tls, a->cacert, NULL, a->insecure, cli_is_https(a->site), stderr,
			   &e) != QV_OK) {
		(void)fprintf(stderr, "%s: %s\n", me, e.msg);
		status = 1;
		goto out;
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.engine = a->engine;
	cfg.workers = a->workers;
	cfg.site = a->site;
	cfg.dir = a->dir;
	cfg.timeout_ms = a->timeout_ms;
	cfg.codes = &a->codes;
	cfg.stop = cli_stop_install();
	cfg.out = stdout;
	cfg.errout = stderr;
	cfg.tls = tls;
	rc = flags_run(&cfg, &rep);
	if (rc == QV_E_INTERRUPTED)
		status = 130;
	else if (rc != QV_OK) {
		(void)fprintf(stderr, "%s: %s\n", me, rep.err.msg);
		status = 1;
	} else
		status = rep.failed > 0 ? 1 : 0;
out:
	tls_client_free(tls);
	free(a);
	return status;
}
