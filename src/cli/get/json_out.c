/* json_out.c - JSON Lines records for --json (see json_out.h). */
#include "cli/get/json_out.h"

#include <string.h>

#include "cli/utf8.h"

void json_out_str(FILE *f, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	(void)fputc('"', f);
	while (i < n) {
		uint32_t cp = 0;
		size_t k = utf8_decode(p + i, n - i, &cp);

		if (k == 0) {
			(void)fputs("\\ufffd", f);
			i++;
			continue;
		}
		if (cp == '"' || cp == '\\')
			(void)fprintf(f, "\\%c", (int)cp);
		else if (cp == '\n')
			(void)fputs("\\n", f);
		else if (cp == '\t')
			(void)fputs("\\t", f);
		else if (cp < 0x20 || cp == 0x7f)
			(void)fprintf(f, "\\u%04x", (unsigned)cp);
		else
			(void)fwrite(p + i, 1, k, f);
		i += k;
	}
	(void)fputc('"', f);
}

static void json_out_opt_str(FILE *f, const char *s)
{
	if (s == NULL)
		(void)fputs("null", f);
	else
		json_out_str(f, s, strlen(s));
}

void json_out_record(FILE *f, const struct json_record *r)
{
	(void)fputs("{\"url\":", f);
	json_out_opt_str(f, r->url);
	(void)fputs(",\"file\":", f);
	json_out_opt_str(f, r->file);
	(void)fprintf(f, ",\"status\":%d,\"bytes\":%llu,\"ms\":%llu,\"attempts\":%u,\"error\":",
		      r->status, (unsigned long long)r->bytes, (unsigned long long)r->ms,
		      r->attempts);
	json_out_opt_str(f, r->error);
	if (r->error != NULL && r->error_code != NULL) {
		(void)fputs(",\"code\":", f);
		json_out_opt_str(f, r->error_code);
	}
	if (r->skipped != NULL)
		(void)fprintf(f, ",\"skipped\":\"%s\"", r->skipped);
	if (r->sha256 != NULL)
		(void)fprintf(f, ",\"sha256\":\"%s\"", r->sha256);
	if (r->sha512 != NULL)
		(void)fprintf(f, ",\"sha512\":\"%s\"", r->sha512);
	(void)fputs("}\n", f);
}
