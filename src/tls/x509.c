/* x509.c - br_x509_minimal wrapped: the chain kept and checked whole, the
 * chain cache, IP-literal hosts, expiry details and the -k mode (x509.h). */
#include "tls/x509.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tls/certdir.h"
#include "tls/pem.h"
#include "tls/profile.h"

/* Days from 0000-01-01 (BearSSL's epoch) to 1970-01-01. */
#define BR_DAYS_TO_UNIX_EPOCH 719528u
#define SECS_PER_DAY 86400
/* Bytes of a certificate's length in the kept chain (as in TLS). */
#define CERT_LEN_BYTES 3u

static struct tls_x509 *x509_of(const br_x509_class **ctx)
{
	/* vtable is the first member, so the class pointer is the struct. */
	return (struct tls_x509 *)(void *)ctx;
}

static void x509_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct tls_x509 *x = x509_of(ctx);

	x->server_name = server_name;
	x->chain_len = 0;
	x->hold = TLS_X509_HOLD_NONE;
	x->cached = false;
	x->date_bad = false;
}

/* Room for n more bytes of chain.  False (and hold set) when the chain
 * would pass TLS_X509_CHAIN_MAX or memory runs out. */
static bool chain_reserve(struct tls_x509 *x, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (n > TLS_X509_CHAIN_MAX - x->chain_len) {
		x->hold = TLS_X509_HOLD_TOO_BIG;
		return false;
	}
	if (x->chain_len + n <= x->chain_cap)
		return true;
	cap = x->chain_cap * 2 > x->chain_len + n ? x->chain_cap * 2 : x->chain_len + n;
	p = realloc(x->chain, cap);
	if (p == NULL) {
		x->hold = TLS_X509_HOLD_NOMEM;
		return false;
	}
	x->chain = p;
	x->chain_cap = cap;
	return true;
}

static void x509_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct tls_x509 *x = x509_of(ctx);

	if (x->hold != TLS_X509_HOLD_NONE || !chain_reserve(x, CERT_LEN_BYTES + (size_t)length))
		return;
	x->chain[x->chain_len++] = (uint8_t)(length >> 16);
	x->chain[x->chain_len++] = (uint8_t)(length >> 8);
	x->chain[x->chain_len++] = (uint8_t)length;
	x->cert_end = x->chain_len + length;
}

static void x509_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct tls_x509 *x = x509_of(ctx);

	if (x->hold != TLS_X509_HOLD_NONE)
		return;
	if (len > x->cert_end - x->chain_len) {
		x->hold = TLS_X509_HOLD_TOO_BIG; /* more than announced: never from BearSSL */
		return;
	}
	memcpy(x->chain + x->chain_len, buf, len);
	x->chain_len += len;
}

static void x509_end_cert(const br_x509_class **ctx)
{
	(void)ctx; /* the next start_cert says where the next one starts */
}

/* Note the validity dates of certificate index (decoded into ci, or not
 * decodable): the chain's window narrows, and the first one that excludes
 * now is kept for the error message. */
static void x509_check_dates(struct tls_x509 *x, unsigned index, const struct tls_cert_info *ci,
			     bool ok)
{
	bool early, late;

	if (!ok) {
		x->window_ok = false;
		return;
	}
	if (tls_time_cmp(ci->not_before, x->not_before) > 0)
		x->not_before = ci->not_before;
	if (tls_time_cmp(ci->not_after, x->not_after) < 0)
		x->not_after = ci->not_after;
	early = tls_time_cmp(x->now, ci->not_before) < 0;
	late = tls_time_cmp(x->now, ci->not_after) > 0;
	if (x->date_bad || (!early && !late))
		return;
	x->date_bad = true;
	x->not_yet = early;
	x->bad_index = index;
	x->bad_days = early ? ci->not_before.days : ci->not_after.days;
}

