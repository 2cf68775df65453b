/* sha1.c - SHA-1 over one buffer, a loop per block (sha1.h). */
#include "tls/sha1.h"

#include <string.h>

#define SHA1_BLOCK 64u

static uint32_t rol(uint32_t x, unsigned n)
{
	return x << n | x >> (32u - n);
}

static void sha1_block(uint32_t h[5], const uint8_t *b)
{
	static const uint32_t k[4] = {0x5a827999u, 0x6ed9eba1u, 0x8f1bbcdcu, 0xca62c1d6u};
	uint32_t w[80], v[5], f, t;
	unsigned i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
		       (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
	for (; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	memcpy(v, h, sizeof v);
	for (i = 0; i < 80; i++) {
		if (i < 20)
			f = (v[1] & v[2]) | (~v[1] & v[3]);
		else if (i >= 40 && i < 60)
			f = (v[1] & v[2]) | (v[1] & v[3]) | (v[2] & v[3]);
		else
			f = v[1] ^ v[2] ^ v[3];
		t = rol(v[0], 5) + f + v[4] + k[i / 20] + w[i];
		v[4] = v[3];
		v[3] = v[2];
		v[2] = rol(v[1], 30);
		v[1] = v[0];
		v[0] = t;
	}
	for (i = 0; i < 5; i++)
		h[i] += v[i];
}

void tls_sha1(const uint8_t *p, size_t len, uint8_t out[TLS_SHA1_LEN])
{
	uint32_t h[5] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u, 0xc3d2e1f0u};
	uint8_t tail[2 * SHA1_BLOCK];
	size_t full = len - len % SHA1_BLOCK, rest = len - full, n, i;
	uint64_t bits = (uint64_t)len * 8;

	/* the last bytes, 0x80, zeros, the length in bits: one or two blocks */
	n = rest < SHA1_BLOCK - 8 ? SHA1_BLOCK : 2 * SHA1_BLOCK;
	memset(tail, 0, sizeof tail);
	if (rest > 0)
		memcpy(tail, p + full, rest);
	tail[rest] = 0x80;
	for (i = 0; i < 8; i++)
		tail[n - 1 - i] = (uint8_t)(bits >> (8 * i));
	for (i = 0; i < full + n; i += SHA1_BLOCK)
		sha1_block(h, i < full ? p + i : tail + (i - full));
	for (i = 0; i < TLS_SHA1_LEN; i++)
		out[i] = (uint8_t)(h[i / 4] >> (24 - 8 * (i % 4)));
}
