/* format.h - printf-style formatting of quiver's own, so that the static
 * build links no libc printf: src/libc/vfprintf.c puts it under every
 * printf, fprintf and snprintf of the Zig (musl) build, where musl's
 * printf_core and its long-double float formatting were 9 KiB.
 *
 * What it formats is C11's printf minus what quiver never asks for:
 * flags "-+ #0", a width and a precision (digits or '*'), the lengths hh h l
 * ll j z t, and the conversions d i u o x X c s p % and f F (exact, ties to
 * even, as musl and glibc print them).  The rest (e E g G a A, n, L, wide
 * characters and %N$ positions) is refused: the call returns -1 with errno
 * EINVAL, as musl does for a conversion it does not know, and
 * tests/check.sh fails the build when src/ uses one. */
#ifndef QV_UTIL_FORMAT_H
#define QV_UTIL_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Where the text goes: put() receives it in pieces, in order.  count is
 * the total so far (the caller sets it to 0). */
struct format_out {
	void (*put)(struct format_out *o, const char *s, size_t n);
	size_t count;
};

/* Format fmt with ap into o.  Returns the number of bytes produced, or -1
 * with errno EINVAL (a conversion it does not do) or EOVERFLOW (more than
 * INT_MAX bytes); on -1 o may have received part of the text. */
int format_v(struct format_out *o, const char *fmt, va_list ap);

/* vsnprintf's contract with format_v: at most n - 1 bytes and a NUL in buf
 * (nothing when n is 0); returns the full length, or -1. */
int format_buf_v(char *buf, size_t n, const char *fmt, va_list ap);

#endif
