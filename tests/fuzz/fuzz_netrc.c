/* fuzz_netrc.c - libFuzzer target for the .netrc tokenizer (src/cli/netrc.c).
 *
 * Input: up to the first newline, the host to look up (lower-cased, at most
 * 64 bytes); the rest is the file.  Fed whole, one byte at a time and in
 * random splits, the tokenizer must hand over the same entries, each
 * NUL-terminated within its bounds, and netrc_lookup agree with it. */
#include <stdbool.h>
#include <string.h>

#include "cli/netrc.h"
#include "fuzz.h"

struct outcome {
	enum qv_err rc;
	uint64_t entries;          /* FNV-1a over every entry handed over */
	unsigned count;
};

static void entry(void *ctx, const char *machine, const struct netrc_creds *c)
{
	struct outcome *o = ctx;
	const char *m = machine != NULL ? machine : "*";

	FUZZ_CHECK(memchr(c->login, '\0', sizeof c->login) != NULL);
	FUZZ_CHECK(memchr(c->password, '\0', sizeof c->password) != NULL);
	FUZZ_CHECK(strlen(m) <= NETRC_TOKEN_MAX);
	o->entries = fuzz_hash((const uint8_t *)m, strlen(m)) ^ (o->entries * 31u);
	o->entries ^= fuzz_hash((const uint8_t *)c->login, strlen(c->login)) * 7u;
	o->entries ^= fuzz_hash((const uint8_t *)c->password, strlen(c->password)) * 13u;
	o->count++;
}

enum split { SPLIT_WHOLE = 0, SPLIT_BYTES, SPLIT_RANDOM };

static void run(const char *host, const uint8_t *d, size_t n, enum split how, uint64_t seed,
		struct outcome *o)
{
	struct netrc_parser p;
	struct qv_error e;
	size_t pos = 0;

	memset(o, 0, sizeof *o);
	netrc_init(&p, entry, o);
	while (pos < n && o->rc == QV_OK) {
		size_t k = how == SPLIT_WHOLE ? n - pos : how == SPLIT_BYTES ? 1 : fuzz_piece(&seed, n - pos);

		o->rc = netrc_feed(&p, (const char *)d + pos, k, &e);
		pos += k;
	}
	if (o->rc == QV_OK)
		o->rc = netrc_finish(&p, &e);
	netrc_clear(&p);
	if (o->rc == QV_OK) {
		struct netrc_creds c;
		bool found;

		FUZZ_CHECK(netrc_lookup((const char *)d, n, host, &c, &found, &e) == QV_OK);
		FUZZ_CHECK(!found || c.has_login || c.has_password);
	}
}

static bool same(const struct outcome *a, const struct outcome *b)
{
	return a->rc == b->rc && a->entries == b->entries && a->count == b->count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char host[65];
	const uint8_t *nl = memchr(data, '\n', size < 64 ? size : 64);
	size_t hn = nl != NULL ? (size_t)(nl - data) : 0, i;
	struct outcome whole, other;

	for (i = 0; i < hn; i++) {
		char c = (char)data[i];

		host[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		if (host[i] == '\0')
			host[i] = 'x';
	}
	host[hn] = '\0';
	data += nl != NULL ? hn + 1 : 0;
	size -= nl != NULL ? hn + 1 : 0;
	run(host, data, size, SPLIT_WHOLE, 0, &whole);
	run(host, data, size, SPLIT_BYTES, 0, &other);
	FUZZ_CHECK(same(&whole, &other));
	run(host, data, size, SPLIT_RANDOM, fuzz_hash(data, size), &other);
	FUZZ_CHECK(same(&whole, &other));
	return 0;
}
