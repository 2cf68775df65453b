/* test_flags_common.c - the flags commands' helpers: codes, URLs, the
 * --site check and the default number of workers (numbers and options:
 * test_cli_num.c, test_cli_opt.c). */
#include <string.h>

#include "cli/flags/flags_common.h"
#include "tq.h"

void suite_flags_common(struct tq *t);

static struct flags_codes codes; /* 2 KiB: not on the stack */

static void test_pop20_sorted(struct tq *t)
{
	codes.count = 0;
	flags_codes_add_list(&codes, FLAGS_POP20);
	TQ_INT(t, codes.count, 20);
	TQ_STR(t, codes.cc[0], "CN");
	flags_codes_sort(&codes);
	TQ_INT(t, codes.count, 20);
	TQ_STR(t, codes.cc[0], "BD");
	TQ_STR(t, codes.cc[19], "VN");
}

static void test_codes_case_dedupe(struct tq *t)
{
	codes.count = 0;
	TQ_TRUE(t, flags_codes_add(&codes, "us"));
	TQ_TRUE(t, flags_codes_add(&codes, "Br"));
	TQ_TRUE(t, flags_codes_add(&codes, "US"));
	TQ_TRUE(t, !flags_codes_add(&codes, "USA"));
	TQ_TRUE(t, !flags_codes_add(&codes, "u"));
	TQ_TRUE(t, !flags_codes_add(&codes, "u1"));
	TQ_TRUE(t, !flags_codes_add(&codes, ""));
	TQ_TRUE(t, !flags_codes_add(&codes, "\xc3\xa9"));
	flags_codes_sort(&codes);
	TQ_INT(t, codes.count, 2);
	TQ_STR(t, codes.cc[0], "BR");
	TQ_STR(t, codes.cc[1], "US");
}

static void test_url(struct tq *t)
{
	char out[64], small[10];

	TQ_INT(t, flags_url("http://h/flags", "CN", out, sizeof out), 24);
	TQ_STR(t, out, "http://h/flags/cn/cn.gif");
	TQ_INT(t, flags_url("http://h/flags", "CN", small, sizeof small), 0);
	TQ_STR(t, small, "");
}

static void test_site(struct tq *t)
{
	char out[64];
	struct qv_error e;

	TQ_INT(t, flags_site_check("http://127.0.0.1:8001/flags//", out, sizeof out, &e), QV_OK);
	TQ_STR(t, out, "http://127.0.0.1:8001/flags");
	TQ_INT(t, flags_site_check("https://www.fluentpython.com/data/flags", out, sizeof out, &e),
	       QV_OK);
	TQ_INT(t, flags_site_check("ftp://x/flags", out, sizeof out, &e), QV_E_URL_SCHEME);
	TQ_INT(t, flags_site_check("flags", out, sizeof out, &e), QV_E_URL_SYNTAX);
	TQ_INT(t, flags_site_check("http://h/f?x=1", out, sizeof out, &e), QV_E_USAGE);
	TQ_INT(t, flags_site_check("/", out, sizeof out, &e), QV_E_USAGE);
	TQ_INT(t, flags_site_check("http://h/very/long/site", out, 8, &e), QV_E_URL_TOO_LONG);
}

static void test_default_workers(struct tq *t)
{
	TQ_TRUE(t, flags_default_workers() >= 5 && flags_default_workers() <= 32);
}

void suite_flags_common(struct tq *t)
{
	tq_run(t, "POP20 sorted", test_pop20_sorted);
	tq_run(t, "codes: case, validity, duplicates", test_codes_case_dedupe);
	tq_run(t, "flag URL", test_url);
	tq_run(t, "site check", test_site);
	tq_run(t, "default workers", test_default_workers);
}
