/* backoff.c - capped exponential backoff with full jitter (see backoff.h). */
#include "transfer/backoff.h"

/* Any odd constant works; this one is the 32-bit golden ratio. */
#define BACKOFF_SEED_ZERO 0x9e3779b9u

uint32_t backoff_seed(uint32_t seed)
{
	return seed != 0 ? seed : BACKOFF_SEED_ZERO;
}

uint32_t backoff_rand(uint32_t *state)
{
	uint32_t v = *state != 0 ? *state : BACKOFF_SEED_ZERO;

	/* Marsaglia's xorshift32 (13, 17, 5): period 2^32 - 1. */
	v ^= v << 13;
	v ^= v >> 17;
	v ^= v << 5;
	*state = v;
	return v;
}

uint32_t backoff_delay_ms(uint32_t base_ms, uint32_t max_ms, unsigned attempt, uint32_t *state)
{
	uint64_t ceiling = base_ms;
	unsigned shift = attempt > 0 ? attempt - 1 : 0;

	/* Doubling past the cap is pointless and 2^shift could overflow. */
	while (shift > 0 && ceiling < max_ms) {
		ceiling <<= 1;
		shift--;
	}
	if (ceiling > max_ms)
		ceiling = max_ms;
	if (ceiling == 0)
		return 0;
	return (uint32_t)(backoff_rand(state) % (ceiling + 1));
}
