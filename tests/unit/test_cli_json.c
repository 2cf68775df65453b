/* test_cli_json.c - the metadata.json reader (escapes, surrogate pairs,
 * malformed documents) and the --json line writer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/flags/json_meta.h"
#include "cli/get/json_out.h"
#include "tq.h"

void suite_cli_json(struct tq *t);

/* The "country" member of doc, or NULL on error (err code in *rc). */
static const char *country(const char *doc, char *out, size_t cap, enum qv_err *rc)
{
	struct qv_error e;
	size_t len;

	*rc = json_meta_string(doc, strlen(doc), "country", out, cap, &len, &e);
	return *rc == QV_OK ? out : NULL;
}

static void t_book_metadata(struct tq *t)
{
	char out[128];
	enum qv_err rc;

	TQ_STR(t, country("{\"tld_cc\": \".br\", \"iso_cc\": \"BR\", \"country\": \"Brazil\", "
			  "\"gec_cc\": \"BR\"}", out, sizeof out, &rc), "Brazil");
	TQ_STR(t, country("{\"country\": \"C\\u00f4te d'Ivoire\"}", out, sizeof out, &rc),
	       "C\xc3\xb4te d'Ivoire");
	TQ_STR(t, country("  {\"country\":\"S\\u00e3o Tom\\u00e9 and Principe\"}\n", out,
			  sizeof out, &rc), "S\xc3\xa3o Tom\xc3\xa9 and Principe");
}

static void t_escapes(struct tq *t)
{
	char out[128];
	enum qv_err rc;

	TQ_STR(t, country("{\"country\":\"a\\\"b\\\\c\\/d\\n\"}", out, sizeof out, &rc),
	       "a\"b\\c/d\n");
	/* U+1F1E7 U+1F1F7 (regional indicators B R) as surrogate pairs */
	TQ_STR(t, country("{\"country\":\"\\ud83c\\udde7\\uD83C\\uDDF7\"}", out, sizeof out, &rc),
	       "\xf0\x9f\x87\xa7\xf0\x9f\x87\xb7");
	TQ_STR(t, country("{\"country\":\"\\u20ac\"}", out, sizeof out, &rc), "\xe2\x82\xac");
	/* raw UTF-8 passes through */
	TQ_STR(t, country("{\"country\":\"\xc3\xa9\"}", out, sizeof out, &rc), "\xc3\xa9");
	TQ_TRUE(t, country("{\"country\":\"\\ud83c\"}", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("{\"country\":\"\\udde7\"}", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("{\"country\":\"\\ud83c\\u0041\"}", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("{\"country\":\"\\x41\"}", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("{\"country\":\"\\u12\"}", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("{\"country\":\"a\tb\"}", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("{\"country\":\"\xff\"}", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("{\"country\":\"\xc0\xaf\"}", out, sizeof out, &rc) == NULL);
}

static void t_nul_escape(struct tq *t)
{
	const char *doc = "{\"country\":\"a\\u0000b\"}";
	char out[16];
	size_t len = 0;
	struct qv_error e;

	TQ_INT(t, json_meta_string(doc, strlen(doc), "country", out, sizeof out, &len, &e), QV_OK);
	TQ_INT(t, len, 3);
	TQ_MEM(t, out, 3, "a\0b", 3);
}

static void t_structure(struct tq *t)
{
	char out[128];
	enum qv_err rc;

	TQ_STR(t, country("{\"x\":[1,-2.5e+3,true,false,null,{\"y\":[]}],\"country\":\"Z\"}",
			  out, sizeof out, &rc), "Z");
	/* the last of duplicate keys wins, as in Python */
	TQ_STR(t, country("{\"country\":\"A\",\"country\":\"B\"}", out, sizeof out, &rc), "B");
	TQ_TRUE(t, country("{\"country\":\"A\",\"country\":1}", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("{\"country\":1}", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("{}", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("[\"country\"]", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("{\"country\":\"A\"", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("{\"country\":\"A\"}x", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("{\"country\":\"A\",}", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("{\"a\":01,\"country\":\"A\"}", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("{\"a\":1.,\"country\":\"A\"}", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("{\"a\":tru,\"country\":\"A\"}", out, sizeof out, &rc) == NULL);
	TQ_TRUE(t, country("", out, sizeof out, &rc) == NULL);
	TQ_INT(t, rc, QV_E_HTTP_SYNTAX);
	/* nested key of the same name does not count */
	TQ_TRUE(t, country("{\"x\":{\"country\":\"A\"}}", out, sizeof out, &rc) == NULL);
	/* too small an output buffer */
	TQ_TRUE(t, country("{\"country\":\"ABCDEFGH\"}", out, 4, &rc) == NULL);
}

static void t_depth(struct tq *t)
{
	char doc[200], out[16];
	enum qv_err rc;
	size_t i, n = 0;

	doc[n++] = '{';
	memcpy(doc + n, "\"a\":", 4);
	n += 4;
	for (i = 0; i < 60; i++)
		doc[n++] = '[';
	for (i = 0; i < 60; i++)
		doc[n++] = ']';
	doc[n++] = '}';
	doc[n] = '\0';
	TQ_TRUE(t, country(doc, out, sizeof out, &rc) == NULL);
}

/* Every prefix of a valid document is an error, read at a guard page. */
static void t_truncations(struct tq *t)
{
	const char *doc = "{\"country\": \"C\\u00f4te\", \"n\": [1, 2.5, null]}";
	size_t len = strlen(doc), k, got;
	char out[64];
	struct qv_error e;

	for (k = 0; k < len; k++) {
		uint8_t *g = tq_guard_dup(doc, k);

		if (!TQ_TRUE(t, g != NULL || k == 0))
			return;
		TQ_INT(t, json_meta_string((const char *)g, k, "country", out, sizeof out, &got, &e),
		       QV_E_HTTP_SYNTAX);
		tq_guard_free(g, k);
	}
	TQ_INT(t, json_meta_string(doc, len, "country", out, sizeof out, &got, &e), QV_OK);
}

static void t_out_record(struct tq *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json_record r;

	if (!TQ_TRUE(t, f != NULL))
		return;
	memset(&r, 0, sizeof r);
	r.url = "http://h/a\"b\\c\x01\xff";
	r.file = "d/a";
	r.status = 200;
	r.bytes = 12;
	r.ms = 3;
	r.attempts = 1;
	json_out_record(f, &r);
	r.file = NULL;
	r.status = 404;
	r.error = "HTTP error 404 - Not Found";
	r.error_code = "http_status";
	json_out_record(f, &r);
	(void)fclose(f);
	TQ_STR(t, buf,
	       "{\"url\":\"http://h/a\\\"b\\\\c\\u0001\\ufffd\",\"file\":\"d/a\",\"status\":200,"
	       "\"bytes\":12,\"ms\":3,\"attempts\":1,\"error\":null}\n"
	       "{\"url\":\"http://h/a\\\"b\\\\c\\u0001\\ufffd\",\"file\":null,\"status\":404,"
	       "\"bytes\":12,\"ms\":3,\"attempts\":1,\"error\":\"HTTP error 404 - Not Found\","
	       "\"code\":\"http_status\"}\n");
	free(buf);
}

void suite_cli_json(struct tq *t)
{
	tq_run(t, "book metadata.json", t_book_metadata);
	tq_run(t, "string escapes", t_escapes);
	tq_run(t, "\\u0000 kept with its length", t_nul_escape);
	tq_run(t, "document structure", t_structure);
	tq_run(t, "nesting depth bound", t_depth);
	tq_run(t, "truncated documents at a guard page", t_truncations);
	tq_run(t, "--json records", t_out_record);
}
