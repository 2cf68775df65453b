/* io.c - the socket <-> BearSSL engine pump, driven by the engine state. */
#include "tls/io.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

void tls_io_init(struct tls_io *io, br_ssl_engine_context *eng, int fd)
{
	memset(io, 0, sizeof *io);
	io->eng = eng;
	io->fd = fd;
}

/* Send some pending record bytes (the engine has SENDREC). */
static enum tls_status io_send_some(struct tls_io *io)
{
	size_t len = 0;
	unsigned char *buf = br_ssl_engine_sendrec_buf(io->eng, &len);
	ssize_t r;

	if (buf == NULL || len == 0)
		return TLS_OK;
	do {
		r = send(io->fd, buf, len, MSG_NOSIGNAL);
	} while (r < 0 && errno == EINTR);
	if (r > 0) {
		br_ssl_engine_sendrec_ack(io->eng, (size_t)r);
		return TLS_OK;
	}
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return TLS_WANT_WRITE;
	io->sys_errno = r < 0 ? errno : EIO;
	return TLS_ERROR;
}

/* Receive some record bytes (the engine has RECVREC). */
static enum tls_status io_recv_some(struct tls_io *io)
{
	size_t len = 0;
	unsigned char *buf = br_ssl_engine_recvrec_buf(io->eng, &len);
	ssize_t r;

	if (buf == NULL || len == 0)
		return TLS_OK;
	do {
		r = recv(io->fd, buf, len, 0);
	} while (r < 0 && errno == EINTR);
	if (r > 0) {
		size_t keep = sizeof io->head - io->head_len;

		if (keep > (size_t)r)
			keep = (size_t)r;
		memcpy(io->head + io->head_len, buf, keep);
		io->head_len += keep;
		br_ssl_engine_recvrec_ack(io->eng, (size_t)r);
		return TLS_OK;
	}
	if (r == 0) {
		io->sock_eof = true;
		return TLS_EOF;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return TLS_WANT_READ;
	io->sys_errno = errno;
	return TLS_ERROR;
}

/* The engine is closed: cleanly after close_notify, or failed. */
static enum tls_status io_closed(struct tls_io *io)
{
	if (br_ssl_engine_last_error(io->eng) == BR_ERR_OK) {
		io->clean_close = true;
		return TLS_EOF;
	}
	return TLS_ERROR;
}

enum tls_status tls_io_handshake(struct tls_io *io)
{
	for (;;) {
		unsigned st = br_ssl_engine_current_state(io->eng);
		enum tls_status r;

		if (st & BR_SSL_CLOSED) {
			if (io_closed(io) == TLS_EOF)
				io->handshake_eof = true;
			return TLS_ERROR;
		}
		if (st & BR_SSL_SENDREC)
			r = io_send_some(io);
		else if (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP))
			return TLS_OK;
		else if (st & BR_SSL_RECVREC)
			r = io_recv_some(io);
		else
			return TLS_ERROR; /* no way forward: cannot happen in 0.6 */
		if (r == TLS_EOF) {
			io->handshake_eof = true;
			return TLS_ERROR;
		}
		if (r != TLS_OK)
			return r;
	}
}

/* While reading: send what the engine owes first; a peer that is gone by
 * then (it closed right after its close_notify or last record) counts as
 * its close, for the HTTP framing to judge. */
static enum tls_status io_read_send(struct tls_io *io)
{
	enum tls_status r = io_send_some(io);

	if (r == TLS_ERROR && (io->sys_errno == EPIPE || io->sys_errno == ECONNRESET)) {
		io->sock_eof = true;
		return TLS_EOF;
	}
	return r;
}

/* A TLS_EOF of a read: record whether the peer's close_notify came first.
 * BearSSL sets shutdown_recv when it processes that alert (its own
 * br_sslio_* wrappers read the field the same way); the engine may still
 * owe our reply close_notify when the socket goes away. */
static enum tls_status io_read_eof(struct tls_io *io)
{
	io->notified = io->clean_close || io->eng->shutdown_recv != 0;
	return TLS_EOF;
}

enum tls_status tls_io_read(struct tls_io *io, uint8_t *buf, size_t cap, size_t *n)
{
	bool flushed = false;

