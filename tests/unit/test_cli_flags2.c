/* test_cli_flags2.c - flags2/flags3 arguments (the book's expansion rules
 * and usage errors) and the report lines, golden, singular and plural (the
 * option scanner itself: test_cli_opt.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/flags/flags2_args.h"
#include "cli/flags/flags2_report.h"
#include "tq.h"

void suite_cli_flags2(struct tq *t);

/* Parse a NULL-terminated argument list; *out gets what was printed. */
static int parse(struct flags2_args *a, const char **args, char **out)
{
	char *argv[32];
	int argc = 0;
	size_t len = 0;
	FILE *f = open_memstream(out, &len);
	int st;

	argv[argc++] = (char *)(uintptr_t)"flags2";
	while (*args != NULL && argc < 31)
		argv[argc++] = (char *)(uintptr_t)*args++;
	argv[argc] = NULL;
	st = flags2_parse(a, false, argc, argv, f);
	(void)fclose(f);
	return st;
}

static void t_defaults(struct tq *t)
{
	const char *args[] = {NULL};
	struct flags2_args *a = malloc(sizeof *a);
	char *out = NULL;

	if (!TQ_TRUE(t, a != NULL))
		return;
	TQ_INT(t, parse(a, args, &out), -1);
	TQ_STR(t, out, "");
	TQ_STR(t, a->label, "LOCAL");
	TQ_STR(t, a->site, "http://localhost:8000/flags");
	TQ_INT(t, a->codes.count, 20);
	TQ_STR(t, a->codes.cc[0], "BD");
	TQ_STR(t, a->codes.cc[19], "VN");
	TQ_STR(t, a->dir, "downloaded");
	free(out);
	free(a);
}

static void t_expand(struct tq *t)
{
	const char *letter[] = {"b", "CN", "cn", "Br", NULL};
	const char *every[] = {"-e", "-l", "1000", NULL};
	const char *all[] = {"--all", NULL};
	const char *limited[] = {"-a", "-l", "10", NULL};
	const char *bundled[] = {"-al5", NULL};
	struct flags2_args *a = malloc(sizeof *a);
	char *out = NULL;

	if (!TQ_TRUE(t, a != NULL))
		return;
	TQ_INT(t, parse(a, letter, &out), -1);
	TQ_INT(t, a->codes.count, 27);
	TQ_STR(t, a->codes.cc[0], "BA");
	TQ_STR(t, a->codes.cc[25], "BZ");
	TQ_STR(t, a->codes.cc[26], "CN");
	free(out);
	TQ_INT(t, parse(a, every, &out), -1);
	TQ_INT(t, a->codes.count, 676);
	TQ_STR(t, a->codes.cc[675], "ZZ");
	free(out);
	TQ_INT(t, parse(a, all, &out), -1);
	TQ_INT(t, a->codes.count, 194);
	TQ_STR(t, a->codes.cc[0], "AD");
	TQ_STR(t, a->codes.cc[193], "ZW");
	free(out);
	TQ_INT(t, parse(a, limited, &out), -1);
	TQ_INT(t, a->codes.count, 10);
	TQ_STR(t, a->codes.cc[9], "AU");
	free(out);
	TQ_INT(t, parse(a, bundled, &out), -1);
	TQ_INT(t, a->codes.count, 5);
	free(out);
	free(a);
}

static void t_server(struct tq *t)
{
	const char *delay[] = {"-s", "delay", NULL};
	const char *error[] = {"--server=ERROR", NULL};
	const char *remote[] = {"-sREMOTE", NULL};
	const char *url[] = {"-s", "http://127.0.0.1:9/x/", NULL};
	struct flags2_args *a = malloc(sizeof *a);
	char *out = NULL;

	if (!TQ_TRUE(t, a != NULL))
		return;
	TQ_INT(t, parse(a, delay, &out), -1);
	TQ_STR(t, a->site, "http://localhost:8001/flags");
	free(out);
	TQ_INT(t, parse(a, error, &out), -1);
	TQ_STR(t, a->site, "http://localhost:8002/flags");
	free(out);
	TQ_INT(t, parse(a, remote, &out), -1);
	TQ_STR(t, a->site, "https://www.fluentpython.com/data/flags");
	free(out);
	TQ_INT(t, parse(a, url, &out), -1);
	TQ_STR(t, a->label, "CUSTOM");
	TQ_STR(t, a->site, "http://127.0.0.1:9/x");
	free(out);
	free(a);
}

/* args must give exit 2 and print "*** Usage error: why..." on its own
 * line, then the usage. */
