/* pem.c - a PEM object iterator, BearSSL's rules a line at a time. */
#include "tls/pem.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ascii.h"

/* PEM, as BearSSL 0.6's decoder (br_pem_decoder) reads it, but a line at a
 * time and without its per-byte interpreter (most of the time a distro
 * bundle took to load), and with every CR ignored: BearSSL keeps the CR of
 * a "-----BEGIN X-----\r\n" banner in the name, so a CRLF file had no
 * CERTIFICATE in it.  Rules (tests/fuzz/fuzz_pem.c checks them against
 * BearSSL's decoder on the input without its CRs):
 *  - outside an object, a line "-----BEGIN NAME" (case-insensitive) with a
 *    NAME of 1 to PEM_NAME_MAX bytes opens one; NAME is upper-cased and its
 *    trailing dashes dropped; any other line is ignored;
 *  - inside, lines of base64 quartets, blanks (bytes up to 32) allowed
 *    around characters but no quartet across lines; a line starting with
 *    "-----END " closes the object; "=" padding ends the data, the rest of
 *    its line blank, then only empty lines before the END line;
 *  - anything else inside an object is malformed. */

/* Longest object name BearSSL's decoder accepts (its 128-byte buffer). */
#define PEM_NAME_MAX 126u
/* A base64 quartet's four characters make three bytes. */
#define B64_QUARTET 4

/* Where one object's bytes go; overflow is remembered, not written. */
struct pem_obj {
	uint8_t *buf;
	size_t len;
	bool overflow;
};

struct pem_line {
	const uint8_t *p;
	size_t len;
};

