/* addr.c - getaddrinfo wrapper: resolve, copy, interleave families. */
#include "net/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* Copy up to NET_ADDRS_MAX results, alternating families in their original
 * (RFC 6724 preference) order: first of the preferred family, first of the
 * other, second of the preferred... */
static void addrs_interleave(const struct addrinfo *res, struct net_addrs *out)
{
	const struct addrinfo *ai;
	int first_family = res->ai_family;
	const struct addrinfo *cur[2] = {res, res};
	size_t turn = 0, stuck = 0;

	out->count = 0;
	while (out->count < NET_ADDRS_MAX && stuck < 2) {
		/* family for this turn: 0 = the preferred one, 1 = any other */
		for (ai = cur[turn]; ai != NULL; ai = ai->ai_next) {
			if ((ai->ai_family == first_family) == (turn == 0))
				break;
		}
		if (ai == NULL || ai->ai_addrlen > sizeof out->a[0].ss) {
			cur[turn] = NULL;
			stuck++;
		} else {
			memcpy(&out->a[out->count].ss, ai->ai_addr, ai->ai_addrlen);
			out->a[out->count].len = (socklen_t)ai->ai_addrlen;
			out->count++;
			cur[turn] = ai->ai_next;
			stuck = 0;
		}
		turn ^= 1u;
	}
}

enum qv_err net_addr_resolve(const char *host, uint16_t port, struct net_addrs *out,
			     struct qv_error *err)
{
	struct addrinfo hints, *res = NULL;
	char service[8];
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	/* No AI_ADDRCONFIG: with only loopback up it would hide ::1/127.0.0.1. */
	hints.ai_flags = AI_NUMERICSERV;
	(void)snprintf(service, sizeof service, "%u", (unsigned)port);
	out->count = 0;
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc == EAI_SYSTEM)
		return qv_error_sys(err, QV_E_DNS, errno, "could not resolve host: %s", host);
	if (rc != 0)
		return qv_error_set(err, QV_E_DNS, "could not resolve host: %s (%s)", host,
				    gai_strerror(rc));
	if (res != NULL)
		addrs_interleave(res, out);
	freeaddrinfo(res);
	if (out->count == 0)
		return qv_error_set(err, QV_E_DNS, "could not resolve host: %s (no address)",
				    host);
	return QV_OK;
}

size_t net_addr_format(const struct net_addr *a, char *out, size_t cap)
{
	char ip[INET6_ADDRSTRLEN];
	unsigned port;
	int n;

	if (cap == 0)
		return 0;
	out[0] = '\0';
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)&a->ss;
		if (inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip) == NULL)
			return 0;
		port = ntohs(sin->sin_port);
		n = snprintf(out, cap, "%s:%u", ip, port);
	} else if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)&a->ss;
		if (inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip) == NULL)
			return 0;
		port = ntohs(s6->sin6_port);
		n = snprintf(out, cap, "[%s]:%u", ip, port);
	} else {
		return 0;
	}
	if (n < 0 || (size_t)n >= cap) {
		out[0] = '\0';
		return 0;
	}
	return (size_t)n;
}
