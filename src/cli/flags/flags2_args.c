/* flags2_args.c - flags2/flags3 command line (see flags2_args.h).  Error
 * texts are the book's, so its readers recognise them. */
#include "cli/flags/flags2_args.h"

#include <stdarg.h>
#include <string.h>

#include "cli/num.h"
#include "cli/opt.h"
#include "serve/country.h"

/* -l and -m beyond this are as good as "all" (the codes are at most 676,
 * -m is capped at FLAGS2_REQ_MAX); larger is refused, never wrapped. */
#define F2_INT_MAX 1000000000u

enum {
	F2_HELP = 1, F2_ALL, F2_EVERY, F2_LIMIT, F2_MAXREQ, F2_SERVER, F2_VERBOSE, F2_ENGINE,
	F2_DIR, F2_TIMEOUT, F2_PROGRESS, F2_CACERT, F2_INSECURE
};

/* {id, short, kind, min, long, max} */
static const struct opt_spec f2_opts[] = {
	{F2_HELP, 'h', OPT_FLAG, 0, "help", 0},
	{F2_ALL, 'a', OPT_FLAG, 0, "all", 0},
	{F2_EVERY, 'e', OPT_FLAG, 0, "every", 0},
	{F2_LIMIT, 'l', OPT_UINT, 1, "limit", F2_INT_MAX},
	{F2_MAXREQ, 'm', OPT_UINT, 1, "max_req", F2_INT_MAX},
	{F2_MAXREQ, '\0', OPT_UINT, 1, "max-req", F2_INT_MAX},
	{F2_SERVER, 's', OPT_TEXT, 0, "server", 0},
	{F2_VERBOSE, 'v', OPT_FLAG, 0, "verbose", 0},
	{F2_ENGINE, '\0', OPT_TEXT, 0, "engine", 0},
	{F2_DIR, 'o', OPT_TEXT, 0, "output-dir", 0},
	{F2_TIMEOUT, '\0', OPT_SECS, 1, "timeout", NUM_SECS_MAX_MS},
	{F2_PROGRESS, '\0', OPT_TEXT, 0, "progress", 0},
	{F2_CACERT, '\0', OPT_TEXT, 0, "cacert", 0},
	{F2_INSECURE, 'k', OPT_FLAG, 0, "insecure", 0},
};
#define F2_NOPTS (sizeof f2_opts / sizeof f2_opts[0])

/* What the parse collected before the codes are expanded. */
struct f2_raw {
	bool all, every;
	unsigned limit;             /* 0: none */
	bool want[26][26];          /* codes named on the command line */
	bool any;
};

static const char *f2_name(const struct flags2_args *a)
{
	return a->flags3 ? "flags3" : "flags2";
}

static void f2_usage(const struct flags2_args *a, FILE *f)
{
	(void)fprintf(f,
		      "usage: quiver %s [-h] [-a] [-e] [-l N] [-m CONCURRENT] [-s LABEL] [-v]\n"
		      "                     [--engine E] [-o DIR] [--timeout S] [--progress MODE]\n"
		      "                     [--cacert FILE] [-k] [CC ...]\n",
		      f2_name(a));
}

static void f2_help(const struct flags2_args *a, FILE *f)
{
	f2_usage(a, f);
	(void)fprintf(f, "\nDownload flags for country codes. Default: top 20 countries by "
			 "population.\n%s\n",
		      a->flags3 ? "Each flag is saved as {country}.gif, the name taken from "
				  "{site}/{cc}/metadata.json.\n" : "");
	(void)fputs("positional arguments:\n"
		    "  CC                    country code or 1st letter (eg. B for BA...BZ)\n\n"
		    "options:\n"
		    "  -h, --help            show this help message and exit\n"
		    "  -a, --all             get all available flags (AD to ZW)\n"
		    "  -e, --every           get flags for every possible code (AA...ZZ)\n"
		    "  -l N, --limit N       limit to N first codes\n"
		    "  -m CONCURRENT, --max_req CONCURRENT\n"
		    "                        maximum concurrent requests (default: poll 5,\n"
		    "                        threads 30, seq 1; at most 1000)\n"
		    "  -s LABEL, --server LABEL\n"
		    "                        Server to hit; one of DELAY, ERROR, LOCAL, REMOTE\n"
		    "                        (default=LOCAL), or a base URL\n"
		    "  -v, --verbose         output detailed progress info\n"
		    "  --engine E            poll (default, the book's asyncio version), threads\n"
		    "                        (threadpool) or seq (sequential)\n"
		    "  -o DIR, --output-dir DIR\n"
		    "                        save the flags in DIR (default downloaded)\n"
		    "  --timeout S           per-phase timeout in seconds (default 3.1)\n"
		    "  --progress MODE       bar (default on a terminal), dot or none\n"
		    "  --cacert FILE         trust the CA certificates in FILE (PEM)\n"
		    "  -k, --insecure        do not verify the server certificate\n\n"
		    "Servers: LOCAL " FLAGS2_SITE_LOCAL ", REMOTE " FLAGS2_SITE_REMOTE ",\n"
		    "DELAY " FLAGS2_SITE_DELAY ", ERROR " FLAGS2_SITE_ERROR ".\n"
		    "Exit status: 0 done (flags not found included), 1 some errors, 2 usage,\n"
		    "130 interrupted.\n",
		    f);
}

