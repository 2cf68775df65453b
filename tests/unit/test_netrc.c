/* test_netrc.c - the .netrc tokenizer: lookup rules (first machine wins,
 * default, case, quoting, comments, macdef), bounds and errors, each file
 * fed whole, split at every byte and one byte at a time (feed.h). */
#include <stdio.h>
#include <string.h>

#include "cli/netrc.h"
#include "feed.h"
#include "tq.h"

void suite_netrc(struct tq *t);

/* What a feeding produced: every entry as "machine|login|password;" (a
 * default as "*|..."), and how it ended. */
struct nr_run {
	enum qv_err rc;
	char entries[2048];
	char msg[QV_ERROR_MSG_MAX];
};

struct nr_ctx {
	struct netrc_parser p;
	struct nr_run *run;
	struct qv_error e;
	enum qv_err rc;
};

static void nr_entry(void *ctx, const char *machine, const struct netrc_creds *c)
{
	struct nr_run *r = ((struct nr_ctx *)ctx)->run;
	size_t n = strlen(r->entries);

	(void)snprintf(r->entries + n, sizeof r->entries - n, "%s|%s|%s;", machine ? machine : "*",
		       c->login, c->password);
}

static void nr_begin(void *ctx, void *run)
{
	struct nr_ctx *c = ctx;

	memset(run, 0, sizeof(struct nr_run));
	netrc_init(&c->p, nr_entry, c);
	c->run = run;
	c->rc = QV_OK;
	qv_error_clear(&c->e);
}

static void nr_feed(void *ctx, const uint8_t *buf, size_t n)
{
	struct nr_ctx *c = ctx;

	if (c->rc == QV_OK)
		c->rc = netrc_feed(&c->p, (const char *)buf, n, &c->e);
}

static void nr_end(void *ctx)
{
	struct nr_ctx *c = ctx;
	struct nr_run *r = c->run;

	if (c->rc == QV_OK)
		c->rc = netrc_finish(&c->p, &c->e);
	r->rc = c->rc;
	if (c->rc != QV_OK)
		(void)snprintf(r->msg, sizeof r->msg, "%s", c->e.msg);
	netrc_clear(&c->p);
}

static bool nr_same(const void *a, const void *b)
{
	const struct nr_run *x = a, *y = b;

	return x->rc == y->rc && strcmp(x->msg, y->msg) == 0 && strcmp(x->entries, y->entries) == 0;
}

static const char *nr_msg(const void *run)
{
	return ((const struct nr_run *)run)->msg;
}

/* Tokenize text every way of cutting it (the whole run in *out), then look
 * host up in it. */
static bool lookup(struct tq *t, const char *text, const char *host, struct nr_run *out,
		   struct netrc_creds *c, bool *found)
{
	struct nr_ctx ctx;
	struct feed_target f = {&ctx, nr_begin, nr_feed, nr_end, nr_same, nr_msg};
	size_t n = strlen(text);
	uint8_t *g = tq_guard_dup(text, n);
	struct nr_run run;
	struct qv_error e;
	bool ok;

	memset(&ctx, 0, sizeof ctx);
	if (!TQ_TRUE(t, g != NULL))
		return false;
	feed_whole(&f, g, n, out);
	ok = feed_every_cut(t, &f, g, n, out, &run);
	tq_guard_free(g, n);
	TQ_INT(t, netrc_lookup(text, n, host, c, found, &e), out->rc);
	return ok;
}

struct nr_case {
	const char *text, *host;
	enum qv_err rc;
	bool found;
	const char *login, *password;
};

