/* date.c - HTTP-date read and written (see date.h).  Calendar arithmetic
 * after Howard Hinnant's days_from_civil / civil_from_days (proleptic
 * Gregorian, exact for every year handled here). */
#include "http/date.h"

#include <string.h>

#include "util/ascii.h"

static const char date_months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
/* 1970-01-01, day 0, was a Thursday */
static const char date_wdays[] = "ThuFriSatSunMonTueWed";

struct date_cur {
	const char *p, *end;
};

static int64_t date_days(unsigned y, unsigned m, unsigned d)
{
	unsigned yy = y - (m <= 2), era = yy / 400, yoe = yy - era * 400;
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

static bool date_char(struct date_cur *c, char ch)
{
	if (c->p == c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

/* Exactly k digits. */
static bool date_num(struct date_cur *c, unsigned k, unsigned *v)
{
	unsigned x = 0;

	if ((size_t)(c->end - c->p) < k)
		return false;
	while (k-- > 0) {
		if (!ascii_is_digit((unsigned char)*c->p))
			return false;
		x = x * 10 + (unsigned)(*c->p++ - '0');
	}
	*v = x;
	return true;
}

/* "Jan".."Dec" (case-sensitive, RFC 9110 §5.6.7) as 1..12. */
static bool date_month(struct date_cur *c, unsigned *m)
{
	unsigned i;

	if (c->end - c->p < 3)
		return false;
	for (i = 0; i < 12; i++) {
		if (memcmp(c->p, date_months + 3 * i, 3) == 0) {
			c->p += 3;
			*m = i + 1;
			return true;
		}
	}
	return false;
}

/* HH:MM:SS (a leap second 60 allowed) as seconds of the day. */
static bool date_time(struct date_cur *c, unsigned *secs)
{
	unsigned h, mi, s;

	if (!date_num(c, 2, &h) || !date_char(c, ':') || !date_num(c, 2, &mi) ||
	    !date_char(c, ':') || !date_num(c, 2, &s) || h > 23 || mi > 59 || s > 60)
		return false;
	*secs = h * 3600 + mi * 60 + s;
	return true;
}

static bool date_valid(unsigned y, unsigned m, unsigned d)
{
	static const unsigned char mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return y >= 1970 && y <= 9999 && d >= 1 && d <= mdays[m - 1] &&
	       !(m == 2 && d == 29 && !leap);
}

/* After "Day, ": "DD Mon YYYY" or "DD-Mon-YY", then " HH:MM:SS GMT". */
static bool date_after_comma(struct date_cur *c, unsigned *y, unsigned *m, unsigned *d,
			     unsigned *secs)
{
	if (!date_char(c, ' ') || !date_num(c, 2, d))
		return false;
	if (date_char(c, ' ')) {
		if (!date_month(c, m) || !date_char(c, ' ') || !date_num(c, 4, y))
			return false;
	} else {
		if (!date_char(c, '-') || !date_month(c, m) || !date_char(c, '-') ||
		    !date_num(c, 2, y))
			return false;
		*y += *y < 70 ? 2000 : 1900;
	}
	return date_char(c, ' ') && date_time(c, secs) && c->end - c->p == 4 &&
	       memcmp(c->p, " GMT", 4) == 0;
}

/* After "Day ": "Mon DD HH:MM:SS YYYY", DD possibly " D". */
static bool date_asctime(struct date_cur *c, unsigned *y, unsigned *m, unsigned *d,
			 unsigned *secs)
{
	if (!date_month(c, m) || !date_char(c, ' '))
		return false;
	if (!(date_char(c, ' ') ? date_num(c, 1, d) : date_num(c, 2, d)))
		return false;
	return date_char(c, ' ') && date_time(c, secs) && date_char(c, ' ') && date_num(c, 4, y) &&
	       c->p == c->end;
}

bool http_date_parse(const char *s, size_t n, int64_t *t)
{
	struct date_cur c = {s, s + n};
	unsigned y = 0, m = 0, d = 0, secs = 0;
	size_t name = 0;
	bool ok;

	while (c.p < c.end && ascii_is_alpha((unsigned char)*c.p) && name < 10)
		c.p++, name++;
	if (name < 3 || name > 9)
		return false;
	if (date_char(&c, ','))
		ok = date_after_comma(&c, &y, &m, &d, &secs);
	else
		ok = date_char(&c, ' ') && date_asctime(&c, &y, &m, &d, &secs);
	if (!ok || !date_valid(y, m, d))
		return false;
	*t = date_days(y, m, d) * 86400 + secs;
	return true;
}

static void date_put(char *out, unsigned v, unsigned k)
{
	while (k-- > 0) {
		out[k] = (char)('0' + v % 10);
		v /= 10;
	}
}

void http_date_format(int64_t t, char *out)
{
	int64_t z = t >= 0 ? t / 86400 : 0;
	unsigned secs = t >= 0 ? (unsigned)(t % 86400) : 0;
	unsigned doe, yoe, doy, mp, d, m, y, era;

	/* civil_from_days */
	z += 719468;
	era = (unsigned)(z / 146097);
	doe = (unsigned)(z - (int64_t)era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = yoe + era * 400 + (m <= 2);
	memcpy(out, date_wdays + 3 * (unsigned)((z - 719468) % 7), 3);
	memcpy(out + 3, ", ", 2);
	date_put(out + 5, d, 2);
	out[7] = ' ';
	memcpy(out + 8, date_months + 3 * (m - 1), 3);
	out[11] = ' ';
	date_put(out + 12, y, 4);
	out[16] = ' ';
	date_put(out + 17, secs / 3600, 2);
	out[19] = ':';
	date_put(out + 20, secs / 60 % 60, 2);
	out[22] = ':';
	date_put(out + 23, secs % 60, 2);
	memcpy(out + 25, " GMT", 5); /* with the NUL */
}
