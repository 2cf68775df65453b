/* fuzz.h - helpers shared by the libFuzzer targets in tests/fuzz/.
 *
 * A target checks invariants with FUZZ_CHECK; a violated one is a bug even
 * when no sanitizer fires, so it aborts and libFuzzer saves the input as a
 * crash file.  Split points come from a PRNG seeded by the input itself, so
 * every crash replays exactly. */
#ifndef QV_FUZZ_H
#define QV_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                              \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,    \
				__LINE__, #cond);                                     \
			abort();                                                      \
		}                                                                     \
	} while (0)

/* 64-bit FNV-1a of the input: the seed of fuzz_rand. */
static inline uint64_t fuzz_hash(const uint8_t *d, size_t n)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= d[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/* Read every byte of p[0..n), so ASan reports a span that is not all valid
 * memory (the compiler may not drop volatile reads). */
static inline void fuzz_touch(const void *p, size_t n)
{
	const volatile uint8_t *b = p;
	volatile uint8_t sink = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sink = (uint8_t)(sink ^ b[i]);
	(void)sink;
}

/* xorshift64: deterministic split sizes. */
static inline uint64_t fuzz_rand(uint64_t *s)
{
	uint64_t x = *s ? *s : 1;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* Length of the next piece: mostly small (where split bugs live), sometimes
 * large. */
static inline size_t fuzz_piece(uint64_t *s, size_t left)
{
	uint64_t r = fuzz_rand(s);
	size_t n = (r & 7) == 0 ? (size_t)(r >> 8) % 4096 + 1 : (size_t)(r >> 8) % 8 + 1;

	return n < left ? n : left;
}

#endif