/* SHA-256 of the trust set's id, the host and the chain: the cache key. */
static void chain_digest(const struct tls_x509 *x, uint8_t *out)
{
	br_sha256_context h;
	uint64_t id = x->o.trust != NULL ? x->o.trust->id : 0;

	br_sha256_init(&h);
	br_sha256_update(&h, &id, sizeof id);
	br_sha256_update(&h, x->o.host, strlen(x->o.host) + 1);
	br_sha256_update(&h, x->chain, x->chain_len);
	br_sha256_out(&h, out);
}

/* The certificate at offset *at of the kept chain into der/len; false at
 * the end. */
static bool chain_next(const struct tls_x509 *x, size_t *at, uint8_t **der, size_t *len)
{
	uint8_t *p = x->chain + *at;

	if (*at + CERT_LEN_BYTES > x->chain_len)
		return false;
	*len = (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2];
	*der = p + CERT_LEN_BYTES;
	*at += CERT_LEN_BYTES + *len;
	return true;
}

/* The anchors a chain may need, decoded; those read from a hashed
 * SSL_CERT_DIR have their DER copied here (owned). */
struct anchor_set {
	br_x509_trust_anchor ta[TLS_X509_ANCHORS_MAX];
	struct tls_pkey key[TLS_X509_ANCHORS_MAX];
	const struct tls_anchor *from[TLS_X509_ANCHORS_MAX];
	uint8_t *owned[TLS_X509_ANCHORS_MAX];
	size_t n;
	const struct der *want; /* the name looked up in a directory */
};

/* Decode a into the next slot of s unless it is there (a store anchor met
 * twice); takes owned (a's DER, or NULL for a store anchor). */
static void anchor_add(struct anchor_set *s, const struct tls_anchor *a, uint8_t *owned)
{
	size_t j;

	for (j = 0; owned == NULL && j < s->n && s->from[j] != a; j++)
		;
	if ((owned == NULL && j < s->n) || s->n == TLS_X509_ANCHORS_MAX ||
	    !tls_anchor_decode(a, &s->ta[s->n], &s->key[s->n])) {
		free(owned);
		return;
	}
	s->from[s->n] = owned != NULL ? NULL : a;
	s->owned[s->n++] = owned;
}

/* One certificate of a HASH.N file: kept when its subject is s->want. */
static enum qv_err dir_cert(void *ctx, const char *name, const uint8_t *der, size_t len,
			    struct qv_error *err)
{
	struct anchor_set *s = ctx;
	struct tls_anchor a;
	struct tls_cert c;

	(void)err;
	if ((name != NULL && strcmp(name, "CERTIFICATE") != 0 && strcmp(name, "TRUSTED CERTIFICATE") != 0 &&
	     strcmp(name, "X509 CERTIFICATE") != 0) ||
	    !tls_cert_parse(der, len, &c) || !der_eq(&c.subject, s->want->p, s->want->len))
		return QV_OK;
	a.der = malloc(len);
	if (a.der == NULL)
		return QV_OK; /* the anchor is missing: the chain fails, not memory */
	memcpy(a.der, der, len);
	a.der_len = len;
	a.subject.p = a.der + (c.subject.p - der);
	a.subject.len = c.subject.len;
	anchor_add(s, &a, a.der);
	return QV_OK;
}

static void dir_file(void *ctx, const uint8_t *data, size_t len)
{
	struct qv_error ignored;

	/* DER: a certificate is an ASN.1 SEQUENCE (0x30); PEM is text */
	if (len > 0 && data[0] == DER_SEQUENCE)
		(void)dir_cert(ctx, NULL, data, len, &ignored);
	else
		(void)tls_pem_each(data, len, dir_cert, ctx, NULL, &ignored);
}

/* Add the anchors whose subject is dn: from the store, and from a hashed
 * SSL_CERT_DIR by the hash of dn. */
static void anchors_named(const struct tls_trust *tr, const struct der *dn, struct anchor_set *s)
{
	const struct tls_anchor *found[TLS_X509_ANCHORS_MAX];
	size_t n = tls_trust_find(tr, dn->p, dn->len, found, TLS_X509_ANCHORS_MAX), i;
	uint32_t h;

	for (i = 0; i < n; i++)
		anchor_add(s, found[i], NULL);
	if (tr->cert_dirs != NULL && s->n < TLS_X509_ANCHORS_MAX && tls_name_hash(dn->p, dn->len, &h)) {
		s->want = dn;
		tls_certdir_each(tr->cert_dirs, h, dir_file, s);
	}
}

