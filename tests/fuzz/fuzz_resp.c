/* fuzz_resp.c - libFuzzer target for the response-head parser (src/http/resp.c).
 *
 * The input is a byte stream from a server.  resp.h promises that any split
 * of it gives the same result, so the whole input, the input one byte at a
 * time, and random splits must agree on the status, the bytes consumed, the
 * error and every parsed field; each is run as a GET and as a HEAD.  A
 * parsed head must also be self-consistent (framing vs. length vs. reuse). */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "fuzz.h"
#include "http/resp.h"

enum split { SPLIT_WHOLE = 0, SPLIT_BYTES, SPLIT_RANDOM };

struct outcome {
	enum http_resp_progress status;
	size_t consumed;     /* bytes used before DONE/ERROR (all on NEED_MORE) */
	struct qv_error err;
	struct http_resp resp;  /* its location points to location[] */
	char location[HTTP_LOCATION_MAX]; /* the parser's Location buffer */
};

static void check_terminated(const char *s, size_t cap)
{
	FUZZ_CHECK(memchr(s, '\0', cap) != NULL);
}

static void check_resp(const struct http_resp *r, bool head)
{
	check_terminated(r->reason, sizeof r->reason);
	check_terminated(r->location, HTTP_LOCATION_MAX);
	check_terminated(r->content_type, sizeof r->content_type);
	FUZZ_CHECK(r->status >= 200 && r->status <= 599);
	FUZZ_CHECK(r->minor == 0 || r->minor == 1);
	FUZZ_CHECK(!r->has_location || r->location[0] != '\0');
	FUZZ_CHECK(r->retry_after_s <= 86400u);
	if (head || r->status == 204 || r->status == 304)
		FUZZ_CHECK(r->framing == HTTP_BODY_NONE);
	if (r->status == 204 || r->status == 304)
		FUZZ_CHECK(!r->keep_alive);
	switch (r->framing) {
	case HTTP_BODY_LENGTH:
		FUZZ_CHECK(r->has_length && r->content_length <= UINT64_C(0x7fffffffffffffff));
		break;
	case HTTP_BODY_CHUNKED:
		FUZZ_CHECK(!r->has_length && r->content_length == 0);
		break;
	case HTTP_BODY_CLOSE:
		FUZZ_CHECK(!r->has_length && !r->keep_alive);
		break;
	default:
		FUZZ_CHECK(head || r->status == 204 || r->status == 304);
		break;
	}
	if (r->has_content_range && !r->range_unsatisfied)
		FUZZ_CHECK(r->range_first <= r->range_last &&
			   (r->range_total == UINT64_MAX || r->range_last < r->range_total));
}

static void run(const uint8_t *data, size_t size, bool head, enum split how, struct outcome *o)
{
	struct http_resp_parser p;
	struct qv_error again;
	uint64_t seed = fuzz_hash(data, size);
	size_t off = 0, used, n;

	memset(o, 0, sizeof *o);
	qv_error_clear(&o->err);
	http_resp_init(&p, head, o->location, sizeof o->location);
	o->status = HTTP_RESP_NEED_MORE;
	while (o->status == HTTP_RESP_NEED_MORE && off < size) {
		n = how == SPLIT_WHOLE ? size - off : how == SPLIT_BYTES ? 1 : fuzz_piece(&seed, size - off);
		o->status = http_resp_feed(&p, data + off, n, &used, &o->err);
		FUZZ_CHECK(used <= n);
		FUZZ_CHECK(o->status != HTTP_RESP_NEED_MORE || used == n);
		off += used;
	}
	o->consumed = off;
	if (o->status == HTTP_RESP_DONE) {
		o->resp = *http_resp_get(&p);
		check_resp(&o->resp, head);
		/* done is sticky and consumes nothing more */
		FUZZ_CHECK(http_resp_feed(&p, data, size, &used, NULL) == HTTP_RESP_DONE && used == 0);
	} else if (o->status == HTTP_RESP_ERROR) {
		FUZZ_CHECK(o->err.code != QV_OK && o->err.msg[0] != '\0');
		/* error is sticky, with the same code */
		FUZZ_CHECK(http_resp_feed(&p, data, size, &used, &again) == HTTP_RESP_ERROR);
		FUZZ_CHECK(again.code == o->err.code);
	}
}

static void check_same(const struct outcome *a, const struct outcome *b)
{
	FUZZ_CHECK(a->status == b->status);
	FUZZ_CHECK(a->consumed == b->consumed);
	FUZZ_CHECK(a->err.code == b->err.code && a->err.detail == b->err.detail);
	FUZZ_CHECK(strcmp(a->err.msg, b->err.msg) == 0);
	/* Every field before the location pointer, padding included
	 * (http_resp_init zeroes them), then the Location text up to its NUL:
	 * the parser writes only that much of its buffer. */
	FUZZ_CHECK(memcmp(&a->resp, &b->resp, offsetof(struct http_resp, location)) == 0);
	if (a->status == HTTP_RESP_DONE) /* resp is set only then */
		FUZZ_CHECK(strcmp(a->resp.location, b->resp.location) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct outcome whole, other;
	int h;

	for (h = 0; h < 2; h++) {
		run(data, size, h == 1, SPLIT_WHOLE, &whole);
		run(data, size, h == 1, SPLIT_BYTES, &other);
		check_same(&whole, &other);
		run(data, size, h == 1, SPLIT_RANDOM, &other);
		check_same(&whole, &other);
	}
	return 0;
}
