/* pem.h - bounded reading of PEM (and DER) files for trust anchors and
 * server credentials.
 *
 * Files come from the user or the system, so every size is capped: a file
 * larger than its cap or an object larger than TLS_PEM_OBJ_MAX is refused
 * rather than read into unbounded memory. */
#ifndef QV_TLS_PEM_H
#define QV_TLS_PEM_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/file.h"

/* Largest file read: a distro CA bundle is about 250 KiB; 8 MiB leaves room
 * for big corporate bundles and still bounds memory. */
#define TLS_PEM_FILE_MAX (8u * 1024u * 1024u)
/* Largest single decoded object (one certificate or key): real ones are a
 * few KiB; 64 KiB allows huge extensions without unbounded growth. */
#define TLS_PEM_OBJ_MAX (64u * 1024u)

/* Called for each PEM object: name is the banner ("CERTIFICATE"), der its
 * decoded bytes (valid during the call).  Return QV_OK to go on; anything
 * else stops tls_pem_each, which returns it. */
typedef enum qv_err (*tls_pem_fn)(void *ctx, const char *name, const uint8_t *der, size_t len,
				  struct qv_error *err);

/* Decode every PEM object of data[0..len) in order, as BearSSL 0.6's PEM
 * decoder would decode it without its CR bytes (pem.c gives the rules).
 * *count (may be NULL) gets the number of objects seen.  Text outside
 * objects is ignored.
 * Errors: QV_E_TLS_PEM (malformed PEM, object over TLS_PEM_OBJ_MAX,
 * unterminated object), QV_E_NOMEM, or what fn returned. */
enum qv_err tls_pem_each(const uint8_t *data, size_t len, tls_pem_fn fn, void *ctx, size_t *count,
			 struct qv_error *err);

#endif
