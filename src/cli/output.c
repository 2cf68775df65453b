/* output.c - the output policy (see output.h). */
#include "cli/output.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

void cli_term_probe(struct cli_term *t, FILE *err)
{
	const char *term = getenv("TERM");
	const char *nc = getenv("NO_COLOR");
	struct winsize ws;
	int fd = fileno(err);

	memset(t, 0, sizeof *t);
	t->err_tty = fd >= 0 && isatty(fd) == 1;
	t->dumb = term == NULL || strcmp(term, "dumb") == 0;
	t->no_color = nc != NULL && nc[0] != '\0';
	if (t->err_tty && ioctl(fd, TIOCGWINSZ, &ws) == 0)
		t->width = ws.ws_col;
}

bool cli_progress_parse(const char *s, enum cli_progress *out)
{
	if (strcmp(s, "none") == 0)
		*out = CLI_PROGRESS_NONE;
	else if (strcmp(s, "bar") == 0)
		*out = CLI_PROGRESS_BAR;
	else if (strcmp(s, "dot") == 0)
		*out = CLI_PROGRESS_DOT;
	else
		return false;
	return true;
}

enum cli_progress cli_out_decide(const struct cli_out_want *w, const struct cli_term *t)
{
	enum cli_progress p;

	if (w->quiet || w->verbose)
		return CLI_PROGRESS_NONE;
	if (!w->progress_set)
		return t->err_tty ? CLI_PROGRESS_BAR : CLI_PROGRESS_NONE;
	p = w->progress;
	if (p == CLI_PROGRESS_BAR && !t->err_tty)
		p = CLI_PROGRESS_DOT;
	return p;
}

void cli_out_init(struct cli_out *o, FILE *out, FILE *err, const struct cli_out_want *w,
		  const struct cli_term *t)
{
	bool ansi = t->err_tty && !t->dumb;

	o->out = out;
	o->err = err;
	o->quiet = w->quiet;
	o->verbose = w->verbose && !w->quiet;
	progress_init(&o->prog, err, cli_out_decide(w, t), ansi, ansi && !t->no_color, t->width);
}

__attribute__((format(printf, 2, 0))) static void cli_out_vnote(struct cli_out *o, const char *fmt,
								va_list ap)
{
	progress_hold(&o->prog);
	(void)vfprintf(o->err, fmt, ap);
	(void)fputc('\n', o->err);
	(void)fflush(o->err);
	progress_resume(&o->prog);
}

void cli_out_note(struct cli_out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->quiet)
		return;
	va_start(ap, fmt);
	cli_out_vnote(o, fmt, ap);
	va_end(ap);
}

void cli_out_verbose(struct cli_out *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->verbose)
		return;
	va_start(ap, fmt);
	cli_out_vnote(o, fmt, ap);
	va_end(ap);
}
