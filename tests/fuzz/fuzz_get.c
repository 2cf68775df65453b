/* fuzz_get.c - libFuzzer target for the `quiver get` command line
 * (src/cli/get/get_args.c over the scanner src/cli/opt.c and the number
 * parser src/cli/num.c), and the K/N of --shard (src/cli/get/shard.c).
 *
 * The input is an argument vector: NUL bytes separate the arguments (at most
 * ARGS_MAX).  Beside the parser, the target keeps its own reference: it
 * walks the same vector with every value option taken as plain text, and
 * judges each numeric value with an independent 128-bit decimal reading.
 * Invariants:
 *   - parse never crashes and ends in "go on" (nothing printed), help (0,
 *     on out) or a usage error (2, "quiver get: ...", then the usage);
 *   - accepted: every numeric option given was valid, and each field equals
 *     the decimal value of the last one given (or its default) - no value is
 *     wrapped, rounded or cut;
 *   - a numeric refusal names the option and quotes a value the reference
 *     refuses too; with every value valid there is no numeric refusal;
 *   - --shard K/N: accepted exactly when K < N <= SHARD_N_MAX, with K and N
 *     as given. */
#include <stdbool.h>
#include <string.h>

#include "cli/get/get_args.h"
#include "cli/get/shard.h"
#include "cli/num.h"
#include "cli/opt.h"
#include "fuzz.h"

/* More arguments than any option sequence needs to reach every state. */
#define ARGS_MAX 64
/* Room for the help text and any usage error (a quoted value is at most
 * the whole input, which libFuzzer keeps below this by -max_len). */
#define OUT_MAX 16384

typedef unsigned __int128 u128;

/* The numeric options of get, as the help and DESIGN §1 define them. */
enum ref_kind { REF_UINT, REF_SECS, REF_SIZE };
struct ref_opt {
	int id;
	char short_name;
	const char *long_name;
	enum ref_kind kind;
	uint64_t min, max;
	uint64_t dflt;
};

enum {
	R_PARALLEL = 1, R_PER_HOST, R_MAX_REDIRS, R_CONNECT_TIMEOUT, R_TIMEOUT, R_MAX_TIME,
	R_RETRY, R_RETRY_DELAY, R_LIMIT_RATE, R_LIMIT_RATE_TOTAL, R_MAX_FILESIZE, R_SHARDS, R_NUMS,
	R_TEXT = 100, R_FLAG = 200
};

static const struct ref_opt nums[] = {
	{R_PARALLEL, 'j', "parallel", REF_UINT, 1, 1000, GET_PARALLEL_DEFAULT},
	{R_PER_HOST, '\0', "per-host", REF_UINT, 1, 1000, GET_PER_HOST_DEFAULT},
	{R_MAX_REDIRS, '\0', "max-redirs", REF_UINT, 0, 1000, GET_MAX_REDIRS_DEFAULT},
	{R_CONNECT_TIMEOUT, '\0', "connect-timeout", REF_SECS, 1, 86400000, GET_CONNECT_TIMEOUT_MS},
	{R_TIMEOUT, '\0', "timeout", REF_SECS, 1, 86400000, GET_IDLE_TIMEOUT_MS},
	{R_MAX_TIME, '\0', "max-time", REF_SECS, 1, 86400000, 0},
	{R_RETRY, '\0', "retry", REF_UINT, 0, 100, 0},
	{R_RETRY_DELAY, '\0', "retry-delay", REF_SECS, 1, 86400000, GET_RETRY_DELAY_MS},
	{R_LIMIT_RATE, '\0', "limit-rate", REF_SIZE, 1, 1ull << 62, 0},
	{R_LIMIT_RATE_TOTAL, '\0', "limit-rate-total", REF_SIZE, 1, 1ull << 62, 0},
	{R_MAX_FILESIZE, '\0', "max-filesize", REF_SIZE, 1, 1ull << 62, 0},
	{R_SHARDS, '\0', "shards", REF_UINT, 1, 1000000, 0},
};
#define NNUMS (sizeof nums / sizeof nums[0])

/* The reference scanner's table: get's options with every value as text. */
static struct opt_spec specs[64];
static size_t nspecs;

