/* transfer.c - the state machine of one download (see transfer.h).
 *
 * Life of a request: ST_CONNECT -> [ST_TUNNEL_WRITE -> ST_TUNNEL_HEAD ->
 * ST_TLS, on a new connection through a CONNECT tunnel] -> ST_WRITE ->
 * ST_HEAD -> ST_BODY (kept) or ST_DISCARD (redirect, error, retry) ->
 * ST_RELEASE -> what `after` says:
 * another request (redirect, stale or range restart), a backoff wait, the
 * sink commit, or failure.  Every failure goes through xfer_fail() so the sink
 * is aborted exactly once and a held connection is released first. */
#include "transfer/transfer.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/date.h"
#include "http/uri.h"
#include "http/url.h"
#include "transfer/backoff.h"
#include "util/hash.h"

enum xfer_state {
	ST_CONNECT = 0,
	ST_TUNNEL_WRITE, /* sending CONNECT to the proxy */
	ST_TUNNEL_HEAD,  /* reading the proxy's answer */
	ST_TLS,          /* the engine runs the handshake through the tunnel */
	ST_WRITE,
	ST_HEAD,
	ST_BODY,
	ST_DISCARD,
	ST_RELEASE,
	ST_BACKOFF, /* retry decided; wake_at is set at the next xfer_next */
	ST_WAIT,
	ST_DONE,
	ST_FAILED
};

enum xfer_after {
	AFTER_CONNECT = 0, /* a new request: redirect, stale or range restart */
	AFTER_RETRY,       /* back off, then the same URL again */
	AFTER_COMMIT,
	AFTER_UNCHANGED,   /* not modified: done, nothing saved */
	AFTER_FAIL
};

_Static_assert(HTTP_ETAG_MAX <= SINK_VALIDATOR_MAX && HTTP_DATE_LEN < SINK_VALIDATOR_MAX,
	       "a validator fits the sink's");

static void xfer_start_request(struct xfer *x);
static void xfer_authority(const struct url_origin *o, char *out, size_t cap);
static void xfer_discard(struct xfer *x);
static void xfer_fail_after_discard(struct xfer *x);

/* ---- endings ------------------------------------------------------------ */

static void xfer_sink_abort(struct xfer *x)
{
	if (x->sink_ended)
		return;
	x->sink_ended = true;
	x->sink->ops->abort(x->sink);
}

static void xfer_commit(struct xfer *x)
{
	struct qv_error e;
	enum qv_err rc;

	qv_error_clear(&e);
	rc = x->sink->ops->commit(x->sink, &e);
	if (rc != QV_OK) {
		x->err = e;
		x->err.code = rc;
		/* lets the sink remove what a failed commit left behind */
		xfer_sink_abort(x);
		x->state = ST_FAILED;
		return;
	}
	x->sink_ended = true;
	qv_error_clear(&x->err);
	x->state = ST_DONE;
}

static void xfer_after_release(struct xfer *x)
{
	switch (x->after) {
	case AFTER_CONNECT:
		xfer_start_request(x);
		break;
	case AFTER_RETRY:
		x->state = ST_BACKOFF;
		break;
	case AFTER_COMMIT:
		xfer_commit(x);
		break;
	case AFTER_UNCHANGED:
		qv_error_clear(&x->err);
		x->state = ST_DONE;
		break;
	default:
		x->state = ST_FAILED;
		break;
	}
}

/* The response is over for this connection: release it (if one is held),
 * then do what x->after says. */
static void xfer_end_conn(struct xfer *x, bool reusable)
{
	x->conn_reusable = reusable && !x->early_response && !x->tunnel_pending;
	if (x->have_conn)
		x->state = ST_RELEASE;
	else
		xfer_after_release(x);
}

/* Give up with x->err: abort the sink now, close the connection. */
static void xfer_fail(struct xfer *x)
{
	xfer_sink_abort(x);
	x->after = AFTER_FAIL;
	xfer_end_conn(x, false);
}

static void xfer_fail_with(struct xfer *x, const struct qv_error *e)
{
	x->err = *e;
	xfer_fail(x);
}

/* ---- retries ------------------------------------------------------------ */

static bool xfer_transient(enum qv_err code)
{
	switch (code) {
	case QV_E_CONNECT:
	case QV_E_CONNECT_TIMEOUT:
	case QV_E_RESET:
	case QV_E_CLOSED:
	case QV_E_READ_TIMEOUT:
	case QV_E_WRITE_TIMEOUT:
	case QV_E_TRUNCATED:
	case QV_E_DNS_TIMEOUT:
		return true;
	default:
		return false;
	}
}

static bool xfer_transient_status(int status)
{
	return status == 408 || status == 429 || status == 500 || status == 502 ||
	       status == 503 || status == 504;
}

static bool xfer_may_retry(const struct xfer *x)
{
	return x->result.attempts <= x->opts->retries;
}

static uint32_t xfer_retry_delay(struct xfer *x, const struct http_resp *r)
{
	if (r != NULL && r->has_retry_after) {
		uint64_t ms = (uint64_t)r->retry_after_s * 1000u;
		uint64_t cap = (uint64_t)x->opts->retry_max_ms * XFER_RETRY_AFTER_FACTOR;

		if (ms > cap)
			ms = cap;
		return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
	}
	return backoff_delay_ms(x->opts->retry_base_ms, x->opts->retry_max_ms, x->result.attempts,
				&x->rng);
}

/* Errors that a stale pooled connection shows before any response byte. */
static bool xfer_stale_code(enum qv_err code)
{
	return code == QV_E_CLOSED || code == QV_E_RESET || code == QV_E_IO;
}

