/* date.c - HTTP-date read and written (see date.h).  Each form is a
 * template matched by one small interpreter, and days are counted with the
 * leap-year sum (written back a year at a time): far less code than a
 * general calendar. */
#include "http/date.h"

#include <string.h>

#include "util/ascii.h"

static const char date_months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
/* 1970-01-01, day 0, was a Thursday */
static const char date_wdays[] = "ThuFriSatSunMonTueWed";
/* days before each month in a common year */
static const unsigned short date_before[12] = {0,   31,  59,  90,  120, 151,
					       181, 212, 243, 273, 304, 334};

/* The three forms (RFC 9110 §5.6.7), as strftime would name them: a a day
 * name, b a month name, each of d y h m s one digit of its field, '_' a
 * space or a digit of the day; anything else stands for itself. */
static const char *const date_forms[] = {
	"a, dd b yyyy hh:mm:ss GMT", /* IMF-fixdate */
	"a, dd-b-yy hh:mm:ss GMT",   /* RFC 850 */
	"a b _d hh:mm:ss yyyy",      /* asctime */
};

struct date_fields {
	unsigned y, mo, d, h, mi, s;
};

static bool date_leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to January 1 of y (>= 1970): 477 leap days come
 * before 1970. */
static int64_t date_year(unsigned y)
{
	unsigned p = y - 1;

	return (int64_t)(y - 1970) * 365 + (p / 4 - p / 100 + p / 400) - 477;
}

static bool date_match(const char *s, size_t n, const char *form, struct date_fields *f)
{
	size_t i = 0, k;

	memset(f, 0, sizeof *f);
	for (; *form != '\0'; form++) {
		char c = i < n ? s[i] : '\0';
		unsigned *to;

		switch (*form) {
		case 'a':
			for (k = 0; i < n && ascii_is_alpha((unsigned char)s[i]) && k < 10; k++)
				i++;
			if (k < 3 || k > 9)
				return false;
			continue;
		case 'b':
			for (k = 0; k < 12 && (n - i < 3 || memcmp(s + i, date_months + 3 * k, 3) != 0); k++)
				;
			if (k == 12)
				return false;
			f->mo = (unsigned)k + 1;
			i += 3;
			continue;
		case '_':
			if (c == ' ') {
				i++;
				continue;
			}
			to = &f->d;
			break;
		case 'd': to = &f->d; break;
		case 'y': to = &f->y; break;
		case 'h': to = &f->h; break;
		case 'm': to = &f->mi; break;
		case 's': to = &f->s; break;
		default:
			if (c != *form)
				return false;
			i++;
			continue;
		}
		if (!ascii_is_digit((unsigned char)c))
			return false;
		*to = *to * 10 + (unsigned)(c - '0');
		i++;
	}
	return i == n;
}

bool http_date_parse(const char *s, size_t n, int64_t *t)
{
	struct date_fields f;
	size_t form;
	unsigned leap, mdays;

	for (form = 0; form < 3 && !date_match(s, n, date_forms[form], &f); form++)
		;
	if (form == 3)
		return false;
	if (form == 1) /* a two-digit year below 70 is this century's */
		f.y += f.y < 70 ? 2000 : 1900;
	leap = date_leap(f.y);
	mdays = f.mo == 2 ? 28 + leap : 30 + ((f.mo + f.mo / 8) & 1);
	/* a leap second (60) is allowed; the day must exist */
	if (f.y < 1970 || f.y > 9999 || f.h > 23 || f.mi > 59 || f.s > 60 || f.d < 1 || f.d > mdays)
		return false;
	*t = (date_year(f.y) + date_before[f.mo - 1] + (f.mo > 2 ? leap : 0) + f.d - 1) * 86400 +
	     f.h * 3600 + f.mi * 60 + f.s;
	return true;
}

void http_date_format(int64_t t, char *out)
{
	int64_t days = t > 0 ? t / 86400 : 0;
	unsigned secs = t > 0 ? (unsigned)(t % 86400) : 0, y = 1970, m = 1, doy, leap, i;
	static const unsigned char at[5] = {5, 12, 17, 20, 23}, width[5] = {2, 4, 2, 2, 2};
	unsigned v[5];

	memcpy(out, "Thu, 01 Jan 1970 00:00:00 GMT", HTTP_DATE_LEN + 1);
	memcpy(out, date_wdays + 3 * (unsigned)(days % 7), 3);
	/* a year at a time: about 55 steps for a date of this century */
	while (days >= 365 + date_leap(y))
		days -= 365 + date_leap(y++);
	doy = (unsigned)days;
	leap = date_leap(y);
	while (m < 12 && date_before[m] + (m >= 2 ? leap : 0) <= doy)
		m++;
	memcpy(out + 8, date_months + 3 * (m - 1), 3);
	v[0] = doy - date_before[m - 1] - (m > 2 ? leap : 0) + 1;
	v[1] = y;
	v[2] = secs / 3600;
	v[3] = secs / 60 % 60;
	v[4] = secs % 60;
	for (i = 0; i < 5; i++) {
		unsigned k = width[i], x = v[i];

		while (k-- > 0) {
			out[at[i] + k] = (char)('0' + x % 10);
			x /= 10;
		}
	}
}
