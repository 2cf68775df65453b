/* format.c - printf-style formatting without libc's printf (format.h).
 * It prints what musl's printf_core prints for every conversion it takes,
 * down to the corner cases (%#o of 0, %p's 16 digits, "(null)", -0.00);
 * tests/unit/test_format.c compares the two. */
#include "util/format.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The flags, each the bit of its place in flag_chars. */
enum { FL_MINUS = 1, FL_PLUS = 2, FL_SPACE = 4, FL_HASH = 8, FL_ZERO = 16 };
static const char flag_chars[] = "-+ #0";

/* The length modifiers quiver's formats use (L and the wide ones are not). */
enum fmt_len { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_J, LEN_Z, LEN_T };

struct fmt_spec {
	unsigned flags;
	size_t width;
	int prec;                   /* -1: none given */
};

/* A double is below 2^1024 and a multiple of 2^-1074: its integer part, or
 * its fraction times ten, in 32-bit words. */
#define FMT_WORDS 35
/* An integer part has at most 309 digits (one more after rounding up), the
 * exact fraction at most 1074; plus the point. */
#define FMT_DIGITS (310 + 1 + 1074)

static void out_put(struct format_out *o, const char *s, size_t n)
{
	if (n == 0)
		return;
	o->put(o, s, n);
	o->count += n;
}

static void out_pad(struct format_out *o, char c, size_t n)
{
	char b[16];

	memset(b, c, sizeof b);
	while (n > 0) {
		size_t k = n < sizeof b ? n : sizeof b;

		out_put(o, b, k);
		n -= k;
	}
}

/* One field as musl lays it out: prefix (sign or 0x), zeros (precision),
 * body, then zeros to the precision of %f; padded to the width with spaces
 * before (or after, with '-') or with zeros after the prefix ('0'). */
static void out_field(struct format_out *o, const struct fmt_spec *sp, const char *pre,
		      size_t npre, size_t zeros, const char *body, size_t nbody, size_t tail)
{
	size_t len = npre + zeros + nbody + tail;
	size_t fill = sp->width > len ? sp->width - len : 0;

	if (!(sp->flags & (FL_MINUS | FL_ZERO)))
		out_pad(o, ' ', fill);
	out_put(o, pre, npre);
	if (sp->flags & FL_ZERO)
		out_pad(o, '0', fill);
	out_pad(o, '0', zeros);
	out_put(o, body, nbody);
	out_pad(o, '0', tail);
	if (sp->flags & FL_MINUS)
		out_pad(o, ' ', fill);
}

/* Integer conversions: v's digits in base (8, 10 or 16), the sign of d/i
 * given as neg, musl's rules for precision, '#' and %p. */
static void fmt_int(struct format_out *o, struct fmt_spec *sp, uintmax_t v, bool neg, char conv)
{
	static const char hex[] = "0123456789abcdef0123456789ABCDEF";
	char buf[3 * sizeof(uintmax_t)], *end = buf + sizeof buf, *a = end;
	char pre[2];
	size_t npre = 0, nd;
	unsigned base = conv == 'o' ? 8 : conv == 'x' || conv == 'X' || conv == 'p' ? 16 : 10;
	const char *digits = hex + (conv == 'X' ? 16 : 0);

	/* an explicit precision turns '0' off (not %p's own, as in musl) */
	if (sp->prec >= 0)
		sp->flags &= ~(unsigned)FL_ZERO;
	if (conv == 'p') {
		if (sp->prec < (int)(2 * sizeof(void *)))
			sp->prec = 2 * sizeof(void *);
		sp->flags |= FL_HASH;
	}
	for (uintmax_t x = v; x != 0; x /= base)
		*--a = digits[x % base];
	nd = (size_t)(end - a);
	if (neg)
		pre[npre++] = '-';
	else if ((conv == 'd' || conv == 'i') && (sp->flags & (FL_PLUS | FL_SPACE)))
		pre[npre++] = sp->flags & FL_PLUS ? '+' : ' ';
	if (base == 16 && v != 0 && (sp->flags & FL_HASH)) {
		pre[npre++] = '0';
		pre[npre++] = conv == 'X' ? 'X' : 'x';
	}
	if (conv == 'o' && (sp->flags & FL_HASH) && sp->prec < (int)nd + 1)
		sp->prec = (int)nd + 1;
	if (v == 0 && sp->prec < 0)
		sp->prec = 1;   /* "0"; an explicit precision 0 prints nothing */
	out_field(o, sp, pre, npre, sp->prec > (int)nd ? (size_t)sp->prec - nd : 0, a, nd, 0);
}

