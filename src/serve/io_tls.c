/* io_tls.c - the TLS serve_io over a tls_server_conn per connection. */
#include "serve/io_tls.h"

#include "net/evloop.h"

/* Map a TLS status; *want gets the readiness to wait for. */
static enum serve_io_status io_tls_status(enum tls_status st, unsigned *want)
{
	switch (st) {
	case TLS_OK:
		return SERVE_IO_OK;
	case TLS_WANT_READ:
		*want = EVLOOP_READ;
		return SERVE_IO_AGAIN;
	case TLS_WANT_WRITE:
		*want = EVLOOP_WRITE;
		return SERVE_IO_AGAIN;
	case TLS_EOF:
		return SERVE_IO_EOF;
	case TLS_ERROR:
		break;
	}
	return SERVE_IO_ERROR;
}

static enum serve_io_status io_tls_recv(struct serve_io *io, uint8_t *buf, size_t cap, size_t *n,
					unsigned *want)
{
	return io_tls_status(tls_server_conn_read(io->ctx, buf, cap, n), want);
}

static enum serve_io_status io_tls_send(struct serve_io *io, const struct iovec *iov, int iovcnt,
					size_t *n, unsigned *want)
{
	enum tls_status st = TLS_OK;
	int i;

	*n = 0;
	for (i = 0; i < iovcnt && st == TLS_OK; i++) {
		const uint8_t *p = iov[i].iov_base;
		size_t left = iov[i].iov_len;

		while (left > 0) {
			size_t k = 0;

			st = tls_server_conn_write(io->ctx, p, left, &k);
			if (st != TLS_OK)
				break;
			p += k;
			left -= k;
			*n += k;
		}
	}
	/* Bytes taken count as progress; the engine's state says the rest. */
	if (*n > 0 && st != TLS_ERROR)
		return SERVE_IO_OK;
	return io_tls_status(st, want);
}

static enum serve_io_status io_tls_flush(struct serve_io *io, unsigned *want)
{
	return io_tls_status(tls_server_conn_flush(io->ctx), want);
}

static enum serve_io_status io_tls_shutdown(struct serve_io *io, unsigned *want)
{
	enum serve_io_status st = io_tls_status(tls_server_conn_close(io->ctx), want);

	return st != SERVE_IO_OK ? st : serve_io_tcp.shutdown(io, want);
}

static void io_tls_free(struct serve_io *io)
{
	tls_server_conn_free(io->ctx);
	io->ctx = NULL;
}

const struct serve_io_ops serve_io_tls = {
	io_tls_recv, io_tls_send, io_tls_flush, io_tls_shutdown, io_tls_free,
};

static enum qv_err io_tls_open(void *arg, struct serve_io *io, struct qv_error *err)
{
	struct tls_server_conn *c = NULL;
	enum qv_err rc = tls_server_conn_new(&c, arg, io->fd, err);

	if (rc != QV_OK)
		return rc;
	io->ops = &serve_io_tls;
	io->ctx = c;
	return QV_OK;
}

void serve_io_tls_factory(struct serve_io_factory *f, struct tls_server *srv)
{
	f->open = io_tls_open;
	f->arg = srv;
}
