/* test_pace.c - the rate-limit buckets (engine/pace.c) on a fake clock:
 * the average over ten seconds at the limit (never above, short by at most
 * one bucket), no read above the bucket, waits that end when the bucket is
 * due, the run's total split between transfers, a rate changed mid-way,
 * give-backs, and no overflow after long pauses or at the largest rates. */
#include <stdint.h>

#include "engine/pace.h"
#include "tq.h"

void suite_pace(struct tq *t);

/* Read as fast as allowed for ms of fake time, in wants of `want` bytes;
 * returns the bytes read and the largest single read. */
static uint64_t drain(struct pace *p, int64_t ms, size_t want, size_t *largest)
{
	int64_t now = 0, wait;
	uint64_t sum = 0;

	*largest = 0;
	while (now <= ms) {
		size_t n = pace_take(p, now, want, &wait);

		if (n == 0) {
			if (!(wait > now))
				return sum; /* a wait must move the clock on */
			now = wait;
			continue;
		}
		sum += n;
		if (n > *largest)
			*largest = n;
	}
	return sum;
}

static void t_average(struct tq *t)
{
	static const uint64_t rates[] = {1, 100, 1000, 100000, 1u << 20, 50u << 20};
	size_t i, largest;

	for (i = 0; i < sizeof rates / sizeof rates[0]; i++) {
		struct pace p;
		uint64_t got, want = rates[i] * 10;

		pace_init(&p, 128 * 1024, 0);
		pace_set_rate(&p, rates[i], 0, 1, 0);
		got = drain(&p, 10000, 1u << 20, &largest);
		/* the bucket starts empty: never above the limit, short of it by
		 * less than one bucket (the last read due after the ten seconds) */
		TQ_TRUE(t, got <= want && got + p.cap >= want);
		TQ_TRUE(t, largest <= p.cap && p.cap <= 128 * 1024);
	}
}

static void t_bucket_bounds(struct tq *t)
{
	struct pace p;
	int64_t wait;

	pace_init(&p, 128 * 1024, 0);
	pace_set_rate(&p, 100000, 0, 1, 0);
	TQ_INT(t, p.cap, 12500);                    /* 125 ms of the rate */
	pace_set_rate(&p, 10, 0, 1, 0);
	TQ_INT(t, p.cap, 1);                        /* 1.25 bytes: at least one */
	pace_init(&p, 16 * 1024, 0);
	pace_set_rate(&p, 1ull << 62, 0, 1, 0);
	TQ_INT(t, p.cap, 16 * 1024);                /* one read buffer at most */
	/* a long pause fills the bucket, no more */
	TQ_INT(t, pace_take(&p, INT64_MAX / 2, 1u << 30, &wait), 16 * 1024);
	pace_init(&p, 128, 0);
	TQ_INT(t, pace_take(&p, 0, 999999, &wait), 999999); /* unlimited */
}

static void t_wait_and_give_back(struct tq *t)
{
	struct pace p;
	int64_t wait;

	pace_init(&p, 64 * 1024, 0);
	pace_set_rate(&p, 1000, 0, 1, 0);
	TQ_INT(t, pace_take(&p, 0, 100, &wait), 0);
	TQ_INT(t, wait, 100);               /* a read of 100 waits for 100 bytes */
	TQ_INT(t, pace_take(&p, 50, 100, &wait), 0);
	TQ_INT(t, wait, 100);
	TQ_INT(t, pace_take(&p, 100, 100, &wait), 100);
	pace_give_back(&p, 100, 40);        /* the read used 40 */
	TQ_INT(t, pace_take(&p, 100, 60, &wait), 60);
	/* a big want waits for a full bucket (125 bytes), not for want */
	TQ_INT(t, pace_take(&p, 100, 1u << 20, &wait), 0);
	TQ_INT(t, wait, 100 + 125);
	pace_init(&p, 64 * 1024, 0);
	pace_set_rate(&p, 3, 0, 1, 0);
	(void)pace_take(&p, 0, 1, &wait);
	TQ_INT(t, wait, 334);               /* 3 bytes a second: 1 byte in 333.3 ms, rounded up */
}

static void t_total_split(struct tq *t)
{
	struct pace a, b;
	int64_t now = 0, wa = 0, wb = 0;
	uint64_t ga = 0, gb = 0;
	size_t n;

	pace_init(&a, 128 * 1024, 0);
	pace_init(&b, 128 * 1024, 0);
	/* two transfers under a run-wide 100 kB/s: each paced at 50 kB/s,
	 * whichever reads first */
	while (now < 10000) {
		pace_set_rate(&a, 0, 100000, 2, now);
		pace_set_rate(&b, 0, 100000, 2, now);
		if (wa <= wb) {
			n = pace_take(&a, now, 1u << 20, &wa);
			ga += n;
		} else {
			n = pace_take(&b, now, 1u << 20, &wb);
			gb += n;
		}
		now = wa < wb ? wa : wb;
	}
	TQ_TRUE(t, ga + gb <= 1000000 && ga + gb + 2 * 6250 >= 1000000);
	TQ_TRUE(t, ga > 480000 && gb > 480000);
	/* a per-transfer limit below the share binds first */
	pace_set_rate(&a, 1000, 100000, 2, now);
	TQ_INT(t, a.rate, 1000);
	/* a share below one byte a second is still one */
	pace_set_rate(&a, 0, 5, 10, now);
	TQ_INT(t, a.rate, 1);
}

void suite_pace(struct tq *t)
{
	tq_run(t, "ten seconds at the limit", t_average);
	tq_run(t, "bucket bounds", t_bucket_bounds);
	tq_run(t, "waits and give-backs", t_wait_and_give_back);
	tq_run(t, "the run's total split between transfers", t_total_split);
}