static void t_lookup(struct tq *t)
{
	static const struct nr_case c[] = {
		{"machine a.com login u password p\n", "a.com", QV_OK, true, "u", "p"},
		{"machine A.COM login u password p", "a.com", QV_OK, true, "u", "p"},
		{"machine b.com login u password p\n", "a.com", QV_OK, false, "", ""},
		{"machine b.com login u password p\ndefault login d password dp\n", "a.com", QV_OK,
		 true, "d", "dp"},
		{"default login d password dp\nmachine a.com login u password p\n", "a.com", QV_OK,
		 true, "u", "p"},
		/* the first matching machine wins, and its block ends at the next */
		{"machine a.com login first\nmachine a.com login second password x\n", "a.com",
		 QV_OK, true, "first", ""},
		{"machine a.com\n\tlogin u\n\taccount acct\n\tpassword p\n", "a.com", QV_OK, true,
		 "u", "p"},
		{"machine a.com login \"u s\" password \"p\\\"q\\\\r\"", "a.com", QV_OK, true, "u s",
		 "p\"q\\r"},
		{"# comment machine a.com login x\nmachine a.com login u password p", "a.com", QV_OK,
		 true, "u", "p"},
		{"machine a.com login u password #p", "a.com", QV_OK, true, "u", ""},
		{"macdef init\ncd /\nlogin evil password evil\n\nmachine a.com login u password p",
		 "a.com", QV_OK, true, "u", "p"},
		{"machine a.com macdef m\nlogin evil\n\npassword p", "a.com", QV_OK, true, "", "p"},
		{"machine a.com login u password p port 21", "a.com", QV_OK, true, "u", "p"},
		{"", "a.com", QV_OK, false, "", ""},
		{"machine a.com login \"unterminated", "a.com", QV_E_USAGE, false, "", ""},
	};
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct nr_run r;
		struct netrc_creds cr;
		bool found;

		if (!lookup(t, c[i].text, c[i].host, &r, &cr, &found))
			continue;
		if (!TQ_INT(t, r.rc, c[i].rc) || !TQ_INT(t, found, c[i].found)) {
			(void)fprintf(stderr, "  case %zu: %s\n", i, c[i].text);
			continue;
		}
		TQ_STR(t, cr.login, c[i].login);
		TQ_STR(t, cr.password, c[i].password);
	}
}

static void t_entries(struct tq *t)
{
	struct nr_run r;
	struct netrc_creds cr;
	bool found;

	/* one pass hands over every entry, in order, for a table of hosts */
	if (lookup(t, "machine a login 1 password x\ndefault login d\nmachine b\nmachine c "
		      "password \"p w\"", "b", &r, &cr, &found)) {
		TQ_STR(t, r.entries, "a|1|x;*|d|;b||;c||p w;");
		TQ_TRUE(t, !found); /* b has no login and no password */
	}
}

static void t_bounds(struct tq *t)
{
	char text[NETRC_TOKEN_MAX + 64];
	struct nr_run r;
	struct netrc_creds cr;
	bool found;

	(void)snprintf(text, sizeof text, "machine a login %0*d", NETRC_TOKEN_MAX, 7);
	if (lookup(t, text, "a", &r, &cr, &found)) {
		TQ_INT(t, r.rc, QV_OK);
		TQ_INT(t, strlen(cr.login), NETRC_TOKEN_MAX);
	}
	(void)snprintf(text, sizeof text, "machine a\nlogin %0*d", NETRC_TOKEN_MAX + 1, 7);
	if (lookup(t, text, "a", &r, &cr, &found)) {
		TQ_INT(t, r.rc, QV_E_USAGE);
		TQ_STR(t, r.msg, "netrc line 2: token longer than 256 bytes");
	}
	{
		static const char nul[] = "machine a login u\npassword p\0q";
		struct netrc_parser p;
		struct qv_error e;

		netrc_init(&p, nr_entry, NULL);
		TQ_INT(t, netrc_feed(&p, nul, sizeof nul - 1, &e), QV_E_USAGE);
		TQ_STR(t, e.msg, "netrc line 2: NUL byte");
		netrc_clear(&p);
	}
}

void suite_netrc(struct tq *t)
{
	tq_run(t, "lookup rules", t_lookup);
	tq_run(t, "every entry handed over", t_entries);
	tq_run(t, "bounds and errors", t_bounds);
}
