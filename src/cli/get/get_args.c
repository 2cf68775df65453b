/* get_args.c - `quiver get` options (see get_args.h). */
#include "cli/get/get_args.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/fmt.h"
#include "cli/num.h"
#include "cli/opt.h"

enum {
	G_HELP = 1, G_INPUT, G_DIR, G_NAME, G_AUTO_RENAME, G_PARALLEL, G_ENGINE, G_PER_HOST,
	G_LOCATION, G_MAX_REDIRS, G_CONNECT_TIMEOUT, G_TIMEOUT, G_MAX_TIME, G_RETRY,
	G_RETRY_DELAY, G_CONTINUE, G_LIMIT_RATE, G_HEADER, G_USER_AGENT, G_CACERT, G_INSECURE,
	G_DOWNGRADE, G_MAX_FILESIZE, G_FSYNC, G_SKIP_EXISTING, G_JSON, G_QUIET, G_VERBOSE,
	G_PROGRESS, G_SHARD, G_SHARDS, G_DRY_RUN, G_PROXY, G_NOPROXY, G_PROXY_USER, G_USER,
	G_PASSWORD, G_NETRC, G_NETRC_FILE, G_IPV4, G_IPV6
};

static const struct opt_spec get_opts[] = {
	{G_HELP, 'h', "help", false},
	{G_INPUT, 'i', "input-file", true},
	{G_DIR, 'o', "output-dir", true},
	{G_NAME, 'O', "output", true},
	{G_AUTO_RENAME, '\0', "auto-rename", false},
	{G_PARALLEL, 'j', "parallel", true},
	{G_ENGINE, '\0', "engine", true},
	{G_PER_HOST, '\0', "per-host", true},
	{G_LOCATION, 'L', "location", false},
	{G_MAX_REDIRS, '\0', "max-redirs", true},
	{G_CONNECT_TIMEOUT, '\0', "connect-timeout", true},
	{G_TIMEOUT, '\0', "timeout", true},
	{G_MAX_TIME, '\0', "max-time", true},
	{G_RETRY, '\0', "retry", true},
	{G_RETRY_DELAY, '\0', "retry-delay", true},
	{G_CONTINUE, 'c', "continue", false},
	{G_LIMIT_RATE, '\0', "limit-rate", true},
	{G_HEADER, 'H', "header", true},
	{G_USER_AGENT, 'A', "user-agent", true},
	{G_CACERT, '\0', "cacert", true},
	{G_INSECURE, 'k', "insecure", false},
	{G_DOWNGRADE, '\0', "allow-downgrade", false},
	{G_MAX_FILESIZE, '\0', "max-filesize", true},
	{G_FSYNC, '\0', "fsync", false},
	{G_SKIP_EXISTING, '\0', "skip-existing", false},
	{G_JSON, '\0', "json", true},
	{G_QUIET, 'q', "quiet", false},
	{G_VERBOSE, 'v', "verbose", false},
	{G_PROGRESS, '\0', "progress", true},
	{G_SHARD, '\0', "shard", true},
	{G_SHARDS, '\0', "shards", true},
	{G_DRY_RUN, 'n', "dry-run", false},
	{G_PROXY, 'x', "proxy", true},
	{G_NOPROXY, '\0', "noproxy", true},
	{G_PROXY_USER, '\0', "proxy-user", true},
	{G_USER, 'u', "user", true},
	{G_PASSWORD, '\0', "password", true},
	{G_NETRC, '\0', "netrc", false},
	{G_NETRC_FILE, '\0', "netrc-file", true},
	{G_IPV4, '4', "ipv4", false},
	{G_IPV6, '6', "ipv6", false},
};
#define GET_NOPTS (sizeof get_opts / sizeof get_opts[0])

void get_usage(FILE *f)
{
	(void)fputs("usage: quiver get [options] URL... | -i FILE|-\n"
		    "       quiver get --help   (all options)\n",
		    f);
}

