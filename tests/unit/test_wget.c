/* test_wget.c - the wget mode's translation of wget's command line into a
 * `get` run (option by option, GNU getopt's messages and statuses), GNU
 * wget's exit statuses per error code and their ranking over a run, and
 * the -S printer. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/num.h"
#include "cli/wget/wget_args.h"
#include "cli/wget/wget_exit.h"
#include "cli/wget/wget_head.h"
#include "tq.h"

void suite_wget(struct tq *t);

#define W_URL "http://h/a.txt"

struct w_case {
	struct wget_args w;
	int status;
	char out[1024], err[1024];
};

/* Parse "wget" + args (NULL-ended) into c; its stdout and stderr texts. */
static struct w_case *w_parse(const char *first, ...)
{
	struct w_case *c = calloc(1, sizeof *c);
	char *argv[32];
	int argc = 0;
	const char *a;
	va_list ap;
	FILE *out, *err;

	if (c == NULL)
		return NULL;
	argv[argc++] = (char *)(uintptr_t) "wget";
	va_start(ap, first);
	for (a = first; a != NULL && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)(uintptr_t)a;
	va_end(ap);
	argv[argc] = NULL;
	out = fmemopen(c->out, sizeof c->out - 1, "w");
	err = fmemopen(c->err, sizeof c->err - 1, "w");
	if (out == NULL || err == NULL) {
		if (out != NULL)
			(void)fclose(out);
		if (err != NULL)
			(void)fclose(err);
		free(c);
		return NULL;
	}
	c->status = wget_args_parse(&c->w, argc, argv, out, err);
	(void)fclose(out);
	(void)fclose(err);
	return c;
}

static void w_free(struct w_case *c)
{
	if (c == NULL)
		return;
	wget_args_free(&c->w);
	free(c);
}

static void t_defaults(struct tq *t)
{
	struct w_case *c = w_parse(W_URL, NULL);

	if (!TQ_TRUE(t, c != NULL))
		return;
	TQ_INT(t, c->status, -1);
	TQ_STR(t, c->w.g.prog, "wget");
	TQ_INT(t, c->w.g.nurls, 1);
	TQ_STR(t, c->w.g.urls[0], W_URL);
	TQ_INT(t, c->w.g.retries, 0); /* one try, as BusyBox */
	TQ_INT(t, c->w.g.idle_timeout_ms, WGET_TIMEOUT_MS);
	TQ_INT(t, c->w.g.connect_timeout_ms, WGET_TIMEOUT_MS);
	TQ_TRUE(t, c->w.g.gnu_names);
	TQ_TRUE(t, c->w.g.method == NULL && !c->w.g.has_body && !c->w.g.spider);
	TQ_TRUE(t, c->w.g.out_name == NULL && c->w.g.dir == NULL && !c->w.g.out.quiet);
	w_free(c);
}

static void t_output_document(struct tq *t)
{
	struct w_case *c = w_parse("-qO", "out.bin", "-P", "d", W_URL, NULL);

	if (TQ_TRUE(t, c != NULL)) {
		TQ_INT(t, c->status, -1);
		TQ_TRUE(t, c->w.g.out.quiet);
		TQ_STR(t, c->w.g.out_name, "out.bin");
		TQ_TRUE(t, c->w.g.dir == NULL); /* -P does not apply to -O */
		TQ_TRUE(t, !c->w.g.gnu_names);
	}
	w_free(c);
	c = w_parse("--output-document=/tmp/x/f", W_URL, NULL);
	if (TQ_TRUE(t, c != NULL)) {
		TQ_STR(t, c->w.g.dir, "/tmp/x");
		TQ_STR(t, c->w.g.out_name, "f");
	}
	w_free(c);
	c = w_parse("-O", "/f", W_URL, NULL);
	if (TQ_TRUE(t, c != NULL)) {
		TQ_STR(t, c->w.g.dir, "/");
		TQ_STR(t, c->w.g.out_name, "f");
	}
	w_free(c);
	c = w_parse("-qO-", W_URL, NULL);
	if (TQ_TRUE(t, c != NULL)) {
		TQ_INT(t, c->status, -1);
		TQ_TRUE(t, c->w.g.to_stdout && c->w.g.out.quiet && !c->w.g.gnu_names);
		/* every URL's body, in their order */
		TQ_TRUE(t, c->w.g.stdout_all && c->w.g.parallel == 1);
	}
	w_free(c);
	c = w_parse("-O", "dir/", W_URL, NULL);
	if (TQ_TRUE(t, c != NULL))
		TQ_INT(t, c->status, 2);
	w_free(c);
	c = w_parse("-P", "downloads", W_URL, NULL);
	if (TQ_TRUE(t, c != NULL)) {
		TQ_STR(t, c->w.g.dir, "downloads");
		TQ_TRUE(t, c->w.g.gnu_names);
	}
	w_free(c);
}