/* Value of base64 character c, or -1. */
static int b64_value(unsigned c)
{
	if (c - 'A' < 26)
		return (int)(c - 'A');
	if (c - 'a' < 26)
		return (int)(c - 'a') + 26;
	if (c - '0' < 10)
		return (int)(c - '0') + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Blank, as BearSSL's "ws?": any byte up to 32 (a line holds no LF). */
static bool pem_blank(unsigned c)
{
	return c <= ' ';
}

static void obj_put(struct pem_obj *o, uint32_t v, int n)
{
	if (o->overflow || (size_t)n > TLS_PEM_OBJ_MAX - o->len) {
		o->overflow = true;
		return;
	}
	while (n-- > 0)
		o->buf[o->len++] = (uint8_t)(v >> (8 * n));
}

/* Does the line, CRs skipped, start with pat (upper case, compared
 * case-insensitively)?  *rest: the offset after the match. */
static bool line_starts(struct pem_line l, const char *pat, size_t *rest)
{
	size_t i = 0;

	for (; *pat != '\0'; pat++) {
		while (i < l.len && l.p[i] == '\r')
			i++;
		if (i == l.len || ascii_upper(l.p[i]) != (unsigned char)*pat)
			return false;
		i++;
	}
	*rest = i;
	return true;
}

/* The name of a BEGIN line from offset at: upper-cased, CRs skipped,
 * trailing dashes dropped, cut at a NUL.  False when it is empty or longer
 * than PEM_NAME_MAX (BearSSL ignores such a line). */
static bool banner_name(struct pem_line l, size_t at, char *name)
{
	size_t n = 0;

	for (; at < l.len; at++) {
		if (l.p[at] == '\r')
			continue;
		if (n == PEM_NAME_MAX)
			return false;
		name[n++] = (char)ascii_upper(l.p[at]);
	}
	if (n == 0)
		return false;
	while (n > 0 && name[n - 1] == '-')
		n--;
	name[n] = '\0';
	return true;
}

/* Nothing on the line but CRs? */
static bool line_empty(struct pem_line l)
{
	size_t i;

	for (i = 0; i < l.len; i++)
		if (l.p[i] != '\r')
			return false;
	return true;
}

/* Line contents after a padding '=': blank to the end? */
static bool rest_blank(struct pem_line l, size_t at)
{
	for (; at < l.len; at++)
		if (!pem_blank(l.p[at]))
			return false;
	return true;
}

enum pem_step {
	PEM_MORE,    /* the object goes on on the next line */
	PEM_PADDED,  /* padding seen: only empty lines, then END */
	PEM_END,     /* this line closed the object */
	PEM_BAD      /* malformed */
};

/* One line inside an object: quartets into o, or its END line. */
static enum pem_step pem_data_line(struct pem_line l, struct pem_obj *o)
{
	uint32_t acc = 0;
	int q = 0;           /* characters of the current quartet */
	bool fresh = true;   /* nothing read yet for this quartet (CRs aside) */
	bool first = true;   /* no quartet finished on this line yet */
	size_t i, rest;

	for (i = 0; i < l.len; i++) {
		unsigned c = l.p[i];
		int v;

		if (c == '\r')
			continue;
		if (c == '-' && q == 0 && fresh)
			return first && line_starts(l, "-----END ", &rest) ? PEM_END : PEM_BAD;
		fresh = false;
		if (pem_blank(c))
			continue;
		if (c == '=' && q >= 2) {
			if (q == 2) { /* "xx==": a second '=' must follow */
				for (i++; i < l.len && pem_blank(l.p[i]); i++)
					;
				if (i == l.len || l.p[i] != '=')
					return PEM_BAD;
			}
			if (!rest_blank(l, i + 1) || (acc & (q == 2 ? 0x0fu : 0x03u)) != 0)
				return PEM_BAD;
			obj_put(o, q == 2 ? acc >> 4 : acc >> 2, q - 1);
			return PEM_PADDED;
		}
		v = b64_value(c);
		if (v < 0)
			return PEM_BAD;
		acc = acc << 6 | (uint32_t)v;
		if (++q == B64_QUARTET) {
			obj_put(o, acc, 3);
			acc = 0;
			q = 0;
			fresh = true;
			first = false;
		}
	}
	return q == 0 ? PEM_MORE : PEM_BAD;
}

/* The object just closed: count it, check its size, hand it to fn. */
static enum qv_err pem_emit(const struct pem_obj *o, const char *name, tls_pem_fn fn, void *ctx,
			    size_t *seen, struct qv_error *err)
{
	(*seen)++;
	if (o->overflow)
		return qv_error_set(err, QV_E_TLS_PEM, "PEM object %s is larger than %u bytes", name,
				    TLS_PEM_OBJ_MAX);
	return fn(ctx, name, o->buf, o->len, err);
}

enum qv_err tls_pem_each(const uint8_t *data, size_t len, tls_pem_fn fn, void *ctx, size_t *count,
			 struct qv_error *err)
{
	struct pem_obj o = {NULL, 0, false};
	char name[PEM_NAME_MAX + 1];
	const uint8_t *end = data + len;
	size_t seen = 0, rest;
	enum pem_step state = PEM_END; /* PEM_END: outside any object */
	enum qv_err rc = QV_OK;

	if (count != NULL)
		*count = 0;
	o.buf = malloc(TLS_PEM_OBJ_MAX);
	if (o.buf == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	name[0] = '\0';
	/* Every line, the last one ended by the end of the data. */
	while (rc == QV_OK && data < end) {
		const uint8_t *nl = memchr(data, '\n', (size_t)(end - data));
		struct pem_line l = {data, (size_t)((nl != NULL ? nl : end) - data)};

		data = nl != NULL ? nl + 1 : end;
		if (state == PEM_END) {
			if (line_starts(l, "-----BEGIN ", &rest) && banner_name(l, rest, name)) {
				o.len = 0;
				o.overflow = false;
				state = PEM_MORE;
			}
			continue;
		}
		if (state == PEM_PADDED) {
			if (line_empty(l))
				continue;
			state = line_starts(l, "-----END ", &rest) ? PEM_END : PEM_BAD;
		} else {
			state = pem_data_line(l, &o);
		}
		if (state == PEM_BAD)
			rc = qv_error_set(err, QV_E_TLS_PEM, "malformed PEM data");
		else if (state == PEM_END)
			rc = pem_emit(&o, name, fn, ctx, &seen, err);
	}
	if (rc == QV_OK && state != PEM_END)
		rc = qv_error_set(err, QV_E_TLS_PEM, "unterminated PEM object %s", name);
	free(o.buf);
	if (count != NULL)
		*count = seen;
	return rc;
}