/* A transport failure through a proxy says which one, unless its message
 * already does. */
static void xfer_name_proxy(struct xfer *x)
{
	char px[URL_HOST_MAX + 8], msg[QV_ERROR_MSG_MAX];

	if (x->route.via == ROUTE_DIRECT)
		return;
	xfer_authority(&x->route.peer, px, sizeof px);
	if (strstr(x->err.msg, px) != NULL)
		return;
	memcpy(msg, x->err.msg, sizeof msg);
	(void)snprintf(x->err.msg, sizeof x->err.msg, "%s (through proxy %s)", msg, px);
}

/* Where a retry starts.  A sink that cannot take bytes back (standard
 * output) continues right after what went out, which needs a validator to
 * be sure it is the same file (or --continue-unsafe); false when it cannot,
 * with x->err saying so. */
static bool xfer_retry_point(struct xfer *x)
{
	uint64_t out = x->body_offset + x->result.bytes;
	char msg[QV_ERROR_MSG_MAX];

	if (!x->sink->no_rewind || !x->body_begun)
		return true;
	if (out > 0 && x->validator[0] == '\0' && !x->opts->resume_unsafe) {
		memcpy(msg, x->err.msg, sizeof msg);
		(void)snprintf(x->err.msg, sizeof x->err.msg,
			       "%s (not retried: the server sent no ETag or Last-Modified to "
			       "resume by; --continue-unsafe resumes without)",
			       msg);
		return false;
	}
	x->range_from = out;
	return true;
}

/* The connection broke (EOF, reset, timeout...) while the request or the
 * kept body was in flight. */
static void xfer_transport_fail(struct xfer *x, const struct qv_error *e)
{
	if (x->have_conn && x->reused && !x->got_any_byte && !x->stale_retry_done &&
	    xfer_stale_code(e->code)) {
		/* RFC 9112 §9.3.1: the server closed an idle pooled connection
		 * as we used it; a GET may be retried once on a fresh one. */
		x->stale_retry_done = true;
		x->no_reuse = true;
		x->after = AFTER_CONNECT;
		xfer_end_conn(x, false);
		return;
	}
	x->err = *e;
	xfer_name_proxy(x);
	if (xfer_transient(e->code) && xfer_may_retry(x) && xfer_retry_point(x)) {
		x->retry_delay_ms = xfer_retry_delay(x, NULL);
		x->after = AFTER_RETRY;
		xfer_end_conn(x, false);
		return;
	}
	xfer_fail(x);
}

/* ---- request ------------------------------------------------------------ */

static bool xfer_at_first_origin(const struct xfer *x)
{
	return url_origin_same(&x->route.origin, &x->first);
}

/* True for an "Authorization: ..." or "Cookie: ..." line: credentials that
 * must not follow a redirect to another origin (curl CVE-2018-1000007).  A
 * custom Host is dropped too: it names the first server, not the new one
 * (curl does the same). */
static bool xfer_is_origin_bound(const char *line)
{
	const char *colon = strchr(line, ':');
	size_t n;

	if (colon == NULL)
		return false;
	n = (size_t)(colon - line);
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	return (n == 13 && strncasecmp(line, "authorization", n) == 0) ||
	       (n == 6 && strncasecmp(line, "cookie", n) == 0) ||
	       (n == 4 && strncasecmp(line, "host", n) == 0);
}

/* Where the request head starts in text[] (see struct xfer). */
static size_t xfer_req_off(const struct xfer *x)
{
	return x->url_len + 1;
}

/* Where a response's Location goes in text[]: after the request head. */
static size_t xfer_loc_off(const struct xfer *x)
{
	return x->url_len + 1 + x->req_len + 1;
}

/* The method of the request now due: opts->method (GET by default) until
 * a 301/302/303 made it a GET. */
static const char *xfer_method(const struct xfer *x)
{
	return x->as_get || x->opts->method == NULL ? "GET" : x->opts->method;
}

static void xfer_resp_init(struct xfer *x)
{
	http_resp_init(&x->rp, strcmp(xfer_method(x), "HEAD") == 0, x->text + xfer_loc_off(x),
		       HTTP_LOCATION_MAX);
}

/* Make u the current URL: its text at the start of text[], its origin. */
static enum qv_err xfer_set_url(struct xfer *x, const struct url *u)
{
	size_t n = url_format(u, x->text, URL_MAX);
	struct url_origin o;

	x->url_len = n;
	if (n == 0)
		return QV_E_URL_TOO_LONG;
	x->target_off = n - strlen(u->target);
	url_origin_of(u, &o);
	proxy_route(x->opts->proxy, &o, &x->route);
	return QV_OK;
}

static enum qv_err xfer_build_request(struct xfer *x)
{
	struct http_req rq;
	bool first_origin = xfer_at_first_origin(x);
	size_t i, count = x->opts->extra_count;
	const struct proxy *px = proxy_of(x->opts->proxy, &x->route);
	char ims[HTTP_DATE_LEN + 1];

