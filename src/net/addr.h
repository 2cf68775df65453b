/* addr.h - name resolution: host + port to a short list of socket addresses.
 *
 * getaddrinfo over IPv6 and IPv4 without AI_ADDRCONFIG, so ::1 and
 * 127.0.0.1 resolve even on a machine whose only interface is loopback.
 * The list is copied into a fixed array (no freeaddrinfo ownership to carry
 * around) and interleaved by family, as RFC 8305 §4 suggests, so one broken
 * family costs at most one attempt before the other is tried. */
#ifndef QV_NET_ADDR_H
#define QV_NET_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util/err.h"

/* Addresses kept per name: enough for dual-stack hosts with a few of each
 * family; trying more than this within one connect timeout is pointless. */
#define NET_ADDRS_MAX 8
/* "[ipv6%zone]:65535" fits easily. */
#define NET_ADDR_STR_MAX 80

struct net_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

struct net_addrs {
	struct net_addr a[NET_ADDRS_MAX];
	size_t count;
};

/* Resolve host (a name or an IP literal, IPv6 without brackets) for TCP on
 * port.  Blocks in getaddrinfo.  On success out->count >= 1.
 * Errors: QV_E_DNS with "could not resolve host: NAME (reason)". */
enum qv_err net_addr_resolve(const char *host, uint16_t port, struct net_addrs *out,
			     struct qv_error *err);

/* Write a as "127.0.0.1:8001" or "[::1]:8001" into out (cap bytes).
 * Returns the length (0 and "" when it does not fit or a is not IP). */
size_t net_addr_format(const struct net_addr *a, char *out, size_t cap);

#endif
