/* client.c - TLS client connections over BearSSL, with quiver's profile (profile.h). */
#include "tls/client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "tls/cert.h"
#include "tls/chaincache.h"
#include "tls/errors.h"
#include "tls/hello.h"
#include "tls/profile.h"
#include "tls/session.h"
#include "tls/x509.h"
#include "util/origin.h"

/* Bytes of OS entropy injected when BearSSL finds no source itself. */
#define TLS_SEED_BYTES 32

struct tls_client {
	bool insecure;
	int64_t now_unix;
	char *cacert;                   /* copy of --cacert, or NULL */
	bool custom_paths;
	struct tls_trust_paths paths;   /* when custom_paths */
	pthread_mutex_t mu;             /* guards the one-time trust load */
	bool trust_tried;
	enum qv_err trust_rc;
	struct qv_error trust_err;
	struct tls_trust *trust;        /* read-only once loaded */
	struct tls_session_cache sessions;
	struct tls_chain_cache chains;  /* validated chains (unused under -k) */
};

struct tls_conn {
	br_ssl_client_context cc;
	/* The certificate checker (~4 KiB), needed only until the handshake is
	 * done: freed then (NULL after), so a connection kept open for many
	 * requests does not hold it and the next handshake reuses its memory. */
	struct tls_x509 *x509;
	struct tls_io io;
	struct tls_client *cl;
	struct tls_session_key key;
	bool is_ip;                     /* no SNI; iPAddress entries are checked */
	bool started;
	bool handshake_done;
	bool resumed;
	bool chain_cached;              /* the chain was found validated already */
	int curve;                      /* BR_EC_* of the key exchange */
	/* Plaintext bytes read since the last write: the current response so
	 * far.  A close without close_notify after some of it is a truncation;
	 * before any of it, the plain "closed" a stale keep-alive connection
	 * gives (the transfer retries that once). */
	uint64_t got;
	unsigned char offered_id[32];   /* session ID offered for resumption */
	size_t offered_len;
	char label[URL_HOST_MAX + 8];   /* "host:port" for messages */
	unsigned char iobuf[BR_SSL_BUFSIZE_MONO];
};

enum qv_err tls_client_new(struct tls_client **out, const struct tls_client_opts *o,
			   struct qv_error *err)
{
	struct tls_client *cl = calloc(1, sizeof *cl);

	*out = NULL;
	if (cl == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	cl->insecure = o->insecure;
	cl->now_unix = o->now_unix;
	if (o->cacert != NULL && (cl->cacert = strdup(o->cacert)) == NULL)
		goto nomem;
	if (o->paths != NULL) {
		cl->custom_paths = true;
		cl->paths = *o->paths;
	}
	if (pthread_mutex_init(&cl->mu, NULL) != 0)
		goto nomem;
	if (tls_session_cache_init(&cl->sessions) != QV_OK) {
		(void)pthread_mutex_destroy(&cl->mu);
		goto nomem;
	}
	if (!tls_chain_cache_init(&cl->chains)) {
		tls_session_cache_clear(&cl->sessions);
		(void)pthread_mutex_destroy(&cl->mu);
		goto nomem;
	}
	*out = cl;
	return QV_OK;
nomem:
	free(cl->cacert);
	free(cl);
	return qv_error_set(err, QV_E_NOMEM, "out of memory");
}

void tls_client_free(struct tls_client *cl)
{
	if (cl == NULL)
		return;
	tls_chain_cache_clear(&cl->chains);
	tls_session_cache_clear(&cl->sessions);
	(void)pthread_mutex_destroy(&cl->mu);
	tls_trust_free(cl->trust);
	free(cl->cacert);
	free(cl);
}

enum qv_err tls_client_load_trust(struct tls_client *cl, struct qv_error *err)
{
	enum qv_err rc;

