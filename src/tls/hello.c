/* hello.c - X25519 moved to the front of BearSSL's ClientHello (hello.h). */
#include "tls/hello.h"

#include <string.h>

/* TLS record and handshake framing (RFC 5246 §6.2, §7.4). */
#define REC_HEAD 5u
#define REC_HANDSHAKE 22u
#define HS_HEAD 4u
#define HS_CLIENT_HELLO 1u
#define HELLO_FIXED (2u + 32u) /* client_version, random */
#define EXT_SUPPORTED_GROUPS 10u
#define GROUP_X25519 29u

static size_t be16(const unsigned char *p)
{
	return (size_t)p[0] << 8 | p[1];
}

/* In a supported_groups extension body e[0..n), X25519 to the front. */
static bool groups_x25519_first(unsigned char *e, size_t n)
{
	size_t i;

	if (n < 2 || be16(e) != n - 2 || (n & 1) != 0)
		return false;
	for (i = 2; i < n; i += 2) {
		if (be16(e + i) != GROUP_X25519)
			continue;
		if (i == 2)
			return false;
		memmove(e + 4, e + 2, i - 2);
		e[2] = 0;
		e[3] = GROUP_X25519;
		return true;
	}
	return false;
}

bool tls_hello_reorder(unsigned char *rec, size_t len, const unsigned char **msg, size_t *msg_len)
{
	unsigned char *h = rec + REC_HEAD, *p, *end = rec + len;
	size_t n;

	if (len < REC_HEAD + HS_HEAD + HELLO_FIXED || rec[0] != REC_HANDSHAKE ||
	    be16(rec + 3) != len - REC_HEAD || h[0] != HS_CLIENT_HELLO ||
	    ((size_t)h[1] << 16 | be16(h + 2)) != len - REC_HEAD - HS_HEAD)
		return false;
	p = h + HS_HEAD + HELLO_FIXED;
	/* session_id <0..32>, cipher_suites <2..2^16-2>, compression <1..2^8-1> */
	if (p >= end || (size_t)(end - p) < 1u + *p)
		return false;
	p += 1u + *p;
	if (end - p < 2 || (size_t)(end - p) < 2 + be16(p))
		return false;
	p += 2 + be16(p);
	if (p >= end || (size_t)(end - p) < 1u + *p)
		return false;
	p += 1u + *p;
	if (end - p < 2 || (size_t)(end - p) != 2 + be16(p))
		return false;
	for (p += 2; end - p >= 4; p += 4 + n) {
		n = be16(p + 2);
		if ((size_t)(end - p) - 4 < n)
			return false;
		if (be16(p) != EXT_SUPPORTED_GROUPS)
			continue;
		if (!groups_x25519_first(p + 4, n))
			return false;
		*msg = h;
		*msg_len = len - REC_HEAD;
		return true;
	}
	return false;
}

bool tls_hello_x25519_first(br_ssl_engine_context *eng)
{
	size_t len = 0, msg_len;
	unsigned char *rec = br_ssl_engine_sendrec_buf(eng, &len);
	const unsigned char *msg;

	if (rec == NULL || !tls_hello_reorder(rec, len, &msg, &msg_len))
		return false;
	/* BearSSL hashed the ClientHello as it wrote it; it is the first and
	 * only handshake message, so the transcript starts over with the new
	 * bytes (the hash functions stay those the engine set up). */
	br_multihash_init(&eng->mhash);
	br_multihash_update(&eng->mhash, msg, msg_len);
	return true;
}
