/* test_date.c - HTTP-date (http/date.h): the three forms RFC 9110 makes a
 * recipient accept, what it refuses, and IMF-fixdate written back for
 * dates across leap years and centuries. */
#include <stdio.h>
#include <string.h>

#include "http/date.h"
#include "tq.h"

void suite_date(struct tq *t);

struct date_case {
	const char *text;
	bool ok;
	int64_t t;
};

static void t_parse(struct tq *t)
{
	static const struct date_case c[] = {
		{"Sun, 06 Nov 1994 08:49:37 GMT", true, 784111777},
		{"Sunday, 06-Nov-94 08:49:37 GMT", true, 784111777},
		{"Sun Nov  6 08:49:37 1994", true, 784111777},
		{"Sun Nov 16 08:49:37 1994", true, 784975777},
		{"Thu, 01 Jan 1970 00:00:00 GMT", true, 0},
		{"Tue, 29 Feb 2000 12:00:00 GMT", true, 951825600},
		{"Wednesday, 01-Jan-25 00:00:00 GMT", true, 1735689600},
		{"Fri, 31 Dec 9999 23:59:59 GMT", true, 253402300799},
		{"Wed, 31 Dec 2008 23:59:60 GMT", true, 1230768000}, /* a leap second */
		{"Xyz, 06 Nov 1994 08:49:37 GMT", true, 784111777},  /* day name not checked */
		{"Sun, 06 Nov 1994 08:49:37 UTC", false, 0},
		{"Sun, 06 Nov 1994 08:49:37 GMT ", false, 0},
		{"Sun, 6 Nov 1994 08:49:37 GMT", false, 0},
		{"Sun, 06 nov 1994 08:49:37 GMT", false, 0},
		{"Sun, 06 Nov 94 08:49:37 GMT", false, 0},
		{"Sun, 31 Nov 1994 08:49:37 GMT", false, 0},
		{"Mon, 29 Feb 1900 00:00:00 GMT", false, 0},
		{"Thu, 29 Feb 2001 00:00:00 GMT", false, 0},
		{"Sun, 06 Nov 1994 24:00:00 GMT", false, 0},
		{"Sun, 06 Nov 1994 08:60:00 GMT", false, 0},
		{"Wed, 31 Dec 1969 23:59:59 GMT", false, 0},
		{"Sun Nov 6 08:49:37 1994", false, 0},
		{"Sun Nov  6 08:49:37 1994 ", false, 0},
		{"", false, 0},
		{"Sun,", false, 0},
		{"1994-11-06T08:49:37Z", false, 0},
		{"784111777", false, 0},
	};
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		int64_t v = -1;
		bool ok = http_date_parse(c[i].text, strlen(c[i].text), &v);

		if (!TQ_INT(t, ok, c[i].ok) || (ok && !TQ_INT(t, v, c[i].t)))
			printf("  case: %s\n", c[i].text);
	}
}

static void t_format(struct tq *t)
{
	static const struct date_case c[] = {
		{"Thu, 01 Jan 1970 00:00:00 GMT", true, 0},
		{"Sun, 06 Nov 1994 08:49:37 GMT", true, 784111777},
		{"Tue, 29 Feb 2000 12:00:00 GMT", true, 951825600},
		{"Mon, 01 Mar 2100 00:00:00 GMT", true, 4107542400},
		{"Fri, 31 Dec 9999 23:59:59 GMT", true, 253402300799},
	};
	char out[HTTP_DATE_LEN + 1];
	int64_t v;
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		memset(out, 'x', sizeof out);
		http_date_format(c[i].t, out);
		TQ_STR(t, out, c[i].text);
	}
	/* every day of four years, one of them a leap year, reads back */
	for (v = 946684800; v < 946684800 + 4 * 366 * 86400; v += 86400 + 3601) {
		int64_t back = -1;

		http_date_format(v, out);
		if (!TQ_TRUE(t, http_date_parse(out, strlen(out), &back) && back == v)) {
			printf("  %lld -> %s\n", (long long)v, out);
			break;
		}
	}
}

void suite_date(struct tq *t)
{
	tq_run(t, "three forms and what is refused", t_parse);
	tq_run(t, "IMF-fixdate written and read back", t_format);
}