/* w /= d over nw words (most significant last); returns the remainder. */
static uint32_t big_divmod(uint32_t *w, size_t nw, uint32_t d)
{
	uint64_t r = 0;

	while (nw-- > 0) {
		uint64_t cur = r << 32 | w[nw];

		w[nw] = (uint32_t)(cur / d);
		r = cur % d;
	}
	return (uint32_t)r;
}

/* w (a fraction of 2^k, below 1) times ten: returns the digit that moves
 * above 2^k and leaves the new fraction. */
static unsigned big_mul10_take(uint32_t *w, unsigned k)
{
	size_t i, top = k / 32 + 1;
	unsigned b = k % 32;
	uint64_t c = 0;

	for (i = 0; i <= top; i++) {
		c += (uint64_t)w[i] * 10u;
		w[i] = (uint32_t)c;
		c >>= 32;
	}
	i = k / 32;
	c = ((uint64_t)w[i + 1] << 32 | w[i]) >> b;
	w[i] &= (uint32_t)((1ull << b) - 1);
	w[i + 1] = 0;
	return (unsigned)c;
}

/* The integer digits of m * 2^e (e >= 0) or m >> -e into d; returns
 * their count (at least one). */
static size_t fixed_int_digits(uint64_t m, int e, char *d)
{
	uint32_t w[FMT_WORDS] = {0};
	size_t n = 0, nw, i;

	if (e >= 0) {
		/* 53 bits moved up by at most 971: three words inside the 35 */
		unsigned q = (unsigned)e / 32, r = (unsigned)e % 32;
		uint64_t lo = m << r;

		w[q] = (uint32_t)lo;
		w[q + 1] = (uint32_t)(lo >> 32);
		w[q + 2] = r != 0 ? (uint32_t)(m >> (64 - r)) : 0;
	} else if (e > -64) {
		w[0] = (uint32_t)(m >> -e);
		w[1] = (uint32_t)(m >> -e >> 32);
	}
	nw = FMT_WORDS;
	do {
		uint32_t r;

		while (nw > 0 && w[nw - 1] == 0)
			nw--;
		r = big_divmod(w, nw, 1000000000u);
		while (nw > 0 && w[nw - 1] == 0)
			nw--;
		/* nine digits of each lower chunk, the top one without zeros */
		for (i = 0; i < 9 && (i == 0 || nw > 0 || r != 0); i++) {
			d[n++] = (char)('0' + r % 10);
			r /= 10;
		}
	} while (nw > 0);
	for (i = 0; i < n / 2; i++) {
		char c = d[i];

		d[i] = d[n - 1 - i];
		d[n - 1 - i] = c;
	}
	return n;
}

/* %f and %F: the exact value rounded to prec fraction digits, ties to even,
 * as musl and glibc print it (a double is a finite binary fraction, so its
 * decimal expansion ends after -e digits; beyond them come zeros). */
