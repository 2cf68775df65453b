/* cmd_flags.c - `quiver flags`: the book's flags.py, flags_threadpool.py and
 * flags_asyncio.py as one command with an --engine switch.  Output is the
 * seed's, byte for byte: "CC " per flag, then "\n{n} downloads in {s:.2f}s". */
#include "cli/commands.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/flags/flags_common.h"
#include "cli/num.h"
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
	       "  --engine E    seq (default), threads or poll\n"
	       "  -w N          concurrent transfers for threads/poll (default min(32, ncpu+4))\n"
	       "  --site URL    base URL (default " FLAGS_SITE_DEFAULT ")\n"
	       "  -o DIR        save DIR/CC.gif (default " FLAGS_DIR_DEFAULT ", created if missing)\n"
	       "  --timeout S   per-phase timeout in seconds: connect, read, write (default 6.1)\n"
	       "  --cacert FILE trust the CA certificates in FILE (PEM) for https; default:\n"
	       "                $SSL_CERT_FILE, $SSL_CERT_DIR, or the system CA bundle\n"
	       "  -k, --insecure  do not verify https certificates (prints a warning)\n"
	       "  CC ...        two-letter country codes (default the 20 most populous:\n"
	       "                " FLAGS_POP20 ")\n");
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

/* One option at argv[*i]; returns 0 to go on, or an exit status. */
static int flags_option(struct flags_args *a, int argc, char **argv, int *i)
{
	const char *v = NULL;
	int r;

	if ((r = flags_opt_take(argc, argv, i, NULL, "--engine", &v)) != 0) {
		if (r < 0)
			return flags_bad("option %s needs a value", "--engine");
		if (!engine_parse(v, &a->engine))
			return flags_bad("unknown engine '%s' (seq, threads or poll)", v);
	} else if ((r = flags_opt_take(argc, argv, i, "-w", "--workers", &v)) != 0) {
		if (r < 0)
			return flags_bad("option %s needs a value", "-w");
		if (!num_parse_uint(v, 1, FLAGS_WORKERS_MAX, &a->workers))
			return flags_bad("invalid -w '%s' (a number from 1 to 1000)", v);
	} else if ((r = flags_opt_take(argc, argv, i, NULL, "--site", &v)) != 0) {
		struct qv_error e;

		if (r < 0)
			return flags_bad("option %s needs a value", "--site");
		if (flags_site_check(v, a->site, sizeof a->site, &e) != QV_OK) {
			(void)fprintf(stderr, "quiver flags: bad --site: %s\n", e.msg);
			flags_usage(stderr);
			return 2;
		}
	} else if ((r = flags_opt_take(argc, argv, i, "-o", "--output-dir", &v)) != 0) {
		if (r < 0 || v[0] == '\0')
			return flags_bad("option %s needs a directory", "-o");
		a->dir = v;
	} else if ((r = flags_opt_take(argc, argv, i, NULL, "--cacert", &v)) != 0) {
		if (r < 0 || v[0] == '\0')
			return flags_bad("option %s needs a file", "--cacert");
		a->cacert = v;
	} else if (strcmp(argv[*i], "-k") == 0 || strcmp(argv[*i], "--insecure") == 0) {
		a->insecure = true;
	} else if ((r = flags_opt_take(argc, argv, i, NULL, "--timeout", &v)) != 0) {
		if (r < 0)
			return flags_bad("option %s needs a value", "--timeout");
		if (!num_parse_secs(v, false, &a->timeout_ms))
			return flags_bad("invalid --timeout '%s' (seconds, e.g. 6.1)", v);
	} else {
		return flags_bad("unknown option '%s'", argv[*i]);
	}
	return 0;
}

/* Fill a from argv; returns -1 to go on, or an exit status. */
static int flags_parse(struct flags_args *a, int argc, char **argv)
{
	bool opts_done = false;
	int i, r;

	a->engine = ENGINE_SEQ;
	a->workers = flags_default_workers();
	(void)snprintf(a->site, sizeof a->site, "%s", FLAGS_SITE_DEFAULT);
	a->dir = FLAGS_DIR_DEFAULT;
	a->timeout_ms = FLAGS_TIMEOUT_MS;
	a->codes.count = 0;
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];

		if (!opts_done && (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0)) {
			flags_help();
			return 0;
		}
		if (!opts_done && strcmp(s, "--") == 0) {
			opts_done = true;
		} else if (!opts_done && s[0] == '-' && s[1] != '\0') {
			r = flags_option(a, argc, argv, &i);
			if (r != 0)
				return r;
		} else if (!flags_codes_add(&a->codes, s)) {
			return flags_bad("invalid country code '%s' (two letters expected)", s);
		}
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
	if (cli_tls_client(&tls, a->cacert, a->insecure, cli_is_https(a->site), stderr, &e) !=
	    QV_OK) {
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
