/* base64.h - RFC 4648 base64 encoding (standard alphabet, padded), for the
 * Basic credentials of Authorization and Proxy-Authorization. */
#ifndef QV_UTIL_BASE64_H
#define QV_UTIL_BASE64_H

#include <stddef.h>

/* Bytes base64_encode writes for n input bytes, without the NUL. */
#define BASE64_LEN(n) (((n) + 2) / 3 * 4)

/* Encode src[0..n) into out (cap bytes, NUL-terminated).  Returns the
 * length, or 0 with out "" when it does not fit (n == 0 also gives 0). */
size_t base64_encode(const void *src, size_t n, char *out, size_t cap);

#endif