static void specs_init(void)
{
	static const struct {
		char s;
		const char *l;
		bool value;
	} others[] = {
		{'h', "help", false}, {'i', "input-file", true}, {'o', "output-dir", true},
		{'O', "output", true}, {'\0', "auto-rename", false}, {'\0', "engine", true},
		{'L', "location", false}, {'c', "continue", false}, {'H', "header", true},
		{'A', "user-agent", true}, {'\0', "cacert", true}, {'k', "insecure", false},
		{'\0', "allow-downgrade", false}, {'\0', "fsync", false},
		{'\0', "skip-existing", false}, {'\0', "json", true}, {'q', "quiet", false},
		{'v', "verbose", false}, {'\0', "progress", true}, {'\0', "shard", true},
		{'n', "dry-run", false}, {'x', "proxy", true}, {'\0', "noproxy", true},
		{'\0', "proxy-user", true}, {'u', "user", true}, {'\0', "password", true},
		{'\0', "netrc", false}, {'\0', "netrc-file", true}, {'4', "ipv4", false},
		{'6', "ipv6", false}, {'\0', "name-by", true}, {'\0', "summary", true},
		{'\0', "checksum", true}, {'\0', "checksum-file", true},
		{'\0', "checksum-optional", false}, {'\0', "digest", true},
		{'N', "timestamping", false}, {'\0', "no-timestamp", false},
		{'R', "remote-time", false}, {'\0', "continue-unsafe", false},
	};
	size_t i;

	if (nspecs > 0)
		return;
	for (i = 0; i < NNUMS; i++)
		specs[nspecs++] = (struct opt_spec){nums[i].id, nums[i].short_name, OPT_TEXT, 0,
						    nums[i].long_name, 0};
	for (i = 0; i < sizeof others / sizeof others[0]; i++)
		specs[nspecs++] = (struct opt_spec){others[i].value ? R_TEXT : R_FLAG, others[i].s,
						    others[i].value ? OPT_TEXT : OPT_FLAG, 0,
						    others[i].l, 0};
}

/* Decimal digits from *p on into *v, saturating far above 2^64 (2^90:
 * times 1000 or 2^30 still fits 128 bits). */
static size_t ref_digits(const char **p, u128 *v)
{
	size_t n = 0;

	for (; **p >= '0' && **p <= '9'; (*p)++, n++)
		*v = *v > ((u128)1 << 90) ? *v : *v * 10 + (unsigned)(**p - '0');
	return n;
}

/* Whether s is a valid value of o (the help's grammar: digits, seconds with
 * at most 3 decimals, sizes with one k/M/G); *out its exact value then. */
static bool ref_valid(const struct ref_opt *o, const char *s, uint64_t *out)
{
	u128 v = 0, frac = 0;
	size_t whole, fd = 0;

	whole = ref_digits(&s, &v);
	if (o->kind == REF_SECS && *s == '.') {
		s++;
		fd = ref_digits(&s, &frac);
		if (fd == 0 || fd > 3)
			return false;
	}
	if (whole + fd == 0)
		return false;
	if (o->kind == REF_SECS) {
		for (; fd < 3; fd++)
			frac *= 10;
		v = v * 1000 + frac;
	}
	if (o->kind == REF_SIZE && *s != '\0') {
		const char *u = strchr("kKmMgG", *s);

		if (u == NULL)
			return false;
		v <<= (unsigned)(u - "kKmMgG") / 2 * 10 + 10;
		s++;
	}
	if (*s != '\0' || v < o->min || v > o->max)
		return false;
	*out = (uint64_t)v;
	return true;
}

static uint64_t field(const struct get_args *a, int id)
{
	switch (id) {
	case R_PARALLEL: return a->parallel;
	case R_PER_HOST: return a->per_host;
	case R_MAX_REDIRS: return a->max_redirs;
	case R_CONNECT_TIMEOUT: return a->connect_timeout_ms;
	case R_TIMEOUT: return a->idle_timeout_ms;
	case R_MAX_TIME: return a->max_time_ms;
	case R_RETRY: return a->retries;
	case R_RETRY_DELAY: return a->retry_delay_ms;
	case R_LIMIT_RATE: return a->limit_rate;
	case R_LIMIT_RATE_TOTAL: return a->limit_rate_total;
	case R_MAX_FILESIZE: return a->max_filesize;
	default: return a->shards;
	}
}

/* What the reference walk found. */
struct ref {
	const char *last[R_NUMS];   /* last text given per numeric option */
	const struct ref_opt *bad;  /* the first numeric value refused ... */
	const char *bad_text;       /* ... and its text */
};

static void ref_walk(struct ref *r, int argc, char **argv)
{
	struct opt_iter it;
	const char *v;
	uint64_t x;
	int id;

	memset(r, 0, sizeof *r);
	opt_init(&it, argc, argv);
	while ((id = opt_next(&it, specs, nspecs, &v)) != OPT_END) {
		if (id < 0 && id != OPT_ARG)
			return; /* the parser stops at a scanner error too */
		if (id <= 0 || id >= R_NUMS)
			continue;
		r->last[id] = v;
		if (r->bad == NULL && !ref_valid(&nums[id - 1], v, &x)) {
			r->bad = &nums[id - 1];
			r->bad_text = v;
		}
	}
}

/* "quiver get: -j/--parallel wants " for o. */
static void refusal_prefix(const struct ref_opt *o, char *buf, size_t cap)
{
	if (o->short_name != '\0')
		(void)snprintf(buf, cap, "quiver get: -%c/--%s wants ", o->short_name, o->long_name);
	else
		(void)snprintf(buf, cap, "quiver get: --%s wants ", o->long_name);
}

