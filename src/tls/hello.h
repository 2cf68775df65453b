/* hello.h - X25519 first in the client's supported_groups (DESIGN §4).
 *
 * BearSSL 0.6 means to offer X25519 first (ssl_hs_client.t0 says so), but
 * its T0 code tests the loop counter instead of the curve mask, so the list
 * goes out in ID order: P-256 (23), P-384, P-521, X25519 (29).  Servers that
 * follow the client's order (OpenSSL's default, so nginx's) then choose
 * P-256, whose ECDHE costs 2.2 times X25519's in BearSSL's m31 code on
 * x86_64 and 3.3 times under qemu-arm (bench/curves.sh, medians of 3).
 *
 * Right after br_ssl_client_reset the ClientHello sits whole in the
 * engine's output buffer and is the only message in the handshake
 * transcript hash.  tls_hello_x25519_first finds its supported_groups
 * extension -- exactly the bytes BearSSL writes for quiver's profile -- and
 * moves X25519 to the front of the list (the same bytes, so every length
 * stays), then hashes the transcript again, so both Finished messages
 * agree.  A record that is not one whole ClientHello with that extension
 * after its session ID is left as it is. */
#ifndef QV_TLS_HELLO_H
#define QV_TLS_HELLO_H

#include <stdbool.h>
#include <stddef.h>

#include "tls/br.h"

/* In the record rec[0..len) holding one ClientHello, put X25519 first in
 * BearSSL's supported_groups extension; *msg and *msg_len get the
 * handshake message (inside rec).  False, rec untouched, when rec is not
 * such a record or has no such extension (X25519 first already, another
 * list of groups). */
bool tls_hello_reorder(unsigned char *rec, size_t len, const unsigned char **msg, size_t *msg_len);

/* tls_hello_reorder on eng's pending ClientHello record, then the
 * transcript hash recomputed.  Call only right after br_ssl_client_reset
 * succeeded.  True when the list was changed. */
bool tls_hello_x25519_first(br_ssl_engine_context *eng);

#endif