static void anchors_free(struct anchor_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->owned[i]);
	free(s);
}

/* Exactly the anchors br_x509_minimal could use for the kept chain: those
 * whose subject is the issuer of one of its certificates (a CA anchor
 * signs it), or the subject of the server's own (a directly trusted
 * certificate).  It compares names byte for byte, as these are found. */
static void anchors_for_chain(const struct tls_x509 *x, struct anchor_set *s)
{
	uint8_t *der;
	size_t at = 0, len;
	struct tls_cert c;

	s->n = 0;
	if (x->o.trust == NULL)
		return;
	while (chain_next(x, &at, &der, &len)) {
		if (!tls_cert_parse(der, len, &c))
			continue;
		anchors_named(x->o.trust, &c.issuer, s);
		if (at == CERT_LEN_BYTES + len)
			anchors_named(x->o.trust, &c.subject, s);
	}
}

/* The whole validation of the kept chain by br_x509_minimal, as if the
 * engine had streamed it there, then the IP address check. */
static unsigned chain_validate(struct tls_x509 *x)
{
	const br_x509_class **v = &x->minimal.vtable;
	uint8_t *der, *leaf = NULL;
	size_t at = 0, len, leaf_len = 0;
	unsigned index = 0, r;
	struct tls_cert c;
	struct tls_cert_info ci;
	bool ok;
	struct anchor_set *set = malloc(sizeof *set);

	if (set == NULL) {
		x->hold = TLS_X509_HOLD_NOMEM;
		return BR_ERR_X509_LIMIT_EXCEEDED;
	}
	anchors_for_chain(x, set);
	/* minimal keeps a pointer to the anchors until end_chain returns */
	tls_profile_x509(&x->minimal, x->eng, set->ta, set->n);
	br_x509_minimal_set_time(&x->minimal, x->now.days, x->now.secs);
	x->not_before.days = x->not_before.secs = 0;
	x->not_after.days = x->not_after.secs = UINT32_MAX;
	x->window_ok = true;
	(*v)->start_chain(v, x->server_name);
	while (chain_next(x, &at, &der, &len)) {
		if (index == 0) {
			leaf = der;
			leaf_len = len;
		}
		(*v)->start_cert(v, (uint32_t)len);
		(*v)->append(v, der, len);
		(*v)->end_cert(v);
		ok = tls_cert_decode(der, len, &ci);
		x509_check_dates(x, index++, &ci, ok);
	}
	r = (*v)->end_chain(v);
	anchors_free(set);
	if (r != 0 || x->o.ip_len == 0)
		return r;
	/* RFC 6125 §6.2.1: an IP host matches iPAddress entries only. */
	if (leaf == NULL || !tls_cert_parse(leaf, leaf_len, &c) ||
	    !tls_cert_ip_match(&c, x->o.ip, x->o.ip_len))
		return BR_ERR_X509_BAD_SERVER_NAME;
	return 0;
}

static unsigned x509_end_chain(const br_x509_class **ctx)
{
	struct tls_x509 *x = x509_of(ctx);
	uint8_t digest[TLS_CHAIN_DIGEST];
	const br_x509_pkey *pk;
	unsigned r, usages = 0;

	if (x->hold != TLS_X509_HOLD_NONE)
		return BR_ERR_X509_LIMIT_EXCEEDED;
	if (x->o.insecure) {
		/* -k: any chain, but the server's key is needed */
		struct tls_cert_info ci;
		uint8_t *der;
		size_t at = 0, len;

		if (!chain_next(x, &at, &der, &len))
			return BR_ERR_X509_EMPTY_CHAIN;
		if (!tls_cert_decode(der, len, &ci) || !tls_pkey_copy(&x->key, &ci.pkey))
			return BR_ERR_X509_UNSUPPORTED;
		x->usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
		return 0;
	}
	if (x->o.cache != NULL) {
		chain_digest(x, digest);
		x->cached = tls_chain_cache_get(x->o.cache, digest, x->now, &x->key, &x->usages);
		if (x->cached)
			return 0;
	}
	r = chain_validate(x);
	if (r == 0 && x->o.cache != NULL && x->window_ok) {
		pk = x->minimal.vtable->get_pkey(&x->minimal.vtable, &usages);
		if (pk != NULL)
			tls_chain_cache_put(x->o.cache, digest, x->not_before, x->not_after, pk, usages);
	}
	return r;
}

