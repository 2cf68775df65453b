/* progress.c - bar and dot progress on stderr (see progress.h). */
#include "cli/progress.h"

#include <sched.h>
#include <string.h>

#include "cli/fmt.h"
#include "util/clock.h"

/* The bar itself: narrower looks cramped, wider says nothing more. */
#define BAR_MIN 10
#define BAR_MAX 40

void progress_init(struct progress *p, FILE *f, enum cli_progress mode, bool ansi, bool color,
		   unsigned width)
{
	memset(p, 0, sizeof *p);
	p->f = f;
	p->mode = mode;
	p->ansi = ansi;
	p->color = color && ansi;
	p->width = width < 20 ? 80 : width;
	if (p->width > PROGRESS_LINE_MAX)
		p->width = PROGRESS_LINE_MAX;
	atomic_flag_clear(&p->counters);
	atomic_flag_clear(&p->busy);
}

static void progress_counters_lock(struct progress *p)
{
	while (atomic_flag_test_and_set_explicit(&p->counters, memory_order_acquire))
		(void)sched_yield();
}

static void progress_counters_unlock(struct progress *p)
{
	atomic_flag_clear_explicit(&p->counters, memory_order_release);
}

static uint64_t progress_done(struct progress *p)
{
	uint64_t done;

	progress_counters_lock(p);
	done = p->done;
	progress_counters_unlock(p);
	return done;
}

void progress_start(struct progress *p, uint64_t total)
{
	p->total = total;
	p->start_ms = clock_now_ms();
}

/* The tail after the bar: count, bytes, rate and ETA (or time taken). */
static void progress_tail(char *out, size_t cap, const struct progress_view *v)
{
	char bytes[FMT_MAX], rate[FMT_MAX], eta[FMT_MAX];
	double r = v->elapsed_s > 0 ? (double)v->bytes / v->elapsed_s : 0;

	fmt_bytes(v->bytes, bytes);
	fmt_rate(r, rate);
	if (v->final || v->done >= v->total)
		fmt_duration(v->elapsed_s, eta);
	else if (v->done == 0)
		(void)snprintf(eta, sizeof eta, "--:--");
	else
		fmt_duration(v->elapsed_s * (double)(v->total - v->done) / (double)v->done, eta);
	(void)snprintf(out, cap, " %llu/%llu  %s  %s  %s %s", (unsigned long long)v->done,
		       (unsigned long long)v->total, bytes, rate,
		       v->final || v->done >= v->total ? "in" : "ETA", eta);
}

size_t progress_format(char *out, size_t cap, const struct progress_view *v, unsigned width,
		       bool color, size_t *cols)
{
	char head[8], tail[PROGRESS_LINE_MAX];
	unsigned pct = v->total > 0 ? (unsigned)(v->done * 100u / v->total) : 100u;
	size_t room = width > 1 ? width - 1 : 0, fixed, bar = 0, fill, n;
	int k;

	if (pct > 100)
		pct = 100;
	(void)snprintf(head, sizeof head, "%3u%%", pct);
	progress_tail(tail, sizeof tail, v);
	fixed = strlen(head) + strlen(tail);
	if (room > fixed + 3 + BAR_MIN)
		bar = room - fixed - 3 < BAR_MAX ? room - fixed - 3 : BAR_MAX;
	if (bar == 0) {
		k = snprintf(out, cap, "%s%s", head, tail);
		n = k < 0 ? 0 : (size_t)k < cap ? (size_t)k : cap - 1;
		if (n > room)
			n = room;
		out[n] = '\0';
		*cols = n;
		return n;
	}
	fill = v->total > 0 ? (size_t)((double)bar * (double)v->done / (double)v->total) : bar;
	if (fill > bar)
		fill = bar;
	k = snprintf(out, cap, "%s [%s%.*s%s%.*s]%s", head, color ? "\033[32m" : "", (int)fill,
		     "########################################", color ? "\033[39m" : "",
		     (int)(bar - fill), "........................................", tail);
	n = k < 0 ? 0 : (size_t)k < cap ? (size_t)k : cap - 1;
	*cols = fixed + 3 + bar;
	return n;
}

static void progress_view_now(struct progress *p, struct progress_view *v, bool final)
{
	progress_counters_lock(p);
	v->done = p->done;
	v->bytes = p->bytes;
	progress_counters_unlock(p);
	v->total = p->total;
	v->elapsed_s = (double)(clock_now_ms() - p->start_ms) / 1000.0;
	v->final = final;
}

