/* certdir.c - OpenSSL's subject-name hash, and HASH.N files (certdir.h). */
#include "tls/certdir.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls/der.h"
#include "tls/pem.h"
#include "tls/sha1.h"
#include "tls/trust.h"

/* Attributes in one RDN: 1 in practice (multi-valued RDNs are rare). */
#define RDN_AVAS_MAX 16u
/* Longest directory path + "/HASHHASH.NN". */
#define CERTDIR_PATH_MAX 4096
/* Universal tags of the string types OpenSSL canonicalises (ASN1_MASK_CANON). */
#define TAG_UTF8 0x0cu
#define TAG_PRINTABLE 0x13u
#define TAG_T61 0x14u
#define TAG_IA5 0x16u
#define TAG_VISIBLE 0x1au
#define TAG_UNIVERSAL 0x1cu
#define TAG_BMP 0x1eu
#define TAG_SET 0x31u

/* A bounded output buffer; overflow is remembered. */
struct obuf {
	uint8_t *b;
	size_t len, cap;
	bool over;
};

static void put(struct obuf *o, const void *p, size_t n)
{
	if (o->over || n > o->cap - o->len) {
		o->over = true;
		return;
	}
	memcpy(o->b + o->len, p, n);
	o->len += n;
}

/* A DER tag and minimal length header (lengths under 64 KiB). */
static void put_head(struct obuf *o, unsigned tag, size_t n)
{
	uint8_t h[4] = {(uint8_t)tag, (uint8_t)n, 0, 0};
	size_t k = 2;

	if (n >= 0x100) {
		h[1] = 0x82;
		h[2] = (uint8_t)(n >> 8);
		h[3] = (uint8_t)n;
		k = 4;
	} else if (n >= 0x80) {
		h[1] = 0x81;
		h[2] = (uint8_t)n;
		k = 3;
	}
	put(o, h, k);
}

static void put_utf8(struct obuf *o, uint32_t c)
{
	uint8_t u[4];
	size_t n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4, i;

	for (i = n; i-- > 1; c >>= 6)
		u[i] = (uint8_t)(0x80 | (c & 0x3f));
	u[0] = (uint8_t)(n == 1 ? c : ((0xf00u >> n) & 0xffu) | c);
	put(o, u, n);
}

/* The string value v (universal tag) as UTF-8 into o: UTF8String as it
 * is, the others one character per 1 (Latin-1), 2 (BMPString) or 4
 * (UniversalString) bytes.  OpenSSL also refuses invalid UTF-8 and
 * surrogates; hashing them anyway only names a file whose certificates
 * will not have the subject asked for.  False on a partial character. */
static bool string_utf8(struct obuf *o, unsigned tag, struct der v)
{
	size_t w = tag == TAG_BMP ? 2 : tag == TAG_UNIVERSAL ? 4 : 1, i;
	uint32_t c;

	if (tag == TAG_UTF8) {
		put(o, v.p, v.len);
		return true;
	}
	if (v.len % w != 0)
		return false;
	while (v.len > 0) {
		for (c = 0, i = 0; i < w; i++)
			c = c << 8 | v.p[i];
		v.p += w;
		v.len -= w;
		put_utf8(o, c > 0x10ffff ? 0xfffd : c);
	}
	return true;
}

