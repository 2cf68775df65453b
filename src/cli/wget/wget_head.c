/* wget_head.c - wget -S's printer (see wget_head.h). */
#include "cli/wget/wget_head.h"

#include <string.h>

void wget_head_init(struct wget_head *h, FILE *f)
{
	memset(h, 0, sizeof *h);
	h->f = f;
}

/* line[] out: the indent first on a new line; an empty line (the end of a
 * head) is not printed. */
static void wget_head_flush(struct wget_head *h, bool eol)
{
	if (eol && h->len > 0 && h->line[h->len - 1] == '\r')
		h->len--;
	if (!h->mid_line && h->len == 0 && eol)
		return;
	if (!h->mid_line)
		(void)fputs("  ", h->f);
	(void)fwrite(h->line, 1, h->len, h->f);
	h->len = 0;
	h->mid_line = !eol;
	if (eol)
		(void)fputs("\n", h->f);
}

void wget_head_feed(void *ctx, const uint8_t *p, size_t n)
{
	struct wget_head *h = ctx;
	size_t i;

	if (n == 0) {
		/* the head ended: a cut last line is ended too */
		if (h->len > 0 || h->mid_line)
			wget_head_flush(h, true);
		(void)fflush(h->f);
		return;
	}
	for (i = 0; i < n; i++) {
		if (p[i] == '\n') {
			wget_head_flush(h, true);
			continue;
		}
		/* keep a CR for the flush to drop; a full buffer goes out */
		if (h->len == sizeof h->line)
			wget_head_flush(h, false);
		h->line[h->len++] = (char)p[i];
	}
}
