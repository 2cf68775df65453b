/* hash.h - the non-cryptographic hashes of quiver, one home each: FNV-1a
 * (64 and 32 bit), MurmurHash3's fmix64 finaliser, and Knuth's
 * multiplicative mix.  The --shard key is built from the first two and is
 * documented with test vectors (README, cli/get/shard.h): never change
 * what these compute. */
#ifndef QV_UTIL_HASH_H
#define QV_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV64_OFFSET 0xcbf29ce484222325ull
#define HASH_FNV32_OFFSET 2166136261u

/* FNV-1a over n bytes, continuing from h (start with the offset basis). */
uint64_t hash_fnv1a64(uint64_t h, const void *p, size_t n);
uint32_t hash_fnv1a32(uint32_t h, const void *p, size_t n);

/* MurmurHash3's 64-bit finaliser: every input bit reaches every output bit
 * (FNV-1a's low bits alone split lists like .../{i}/file-{i}.bin badly). */
uint64_t hash_fmix64(uint64_t h);

/* fmix64(FNV-1a 64 of p[0..n)): the --shard key, and the index of a string
 * in a hash table whose slots are picked by the low bits. */
uint64_t hash_str64(const void *p, size_t n);

/* Knuth's multiplicative hash (2^32 / phi): spreads consecutive integers,
 * e.g. job indices into jitter seeds, over all 32 bits. */
static inline uint32_t hash_mul32(uint32_t x)
{
	return x * 2654435761u;
}

#endif