	memset(&rq, 0, sizeof rq);
	rq.method = xfer_method(x);
	x->send_body = x->opts->has_body && !x->as_get;
	rq.has_body = x->send_body;
	rq.body_len = x->opts->body_len;
	rq.content_type = x->opts->body_type;
	rq.origin = &x->route.origin;
	/* through a forwarding proxy the request names the whole URL */
	rq.target = x->route.via == ROUTE_PROXY ? x->text : x->text + x->target_off;
	rq.authorization = first_origin ? x->auth : NULL;
	if (x->route.via == ROUTE_PROXY && px != NULL && px->auth[0] != '\0')
		rq.proxy_authorization = px->auth;
	rq.user_agent = x->opts->user_agent;
	rq.keep_alive = true;
	rq.has_range = x->range_from > 0;
	rq.range_from = x->range_from;
	rq.if_range = x->validator[0] != '\0' ? x->validator : NULL;
	if (x->sink->has_ims) {
		http_date_format(x->sink->ims, ims);
		rq.if_modified_since = ims;
	}
	if (count > HTTP_REQ_EXTRA_MAX)
		count = HTTP_REQ_EXTRA_MAX;
	for (i = 0; i < count; i++) {
		const char *line = x->opts->extra[i];

		if (line == NULL || (!first_origin && xfer_is_origin_bound(line)))
			continue;
		rq.extra[rq.extra_count++] = line;
	}
	return http_req_write(&rq, x->text + xfer_req_off(x), XFER_REQ_MAX, &x->req_len, &x->err);
}

static void xfer_start_request(struct xfer *x)
{
	x->req_sent = 0;
	x->body_sent = 0;
	x->req_len = 0;
	if (xfer_build_request(x) != QV_OK) {
		xfer_fail(x);
		return;
	}
	x->state = ST_CONNECT;
}

/* ---- proxy tunnel ------------------------------------------------------- */

/* "host:port", the port always shown: how proxies and tunnels are named. */
static void xfer_authority(const struct url_origin *o, char *out, size_t cap)
{
	(void)snprintf(out, cap, o->host_is_ipv6 ? "[%s]:%u" : "%s:%u", o->host, (unsigned)o->port);
}

static bool xfer_proxy_has_auth(const struct xfer *x)
{
	const struct proxy *px = proxy_of(x->opts->proxy, &x->route);

	return px != NULL && px->auth[0] != '\0';
}

/* A 407, from a forwarding proxy or to a CONNECT. */
static void xfer_proxy_auth_error(struct xfer *x, const char *px, const struct http_resp *r)
{
	const char *reason = r->reason[0] != '\0' ? r->reason : "Proxy Authentication Required";

	if (xfer_proxy_has_auth(x))
		qv_error_set(&x->err, QV_E_PROXY_AUTH, "proxy %s refused the credentials (407 %s)",
			     px, reason);
	else
		qv_error_set(&x->err, QV_E_PROXY_AUTH,
			     "proxy %s wants credentials (407 %s): use --proxy-user or "
			     "http://user:pass@proxy", px, reason);
	x->err.detail = 407;
}

static enum qv_err xfer_build_connect(struct xfer *x)
{
	struct http_req rq;

	memset(&rq, 0, sizeof rq);
	rq.method = "CONNECT";
	rq.origin = &x->route.origin;
	rq.user_agent = x->opts->user_agent;
	if (xfer_proxy_has_auth(x))
		rq.proxy_authorization = proxy_of(x->opts->proxy, &x->route)->auth;
	return http_req_write(&rq, x->text + xfer_req_off(x), XFER_REQ_MAX, &x->req_len, &x->err);
}

/* The proxy answered our CONNECT; extra: bytes that came after its head. */
static void xfer_on_tunnel_head(struct xfer *x, size_t extra)
{
	const struct http_resp *r = http_resp_get(&x->rp);
	char px[URL_HOST_MAX + 8], to[URL_HOST_MAX + 8];

	xfer_authority(&x->route.peer, px, sizeof px);
	if (r->status >= 200 && r->status <= 299) {
		/* the server speaks first in no TLS exchange: bytes now are not
		 * from the origin */
		if (extra > 0) {
			qv_error_set(&x->err, QV_E_PROXY, "proxy %s sent data after its CONNECT answer",
				     px);
			xfer_fail(x);
			return;
		}
		if (xfer_build_request(x) != QV_OK) {
			xfer_fail(x);
			return;
		}
		x->state = ST_TLS;
		return;
	}
	http_body_init(&x->body, r);
	xfer_authority(&x->route.origin, to, sizeof to);
	if (r->status == 407)
		xfer_proxy_auth_error(x, px, r);
	else
		qv_error_set(&x->err, QV_E_PROXY, "proxy %s refused CONNECT to %s: %d%s%s", px, to,
			     r->status, r->reason[0] != '\0' ? " " : "", r->reason);
	x->err.detail = r->status;
	if (xfer_transient_status(r->status) && xfer_may_retry(x)) {
		x->retry_delay_ms = xfer_retry_delay(x, r);
		x->after = AFTER_RETRY;
		xfer_discard(x);
		return;
	}
	xfer_fail_after_discard(x);
}

/* ---- redirects ---------------------------------------------------------- */

static uint64_t xfer_hash(const char *s)
{
	return hash_fnv1a64(HASH_FNV64_OFFSET, s, strlen(s));
}

/* Append url to the chain text; the chain stays a contiguous prefix, so
 * once a URL does not fit no later one is recorded. */
static uint16_t xfer_chain_add(struct xfer *x, const char *url)
{
	size_t sep = x->chain_len > 0 ? 4 : 0, n = strlen(url);
	uint16_t off;

	if (x->chain_full || x->chain_len + sep + n + 1 > sizeof x->chain) {
		x->chain_full = true;
		return UINT16_MAX;
	}
	if (sep > 0)
		memcpy(x->chain + x->chain_len, " -> ", sep);
	off = (uint16_t)(x->chain_len + sep);
	memcpy(x->chain + off, url, n + 1);
	x->chain_len = off + n;
	return off;
}

