/* emu.c - probes for emulator bugs (emu.h). */
#include "emu.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A refused connect to 127.0.0.1: the SO_ERROR it leaves, 0 when the probe
 * itself failed (then nothing is known and nothing is skipped). */
static int refused_so_error(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	struct pollfd p;
	int lfd, fd, soerr = 0;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		return 0;
	if (bind(lfd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len) != 0) {
		(void)close(lfd);
		return 0;
	}
	(void)close(lfd); /* the port is free: a connect to it is refused */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return 0;
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == 0 &&
	    connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0 && errno == EINPROGRESS) {
		p.fd = fd;
		p.events = POLLOUT;
		p.revents = 0;
		len = sizeof soerr;
		if (poll(&p, 1, 2000) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
			soerr = 0;
	}
	(void)close(fd);
	return soerr;
}

bool emu_so_error_untranslated(void)
{
	static int cached = -1;
	int soerr;

	if (cached < 0) {
		soerr = refused_so_error();
		cached = soerr != 0 && soerr != ECONNREFUSED;
	}
	return cached == 1;
}
