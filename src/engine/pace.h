/* pace.h - rate limits as token buckets (--limit-rate per transfer,
 * --limit-rate-total for the run), consulted by every engine before each
 * read.  Pure arithmetic on a clock the caller passes: the engines pace the
 * same way (seq and threads sleep, poll sets a timer and reads nothing
 * meanwhile, so TCP flow control slows the sender), and a unit test checks
 * the numbers with a fake clock.
 *
 * The run's limit is shared by giving each of the N transfers running a
 * bucket of its own at min(--limit-rate, total / N), set again before each
 * read: fair by construction (no reader can take another's share), and the
 * sum never above the total.
 *
 * A read waits until its bucket holds min(want, the bucket's size) and then
 * takes that, so no read exceeds the bucket: PACE_WINDOW_MS of the rate (at
 * least a byte, at most one read buffer), a handful of reads a second at
 * any rate.  A bucket starts empty, so a limited transfer is never faster
 * than its limit, from its first byte. */
#ifndef QV_ENGINE_PACE_H
#define QV_ENGINE_PACE_H

#include <stddef.h>
#include <stdint.h>

/* Burst window: an eighth of a second of the rate, smooth enough for any
 * limit yet a handful of reads per second at most. */
#define PACE_WINDOW_MS 125

struct pace {
	uint64_t rate;       /* bytes per second; 0: no limit */
	uint64_t cap;        /* the bucket, in bytes */
	uint64_t milli;      /* tokens held, in thousandths of a byte */
	int64_t at_ms;       /* when milli was last refilled */
	size_t max_read;     /* the read buffer: the bucket's upper bound */
};

/* An empty bucket at now, for reads of at most max_read bytes; no limit
 * until pace_set_rate. */
void pace_init(struct pace *p, size_t max_read, int64_t now);

/* The limit from now on: the transfer's own (0: none) or its share of the
 * run's total (0: none) among active transfers, whichever is lower.  What
 * the bucket held at the old rate is kept (up to the new size). */
void pace_set_rate(struct pace *p, uint64_t own, uint64_t total, unsigned active, int64_t now);

/* The bytes one read may take now, at most want (taken from the bucket);
 * 0 with *wait_until set when it must wait (the bucket then holds less
 * than min(want, its size)). */
size_t pace_take(struct pace *p, int64_t now, size_t want, int64_t *wait_until);

/* Give back what a read did not use of its n taken. */
void pace_give_back(struct pace *p, size_t taken, size_t used);

#endif