/* Record the current URL as visited; a second visit is a loop, named from
 * its first visit: "redirect loop: a -> b -> a". */
static enum qv_err xfer_visit(struct xfer *x)
{
	const char *url = x->text;
	uint64_t h = xfer_hash(url);
	unsigned i;

	for (i = 0; i < x->visited_count; i++) {
		uint16_t off = x->visited[i].chain_off;

		if (x->visited[i].hash != h)
			continue;
		if (off == UINT16_MAX)
			return qv_error_set(&x->err, QV_E_REDIRECT_LOOP, "redirect loop back to %s", url);
		return qv_error_set(&x->err, QV_E_REDIRECT_LOOP, "redirect loop: %s -> %s",
				    x->chain + off, url);
	}
	if (x->visited_count < XFER_VISITED_MAX) {
		x->visited[x->visited_count].hash = h;
		x->visited[x->visited_count].chain_off = xfer_chain_add(x, url);
		x->visited_count++;
	}
	return QV_OK;
}

static bool xfer_is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* The scheme of an absolute URI must be http or https (curl CVE-2009-0037:
 * a redirect must not reach file: or other protocols). */
static enum qv_err xfer_check_scheme(struct xfer *x, const char *uri)
{
	size_t n = strcspn(uri, ":");

	if ((n == 4 && strncasecmp(uri, "http", 4) == 0) ||
	    (n == 5 && strncasecmp(uri, "https", 5) == 0))
		return QV_OK;
	return qv_error_set(&x->err, QV_E_REDIRECT_SCHEME, "redirect to unsupported scheme '%.*s'",
			    (int)(n < 32 ? n : 32), uri);
}

/* Turn the Location of response r into the new current URL. */
static enum qv_err xfer_redirect_target(struct xfer *x, const struct http_resp *r)
{
	enum url_scheme old_scheme = x->route.origin.scheme;
	size_t loc_len = strlen(r->location);
	/* The resolved URL goes right after the Location (see struct xfer). */
	char *target = x->text + xfer_loc_off(x) + loc_len + 1;
	struct url u; /* ~8 KiB, on the stack only while a redirect is taken */
	struct qv_error e;

	if (x->result.redirects >= x->opts->max_redirs)
		return qv_error_set(&x->err, QV_E_TOO_MANY_REDIRECTS, "too many redirects (%u)",
				    x->opts->max_redirs);
	if (!r->has_location)
		return qv_error_set(&x->err, QV_E_REDIRECT_NO_LOCATION,
				    "redirect (HTTP %d) without a Location header", r->status);
	qv_error_clear(&e);
	if (uri_resolve_ref(x->text, r->location, loc_len, true, target, XFER_REQ_MAX, &e) !=
	    QV_OK)
		return qv_error_set(&x->err, e.code, "bad redirect Location '%.120s': %s", r->location,
				    e.msg);
	if (xfer_check_scheme(x, target) != QV_OK)
		return x->err.code;
	if (url_parse(&u, target, strlen(target), &e) != QV_OK)
		return qv_error_set(&x->err, e.code, "bad redirect Location '%.120s': %s", r->location,
				    e.msg);
	if (old_scheme == URL_HTTPS && u.scheme == URL_HTTP && !x->opts->allow_downgrade)
		return qv_error_set(&x->err, QV_E_REDIRECT_DOWNGRADE,
				    "redirect from https to http refused: %.160s", target);
	x->result.redirects++;
	/* From here on the Location and target bytes may be overwritten. */
	if (xfer_set_url(x, &u) != QV_OK)
		return qv_error_set(&x->err, QV_E_URL_TOO_LONG, "redirect target too long");
	return xfer_visit(x);
}

/* ---- response head ------------------------------------------------------ */

static bool xfer_body_empty(const struct http_resp *r)
{
	return r->framing == HTTP_BODY_NONE ||
	       (r->framing == HTTP_BODY_LENGTH && r->content_length == 0);
}

/* Read the body of a response we do not keep, so the connection can be
 * reused; when that is impossible or costly just close it. */
static void xfer_discard(struct xfer *x)
{
	const struct http_resp *r = http_resp_get(&x->rp);

	x->discarded = 0;
	if (xfer_body_empty(r)) {
		xfer_end_conn(x, r->keep_alive);
		return;
	}
	if (r->framing == HTTP_BODY_CLOSE ||
	    (r->framing == HTTP_BODY_LENGTH && r->content_length > XFER_DISCARD_MAX)) {
		xfer_end_conn(x, false);
		return;
	}
	x->state = ST_DISCARD;
}

static void xfer_status_error(struct xfer *x, const struct http_resp *r)
{
	const char *reason = r->reason[0] != '\0' ? r->reason : "Unauthorized";
	char px[URL_HOST_MAX + 8];

	if (r->status == 401) {
		qv_error_set(&x->err, QV_E_AUTH,
			     x->auth != NULL && xfer_at_first_origin(x)
				     ? "authentication failed: the server refused the credentials (401 %s)"
				     : "authentication required (401 %s)",
			     reason);
		x->err.detail = 401;
		return;
	}
	if (r->status == 407 && x->route.via == ROUTE_PROXY) {
		xfer_authority(&x->route.peer, px, sizeof px);
		xfer_proxy_auth_error(x, px, r);
		return;
	}
	if (r->reason[0] != '\0')
		qv_error_set(&x->err, QV_E_HTTP_STATUS, "HTTP error %d - %s", r->status, r->reason);
	else
		qv_error_set(&x->err, QV_E_HTTP_STATUS, "HTTP error %d", r->status);
	x->err.detail = r->status;
}

