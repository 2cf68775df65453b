/* io_tls.h - HTTPS for the embedded server: a serve_io (io.h) that runs
 * BearSSL's server engine (tls/server.h) between the socket and HTTP.
 * recv and send move plaintext; the handshake happens inside the first
 * recv calls; shutdown sends close_notify, then shuts the TCP side. */
#ifndef QV_SERVE_IO_TLS_H
#define QV_SERVE_IO_TLS_H

#include "serve/io.h"
#include "tls/server.h"

extern const struct serve_io_ops serve_io_tls;

/* Make f give every accepted connection a TLS layer over srv (which must
 * outlive the server using f). */
void serve_io_tls_factory(struct serve_io_factory *f, struct tls_server *srv);

#endif