	if (cl->insecure)
		return QV_OK;
	(void)pthread_mutex_lock(&cl->mu);
	if (!cl->trust_tried) {
		struct tls_trust_paths p;

		if (cl->custom_paths)
			p = cl->paths;
		else
			tls_trust_paths_env(&p, cl->cacert);
		qv_error_clear(&cl->trust_err);
		cl->trust_rc = tls_trust_load(&cl->trust, &p, &cl->trust_err);
		cl->trust_tried = true;
	}
	rc = cl->trust_rc;
	if (rc != QV_OK && err != NULL)
		*err = cl->trust_err;
	(void)pthread_mutex_unlock(&cl->mu);
	return rc;
}

/* IPv4 dotted quad, or anything with ':' (an IPv6 literal, maybe with a
 * zone): names that must not go into SNI (RFC 6066) and that are checked
 * against iPAddress entries, never DNS names. */
static bool host_is_ip(const char *host)
{
	struct in_addr a4;

	return strchr(host, ':') != NULL || inet_pton(AF_INET, host, &a4) == 1;
}

/* The address of an IP-literal host into ip: 4 or 16 bytes; 0 when it does
 * not parse.  An IPv6 zone ("%eth0") only says which link, so it is not
 * part of the address a certificate names. */
static size_t host_ip(const char *host, uint8_t *ip)
{
	char v6[INET6_ADDRSTRLEN];
	size_t n = strcspn(host, "%");

	if (inet_pton(AF_INET, host, ip) == 1)
		return 4;
	if (n >= sizeof v6)
		return 0;
	memcpy(v6, host, n);
	v6[n] = '\0';
	return inet_pton(AF_INET6, v6, ip) == 1 ? TLS_IP_MAX : 0;
}

enum qv_err tls_conn_new(struct tls_conn **out, struct tls_client *cl, const char *host,
			 uint16_t port, struct qv_error *err)
{
	struct tls_conn *t;
	struct tls_x509_opts xo;
	uint8_t ip[TLS_IP_MAX];
	enum qv_err rc;
	bool is_ip = host_is_ip(host);
	size_t ip_len = is_ip ? host_ip(host, ip) : 0;

	*out = NULL;
	/* Without the address there is nothing to check a certificate
	 * against: never fall back to no check at all. */
	if (is_ip && ip_len == 0 && !cl->insecure)
		return qv_error_set(err, QV_E_TLS_CERT, "cannot verify a certificate for '%s': not an "
				    "IP address", host);
	rc = tls_client_load_trust(cl, err);
	if (rc != QV_OK)
		return rc;
	/* Not calloc: zeroing iobuf[] would make all of its 16 KiB resident
	 * for every connection; BearSSL writes before it reads there. */
	t = malloc(sizeof *t);
	if (t == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	memset(t, 0, offsetof(struct tls_conn, iobuf));
	t->x509 = malloc(sizeof *t->x509);
	if (t->x509 == NULL) {
		free(t);
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	}
	t->cl = cl;
	t->is_ip = is_ip;
	tls_session_key_make(&t->key, host, port, cl->insecure,
			     cl->trust != NULL ? cl->trust->id : 0);
	if (strchr(host, ':') != NULL)
		(void)snprintf(t->label, sizeof t->label, "[%s]:%u", host, (unsigned)port);
	else
		(void)snprintf(t->label, sizeof t->label, "%s:%u", host, (unsigned)port);
	tls_profile_client(&t->cc);
	xo.trust = cl->trust;
	xo.cache = cl->insecure ? NULL : &cl->chains;
	xo.host = t->key.host;
	xo.ip = ip;
	xo.ip_len = ip_len;
	xo.insecure = cl->insecure;
	xo.now_unix = cl->now_unix;
	tls_x509_init(t->x509, &t->cc.eng, &xo);
	/* quiver never answers a renegotiation request (it has no client
	 * certificate to offer): refuse it politely instead of handling it. */
	br_ssl_engine_add_flags(&t->cc.eng, BR_OPT_NO_RENEGOTIATION);
	br_ssl_engine_set_buffer(&t->cc.eng, t->iobuf, sizeof t->iobuf, 0);
	*out = t;
	return QV_OK;
}

/* Free the certificate checker (only needed during the handshake). */
static void tls_conn_drop_x509(struct tls_conn *t)
{
	if (t->x509 == NULL)
		return;
	tls_x509_clear(t->x509);
	free(t->x509);
	t->x509 = NULL;
}

void tls_conn_free(struct tls_conn *t)
{
	if (t == NULL)
		return;
	if (t->handshake_done)
		(void)tls_io_close(&t->io); /* best effort, never waits */
	tls_conn_drop_x509(t);
	free(t);
}

/* Record content types of a TLS peer's first bytes: alert, handshake. */
#define TLS_CT_ALERT 0x15
#define TLS_CT_HANDSHAKE 0x16

/* Why BearSSL said "unsupported version", from the first bytes received:
 * not TLS at all, or a ServerHello below TLS 1.2 (profile.h).  NULL: the
 * default (a TLS 1.3-only server) stands. */
static const char *version_detail(const struct tls_io *io)
{
	const unsigned char *h = io->head;

	if (io->head_len >= 1 && h[0] != TLS_CT_ALERT && h[0] != TLS_CT_HANDSHAKE)
		return h[0] == 'H' ? "server answered in plain HTTP, not TLS (an http:// URL?)"
				   : "server did not answer with TLS";
	if (io->head_len >= TLS_IO_HEAD && h[0] == TLS_CT_HANDSHAKE && h[5] == 2 &&
	    (h[9] < 3 || (h[9] == 3 && h[10] == 0)))
		return "server offers only SSL 3.0 or older (unsupported)";
	if (io->head_len >= TLS_IO_HEAD && h[0] == TLS_CT_HANDSHAKE && h[5] == 2 && h[9] == 3 &&
	    h[10] < 3)
		return "server offers only TLS 1.0 or 1.1 (unsupported: quiver needs TLS 1.2)";
	return NULL;
}

/* Fill err for a TLS_ERROR of the last call; what: "read from" etc. */
static enum tls_status tls_conn_fail(struct tls_conn *t, const char *what, struct qv_error *err)
{
	int br = br_ssl_engine_last_error(&t->cc.eng);
	int se = t->io.sys_errno;
	char detail[128];

	if (!t->handshake_done)
		tls_session_drop(&t->cl->sessions, &t->key);
	if (t->x509 != NULL && t->x509->hold == TLS_X509_HOLD_NOMEM) {
		(void)qv_error_set(err, QV_E_NOMEM, "out of memory");
	} else if (br != BR_ERR_OK && br != BR_ERR_IO) {
		const char *why = NULL;

		if (t->x509 != NULL && tls_x509_detail(t->x509, br, detail, sizeof detail))
			why = detail;
		else if (br == BR_ERR_UNSUPPORTED_VERSION)
			why = version_detail(&t->io);
		(void)tls_err_set(err, br, t->key.host, !t->handshake_done, why);
	} else if (t->io.handshake_eof) {
		(void)qv_error_set(err, QV_E_TLS_HANDSHAKE,
				   "handshake failure: %s closed the connection", t->label);
	} else if (se == ECONNRESET || se == EPIPE) {
		(void)qv_error_set(err, QV_E_RESET, "connection reset by peer%s (%s)",
				   t->handshake_done ? "" : " during the TLS handshake", t->label);
		if (err != NULL)
			err->sys_errno = se;
	} else if (se == EPROTO) {
		(void)qv_error_set(err, QV_E_IO, "%s sent data that was not asked for", t->label);
	} else if (se != 0) {
		(void)qv_error_sys(err, QV_E_IO, se, "%s %s failed", what, t->label);
	} else {
		(void)qv_error_set(err, QV_E_INTERNAL, "TLS engine stalled (%s)", t->label);
	}
	return TLS_ERROR;
}

/* Start the handshake: the ClientHello is written, X25519 put first. */
static bool client_reset(struct tls_conn *t, const char *sni)
{
	if (br_ssl_client_reset(&t->cc, sni, 1) == 0)
		return false;
	(void)tls_hello_x25519_first(&t->cc.eng);
	return true;
}

bool tls_client_may_resume(struct tls_client *cl, const char *host, uint16_t port)
{
	struct tls_session_key k;
	br_ssl_session_parameters sp;
	bool found;
	uint64_t id;

	if (cl == NULL)
		return false;
	/* the trust store is set once, under mu, by whichever thread connects
	 * first */
	(void)pthread_mutex_lock(&cl->mu);
	id = cl->trust != NULL ? cl->trust->id : 0;
	(void)pthread_mutex_unlock(&cl->mu);
	tls_session_key_make(&k, host, port, cl->insecure, id);
	found = tls_session_get(&cl->sessions, &k, &sp);
	explicit_bzero(&sp, sizeof sp);
	return found;
}

/* Reset the engine for a new handshake on fd, offering a cached session. */
static bool tls_conn_start(struct tls_conn *t, int fd)
{
	br_ssl_session_parameters sp;
	const char *sni = t->is_ip ? NULL : t->key.host;

	tls_io_init(&t->io, &t->cc.eng, fd);
	t->started = true;
	if (tls_session_get(&t->cl->sessions, &t->key, &sp)) {
		br_ssl_engine_set_session_parameters(&t->cc.eng, &sp);
		t->offered_len = sp.session_id_len;
		memcpy(t->offered_id, sp.session_id, sizeof t->offered_id);
	}
	if (client_reset(t, sni))
		return true;
	if (br_ssl_engine_last_error(&t->cc.eng) == BR_ERR_NO_RANDOM) {
		/* No /dev/urandom (chroot, sandbox): ask the kernel directly. */
		unsigned char seed[TLS_SEED_BYTES];

		if (getrandom(seed, sizeof seed, 0) == (ssize_t)sizeof seed) {
			br_ssl_engine_inject_entropy(&t->cc.eng, seed, sizeof seed);
			return client_reset(t, sni);
		}
	}
	return false;
}

/* The handshake just finished: remember the session, note resumption. */
static void tls_conn_established(struct tls_conn *t)
{
	br_ssl_session_parameters sp;

	t->handshake_done = true;
	/* Renegotiation is refused (BR_OPT_NO_RENEGOTIATION), so the engine
	 * never looks at a certificate again. */
	br_ssl_engine_set_x509(&t->cc.eng, NULL);
	t->chain_cached = t->x509 != NULL && t->x509->cached;
	t->curve = br_ssl_engine_get_ecdhe_curve(&t->cc.eng);
	tls_conn_drop_x509(t);
	br_ssl_engine_get_session_parameters(&t->cc.eng, &sp);
	t->resumed = t->offered_len > 0 && sp.session_id_len == t->offered_len &&
		     memcmp(sp.session_id, t->offered_id, t->offered_len) == 0;
	tls_session_put(&t->cl->sessions, &t->key, &sp);
}

enum tls_status tls_conn_handshake(struct tls_conn *t, int fd, struct qv_error *err)
{
	enum tls_status r;

	if (t->handshake_done)
		return TLS_OK;
	if (!t->started && !tls_conn_start(t, fd))
		return tls_conn_fail(t, "TLS setup for", err);
	r = tls_io_handshake(&t->io);
	if (r == TLS_OK)
		tls_conn_established(t);
	else if (r == TLS_ERROR)
		return tls_conn_fail(t, "TLS handshake with", err);
	return r;
}

enum tls_status tls_conn_read(struct tls_conn *t, uint8_t *buf, size_t cap, size_t *n,
			      struct qv_error *err)
{
	enum tls_status r;

	*n = 0;
	if (!t->handshake_done)
		return qv_error_set(err, QV_E_INTERNAL, "TLS read before the handshake"), TLS_ERROR;
	r = tls_io_read(&t->io, buf, cap, n);
	t->got += *n;
	if (r == TLS_EOF && !t->io.notified && t->got > 0) {
		/* RFC 5246 §7.2.1: without close_notify the end of the data
		 * is not authenticated; an attacker could have cut it.  A body
		 * whose framing (Content-Length, chunked) already ended is never
		 * read this far, so only a close-delimited or unfinished one
		 * lands here: never success (DESIGN §3). */
		(void)qv_error_set(err, QV_E_TRUNCATED,
				   "truncated: TLS connection closed without close_notify after "
				   "%llu bytes (%s)",
				   (unsigned long long)t->got, t->label);
		return TLS_ERROR;
	}
	return r == TLS_ERROR ? tls_conn_fail(t, "read from", err) : r;
}

enum tls_status tls_conn_write(struct tls_conn *t, const uint8_t *p, size_t len, size_t *n,
			       struct qv_error *err)
{
	enum tls_status r;

	*n = 0;
	if (!t->handshake_done)
		return qv_error_set(err, QV_E_INTERNAL, "TLS write before the handshake"), TLS_ERROR;
	t->got = 0;
	r = tls_io_write(&t->io, p, len, n, true);
	return r == TLS_ERROR ? tls_conn_fail(t, "write to", err) : r;
}

bool tls_conn_idle_ok(const struct tls_conn *t)
{
	return t->handshake_done && tls_io_idle(&t->io);
}

bool tls_conn_resumed(const struct tls_conn *t)
{
	return t->resumed;
}

bool tls_conn_chain_cached(const struct tls_conn *t)
{
	return t->chain_cached;
}

size_t tls_client_chains(struct tls_client *cl)
{
	return tls_chain_cache_count(&cl->chains);
}

void tls_client_set_time(struct tls_client *cl, int64_t now_unix)
{
	cl->now_unix = now_unix;
}

int tls_conn_curve(const struct tls_conn *t)
{
	return t->curve;
}