/* Discard this body, then end with x->err (already set). */
static void xfer_fail_after_discard(struct xfer *x)
{
	xfer_sink_abort(x);
	x->after = AFTER_FAIL;
	xfer_discard(x);
}

/* The validator of a response's body: its strong ETag, else its
 * Last-Modified when that is strong (RFC 9110 §8.8.2.2: a Date at least a
 * second later, so the file did not change within the second it names). */
static void xfer_validator_of(struct xfer *x, const struct http_resp *r)
{
	if (r->etag[0] != '\0')
		memcpy(x->validator, r->etag, strlen(r->etag) + 1);
	else if (r->has_last_modified && r->has_date && r->date > r->last_modified)
		http_date_format(r->last_modified, x->validator);
	else
		x->validator[0] = '\0';
}

/* Start the body we keep: it goes to the sink from file offset `offset`. */
static void xfer_start_body(struct xfer *x, const struct http_resp *r, uint64_t offset)
{
	uint64_t max = x->opts->max_filesize;
	struct sink_meta meta;
	struct qv_error e;

	if (max > 0 && (offset > max || (r->framing == HTTP_BODY_LENGTH &&
				      r->content_length > max - offset))) {
		qv_error_set(&x->err, QV_E_TOO_BIG, "file too big: %llu bytes, --max-filesize is %llu",
			     (unsigned long long)(offset + r->content_length),
			     (unsigned long long)max);
		xfer_fail(x);
		return;
	}
	/* a resumed body keeps the validator it was asked with */
	if (offset == 0)
		xfer_validator_of(x, r);
	meta.validator = x->validator;
	meta.has_mtime = r->has_last_modified;
	meta.mtime = r->last_modified;
	qv_error_clear(&e);
	if (x->sink->ops->begin(x->sink, offset, &meta, &e) != QV_OK) {
		xfer_fail_with(x, &e);
		return;
	}
	x->body_begun = true;
	x->body_offset = offset;
	/* a retry of this body starts where it did */
	x->range_from = offset;
	x->result.bytes = 0;
	x->after = AFTER_COMMIT;
	if (xfer_body_empty(r)) {
		xfer_end_conn(x, r->keep_alive);
		return;
	}
	x->state = ST_BODY;
}

/* Send the same URL again without Range: the server's answer to the range
 * request was not a usable continuation (DESIGN §8, curl #1163). */
static void xfer_restart_without_range(struct xfer *x)
{
	x->range_from = 0;
	x->after = AFTER_CONNECT;
	xfer_discard(x);
}

/* The answer to a Range request cannot continue the bytes held: ask again
 * from byte 0, or fail when those bytes already went out (no_rewind). */
static void xfer_range_unusable(struct xfer *x, const char *why)
{
	if (!x->sink->no_rewind) {
		xfer_restart_without_range(x);
		return;
	}
	qv_error_set(&x->err, QV_E_RANGE, "cannot resume after %llu bytes: %s",
		     (unsigned long long)x->range_from, why);
	xfer_fail_after_discard(x);
}

/* If-Range made the server check the version; a strong ETag that differs
 * from the one sent anyway is a server that ignored it. */
static bool xfer_same_version(const struct xfer *x, const struct http_resp *r)
{
	return r->etag[0] == '\0' || x->validator[0] != '"' || strcmp(r->etag, x->validator) == 0;
}

/* A response to a Range request.  Returns true when it was handled. */
static bool xfer_on_resume_head(struct xfer *x, const struct http_resp *r)
{
	struct sink_meta meta = {x->validator, false, 0};
	struct qv_error e;

	if (r->status == 206) {
		if (r->has_content_range && !r->range_unsatisfied &&
		    r->range_first == x->range_from && xfer_same_version(x, r))
			xfer_start_body(x, r, x->range_from);
		else
			xfer_range_unusable(x, "the server's 206 does not continue them");
		return true;
	}
	if (r->status != 416) {
		if (!x->sink->no_rewind || r->status < 200 || r->status > 299)
			return false;
		xfer_range_unusable(x, "the server answered the Range request with the whole "
				       "file (it changed, or the server cannot resume)");
		return true;
	}
	if (!r->has_content_range || !r->range_unsatisfied || r->range_total != x->range_from) {
		xfer_range_unusable(x, "the server's 416 names another size");
		return true;
	}
	/* "bytes * /N" (no space) with N our size: the .part is the whole file. */
	qv_error_clear(&e);
	if (x->sink->ops->begin(x->sink, x->range_from, &meta, &e) != QV_OK) {
		xfer_fail_with(x, &e);
		return true;
	}
	x->body_begun = true;
	x->body_offset = x->range_from;
	x->result.bytes = 0;
	x->after = AFTER_COMMIT;
	xfer_discard(x);
	return true;
}

/* A request is conditional when it carries If-Modified-Since (-N) or the
 * user's own If-Modified-Since / If-None-Match (-H). */
static bool xfer_conditional(const struct xfer *x)
{
	size_t i;

	if (x->sink->has_ims)
		return true;
	for (i = 0; i < x->opts->extra_count; i++) {
		const char *l = x->opts->extra[i];

		if (l != NULL && (strncasecmp(l, "if-modified-since:", 18) == 0 ||
				  strncasecmp(l, "if-none-match:", 14) == 0))
			return true;
	}
	return false;
}

