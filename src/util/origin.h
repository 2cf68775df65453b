/* origin.h - the origin of a URL (RFC 6454: scheme, host, port), the one
 * type that http/ (which parses it), net/ and tls/ (which connect to it and
 * pool and resume under it) all need.  A leaf header, so that no layer
 * includes its neighbour for it. */
#ifndef QV_UTIL_ORIGIN_H
#define QV_UTIL_ORIGIN_H

#include <stdbool.h>
#include <stdint.h>

/* Longest host name: DNS names are at most 253 bytes; an IPv6 literal with a
 * zone fits well within this. */
#define URL_HOST_MAX 256

enum url_scheme { URL_HTTP = 0, URL_HTTPS = 1 };

/* The origin of a URL (scheme, host, port): what a connection is opened
 * for and pooled under.  A transfer keeps this and its URL as text instead
 * of a whole struct url, whose 8 KiB target would be one more page of
 * memory per open transfer. */
struct url_origin {
	enum url_scheme scheme;
	char host[URL_HOST_MAX];  /* lower-case name, or IP literal (IPv6 without brackets) */
	bool host_is_ip;
	bool host_is_ipv6;
	uint16_t port;
};

/* How a connection reaches an origin (DESIGN §9). */
enum route_via {
	ROUTE_DIRECT = 0, /* TCP (and TLS for https) to the origin itself */
	ROUTE_PROXY,      /* http:// through an HTTP proxy: absolute-form requests,
			   * and the connection serves any http origin */
	ROUTE_TUNNEL      /* https:// through an HTTP proxy: CONNECT, then TLS to
			   * the origin over the tunnel */
};

struct route {
	enum route_via via;
	struct url_origin peer;   /* where TCP goes: the origin or the proxy */
	struct url_origin origin; /* what the requests (and TLS) are for */
};

#endif
