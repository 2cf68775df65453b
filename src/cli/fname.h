/* fname.h - local file names from untrusted text (DESIGN §5: no path
 * component from the network is trusted).
 *
 * Two policies: `get` repairs a name taken from a URL (the user asked for
 * that URL, so it still gets a file), while flags3 refuses a country name
 * from metadata.json that is not already a plain file name (an error for
 * that code, never a path). */
#ifndef QV_CLI_FNAME_H
#define QV_CLI_FNAME_H

#include <stddef.h>

#include "transfer/sink_file.h"
#include "util/err.h"

/* Longest name written: the file sink's limit, so NAME.part still fits in
 * NAME_MAX. */
#define FNAME_MAX SINK_FILE_NAME_MAX
/* An extension up to this long survives truncation of an overlong name
 * ("very...long.tar.gz" keeps ".gz"); longer tails are not extensions. */
#define FNAME_EXT_KEEP 16
/* The name of an empty last segment ("http://h/dir/"), as wget does. */
#define FNAME_DEFAULT "index.html"

/* The output name for a request target (path plus optional "?query", as in
 * struct url.target): the last path segment, percent-decoded, then
 * sanitised with fname_sanitise().  out must hold FNAME_MAX + 1 bytes.
 * Returns the length (never 0). */
size_t fname_from_target(const char *target, size_t len, char *out, size_t cap);

/* Make in[0..n) a safe single file name in out (FNAME_MAX + 1 bytes):
 * '/', '\\', NUL, control characters (C0, DEL, C1, bidi overrides) and bytes
 * that are not UTF-8 each become '_'; "", "." and ".." become FNAME_DEFAULT;
 * a name over FNAME_MAX bytes is cut at a UTF-8 boundary, keeping a short
 * extension.  Returns the length (never 0). */
size_t fname_sanitise(const char *in, size_t n, char *out, size_t cap);

/* Check that name (len bytes) is already a safe single file name: not
 * empty, at most FNAME_MAX bytes, valid UTF-8, no '/', '\\', NUL or control
 * character, not starting with '.' (so neither "..", "." nor a hidden file).
 * Returns QV_OK or QV_E_NAME with the reason in err (may be NULL). */
enum qv_err fname_check(const char *name, size_t len, struct qv_error *err);

#endif