static void t_timeouts_and_tries(struct tq *t)
{
	static const struct {
		const char *opt, *val;
		int status;
		uint32_t ms;
		unsigned retries;
	} c[] = {
		{"-T", "5", -1, 5000, 0},
		{"--timeout", "0.5", -1, 500, 0},
		{"-T", "0", -1, NUM_SECS_MAX_MS, 0}, /* GNU: no timeout */
		{"-T", "x", 2, 0, 0},
		{"-t", "3", -1, WGET_TIMEOUT_MS, 2},
		{"--tries", "1", -1, WGET_TIMEOUT_MS, 0},
		{"-t", "inf", -1, WGET_TIMEOUT_MS, GET_RETRY_MAX},
		{"-t", "0", -1, WGET_TIMEOUT_MS, GET_RETRY_MAX},
		{"-t", "101", -1, WGET_TIMEOUT_MS, GET_RETRY_MAX},
		{"-t", "102", 2, 0, 0},
		{"-t", "-1", 2, 0, 0},
	};
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct w_case *w = w_parse(c[i].opt, c[i].val, W_URL, NULL);

		if (!TQ_TRUE(t, w != NULL))
			return;
		if (!TQ_INT(t, w->status, c[i].status))
			printf("  case %s %s\n", c[i].opt, c[i].val);
		if (c[i].status < 0) {
			TQ_INT(t, w->w.g.idle_timeout_ms, c[i].ms);
			TQ_INT(t, w->w.g.connect_timeout_ms, c[i].ms);
			TQ_INT(t, w->w.g.retries, c[i].retries);
		}
		w_free(w);
	}
}

static void t_request(struct tq *t)
{
	struct w_case *c = w_parse("--header", "A: 1", "--header=B: 2", "-U", "agent/1",
				   "--post-data=x=1&y=2", "--user=u", "--password", "p", W_URL,
				   NULL);

	if (TQ_TRUE(t, c != NULL)) {
		TQ_INT(t, c->status, -1);
		TQ_INT(t, c->w.g.nheaders, 2);
		TQ_STR(t, c->w.g.headers[0], "A: 1");
		TQ_STR(t, c->w.g.headers[1], "B: 2");
		TQ_STR(t, c->w.g.user_agent, "agent/1");
		TQ_STR(t, c->w.g.method, "POST");
		TQ_TRUE(t, c->w.g.has_body);
		TQ_MEM(t, c->w.g.body, c->w.g.body_len, "x=1&y=2", 7);
		TQ_STR(t, c->w.g.body_type, WGET_FORM_TYPE);
		TQ_STR(t, c->w.g.user, "u");
		TQ_STR(t, c->w.g.password, "p");
	}
	w_free(c);
	c = w_parse("--spider", "-S", W_URL, NULL);
	if (TQ_TRUE(t, c != NULL)) {
		TQ_STR(t, c->w.g.method, "HEAD");
		TQ_TRUE(t, c->w.g.spider && c->w.server_response && !c->w.g.gnu_names);
		TQ_INT(t, c->w.g.parallel, 1); /* -S: one head at a time */
	}
	w_free(c);
	c = w_parse("--post-file", "/nonexistent/form", W_URL, NULL);
	if (TQ_TRUE(t, c != NULL))
		TQ_INT(t, c->status, 3);
	w_free(c);
}