static void bad(struct tq *t, struct flags2_args *a, const char **args, const char *why)
{
	char *out = NULL;
	char want[256];

	(void)snprintf(want, sizeof want, "*** Usage error: %s", why);
	TQ_INT(t, parse(a, args, &out), 2);
	if (out != NULL && !TQ_TRUE(t, strncmp(out, want, strlen(want)) == 0 &&
					 strstr(out, "\nusage: quiver flags2 [-h]") != NULL))
		(void)fprintf(stderr, "  got: %s", out);
	free(out);
}

static void t_usage_errors(struct tq *t)
{
	const char *cc3[] = {"BRA", NULL}, *digit[] = {"B1", NULL}, *empty[] = {"", NULL};
	const char *l0[] = {"-l", "0", NULL}, *lx[] = {"-l", "x", NULL}, *lneg[] = {"-l", "-3", NULL};
	const char *m0[] = {"-m", "0", NULL}, *mx[] = {"--max_req", "lots", NULL};
	const char *s[] = {"-s", "NOWHERE", NULL}, *surl[] = {"-s", "ftp://h/flags", NULL};
	const char *eng[] = {"--engine", "fast", NULL}, *unk[] = {"-x", NULL};
	const char *miss[] = {"-l", NULL}, *flagval[] = {"--verbose=1", NULL};
	const char *dir[] = {"-o", "", NULL}, *tmo[] = {"--timeout", "0", NULL};
	const char *prog[] = {"--progress", "fancy", NULL};
	const char *lbig[] = {"-l", "18446744073709551620", NULL}, *mbig[] = {"-m1000000001", NULL};
	const char *lplus[] = {"-l", "+3", NULL}, *mneg[] = {"--max-req=-18446744073709551620", NULL};
	struct flags2_args *a = malloc(sizeof *a);

	if (!TQ_TRUE(t, a != NULL))
		return;
	bad(t, a, cc3, "each CC argument must be A to Z or AA to ZZ.");
	bad(t, a, digit, "each CC argument must be A to Z or AA to ZZ.");
	bad(t, a, empty, "each CC argument must be A to Z or AA to ZZ.");
	bad(t, a, l0, "--limit N must be >= 1");
	bad(t, a, lneg, "--limit N must be >= 1");
	bad(t, a, lx, "--limit N must be an integer, not 'x'");
	bad(t, a, m0, "--max_req CONCURRENT must be >= 1");
	bad(t, a, mx, "--max_req CONCURRENT must be an integer, not 'lots'");
	bad(t, a, s, "--server LABEL must be one of DELAY, ERROR, LOCAL, REMOTE, or a URL");
	bad(t, a, surl, "--server URL: ");
	bad(t, a, eng, "--engine must be seq, threads or poll, not 'fast'");
	bad(t, a, unk, "unrecognized option '-x'");
	bad(t, a, miss, "option -l needs a value");
	bad(t, a, flagval, "option --verbose takes no value");
	bad(t, a, dir, "--output-dir needs a directory");
	bad(t, a, tmo, "--timeout wants seconds from 0.001 to 86400 (at most 3 decimals), not '0'");
	bad(t, a, prog, "--progress must be bar, dot or none, not 'fancy'");
	bad(t, a, lbig, "--limit N must be <= 1000000000\n"); /* was taken as "all" */
	bad(t, a, mbig, "--max_req CONCURRENT must be <= 1000000000\n");
	bad(t, a, lplus, "--limit N must be an integer, not '+3'");
	bad(t, a, mneg, "--max_req CONCURRENT must be >= 1\n");
	free(a);
}

static void t_help(struct tq *t)
{
	const char *h[] = {"-h", NULL}, *help[] = {"--help", NULL};
	struct flags2_args *a = malloc(sizeof *a);
	char *out = NULL;

	if (!TQ_TRUE(t, a != NULL))
		return;
	TQ_INT(t, parse(a, h, &out), 0);
	TQ_TRUE(t, out != NULL && strstr(out, "-m CONCURRENT, --max_req CONCURRENT") != NULL);
	free(out);
	TQ_INT(t, parse(a, help, &out), 0);
	free(out);
	free(a);
}

static void t_connections(struct tq *t)
{
	struct flags2_args *a = calloc(1, sizeof *a);

	if (!TQ_TRUE(t, a != NULL))
		return;
	a->codes.count = 20;
	a->engine = ENGINE_SEQ;
	TQ_INT(t, flags2_connections(a), 1);
	a->max_req = 100;
	TQ_INT(t, flags2_connections(a), 1);
	a->engine = ENGINE_THREADS;
	TQ_INT(t, flags2_connections(a), 20);
	a->max_req = 0;
	TQ_INT(t, flags2_connections(a), 20);
	a->codes.count = 194;
	TQ_INT(t, flags2_connections(a), 30);
	a->engine = ENGINE_POLL;
	TQ_INT(t, flags2_connections(a), 5);
	a->max_req = 1000;
	TQ_INT(t, flags2_connections(a), 194);
	free(a);
}

