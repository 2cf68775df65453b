/* fuzz_list.c - libFuzzer target for the `get -i` list syntax
 * (src/cli/get/listparse.c): URL lines and their out= / checksum= lines.
 *
 * Fed whole, one byte at a time and in random splits, the parser must hand
 * over the same items and end the same way (error message included).  A
 * URL item is trimmed, non-empty, without NUL; an out= value passes
 * fname_check; a checksum= value passes digest_spec_parse; options come
 * only after a URL, each key once per URL. */
#include <stdbool.h>
#include <string.h>

#include "cli/fname.h"
#include "cli/get/listparse.h"
#include "fuzz.h"
#include "util/digest.h"

struct outcome {
	enum qv_err rc;
	uint64_t items;             /* FNV-1a over every item */
	unsigned count;
	unsigned seen;              /* keys of the current URL */
	bool have_url;
	char msg[QV_ERROR_MSG_MAX];
};

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static enum qv_err item(void *ctx, const struct list_item *it, struct qv_error *err)
{
	struct outcome *o = ctx;
	struct digest_want w;

	(void)err;
	FUZZ_CHECK(it->len > 0 && it->len <= LIST_LINE_MAX);
	FUZZ_CHECK(memchr(it->text, '\0', it->len) == NULL);
	if (it->kind == LIST_URL) {
		FUZZ_CHECK(!space(it->text[0]) && !space(it->text[it->len - 1]) && it->text[0] != '#');
		o->have_url = true;
		o->seen = 0;
	} else {
		FUZZ_CHECK(o->have_url && !(o->seen & (1u << it->kind)));
		o->seen |= 1u << it->kind;
		if (it->kind == LIST_OUT)
			FUZZ_CHECK(fname_check(it->text, it->len, NULL) == QV_OK);
		else
			FUZZ_CHECK(it->kind == LIST_CHECKSUM &&
				   digest_spec_parse(it->text, it->len, &w, NULL) == QV_OK);
	}
	o->items = fuzz_hash((const uint8_t *)it->text, it->len) ^ (o->items * 31u);
	o->items ^= (uint64_t)it->kind * 7u + it->line;
	o->count++;
	return QV_OK;
}

enum split { SPLIT_WHOLE = 0, SPLIT_BYTES, SPLIT_RANDOM };

static void run(const uint8_t *d, size_t n, enum split how, uint64_t seed, struct outcome *o)
{
	static struct list_parser p; /* a URL_MAX line buffer */
	struct qv_error e;
	size_t pos = 0;

	memset(o, 0, sizeof *o);
	qv_error_clear(&e);
	list_parser_init(&p, "fuzz", item, o);
	while (pos < n && o->rc == QV_OK) {
		size_t k = how == SPLIT_WHOLE ? n - pos : how == SPLIT_BYTES ? 1 : fuzz_piece(&seed, n - pos);

		o->rc = list_parser_feed(&p, (const char *)d + pos, k, &e);
		pos += k;
	}
	if (o->rc == QV_OK)
		o->rc = list_parser_finish(&p, &e);
	if (o->rc != QV_OK) {
		FUZZ_CHECK(o->rc == QV_E_USAGE);
		FUZZ_CHECK(strncmp(e.msg, "fuzz:", 5) == 0);
		memcpy(o->msg, e.msg, sizeof o->msg);
	}
}

static bool same(const struct outcome *a, const struct outcome *b)
{
	return a->rc == b->rc && a->items == b->items && a->count == b->count &&
	       strcmp(a->msg, b->msg) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome whole, other;

	run(data, size, SPLIT_WHOLE, 0, &whole);
	run(data, size, SPLIT_BYTES, 0, &other);
	FUZZ_CHECK(same(&whole, &other));
	run(data, size, SPLIT_RANDOM, fuzz_hash(data, size), &other);
	FUZZ_CHECK(same(&whole, &other));
	return 0;
}
