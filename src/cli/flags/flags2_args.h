/* flags2_args.h - the command line of flags2 and flags3 (the book's
 * flags2_common.py process_args and expand_cc_args): options, the
 * country-code list, and the book's usage errors. */
#ifndef QV_CLI_FLAGS_FLAGS2_ARGS_H
#define QV_CLI_FLAGS_FLAGS2_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/flags/flags_common.h"
#include "cli/output.h"
#include "engine/engine.h"
#include "http/url.h"

/* flags2_common.py's SERVERS, and its DEFAULT_SERVER. */
#define FLAGS2_SITE_LOCAL "http://localhost:8000/flags"
#define FLAGS2_SITE_DELAY "http://localhost:8001/flags"
#define FLAGS2_SITE_ERROR "http://localhost:8002/flags"
#define FLAGS2_SITE_REMOTE FLAGS_SITE_DEFAULT
#define FLAGS2_SERVER_DEFAULT "LOCAL"
/* The book's asyncio, threadpool and sequential defaults for -m. */
#define FLAGS2_REQ_POLL 5u
#define FLAGS2_REQ_THREADS 30u
#define FLAGS2_REQ_SEQ 1u
/* MAX_CONCUR_REQ of the concurrent versions. */
#define FLAGS2_REQ_MAX 1000u
/* The book's httpx timeout=3.1 in flags2 (per phase). */
#define FLAGS2_TIMEOUT_MS 3100u
/* "CUSTOM" is the longest label. */
#define FLAGS2_LABEL_MAX 8

struct flags2_args {
	bool flags3;                /* flags3: metadata.json and Country_Name.gif */
	enum engine_kind engine;
	unsigned max_req;           /* -m as given, 0: the engine's default */
	bool verbose;
	char label[FLAGS2_LABEL_MAX]; /* LOCAL, REMOTE, DELAY, ERROR or CUSTOM */
	char site[URL_MAX];         /* without a trailing '/' */
	const char *dir;
	uint32_t timeout_ms;
	const char *cacert;         /* --cacert FILE, NULL: default trust */
	bool insecure;              /* -k */
	struct cli_out_want out;
	struct flags_codes codes;   /* sorted, unique, limited */
};

/* Parse argv (argv[0] is the command name).  Returns -1 to go on, or the
 * exit status after printing help (0) or a usage error (2) on out. */
int flags2_parse(struct flags2_args *a, bool flags3, int argc, char **argv, FILE *out);

/* Connections the run uses: min(-m or the engine default, the engine's
 * maximum (1 for seq), the number of codes), as the book's actual_req. */
unsigned flags2_connections(const struct flags2_args *a);

#endif
