/* syntax.h - RFC 9110 §5.6 character classes shared by the HTTP message
 * layer (response parser, chunked decoder, request writer) and the flag
 * server's request parser (serve/req.c): small predicates, no state. */
#ifndef QV_HTTP_SYNTAX_H
#define QV_HTTP_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/ascii.h"

/* tchar (RFC 9110 §5.6.2): the bytes a token (field name, coding) may
 * hold.  A bitmap lookup in one function (syntax.c): five files call it,
 * and a copy of the comparisons in each cost more than the table. */
bool http_is_tchar(uint8_t c);

/* OWS / BWS bytes (RFC 9110 §5.6.3). */
static inline bool http_is_ws(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* Bytes allowed inside a field value or reason phrase: VCHAR, obs-text, SP
 * and HTAB (RFC 9110 §5.5); every other control byte is refused. */
static inline bool http_is_value_byte(uint8_t c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

#endif
