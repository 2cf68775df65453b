/* syntax.c - the tchar bitmap of syntax.h. */
#include "http/syntax.h"

/* Bit c of the map is set for the tchar bytes: "!#$%&'*+-.^_`|~",
 * digits and letters (RFC 9110 §5.6.2). */
static const uint8_t http_tchar_map[32] = {
	0x00, 0x00, 0x00, 0x00, 0xfa, 0x6c, 0xff, 0x03,
	0xfe, 0xff, 0xff, 0xc7, 0xff, 0xff, 0xff, 0x57,
};

bool http_is_tchar(uint8_t c)
{
	return (http_tchar_map[c >> 3] >> (c & 7)) & 1;
}
