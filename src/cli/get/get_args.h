/* get_args.h - the command line of `quiver get` (curl/wget spellings where
 * one exists) and its --help text. */
#ifndef QV_CLI_GET_GET_ARGS_H
#define QV_CLI_GET_GET_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/output.h"
#include "engine/engine.h"
#include "http/req.h"
#include "transfer/transfer.h"
#include "util/digest.h"

/* Defaults (DESIGN §1). */
#define GET_PARALLEL_DEFAULT 8u
#define GET_PER_HOST_DEFAULT 6u
#define GET_MAX_REDIRS_DEFAULT 20u
#define GET_IDLE_TIMEOUT_MS 30000u
/* A connect that takes this long (DNS + TCP + TLS) will not succeed. */
#define GET_CONNECT_TIMEOUT_MS 30000u
/* First retry backoff (doubled each time, jittered), as curl's --retry. */
#define GET_RETRY_DELAY_MS 1000u
/* Backoff cap; Retry-After may ask for up to XFER_RETRY_AFTER_FACTOR times it. */
#define GET_RETRY_MAX_MS 30000u
/* --parallel above this only burns descriptors. */
#define GET_PARALLEL_MAX 1000u
/* --retry above this is a typo. */
#define GET_RETRY_MAX 100u
/* --max-redirs above this is a typo. */
#define GET_REDIRS_MAX 1000u

struct get_args {
	const char **urls;          /* positional URLs: pointers into argv */
	size_t nurls;
	const char *input;          /* -i FILE, "-" for stdin, NULL: none */
	const char *dir;            /* -o DIR, NULL: the current directory */
	const char *out_name;       /* -O NAME (one URL only) */
	bool name_by_index;         /* --name-by index: names from line numbers,
				     * the list streamed (get_stream.h) */
	const char *summary;        /* --summary FILE, NULL: none */
	bool to_stdout;             /* -O -: the body to standard output */
	bool auto_rename;
	unsigned parallel;
	enum engine_kind engine;
	bool engine_given;          /* --engine was on the command line */
	unsigned per_host;
	unsigned max_redirs;
	uint32_t connect_timeout_ms;
	uint32_t idle_timeout_ms;
	uint32_t max_time_ms;       /* 0: none */
	unsigned retries;
	uint32_t retry_delay_ms;
	bool resume;                /* -c */
	bool resume_unsafe;         /* --continue-unsafe: resume without a validator */
	uint64_t limit_rate;        /* bytes/s per transfer, 0: none */
	uint64_t limit_rate_total;  /* bytes/s for the run, 0: none */
	const char *headers[HTTP_REQ_EXTRA_MAX];
	size_t nheaders;
	const char *user_agent;     /* NULL: quiver's */
	const char *cacert;
	const char *cadir;          /* wget's --ca-directory: a hashed directory
				     * instead of $SSL_CERT_FILE/$SSL_CERT_DIR */
	bool insecure;
	bool allow_downgrade;
	uint64_t max_filesize;      /* 0: none */
	bool fsync;
	bool skip_existing;
	bool timestamping;          /* -N: If-Modified-Since the existing file's mtime */
	bool no_timestamp;          /* --no-timestamp: no mtime from Last-Modified */
	struct digest_want checksum; /* --checksum ALGO=HEX (one URL) */
	const char *checksum_file;  /* --checksum-file FILE */
	bool checksum_optional;     /* names missing from it are not an error */
	unsigned digests;           /* --digest: 1u << DIGEST_* of each asked */
	const char *json;           /* --json FILE or "-", NULL: none */
	const char *shard;          /* --shard K/N or auto, NULL: none */
	unsigned shards;            /* --shards N (for --shard auto) */
	bool dry_run;
	const char *proxy;          /* -x URL */
	const char *noproxy;        /* --noproxy LIST (NULL: not given) */
	const char *proxy_user;     /* --proxy-user USER:PASS */
	const char *user;           /* -u USER[:PASS] / --user */
	const char *password;       /* --password (wget's spelling) */
	bool netrc;                 /* --netrc: $NETRC or ~/.netrc if it exists */
	const char *netrc_file;     /* --netrc-file FILE */
	enum net_family family;     /* -4 / -6 */
	struct cli_out_want out;
	/* Set by the wget mode (cli/wget/), not by get's options: */
	const char *prog;           /* message prefix: "quiver get" or "wget" */
	bool gnu_names;             /* a name taken by an earlier URL or by a file
				     * in the directory becomes NAME.1, NAME.2 ...
				     * (GNU wget) instead of a clash */
	bool resume_final;          /* -c without NAME.part continues NAME itself */
	bool spider;                /* nothing saved (wget --spider) */
	bool stdout_all;            /* -O - takes every URL's body, one after
				     * the other (with parallel 1), as wget */
	/* the request shape and -S hook, copied into xfer_opts (transfer.h) */
	const char *method;
	const uint8_t *body;
	size_t body_len;
	bool has_body;
	const char *body_type;
	xfer_head_fn on_head;
	void *head_ctx;
};

/* get's defaults in a (no allocation): what get_args_parse starts from,
 * and the wget mode too. */
void get_args_defaults(struct get_args *a);

/* Parse argv (argv[0] is "get").  Returns -1 to go on, or the exit status
 * after --help (0, printed on out) or a usage error (2, message on err).
 * a->urls is allocated: free it with get_args_free. */
int get_args_parse(struct get_args *a, int argc, char **argv, FILE *out, FILE *err);
void get_args_free(struct get_args *a);

/* "usage: quiver get ..." (the short form, for usage errors). */
void get_usage(FILE *f);

#endif
