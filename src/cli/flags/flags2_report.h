/* flags2_report.h - what flags2 and flags3 print: the book's initial_report,
 * the verbose line per code, and final_report, to the letter. */
#ifndef QV_CLI_FLAGS_FLAGS2_REPORT_H
#define QV_CLI_FLAGS_FLAGS2_REPORT_H

#include <stdio.h>

#include "cli/flags/flags_common.h"
#include "transfer/transfer.h"
#include "util/err.h"

enum flags2_status { FLAGS2_OK = 0, FLAGS2_NOT_FOUND, FLAGS2_ERROR };

struct flags2_counts {
	unsigned ok, not_found, errors;
};

/* "{label} site: {url}", "Searching for {n} flag{s}: {A, B}" (or "from {first}
 * to {last}" beyond 10), "1 connection will be used." or
 * "{k} concurrent connections will be used." */
void flags2_report_start(FILE *f, const char *label, const char *site,
			 const struct flags_codes *codes, unsigned connections);

/* "--------------------", "{ok:3d} flag{s} downloaded.", "{nf:3d} not found."
 * and "{err:3d} error{s}." when not zero, "Elapsed time: {secs:.2f}s". */
void flags2_report_end(FILE *f, const struct flags2_counts *c, double secs);

/* A 404 is "not found"; any other failure (another status, transport, file,
 * name) an error.  Decided from this result alone. */
enum flags2_status flags2_classify(const struct xfer_result *res, const struct qv_error *err);

/* The -v line: "{CC} OK", "{CC} not found: {url}", "{CC} error: {message}".
 * url is the one that answered 404 (res->final_url, else the requested). */
void flags2_report_code(FILE *f, const char *cc, enum flags2_status st, const char *url,
			const struct qv_error *err);

#endif
