/* server.h - the TLS server side of `quiver serve --tls --cert PEM --key PEM`.
 *
 * A struct tls_server holds the certificate chain and private key (RSA or
 * EC, read from PEM: the key by tls/skey.h, the certificate's public key by
 * tls/cert.h; checked to match) and a session cache so clients can resume.  Each accepted socket gets a struct
 * tls_server_conn: a BearSSL server context (full profile for the key type)
 * driven like the client through tls/io.h; the handshake happens inside the
 * first reads.  Unlike the client it has a full-duplex (bidi) buffer pair:
 * a server may receive the next request while it still sends an answer,
 * which one shared mono buffer could not hold.
 *
 * Threads: the server and its connections belong to one thread (the serve
 * loop); the session cache is not locked. */
#ifndef QV_TLS_SERVER_H
#define QV_TLS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls/io.h"
#include "util/err.h"

/* Most certificates in the chain file: real chains have 2 to 4. */
#define TLS_SERVER_CHAIN_MAX 8u
/* Bytes of the server session cache: about 100 bytes per session, so a
 * few hundred clients can resume. */
#define TLS_SERVER_CACHE_BYTES (32u * 1024u)

struct tls_server;
struct tls_server_conn;

/* Load the chain (server certificate first) from cert_path and the key
 * ("RSA PRIVATE KEY", "EC PRIVATE KEY" or PKCS#8 "PRIVATE KEY") from
 * key_path.  Errors: QV_E_TLS_PEM ("cannot read cert.pem: ...", "no
 * certificate in cert.pem", "no private key in key.pem", "key.pem does not
 * match the certificate in cert.pem"), QV_E_NOMEM. */
enum qv_err tls_server_new(struct tls_server **out, const char *cert_path, const char *key_path,
			   struct qv_error *err);

/* Accepts NULL.  Every connection of it must be freed first. */
void tls_server_free(struct tls_server *srv);

/* "RSA" or "EC": the key type served. */
const char *tls_server_key_name(const struct tls_server *srv);

/* A connection on the accepted non-blocking socket fd (not owned).
 * Errors: QV_E_TLS_HANDSHAKE (engine setup failed), QV_E_NOMEM. */
enum qv_err tls_server_conn_new(struct tls_server_conn **out, struct tls_server *srv, int fd,
				struct qv_error *err);

/* Accepts NULL.  Does not send anything and never closes fd. */
void tls_server_conn_free(struct tls_server_conn *c);

/* Plaintext in (runs the handshake first); TLS_EOF when the client closed. */
enum tls_status tls_server_conn_read(struct tls_server_conn *c, uint8_t *buf, size_t cap,
				     size_t *n);
/* Plaintext out, buffered into records; tls_server_conn_flush sends them. */
enum tls_status tls_server_conn_write(struct tls_server_conn *c, const uint8_t *p, size_t len,
				      size_t *n);
enum tls_status tls_server_conn_flush(struct tls_server_conn *c);
/* close_notify; TLS_OK when sent. */
enum tls_status tls_server_conn_close(struct tls_server_conn *c);

/* The SNI host name the client sent ("" when none). */
const char *tls_server_conn_sni(const struct tls_server_conn *c);

#endif
