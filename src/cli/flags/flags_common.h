/* flags_common.h - what flags, flags2/flags3 and demo share: the book's
 * country codes, site and directory, the --site check, and the seed run
 * ("download these flags with this engine, print like flags.py") of flags
 * and demo.  Each command's options are its own (cli/opt.h). */
#ifndef QV_CLI_FLAGS_FLAGS_COMMON_H
#define QV_CLI_FLAGS_FLAGS_COMMON_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/engine.h"
#include "util/err.h"

/* flags.py's POP20_CC, in the book's order. */
#define FLAGS_POP20 "CN IN US ID BR PK NG BD RU KR MX PH VN ET EG DE IR TR CD FR"
#define FLAGS_SITE_DEFAULT "https://www.fluentpython.com/data/flags"
#define FLAGS_DIR_DEFAULT "downloaded"
/* The book's httpx timeout=6.1 (per phase: connect, read, write). */
#define FLAGS_TIMEOUT_MS 6100u
/* Every two-letter code AA..ZZ (flags2 -e): the most a run can ask for. */
#define FLAGS_CODES_MAX 676u

/* A sorted, duplicate-free list of upper-case codes. */
struct flags_codes {
	char cc[FLAGS_CODES_MAX][3];
	size_t count;
};

struct flags_run_cfg {
	enum engine_kind engine;
	unsigned workers;              /* concurrency for threads/poll */
	const char *site;              /* validated, without trailing '/' */
	const char *dir;               /* created if missing */
	uint32_t timeout_ms;           /* per phase */
	const struct flags_codes *codes;
	const volatile sig_atomic_t *stop; /* may be NULL */
	FILE *out;                     /* "CC " ... "\nN downloads in S.SSs\n" */
	FILE *errout;                  /* "CC error: message" lines */
	struct tls_client *tls;        /* for https sites (tls/client.h) */
};

struct flags_run_report {
	unsigned ok;
	unsigned failed;
	double secs;
	struct engine_stats stats;
	struct qv_error err;           /* run-level failure (not per flag) */
};

/* min(32, ncpu + 4), ThreadPoolExecutor's default number of workers. */
unsigned flags_default_workers(void);

/* Add the codes of the space-separated list (e.g. FLAGS_POP20). */
void flags_codes_add_list(struct flags_codes *c, const char *list);
/* Add one code: two ASCII letters, any case.  false when not a code. */
bool flags_codes_add(struct flags_codes *c, const char *s);
/* Sort and remove duplicates (seq downloads in sorted order). */
void flags_codes_sort(struct flags_codes *c);

/* Check a --site URL (http/https, no query or fragment) and copy it to out
 * without trailing slashes.  On error fills err with a reason. */
enum qv_err flags_site_check(const char *site, char *out, size_t cap, struct qv_error *err);

/* "{site}/{cc}/{cc}.gif" with cc lower-cased.  Returns the length, 0 when it
 * does not fit in cap. */
size_t flags_url(const char *site, const char *cc, char *out, size_t cap);

/* Download the flags with the seed's output.  Returns QV_OK when the run
 * went through (flags may have failed: see rep->failed), QV_E_INTERRUPTED,
 * or a run-level error (directory, memory, engine missing) in rep->err. */
enum qv_err flags_run(const struct flags_run_cfg *cfg, struct flags_run_report *rep);

#endif
