/* feed.c - the whole / split / byte-at-a-time drivers of feed.h. */
#include "feed.h"

#include <stdio.h>
#include <string.h>

static void feed_end(const struct feed_target *f)
{
	if (f->end != NULL)
		f->end(f->ctx);
}

void feed_whole(const struct feed_target *f, const uint8_t *g, size_t n, void *whole)
{
	f->begin(f->ctx, whole);
	f->feed(f->ctx, g, n);
	feed_end(f);
}

static bool split_wanted(size_t k, size_t n)
{
	return n <= FEED_SPLIT_ALL_MAX || k < 64 || n - k < 64 || k % 997 == 0;
}

/* Split runs: the prefix is copied to the end of buffer a (so it too ends at
 * a guard page); the suffix is the tail of the guarded whole input g. */
static bool feed_splits(struct tq *t, const struct feed_target *f, const uint8_t *g, size_t n,
			const void *whole, void *run)
{
	uint8_t *a = tq_guard_dup(g, n);
	size_t k;

	if (!TQ_TRUE(t, a != NULL))
		return false;
	for (k = 0; k <= n; k++) {
		if (!split_wanted(k, n))
			continue;
		memcpy(a + n - k, g, k);
		f->begin(f->ctx, run);
		f->feed(f->ctx, a + n - k, k);
		f->feed(f->ctx, g + k, n - k);
		feed_end(f);
		if (!f->same(whole, run)) {
			printf("  split at %zu differs from whole (%s)\n", k, f->msg(run));
			TQ_TRUE(t, f->same(whole, run));
			break;
		}
	}
	tq_guard_free(a, n);
	return k > n;
}

static bool feed_bytes(struct tq *t, const struct feed_target *f, const uint8_t *g, size_t n,
		       const void *whole, void *run)
{
	uint8_t *one = tq_guard_dup("", 1);
	size_t i;
	bool ok;

	if (!TQ_TRUE(t, one != NULL))
		return false;
	f->begin(f->ctx, run);
	for (i = 0; i < n; i++) {
		one[0] = g[i];
		f->feed(f->ctx, one, 1);
	}
	feed_end(f);
	tq_guard_free(one, 1);
	ok = f->same(whole, run);
	if (!ok)
		printf("  byte-at-a-time differs from whole (%s)\n", f->msg(run));
	return TQ_TRUE(t, ok);
}

bool feed_every_cut(struct tq *t, const struct feed_target *f, const uint8_t *g, size_t n,
		    const void *whole, void *run)
{
	return feed_splits(t, f, g, n, whole, run) && feed_bytes(t, f, g, n, whole, run);
}
