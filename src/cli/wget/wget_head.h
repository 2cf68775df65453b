/* wget_head.h - wget -S: each response head on stderr as it arrives, every
 * line indented by two spaces as GNU wget and BusyBox print them
 * ("  HTTP/1.1 200 OK"), without the blank line that ends it.  Fed by the
 * transfer machine's head hook (xfer_head_fn) of a run that has one
 * transfer at a time, so heads never interleave. */
#ifndef QV_CLI_WGET_WGET_HEAD_H
#define QV_CLI_WGET_WGET_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A line is printed in pieces this long: a field longer than that (a big
 * cookie) is still printed whole, only not in one write. */
#define WGET_HEAD_LINE_MAX 512

struct wget_head {
	FILE *f;
	size_t len;                 /* bytes in line[] */
	bool mid_line;              /* a piece of the current line went out */
	char line[WGET_HEAD_LINE_MAX];
};

void wget_head_init(struct wget_head *h, FILE *f);

/* The xfer_head_fn: ctx is a struct wget_head. */
void wget_head_feed(void *ctx, const uint8_t *p, size_t n);

#endif