static void t_files_and_net(struct tq *t)
{
	struct w_case *c = w_parse("-c", "-nv", "-nH", "-np", "--no-cache", "--passive-ftp", "-4",
				   "--no-check-certificate", "--ca-certificate=ca.pem",
				   "--ca-directory", "certs", "-Y", "off", "-o", "log", "-i", "list",
				   NULL);

	if (TQ_TRUE(t, c != NULL)) {
		TQ_INT(t, c->status, -1);
		TQ_TRUE(t, c->w.g.resume && c->w.g.resume_final && !c->w.g.gnu_names);
		TQ_TRUE(t, c->w.no_verbose);
		TQ_INT(t, c->w.g.family, NET_IPV4);
		TQ_TRUE(t, c->w.g.insecure);
		TQ_STR(t, c->w.g.cacert, "ca.pem");
		TQ_STR(t, c->w.g.cadir, "certs");
		TQ_STR(t, c->w.g.noproxy, "*");
		TQ_STR(t, c->w.log, "log");
		TQ_TRUE(t, !c->w.log_append);
		TQ_STR(t, c->w.g.input, "list");
	}
	w_free(c);
	c = w_parse("-nc", "-6", "--no-proxy", "-a", "log", "-N", W_URL, NULL);
	if (TQ_TRUE(t, c != NULL)) {
		TQ_TRUE(t, c->w.g.skip_existing && c->w.g.timestamping && !c->w.g.gnu_names);
		TQ_INT(t, c->w.g.family, NET_IPV6);
		TQ_STR(t, c->w.g.noproxy, "*");
		TQ_TRUE(t, c->w.log_append);
	}
	w_free(c);
	c = w_parse("-Y", "on", W_URL, NULL);
	if (TQ_TRUE(t, c != NULL))
		TQ_TRUE(t, c->status == -1 && c->w.g.noproxy == NULL);
	w_free(c);
}

/* GNU getopt's words, wget's usage, status 2; no URL is 1 (GNU). */
static void t_refusals(struct tq *t)
{
	static const struct {
		const char *a, *b;
		int status;
		const char *first_line;
	} c[] = {
		{"--bogus", W_URL, 2, "wget: unrecognized option '--bogus'\n"},
		{"-r", W_URL, 2, "wget: invalid option -- 'r'\n"},
		{W_URL, "-O", 2, "wget: option -O needs a value\n"},
		{W_URL, "--header", 2, "wget: option --header needs a value\n"},
		{"-Y", "maybe", 2, "wget: -Y/--proxy wants on or off, not 'maybe'\n"},
		{"-nx", W_URL, 2, "wget: unknown option -n 'x'\n"},
		{"--spider=1", W_URL, 2, "wget: option --spider takes no value\n"},
		{"-q", NULL, 1, "wget: missing URL\n"},
	};
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct w_case *w = w_parse(c[i].a, c[i].b, NULL);

		if (!TQ_TRUE(t, w != NULL))
			return;
		TQ_INT(t, w->status, c[i].status);
		TQ_TRUE(t, strncmp(w->err, c[i].first_line, strlen(c[i].first_line)) == 0);
		if (strncmp(w->err, c[i].first_line, strlen(c[i].first_line)) != 0)
			printf("  got: %s", w->err);
		TQ_TRUE(t, strstr(w->err, "Try `wget --help' for more options.\n") != NULL);
		w_free(w);
	}
}

static void t_help(struct tq *t)
{
	struct w_case *c = w_parse("--help", NULL);

	if (TQ_TRUE(t, c != NULL)) {
		TQ_INT(t, c->status, 0);
		TQ_TRUE(t, strncmp(c->out, "Usage: wget", 11) == 0);
		TQ_TRUE(t, strstr(c->out, "parallel") != NULL);
	}
	w_free(c);
}

