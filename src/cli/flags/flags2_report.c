/* flags2_report.c - the book's flags2 report lines (see flags2_report.h). */
#include "cli/flags/flags2_report.h"

/* flags2_common.py lists the codes when there are at most this many. */
#define FLAGS2_LIST_MAX 10

void flags2_report_start(FILE *f, const char *label, const char *site,
			 const struct flags_codes *codes, unsigned connections)
{
	size_t n = codes->count, i;

	(void)fprintf(f, "%s site: %s\n", label, site);
	(void)fprintf(f, "Searching for %zu flag%s: ", n, n != 1 ? "s" : "");
	if (n <= FLAGS2_LIST_MAX) {
		for (i = 0; i < n; i++)
			(void)fprintf(f, "%s%s", i > 0 ? ", " : "", codes->cc[i]);
	} else {
		(void)fprintf(f, "from %s to %s", codes->cc[0], codes->cc[n - 1]);
	}
	(void)fputc('\n', f);
	if (connections == 1)
		(void)fputs("1 connection will be used.\n", f);
	else
		(void)fprintf(f, "%u concurrent connections will be used.\n", connections);
	(void)fflush(f);
}

void flags2_report_end(FILE *f, const struct flags2_counts *c, double secs)
{
	(void)fputs("--------------------\n", f);
	(void)fprintf(f, "%3u flag%s downloaded.\n", c->ok, c->ok != 1 ? "s" : "");
	if (c->not_found > 0)
		(void)fprintf(f, "%3u not found.\n", c->not_found);
	if (c->errors > 0)
		(void)fprintf(f, "%3u error%s.\n", c->errors, c->errors != 1 ? "s" : "");
	(void)fprintf(f, "Elapsed time: %.2fs\n", secs);
	(void)fflush(f);
}

enum flags2_status flags2_classify(const struct xfer_result *res, const struct qv_error *err)
{
	if (err->code == QV_OK)
		return FLAGS2_OK;
	if (err->code == QV_E_HTTP_STATUS && (err->detail == 404 || (err->detail == 0 &&
								      res->status == 404)))
		return FLAGS2_NOT_FOUND;
	return FLAGS2_ERROR;
}

void flags2_report_code(FILE *f, const char *cc, enum flags2_status st, const char *url,
			const struct qv_error *err)
{
	switch (st) {
	case FLAGS2_OK:
		(void)fprintf(f, "%s OK\n", cc);
		break;
	case FLAGS2_NOT_FOUND:
		(void)fprintf(f, "%s not found: %s\n", cc, url);
		break;
	case FLAGS2_ERROR:
	default:
		(void)fprintf(f, "%s error: %s\n", cc, err->msg);
		break;
	}
	(void)fflush(f);
}
