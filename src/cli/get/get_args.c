/* get_args.c - `quiver get` options (see get_args.h). */
#include "cli/get/get_args.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/get/shard.h"
#include "cli/num.h"
#include "cli/opt.h"

enum {
	G_HELP = 1, G_INPUT, G_DIR, G_NAME, G_AUTO_RENAME, G_PARALLEL, G_ENGINE, G_PER_HOST,
	G_LOCATION, G_MAX_REDIRS, G_CONNECT_TIMEOUT, G_TIMEOUT, G_MAX_TIME, G_RETRY,
	G_RETRY_DELAY, G_CONTINUE, G_LIMIT_RATE, G_HEADER, G_USER_AGENT, G_CACERT, G_INSECURE,
	G_DOWNGRADE, G_MAX_FILESIZE, G_FSYNC, G_SKIP_EXISTING, G_JSON, G_QUIET, G_VERBOSE,
	G_PROGRESS, G_SHARD, G_SHARDS, G_DRY_RUN, G_PROXY, G_NOPROXY, G_PROXY_USER, G_USER,
	G_PASSWORD, G_NETRC, G_NETRC_FILE, G_IPV4, G_IPV6, G_LIMIT_RATE_TOTAL, G_NAME_BY, G_SUMMARY,
	G_CHECKSUM, G_CHECKSUM_FILE, G_CHECKSUM_OPTIONAL, G_DIGEST, G_TIMESTAMPING, G_NO_TIMESTAMP,
	G_REMOTE_TIME, G_CONTINUE_UNSAFE
};