static void get_help(void)
{
	(void)fputs(
		"usage: quiver get [options] URL... | -i FILE|-\n\n"
		"Download http/https URLs in parallel.  Each goes to NAME.part and is renamed\n"
		"to NAME only when complete; NAME is the last path segment of the URL,\n"
		"percent-decoded and made safe (no '/', '..' or control bytes; index.html\n"
		"when empty).  Two URLs with one NAME are refused before anything starts.\n\n"
		"Input and output:\n"
		"  -i, --input-file FILE   read URLs from FILE ('-': stdin); one per line,\n"
		"                          blank lines and lines starting with '#' skipped\n"
		"  -o, --output-dir DIR    save into DIR (created if missing; default .)\n"
		"  -O, --output NAME       save the one URL given as NAME\n"
		"      --auto-rename       name clashes become NAME.1.EXT, NAME.2.EXT, ...\n"
		"      --skip-existing     skip URLs whose file already exists\n"
		"  -c, --continue          resume NAME.part (Range; restart if the server\n"
		"                          cannot); keep .part files on failure\n"
		"      --fsync             fsync each file before renaming it\n"
		"      --max-filesize SIZE fail files larger than SIZE (k, M, G suffixes)\n"
		"  -n, --dry-run           print URL<TAB>FILE for what would be fetched\n\n"
		"Connections:\n"
		"  -j, --parallel N        transfers at once (default 8, at most 1000)\n"
		"      --per-host N        connections per host (default 6)\n"
		"      --engine E          poll (default; threads with --limit-rate), threads\n"
		"                          or seq\n"
		"      --connect-timeout S DNS + connect + TLS handshake limit (default 30)\n"
		"      --timeout S         idle limit: no byte sent or received (default 30)\n"
		"      --max-time S        whole-transfer limit (default none)\n"
		"      --limit-rate RATE   bytes per second per transfer (k, M, G suffixes)\n\n"
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
		"      --shard auto        K, N from SLURM_ARRAY_TASK_ID/_COUNT (minus\n"
		"                          SLURM_ARRAY_TASK_MIN), AWS_BATCH_JOB_ARRAY_INDEX/\n"
		"                          AWS_BATCH_JOB_ARRAY_SIZE, or JOB_COMPLETION_INDEX\n"
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
		stdout);
}

static int get_bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int get_bad(const char *fmt, ...)
{
	va_list ap;

	(void)fputs("quiver get: ", stderr);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
	get_usage(stderr);
	return 2;
}

static int get_uint(const char *opt, const char *v, unsigned min, unsigned max, unsigned *out)
{
	if (!num_parse_uint(v, min, max, out))
		return get_bad("%s wants a number from %u to %u, not '%s'", opt, min, max, v);
	return -1;
}

static int get_secs(const char *opt, const char *v, uint32_t *out)
{
	if (!num_parse_secs(v, false, out))
		return get_bad("%s wants seconds > 0 (e.g. 2.5), not '%s'", opt, v);
	return -1;
}

static int get_size(const char *opt, const char *v, uint64_t *out)
{
	if (!num_parse_size(v, out) || *out == 0)
		return get_bad("%s wants a size > 0 like 500k or 2M, not '%s'", opt, v);
	return -1;
}

/* Options about where and what; -1 to go on, or an exit status. */
static int get_value_files(struct get_args *a, int id, const char *v)
{
	switch (id) {
	case G_INPUT:
		if (a->input != NULL)
			return get_bad("-i given twice");
		a->input = v;
		return -1;
	case G_DIR:
		if (v[0] == '\0')
			return get_bad("-o needs a directory");
		a->dir = v;
		return -1;
	case G_NAME:
		a->out_name = v;
		return -1;
	case G_MAX_FILESIZE:
		return get_size("--max-filesize", v, &a->max_filesize);
	case G_JSON:
		a->json = v;
		return -1;
	case G_SHARD:
		a->shard = v;
		return -1;
	case G_SHARDS:
		return get_uint("--shards", v, 1, 1000000u, &a->shards);
	case G_PROGRESS:
		if (!cli_progress_parse(v, &a->out.progress))
			return get_bad("--progress wants bar, dot or none, not '%s'", v);
		a->out.progress_set = true;
		return -1;
	default:
		return 0; /* not one of these */
	}
}

/* Options about the network and HTTP. */
static int get_value_net(struct get_args *a, int id, const char *v)
{
	switch (id) {
	case G_PARALLEL:
		return get_uint("--parallel", v, 1, GET_PARALLEL_MAX, &a->parallel);
	case G_ENGINE:
		if (!engine_parse(v, &a->engine))
			return get_bad("--engine wants seq, threads or poll, not '%s'", v);
		if (!engine_available(a->engine))
			return get_bad("engine '%s' is not available in this build", v);
		a->engine_given = true;
		return -1;
	case G_PER_HOST:
		return get_uint("--per-host", v, 1, GET_PARALLEL_MAX, &a->per_host);
	case G_MAX_REDIRS:
		return get_uint("--max-redirs", v, 0, GET_REDIRS_MAX, &a->max_redirs);
	case G_CONNECT_TIMEOUT:
		return get_secs("--connect-timeout", v, &a->connect_timeout_ms);
	case G_TIMEOUT:
		return get_secs("--timeout", v, &a->idle_timeout_ms);
	case G_MAX_TIME:
		return get_secs("--max-time", v, &a->max_time_ms);
	case G_RETRY:
		return get_uint("--retry", v, 0, GET_RETRY_MAX, &a->retries);
	case G_RETRY_DELAY:
		return get_secs("--retry-delay", v, &a->retry_delay_ms);
	case G_LIMIT_RATE:
		return get_size("--limit-rate", v, &a->limit_rate);
	case G_HEADER:
		if (a->nheaders == HTTP_REQ_EXTRA_MAX)
			return get_bad("at most %d -H headers", HTTP_REQ_EXTRA_MAX);
		a->headers[a->nheaders++] = v;
		return -1;
	case G_USER_AGENT:
		a->user_agent = v;
		return -1;
	case G_CACERT:
		a->cacert = v;
		return -1;
	case G_PROXY:
		a->proxy = v;
		return -1;
	case G_NOPROXY:
		a->noproxy = v;
		return -1;
	case G_PROXY_USER:
		a->proxy_user = v;
		return -1;
	case G_USER:
		a->user = v;
		return -1;
	case G_PASSWORD:
		a->password = v;
		return -1;
	case G_NETRC_FILE:
		a->netrc_file = v;
		return -1;
	default:
		return 0;
	}
}

