/* pace.c - token buckets for rate limits (see pace.h). */
#include "engine/pace.h"

#include <string.h>

void pace_init(struct pace *p, size_t max_read, int64_t now)
{
	memset(p, 0, sizeof *p);
	p->max_read = max_read;
	p->at_ms = now;
}

/* What the bucket holds at most, in thousandths of a byte: its size plus
 * one millisecond of the rate, so that waking on a whole millisecond after
 * the exact moment loses nothing. */
static uint64_t pace_full(const struct pace *p)
{
	return p->cap * 1000u + p->rate;
}

static void pace_refill(struct pace *p, int64_t now)
{
	uint64_t full = pace_full(p), dt;

	if (now <= p->at_ms)
		return;
	dt = (uint64_t)(now - p->at_ms);
	p->at_ms = now;
	if (p->rate == 0 || p->milli >= full)
		return;
	/* rate bytes/s times ms is thousandths of a byte; a span that fills
	 * the bucket is not multiplied out (no overflow after a long pause) */
	if (dt > (full - p->milli) / p->rate)
		p->milli = full;
	else
		p->milli += p->rate * dt;
}

void pace_set_rate(struct pace *p, uint64_t own, uint64_t total, unsigned active, int64_t now)
{
	uint64_t rate = own, share = total / (active > 0 ? active : 1u), cap;

	if (total != 0 && (rate == 0 || share < rate))
		rate = share > 0 ? share : 1u;
	pace_refill(p, now);
	if (rate == p->rate)
		return;
	cap = rate * PACE_WINDOW_MS / 1000u;
	if (cap < 1)
		cap = 1;
	if (cap > p->max_read)
		cap = p->max_read;
	p->rate = rate;
	p->cap = cap;
	if (p->milli > pace_full(p))
		p->milli = pace_full(p);
}

size_t pace_take(struct pace *p, int64_t now, size_t want, int64_t *wait_until)
{
	uint64_t need, have;

	*wait_until = now;
	if (p->rate == 0)
		return want;
	pace_refill(p, now);
	need = want < p->cap ? want : p->cap;
	if (p->milli < need * 1000u) {
		/* the rest of need, rounded up to whole ms */
		*wait_until = now + (int64_t)((need * 1000u - p->milli + p->rate - 1) / p->rate);
		return 0;
	}
	have = p->milli / 1000u;
	if (have > need)
		have = need;
	p->milli -= have * 1000u;
	return (size_t)have;
}

void pace_give_back(struct pace *p, size_t taken, size_t used)
{
	if (p->rate == 0 || used >= taken)
		return;
	p->milli += (uint64_t)(taken - used) * 1000u;
	if (p->milli > pace_full(p))
		p->milli = pace_full(p);
}
