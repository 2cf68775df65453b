/* test_tls_cert.c - the DER reader (tls/der.h) and the certificate fields
 * quiver reads itself (tls/cert.h): names, and the subjectAltName iPAddress
 * matcher on certificates built here (IPv4, IPv6, several entries, wrong
 * lengths, DNS names spelling an address, no SAN, malformed extensions),
 * each placed before a guard page, and every truncation refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_tls_fixture.h"
#include "tls/br.h"
#include "tls/cert.h"
#include "tls/der.h"
#include "tls/pem.h"
#include "tq.h"

void suite_tls_cert(struct tq *t);

/* A DER builder: elements are opened, filled and closed; lengths are
 * patched in on close (always two length bytes: 0x82 hi lo). */
#define DB_MAX 2048
#define DB_DEPTH 8

struct db {
	uint8_t b[DB_MAX];
	size_t len;
	size_t open[DB_DEPTH];
	int depth;
};

static void db_raw(struct db *d, const void *p, size_t n)
{
	if (d->len + n <= sizeof d->b) {
		memcpy(d->b + d->len, p, n);
		d->len += n;
	}
}

/* A primitive element with a short value (under 128 bytes). */
static void db_tlv(struct db *d, unsigned tag, const void *p, size_t n)
{
	uint8_t h[2] = {(uint8_t)tag, (uint8_t)n};

	db_raw(d, h, 2);
	db_raw(d, p, n);
}

static void db_open(struct db *d, unsigned tag)
{
	uint8_t h[4] = {(uint8_t)tag, 0x82, 0, 0};

	d->open[d->depth++] = d->len;
	db_raw(d, h, 4);
}

static void db_close(struct db *d)
{
	size_t at = d->open[--d->depth], n = d->len - at - 4;

	d->b[at + 2] = (uint8_t)(n >> 8);
	d->b[at + 3] = (uint8_t)n;
}

/* A Name of one CN. */
static void db_name(struct db *d, const char *cn)
{
	static const uint8_t oid_cn[] = {0x55, 0x04, 0x03};

	db_open(d, DER_SEQUENCE);
	db_open(d, 0x31);
	db_open(d, DER_SEQUENCE);
	db_tlv(d, DER_OID, oid_cn, sizeof oid_cn);
	db_tlv(d, 0x0c, cn, strlen(cn));
	db_close(d);
	db_close(d);
	db_close(d);
}

/* Kinds of subjectAltName entries a test certificate carries. */
struct san {
	unsigned tag; /* DER_CTX_PRIM(2) dNSName, (7) iPAddress */
	const void *val;
	size_t len;
};

#define SAN_DNS(s) {DER_CTX_PRIM(2u), (s), sizeof(s) - 1}
#define SAN_IP(b) {DER_CTX_PRIM(7u), (b), sizeof(b)}

/* A certificate for CN=test with the SAN entries given (n < 0: no
 * extensions at all), issued by CN=issuer.  critical: the SAN extension
 * carries the critical flag.  other_ext: a basicConstraints extension
 * before it. */