static void fmt_fixed(struct format_out *o, struct fmt_spec *sp, double v, char conv)
{
	char d[FMT_DIGITS];
	uint32_t w[FMT_WORDS] = {0};
	uint64_t bits, m;
	int ex, e;
	size_t n, nint, nfrac = 0, prec = sp->prec < 0 ? 6 : (size_t)sp->prec;
	char pre[1];
	size_t npre = 0;

	memcpy(&bits, &v, sizeof bits);
	if (bits >> 63)
		pre[npre++] = '-';
	else if (sp->flags & (FL_PLUS | FL_SPACE))
		pre[npre++] = sp->flags & FL_PLUS ? '+' : ' ';
	ex = (int)(bits >> 52 & 0x7ff);
	m = bits & ((1ull << 52) - 1);
	if (ex == 0x7ff) {
		const char *s = m != 0 ? (conv == 'F' ? "NAN" : "nan") : (conv == 'F' ? "INF" : "inf");

		sp->flags &= ~(unsigned)FL_ZERO;
		out_field(o, sp, pre, npre, 0, s, 3, 0);
		return;
	}
	if (ex != 0)
		m |= 1ull << 52;
	else
		ex = 1;
	e = ex - 1075; /* v = m * 2^e */
	nint = n = fixed_int_digits(m, e, d);
	if (prec > 0 || (sp->flags & FL_HASH))
		d[n++] = '.';
	if (e < 0) {
		unsigned k = (unsigned)-e, next, digit;
		bool rest = false, up;

		if (k < 64)
			m &= (1ull << k) - 1;
		w[0] = (uint32_t)m;
		w[1] = (uint32_t)(m >> 32);
		while (nfrac < prec && nfrac < k) {
			d[n++] = (char)('0' + big_mul10_take(w, k));
			nfrac++;
		}
		if (nfrac < k) {
			/* round on the next digit and what follows it */
			next = big_mul10_take(w, k);
			for (size_t i = 0; i < FMT_WORDS; i++)
				rest = rest || w[i] != 0;
			digit = (unsigned)(d[nfrac > 0 ? n - 1 : nint - 1] - '0');
			up = next > 5 || (next == 5 && (rest || (digit & 1)));
			for (size_t i = nfrac > 0 ? n : nint; up && i-- > 0;) {
				if (d[i] == '.')
					continue;
				up = d[i] == '9';
				d[i] = up ? '0' : (char)(d[i] + 1);
			}
			if (up) {
				memmove(d + 1, d, n);
				d[0] = '1';
				n++;
			}
		}
	}
	out_field(o, sp, pre, npre, 0, d, n, prec - nfrac);
}

