/* test_cli_opt.c - the option scanner every command parses with
 * (src/cli/opt.c): the spellings "-w8", "-w 8", "--workers=8",
 * "--workers 8", bundles, "--" and "-"; numbers checked by kind and range
 * with one wording for every command; and get's parser over it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/get/get_args.h"
#include "cli/opt.h"
#include "tq.h"

void suite_cli_opt(struct tq *t);

enum { K_QUIET = 1, K_WORKERS, K_INSECURE, K_SITE, K_TIMEOUT, K_RATE, K_PROB, K_SEED };

/* {id, short, kind, min, long, max} */
static const struct opt_spec specs[] = {
	{K_QUIET, 'q', OPT_FLAG, 0, "quiet", 0},
	{K_WORKERS, 'w', OPT_UINT, 1, "workers", 1000},
	{K_INSECURE, 'k', OPT_FLAG, 0, NULL, 0},
	{K_SITE, '\0', OPT_TEXT, 0, "site", 0},
	{K_TIMEOUT, '\0', OPT_SECS, 1, "timeout", NUM_SECS_MAX_MS},
	{K_RATE, 'r', OPT_SIZE, 1, "limit-rate", NUM_SIZE_MAX},
	{K_PROB, '\0', OPT_PROB, 0, "error-rate", 1000000},
	{K_SEED, '\0', OPT_UINT, 0, "seed", UINT64_MAX},
};
#define NSPECS (sizeof specs / sizeof specs[0])

/* Scan args (NULL-terminated, argv[0] added); expect the ids in want
 * (0-terminated), each numeric one with its value from nums in order. */
static void scan(struct tq *t, const char **args, const int *want, const uint64_t *nums)
{
	char *argv[16];
	struct opt_iter it;
	const char *v;
	int argc = 0, id;

	argv[argc++] = (char *)(uintptr_t)"cmd";
	while (*args != NULL && argc < 15)
		argv[argc++] = (char *)(uintptr_t)*args++;
	argv[argc] = NULL;
	opt_init(&it, argc, argv);
	do {
		id = opt_next(&it, specs, NSPECS, &v);
		if (!TQ_INT(t, id, *want))
			return;
		if (id > 0 && it.spec->kind > OPT_TEXT)
			TQ_INT(t, it.num, *nums++);
	} while (*want++ != OPT_END);
}

static void t_spellings(struct tq *t)
{
	static const char *forms[][4] = {
		{"-w8", NULL}, {"-w", "8", NULL}, {"--workers=8", NULL}, {"--workers", "8", NULL},
	};
	static const int one[] = {K_WORKERS, OPT_END};
	static const int two[] = {K_QUIET, K_INSECURE, K_WORKERS, OPT_END};
	static const uint64_t eight[] = {8};
	const char *bundle[] = {"-qkw8", NULL}, *bundle2[] = {"-qkw", "8", NULL};
	size_t i;

	for (i = 0; i < sizeof forms / sizeof forms[0]; i++)
		scan(t, forms[i], one, eight);
	scan(t, bundle, two, eight);
	scan(t, bundle2, two, eight);
}

static void t_args_and_ends(struct tq *t)
{
	const char *a[] = {"-", "x", "--", "-w8", "--", NULL};
	const char *b[] = {"--site=", "--site", "-q", "-w", "--", NULL};
	static const int wa[] = {OPT_ARG, OPT_ARG, OPT_ARG, OPT_ARG, OPT_END};
	static const int wb[] = {K_SITE, K_SITE, OPT_BAD_NUMBER, OPT_END}; /* -w "--" */
	static const int wc[] = {OPT_BAD_NUMBER, OPT_END};
	const char *c[] = {"-wq", NULL}; /* a value is taken whatever it looks like */
	char *argv[] = {(char *)(uintptr_t)"cmd", (char *)(uintptr_t)"--site=", NULL};
	struct opt_iter it;
	const char *v;

	scan(t, a, wa, NULL);
	scan(t, b, wb, NULL);
	scan(t, c, wc, NULL);
	opt_init(&it, 2, argv);
	TQ_INT(t, opt_next(&it, specs, NSPECS, &v), K_SITE);
	TQ_STR(t, v, "");
}

/* One scan of args expecting result r with *val == val. */
static void one(struct tq *t, const char *arg, const char *arg2, int r, const char *val)
{
	char *argv[] = {(char *)(uintptr_t)"cmd", (char *)(uintptr_t)arg, (char *)(uintptr_t)arg2,
			NULL};
	struct opt_iter it;
	const char *v;

	opt_init(&it, arg2 != NULL ? 3 : 2, argv);
	if (!TQ_INT(t, opt_next(&it, specs, NSPECS, &v), r) || !TQ_STR(t, v, val))
		(void)fprintf(stderr, "  args '%s' '%s'\n", arg, arg2 != NULL ? arg2 : "");
}

static void t_errors(struct tq *t)
{
	one(t, "--nope", NULL, OPT_UNKNOWN, "--nope");
	one(t, "--nope=1", NULL, OPT_UNKNOWN, "--nope");
	one(t, "--work", "8", OPT_UNKNOWN, "--work"); /* no abbreviations */
	one(t, "-z", NULL, OPT_UNKNOWN, "-z");
	one(t, "-qz", NULL, K_QUIET, NULL);
	one(t, "-w", NULL, OPT_MISSING, "-w");
	one(t, "--workers", NULL, OPT_MISSING, "--workers");
	one(t, "--quiet=1", NULL, OPT_NO_VALUE, "--quiet");
	one(t, "--workers=", NULL, OPT_BAD_NUMBER, "");
	one(t, "-w", "", OPT_BAD_NUMBER, "");
	one(t, "-w", "-1", OPT_BAD_NUMBER, "-1");
	one(t, "-w", "18446744073709551620", OPT_BAD_NUMBER, "18446744073709551620");
	one(t, "--seed", "18446744073709551615", K_SEED, "18446744073709551615");
	one(t, "--seed", "18446744073709551616", OPT_BAD_NUMBER, "18446744073709551616");
	one(t, "-r", "4294967296G", K_RATE, "4294967296G");
}

