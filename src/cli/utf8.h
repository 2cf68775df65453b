/* utf8.h - strict UTF-8 decoding and encoding, for the code that turns
 * untrusted bytes into file names, JSON text and terminal output. */
#ifndef QV_CLI_UTF8_H
#define QV_CLI_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Longest encoded code point. */
#define UTF8_SEQ_MAX 4

/* Decode the sequence at p (n > 0 bytes available).  Returns its length and
 * sets *cp, or 0 when it is not well-formed UTF-8 (truncated, overlong, a
 * surrogate, above U+10FFFF, a stray continuation byte). */
size_t utf8_decode(const uint8_t *p, size_t n, uint32_t *cp);

/* Encode cp into out.  Returns the length, or 0 for a surrogate or a value
 * above U+10FFFF. */
size_t utf8_encode(uint32_t cp, uint8_t out[UTF8_SEQ_MAX]);

/* True for code points a terminal or a file manager may act on rather than
 * show: C0, DEL, C1 controls and the bidirectional overrides and isolates
 * (which can make "gpj.exe" look like "exe.jpg"). */
int utf8_is_control(uint32_t cp);

#endif
