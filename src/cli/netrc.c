/* netrc.c - the .netrc tokenizer (see netrc.h). */
#include "cli/netrc.h"

#include <string.h>

#include "util/ascii.h"

enum nr_lex {
	LX_SPACE = 0,   /* between tokens */
	LX_WORD,        /* in a bare token */
	LX_QUOTED,      /* in a "quoted" token */
	LX_ESCAPE,      /* after '\' in a quoted token */
	LX_COMMENT,     /* '#' to the end of the line */
	LX_MACRO,       /* macdef body, in a line */
	LX_MACRO_NL     /* macdef body, just after a newline */
};

enum nr_expect { EX_KEYWORD = 0, EX_MACHINE, EX_LOGIN, EX_PASSWORD, EX_SKIP, EX_MACDEF };

void netrc_init(struct netrc_parser *p, netrc_entry_fn entry, void *ctx)
{
	memset(p, 0, sizeof *p);
	p->entry = entry;
	p->ctx = ctx;
	p->line = 1;
}

static enum qv_err nr_fail(struct netrc_parser *p, struct qv_error *err, const char *what)
{
	p->err = QV_E_USAGE;
	return qv_error_set(err, QV_E_USAGE, "netrc line %u: %s", p->line, what);
}

/* The entry being filled is complete: hand it over, start afresh. */
static void nr_emit(struct netrc_parser *p)
{
	if (p->in_entry)
		p->entry(p->ctx, p->is_default ? NULL : p->machine, &p->cur);
	p->in_entry = false;
	explicit_bzero(&p->cur, sizeof p->cur);
}

static void nr_keyword(struct netrc_parser *p, const char *t)
{
	if (strcmp(t, "machine") == 0) {
		nr_emit(p);
		p->expect = EX_MACHINE;
	} else if (strcmp(t, "default") == 0) {
		nr_emit(p);
		p->in_entry = true;
		p->is_default = true;
	} else if (strcmp(t, "login") == 0) {
		p->expect = EX_LOGIN;
	} else if (strcmp(t, "password") == 0) {
		p->expect = EX_PASSWORD;
	} else if (strcmp(t, "account") == 0) {
		p->expect = EX_SKIP;
	} else if (strcmp(t, "macdef") == 0) {
		p->expect = EX_MACDEF;
	}
	/* anything else: ignored, as curl and ftp do */
}

static void nr_token(struct netrc_parser *p)
{
	const char *t = p->tok;

	p->tok[p->tok_len] = '\0';
	switch (p->expect) {
	case EX_MACHINE:
		memcpy(p->machine, t, p->tok_len + 1);
		p->in_entry = true;
		p->is_default = false;
		break;
	case EX_LOGIN:
		if (p->in_entry && !p->cur.has_login) {
			memcpy(p->cur.login, t, p->tok_len + 1);
			p->cur.has_login = true;
		}
		break;
	case EX_PASSWORD:
		if (p->in_entry && !p->cur.has_password) {
			memcpy(p->cur.password, t, p->tok_len + 1);
			p->cur.has_password = true;
		}
		break;
	case EX_MACDEF:
		p->lex = LX_MACRO;
		break;
	case EX_SKIP:
		break;
	default:
		nr_keyword(p, t);
		p->tok_len = 0;
		explicit_bzero(p->tok, sizeof p->tok);
		return;
	}
	p->expect = EX_KEYWORD;
	p->tok_len = 0;
	explicit_bzero(p->tok, sizeof p->tok);
}

static bool nr_put(struct netrc_parser *p, char c)
{
	if (p->tok_len >= NETRC_TOKEN_MAX)
		return false;
	p->tok[p->tok_len++] = c;
	return true;
}

static bool nr_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static char nr_unescape(char c)
{
	switch (c) {
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	default: return c;
	}
}

