/* fuzz_sumfile.c - libFuzzer target for the checksum file reader
 * (src/cli/get/sumfile.c).
 *
 * Fed whole, one byte at a time and in random splits, the reader must hand
 * over the same entries; each entry's name is NUL-terminated within
 * SUMFILE_LINE_MAX, as long as it says, and free of NUL; its algorithm is
 * SHA-256 or SHA-512.  A GNU line written back from an entry (hex, two
 * spaces, the name when it needs no escape) must read back the same. */
#include <stdbool.h>
#include <string.h>

#include "cli/get/sumfile.h"
#include "fuzz.h"

struct outcome {
	enum qv_err rc;
	uint64_t entries;           /* FNV-1a over every entry */
	unsigned count;
};

static enum qv_err entry(void *ctx, const struct sumfile_entry *e, struct qv_error *err)
{
	struct outcome *o = ctx;
	size_t len = digest_len(e->want.algo);
	char line[SUMFILE_LINE_MAX + 8], name[SUMFILE_LINE_MAX];
	struct sumfile_entry back;

	(void)err;
	FUZZ_CHECK(len == 32 || len == 64);
	FUZZ_CHECK(e->name_len > 0 && e->name_len < SUMFILE_LINE_MAX);
	FUZZ_CHECK(strlen(e->name) == e->name_len);
	o->entries = fuzz_hash((const uint8_t *)e->name, e->name_len) ^ (o->entries * 31u);
	o->entries ^= fuzz_hash(e->want.sum, len) * 7u + e->line;
	o->count++;
	if (2 * len + 2 + e->name_len < sizeof line && strpbrk(e->name, "\\\n\r") == NULL) {
		digest_hex(e->want.sum, len, line);
		line[2 * len] = ' ';
		line[2 * len + 1] = ' ';
		memcpy(line + 2 * len + 2, e->name, e->name_len);
		FUZZ_CHECK(sumfile_line(line, 2 * len + 2 + e->name_len, &back, name));
		FUZZ_CHECK(back.want.algo == e->want.algo && memcmp(back.want.sum, e->want.sum, len) == 0);
		FUZZ_CHECK(back.name_len == e->name_len && memcmp(name, e->name, e->name_len) == 0);
	}
	return QV_OK;
}

enum split { SPLIT_WHOLE = 0, SPLIT_BYTES, SPLIT_RANDOM };

static void run(const uint8_t *d, size_t n, enum split how, uint64_t seed, struct outcome *o)
{
	static struct sumfile_parser p;
	struct qv_error e;
	size_t pos = 0;

	memset(o, 0, sizeof *o);
	sumfile_init(&p, entry, o);
	while (pos < n && o->rc == QV_OK) {
		size_t k = how == SPLIT_WHOLE ? n - pos : how == SPLIT_BYTES ? 1 : fuzz_piece(&seed, n - pos);

		o->rc = sumfile_feed(&p, (const char *)d + pos, k, &e);
		pos += k;
	}
	if (o->rc == QV_OK)
		o->rc = sumfile_finish(&p, &e);
}

static bool same(const struct outcome *a, const struct outcome *b)
{
	return a->rc == b->rc && a->entries == b->entries && a->count == b->count;
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