static char *report(const char *codes, unsigned conns, const struct flags2_counts *c)
{
	struct flags_codes *fc = calloc(1, sizeof *fc);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (fc == NULL || f == NULL) {
		free(fc);
		return NULL;
	}
	flags_codes_add_list(fc, codes);
	flags2_report_start(f, "LOCAL", "http://localhost:8000/flags", fc, conns);
	flags2_report_end(f, c, 1.234);
	(void)fclose(f);
	free(fc);
	return buf;
}

static void t_report(struct tq *t)
{
	struct flags2_counts one = {1, 0, 0}, mixed = {14, 16, 0}, errs = {8, 1, 2};
	struct flags2_counts err1 = {0, 0, 1};
	char *s;

	s = report("BR", 1, &one);
	TQ_STR(t, s, "LOCAL site: http://localhost:8000/flags\n"
		     "Searching for 1 flag: BR\n"
		     "1 connection will be used.\n"
		     "--------------------\n"
		     "  1 flag downloaded.\n"
		     "Elapsed time: 1.23s\n");
	free(s);
	s = report("AA AB AC AD AE AF AG AH AI AJ", 5, &mixed);
	TQ_STR(t, s, "LOCAL site: http://localhost:8000/flags\n"
		     "Searching for 10 flags: AA, AB, AC, AD, AE, AF, AG, AH, AI, AJ\n"
		     "5 concurrent connections will be used.\n"
		     "--------------------\n"
		     " 14 flags downloaded.\n"
		     " 16 not found.\n"
		     "Elapsed time: 1.23s\n");
	free(s);
	s = report("AA AB AC AD AE AF AG AH AI AJ AK", 11, &errs);
	TQ_STR(t, s, "LOCAL site: http://localhost:8000/flags\n"
		     "Searching for 11 flags: from AA to AK\n"
		     "11 concurrent connections will be used.\n"
		     "--------------------\n"
		     "  8 flags downloaded.\n"
		     "  1 not found.\n"
		     "  2 errors.\n"
		     "Elapsed time: 1.23s\n");
	free(s);
	s = report("BR CN", 2, &err1);
	TQ_TRUE(t, s != NULL && strstr(s, "  0 flags downloaded.\n  1 error.\n") != NULL);
	free(s);
}

static void t_classify(struct tq *t)
{
	struct xfer_result r;
	struct qv_error e;
	FILE *f;
	char *buf = NULL;
	size_t len = 0;

	memset(&r, 0, sizeof r);
	qv_error_clear(&e);
	TQ_INT(t, flags2_classify(&r, &e), FLAGS2_OK);
	(void)qv_error_set(&e, QV_E_HTTP_STATUS, "HTTP error 404 - Not Found");
	e.detail = 404;
	TQ_INT(t, flags2_classify(&r, &e), FLAGS2_NOT_FOUND);
	(void)qv_error_set(&e, QV_E_HTTP_STATUS, "HTTP error 418 - I'm a Teapot");
	e.detail = 418;
	TQ_INT(t, flags2_classify(&r, &e), FLAGS2_ERROR);
	/* a 404 status on an earlier hop does not make a transport error "not found" */
	r.status = 404;
	(void)qv_error_set(&e, QV_E_READ_TIMEOUT, "read timed out");
	TQ_INT(t, flags2_classify(&r, &e), FLAGS2_ERROR);
	f = open_memstream(&buf, &len);
	if (!TQ_TRUE(t, f != NULL))
		return;
	flags2_report_code(f, "BR", FLAGS2_OK, "u", &e);
	flags2_report_code(f, "XX", FLAGS2_NOT_FOUND, "http://h/xx/xx.gif", &e);
	(void)qv_error_set(&e, QV_E_HTTP_STATUS, "HTTP error 418 - I'm a Teapot");
	flags2_report_code(f, "CN", FLAGS2_ERROR, "u", &e);
	(void)fclose(f);
	TQ_STR(t, buf, "BR OK\nXX not found: http://h/xx/xx.gif\nCN error: HTTP error 418 - I'm a "
		       "Teapot\n");
	free(buf);
}

void suite_cli_flags2(struct tq *t)
{
	tq_run(t, "defaults: POP20 sorted, LOCAL", t_defaults);
	tq_run(t, "code expansion: letters, -e, -a, -l", t_expand);
	tq_run(t, "-s labels and URLs", t_server);
	tq_run(t, "usage errors", t_usage_errors);
	tq_run(t, "-h", t_help);
	tq_run(t, "connections (actual_req)", t_connections);
	tq_run(t, "report lines, singular and plural", t_report);
	tq_run(t, "404 vs error, -v lines", t_classify);
}