/* A 304, or a 200 not newer than the file -N asked about (a server that
 * ignores If-Modified-Since; wget does not fetch it either): leave the
 * file as it is.  A 304 nobody asked for is an error (curl #270). */
static bool xfer_on_unchanged(struct xfer *x, const struct http_resp *r)
{
	bool not_newer = r->status == 200 && x->range_from == 0 && x->sink->has_ims &&
			 r->has_last_modified && r->last_modified <= x->sink->ims;

	if (r->status != 304 && !not_newer)
		return false;
	if (r->status == 304 && !xfer_conditional(x)) {
		qv_error_set(&x->err, QV_E_HTTP_STATUS,
			     "HTTP 304 Not Modified to a request that was not conditional");
		x->err.detail = 304;
		xfer_fail_after_discard(x);
		return true;
	}
	x->result.not_modified = true;
	xfer_sink_abort(x);
	x->after = AFTER_UNCHANGED;
	xfer_discard(x);
	return true;
}

static void xfer_on_head(struct xfer *x)
{
	const struct http_resp *r = http_resp_get(&x->rp);
	bool ok = r->status >= 200 && r->status <= 299;

	x->result.status = r->status;
	http_body_init(&x->body, r);
	if (xfer_is_redirect(r->status) && x->opts->follow) {
		if (xfer_redirect_target(x, r) != QV_OK) {
			xfer_fail_after_discard(x);
			return;
		}
		/* a POST goes on as a GET; HEAD stays HEAD (its answer has no body) */
		if (r->status <= 303 && strcmp(xfer_method(x), "HEAD") != 0)
			x->as_get = true;
		x->after = AFTER_CONNECT;
		xfer_discard(x);
		return;
	}
	if (xfer_on_unchanged(x, r))
		return;
	if (xfer_transient_status(r->status) && xfer_may_retry(x)) {
		xfer_status_error(x, r);
		x->retry_delay_ms = xfer_retry_delay(x, r);
		x->after = AFTER_RETRY;
		xfer_discard(x);
		return;
	}
	if (x->range_from > 0 && xfer_on_resume_head(x, r))
		return;
	if (r->status == 206 && x->range_from == 0) {
		qv_error_set(&x->err, QV_E_RANGE,
			     "server sent a partial response (206) to a request without Range");
		xfer_fail_after_discard(x);
		return;
	}
	if (!ok && x->opts->fail_on_status) {
		xfer_status_error(x, r);
		xfer_fail_after_discard(x);
		return;
	}
	xfer_start_body(x, r, 0);
}

/* ---- response body ------------------------------------------------------ */

static void xfer_body_end(struct xfer *x)
{
	const struct http_resp *r = http_resp_get(&x->rp);

	xfer_end_conn(x, r->keep_alive && r->framing != HTTP_BODY_CLOSE);
}

static void xfer_body_data(struct xfer *x, const uint8_t *p, size_t n)
{
	uint64_t max = x->opts->max_filesize;
	struct qv_error e;

	if (x->state == ST_DISCARD) {
		x->discarded += n;
		if (x->discarded > XFER_DISCARD_MAX)
			xfer_end_conn(x, false);
		return;
	}
	if (max > 0 && x->body_offset + http_body_received(&x->body) > max) {
		qv_error_set(&x->err, QV_E_TOO_BIG, "file too big: more than %llu bytes (--max-filesize)",
			     (unsigned long long)max);
		xfer_fail(x);
		return;
	}
	qv_error_clear(&e);
	if (x->sink->ops->write(x->sink, p, n, &e) != QV_OK) {
		xfer_fail_with(x, &e);
		return;
	}
	x->result.bytes += n;
}

/* Feed body bytes; returns the bytes used. */
static size_t xfer_feed_body(struct xfer *x, const uint8_t *buf, size_t n)
{
	size_t used = 0, doff = 0, dlen = 0;
	struct qv_error e;

	qv_error_clear(&e);
	switch (http_body_feed(&x->body, buf, n, &used, &doff, &dlen, &e)) {
	case BODY_DATA:
		xfer_body_data(x, buf + doff, dlen);
		/* the decoder reports the framed end with the last data */
		if ((x->state == ST_BODY || x->state == ST_DISCARD) && http_body_done(&x->body))
			xfer_body_end(x);
		break;
	case BODY_DONE:
		xfer_body_end(x);
		break;
	case BODY_ERROR:
		if (x->state == ST_DISCARD)
			xfer_end_conn(x, false); /* keep the outcome, drop the connection */
		else
			xfer_fail_with(x, &e);
		return n;
	default:
		break;
	}
	return used;
}

/* Feed head bytes; returns the bytes used. */
static size_t xfer_feed_head(struct xfer *x, const uint8_t *buf, size_t n)
{
	bool tunnel = x->state == ST_TUNNEL_HEAD;
	char px[URL_HOST_MAX + 8];
	size_t used = 0;
	enum http_resp_progress r;
	struct qv_error e;

	qv_error_clear(&e);
	r = http_resp_feed(&x->rp, buf, n, &used, &e);
	/* -S sees the origin's heads, not a proxy's answer to CONNECT */
	if (x->opts->on_head != NULL && !tunnel) {
		if (used > 0 && r != HTTP_RESP_ERROR)
			x->opts->on_head(x->opts->head_ctx, buf, used);
		if (r != HTTP_RESP_NEED_MORE)
			x->opts->on_head(x->opts->head_ctx, buf, 0);
	}
	switch (r) {
	case HTTP_RESP_DONE:
		if (!tunnel) {
			xfer_on_head(x);
			return used;
		}
		xfer_on_tunnel_head(x, n - used);
		return x->state == ST_DISCARD ? used : n;
	case HTTP_RESP_ERROR:
		/* an answer from a proxy names it */
		if (tunnel || x->route.via == ROUTE_PROXY) {
			xfer_authority(&x->route.peer, px, sizeof px);
			qv_error_set(&x->err, tunnel ? QV_E_PROXY : e.code, "proxy %s: %s", px, e.msg);
			xfer_fail(x);
			return n;
		}
		xfer_fail_with(x, &e);
		return n;
	default:
		return n;
	}
}

