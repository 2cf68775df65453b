/* wget_args.c - wget's options translated into a `get` run (see
 * wget_args.h). */
#include "cli/wget/wget_args.h"

#include <stdlib.h>
#include <string.h>

#include "cli/opt.h"
#include "util/file.h"
#include "version.h"

enum {
	W_HELP = 1, W_VERSION, W_OUT, W_DIR, W_QUIET, W_CONTINUE, W_SERVER, W_SPIDER,
	W_TIMEOUT, W_TRIES, W_AGENT, W_HEADER, W_NO_CHECK, W_CA_FILE, W_CA_DIR, W_PROXY,
	W_NO_PROXY, W_IPV4, W_IPV6, W_USER, W_PASSWORD, W_POST_DATA, W_POST_FILE, W_LOG,
	W_APPEND, W_INPUT, W_N, W_NO_VERBOSE, W_NO_CLOBBER, W_TIMESTAMP, W_IGNORED
};

/* {id, short, kind, min, long, max}; GNU's long names, BusyBox's too. */
static const struct opt_spec wget_opts[] = {
	{W_HELP, 'h', OPT_FLAG, 0, "help", 0},
	{W_VERSION, 'V', OPT_FLAG, 0, "version", 0},
	{W_OUT, 'O', OPT_TEXT, 0, "output-document", 0},
	{W_DIR, 'P', OPT_TEXT, 0, "directory-prefix", 0},
	{W_QUIET, 'q', OPT_FLAG, 0, "quiet", 0},
	{W_CONTINUE, 'c', OPT_FLAG, 0, "continue", 0},
	{W_SERVER, 'S', OPT_FLAG, 0, "server-response", 0},
	{W_SPIDER, '\0', OPT_FLAG, 0, "spider", 0},
	{W_TIMEOUT, 'T', OPT_SECS, 0, "timeout", NUM_SECS_MAX_MS},
	{W_TRIES, 't', OPT_TEXT, 0, "tries", 0},
	{W_AGENT, 'U', OPT_TEXT, 0, "user-agent", 0},
	{W_HEADER, '\0', OPT_TEXT, 0, "header", 0},
	{W_NO_CHECK, '\0', OPT_FLAG, 0, "no-check-certificate", 0},
	{W_CA_FILE, '\0', OPT_TEXT, 0, "ca-certificate", 0},
	{W_CA_DIR, '\0', OPT_TEXT, 0, "ca-directory", 0},
	{W_PROXY, 'Y', OPT_TEXT, 0, "proxy", 0},
	{W_NO_PROXY, '\0', OPT_FLAG, 0, "no-proxy", 0},
	{W_IPV4, '4', OPT_FLAG, 0, "inet4-only", 0},
	{W_IPV6, '6', OPT_FLAG, 0, "inet6-only", 0},
	{W_USER, '\0', OPT_TEXT, 0, "user", 0},
	{W_PASSWORD, '\0', OPT_TEXT, 0, "password", 0},
	{W_POST_DATA, '\0', OPT_TEXT, 0, "post-data", 0},
	{W_POST_FILE, '\0', OPT_TEXT, 0, "post-file", 0},
	{W_LOG, 'o', OPT_TEXT, 0, "output-file", 0},
	{W_APPEND, 'a', OPT_TEXT, 0, "append-output", 0},
	{W_INPUT, 'i', OPT_TEXT, 0, "input-file", 0},
	/* -nv, -nc, -nH, -np, -nd: GNU's "-n" family */
	{W_N, 'n', OPT_TEXT, 0, NULL, 0},
	{W_NO_VERBOSE, '\0', OPT_FLAG, 0, "no-verbose", 0},
	{W_NO_CLOBBER, '\0', OPT_FLAG, 0, "no-clobber", 0},
	{W_TIMESTAMP, 'N', OPT_FLAG, 0, "timestamping", 0},
	/* accepted and ignored, as BusyBox does (-nH, -np and -nd above) */
	{W_IGNORED, '\0', OPT_FLAG, 0, "no-cache", 0},
	{W_IGNORED, '\0', OPT_FLAG, 0, "passive-ftp", 0},
};
#define WGET_NOPTS (sizeof wget_opts / sizeof wget_opts[0])

static void wget_help(FILE *f)
{
	(void)fputs("Usage: wget [OPTION]... URL...  (quiver; GNU wget's exit codes)\n"
		    "-O FILE|- -P DIR -q -nv -c -N -nc -S --spider -T SEC -t N -U AGENT\n"
		    "--header 'N: V' --post-data STR --post-file FILE --user U --password P\n"
		    "-4 -6 -Y on|off --no-proxy --no-check-certificate --ca-certificate FILE\n"
		    "--ca-directory DIR -o LOG -a LOG -i FILE (fetched in parallel)\n",
		    f);
}

