/* test_flags_common.c - the flags commands' helpers: codes, URLs, seconds,
 * counts and option matching. */
#include <string.h>

#include "cli/flags/flags_common.h"
#include "cli/num.h"
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

static void test_secs(struct tq *t)
{
	uint32_t ms = 0;

	TQ_TRUE(t, num_parse_secs("6.1", false, &ms) && ms == 6100);
	TQ_TRUE(t, num_parse_secs("30", false, &ms) && ms == 30000);
	TQ_TRUE(t, num_parse_secs(".25", false, &ms) && ms == 250);
	TQ_TRUE(t, num_parse_secs("0.0019", false, &ms) && ms == 1);
	TQ_TRUE(t, num_parse_secs("0", true, &ms) && ms == 0);
	TQ_TRUE(t, !num_parse_secs("0", false, &ms));
	TQ_TRUE(t, !num_parse_secs("", true, &ms));
	TQ_TRUE(t, !num_parse_secs(".", true, &ms));
	TQ_TRUE(t, !num_parse_secs("1.", true, &ms));
	TQ_TRUE(t, !num_parse_secs("-1", true, &ms));
	TQ_TRUE(t, !num_parse_secs("1s", true, &ms));
	TQ_TRUE(t, num_parse_secs("86400", false, &ms) && ms == NUM_SECS_MAX_MS);
	TQ_TRUE(t, !num_parse_secs("86400.001", false, &ms));
	TQ_TRUE(t, !num_parse_secs("99999999999999999999", false, &ms));
}

static void test_uint(struct tq *t)
{
	unsigned v = 0;

	TQ_TRUE(t, num_parse_uint("8", 1, 1000, &v) && v == 8);
	TQ_TRUE(t, num_parse_uint("1000", 1, 1000, &v) && v == 1000);
	TQ_TRUE(t, !num_parse_uint("0", 1, 1000, &v));
	TQ_TRUE(t, !num_parse_uint("1001", 1, 1000, &v));
	TQ_TRUE(t, !num_parse_uint("", 1, 1000, &v));
	TQ_TRUE(t, !num_parse_uint("+3", 1, 1000, &v));
	TQ_TRUE(t, !num_parse_uint("99999999999999999999999", 1, 1000, &v));
	TQ_TRUE(t, flags_default_workers() >= 5 && flags_default_workers() <= 32);
}

static void test_opt_take(struct tq *t)
{
	char a0[] = "flags", a1[] = "-w8", a2[] = "--site=http://x", a3[] = "-o", a4[] = "d",
	     a5[] = "--siteX", a6[] = "--engine";
	char *argv[] = {a0, a1, a2, a3, a4, a5, a6};
	const char *v = NULL;
	int i = 1;

	TQ_INT(t, flags_opt_take(7, argv, &i, "-w", "--workers", &v), 1);
	TQ_STR(t, v, "8");
	i = 2;
	TQ_INT(t, flags_opt_take(7, argv, &i, NULL, "--site", &v), 1);
	TQ_STR(t, v, "http://x");
	i = 3;
	TQ_INT(t, flags_opt_take(7, argv, &i, "-o", NULL, &v), 1);
	TQ_STR(t, v, "d");
	TQ_INT(t, i, 4);
	i = 5;
	TQ_INT(t, flags_opt_take(7, argv, &i, NULL, "--site", &v), 0);
	i = 6;
	TQ_INT(t, flags_opt_take(7, argv, &i, NULL, "--engine", &v), -1);
}

void suite_flags_common(struct tq *t)
{
	tq_run(t, "POP20 sorted", test_pop20_sorted);
	tq_run(t, "codes: case, validity, duplicates", test_codes_case_dedupe);
	tq_run(t, "flag URL", test_url);
	tq_run(t, "site check", test_site);
	tq_run(t, "seconds", test_secs);
	tq_run(t, "counts and default workers", test_uint);
	tq_run(t, "option matching", test_opt_take);
}
