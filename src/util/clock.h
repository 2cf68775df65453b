/* clock.h - monotonic time in milliseconds, for deadlines and elapsed times.
 * Never the wall clock: a jump of the system time must not fire or stretch
 * a timeout. */
#ifndef QV_UTIL_CLOCK_H
#define QV_UTIL_CLOCK_H

#include <stdint.h>

/* Milliseconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
int64_t clock_now_ms(void);

/* Nanoseconds, for elapsed times printed with two decimals. */
int64_t clock_now_ns(void);

/* Write ms as seconds without trailing zeros: 6100 -> "6.1", 30000 -> "30",
 * 250 -> "0.25".  out gets at most cap bytes, NUL-terminated. */
void clock_format_secs(uint32_t ms, char *out, unsigned cap);

#endif