static bool ascii_space(uint8_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* OpenSSL's asn1_string_canon on UTF-8 s[0..*len), in place: blanks cut at
 * both ends, inner runs of them one space, ASCII lower-cased. */
static void canon_text(uint8_t *s, size_t *len)
{
	size_t from = 0, end = *len, to = 0;

	while (from < end && ascii_space(s[from]))
		from++;
	while (end > from && ascii_space(s[end - 1]))
		end--;
	while (from < end) {
		if (ascii_space(s[from])) {
			s[to++] = ' ';
			while (ascii_space(s[from]))
				from++;
		} else {
			s[to++] = (s[from] >= 'A' && s[from] <= 'Z') ? (uint8_t)(s[from] + 32) : s[from];
			from++;
		}
	}
	*len = to;
}

static bool is_canon_string(unsigned tag)
{
	return tag == TAG_UTF8 || tag == TAG_PRINTABLE || tag == TAG_T61 || tag == TAG_IA5 ||
	       tag == TAG_VISIBLE || tag == TAG_UNIVERSAL || tag == TAG_BMP;
}

/* One AttributeTypeAndValue a, canonical, onto o: SEQUENCE { OID, value },
 * a string value as a canonical UTF8String, any other as it was. */
static bool canon_ava(struct obuf *o, struct obuf *scratch, struct der a)
{
	struct der_tlv oid, val;

	if (!der_expect(&a, DER_OID, &oid) || !der_next(&a, &val) || a.len != 0)
		return false;
	if (!is_canon_string(val.tag)) {
		put_head(o, DER_SEQUENCE, oid.all.len + val.all.len);
		put(o, oid.all.p, oid.all.len);
		put(o, val.all.p, val.all.len);
		return !o->over;
	}
	scratch->len = 0;
	if (!string_utf8(scratch, val.tag, val.val) || scratch->over)
		return false;
	canon_text(scratch->b, &scratch->len);
	put_head(o, DER_SEQUENCE, oid.all.len + 2 + (scratch->len >= 0x80) + (scratch->len >= 0x100) +
				  scratch->len);
	put(o, oid.all.p, oid.all.len);
	put_head(o, TAG_UTF8, scratch->len);
	put(o, scratch->b, scratch->len);
	return !o->over;
}

/* DER SET OF order: bytes compared, a prefix first. */
static int der_order(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c != 0 ? c : (alen > blen) - (alen < blen);
}

/* One RDN (a SET of AVAs) canonical onto o, its AVAs in DER order. */
static bool canon_rdn(struct obuf *o, struct obuf *avas, struct obuf *scratch, struct der set)
{
	size_t off[RDN_AVAS_MAX + 1], n = 0, i, j, total;
	struct der_tlv e;

	avas->len = 0;
	while (der_next(&set, &e)) {
		if (e.tag != DER_SEQUENCE || n == RDN_AVAS_MAX)
			return false;
		off[n++] = avas->len;
		if (!canon_ava(avas, scratch, e.val))
			return false;
	}
	if (set.len != 0)
		return false;
	off[n] = avas->len;
	/* insertion sort of at most RDN_AVAS_MAX spans, by index */
	{
		size_t ord[RDN_AVAS_MAX];

		for (i = 0; i < n; i++) {
			for (j = i; j > 0 && der_order(avas->b + off[ord[j - 1]],
						       off[ord[j - 1] + 1] - off[ord[j - 1]],
						       avas->b + off[i], off[i + 1] - off[i]) > 0;
			     j--)
				ord[j] = ord[j - 1];
			ord[j] = i;
		}
		total = avas->len;
		put_head(o, TAG_SET, total);
		for (i = 0; i < n; i++)
			put(o, avas->b + off[ord[i]], off[ord[i] + 1] - off[ord[i]]);
	}
	return !o->over;
}

bool tls_name_hash(const uint8_t *dn, size_t len, uint32_t *out)
{
	struct der in = {dn, len}, rdns;
	struct der_tlv e;
	uint8_t md[TLS_SHA1_LEN];
	uint8_t *mem = malloc(3 * (size_t)TLS_CERTDIR_NAME_MAX);
	struct obuf o = {mem, 0, TLS_CERTDIR_NAME_MAX, false};
	struct obuf avas = {mem + TLS_CERTDIR_NAME_MAX, 0, TLS_CERTDIR_NAME_MAX, false};
	struct obuf scratch = {mem + 2 * (size_t)TLS_CERTDIR_NAME_MAX, 0, TLS_CERTDIR_NAME_MAX, false};
	bool ok = mem != NULL && der_expect(&in, DER_SEQUENCE, &e) && in.len == 0;

	rdns = ok ? e.val : in;
	while (ok && der_next(&rdns, &e))
		ok = e.tag == TAG_SET && canon_rdn(&o, &avas, &scratch, e.val);
	ok = ok && rdns.len == 0;
	if (ok) {
		tls_sha1(o.b, o.len, md);
		*out = (uint32_t)md[0] | (uint32_t)md[1] << 8 | (uint32_t)md[2] << 16 |
		       (uint32_t)md[3] << 24;
	}
	free(mem);
	return ok;
}

/* "0a1b2c3d.0": 8 lower-case hex digits, a dot, a decimal number. */
static bool hash_name(const char *s)
{
	size_t i;

	for (i = 0; i < 8; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	if (s[8] != '.' || s[9] == '\0')
		return false;
	for (i = 9; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool tls_certdir_hashed(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t seen = 0;
	bool found = false;

	if (d == NULL)
		return false;
	while (!found && seen++ < TLS_TRUST_DIR_FILES_MAX && (de = readdir(d)) != NULL)
		found = hash_name(de->d_name);
	(void)closedir(d);
	return found;
}

void tls_certdir_each(const char *dirs, uint32_t hash, tls_certdir_fn fn, void *ctx)
{
	const char *p = dirs;

	while (*p != '\0') {
		size_t n = strcspn(p, ":");
		unsigned slot;

		for (slot = 0; n > 0 && slot < TLS_CERTDIR_SLOTS_MAX; slot++) {
			char path[CERTDIR_PATH_MAX];
			struct qv_error ignored;
			uint8_t *data;
			size_t len;
			int w = snprintf(path, sizeof path, "%.*s/%08x.%u", (int)n, p, (unsigned)hash,
					 slot);

			if (w < 0 || (size_t)w >= sizeof path ||
			    file_read_all(path, TLS_PEM_FILE_MAX, QV_E_TLS_PEM, &data, &len,
					  &ignored) != QV_OK)
				break; /* HASH.N missing: no HASH.N+1 either */
			fn(ctx, data, len);
			free(data);
		}
		p += n;
		if (*p == ':')
			p++;
	}
}