static int f2_bad(const struct flags2_args *a, FILE *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int f2_bad(const struct flags2_args *a, FILE *f, const char *fmt, ...)
{
	va_list ap;

	(void)fputs("*** Usage error: ", f);
	va_start(ap, fmt);
	(void)vfprintf(f, fmt, ap);
	va_end(ap);
	(void)fputc('\n', f);
	f2_usage(a, f);
	return 2;
}

static bool f2_letter(char c, unsigned *out)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c < 'A' || c > 'Z')
		return false;
	*out = (unsigned)(c - 'A');
	return true;
}

/* A CC argument: two letters, or one letter for all 26 codes after it. */
static bool f2_code_arg(struct f2_raw *r, const char *s)
{
	unsigned x, y;

	if (!f2_letter(s[0], &x))
		return false;
	if (s[1] == '\0') {
		for (y = 0; y < 26; y++)
			r->want[x][y] = true;
	} else if (f2_letter(s[1], &y) && s[2] == '\0') {
		r->want[x][y] = true;
	} else {
		return false;
	}
	r->any = true;
	return true;
}

/* -s: a label (any case) or a URL. */
static int f2_server(struct flags2_args *a, const char *v, FILE *out)
{
	static const char *const labels[][2] = {
		{"DELAY", FLAGS2_SITE_DELAY}, {"ERROR", FLAGS2_SITE_ERROR},
		{"LOCAL", FLAGS2_SITE_LOCAL}, {"REMOTE", FLAGS2_SITE_REMOTE},
	};
	struct qv_error e;
	size_t i, k;

	for (i = 0; i < sizeof labels / sizeof labels[0]; i++) {
		for (k = 0; labels[i][0][k] != '\0' && (v[k] & ~0x20) == labels[i][0][k]; k++)
			;
		if (labels[i][0][k] == '\0' && v[k] == '\0') {
			(void)snprintf(a->label, sizeof a->label, "%s", labels[i][0]);
			(void)snprintf(a->site, sizeof a->site, "%s", labels[i][1]);
			return -1;
		}
	}
	if (strstr(v, "://") == NULL)
		return f2_bad(a, out, "--server LABEL must be one of DELAY, ERROR, LOCAL, REMOTE, "
				      "or a URL");
	qv_error_clear(&e);
	if (flags_site_check(v, a->site, sizeof a->site, &e) != QV_OK)
		return f2_bad(a, out, "--server URL: %s", e.msg);
	(void)snprintf(a->label, sizeof a->label, "CUSTOM");
	return -1;
}

/* -l and -m refused in the book's words: "--limit N must be >= 1". */
static int f2_bad_number(struct flags2_args *a, const struct opt_iter *it, const char *v, FILE *out)
{
	const char *what = it->spec->id == F2_LIMIT ? "--limit N" : "--max_req CONCURRENT";

	if (it->spec->kind != OPT_UINT) { /* --timeout: not the book's */
		(void)fputs("*** Usage error: ", out);
		opt_why_print(out, OPT_BAD_NUMBER, it, v);
		(void)fputc('\n', out);
		f2_usage(a, out);
		return 2;
	}
	if (it->why == NUM_SYNTAX)
		return f2_bad(a, out, "%s must be an integer, not '%s'", what, v);
	if (it->why == NUM_LOW)
		return f2_bad(a, out, "%s must be >= 1", what);
	return f2_bad(a, out, "%s must be <= %u", what, F2_INT_MAX);
}

/* Numeric options, already checked against their range by the scanner. */
static void f2_number(struct flags2_args *a, struct f2_raw *r, int id, uint64_t n)
{
	if (id == F2_LIMIT)
		r->limit = (unsigned)n;
	else if (id == F2_MAXREQ) /* the book's min(args.max_req, MAX_CONCUR_REQ) */
		a->max_req = n > FLAGS2_REQ_MAX ? FLAGS2_REQ_MAX : (unsigned)n;
	else
		a->timeout_ms = (uint32_t)n;
}

/* Options with a text value; returns -1 to go on or an exit status. */
static int f2_value(struct flags2_args *a, int id, const char *v, FILE *out)
{
	switch (id) {
	case F2_SERVER:
		return f2_server(a, v, out);
	case F2_ENGINE:
		if (!engine_parse(v, &a->engine))
			return f2_bad(a, out, "--engine must be seq, threads or poll, not '%s'", v);
		if (!engine_available(a->engine))
			return f2_bad(a, out, "engine '%s' is not available in this build", v);
		return -1;
	case F2_DIR:
		if (v[0] == '\0')
			return f2_bad(a, out, "--output-dir needs a directory");
		a->dir = v;
		return -1;
	case F2_PROGRESS:
		if (!cli_progress_parse(v, &a->out.progress))
			return f2_bad(a, out, "--progress must be bar, dot or none, not '%s'", v);
		a->out.progress_set = true;
		return -1;
	case F2_CACERT:
		a->cacert = v;
		return -1;
	default:
		return f2_bad(a, out, "internal: option %d", id);
	}
}

