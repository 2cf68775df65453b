/* clock.c - monotonic clock readings and a compact seconds formatter. */
#include "util/clock.h"

#include <stdio.h>
#include <time.h>

int64_t clock_now_ns(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail on Linux with a valid pointer. */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + (int64_t)ts.tv_nsec;
}

int64_t clock_now_ms(void)
{
	return clock_now_ns() / 1000000;
}

void clock_format_secs(uint32_t ms, char *out, unsigned cap)
{
	unsigned whole = ms / 1000u, frac = ms % 1000u;

	if (cap == 0)
		return;
	if (frac == 0)
		(void)snprintf(out, cap, "%u", whole);
	else if (frac % 100u == 0)
		(void)snprintf(out, cap, "%u.%u", whole, frac / 100u);
	else if (frac % 10u == 0)
		(void)snprintf(out, cap, "%u.%02u", whole, frac / 10u);
	else
		(void)snprintf(out, cap, "%u.%03u", whole, frac);
}