/* The numeric option err refuses a value of, or NULL. */
static const struct ref_opt *refused(const char *err)
{
	char prefix[64];
	size_t i;

	for (i = 0; i < NNUMS; i++) {
		refusal_prefix(&nums[i], prefix, sizeof prefix);
		if (strncmp(err, prefix, strlen(prefix)) == 0)
			return &nums[i];
	}
	return NULL;
}

static const char *env_none(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

/* --shard K/N against the reference. */
static void check_shard(const char *spec)
{
	static const struct ref_opt k_ref = {0, 0, "", REF_UINT, 0, UINT32_MAX - 1u, 0};
	const char *slash = strchr(spec, '/');
	struct qv_error err;
	struct shard s;
	char k_text[32];
	uint64_t k = 0, n = 0;
	bool ok;
	enum qv_err rc;

	if (strcmp(spec, "auto") == 0)
		return;
	rc = shard_parse(&s, spec, 0, env_none, NULL, &err);
	ok = slash != NULL && (size_t)(slash - spec) < sizeof k_text;
	if (ok) {
		memcpy(k_text, spec, (size_t)(slash - spec));
		k_text[slash - spec] = '\0';
		ok = ref_valid(&k_ref, k_text, &k) && ref_valid(&k_ref, slash + 1, &n) && n >= 1 &&
		     n <= SHARD_N_MAX && k < n;
	}
	FUZZ_CHECK(ok == (rc == QV_OK));
	if (ok)
		FUZZ_CHECK(s.k == k && s.n == n);
}

static void check_accepted(const struct get_args *a, const struct ref *r, int argc, char **argv)
{
	size_t i;
	uint64_t want;

	FUZZ_CHECK(r->bad == NULL);
	for (i = 0; i < NNUMS; i++) {
		const char *t = r->last[nums[i].id];

		want = nums[i].dflt;
		if (t != NULL)
			FUZZ_CHECK(ref_valid(&nums[i], t, &want));
		FUZZ_CHECK(field(a, nums[i].id) == want);
	}
	for (i = 0; i < a->nurls; i++) { /* URLs are whole arguments */
		int j;
		bool found = false;

		for (j = 1; j < argc && !found; j++)
			found = a->urls[i] == argv[j];
		FUZZ_CHECK(found);
	}
	if (a->shard != NULL)
		check_shard(a->shard);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char name[] = "get";
	static char out_text[OUT_MAX], err_text[OUT_MAX];
	char *copy = malloc(size + 1), *argv[ARGS_MAX + 2];
	struct get_args a;
	struct ref r;
	FILE *out, *err;
	int argc = 0, st;
	size_t i, start = 0;

	FUZZ_CHECK(copy != NULL);
	specs_init();
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = name;
	for (i = 0; i <= size && argc <= ARGS_MAX; i++) {
		if (i == size || copy[i] == '\0') {
			if (i > start || i < size) /* an empty argument is an argument */
				argv[argc++] = copy + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	memset(out_text, 0, sizeof out_text);
	memset(err_text, 0, sizeof err_text);
	out = fmemopen(out_text, sizeof out_text - 1, "w");
	err = fmemopen(err_text, sizeof err_text - 1, "w");
	FUZZ_CHECK(out != NULL && err != NULL);
	st = get_args_parse(&a, argc, argv, out, err);
	FUZZ_CHECK(fclose(out) == 0 && fclose(err) == 0);
	ref_walk(&r, argc, argv);
	if (st == -1) {
		FUZZ_CHECK(out_text[0] == '\0' && err_text[0] == '\0');
		check_accepted(&a, &r, argc, argv);
	} else if (st == 0) {
		FUZZ_CHECK(strncmp(out_text, "usage: quiver get ", 18) == 0 && err_text[0] == '\0');
	} else {
		FUZZ_CHECK(st == 2 && out_text[0] == '\0');
		FUZZ_CHECK(strncmp(err_text, "quiver get: ", 12) == 0);
		FUZZ_CHECK(strstr(err_text, "\nusage: quiver get ") != NULL);
		if (refused(err_text) != NULL) {
			/* the first value the reference refuses, quoted whole */
			size_t n = strlen(r.bad_text != NULL ? r.bad_text : "") + 32;
			char *tail = malloc(n);

			FUZZ_CHECK(tail != NULL);
			FUZZ_CHECK(r.bad != NULL && refused(err_text) == r.bad);
			(void)snprintf(tail, n, ", not '%s'\nusage: quiver get ", r.bad_text);
			FUZZ_CHECK(strstr(err_text, tail) != NULL);
			free(tail);
		}
	}
	get_args_free(&a);
	free(copy);
	return 0;
}
