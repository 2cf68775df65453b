/* io.h - moves bytes between a non-blocking socket and a BearSSL engine.
 *
 * BearSSL never does I/O: its engine says, through
 * br_ssl_engine_current_state, whether it has records to send (SENDREC),
 * wants records (RECVREC), has plaintext for us (RECVAPP) or room for ours
 * (SENDAPP).  These calls follow that state exactly and never block: when
 * the socket cannot move the bytes the engine needs next, they return
 * TLS_WANT_READ or TLS_WANT_WRITE, so a poll() loop and the blocking waits
 * wait on the right event.  Pending records are always sent before more are
 * read.  Used by both the client (client.c) and the server (server.c). */
#ifndef QV_TLS_IO_H
#define QV_TLS_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls/br.h"

/* Record header (5) + handshake header (4) + ServerHello version (2). */
#define TLS_IO_HEAD 11

enum tls_status {
	TLS_OK = 0,       /* progress: n >= 1 bytes moved, or the step is done */
	TLS_WANT_READ,    /* call again when the socket is readable */
	TLS_WANT_WRITE,   /* call again when the socket is writable */
	TLS_EOF,          /* the peer is done: close_notify (clean) or TCP EOF;
			   * tls_io.notified says which */
	TLS_ERROR         /* see tls_io.sys_errno / br_ssl_engine_last_error */
};

struct tls_io {
	br_ssl_engine_context *eng;
	int fd;
	int sys_errno;      /* errno of the socket call behind the last TLS_ERROR */
	bool sock_eof;      /* the peer closed TCP (with or without close_notify) */
	bool clean_close;   /* the engine closed after a close_notify */
	bool notified;      /* the peer's close_notify arrived (set with TLS_EOF) */
	bool handshake_eof; /* TCP EOF before the handshake finished (a TLS_ERROR) */
	bool closing;       /* br_ssl_engine_close was called (only once) */
	/* The first bytes the peer sent, to tell a non-TLS answer or an old
	 * ServerHello version apart when BearSSL says "unsupported version". */
	unsigned char head[TLS_IO_HEAD];
	size_t head_len;
};

void tls_io_init(struct tls_io *io, br_ssl_engine_context *eng, int fd);

/* Run the handshake until application data can be sent. */
enum tls_status tls_io_handshake(struct tls_io *io);

/* Read up to cap bytes of plaintext (cap >= 1).  TLS_EOF for a close_notify
 * or a TCP close after the handshake, with io->notified true only for the
 * former: the caller decides what a close without close_notify means (the
 * client: truncation once a response has begun; the server: nothing). */
enum tls_status tls_io_read(struct tls_io *io, uint8_t *buf, size_t cap, size_t *n);

/* Take up to len bytes of plaintext (len >= 1) into the engine: TLS_OK with
 * *n >= 1.  flush: make a record of them at once and start sending it (the
 * client writes a whole request head per call); records that do not fit in
 * the socket yet go out in later calls (any call sends them first). */
enum tls_status tls_io_write(struct tls_io *io, const uint8_t *p, size_t len, size_t *n,
			     bool flush);

/* Turn buffered plaintext into a record and send every pending record:
 * TLS_OK when nothing is left to send. */
enum tls_status tls_io_flush(struct tls_io *io);

/* Send close_notify: TLS_OK once it is out (or the engine is closed). */
enum tls_status tls_io_close(struct tls_io *io);

/* True when the engine is idle between responses: no unread plaintext, no
 * pending record, not closed (for a parked keep-alive connection). */
bool tls_io_idle(const struct tls_io *io);

#endif
