/* shard.h - split one URL list across many machines (get --shard K/N).
 *
 * A URL belongs to shard K of N when key(URL) % N == K, where
 *   key = fmix64(fnv1a64(the URL bytes exactly as listed, no normalisation))
 * so any tool in any language can reproduce the split:
 *   fnv1a64: h = 0xcbf29ce484222325; for each byte b: h ^= b; h *= 0x100000001b3
 *   fmix64 (MurmurHash3's finaliser): h ^= h >> 33; h *= 0xff51afd7ed558ccd;
 *            h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53; h ^= h >> 33
 * (all mod 2^64).  The finaliser is needed: FNV's low bits depend only on the
 * low bits of each byte, so fnv1a64 % 16 of ".../{i}/file-{i}.bin" leaves
 * half the shards empty.  Test vectors (fnv1a64 -> key -> key % 16):
 *   ""                          0xcbf29ce484222325 -> 0xefd01f60ba992926 -> 6
 *   "a"                         0xaf63dc4c8601ec8c -> 0x82a2a958a9bece5b -> 11
 *   "foobar"                    0x85944171f73967e8 -> 0x2c22194922d1672b -> 11
 *   "http://example.com/a.gif"  0xa487075ce60d6e24 -> 0x16218a6ed172314a -> 10
 *
 * --shard auto reads K and N from the batch system:
 *   (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP (MIN 0
 *   and STEP 1 when unset) of SLURM_ARRAY_TASK_COUNT; an array that is not
 *   one range MIN-MAX:STEP (--array=0,2,5: COUNT != (MAX-MIN)/STEP + 1) is
 *   refused: its tasks cannot number themselves 0..N-1 alone;
 *   AWS_BATCH_JOB_ARRAY_INDEX / AWS_BATCH_JOB_ARRAY_SIZE,
 *   JOB_COMPLETION_INDEX (Kubernetes indexed Job) / --shards N,
 * where --shards N also stands in for any count the environment lacks. */
#ifndef QV_CLI_GET_SHARD_H
#define QV_CLI_GET_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* More shards than this is surely a mistake (and keeps N in 32 bits). */
#define SHARD_N_MAX 1000000u

struct shard {
	uint32_t k;                 /* this shard, 0 <= k < n */
	uint32_t n;                 /* 1: no sharding */
	const char *source;         /* where K/N came from, for messages */
};

/* The shard key of p[0..n): fmix64(fnv1a64(p, n)), util/hash.h's
 * hash_str64. */
uint64_t shard_key(const void *p, size_t n);

/* Whether url[0..len) falls in shard s. */
bool shard_pick(const struct shard *s, const char *url, size_t len);

/* The environment lookup, getenv() in the program, a table in tests. */
typedef const char *(*shard_env_fn)(void *ctx, const char *name);

/* Parse "K/N" or "auto" (then K and N come from env; shards_opt is the
 * --shards N value, 0 when not given).  Returns QV_OK or QV_E_USAGE with the
 * reason in err. */
enum qv_err shard_parse(struct shard *s, const char *spec, uint32_t shards_opt, shard_env_fn env,
			void *env_ctx, struct qv_error *err);

#endif
