/* hello.c - X25519 moved to the front of BearSSL's ClientHello (hello.h). */
#include "tls/hello.h"

#include <string.h>

/* TLS record and handshake framing (RFC 5246 §6.2, §7.4). */
#define REC_HEAD 5u
#define REC_HANDSHAKE 22u
#define HS_HEAD 4u
#define HS_CLIENT_HELLO 1u
#define GROUP_X25519 29u

/* supported_groups as BearSSL 0.6 writes it with quiver's profile: type
 * 10, length 10, list length 8, then P-256 (23), P-384, P-521, X25519 (29). */
static const unsigned char GROUPS_BEARSSL[] = {0x00, 0x0a, 0x00, 0x0a, 0x00, 0x08, 0x00,
					       0x17, 0x00, 0x18, 0x00, 0x19, 0x00, 0x1d};
/* Where a ClientHello's session_id length is: record header, handshake
 * header, client_version, random. */
#define HELLO_SID_AT (REC_HEAD + HS_HEAD + 2u + 32u)

bool tls_hello_reorder(unsigned char *rec, size_t len, const unsigned char **msg, size_t *msg_len)
{
	size_t at, n = sizeof GROUPS_BEARSSL;

	if (len <= HELLO_SID_AT || rec[0] != REC_HANDSHAKE ||
	    ((size_t)rec[3] << 8 | rec[4]) != len - REC_HEAD || rec[5] != HS_CLIENT_HELLO ||
	    ((size_t)rec[6] << 16 | (size_t)rec[7] << 8 | rec[8]) != len - REC_HEAD - HS_HEAD)
		return false;
	/* after the random and the session ID, where only extensions can hold it */
	for (at = HELLO_SID_AT + 1u + rec[HELLO_SID_AT]; at + n <= len; at++) {
		if (memcmp(rec + at, GROUPS_BEARSSL, n) != 0)
			continue;
		memmove(rec + at + 8, rec + at + 6, 6);
		rec[at + 6] = 0;
		rec[at + 7] = GROUP_X25519;
		*msg = rec + REC_HEAD;
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
