/* json_meta.h - just enough JSON (RFC 8259) to read one string member of a
 * small object, such as "country" in flags3's {cc}/metadata.json.
 *
 * The whole text is validated (a truncated or malformed document is an
 * error, not a half-read name), without allocation and with a bounded
 * nesting depth.  Strings are decoded to UTF-8: \uXXXX escapes, surrogate
 * pairs included; a lone surrogate, a raw control byte or invalid UTF-8 is an
 * error.  A key given twice takes the last value, as Python's json does. */
#ifndef QV_CLI_FLAGS_JSON_META_H
#define QV_CLI_FLAGS_JSON_META_H

#include <stddef.h>

#include "util/err.h"

/* Deeper nesting than this in a metadata file is an attack, not data. */
#define JSON_DEPTH_MAX 32
/* Object keys longer than this never match (they are still validated). */
#define JSON_KEY_MAX 64

/* Find the top-level member `key` of the JSON object in text[0..len) and
 * decode its string value into out (cap bytes, NUL-terminated; *out_len is
 * the decoded length, which may include NUL bytes from \u0000).  Errors
 * (QV_E_HTTP_SYNTAX, message says where): not JSON, not an object, key
 * missing or not a string, value longer than cap - 1 bytes. */
enum qv_err json_meta_string(const char *text, size_t len, const char *key, char *out, size_t cap,
			     size_t *out_len, struct qv_error *err);

#endif