void xfer_feed(struct xfer *x, const uint8_t *buf, size_t n)
{
	size_t off = 0;

	if (n == 0)
		return;
	if (x->state == ST_WRITE || x->state == ST_TUNNEL_WRITE) {
		x->early_response = true;
		x->state = x->state == ST_WRITE ? ST_HEAD : ST_TUNNEL_HEAD;
	}
	if (x->state != ST_HEAD && x->state != ST_BODY && x->state != ST_DISCARD &&
	    x->state != ST_TUNNEL_HEAD)
		return;
	x->got_any_byte = true;
	if (x->state == ST_HEAD || x->state == ST_TUNNEL_HEAD)
		off = xfer_feed_head(x, buf, n);
	while (off < n && (x->state == ST_BODY || x->state == ST_DISCARD)) {
		size_t used = xfer_feed_body(x, buf + off, n - off);

		if (used == 0 && (x->state == ST_BODY || x->state == ST_DISCARD)) {
			qv_error_set(&x->err, QV_E_INTERNAL, "body decoder made no progress");
			xfer_fail(x);
			return;
		}
		off += used;
	}
	/* Bytes after the end of the response: the server is out of step. */
	if (off < n)
		x->conn_reusable = false;
}

/* ---- engine events ------------------------------------------------------ */

void xfer_eof(struct xfer *x)
{
	char px[URL_HOST_MAX + 8];
	struct qv_error e;

	qv_error_clear(&e);
	switch (x->state) {
	case ST_TUNNEL_WRITE:
	case ST_TUNNEL_HEAD:
		xfer_authority(&x->route.peer, px, sizeof px);
		if (!x->got_any_byte) {
			qv_error_set(&e, QV_E_CLOSED,
				     "proxy %s closed the connection before answering CONNECT", px);
			xfer_transport_fail(x, &e);
		} else {
			qv_error_set(&x->err, QV_E_PROXY,
				     "proxy %s closed the connection in the middle of its answer", px);
			xfer_fail(x);
		}
		break;
	case ST_WRITE:
	case ST_HEAD:
		if (!x->got_any_byte) {
			qv_error_set(&e, QV_E_CLOSED, "%s", qv_err_text(QV_E_CLOSED));
			xfer_transport_fail(x, &e);
		} else {
			qv_error_set(&x->err, QV_E_HTTP_SYNTAX,
				     "connection closed in the middle of the response head");
			xfer_fail(x);
		}
		break;
	case ST_BODY:
		if (http_body_eof(&x->body, &e) == BODY_DONE)
			xfer_body_end(x);
		else
			xfer_transport_fail(x, &e);
		break;
	case ST_DISCARD:
		xfer_end_conn(x, false);
		break;
	default:
		break;
	}
}

void xfer_io_error(struct xfer *x, enum qv_err code, const char *msg)
{
	struct qv_error e;

	if (code == QV_OK) /* a caller bug must not look like success */
		code = QV_E_IO;
	switch (x->state) {
	case ST_CONNECT:
	case ST_TUNNEL_WRITE:
	case ST_TUNNEL_HEAD:
	case ST_TLS:
	case ST_WRITE:
	case ST_HEAD:
	case ST_BODY:
		qv_error_set(&e, code, "%s", msg != NULL ? msg : qv_err_text(code));
		xfer_transport_fail(x, &e);
		break;
	case ST_DISCARD:
		xfer_end_conn(x, false);
		break;
	default:
		break;
	}
}

void xfer_abort(struct xfer *x, enum qv_err code, const char *msg)
{
	if (x->state == ST_DONE || x->state == ST_FAILED)
		return;
	qv_error_set(&x->err, code, "%s", msg != NULL ? msg : qv_err_text(code));
	xfer_fail(x);
}

void xfer_connected(struct xfer *x, bool reused)
{
	if (x->state != ST_CONNECT)
		return;
	x->have_conn = true;
	x->reused = reused;
	x->no_reuse = false;
	x->got_any_byte = false;
	x->early_response = false;
	x->conn_reusable = false;
	x->tunnel_pending = false;
	xfer_resp_init(x);
	if (x->route.via == ROUTE_TUNNEL && !reused) {
		/* a pooled tunnel already carries TLS; a new one asks first */
		x->tunnel_pending = true;
		x->req_sent = 0;
		x->body_sent = 0;
		if (xfer_build_connect(x) != QV_OK) {
			xfer_fail(x);
			return;
		}
		http_resp_expect_connect(&x->rp);
		x->state = ST_TUNNEL_WRITE;
		return;
	}
	x->state = ST_WRITE;
}

void xfer_tls_done(struct xfer *x)
{
	if (x->state != ST_TLS)
		return;
	x->tunnel_pending = false;
	x->got_any_byte = false;
	x->early_response = false;
	x->req_sent = 0;
	x->body_sent = 0;
	xfer_resp_init(x);
	x->state = ST_WRITE;
}