/* {id, short, kind, min, long, max} */
static const struct opt_spec get_opts[] = {
	{G_HELP, 'h', OPT_FLAG, 0, "help", 0},
	{G_INPUT, 'i', OPT_TEXT, 0, "input-file", 0},
	{G_DIR, 'o', OPT_TEXT, 0, "output-dir", 0},
	{G_NAME, 'O', OPT_TEXT, 0, "output", 0},
	{G_AUTO_RENAME, '\0', OPT_FLAG, 0, "auto-rename", 0},
	{G_PARALLEL, 'j', OPT_UINT, 1, "parallel", GET_PARALLEL_MAX},
	{G_ENGINE, '\0', OPT_TEXT, 0, "engine", 0},
	{G_PER_HOST, '\0', OPT_UINT, 1, "per-host", GET_PARALLEL_MAX},
	{G_LOCATION, 'L', OPT_FLAG, 0, "location", 0},
	{G_MAX_REDIRS, '\0', OPT_UINT, 0, "max-redirs", GET_REDIRS_MAX},
	{G_CONNECT_TIMEOUT, '\0', OPT_SECS, 1, "connect-timeout", NUM_SECS_MAX_MS},
	{G_TIMEOUT, '\0', OPT_SECS, 1, "timeout", NUM_SECS_MAX_MS},
	{G_MAX_TIME, '\0', OPT_SECS, 1, "max-time", NUM_SECS_MAX_MS},
	{G_RETRY, '\0', OPT_UINT, 0, "retry", GET_RETRY_MAX},
	{G_RETRY_DELAY, '\0', OPT_SECS, 1, "retry-delay", NUM_SECS_MAX_MS},
	{G_CONTINUE, 'c', OPT_FLAG, 0, "continue", 0},
	{G_LIMIT_RATE, '\0', OPT_SIZE, 1, "limit-rate", NUM_SIZE_MAX},
	{G_LIMIT_RATE_TOTAL, '\0', OPT_SIZE, 1, "limit-rate-total", NUM_SIZE_MAX},
	{G_HEADER, 'H', OPT_TEXT, 0, "header", 0},
	{G_USER_AGENT, 'A', OPT_TEXT, 0, "user-agent", 0},
	{G_CACERT, '\0', OPT_TEXT, 0, "cacert", 0},
	{G_INSECURE, 'k', OPT_FLAG, 0, "insecure", 0},
	{G_DOWNGRADE, '\0', OPT_FLAG, 0, "allow-downgrade", 0},
	{G_MAX_FILESIZE, '\0', OPT_SIZE, 1, "max-filesize", NUM_SIZE_MAX},
	{G_FSYNC, '\0', OPT_FLAG, 0, "fsync", 0},
	{G_SKIP_EXISTING, '\0', OPT_FLAG, 0, "skip-existing", 0},
	{G_JSON, '\0', OPT_TEXT, 0, "json", 0},
	{G_QUIET, 'q', OPT_FLAG, 0, "quiet", 0},
	{G_VERBOSE, 'v', OPT_FLAG, 0, "verbose", 0},
	{G_PROGRESS, '\0', OPT_TEXT, 0, "progress", 0},
	{G_SHARD, '\0', OPT_TEXT, 0, "shard", 0},
	{G_SHARDS, '\0', OPT_UINT, 1, "shards", SHARD_N_MAX},
	{G_DRY_RUN, 'n', OPT_FLAG, 0, "dry-run", 0},
	{G_PROXY, 'x', OPT_TEXT, 0, "proxy", 0},
	{G_NOPROXY, '\0', OPT_TEXT, 0, "noproxy", 0},
	{G_PROXY_USER, '\0', OPT_TEXT, 0, "proxy-user", 0},
	{G_USER, 'u', OPT_TEXT, 0, "user", 0},
	{G_PASSWORD, '\0', OPT_TEXT, 0, "password", 0},
	{G_NETRC, '\0', OPT_FLAG, 0, "netrc", 0},
	{G_NETRC_FILE, '\0', OPT_TEXT, 0, "netrc-file", 0},
	{G_IPV4, '4', OPT_FLAG, 0, "ipv4", 0},
	{G_IPV6, '6', OPT_FLAG, 0, "ipv6", 0},
	{G_NAME_BY, '\0', OPT_TEXT, 0, "name-by", 0},
	{G_SUMMARY, '\0', OPT_TEXT, 0, "summary", 0},
	{G_CHECKSUM, '\0', OPT_TEXT, 0, "checksum", 0},
	{G_CHECKSUM_FILE, '\0', OPT_TEXT, 0, "checksum-file", 0},
	{G_CHECKSUM_OPTIONAL, '\0', OPT_FLAG, 0, "checksum-optional", 0},
	{G_DIGEST, '\0', OPT_TEXT, 0, "digest", 0},
	{G_TIMESTAMPING, 'N', OPT_FLAG, 0, "timestamping", 0},
	{G_NO_TIMESTAMP, '\0', OPT_FLAG, 0, "no-timestamp", 0},
	{G_REMOTE_TIME, 'R', OPT_FLAG, 0, "remote-time", 0},
	{G_CONTINUE_UNSAFE, '\0', OPT_FLAG, 0, "continue-unsafe", 0},
};
#define GET_NOPTS (sizeof get_opts / sizeof get_opts[0])

void get_usage(FILE *f)
{
	(void)fputs("usage: quiver get [options] URL... | -i FILE|-\n"
		    "       quiver get --help   (all options)\n",
		    f);
}

