/* base64.c - RFC 4648 §4 encoding (see base64.h). */
#include "util/base64.h"

size_t base64_encode(const void *src, size_t n, char *out, size_t cap)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = src;
	size_t i, w = 0;

	if (cap == 0)
		return 0;
	if (n > (cap - 1) / 4 * 3) {
		out[0] = '\0';
		return 0;
	}
	for (i = 0; i + 2 < n; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];

		out[w++] = abc[v >> 18 & 63];
		out[w++] = abc[v >> 12 & 63];
		out[w++] = abc[v >> 6 & 63];
		out[w++] = abc[v & 63];
	}
	if (i < n) {
		unsigned long v = (unsigned long)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned long)p[i + 1] << 8;
		out[w++] = abc[v >> 18 & 63];
		out[w++] = abc[v >> 12 & 63];
		out[w++] = i + 1 < n ? abc[v >> 6 & 63] : '=';
		out[w++] = '=';
	}
	out[w] = '\0';
	return w;
}
