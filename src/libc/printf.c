/* printf.c - musl's vfprintf and vsnprintf replaced by util/format.c in
 * quiver's static build.  Every printf, fprintf, snprintf, dprintf and
 * sprintf of musl ends in one of the two, so these definitions keep musl's
 * printf_core and its long-double float code out of the binary (9 KiB on
 * x86_64, more where double is soft-float).  build.zig links src/libc/
 * into quiver on musl targets only: the unit tests compare util/format.c
 * with the C library's own printf, and the sanitizer builds (glibc) keep
 * theirs, intercepted as ASan expects. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/format.h"

/* Text is gathered and written with one fwrite per PRINTF_CHUNK bytes, the
 * stream locked for the whole call, as musl does: on unbuffered stderr a
 * message that fits is one write(2) (musl's own gathers 80 bytes). */
#define PRINTF_CHUNK 256

struct file_out {
	struct format_out o;
	FILE *f;
	size_t len;
	bool failed;
	char buf[PRINTF_CHUNK];
};

static void file_flush(struct file_out *fo)
{
	if (fo->len > 0 && fwrite(fo->buf, 1, fo->len, fo->f) != fo->len)
		fo->failed = true;
	fo->len = 0;
}

static void file_put(struct format_out *o, const char *s, size_t n)
{
	struct file_out *fo = (struct file_out *)o;

	while (n > 0) {
		size_t k = sizeof fo->buf - fo->len;

		if (k > n)
			k = n;
		memcpy(fo->buf + fo->len, s, k);
		fo->len += k;
		s += k;
		n -= k;
		if (fo->len == sizeof fo->buf)
			file_flush(fo);
	}
}

int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
	struct file_out fo;
	int n;

	fo.o.put = file_put;
	fo.o.count = 0;
	fo.f = f;
	fo.len = 0;
	fo.failed = false;
	flockfile(f);
	n = format_v(&fo.o, fmt, ap);
	file_flush(&fo);
	funlockfile(f);
	return fo.failed ? -1 : n;
}

int vsnprintf(char *restrict buf, size_t n, const char *restrict fmt, va_list ap)
{
	return format_buf_v(buf, n, fmt, ap);
}