static void f2_defaults(struct flags2_args *a, bool flags3)
{
	memset(a, 0, sizeof *a);
	a->flags3 = flags3;
	/* the book's flags2 default is the asyncio version; fall back to what
	 * this build has */
	a->engine = engine_available(ENGINE_POLL)      ? ENGINE_POLL
		    : engine_available(ENGINE_THREADS) ? ENGINE_THREADS
						       : ENGINE_SEQ;
	(void)snprintf(a->label, sizeof a->label, "%s", FLAGS2_SERVER_DEFAULT);
	(void)snprintf(a->site, sizeof a->site, "%s", FLAGS2_SITE_LOCAL);
	a->dir = FLAGS_DIR_DEFAULT;
	a->timeout_ms = FLAGS2_TIMEOUT_MS;
}

/* expand_cc_args: every, all, or the named codes (default POP20); sorted
 * and unique by construction, then limited. */
static void f2_expand(struct flags2_args *a, struct f2_raw *r)
{
	struct flags_codes *c = &a->codes;
	unsigned x, y;
	size_t i;

	if (r->every) {
		memset(r->want, 1, sizeof r->want);
	} else if (r->all) {
		memset(r->want, 0, sizeof r->want);
		for (i = 0; i < COUNTRY_COUNT; i++)
			(void)f2_code_arg(r, country_table[i].iso);
	} else if (!r->any) {
		c->count = 0;
		flags_codes_add_list(c, FLAGS_POP20);
		for (i = 0; i < c->count; i++)
			(void)f2_code_arg(r, c->cc[i]);
	}
	c->count = 0;
	for (x = 0; x < 26; x++) {
		for (y = 0; y < 26; y++) {
			if (!r->want[x][y] || (r->limit > 0 && c->count >= (size_t)r->limit))
				continue;
			c->cc[c->count][0] = (char)('A' + x);
			c->cc[c->count][1] = (char)('A' + y);
			c->cc[c->count][2] = '\0';
			c->count++;
		}
	}
}

/* Options without a value; returns -1 to go on or an exit status. */
static int f2_flag(struct flags2_args *a, struct f2_raw *r, int id, FILE *out)
{
	switch (id) {
	case F2_HELP:
		f2_help(a, out);
		return 0;
	case F2_ALL:
		r->all = true;
		break;
	case F2_EVERY:
		r->every = true;
		break;
	case F2_VERBOSE:
		a->verbose = true;
		a->out.verbose = true;
		break;
	case F2_INSECURE:
		a->insecure = true;
		break;
	default:
		return f2_bad(a, out, "internal: flag %d", id);
	}
	return -1;
}

int flags2_parse(struct flags2_args *a, bool flags3, int argc, char **argv, FILE *out)
{
	struct opt_iter it;
	struct f2_raw r;
	const char *v;
	int id, st;

	f2_defaults(a, flags3);
	memset(&r, 0, sizeof r);
	opt_init(&it, argc, argv);
	while ((id = opt_next(&it, f2_opts, F2_NOPTS, &v)) != OPT_END) {
		if (id == OPT_ARG) {
			if (!f2_code_arg(&r, v))
				return f2_bad(a, out, "each CC argument must be A to Z or AA to ZZ.");
			continue;
		}
		if (id == OPT_UNKNOWN)
			return f2_bad(a, out, "unrecognized option '%s'", v);
		if (id == OPT_BAD_NUMBER)
			return f2_bad_number(a, &it, v, out);
		if (id < 0)
			return f2_bad(a, out, id == OPT_MISSING ? "option %s needs a value"
								: "option %s takes no value", v);
		st = -1;
		if (it.spec->kind == OPT_FLAG)
			st = f2_flag(a, &r, id, out);
		else if (it.spec->kind == OPT_TEXT)
			st = f2_value(a, id, v, out);
		else
			f2_number(a, &r, id, it.num);
		if (st >= 0)
			return st;
	}
	f2_expand(a, &r);
	return -1;
}

unsigned flags2_connections(const struct flags2_args *a)
{
	unsigned req = a->max_req, max = a->engine == ENGINE_SEQ ? 1u : FLAGS2_REQ_MAX;

	if (req == 0)
		req = a->engine == ENGINE_SEQ       ? FLAGS2_REQ_SEQ
		      : a->engine == ENGINE_THREADS ? FLAGS2_REQ_THREADS
						    : FLAGS2_REQ_POLL;
	if (req > max)
		req = max;
	if (req > a->codes.count)
		req = (unsigned)a->codes.count;
	return req > 0 ? req : 1u;
}