static void db_cert(struct db *d, const struct san *san, int n, bool critical, bool other_ext)
{
	static const uint8_t v3[] = {0x02, 0x01, 0x02};
	static const uint8_t serial[] = {0x01};
	static const uint8_t sigalg[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
	static const uint8_t oid_san[] = {0x55, 0x1d, 0x11};
	static const uint8_t oid_bc[] = {0x55, 0x1d, 0x13};
	static const uint8_t t_true = 0xff;
	static const uint8_t bc[] = {0x30, 0x00};
	static const char time[] = "200101000000Z";
	int i;

	memset(d, 0, sizeof *d);
	db_open(d, DER_SEQUENCE);
	db_open(d, DER_SEQUENCE); /* tbsCertificate */
	db_open(d, DER_CTX_CONS(0u));
	db_raw(d, v3, sizeof v3);
	db_close(d);
	db_tlv(d, DER_INTEGER, serial, sizeof serial);
	db_open(d, DER_SEQUENCE);
	db_tlv(d, DER_OID, sigalg, sizeof sigalg);
	db_close(d);
	db_name(d, "issuer");
	db_open(d, DER_SEQUENCE);
	db_tlv(d, 0x17, time, sizeof time - 1);
	db_tlv(d, 0x17, time, sizeof time - 1);
	db_close(d);
	db_name(d, "test");
	db_open(d, DER_SEQUENCE); /* subjectPublicKeyInfo (contents not read) */
	db_open(d, DER_SEQUENCE);
	db_tlv(d, DER_OID, sigalg, 7);
	db_close(d);
	db_tlv(d, 0x03, "\0abc", 4);
	db_close(d);
	if (n >= 0) {
		db_open(d, DER_CTX_CONS(3u));
		db_open(d, DER_SEQUENCE);
		if (other_ext) {
			db_open(d, DER_SEQUENCE);
			db_tlv(d, DER_OID, oid_bc, sizeof oid_bc);
			db_tlv(d, DER_OCTET_STRING, bc, sizeof bc);
			db_close(d);
		}
		db_open(d, DER_SEQUENCE);
		db_tlv(d, DER_OID, oid_san, sizeof oid_san);
		if (critical)
			db_tlv(d, DER_BOOLEAN, &t_true, 1);
		db_open(d, DER_OCTET_STRING);
		db_open(d, DER_SEQUENCE);
		for (i = 0; i < n; i++)
			db_tlv(d, san[i].tag, san[i].val, san[i].len);
		db_close(d);
		db_close(d);
		db_close(d);
		db_close(d);
		db_close(d);
	}
	db_close(d); /* tbsCertificate */
	db_open(d, DER_SEQUENCE);
	db_tlv(d, DER_OID, sigalg, sizeof sigalg);
	db_close(d);
	db_tlv(d, 0x03, "\0sig", 4);
	db_close(d);
}

static const uint8_t IP4[] = {192, 0, 2, 1};
static const uint8_t IP4_OTHER[] = {192, 0, 2, 2};
static const uint8_t IP4_LOOP[] = {127, 0, 0, 1};
static const uint8_t IP6_LOOP[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t IP6_MAPPED[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
/* iPAddress in name-constraint form (address + mask): never a host */
static const uint8_t IP4_MASK[] = {192, 0, 2, 1, 255, 255, 255, 0};
static const uint8_t IP4_SHORT[] = {192, 0, 2};

/* Parse d placed before a guard page; match ip against it. */
static int ip_match(struct tq *t, const struct db *d, const uint8_t *ip, size_t ip_len)
{
	uint8_t *g = tq_guard_dup(d->b, d->len);
	struct tls_cert c;
	int r = -1;

	if (g == NULL)
		return -1;
	if (TQ_TRUE(t, tls_cert_parse(g, d->len, &c)))
		r = tls_cert_ip_match(&c, ip, ip_len) ? 1 : 0;
	tq_guard_free(g, d->len);
	return r;
}

static void test_ipv4(struct tq *t)
{
	static const struct san s[] = {SAN_IP(IP4)};
	struct db d;

	db_cert(&d, s, 1, false, false);
	TQ_INT(t, ip_match(t, &d, IP4, 4), 1);
	TQ_INT(t, ip_match(t, &d, IP4_OTHER, 4), 0);
	TQ_INT(t, ip_match(t, &d, IP6_LOOP, 16), 0);
	TQ_INT(t, ip_match(t, &d, IP6_MAPPED, 16), 0); /* ::ffff:192.0.2.1 is another address */
	TQ_INT(t, ip_match(t, &d, IP4, 3), 0);         /* only 4 or 16 bytes name a host */
	db_cert(&d, s, 1, true, true);                  /* critical flag, another extension first */
	TQ_INT(t, ip_match(t, &d, IP4, 4), 1);
}

static void test_ipv6(struct tq *t)
{
	static const struct san s[] = {SAN_IP(IP6_LOOP)};
	struct db d;

	db_cert(&d, s, 1, false, false);
	TQ_INT(t, ip_match(t, &d, IP6_LOOP, 16), 1);
	TQ_INT(t, ip_match(t, &d, IP4_LOOP, 4), 0);
	TQ_INT(t, ip_match(t, &d, IP6_MAPPED, 16), 0);
}

static void test_several_entries(struct tq *t)
{
	static const struct san s[] = {SAN_DNS("a.test"), SAN_IP(IP4_LOOP), SAN_DNS("b.test"),
				       SAN_IP(IP6_LOOP), SAN_IP(IP4)};
	struct db d;

	db_cert(&d, s, 5, false, true);
	TQ_INT(t, ip_match(t, &d, IP4_LOOP, 4), 1);
	TQ_INT(t, ip_match(t, &d, IP6_LOOP, 16), 1);
	TQ_INT(t, ip_match(t, &d, IP4, 4), 1);
	TQ_INT(t, ip_match(t, &d, IP4_OTHER, 4), 0);
}

static void test_wrong_lengths(struct tq *t)
{
	static const struct san s[] = {SAN_IP(IP4_MASK), SAN_IP(IP4_SHORT), SAN_IP(IP6_MAPPED)};
	struct db d;

	db_cert(&d, s, 3, false, false);
	TQ_INT(t, ip_match(t, &d, IP4, 4), 0);
	TQ_INT(t, ip_match(t, &d, IP4_MASK, 8), 0);
	TQ_INT(t, ip_match(t, &d, IP6_MAPPED, 16), 1);
}

/* A DNS name that spells the address is not the address (RFC 6125 §6.2.1),
 * nor is a common name: no certificate without an iPAddress entry matches. */
static void test_no_ip_entry(struct tq *t)
{
	static const struct san dns[] = {SAN_DNS("127.0.0.1"), SAN_DNS("::1")};
	struct db d;

	db_cert(&d, dns, 2, false, false);
	TQ_INT(t, ip_match(t, &d, IP4_LOOP, 4), 0);
	TQ_INT(t, ip_match(t, &d, IP6_LOOP, 16), 0);
	db_cert(&d, NULL, -1, false, false); /* no extensions */
	TQ_INT(t, ip_match(t, &d, IP4_LOOP, 4), 0);
	db_cert(&d, NULL, 0, false, true); /* extensions, an empty SAN */
	TQ_INT(t, ip_match(t, &d, IP4_LOOP, 4), 0);
}

/* Every proper prefix of a certificate is refused, and a corrupted SAN
 * matches nothing: no read past the guard page either way. */
static void test_truncated_and_malformed(struct tq *t)
{
	static const struct san s[] = {SAN_DNS("a.test"), SAN_IP(IP4)};
	struct db d;
	struct tls_cert c;
	size_t n, at;
	uint8_t *g;

	db_cert(&d, s, 2, false, false);
	for (n = 0; n < d.len; n++) {
		g = tq_guard_dup(d.b, n);
		if (g == NULL)
			return;
		if (!TQ_TRUE(t, !tls_cert_parse(g, n, &c)))
			printf("  accepted a %zu-byte prefix of %zu\n", n, d.len);
		tq_guard_free(g, n);
	}
	/* the iPAddress entry's length runs past its SEQUENCE */
	for (at = d.len - 1; at > 0 && !(d.b[at - 1] == 0x87 && d.b[at] == 4); at--)
		;
	if (!TQ_TRUE(t, at > 0))
		return;
	d.b[at] = 0x7f;
	TQ_INT(t, ip_match(t, &d, IP4, 4), 0);
	d.b[at] = 0x80; /* indefinite length */
	TQ_INT(t, ip_match(t, &d, IP4, 4), 0);
}

static void test_der_lengths(struct tq *t)
{
	static const uint8_t long1[] = {0x04, 0x81, 0x02, 'a', 'b', 0x05, 0x00};
	static const uint8_t long3[] = {0x04, 0x83, 0x00, 0x00, 0x01, 'x'};
	static const uint8_t long4[] = {0x04, 0x84, 0x00, 0x00, 0x00, 0x01, 'x'};
	static const uint8_t huge[] = {0x04, 0x84, 0x01, 0x00, 0x00, 0x00, 'x'};
	static const uint8_t multi_tag[] = {0x1f, 0x81, 0x01, 0x00};
	static const uint8_t over[] = {0x04, 0x03, 'a', 'b'};
	struct der in = {long1, sizeof long1};
	struct der_tlv e;

	TQ_TRUE(t, der_next(&in, &e) && e.tag == 0x04 && der_eq(&e.val, "ab", 2) &&
			   e.all.len == 5 && in.len == 2);
	TQ_TRUE(t, der_expect(&in, 0x05, &e) && e.val.len == 0 && in.len == 0);
	TQ_TRUE(t, !der_next(&in, &e));
	in.p = long3;
	in.len = sizeof long3;
	TQ_TRUE(t, der_next(&in, &e) && der_eq(&e.val, "x", 1));
	in.p = long4; /* leading zero length bytes, as BearSSL allows */
	in.len = sizeof long4;
	TQ_TRUE(t, der_next(&in, &e) && der_eq(&e.val, "x", 1));
	in.p = huge; /* 2^24: longer than any certificate */
	in.len = sizeof huge;
	TQ_TRUE(t, !der_next(&in, &e) && in.len == sizeof huge);
	in.p = multi_tag;
	in.len = sizeof multi_tag;
	TQ_TRUE(t, !der_next(&in, &e));
	in.p = over;
	in.len = sizeof over;
	TQ_TRUE(t, !der_next(&in, &e));
	in.p = long1;
	in.len = sizeof long1;
	TQ_TRUE(t, !der_expect(&in, 0x05, &e) && in.len == sizeof long1);
}

struct dn_copy {
	uint8_t b[1024];
	size_t len;
};

static void dn_append(void *ctx, const void *p, size_t n)
{
	struct dn_copy *d = ctx;

	if (n <= sizeof d->b - d->len) {
		memcpy(d->b + d->len, p, n);
		d->len += n;
	}
}

static enum qv_err keep_der(void *ctx, const char *name, const uint8_t *der, size_t len,
			    struct qv_error *err)
{
	struct db *d = ctx;

	(void)name;
	(void)err;
	if (len <= sizeof d->b) {
		memcpy(d->b, der, len);
		d->len = len;
	}
	return QV_OK;
}

static bool fixture_der(struct tq *t, const char *name, struct db *d)
{
	char path[1024];
	uint8_t *data = NULL;
	size_t len = 0;
	struct qv_error e;
	bool ok;

	d->len = 0;
	if (!TQ_INT(t, file_read_all(tls_fixture(path, sizeof path, name), TLS_PEM_FILE_MAX,
				     QV_E_TLS_PEM, &data, &len, &e),
		    QV_OK))
		return false;
	ok = TQ_INT(t, tls_pem_each(data, len, keep_der, d, NULL, &e), QV_OK) && d->len > 0;
	free(data);
	return ok;
}

/* The names of real certificates (made by openssl) are the bytes BearSSL's
 * decoder reports: the subject of a server certificate, and its issuer is
 * the subject of the CA. */
static void test_fixture_names(struct tq *t)
{
	static const char *const files[] = {"ca.pem", "rsa.pem", "ec.pem", "self.pem"};
	struct db leaf, ca;
	struct tls_cert c, cc;
	size_t i;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		br_x509_decoder_context dec;
		struct dn_copy dn = {{0}, 0};

		if (!fixture_der(t, files[i], &leaf))
			return;
		br_x509_decoder_init(&dec, dn_append, &dn);
		br_x509_decoder_push(&dec, leaf.b, leaf.len);
		TQ_TRUE(t, br_x509_decoder_get_pkey(&dec) != NULL);
		if (!TQ_TRUE(t, tls_cert_parse(leaf.b, leaf.len, &c)))
			continue;
		TQ_MEM(t, c.subject.p, c.subject.len, dn.b, dn.len);
		TQ_TRUE(t, !tls_cert_ip_match(&c, IP4_LOOP, 4)); /* DNS:localhost only */
	}
	if (fixture_der(t, "ca.pem", &ca) && fixture_der(t, "ec.pem", &leaf) &&
	    TQ_TRUE(t, tls_cert_parse(ca.b, ca.len, &cc) && tls_cert_parse(leaf.b, leaf.len, &c)))
		TQ_MEM(t, c.issuer.p, c.issuer.len, cc.subject.p, cc.subject.len);
}

void suite_tls_cert(struct tq *t)
{
	tq_run(t, "DER lengths and tags", test_der_lengths);
	tq_run(t, "SAN IPv4", test_ipv4);
	tq_run(t, "SAN IPv6", test_ipv6);
	tq_run(t, "SAN several entries", test_several_entries);
	tq_run(t, "SAN wrong lengths", test_wrong_lengths);
	tq_run(t, "no iPAddress entry", test_no_ip_entry);
	tq_run(t, "truncated and malformed", test_truncated_and_malformed);
	tq_run(t, "fixture names", test_fixture_names);
}