	*n = 0;
	for (;;) {
		unsigned st = br_ssl_engine_current_state(io->eng);
		enum tls_status r;

		if (st & BR_SSL_CLOSED)
			return io_closed(io) == TLS_EOF ? io_read_eof(io) : TLS_ERROR;
		if (st & BR_SSL_RECVAPP) {
			size_t len = 0;
			unsigned char *app = br_ssl_engine_recvapp_buf(io->eng, &len);

			*n = len < cap ? len : cap;
			memcpy(buf, app, *n);
			br_ssl_engine_recvapp_ack(io->eng, *n);
			return TLS_OK;
		}
		if (st & BR_SSL_SENDREC) {
			r = io_read_send(io);
		} else if (st & BR_SSL_RECVREC) {
			r = io_recv_some(io);
		} else if (!flushed) {
			/* Only SENDAPP: unflushed plaintext holds the one (mono)
			 * buffer; make it a record so the buffer can receive. */
			br_ssl_engine_flush(io->eng, 0);
			flushed = true;
			r = TLS_OK;
		} else {
			return TLS_ERROR;
		}
		if (r == TLS_EOF)
			return io_read_eof(io);
		if (r != TLS_OK)
			return r;
	}
}

/* Send what can go now; errors wait for the next call to surface. */
static void io_push(struct tls_io *io)
{
	while ((br_ssl_engine_current_state(io->eng) & BR_SSL_SENDREC) != 0)
		if (io_send_some(io) != TLS_OK)
			return;
}

enum tls_status tls_io_write(struct tls_io *io, const uint8_t *p, size_t len, size_t *n,
			     bool flush)
{
	*n = 0;
	for (;;) {
		unsigned st = br_ssl_engine_current_state(io->eng);
		enum tls_status r;

		if (st & BR_SSL_CLOSED) {
			if (io_closed(io) == TLS_EOF)
				io->sys_errno = EPIPE; /* writing after the peer's close_notify */
			return TLS_ERROR;
		}
		if (st & BR_SSL_SENDAPP) {
			size_t avail = 0;
			unsigned char *app = br_ssl_engine_sendapp_buf(io->eng, &avail);

			*n = len < avail ? len : avail;
			memcpy(app, p, *n);
			br_ssl_engine_sendapp_ack(io->eng, *n);
			if (flush) {
				br_ssl_engine_flush(io->eng, 0);
				io_push(io);
			}
			return TLS_OK;
		}
		if (st & BR_SSL_SENDREC) {
			r = io_send_some(io);
		} else if (st & BR_SSL_RECVAPP) {
			/* Unread plaintext fills the mono buffer: the peer sent
			 * data nobody asked for. */
			io->sys_errno = EPROTO;
			return TLS_ERROR;
		} else if (st & BR_SSL_RECVREC) {
			r = io_recv_some(io);
			if (r == TLS_EOF) {
				io->sys_errno = EPIPE;
				return TLS_ERROR;
			}
		} else {
			return TLS_ERROR;
		}
		if (r != TLS_OK)
			return r;
	}
}

enum tls_status tls_io_flush(struct tls_io *io)
{
	br_ssl_engine_flush(io->eng, 0);
	for (;;) {
		unsigned st = br_ssl_engine_current_state(io->eng);
		enum tls_status r;

		if (st & BR_SSL_CLOSED)
			return io_closed(io) == TLS_EOF ? TLS_OK : TLS_ERROR;
		if ((st & BR_SSL_SENDREC) == 0)
			return TLS_OK;
		r = io_send_some(io);
		if (r != TLS_OK)
			return r;
	}
}

enum tls_status tls_io_close(struct tls_io *io)
{
	unsigned st = br_ssl_engine_current_state(io->eng);

	if (st & BR_SSL_CLOSED)
		return TLS_OK;
	if (!io->closing) {
		io->closing = true;
		br_ssl_engine_close(io->eng);
	}
	for (;;) {
		enum tls_status r;

		st = br_ssl_engine_current_state(io->eng);
		/* Done once our close_notify is out; the peer's is not awaited. */
		if ((st & BR_SSL_CLOSED) || (st & BR_SSL_SENDREC) == 0)
			return TLS_OK;
		r = io_send_some(io);
		if (r != TLS_OK)
			return r;
	}
}

bool tls_io_idle(const struct tls_io *io)
{
	unsigned st = br_ssl_engine_current_state(io->eng);

	return (st & (BR_SSL_CLOSED | BR_SSL_RECVAPP | BR_SSL_SENDREC)) == 0 &&
	       (st & BR_SSL_SENDAPP) != 0;
}
