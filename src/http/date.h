/* date.h - HTTP-date (RFC 9110 §5.6.7): read in its three forms, written in
 * the one a sender must use.  Pure functions over text and Unix seconds; no
 * locale, no time zone, no libc time functions (gmtime/timegm are neither
 * reentrant everywhere nor in C11). */
#ifndef QV_HTTP_DATE_H
#define QV_HTTP_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Characters of an IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT". */
#define HTTP_DATE_LEN 29

/* IMF-fixdate, the obsolete RFC 850 form ("Sunday, 06-Nov-94 08:49:37 GMT",
 * a two-digit year below 70 read as 20xx) and asctime's ("Sun Nov  6
 * 08:49:37 1994"), which RFC 9110 says a recipient must accept.  The day
 * name is not checked against the date (a server's mistake there says
 * nothing about the time).  Years 1970..9999; false for anything else. */
bool http_date_parse(const char *s, size_t n, int64_t *t);

/* t (1970..9999) as IMF-fixdate into out (HTTP_DATE_LEN + 1 bytes). */
void http_date_format(int64_t t, char *out);

#endif