static void get_help(FILE *out)
{
	(void)fputs(
		"usage: quiver get [options] URL... | -i FILE|-\n\n"
		"Download http/https URLs in parallel.  Each goes to NAME.part and is renamed\n"
		"to NAME only when complete; NAME is the last path segment of the URL,\n"
		"percent-decoded and made safe (no '/', '..' or control bytes; index.html\n"
		"when empty).  Two URLs with one NAME are refused before anything starts.\n\n"
		"Input and output:\n"
		"  -i, --input-file FILE   read URLs from FILE ('-': stdin); one per line,\n"
		"                          blank lines and lines starting with '#' skipped;\n"
		"                          indented out=NAME, checksum=ALGO=HEX lines under\n"
		"                          a URL apply to it (aria2c's format)\n"
		"  -o, --output-dir DIR    save into DIR (created if missing; default .)\n"
		"  -O, --output NAME       save the one URL given as NAME ('-': to stdout)\n"
		"      --auto-rename       name clashes become NAME.1.EXT, NAME.2.EXT, ...\n"
		"      --name-by index     name files by line number and extension\n"
		"                          (000001234.jpg); the list is streamed, not held\n"
		"      --skip-existing     skip URLs whose file already exists\n"
		"  -N, --timestamping      fetch an existing file only if newer (304: kept)\n"
		"      --no-timestamp      do not date files by Last-Modified (-R: do)\n"
		"  -c, --continue          resume NAME.part with Range and If-Range (its\n"
		"                          validator in NAME.part.meta: a changed file\n"
		"                          restarts); keep .part files on failure\n"
		"      --continue-unsafe   resume without a validator too (-c, -O -)\n"
		"      --fsync             fsync each file before renaming it\n"
		"      --max-filesize SIZE fail files larger than SIZE (k, M, G suffixes)\n"
		"  -n, --dry-run           print URL<TAB>FILE for what would be fetched\n"
		"      --summary FILE      one JSON object at the end, atomically: shard,\n"
		"                          urls, fetched, skipped, failed, bytes, exit\n\n"
		"Connections:\n"
		"  -j, --parallel N        transfers at once (default 8, at most 1000)\n"
		"      --per-host N        connections per host (default 6)\n"
		"      --engine E          poll (default), threads or seq\n"
		"      --connect-timeout S DNS + connect + TLS handshake limit (default 30)\n"
		"      --timeout S         idle limit: no byte sent or received (default 30)\n"
		"      --max-time S        whole-transfer limit (default none)\n"
		"      --limit-rate RATE   bytes per second per transfer (k, M, G suffixes)\n"
		"      --limit-rate-total RATE  bytes per second for the whole run, shared\n"
		"                          evenly by the transfers running\n\n"
		"HTTP:\n"
		"  -L, --location          follow redirects (the default)\n"
		"      --max-redirs N      redirects followed at most (default 20)\n"
		"      --allow-downgrade   follow https -> http redirects\n"
		"  -H, --header 'N: V'     add or replace a request header ('N:' removes it)\n"
		"  -A, --user-agent UA     User-Agent header\n"
		"      --retry N           retry transient failures N times (connect errors,\n"
		"                          resets, timeouts, 408/429/5xx), exponential backoff\n"
		"                          with jitter, honouring Retry-After\n"
		"      --retry-delay S     first backoff (default 1; doubles each retry)\n"
		"  Any other non-2xx status fails the URL; the body is not saved.\n\n"
		"Integrity:\n"
		"      --checksum ALGO=HEX the one URL's sha-256=HEX or sha-512=HEX\n"
		"      --checksum-file F   digests by name: sha256sum lines, GNU or BSD\n"
		"      --checksum-optional names not in F are fetched unchecked\n"
		"      --digest ALGO       \"sha256\" (or sha512) in --json and -v lines\n"
		"  A mismatch saves nothing and is not retried.\n\n"
		"Networks and credentials:\n"
		"  -x, --proxy URL         HTTP proxy [http://][user:pass@]host[:port] (port\n"
		"                          1080); else http_proxy (lower case only),\n"
		"                          https_proxy/HTTPS_PROXY, all_proxy/ALL_PROXY.\n"
		"                          https URLs are tunnelled (CONNECT) and verified\n"
		"                          against the origin\n"
		"      --noproxy LIST      hosts never proxied (beats no_proxy/NO_PROXY):\n"
		"                          names and their subdomains, IPs, CIDR; '*': all\n"
		"      --proxy-user U:P    the proxy's credentials\n"
		"  -u, --user USER[:PASS]  Basic credentials for each URL's first origin\n"
		"                          (beat user:pass@ in the URL, which beats .netrc)\n"
		"      --password PASS     with --user USER (wget's spelling)\n"
		"      --netrc             credentials from $NETRC or ~/.netrc\n"
		"      --netrc-file FILE   credentials from FILE\n"
		"  -4, --ipv4 / -6, --ipv6 connect over IPv4 / IPv6 only (else both, an\n"
		"                          address every 250 ms until one answers)\n\n"
		"TLS:\n"
		"      --cacert FILE       trust the CA certificates in FILE (PEM)\n"
		"  -k, --insecure          do not verify certificates (prints a warning)\n\n"
		"Output:\n"
		"  -q, --quiet             print nothing but usage and setup errors\n"
		"  -v, --verbose           one line per file\n"
		"      --progress MODE     bar (default on a terminal), dot or none; never\n"
		"                          escape codes in files or pipes; NO_COLOR respected\n"
		"      --json FILE|-       one JSON object per URL per line: url, file,\n"
		"                          status, bytes, ms, attempts, error (null when ok)\n\n"
		"Sharding (one list over many machines):\n"
		"      --shard K/N         fetch only URLs whose key % N == K\n"
		"      --shard auto        K, N from SLURM_ARRAY_TASK_ID/_COUNT (minus _MIN,\n"
		"                          over _STEP), AWS_BATCH_JOB_ARRAY_INDEX/_SIZE,\n"
		"                          or JOB_COMPLETION_INDEX\n"
		"      --shards N          the count when the environment has none\n"
		"  key = fmix64(fnv1a64(URL bytes as listed)), mod 2^64:\n"
		"    fnv1a64: h = 0xcbf29ce484222325; per byte b: h ^= b; h *= 0x100000001b3\n"
		"    fmix64:  h ^= h>>33; h *= 0xff51afd7ed558ccd; h ^= h>>33;\n"
		"             h *= 0xc4ceb9fe1a85ec53; h ^= h>>33\n"
		"  Test vectors: \"\" -> key 0xefd01f60ba992926 (shard 6 of 16),\n"
		"  \"a\" -> 0x82a2a958a9bece5b (11 of 16), \"http://example.com/a.gif\" ->\n"
		"  0x16218a6ed172314a (10 of 16).\n"
		"  Names and clashes are decided over the whole list, so shards agree.\n\n"
		"Exit status: 0 all downloaded, 1 some failed, 2 usage error, 130 interrupted\n"
		"(SIGINT/SIGTERM: transfers stop, .part files are removed unless -c).\n",
		out);
}

