/* json_out.h - JSON text for --json: one object per transfer, one per line
 * (JSON Lines), always valid UTF-8 whatever bytes a URL or message holds. */
#ifndef QV_CLI_GET_JSON_OUT_H
#define QV_CLI_GET_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Write s[0..n) as a JSON string with its quotes: '"', '\\' and control
 * characters escaped, bytes that are not UTF-8 replaced by U+FFFD. */
void json_out_str(FILE *f, const char *s, size_t n);

/* What --json records of one transfer. */
struct json_record {
	const char *url;
	const char *file;          /* NULL: null */
	int status;                /* HTTP status, 0: none */
	uint64_t bytes;
	uint64_t ms;
	unsigned attempts;
	const char *error;         /* NULL: null (success) */
	const char *error_code;    /* qv_err_name, NULL with error NULL */
	/* why nothing was saved though nothing failed: "exists"
	 * (--skip-existing), "not-modified" (-N and a 304); NULL: saved */
	const char *skipped;
	const char *sha256, *sha512; /* hex digests, NULL: not computed */
};

/* {"url":..,"file":..,"status":..,"bytes":..,"ms":..,"attempts":..,"error":..}
 * plus "code" when it failed, "skipped":"..." when skipped and "sha256" /
 * "sha512" when computed, then '\n'. */
void json_out_record(FILE *f, const struct json_record *r);

#endif