/* One byte; false when the token overflows. */
static bool nr_byte(struct netrc_parser *p, char c)
{
	switch (p->lex) {
	case LX_SPACE:
		if (nr_blank(c))
			return true;
		if (c == '#') {
			p->lex = LX_COMMENT;
			return true;
		}
		p->lex = c == '"' ? LX_QUOTED : LX_WORD;
		return c == '"' || nr_put(p, c);
	case LX_WORD:
		if (!nr_blank(c))
			return nr_put(p, c);
		p->lex = LX_SPACE;
		nr_token(p);
		/* macdef's newline may end its (empty) first line right here */
		if (p->lex == LX_MACRO && c == '\n')
			p->lex = LX_MACRO_NL;
		return true;
	case LX_QUOTED:
		if (c == '\\') {
			p->lex = LX_ESCAPE;
			return true;
		}
		if (c != '"')
			return nr_put(p, c);
		p->lex = LX_SPACE;
		nr_token(p);
		return true;
	case LX_ESCAPE:
		p->lex = LX_QUOTED;
		return nr_put(p, nr_unescape(c));
	case LX_COMMENT:
		if (c == '\n')
			p->lex = LX_SPACE;
		return true;
	case LX_MACRO:
		if (c == '\n')
			p->lex = LX_MACRO_NL;
		return true;
	default: /* LX_MACRO_NL: an empty line ends the macro */
		if (c == '\n')
			p->lex = LX_SPACE;
		else if (c != '\r')
			p->lex = LX_MACRO;
		return true;
	}
}

enum qv_err netrc_feed(struct netrc_parser *p, const char *buf, size_t n, struct qv_error *err)
{
	size_t i;

	if (p->err != QV_OK)
		return qv_error_set(err, p->err, "netrc: unreadable");
	for (i = 0; i < n; i++) {
		if (buf[i] == '\0')
			return nr_fail(p, err, "NUL byte");
		if (!nr_byte(p, buf[i]))
			return nr_fail(p, err, "token longer than 256 bytes");
		if (buf[i] == '\n')
			p->line++;
	}
	return QV_OK;
}

enum qv_err netrc_finish(struct netrc_parser *p, struct qv_error *err)
{
	if (p->err != QV_OK)
		return qv_error_set(err, p->err, "netrc: unreadable");
	if (p->lex == LX_QUOTED || p->lex == LX_ESCAPE)
		return nr_fail(p, err, "unterminated quoted token");
	if (p->lex == LX_WORD) {
		p->lex = LX_SPACE;
		nr_token(p);
	}
	nr_emit(p);
	return QV_OK;
}

void netrc_clear(struct netrc_parser *p)
{
	explicit_bzero(p, sizeof *p);
}

/* ---- one host ---- */

struct nr_find {
	const char *host;
	bool matched, have_default;
	struct netrc_creds machine, fallback;
};

static void nr_find_entry(void *ctx, const char *machine, const struct netrc_creds *c)
{
	struct nr_find *f = ctx;

	if (machine == NULL) {
		if (!f->have_default)
			f->fallback = *c;
		f->have_default = true;
	} else if (!f->matched && ascii_ieq(machine, strlen(machine), f->host)) {
		f->machine = *c;
		f->matched = true;
	}
}

enum qv_err netrc_lookup(const char *text, size_t len, const char *host, struct netrc_creds *out,
			 bool *found, struct qv_error *err)
{
	struct nr_find f;
	struct netrc_parser p;
	enum qv_err rc;
	const struct netrc_creds *c;

	memset(&f, 0, sizeof f);
	f.host = host;
	netrc_init(&p, nr_find_entry, &f);
	rc = netrc_feed(&p, text, len, err);
	if (rc == QV_OK)
		rc = netrc_finish(&p, err);
	netrc_clear(&p);
	c = f.matched ? &f.machine : &f.fallback;
	*found = rc == QV_OK && (f.matched || f.have_default) && (c->has_login || c->has_password);
	*out = *found ? *c : (struct netrc_creds){0};
	explicit_bzero(&f, sizeof f);
	return rc;
}