static int wget_usage_error(FILE *err)
{
	(void)fputs("Usage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n",
		    err);
	return 2;
}

/* An unknown option in getopt's words (GNU's and BusyBox's), any other
 * refusal in get's, then wget's usage lines. */
static int wget_bad_option(FILE *err, int r, const struct opt_iter *it, const char *v)
{
	if (r == OPT_UNKNOWN && it->name[1] == '-')
		(void)fprintf(err, "wget: unrecognized option '%s'\n", v);
	else if (r == OPT_UNKNOWN)
		(void)fprintf(err, "wget: invalid option -- '%s'\n", v + 1);
	else {
		(void)fputs("wget: ", err);
		opt_why_print(err, r, it, v);
		(void)fputs("\n", err);
	}
	return wget_usage_error(err);
}

static int wget_bad(FILE *err, const char *what, const char *v)
{
	(void)fprintf(err, "wget: %s '%s'\n", what, v);
	return wget_usage_error(err);
}

/* -t N: tries, so N - 1 retries; 0 and "inf" are GNU's "forever", which
 * here is the most retries get allows. */
static int wget_tries(struct wget_args *w, const char *v, FILE *err)
{
	uint64_t n;

	if (strcmp(v, "inf") == 0 || strcmp(v, "0") == 0) {
		w->g.retries = GET_RETRY_MAX;
		return -1;
	}
	if (num_parse_uint(v, strlen(v), 1, GET_RETRY_MAX + 1, &n) != NUM_OK)
		return wget_bad(err, "-t wants 0 to 101 or inf, not", v);
	w->g.retries = (unsigned)n - 1;
	return -1;
}

/* -O FILE: GNU writes FILE wherever it is, so its directory is split off
 * for the file sink (which takes one name in one directory). */
static int wget_out(struct wget_args *w, const char *v, FILE *err)
{
	const char *slash = strrchr(v, '/');

	w->out_given = true;
	w->g.to_stdout = strcmp(v, "-") == 0;
	if (slash == NULL) {
		w->g.out_name = v;
		return -1;
	}
	if (slash[1] == '\0')
		return wget_bad(err, "-O wants a file, not a directory:", v);
	free(w->out_dir);
	w->out_dir = strndup(v, slash == v ? 1 : (size_t)(slash - v));
	if (w->out_dir == NULL)
		return wget_bad(err, "out of memory for", v);
	w->g.out_name = slash + 1;
	return -1;
}

/* --post-file FILE, read whole (bounded) as BusyBox and GNU do; a file
 * that cannot be read is GNU's file error, 3. */
static int wget_post_file(struct wget_args *w, const char *path, FILE *err)
{
	struct qv_error e;

	free(w->post);
	w->post = NULL;
	if (file_read_all(path, WGET_POST_FILE_MAX, QV_E_FILE, &w->post, &w->g.body_len, &e) !=
	    QV_OK) {
		(void)fprintf(err, "wget: --post-file: %s\n", e.msg);
		return 3;
	}
	w->g.body = w->post;
	return -1;
}

static int wget_n(struct wget_args *w, const char *v, FILE *err)
{
	if (strcmp(v, "v") == 0)
		w->no_verbose = true;
	else if (strcmp(v, "c") == 0)
		w->g.skip_existing = true;
	else if (strcmp(v, "H") != 0 && strcmp(v, "p") != 0 && strcmp(v, "d") != 0)
		return wget_bad(err, "unknown option -n", v);
	return -1;
}

/* Options with a text value; -1 to go on, or an exit status. */
static int wget_text(struct wget_args *w, int id, const char *v, FILE *err)
{
	struct get_args *g = &w->g;

	switch (id) {
	case W_OUT: return wget_out(w, v, err);
	case W_TRIES: return wget_tries(w, v, err);
	case W_N: return wget_n(w, v, err);
	case W_POST_FILE: g->has_body = true; return wget_post_file(w, v, err);
	case W_POST_DATA:
		g->has_body = true;
		g->body = (const uint8_t *)v;
		g->body_len = strlen(v);
		break;
	case W_DIR: g->dir = v[0] != '\0' ? v : NULL; break;
	case W_AGENT: g->user_agent = v; break;
	case W_HEADER:
		if (g->nheaders == HTTP_REQ_EXTRA_MAX)
			return wget_bad(err, "too many --header lines at", v);
		g->headers[g->nheaders++] = v;
		break;
	case W_CA_FILE: g->cacert = v; break;
	case W_CA_DIR: g->cadir = v; break;
	case W_PROXY:
		if (strcmp(v, "off") == 0)
			g->noproxy = "*";
		else if (strcmp(v, "on") != 0)
			return wget_bad(err, "-Y/--proxy wants on or off, not", v);
		break;
	case W_USER: g->user = v; break;
	case W_PASSWORD: g->password = v; break;
	case W_LOG: w->log = v; w->log_append = false; break;
	case W_APPEND: w->log = v; w->log_append = true; break;
	default: g->input = v; break; /* W_INPUT */
	}
	return -1;
}

