/* fmt.h - human-readable sizes, rates and durations for the progress bar
 * and summaries ("1.5 MiB", "320 KiB/s", "1:02:03").  out always has room
 * for FMT_MAX bytes and every result fits in it, so these cannot fail. */
#ifndef QV_CLI_FMT_H
#define QV_CLI_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Room for any fmt_* result: the longest ("1023 MiB/s") is ten bytes. */
#define FMT_MAX 32

/* "0 B", "999 B", "1.0 KiB", "12.3 MiB", "1.02 GiB" (three significant
 * digits from KiB on, binary units as curl and wget print them). */
void fmt_bytes(uint64_t n, char out[FMT_MAX]);

/* fmt_bytes(rate) + "/s"; a negative or non-finite rate prints "-- B/s". */
void fmt_rate(double bytes_per_sec, char out[FMT_MAX]);

/* "0:07", "12:34", "1:02:03"; beyond 99 hours "99:59:59+". */
void fmt_duration(double secs, char out[FMT_MAX]);

#endif