static int get_bad(FILE *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int get_bad(FILE *err, const char *fmt, ...)
{
	va_list ap;

	(void)fputs("quiver get: ", err);
	va_start(ap, fmt);
	(void)vfprintf(err, fmt, ap);
	va_end(ap);
	(void)fputc('\n', err);
	get_usage(err);
	return 2;
}

/* Numeric options, already checked against their range by the scanner. */
static void get_number(struct get_args *a, int id, uint64_t n)
{
	switch (id) {
	case G_PARALLEL: a->parallel = (unsigned)n; break;
	case G_PER_HOST: a->per_host = (unsigned)n; break;
	case G_MAX_REDIRS: a->max_redirs = (unsigned)n; break;
	case G_CONNECT_TIMEOUT: a->connect_timeout_ms = (uint32_t)n; break;
	case G_TIMEOUT: a->idle_timeout_ms = (uint32_t)n; break;
	case G_MAX_TIME: a->max_time_ms = (uint32_t)n; break;
	case G_RETRY: a->retries = (unsigned)n; break;
	case G_RETRY_DELAY: a->retry_delay_ms = (uint32_t)n; break;
	case G_LIMIT_RATE: a->limit_rate = n; break;
	case G_LIMIT_RATE_TOTAL: a->limit_rate_total = n; break;
	case G_MAX_FILESIZE: a->max_filesize = n; break;
	case G_SHARDS: a->shards = (unsigned)n; break;
	default: break;
	}
}

/* Options with a text value; -1 to go on, or an exit status. */
static int get_text(struct get_args *a, int id, const char *v, FILE *err)
{
	enum digest_algo algo;
	struct qv_error e;

	switch (id) {
	case G_INPUT:
		if (a->input != NULL)
			return get_bad(err, "-i given twice");
		a->input = v;
		break;
	case G_DIR:
		if (v[0] == '\0')
			return get_bad(err, "-o needs a directory");
		a->dir = v;
		break;
	case G_NAME:
		a->out_name = v;
		a->to_stdout = strcmp(v, "-") == 0;
		break;
	case G_CHECKSUM:
		if (digest_spec_parse(v, strlen(v), &a->checksum, &e) != QV_OK)
			return get_bad(err, "--checksum: %s", e.msg);
		break;
	case G_CHECKSUM_FILE: a->checksum_file = v; break;
	case G_DIGEST:
		if (!digest_algo_parse(v, strlen(v), &algo))
			return get_bad(err, "--digest wants sha-256 or sha-512, not '%s'", v);
		a->digests |= 1u << algo;
		break;
	case G_NAME_BY:
		if (strcmp(v, "index") == 0)
			a->name_by_index = true;
		else if (strcmp(v, "url") != 0)
			return get_bad(err, "--name-by wants url or index, not '%s'", v);
		break;
	case G_SUMMARY: a->summary = v; break;
	case G_JSON: a->json = v; break;
	case G_SHARD: a->shard = v; break;
	case G_PROGRESS:
		if (!cli_progress_parse(v, &a->out.progress))
			return get_bad(err, "--progress wants bar, dot or none, not '%s'", v);
		a->out.progress_set = true;
		break;
	case G_ENGINE:
		if (!engine_parse(v, &a->engine))
			return get_bad(err, "--engine wants seq, threads or poll, not '%s'", v);
		if (!engine_available(a->engine))
			return get_bad(err, "engine '%s' is not available in this build", v);
		a->engine_given = true;
		break;
	case G_HEADER:
		if (a->nheaders == HTTP_REQ_EXTRA_MAX)
			return get_bad(err, "at most %d -H headers", HTTP_REQ_EXTRA_MAX);
		a->headers[a->nheaders++] = v;
		break;
	case G_USER_AGENT: a->user_agent = v; break;
	case G_CACERT: a->cacert = v; break;
	case G_PROXY: a->proxy = v; break;
	case G_NOPROXY: a->noproxy = v; break;
	case G_PROXY_USER: a->proxy_user = v; break;
	case G_USER: a->user = v; break;
	case G_PASSWORD: a->password = v; break;
	case G_NETRC_FILE: a->netrc_file = v; break;
	default: break;
	}
	return -1;
}

static int get_flag(struct get_args *a, int id, FILE *out)
{
	switch (id) {
	case G_HELP: get_help(out); return 0;
	case G_AUTO_RENAME: a->auto_rename = true; break;
	case G_LOCATION: break; /* on by default; accepted for curl habits */
	case G_CONTINUE: a->resume = true; break;
	case G_INSECURE: a->insecure = true; break;
	case G_DOWNGRADE: a->allow_downgrade = true; break;
	case G_FSYNC: a->fsync = true; break;
	case G_SKIP_EXISTING: a->skip_existing = true; break;
	case G_QUIET: a->out.quiet = true; break;
	case G_VERBOSE: a->out.verbose = true; break;
	case G_NETRC: a->netrc = true; break;
	case G_IPV4: a->family = NET_IPV4; break;
	case G_IPV6: a->family = NET_IPV6; break;
	case G_CHECKSUM_OPTIONAL: a->checksum_optional = true; break;
	case G_TIMESTAMPING: a->timestamping = true; break;
	case G_NO_TIMESTAMP: a->no_timestamp = true; break;
	case G_REMOTE_TIME: break; /* the default; accepted for curl habits */
	case G_CONTINUE_UNSAFE: a->resume_unsafe = true; break;
	default: a->dry_run = true; break; /* G_DRY_RUN */
	}
	return -1;
}

void get_args_defaults(struct get_args *a)
{
	memset(a, 0, sizeof *a);
	a->prog = "quiver get";
	a->parallel = GET_PARALLEL_DEFAULT;
	a->engine = engine_available(ENGINE_POLL)      ? ENGINE_POLL
		    : engine_available(ENGINE_THREADS) ? ENGINE_THREADS
						       : ENGINE_SEQ;
	a->per_host = GET_PER_HOST_DEFAULT;
	a->max_redirs = GET_MAX_REDIRS_DEFAULT;
	a->connect_timeout_ms = GET_CONNECT_TIMEOUT_MS;
	a->idle_timeout_ms = GET_IDLE_TIMEOUT_MS;
	a->retry_delay_ms = GET_RETRY_DELAY_MS;
}

int get_args_parse(struct get_args *a, int argc, char **argv, FILE *out, FILE *err)
{
	struct opt_iter it;
	const char *v;
	int id, st;

	get_args_defaults(a);
	a->urls = calloc(argc > 0 ? (size_t)argc : 1, sizeof *a->urls);
	if (a->urls == NULL) {
		(void)fputs("quiver get: out of memory\n", err);
		return 1;
	}
	opt_init(&it, argc, argv);
	while ((id = opt_next(&it, get_opts, GET_NOPTS, &v)) != OPT_END) {
		if (id == OPT_ARG) {
			a->urls[a->nurls++] = v;
			continue;
		}
		if (id < 0) {
			(void)fputs("quiver get: ", err);
			opt_why_print(err, id, &it, v);
			(void)fputc('\n', err);
			get_usage(err);
			return 2;
		}
		st = -1;
		if (it.spec->kind == OPT_FLAG)
			st = get_flag(a, id, out);
		else if (it.spec->kind == OPT_TEXT)
			st = get_text(a, id, v, err);
		else
			get_number(a, id, it.num);
		if (st >= 0)
			return st;
	}
	if (a->nurls == 0 && a->input == NULL)
		return get_bad(err, "no URL given (arguments or -i FILE)");
	if (a->out.quiet && a->out.verbose)
		return get_bad(err, "-q and -v contradict each other");
	if (a->shards != 0 && a->shard == NULL)
		return get_bad(err, "--shards N goes with --shard auto");
	if (a->password != NULL && a->user == NULL)
		return get_bad(err, "--password goes with --user USER");
	if (a->name_by_index && a->out_name != NULL)
		return get_bad(err, "-O NAME and --name-by index contradict each other");
	/* one numbering: the list's lines, or the arguments' positions */
	if (a->name_by_index && a->nurls > 0 && a->input != NULL)
		return get_bad(err, "--name-by index numbers the URLs of -i FILE or of the "
				    "arguments, not both");
	if (a->name_by_index && (a->checksum_file != NULL || a->checksum.algo != DIGEST_NONE))
		return get_bad(err, "--checksum and --checksum-file check files by name: not with "
				    "--name-by index");
	if (a->to_stdout && (a->resume || a->timestamping || a->skip_existing))
		return get_bad(err, "-O - writes standard output: -c, -N and --skip-existing "
				    "need a file");
	if (a->checksum_file != NULL && strcmp(a->checksum_file, "-") == 0 && a->input != NULL &&
	    strcmp(a->input, "-") == 0)
		return get_bad(err, "-i - and --checksum-file - cannot both read standard input");
	if (a->to_stdout && a->json != NULL && strcmp(a->json, "-") == 0)
		return get_bad(err, "-O - and --json - would both write standard output");
	return -1;
}

void get_args_free(struct get_args *a)
{
	if (a == NULL)
		return;
	free(a->urls);
	a->urls = NULL;
}