/* Draw the bar over the current line; the caller holds busy. */
static void progress_draw_bar(struct progress *p, bool final)
{
	char line[PROGRESS_LINE_MAX * 2];
	struct progress_view v;
	size_t cols, n;

	progress_view_now(p, &v, final);
	n = progress_format(line, sizeof line, &v, p->width, p->color, &cols);
	(void)fputc('\r', p->f);
	(void)fwrite(line, 1, n, p->f);
	if (p->ansi)
		(void)fputs("\033[K", p->f);
	else /* cover what a longer earlier line left */
		for (; p->shown > cols; p->shown--)
			(void)fputc(' ', p->f);
	p->shown = cols > 0 ? cols : 1;
	(void)fflush(p->f);
}

void progress_bytes(struct progress *p, uint64_t n)
{
	if (p->mode == CLI_PROGRESS_NONE)
		return;
	progress_counters_lock(p);
	p->bytes += n;
	progress_counters_unlock(p);
}

void progress_tick(struct progress *p)
{
	int64_t now;
	bool due;

	if (p->mode != CLI_PROGRESS_BAR || p->total == 0)
		return;
	now = clock_now_ms();
	progress_counters_lock(p); /* one thread takes each turn */
	due = now >= p->next_ms;
	if (due)
		p->next_ms = now + PROGRESS_REDRAW_MS;
	progress_counters_unlock(p);
	if (!due)
		return;
	if (atomic_flag_test_and_set(&p->busy))
		return; /* someone holds the line: skip this turn */
	progress_draw_bar(p, false);
	atomic_flag_clear(&p->busy);
}

static void progress_lock(struct progress *p)
{
	while (atomic_flag_test_and_set(&p->busy))
		(void)sched_yield();
}

/* Dot mode: one dot, and the count at the end of each full line. */
static void progress_dot(struct progress *p)
{
	uint64_t done = progress_done(p);

	progress_lock(p);
	(void)fputc('.', p->f);
	if (++p->dots == PROGRESS_DOTS_PER_LINE) {
		(void)fprintf(p->f, " %llu/%llu\n", (unsigned long long)done,
			      (unsigned long long)p->total);
		p->dots = 0;
	}
	(void)fflush(p->f);
	atomic_flag_clear(&p->busy);
}

void progress_item_done(struct progress *p)
{
	if (p->mode == CLI_PROGRESS_NONE)
		return;
	progress_counters_lock(p);
	p->done++;
	progress_counters_unlock(p);
	if (p->mode == CLI_PROGRESS_DOT)
		progress_dot(p);
	else
		progress_tick(p);
}

void progress_finish(struct progress *p)
{
	if (p->mode == CLI_PROGRESS_NONE || p->total == 0)
		return;
	progress_lock(p);
	if (p->mode == CLI_PROGRESS_BAR) {
		progress_draw_bar(p, true);
		(void)fputc('\n', p->f);
	} else if (p->dots > 0) {
		(void)fprintf(p->f, " %llu/%llu\n", (unsigned long long)progress_done(p),
			      (unsigned long long)p->total);
	}
	p->shown = 0;
	p->dots = 0;
	(void)fflush(p->f);
	p->mode = CLI_PROGRESS_NONE; /* the engines are done: nothing races this */
	atomic_flag_clear(&p->busy);
}

void progress_hold(struct progress *p)
{
	if (p->mode == CLI_PROGRESS_NONE)
		return;
	progress_lock(p);
	if (p->shown > 0) {
		(void)fputc('\r', p->f);
		if (p->ansi)
			(void)fputs("\033[K", p->f);
		else {
			for (; p->shown > 0; p->shown--)
				(void)fputc(' ', p->f);
			(void)fputc('\r', p->f);
		}
		p->shown = 0;
	} else if (p->dots > 0) {
		(void)fputc('\n', p->f);
		p->dots = 0;
	}
}

void progress_resume(struct progress *p)
{
	if (p->mode == CLI_PROGRESS_NONE)
		return;
	(void)fflush(p->f);
	progress_counters_lock(p);
	p->next_ms = 0;
	progress_counters_unlock(p);
	atomic_flag_clear(&p->busy);
}