/* Body bytes still to send after the head (never through a CONNECT). */
static size_t xfer_body_left(const struct xfer *x)
{
	return x->state == ST_WRITE && x->send_body ? x->opts->body_len - x->body_sent : 0;
}

void xfer_out(const struct xfer *x, const uint8_t **p, size_t *n)
{
	*p = (const uint8_t *)x->text;
	*n = 0;
	if (x->state != ST_WRITE && x->state != ST_TUNNEL_WRITE)
		return;
	if (x->req_sent < x->req_len) {
		*p = (const uint8_t *)x->text + xfer_req_off(x) + x->req_sent;
		*n = x->req_len - x->req_sent;
	} else if (xfer_body_left(x) > 0) {
		*p = x->opts->body + x->body_sent;
		*n = xfer_body_left(x);
	}
}

void xfer_sent(struct xfer *x, size_t n)
{
	size_t left;

	if (x->state != ST_WRITE && x->state != ST_TUNNEL_WRITE)
		return;
	if (x->req_sent < x->req_len) {
		left = x->req_len - x->req_sent;
		x->req_sent += n < left ? n : left;
	} else {
		left = xfer_body_left(x);
		x->body_sent += n < left ? n : left;
	}
	if (x->req_sent == x->req_len && xfer_body_left(x) == 0)
		x->state = x->state == ST_WRITE ? ST_HEAD : ST_TUNNEL_HEAD;
}

void xfer_released(struct xfer *x)
{
	if (x->state != ST_RELEASE)
		return;
	x->have_conn = false;
	x->reused = false;
	xfer_after_release(x);
}

enum xfer_action xfer_next(struct xfer *x, int64_t now_ms)
{
	switch (x->state) {
	case ST_CONNECT:
		return XFER_CONNECT;
	case ST_WRITE:
	case ST_TUNNEL_WRITE:
		return XFER_WRITE;
	case ST_HEAD:
	case ST_TUNNEL_HEAD:
	case ST_BODY:
	case ST_DISCARD:
		return XFER_READ;
	case ST_TLS:
		return XFER_TLS;
	case ST_RELEASE:
		return XFER_RELEASE;
	case ST_BACKOFF:
		x->wake_at_ms = now_ms + x->retry_delay_ms;
		x->state = ST_WAIT;
		return XFER_WAIT;
	case ST_WAIT:
		if (now_ms < x->wake_at_ms)
			return XFER_WAIT;
		x->result.attempts++;
		xfer_start_request(x);
		return x->state == ST_CONNECT ? XFER_CONNECT : XFER_FAILED;
	case ST_DONE:
		return XFER_DONE;
	default:
		return XFER_FAILED;
	}
}

/* ---- setup and queries -------------------------------------------------- */

void xfer_init(struct xfer *x, const struct xfer_opts *opts, const char *url_str, size_t url_len,
	       struct sink *sink, uint32_t seed)
{
	struct url u; /* ~8 KiB, on the stack: the transfer keeps text, not this */

	/* Not memset(x, 0, sizeof *x): see struct xfer on text[]. */
	memset(x, 0, offsetof(struct xfer, text));
	x->text[0] = '\0';
	x->result.final_url = x->text;
	qv_error_clear(&x->err);
	x->opts = opts;
	x->sink = sink;
	x->rng = backoff_seed(seed);
	x->result.attempts = 1;
	x->range_from = sink->resume_from;
	if (sink->resume_validator != NULL && strlen(sink->resume_validator) < sizeof x->validator)
		memcpy(x->validator, sink->resume_validator, strlen(sink->resume_validator) + 1);
	/* bytes of an unknown version are not continued (see transfer.h) */
	if (x->validator[0] == '\0' && !opts->resume_unsafe)
		x->range_from = 0;
	if (url_parse(&u, url_str, url_len, &x->err) != QV_OK) {
		size_t n = url_len < URL_MAX - 1 ? url_len : URL_MAX - 1;

		memcpy(x->text, url_str, n);
		x->text[n] = '\0';
		x->url_len = n;
		xfer_resp_init(x);
		xfer_fail(x);
		return;
	}
	url_origin_of(&u, &x->first);
	if (xfer_set_url(x, &u) != QV_OK) {
		xfer_resp_init(x);
		qv_error_set(&x->err, QV_E_URL_TOO_LONG, "%s", qv_err_text(QV_E_URL_TOO_LONG));
		xfer_fail(x);
		return;
	}
	xfer_resp_init(x);
	(void)xfer_visit(x);
	xfer_start_request(x);
}

const struct url_origin *xfer_origin(const struct xfer *x)
{
	return &x->route.origin;
}

const struct route *xfer_route(const struct xfer *x)
{
	return &x->route;
}

bool xfer_connecting(const struct xfer *x)
{
	return x->state == ST_TUNNEL_WRITE || x->state == ST_TUNNEL_HEAD || x->state == ST_TLS;
}

void xfer_set_auth(struct xfer *x, const char *auth)
{
	x->auth = auth;
	/* the request was built by xfer_init: build it again with them */
	if (x->state == ST_CONNECT && xfer_build_request(x) != QV_OK)
		xfer_fail(x);
}

bool xfer_may_reuse(const struct xfer *x)
{
	return !x->no_reuse;
}

bool xfer_conn_reusable(const struct xfer *x)
{
	return x->conn_reusable;
}

int64_t xfer_wake_at(const struct xfer *x)
{
	return x->wake_at_ms;
}

const struct xfer_result *xfer_result(const struct xfer *x)
{
	return &x->result;
}

const struct qv_error *xfer_error(const struct xfer *x)
{
	return &x->err;
}