static void t_exit_table(struct tq *t)
{
	unsigned c;

	TQ_INT(t, wget_exit_of(QV_OK), 0);
	for (c = 1; c < QV_E__COUNT; c++) {
		int s = wget_exit_of((enum qv_err)c);

		if (!TQ_TRUE(t, (s >= 1 && s <= 8) || (c == QV_E_INTERRUPTED && s == 130)))
			printf("  code %s: %d\n", qv_err_name((enum qv_err)c), s);
	}
	TQ_INT(t, wget_exit_of(QV_E_USAGE), 2);
	TQ_INT(t, wget_exit_of(QV_E_URL_SCHEME), 1);
	TQ_INT(t, wget_exit_of(QV_E_FILE), 3);
	TQ_INT(t, wget_exit_of(QV_E_NOSPACE), 3);
	TQ_INT(t, wget_exit_of(QV_E_CONNECT), 4);
	TQ_INT(t, wget_exit_of(QV_E_DNS), 4);
	TQ_INT(t, wget_exit_of(QV_E_READ_TIMEOUT), 4);
	TQ_INT(t, wget_exit_of(QV_E_TRUNCATED), 4);
	TQ_INT(t, wget_exit_of(QV_E_TLS_CERT), 5);
	TQ_INT(t, wget_exit_of(QV_E_AUTH), 6);
	TQ_INT(t, wget_exit_of(QV_E_HTTP_SYNTAX), 7);
	TQ_INT(t, wget_exit_of(QV_E_HTTP_STATUS), 8);
	TQ_INT(t, wget_exit_of(QV_E_REDIRECT_LOOP), 8);
	TQ_INT(t, wget_exit_of(QV_E__COUNT), 1);
}

#define B(c) (1ull << (c))

static void t_exit_worst(struct tq *t)
{
	TQ_INT(t, wget_exit_worst(0), 0);
	TQ_INT(t, wget_exit_worst(B(QV_E_HTTP_STATUS)), 8);
	TQ_INT(t, wget_exit_worst(B(QV_E_HTTP_STATUS) | B(QV_E_CONNECT)), 4);
	TQ_INT(t, wget_exit_worst(B(QV_E_TLS_CERT) | B(QV_E_FILE) | B(QV_E_AUTH)), 3);
	TQ_INT(t, wget_exit_worst(B(QV_E_AUTH) | B(QV_E_HTTP_SYNTAX)), 6);
	/* generic ranks last */
	TQ_INT(t, wget_exit_worst(B(QV_E_URL_SCHEME) | B(QV_E_HTTP_STATUS)), 8);
	TQ_INT(t, wget_exit_worst(B(QV_E_HTTP_STATUS) | B(QV_E_NOMEM)), 8);
	TQ_INT(t, wget_exit_worst(B(QV_E_URL_SCHEME) | B(QV_E_NOMEM)), 1);
}

static void t_head_printer(struct tq *t)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nServer: x\r\nA-Long: 0123456789\r\n\r\n";
	char buf[512];
	struct wget_head *h = malloc(sizeof *h);
	FILE *f = fmemopen(buf, sizeof buf, "w");
	size_t i;

	if (!TQ_TRUE(t, h != NULL && f != NULL)) {
		free(h);
		if (f != NULL)
			(void)fclose(f);
		return;
	}
	memset(buf, 0, sizeof buf);
	wget_head_init(h, f);
	/* one byte at a time, and a cut head ended by its end call */
	for (i = 0; i < sizeof head - 1; i++)
		wget_head_feed(h, (const uint8_t *)head + i, 1);
	wget_head_feed(h, NULL, 0);
	wget_head_feed(h, (const uint8_t *)"HTTP/1.1 301 Mo", 15);
	wget_head_feed(h, NULL, 0);
	(void)fclose(f);
	TQ_STR(t, buf, "  HTTP/1.1 200 OK\n  Server: x\n  A-Long: 0123456789\n  HTTP/1.1 301 Mo\n");
	free(h);
}

void suite_wget(struct tq *t)
{
	tq_run(t, "defaults", t_defaults);
	tq_run(t, "-O FILE, -O -, -P", t_output_document);
	tq_run(t, "-T and -t", t_timeouts_and_tries);
	tq_run(t, "request options", t_request);
	tq_run(t, "file and network options", t_files_and_net);
	tq_run(t, "refusals as GNU wget words them", t_refusals);
	tq_run(t, "--help", t_help);
	tq_run(t, "exit status per error code", t_exit_table);
	tq_run(t, "exit status of a run", t_exit_worst);
	tq_run(t, "-S printer", t_head_printer);
}
