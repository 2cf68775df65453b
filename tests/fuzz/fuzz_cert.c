/* fuzz_cert.c - libFuzzer target for the DER reader and the certificate
 * fields quiver reads itself (src/tls/der.c, src/tls/cert.c).
 *
 * The input is one DER certificate.  Besides memory safety it checks:
 *  - every view tls_cert_parse returns lies inside the input;
 *  - it is at least as lenient as BearSSL: a certificate BearSSL's decoder
 *    accepts parses, and its subject is the decoder's subject bytes (the
 *    trust anchors a chain names are found by these bytes);
 *  - the iPAddress matcher reads only inside the input (the 4 and 16 bytes
 *    at its end are the addresses looked for);
 *  - tls_cert_decode accepts exactly what BearSSL's decoder accepts, with
 *    the same key, CA flag, signer key type and validity dates;
 *  - OpenSSL's name hash (certdir.c) of the issuer, and of the input read
 *    as a Name, stays in bounds. */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "tls/br.h"
#include "tls/cert.h"
#include "tls/certdir.h"

struct dn {
	uint8_t b[4096];
	size_t len;
	bool over;
};

static void dn_append(void *ctx, const void *p, size_t n)
{
	struct dn *d = ctx;

	if (d->over || n > sizeof d->b - d->len) {
		d->over = true;
		return;
	}
	memcpy(d->b + d->len, p, n);
	d->len += n;
}

static void check_view(const struct der *v, const uint8_t *data, size_t size)
{
	if (v->len == 0)
		return;
	FUZZ_CHECK(v->p >= data && v->len <= size && (size_t)(v->p - data) <= size - v->len);
	fuzz_touch(v->p, v->len);
}

static bool same_bytes(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* tls_cert_decode and BearSSL's decoder agree on d[0..n), both ways. */
static void check_decode(const uint8_t *data, size_t size)
{
	static uint8_t copy[1 << 16];
	static br_x509_decoder_context dec;
	struct tls_cert_info ci;
	const br_x509_pkey *pk;
	bool ok;

	if (size > sizeof copy)
		return;
	memcpy(copy, data, size);
	ok = tls_cert_decode(copy, size, &ci);
	br_x509_decoder_init(&dec, NULL, NULL);
	br_x509_decoder_push(&dec, data, size);
	pk = br_x509_decoder_get_pkey(&dec);
	FUZZ_CHECK(ok == (pk != NULL));
	if (!ok)
		return;
	FUZZ_CHECK(ci.pkey.key_type == pk->key_type);
	if (pk->key_type == BR_KEYTYPE_RSA)
		FUZZ_CHECK(same_bytes(ci.pkey.key.rsa.n, ci.pkey.key.rsa.nlen, pk->key.rsa.n,
				      pk->key.rsa.nlen) &&
			   same_bytes(ci.pkey.key.rsa.e, ci.pkey.key.rsa.elen, pk->key.rsa.e,
				      pk->key.rsa.elen));
	else
		FUZZ_CHECK(ci.pkey.key.ec.curve == pk->key.ec.curve &&
			   same_bytes(ci.pkey.key.ec.q, ci.pkey.key.ec.qlen, pk->key.ec.q,
				      pk->key.ec.qlen));
	FUZZ_CHECK(ci.is_ca == (br_x509_decoder_isCA(&dec) != 0));
	FUZZ_CHECK(ci.signer_key_type == br_x509_decoder_get_signer_key_type(&dec));
	FUZZ_CHECK(ci.not_before.days == dec.notbefore_days &&
		   ci.not_before.secs == dec.notbefore_seconds &&
		   ci.not_after.days == dec.notafter_days && ci.not_after.secs == dec.notafter_seconds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	br_x509_decoder_context dec;
	struct dn dn = {{0}, 0, false};
	struct tls_cert c;
	uint32_t h;
	bool ok = tls_cert_parse(data, size, &c);

	if (ok) {
		check_view(&c.issuer, data, size);
		check_view(&c.subject, data, size);
		check_view(&c.ext, data, size);
		if (size >= 16)
			(void)tls_cert_ip_match(&c, data + size - 16, 16);
		if (size >= 4)
			(void)tls_cert_ip_match(&c, data + size - 4, 4);
		(void)tls_name_hash(c.issuer.p, c.issuer.len, &h);
	}
	(void)tls_name_hash(data, size, &h); /* the input as a Name */
	br_x509_decoder_init(&dec, dn_append, &dn);
	br_x509_decoder_push(&dec, data, size);
	if (br_x509_decoder_get_pkey(&dec) != NULL && br_x509_decoder_last_error(&dec) == 0 &&
	    !dn.over) {
		FUZZ_CHECK(ok);
		FUZZ_CHECK(c.subject.len == dn.len && memcmp(c.subject.p, dn.b, dn.len) == 0);
	}
	check_decode(data, size);
	return 0;
}
