/* json_meta.c - a validating JSON reader that extracts one string member
 * (see json_meta.h).  Recursive descent, depth-bounded. */
#include "cli/flags/json_meta.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cli/utf8.h"

struct jp {
	const uint8_t *p;
	size_t n, i;
	struct qv_error *err;
	bool failed;
};

/* Where decoded string bytes go; cap 0 with buf NULL: validate only. */
struct jbuf {
	char *buf;
	size_t cap, len;
	bool overflow;
};

static bool jp_fail(struct jp *j, const char *what)
{
	if (!j->failed)
		(void)qv_error_set(j->err, QV_E_HTTP_SYNTAX, "invalid JSON at byte %zu: %s", j->i,
				   what);
	j->failed = true;
	return false;
}

static void jp_ws(struct jp *j)
{
	while (j->i < j->n && (j->p[j->i] == ' ' || j->p[j->i] == '\t' || j->p[j->i] == '\n' ||
			       j->p[j->i] == '\r'))
		j->i++;
}

static void jbuf_put(struct jbuf *b, const uint8_t *s, size_t n)
{
	if (b->buf == NULL)
		return;
	if (n > b->cap - 1 - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static bool jp_hex4(struct jp *j, uint32_t *out)
{
	uint32_t v = 0;
	size_t k;

	if (j->n - j->i < 4)
		return jp_fail(j, "short \\u escape");
	for (k = 0; k < 4; k++) {
		uint8_t c = j->p[j->i + k];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return jp_fail(j, "bad hex digit in \\u escape");
	}
	j->i += 4;
	*out = v;
	return true;
}

/* After "\u": one code point, joining a surrogate pair. */
static bool jp_unicode(struct jp *j, struct jbuf *b)
{
	uint8_t enc[UTF8_SEQ_MAX];
	uint32_t cp, lo;

	if (!jp_hex4(j, &cp))
		return false;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return jp_fail(j, "lone low surrogate");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (j->n - j->i < 2 || j->p[j->i] != '\\' || j->p[j->i + 1] != 'u')
			return jp_fail(j, "high surrogate without its low half");
		j->i += 2;
		if (!jp_hex4(j, &lo))
			return false;
		if (lo < 0xdc00 || lo > 0xdfff)
			return jp_fail(j, "high surrogate without its low half");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	jbuf_put(b, enc, utf8_encode(cp, enc));
	return true;
}

static bool jp_escape(struct jp *j, struct jbuf *b)
{
	static const char from[] = "\"\\/bfnrt";
	static const char to[] = "\"\\/\b\f\n\r\t";
	const char *hit;
	uint8_t c;

	if (j->i >= j->n)
		return jp_fail(j, "unterminated string");
	c = j->p[j->i++];
	if (c == 'u')
		return jp_unicode(j, b);
	hit = c != '\0' ? strchr(from, c) : NULL;
	if (hit == NULL)
		return jp_fail(j, "unknown escape");
	jbuf_put(b, (const uint8_t *)&to[hit - from], 1);
	return true;
}

/* At the opening quote: decode the string into b. */
static bool jp_string(struct jp *j, struct jbuf *b)
{
	j->i++;
	for (;;) {
		uint32_t cp;
		size_t k;
		uint8_t c;

		if (j->i >= j->n)
			return jp_fail(j, "unterminated string");
		c = j->p[j->i];
		if (c == '"') {
			j->i++;
			return true;
		}
		if (c == '\\') {
			j->i++;
			if (!jp_escape(j, b))
				return false;
			continue;
		}
		if (c < 0x20)
			return jp_fail(j, "control character in string");
		k = utf8_decode(j->p + j->i, j->n - j->i, &cp);
		if (k == 0)
			return jp_fail(j, "invalid UTF-8 in string");
		jbuf_put(b, j->p + j->i, k);
		j->i += k;
	}
}

static size_t jp_digits(struct jp *j)
{
	size_t start = j->i;

	while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9')
		j->i++;
	return j->i - start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool jp_number(struct jp *j)
{
	if (j->i < j->n && j->p[j->i] == '-')
		j->i++;
	if (j->i < j->n && j->p[j->i] == '0')
		j->i++;
	else if (jp_digits(j) == 0)
		return jp_fail(j, "bad number");
	if (j->i < j->n && j->p[j->i] == '.') {
		j->i++;
		if (jp_digits(j) == 0)
			return jp_fail(j, "bad number");
	}
	if (j->i < j->n && (j->p[j->i] == 'e' || j->p[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->p[j->i] == '+' || j->p[j->i] == '-'))
			j->i++;
		if (jp_digits(j) == 0)
			return jp_fail(j, "bad number");
	}
	return true;
}

static bool jp_literal(struct jp *j, const char *word)
{
	size_t len = strlen(word);

	if (j->n - j->i < len || memcmp(j->p + j->i, word, len) != 0)
		return jp_fail(j, "unexpected character");
	j->i += len;
	return true;
}

static bool jp_value(struct jp *j, unsigned depth);

/* At '[' or '{': the members, values validated and dropped. */
static bool jp_container(struct jp *j, unsigned depth)
{
	bool object = j->p[j->i] == '{';
	uint8_t close = object ? '}' : ']';
	struct jbuf none = {NULL, 0, 0, false};

	if (depth >= JSON_DEPTH_MAX)
		return jp_fail(j, "nested too deeply");
	j->i++;
	jp_ws(j);
	if (j->i < j->n && j->p[j->i] == close) {
		j->i++;
		return true;
	}
	for (;;) {
		if (object) {
			if (j->i >= j->n || j->p[j->i] != '"')
				return jp_fail(j, "expected a key");
			if (!jp_string(j, &none))
				return false;
			jp_ws(j);
			if (j->i >= j->n || j->p[j->i++] != ':')
				return jp_fail(j, "expected ':'");
		}
		if (!jp_value(j, depth + 1))
			return false;
		jp_ws(j);
		if (j->i < j->n && j->p[j->i] == close) {
			j->i++;
			return true;
		}
		if (j->i >= j->n || j->p[j->i++] != ',')
			return jp_fail(j, "expected ',' or the end of a container");
		jp_ws(j);
	}
}

static bool jp_value(struct jp *j, unsigned depth)
{
	struct jbuf none = {NULL, 0, 0, false};
	uint8_t c;

	jp_ws(j);
	if (j->i >= j->n)
		return jp_fail(j, "unexpected end");
	c = j->p[j->i];
	if (c == '"')
		return jp_string(j, &none);
	if (c == '{' || c == '[')
		return jp_container(j, depth);
	if (c == 't')
		return jp_literal(j, "true");
	if (c == 'f')
		return jp_literal(j, "false");
	if (c == 'n')
		return jp_literal(j, "null");
	if (c == '-' || (c >= '0' && c <= '9'))
		return jp_number(j);
	return jp_fail(j, "unexpected character");
}

/* One "key": value member of the top object; *hit when it was `key` with a
 * string value (then decoded into out). */
static bool jp_member(struct jp *j, const char *key, struct jbuf *out, int *found)
{
	char kb[JSON_KEY_MAX + 1];
	struct jbuf k = {kb, sizeof kb, 0, false};

	kb[0] = '\0';
	if (j->i >= j->n || j->p[j->i] != '"')
		return jp_fail(j, "expected a key");
	if (!jp_string(j, &k))
		return false;
	jp_ws(j);
	if (j->i >= j->n || j->p[j->i++] != ':')
		return jp_fail(j, "expected ':'");
	jp_ws(j);
	if (k.overflow || k.len != strlen(key) || memcmp(kb, key, k.len) != 0)
		return jp_value(j, 1);
	*found = 0;
	if (j->i >= j->n || j->p[j->i] != '"')
		return jp_value(j, 1); /* the key holds no string: found stays 0 */
	out->len = 0;
	out->overflow = false;
	out->buf[0] = '\0';
	if (!jp_string(j, out))
		return false;
	*found = out->overflow ? -1 : 1;
	return true;
}

static bool jp_object(struct jp *j, const char *key, struct jbuf *out, int *found)
{
	jp_ws(j);
	if (j->i >= j->n || j->p[j->i] != '{')
		return jp_fail(j, "not a JSON object");
	j->i++;
	jp_ws(j);
	if (j->i < j->n && j->p[j->i] == '}') {
		j->i++;
		return true;
	}
	for (;;) {
		if (!jp_member(j, key, out, found))
			return false;
		jp_ws(j);
		if (j->i < j->n && j->p[j->i] == '}') {
			j->i++;
			return true;
		}
		if (j->i >= j->n || j->p[j->i++] != ',')
			return jp_fail(j, "expected ',' or '}'");
		jp_ws(j);
	}
}

enum qv_err json_meta_string(const char *text, size_t len, const char *key, char *out, size_t cap,
			     size_t *out_len, struct qv_error *err)
{
	struct jp j = {(const uint8_t *)text, len, 0, err, false};
	struct jbuf b = {out, cap, 0, false};
	int found = 0;

	if (cap == 0)
		return qv_error_set(err, QV_E_INTERNAL, "json_meta_string: no room");
	out[0] = '\0';
	*out_len = 0;
	/* RFC 8259 §8.1 lets a parser ignore a UTF-8 byte order mark */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		j.i = 3;
	if (!jp_object(&j, key, &b, &found))
		return QV_E_HTTP_SYNTAX;
	jp_ws(&j);
	if (j.i != j.n) {
		(void)jp_fail(&j, "text after the object");
		return QV_E_HTTP_SYNTAX;
	}
	if (found < 0)
		return qv_error_set(err, QV_E_HTTP_SYNTAX, "\"%s\" is longer than %zu bytes", key,
				    cap - 1);
	if (found == 0)
		return qv_error_set(err, QV_E_HTTP_SYNTAX, "no \"%s\" string in the JSON object", key);
	*out_len = b.len;
	return QV_OK;
}
