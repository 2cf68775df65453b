/* feed.h - drives an incremental parser under test with one input in every
 * way a caller could cut it: whole, split in two at every byte position, and
 * one byte at a time, each piece ending right before an unreadable guard page
 * (tq_guard_dup) so an over-read faults; every cut must give the same run as
 * the whole input.  Shared by test_resp.c (head parser) and test_body.c (head
 * then body decoder), which differ only in what a run records. */
#ifndef QV_TESTS_FEED_H
#define QV_TESTS_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tq.h"

/* Inputs up to this size are split at every position; bigger ones (the
 * 64 KiB cases) at a sample, both ends and a stride, to keep a run under a
 * second. */
#define FEED_SPLIT_ALL_MAX 4096

/* The parser under test, behind hooks that all get `ctx`.  A run is the
 * caller's record of what the parser did with one feeding of the input. */
struct feed_target {
	void *ctx;
	void (*begin)(void *ctx, void *run);                   /* fresh parser, recording into run */
	void (*feed)(void *ctx, const uint8_t *buf, size_t n); /* the next piece */
	void (*end)(void *ctx);                                /* after the last piece; NULL: none */
	bool (*same)(const void *whole, const void *run);      /* run agrees with whole */
	const char *(*msg)(const void *run);                   /* run's error text, for a report */
};

/* Feed g[0..n) (a tq_guard_dup copy) in one piece, recording into whole. */
void feed_whole(const struct feed_target *f, const uint8_t *g, size_t n, void *whole);

/* Feed g[0..n) split at every (sampled) position, then one byte at a time,
 * each into run, and check each run against whole; records a failure and
 * returns false at the first that differs. */
bool feed_every_cut(struct tq *t, const struct feed_target *f, const uint8_t *g, size_t n,
		    const void *whole, void *run);

#endif
