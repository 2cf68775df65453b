/* test_cli_output.c - the output policy (quiet, verbose, bar only on a
 * terminal, NO_COLOR, TERM=dumb), the progress bar text, the dot mode,
 * and human numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/fmt.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "tq.h"

void suite_cli_output(struct tq *t);

static void t_fmt(struct tq *t)
{
	/* b: fmt_bytes, r: fmt_rate, d: fmt_duration */
	static const struct {
		char fn;
		double v;
		const char *want;
	} cases[] = {
		{'b', 0, "0 B"},
		{'b', 1023, "1023 B"},
		{'b', 1024, "1.00 KiB"},
		{'b', 1536 * 1024, "1.50 MiB"},
		{'b', 123456789, "118 MiB"},
		{'b', 1023.0 * 1024 * 1024, "1023 MiB"},
		{'r', 2048.0, "2.00 KiB/s"},
		{'r', -1, "-- B/s"},
		{'r', 1e30, "-- B/s"},
		{'d', 7.4, "0:07"},
		{'d', 3723, "1:02:03"},
		{'d', 1e9, "99:59:59+"},
	};
	char b[FMT_MAX];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (cases[i].fn == 'b')
			fmt_bytes((uint64_t)cases[i].v, b);
		else if (cases[i].fn == 'r')
			fmt_rate(cases[i].v, b);
		else
			fmt_duration(cases[i].v, b);
		TQ_STR(t, b, cases[i].want);
	}
}

static void t_policy(struct tq *t)
{
	struct cli_term tty = {true, false, false, 80}, pipe = {false, true, false, 0};
	struct cli_out_want w;

	memset(&w, 0, sizeof w);
	TQ_INT(t, cli_out_decide(&w, &tty), CLI_PROGRESS_BAR);
	TQ_INT(t, cli_out_decide(&w, &pipe), CLI_PROGRESS_NONE);
	w.progress_set = true;
	w.progress = CLI_PROGRESS_BAR;
	TQ_INT(t, cli_out_decide(&w, &pipe), CLI_PROGRESS_DOT); /* never a bar in a pipe */
	TQ_INT(t, cli_out_decide(&w, &tty), CLI_PROGRESS_BAR);
	w.progress = CLI_PROGRESS_NONE;
	TQ_INT(t, cli_out_decide(&w, &tty), CLI_PROGRESS_NONE);
	w.progress = CLI_PROGRESS_DOT;
	TQ_INT(t, cli_out_decide(&w, &tty), CLI_PROGRESS_DOT);
	w.quiet = true;
	TQ_INT(t, cli_out_decide(&w, &tty), CLI_PROGRESS_NONE);
	w.quiet = false;
	w.verbose = true;
	TQ_INT(t, cli_out_decide(&w, &tty), CLI_PROGRESS_NONE);
}

/* What a cli_out with this terminal prints for one note and a finished bar. */
static char *run_out(const struct cli_term *term, bool quiet)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct cli_out_want w;
	struct cli_out o;

	if (f == NULL)
		return NULL;
	memset(&w, 0, sizeof w);
	w.quiet = quiet;
	cli_out_init(&o, f, f, &w, term);
	progress_start(&o.prog, 3);
	progress_item_done(&o.prog);
	cli_out_note(&o, "note %d", 1);
	progress_bytes(&o.prog, 2048);
	progress_item_done(&o.prog);
	progress_item_done(&o.prog);
	progress_finish(&o.prog);
	(void)fclose(f);
	return buf;
}

static void t_escapes(struct tq *t)
{
	struct cli_term tty = {true, false, false, 80};
	struct cli_term nocolor = {true, false, true, 80};
	struct cli_term dumb = {true, true, false, 80};
	struct cli_term pipe = {false, true, false, 0};
	char *s;

	s = run_out(&tty, false);
	TQ_TRUE(t, s != NULL && strstr(s, "\033[K") != NULL && strstr(s, "\033[32m") != NULL);
	TQ_TRUE(t, s != NULL && strstr(s, "note 1\n") != NULL && strstr(s, "100%") != NULL);
	free(s);
	s = run_out(&nocolor, false);
	TQ_TRUE(t, s != NULL && strstr(s, "\033[K") != NULL && strstr(s, "\033[32m") == NULL);
	free(s);
	s = run_out(&dumb, false);
	TQ_TRUE(t, s != NULL && strchr(s, '\033') == NULL && strchr(s, '\r') != NULL);
	free(s);
	s = run_out(&pipe, false);
	TQ_STR(t, s, "note 1\n");
	free(s);
	s = run_out(&tty, true);
	TQ_STR(t, s, "");
	free(s);
}

static void t_dots(struct tq *t)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	struct progress p;

	if (!TQ_TRUE(t, f != NULL))
		return;
	progress_init(&p, f, CLI_PROGRESS_DOT, false, false, 0);
	progress_start(&p, 53);
	for (i = 0; i < 53; i++)
		progress_item_done(&p);
	progress_finish(&p);
	(void)fclose(f);
	TQ_STR(t, buf, ".................................................. 50/53\n... 53/53\n");
	free(buf);
}

static void t_bar_text(struct tq *t)
{
	struct progress_view v = {5, 20, 3 * 1024 * 1024, 2.0, false};
	char out[PROGRESS_LINE_MAX * 2];
	size_t cols, n;

	n = progress_format(out, sizeof out, &v, 80, false, &cols);
	TQ_INT(t, n, cols);
	TQ_TRUE(t, cols <= 79);
	TQ_TRUE(t, strncmp(out, " 25% [########.", 15) == 0);
	TQ_TRUE(t, strstr(out, "] 5/20  3.00 MiB  1.50 MiB/s  ETA 0:06") != NULL);
	/* colour escapes do not count as columns */
	n = progress_format(out, sizeof out, &v, 80, true, &cols);
	TQ_TRUE(t, n > cols && cols <= 79);
	/* a narrow terminal drops the bar, then cuts the text */
	n = progress_format(out, sizeof out, &v, 40, false, &cols);
	TQ_TRUE(t, cols <= 39 && strchr(out, '[') == NULL);
	v.done = 20;
	v.final = true;
	(void)progress_format(out, sizeof out, &v, 80, false, &cols);
	TQ_TRUE(t, strstr(out, "100% [") == out && strstr(out, "in 0:02") != NULL);
	v.done = 0;
	v.final = false;
	(void)progress_format(out, sizeof out, &v, 80, false, &cols);
	TQ_TRUE(t, strstr(out, "ETA --:--") != NULL);
}

void suite_cli_output(struct tq *t)
{
	tq_run(t, "human numbers", t_fmt);
	tq_run(t, "policy: bar, dot, none, quiet, verbose", t_policy);
	tq_run(t, "escape codes only on a terminal; NO_COLOR; quiet", t_escapes);
	tq_run(t, "dot mode", t_dots);
	tq_run(t, "bar text", t_bar_text);
}