/* What opt_why_print says about args. */
static void why(struct tq *t, const char *arg, const char *arg2, const char *want)
{
	char *argv[] = {(char *)(uintptr_t)"cmd", (char *)(uintptr_t)arg, (char *)(uintptr_t)arg2,
			NULL};
	char buf[256];
	struct opt_iter it;
	const char *v;
	FILE *f = fmemopen(buf, sizeof buf, "w");
	int r;

	if (!TQ_TRUE(t, f != NULL))
		return;
	opt_init(&it, arg2 != NULL ? 3 : 2, argv);
	r = opt_next(&it, specs, NSPECS, &v);
	opt_why_print(f, r, &it, v);
	(void)fclose(f);
	TQ_STR(t, buf, want);
}

static void t_messages(struct tq *t)
{
	why(t, "-w", "0", "-w/--workers wants a number from 1 to 1000, not '0'");
	why(t, "--workers=18446744073709551620", NULL,
	    "-w/--workers wants a number from 1 to 1000, not '18446744073709551620'");
	why(t, "--seed", "-1", "--seed wants a number from 0 to 18446744073709551615, not '-1'");
	why(t, "--timeout", "0.0001",
	    "--timeout wants seconds from 0.001 to 86400 (at most 3 decimals), not '0.0001'");
	why(t, "-r", "1T",
	    "-r/--limit-rate wants a size from 1 to 4294967296G bytes (suffix k, M or G), not '1T'");
	why(t, "--error-rate", "",
	    "--error-rate wants a probability from 0 to 1 (at most 6 decimals), not ''");
	why(t, "--nope", NULL, "unknown option '--nope'");
	why(t, "-w", NULL, "option -w needs a value");
	why(t, "--quiet=yes", NULL, "option --quiet takes no value");
	why(t, "x", NULL, "unexpected argument 'x'");
}

/* get's parser: the numbers land in their fields, exactly. */
static int get_parse(struct get_args *a, const char **args, char *err, size_t cap)
{
	char *argv[32];
	int argc = 0, st;
	FILE *out = fopen("/dev/null", "w"), *e = fmemopen(err, cap, "w");

	argv[argc++] = (char *)(uintptr_t)"get";
	while (*args != NULL && argc < 31)
		argv[argc++] = (char *)(uintptr_t)*args++;
	argv[argc] = NULL;
	memset(err, 0, cap);
	if (out == NULL || e == NULL) {
		if (out != NULL)
			(void)fclose(out);
		if (e != NULL)
			(void)fclose(e);
		return -2;
	}
	st = get_args_parse(a, argc, argv, out, e);
	(void)fclose(out);
	(void)fclose(e);
	return st;
}

static void t_get(struct tq *t)
{
	const char *ok[] = {"-qkj8", "--per-host=1000", "--max-redirs", "0", "--retry=100",
			    "--retry-delay", "0.001", "--connect-timeout=86400", "--timeout", "2.5",
			    "--max-time=.25", "--limit-rate", "4294967296G", "--max-filesize=64k",
			    "--shards", "1000000", "--shard", "auto", "--", "-j", NULL};
	const char *big[] = {"--max-filesize", "18446744073709551620", "http://h/x", NULL};
	const char *rate[] = {"--limit-rate=18446744073709551620", "http://h/x", NULL};
	const char *j[] = {"-j", "-8", "http://h/x", NULL};
	char err[512];
	struct get_args a;

	TQ_INT(t, get_parse(&a, ok, err, sizeof err), -1);
	TQ_STR(t, err, "");
	TQ_TRUE(t, a.out.quiet && a.insecure && a.parallel == 8 && a.per_host == 1000);
	TQ_TRUE(t, a.max_redirs == 0 && a.retries == 100 && a.retry_delay_ms == 1);
	TQ_TRUE(t, a.connect_timeout_ms == 86400000u && a.idle_timeout_ms == 2500);
	TQ_TRUE(t, a.max_time_ms == 250 && a.limit_rate == 1ull << 62 && a.max_filesize == 65536);
	TQ_TRUE(t, a.shards == 1000000 && a.nurls == 1 && strcmp(a.urls[0], "-j") == 0);
	get_args_free(&a);
	TQ_INT(t, get_parse(&a, big, err, sizeof err), 2);
	TQ_TRUE(t, strncmp(err, "quiver get: --max-filesize wants a size from 1 to 4294967296G", 61) == 0);
	get_args_free(&a);
	TQ_INT(t, get_parse(&a, rate, err, sizeof err), 2);
	TQ_TRUE(t, strstr(err, "--limit-rate wants a size") != NULL);
	get_args_free(&a);
	TQ_INT(t, get_parse(&a, j, err, sizeof err), 2);
	TQ_TRUE(t, strncmp(err, "quiver get: -j/--parallel wants a number from 1 to 1000, not '-8'\n",
			   66) == 0);
	get_args_free(&a);
}

void suite_cli_opt(struct tq *t)
{
	tq_run(t, "-w8, -w 8, --workers=8, --workers 8, bundles", t_spellings);
	tq_run(t, "arguments, '-', '--', empty values", t_args_and_ends);
	tq_run(t, "unknown, missing, flag with value, bad numbers", t_errors);
	tq_run(t, "messages name the option and its range", t_messages);
	tq_run(t, "get: every number lands exactly, 2^64 + 4 refused", t_get);
}
