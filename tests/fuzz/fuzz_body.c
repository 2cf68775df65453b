/* fuzz_body.c - libFuzzer target for the body decoder (src/http/body.c).
 *
 * Input: byte 0 picks the framing (low 2 bits: chunked, length, close,
 * chunked); for a length body bytes 1-2 are the Content-Length (little
 * endian; bit 7 of byte 0 puts it just under 2^63-1).  The rest is what the
 * server sends after the head, and then the connection closes.
 * Fed whole, one byte at a time and in random splits, the decoder must give
 * the same payload, stop at the same byte and fail with the same error; the
 * payload must be consistent with the framing. */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "http/body.h"

enum split { SPLIT_WHOLE = 0, SPLIT_BYTES, SPLIT_RANDOM };

/* 2^63-1: the largest Content-Length resp.c accepts. */
#define LENGTH_MAX UINT64_C(0x7fffffffffffffff)

struct outcome {
	enum http_body_progress status; /* BODY_DONE or BODY_ERROR once EOF is seen */
	bool at_eof;             /* the status came from http_body_eof */
	size_t end;              /* input bytes used */
	uint8_t *payload;        /* the spans handed out, concatenated */
	size_t payload_len;
	uint64_t received;
	struct qv_error err;
};

/* Feed data[pos..stop) until the decoder wants more; returns false when it
 * finished (done or error). */
static bool feed_piece(struct http_body *b, const uint8_t *data, size_t *pos, size_t stop,
		       struct outcome *o)
{
	size_t used, doff, dlen, left;

	for (;;) {
		left = stop - *pos;
		o->status = http_body_feed(b, data + *pos, left, &used, &doff, &dlen, &o->err);
		FUZZ_CHECK(used <= left);
		if (o->status == BODY_DATA) {
			FUZZ_CHECK(dlen > 0 && doff + dlen <= used);
			memcpy(o->payload + o->payload_len, data + *pos + doff, dlen);
			o->payload_len += dlen;
			*pos += used;
			continue;
		}
		*pos += used;
		if (o->status == BODY_NEED_MORE) {
			FUZZ_CHECK(used == left);
			return true;
		}
		return false;
	}
}

static void run(const struct http_resp *r, const uint8_t *data, size_t size, enum split how,
		struct outcome *o)
{
	struct http_body b;
	struct qv_error again;
	uint64_t seed = fuzz_hash(data, size);
	size_t pos = 0, stop;
	bool more = true;

	o->payload_len = 0;
	o->at_eof = false;
	qv_error_clear(&o->err);
	http_body_init(&b, r);
	while (more && pos < size) {
		stop = pos + (how == SPLIT_WHOLE ? size - pos : how == SPLIT_BYTES ? 1
						    : fuzz_piece(&seed, size - pos));
		more = feed_piece(&b, data, &pos, stop, o);
	}
	if (more) /* a length body may finish on an empty feed */
		more = feed_piece(&b, data, &pos, pos, o);
	if (more) {
		o->at_eof = true;
		o->status = http_body_eof(&b, &o->err);
	}
	o->end = pos;
	o->received = http_body_received(&b);
	FUZZ_CHECK(o->status == BODY_DONE || o->status == BODY_ERROR);
	FUZZ_CHECK(http_body_done(&b) == (o->status == BODY_DONE));
	FUZZ_CHECK(o->status == BODY_DONE || (o->err.code != QV_OK && o->err.msg[0] != '\0'));
	/* both outcomes are sticky */
	FUZZ_CHECK(http_body_eof(&b, &again) == o->status);
}

static void check_framing(const struct http_resp *r, const uint8_t *data, const struct outcome *o)
{
	FUZZ_CHECK(o->received == o->payload_len);
	switch (r->framing) {
	case HTTP_BODY_LENGTH:
		/* zero-copy: the payload is the input, cut at the length */
		FUZZ_CHECK(o->payload_len == o->end && memcmp(o->payload, data, o->end) == 0);
		if (o->status == BODY_DONE)
			FUZZ_CHECK(o->payload_len == r->content_length);
		else
			FUZZ_CHECK(o->err.code == QV_E_TRUNCATED && o->payload_len < r->content_length);
		break;
	case HTTP_BODY_CLOSE:
		FUZZ_CHECK(o->status == BODY_DONE && o->at_eof);
		FUZZ_CHECK(memcmp(o->payload, data, o->end) == 0);
		break;
	default:
		FUZZ_CHECK(o->payload_len <= o->end);
		if (o->status == BODY_ERROR)
			FUZZ_CHECK(o->err.code == QV_E_HTTP_BAD_CHUNK ||
				   (o->err.code == QV_E_TRUNCATED && o->at_eof));
		break;
	}
}

static void check_same(const struct outcome *a, const struct outcome *b)
{
	FUZZ_CHECK(a->status == b->status && a->at_eof == b->at_eof);
	FUZZ_CHECK(a->end == b->end);
	FUZZ_CHECK(a->payload_len == b->payload_len && a->received == b->received);
	FUZZ_CHECK(a->payload_len == 0 || memcmp(a->payload, b->payload, a->payload_len) == 0);
	FUZZ_CHECK(a->err.code == b->err.code && strcmp(a->err.msg, b->err.msg) == 0);
}

static void header_from(const uint8_t *data, size_t size, struct http_resp *r, size_t *skip)
{
	memset(r, 0, sizeof *r);
	*skip = 1;
	switch (data[0] & 3) {
	case 1:
		r->framing = HTTP_BODY_LENGTH;
		r->has_length = true;
		r->content_length = size >= 3 ? (uint64_t)data[1] | (uint64_t)data[2] << 8 : 0;
		if (data[0] & 0x80)
			r->content_length = LENGTH_MAX - r->content_length;
		*skip = size >= 3 ? 3 : size;
		break;
	case 2:
		r->framing = HTTP_BODY_CLOSE;
		break;
	default:
		r->framing = HTTP_BODY_CHUNKED;
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome whole, other;
	struct http_resp r;
	size_t skip;
	int how;

	if (size == 0)
		return 0;
	header_from(data, size, &r, &skip);
	data += skip;
	size -= skip;
	/* +1: malloc(0) may be NULL, and the memcpy of no bytes is still fine */
	whole.payload = malloc(size + 1);
	other.payload = malloc(size + 1);
	FUZZ_CHECK(whole.payload != NULL && other.payload != NULL);
	run(&r, data, size, SPLIT_WHOLE, &whole);
	check_framing(&r, data, &whole);
	for (how = SPLIT_BYTES; how <= SPLIT_RANDOM; how++) {
		run(&r, data, size, (enum split)how, &other);
		check_same(&whole, &other);
	}
	free(whole.payload);
	free(other.payload);
	return 0;
}
