/* io.h - the seam between a server connection and its socket.
 *
 * The connection logic (conn.c) never calls recv/send itself: it talks to a
 * struct serve_io, so a TLS layer can sit between the socket and HTTP by
 * providing another serve_io_ops (BearSSL's server engine: recv/send move
 * plaintext, the handshake happens inside them).  Plain TCP is
 * serve_io_tcp.  Every operation is non-blocking and says which readiness
 * to wait for when it cannot progress, because under TLS a read may need the
 * socket writable and a write may need it readable. */
#ifndef QV_SERVE_IO_H
#define QV_SERVE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "util/err.h"

enum serve_io_status {
	SERVE_IO_OK,     /* progress: *n >= 1 bytes moved, or the step is done */
	SERVE_IO_AGAIN,  /* retry when the fd has the readiness in *want */
	SERVE_IO_EOF,    /* recv only: the peer finished sending */
	SERVE_IO_ERROR   /* the connection is unusable (reset, protocol error) */
};

struct serve_io;

struct serve_io_ops {
	/* Receive up to cap bytes of request data into buf.  The server calls it
	 * whenever it has room, not only after poll() said readable, so a layer
	 * holding decrypted bytes gets them delivered. */
	enum serve_io_status (*recv)(struct serve_io *io, uint8_t *buf, size_t cap, size_t *n,
				     unsigned *want);
	/* Send from iov (at least one byte in total); *n = bytes taken, which
	 * may be fewer than offered. */
	enum serve_io_status (*send)(struct serve_io *io, const struct iovec *iov, int iovcnt,
				     size_t *n, unsigned *want);
	/* Push out bytes that send accepted but buffered (TLS records): OK
	 * when nothing is left.  The server calls it once its queue is empty. */
	enum serve_io_status (*flush)(struct serve_io *io, unsigned *want);
	/* End the sending direction (TCP: shutdown(SHUT_WR); TLS: close_notify
	 * first).  OK when done. */
	enum serve_io_status (*shutdown)(struct serve_io *io, unsigned *want);
	/* Release the layer's state.  Never closes fd: the server owns it. */
	void (*free)(struct serve_io *io);
};

struct serve_io {
	const struct serve_io_ops *ops;
	int fd;       /* the accepted, non-blocking socket */
	void *ctx;    /* the layer's per-connection state (NULL for TCP) */
};

/* Creates the transport of each accepted connection: sets io->ops and
 * io->ctx (io->fd is already set).  An error drops that connection only. */
struct serve_io_factory {
	enum qv_err (*open)(void *arg, struct serve_io *io, struct qv_error *err);
	void *arg;
};

/* Plain TCP: ctx unused. */
extern const struct serve_io_ops serve_io_tcp;

#endif
