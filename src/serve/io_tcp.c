/* io_tcp.c - the plain-TCP serve_io: recv, writev, shutdown on the socket. */
#include "serve/io.h"

#include <errno.h>
#include <sys/socket.h>

#include "net/evloop.h"

static enum serve_io_status io_tcp_recv(struct serve_io *io, uint8_t *buf, size_t cap,
					size_t *n, unsigned *want)
{
	ssize_t r;

	*n = 0;
	do {
		r = recv(io->fd, buf, cap, 0);
	} while (r < 0 && errno == EINTR);
	if (r > 0) {
		*n = (size_t)r;
		return SERVE_IO_OK;
	}
	if (r == 0)
		return SERVE_IO_EOF;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		*want = EVLOOP_READ;
		return SERVE_IO_AGAIN;
	}
	return SERVE_IO_ERROR;
}

static enum serve_io_status io_tcp_send(struct serve_io *io, const struct iovec *iov,
					int iovcnt, size_t *n, unsigned *want)
{
	struct msghdr msg = {0};
	ssize_t r;

	*n = 0;
	msg.msg_iov = (struct iovec *)(uintptr_t)iov;   /* sendmsg does not write it */
	msg.msg_iovlen = (size_t)iovcnt;
	do {
		/* MSG_NOSIGNAL: a vanished client gives EPIPE, not SIGPIPE */
		r = sendmsg(io->fd, &msg, MSG_NOSIGNAL);
	} while (r < 0 && errno == EINTR);
	if (r >= 0) {
		*n = (size_t)r;
		return SERVE_IO_OK;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		*want = EVLOOP_WRITE;
		return SERVE_IO_AGAIN;
	}
	return SERVE_IO_ERROR;
}

static enum serve_io_status io_tcp_flush(struct serve_io *io, unsigned *want)
{
	(void)io;
	(void)want;
	return SERVE_IO_OK;
}

static enum serve_io_status io_tcp_shutdown(struct serve_io *io, unsigned *want)
{
	(void)want;
	return shutdown(io->fd, SHUT_WR) == 0 || errno == ENOTCONN ? SERVE_IO_OK : SERVE_IO_ERROR;
}

static void io_tcp_free(struct serve_io *io)
{
	(void)io;
}

const struct serve_io_ops serve_io_tcp = {
	io_tcp_recv, io_tcp_send, io_tcp_flush, io_tcp_shutdown, io_tcp_free,
};