int format_v(struct format_out *o, const char *fmt, va_list ap)
{
	const char *s = fmt;

	while (*s != '\0') {
		struct fmt_spec sp = {0, 0, -1};
		enum fmt_len len = LEN_NONE;
		const char *lit = s;
		uintmax_t u;
		intmax_t i;
		char c;

		while (*s != '\0' && *s != '%')
			s++;
		out_put(o, lit, (size_t)(s - lit));
		if (*s == '\0')
			break;
		s++;
		if (*s == '%') {
			out_put(o, s++, 1);
			continue;
		}
		for (;; s++) {
			const char *f = strchr(flag_chars, *s);

			if (*s == '\0' || f == NULL)
				break;
			sp.flags |= 1u << (f - flag_chars);
		}
		if (*s == '*') {
			int w = va_arg(ap, int);

			s++;
			if (w < 0) {
				sp.flags |= FL_MINUS;
				sp.width = w == INT_MIN ? (size_t)INT_MAX + 1 : (size_t)-w;
			} else {
				sp.width = (size_t)w;
			}
		} else {
			while (*s >= '0' && *s <= '9') {
				sp.width = sp.width * 10 + (size_t)(*s++ - '0');
				if (sp.width > INT_MAX)
					goto overflow;
			}
			if (*s == '$')
				goto inval;   /* %N$: positional arguments */
		}
		if (*s == '.') {
			s++;
			if (*s == '*') {
				s++;
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1;
			} else {
				sp.prec = 0;
				while (*s >= '0' && *s <= '9') {
					if (sp.prec > (INT_MAX - 9) / 10)
						goto overflow;
					sp.prec = sp.prec * 10 + (*s++ - '0');
				}
			}
		}
		/* - and 0 are exclusive: - wins */
		if (sp.flags & FL_MINUS)
			sp.flags &= ~(unsigned)FL_ZERO;
		switch (*s) {
		case 'h': len = s[1] == 'h' ? LEN_HH : LEN_H; break;
		case 'l': len = s[1] == 'l' ? LEN_LL : LEN_L; break;
		case 'j': len = LEN_J; break;
		case 'z': len = LEN_Z; break;
		case 't': len = LEN_T; break;
		default: break;
		}
		s += len == LEN_NONE ? 0 : len == LEN_HH || len == LEN_LL ? 2 : 1;
		c = *s++;
		switch (c) {
		case 'd':
		case 'i':
			switch (len) {
			case LEN_HH: i = (signed char)va_arg(ap, int); break;
			case LEN_H: i = (short)va_arg(ap, int); break;
			case LEN_L: i = va_arg(ap, long); break;
			case LEN_LL: i = va_arg(ap, long long); break;
			case LEN_J: i = va_arg(ap, intmax_t); break;
			case LEN_Z:
			case LEN_T: i = va_arg(ap, ptrdiff_t); break;
			default: i = va_arg(ap, int); break;
			}
			fmt_int(o, &sp, i < 0 ? -(uintmax_t)i : (uintmax_t)i, i < 0, c);
			break;
		case 'u':
		case 'o':
		case 'x':
		case 'X':
			switch (len) {
			case LEN_HH: u = (unsigned char)va_arg(ap, unsigned); break;
			case LEN_H: u = (unsigned short)va_arg(ap, unsigned); break;
			case LEN_L: u = va_arg(ap, unsigned long); break;
			case LEN_LL: u = va_arg(ap, unsigned long long); break;
			case LEN_J: u = va_arg(ap, uintmax_t); break;
			case LEN_Z:
			case LEN_T: u = va_arg(ap, size_t); break;
			default: u = va_arg(ap, unsigned); break;
			}
			fmt_int(o, &sp, u, false, c);
			break;
		case 'p':
			if (len != LEN_NONE)
				goto inval;
			fmt_int(o, &sp, (uintptr_t)va_arg(ap, void *), false, c);
			break;
		case 'c': {
			char ch;

			if (len != LEN_NONE)
				goto inval;
			ch = (char)va_arg(ap, int);
			sp.flags &= ~(unsigned)FL_ZERO;
			out_field(o, &sp, NULL, 0, 0, &ch, 1, 0);
			break;
		}
		case 's': {
			const char *str;

			if (len != LEN_NONE)
				goto inval;
			str = va_arg(ap, const char *);
			if (str == NULL)
				str = "(null)";
			sp.flags &= ~(unsigned)FL_ZERO;
			out_field(o, &sp, NULL, 0, 0, str,
				  sp.prec < 0 ? strlen(str) : strnlen(str, (size_t)sp.prec), 0);
			break;
		}
		case 'f':
		case 'F':
			if (len != LEN_NONE && len != LEN_L)
				goto inval;
			fmt_fixed(o, &sp, va_arg(ap, double), c);
			break;
		default:
			goto inval;   /* e g a, n, L, %lc and %ls, or not a conversion */
		}
	}
	if (o->count > INT_MAX)
		goto overflow;
	return (int)o->count;
inval:
	errno = EINVAL;
	return -1;
overflow:
	errno = EOVERFLOW;
	return -1;
}

struct buf_out {
	struct format_out o;
	char *buf;
	size_t room;                /* bytes left for text, the NUL excluded */
};

static void buf_put(struct format_out *o, const char *s, size_t n)
{
	struct buf_out *b = (struct buf_out *)o;
	size_t k = n < b->room ? n : b->room;

	memcpy(b->buf, s, k);
	b->buf += k;
	b->room -= k;
}

int format_buf_v(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct buf_out b = {{buf_put, 0}, buf, n > 0 ? n - 1 : 0};
	int r = format_v(&b.o, fmt, ap);

	if (n > 0)
		*b.buf = '\0';
	return r;
}