static const br_x509_pkey *x509_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct tls_x509 *x = (struct tls_x509 *)(void *)(uintptr_t)ctx;

	if (x->cached || x->o.insecure) {
		if (usages != NULL)
			*usages = x->usages;
		return &x->key.pk;
	}
	return x->minimal.vtable->get_pkey(&x->minimal.vtable, usages);
}

static const br_x509_class tls_x509_class = {
	sizeof(struct tls_x509), x509_start_chain, x509_start_cert, x509_append,
	x509_end_cert,           x509_end_chain,   x509_get_pkey,
};

void tls_x509_init(struct tls_x509 *x, br_ssl_engine_context *eng, const struct tls_x509_opts *o)
{
	int64_t now = o->now_unix != 0 ? o->now_unix : (int64_t)time(NULL);

	if (now < 0)
		now = 0;
	memset(x, 0, sizeof *x);
	x->vtable = &tls_x509_class;
	x->eng = eng;
	x->o = *o;
	x->o.ip_len = o->ip != NULL && o->ip_len <= sizeof x->ip ? o->ip_len : 0;
	if (x->o.ip_len > 0)
		memcpy(x->ip, o->ip, x->o.ip_len);
	x->o.ip = x->ip;
	x->now.days = (uint32_t)(now / SECS_PER_DAY) + BR_DAYS_TO_UNIX_EPOCH;
	x->now.secs = (uint32_t)(now % SECS_PER_DAY);
	br_ssl_engine_set_x509(eng, &x->vtable);
}

void tls_x509_clear(struct tls_x509 *x)
{
	free(x->chain);
	x->chain = NULL;
	x->chain_len = x->chain_cap = 0;
}

void tls_x509_format_day(uint32_t days, char *out, size_t cap)
{
	static const uint8_t mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y = 0, m = 0, len;

	/* Only for messages: a year at a time is fast enough, and small. */
	for (;; y++) {
		len = (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 366 : 365;
		if (days < len)
			break;
		days -= len;
	}
	for (;; m++) {
		len = mdays[m] + (m == 1 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
		if (days < len || m == 11)
			break;
		days -= len;
	}
	(void)snprintf(out, cap, "%04u-%02u-%02u", y, m + 1, (unsigned)days + 1);
}

bool tls_x509_detail(const struct tls_x509 *x, int br_err, char *out, size_t cap)
{
	char day[32];
	const char *which = x->bad_index == 0 ? "certificate" : "issuer certificate";

	if (br_err == BR_ERR_X509_BAD_SERVER_NAME && x->o.ip_len > 0) {
		(void)snprintf(out, cap, "certificate does not match IP address %s", x->o.host);
		return true;
	}
	if (br_err == BR_ERR_X509_LIMIT_EXCEEDED && x->hold == TLS_X509_HOLD_TOO_BIG) {
		(void)snprintf(out, cap, "the server's certificate chain is larger than %u bytes",
			       TLS_X509_CHAIN_MAX);
		return true;
	}
	if (br_err != BR_ERR_X509_EXPIRED || !x->date_bad)
		return false;
	tls_x509_format_day(x->bad_days, day, sizeof day);
	if (x->not_yet)
		(void)snprintf(out, cap, "%s not yet valid (valid from %s)", which, day);
	else
		(void)snprintf(out, cap, "%s expired on %s", which, day);
	return true;
}
