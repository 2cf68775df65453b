/* fuzz_netrc.c - libFuzzer target for the .netrc tokenizer (src/cli/netrc.c).
 *
 * Input: up to the first newline, the host to look up (lower-cased, at most
 * 64 bytes); the rest is the file.  Fed whole, one byte at a time and in
 * random splits, the lookup must give the same outcome, and a found login or
 * password is always NUL-terminated within its bound. */
#include <stdbool.h>
#include <string.h>

#include "cli/netrc.h"
#include "fuzz.h"

struct outcome {
	enum qv_err rc;
	bool found;
	struct netrc_creds c;
};

enum split { SPLIT_WHOLE = 0, SPLIT_BYTES, SPLIT_RANDOM };

static void run(const char *host, const uint8_t *d, size_t n, enum split how, uint64_t seed,
		struct outcome *o)
{
	struct netrc_parser p;
	struct qv_error e;
	size_t pos = 0;

	memset(o, 0, sizeof *o);
	netrc_init(&p, host);
	while (pos < n && o->rc == QV_OK) {
		size_t k = how == SPLIT_WHOLE ? n - pos : how == SPLIT_BYTES ? 1 : fuzz_piece(&seed, n - pos);

		o->rc = netrc_feed(&p, (const char *)d + pos, k, &e);
		pos += k;
	}
	if (o->rc == QV_OK)
		o->rc = netrc_finish(&p, &o->c, &o->found, &e);
	netrc_clear(&p);
	FUZZ_CHECK(memchr(o->c.login, '\0', sizeof o->c.login) != NULL);
	FUZZ_CHECK(memchr(o->c.password, '\0', sizeof o->c.password) != NULL);
}

static bool same(const struct outcome *a, const struct outcome *b)
{
	return a->rc == b->rc && a->found == b->found && strcmp(a->c.login, b->c.login) == 0 &&
	       strcmp(a->c.password, b->c.password) == 0;
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