static int get_flag(struct get_args *a, int id)
{
	switch (id) {
	case G_HELP: get_help(); return 0;
	case G_AUTO_RENAME: a->auto_rename = true; break;
	case G_LOCATION: break; /* on by default; accepted for curl habits */
	case G_CONTINUE: a->resume = true; break;
	case G_INSECURE: a->insecure = true; break;
	case G_DOWNGRADE: a->allow_downgrade = true; break;
	case G_FSYNC: a->fsync = true; break;
	case G_SKIP_EXISTING: a->skip_existing = true; break;
	case G_QUIET: a->out.quiet = true; break;
	case G_VERBOSE: a->out.verbose = true; break;
	case G_DRY_RUN: a->dry_run = true; break;
	case G_NETRC: a->netrc = true; break;
	case G_IPV4: a->family = NET_IPV4; break;
	case G_IPV6: a->family = NET_IPV6; break;
	default: return get_bad("internal: option %d", id);
	}
	return -1;
}

static void get_defaults(struct get_args *a)
{
	memset(a, 0, sizeof *a);
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

/* --limit-rate paces a transfer by sleeping in its sink, which in the
 * one-thread poll engine would pace every transfer together: a run with a
 * rate limit uses the threads engine (or seq) unless poll was asked for,
 * which is refused rather than silently serialised. */
static int get_pick_rate_engine(struct get_args *a)
{
	if (a->limit_rate == 0 || a->engine != ENGINE_POLL)
		return -1;
	if (a->engine_given)
		return get_bad("--limit-rate is not supported with --engine poll yet; use threads or seq");
	a->engine = engine_available(ENGINE_THREADS) ? ENGINE_THREADS : ENGINE_SEQ;
	return -1;
}

/* One scanner result; -1 to go on, or an exit status. */
static int get_one(struct get_args *a, int id, const char *v)
{
	size_t i;
	int st;

	switch (id) {
	case OPT_ARG:
		a->urls[a->nurls++] = v;
		return -1;
	case OPT_UNKNOWN:
		return get_bad("unknown option '%s'", v);
	case OPT_MISSING:
		return get_bad("option %s needs a value", v);
	case OPT_NO_VALUE:
		return get_bad("option %s takes no value", v);
	default:
		break;
	}
	for (i = 0; i < GET_NOPTS && get_opts[i].id != id; i++)
		;
	if (i == GET_NOPTS || !get_opts[i].has_arg)
		return get_flag(a, id);
	st = get_value_files(a, id, v);
	if (st == 0)
		st = get_value_net(a, id, v);
	return st == 0 ? get_bad("internal: option %d", id) : st;
}

int get_args_parse(struct get_args *a, int argc, char **argv)
{
	struct opt_iter it;
	const char *v;
	int id, st;

	get_defaults(a);
	a->urls = calloc(argc > 0 ? (size_t)argc : 1, sizeof *a->urls);
	if (a->urls == NULL) {
		(void)fputs("quiver get: out of memory\n", stderr);
		return 1;
	}
	opt_init(&it, argc, argv);
	while ((id = opt_next(&it, get_opts, GET_NOPTS, &v)) != OPT_END) {
		st = get_one(a, id, v);
		if (st >= 0)
			return st;
	}
	if (a->nurls == 0 && a->input == NULL)
		return get_bad("no URL given (arguments or -i FILE)");
	if (a->out.quiet && a->out.verbose)
		return get_bad("-q and -v contradict each other");
	if (a->shards != 0 && a->shard == NULL)
		return get_bad("--shards N goes with --shard auto");
	if (a->password != NULL && a->user == NULL)
		return get_bad("--password goes with --user USER");
	return get_pick_rate_engine(a);
}

void get_args_free(struct get_args *a)
{
	if (a == NULL)
		return;
	free(a->urls);
	a->urls = NULL;
}