static int wget_flag(struct wget_args *w, int id, FILE *out)
{
	struct get_args *g = &w->g;

	switch (id) {
	case W_HELP: wget_help(out); return 0;
	case W_VERSION: (void)fprintf(out, "quiver %s as wget\n", QV_VERSION); return 0;
	case W_QUIET: g->out.quiet = true; break;
	case W_CONTINUE: g->resume = true; break;
	case W_SERVER: w->server_response = true; break;
	case W_SPIDER: w->spider = true; break;
	case W_NO_CHECK: g->insecure = true; break;
	case W_NO_PROXY: g->noproxy = "*"; break;
	case W_IPV4: g->family = NET_IPV4; break;
	case W_IPV6: g->family = NET_IPV6; break;
	case W_NO_VERBOSE: w->no_verbose = true; break;
	case W_NO_CLOBBER: g->skip_existing = true; break;
	case W_TIMESTAMP: g->timestamping = true; break;
	default: break; /* W_IGNORED */
	}
	return -1;
}

/* What the options mean together, as GNU wget decides it. */
static void wget_settle(struct wget_args *w)
{
	struct get_args *g = &w->g;

	if (w->out_dir != NULL)
		g->dir = w->out_dir; /* -O's own directory; -P does not apply */
	else if (w->out_given)
		g->dir = NULL;
	if (g->has_body) {
		g->method = "POST";
		g->body_type = WGET_FORM_TYPE;
	}
	if (w->spider) {
		g->method = "HEAD";
		g->spider = true;
	}
	/* standard output has no file to continue, compare or keep; it
	 * takes the bodies one after the other, as they are listed */
	if (g->to_stdout) {
		g->resume = g->timestamping = g->skip_existing = false;
		g->stdout_all = true;
		g->parallel = 1;
	}
	/* wget -c continues the file it finds, even one another tool left,
	 * and without a validator, as GNU and BusyBox do */
	g->resume_final = g->resume_unsafe = g->resume;
	/* GNU's numbering, unless the file is named, continued or compared */
	g->gnu_names = !w->out_given && !g->resume && !g->timestamping && !w->spider;
	/* -S prints each head whole: one transfer at a time, as wget does */
	if (w->server_response)
		g->parallel = 1;
}

int wget_args_parse(struct wget_args *w, int argc, char **argv, FILE *out, FILE *err)
{
	struct opt_iter it;
	const char *v;
	int id, st;

	memset(w, 0, sizeof *w);
	get_args_defaults(&w->g);
	w->g.prog = "wget";
	w->g.connect_timeout_ms = WGET_TIMEOUT_MS;
	w->g.idle_timeout_ms = WGET_TIMEOUT_MS;
	w->g.urls = calloc(argc > 0 ? (size_t)argc : 1, sizeof *w->g.urls);
	if (w->g.urls == NULL) {
		(void)fputs("wget: out of memory\n", err);
		return 1;
	}
	opt_init(&it, argc, argv);
	while ((id = opt_next(&it, wget_opts, WGET_NOPTS, &v)) != OPT_END) {
		if (id == OPT_ARG) {
			w->g.urls[w->g.nurls++] = v;
			continue;
		}
		if (id < 0)
			return wget_bad_option(err, id, &it, v);
		st = -1;
		if (it.spec->kind == OPT_FLAG)
			st = wget_flag(w, id, out);
		else if (it.spec->kind == OPT_TEXT)
			st = wget_text(w, id, v, err);
		else /* -T: GNU's 0 is "no timeout" */
			w->g.connect_timeout_ms = w->g.idle_timeout_ms =
				it.num > 0 ? (uint32_t)it.num : NUM_SECS_MAX_MS;
		if (st >= 0)
			return st;
	}
	if (w->g.nurls == 0 && w->g.input == NULL) {
		(void)fputs("wget: missing URL\n", err);
		(void)wget_usage_error(err);
		return 1;
	}
	wget_settle(w);
	return -1;
}

void wget_args_free(struct wget_args *w)
{
	if (w == NULL)
		return;
	get_args_free(&w->g);
	free(w->out_dir);
	free(w->post);
	w->out_dir = NULL;
	w->post = NULL;
}
