/* backoff.h - retry delays: capped exponential backoff with full jitter.
 *
 * Full jitter (a uniform delay in [0, min(cap, base * 2^(attempt-1))]) spreads
 * the retries of many transfers that failed together, so they do not hit a
 * recovering server in lock-step.  The generator is a per-transfer xorshift32:
 * no global state, reproducible from a seed in tests. */
#ifndef QV_TRANSFER_BACKOFF_H
#define QV_TRANSFER_BACKOFF_H

#include <stdint.h>

/* Seed a generator; any seed works (0 is mapped to a fixed non-zero value,
 * because xorshift stays at 0 forever). */
uint32_t backoff_seed(uint32_t seed);

/* Next pseudo-random value; advances *state (which must not be 0). */
uint32_t backoff_rand(uint32_t *state);

/* Delay before retry number `attempt` (1 = the first retry): a uniform value
 * in [0, min(max_ms, base_ms * 2^(attempt-1))].  attempt 0 is treated as 1. */
uint32_t backoff_delay_ms(uint32_t base_ms, uint32_t max_ms, unsigned attempt, uint32_t *state);

#endif
