/* test_tls_conn.c - quiver's TLS client against quiver's TLS server over a
 * non-blocking socketpair, both driven from this thread: handshakes with RSA
 * and EC certificates, every certificate failure with its message, -k, IP
 * literals (iPAddress entries, no SNI), the chain cache, resumption, close_notify vs a bare close, and bulk data
 * through the one-record (mono) buffers with tiny reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/conn.h"
#include "test_tls_fixture.h"
#include "tls/client.h"
#include "tls/server.h"
#include "tq.h"

void suite_tls_conn(struct tq *t);

/* Validation times outside the fixtures' 2020-01-01..2120-01-01 window. */
#define T_2121 4765132800
#define T_2019 1559347200
/* Steps before a handshake or exchange counts as stalled. */
#define STEPS_MAX 10000

struct pair {
	int cfd, sfd;
	struct tls_conn *c;
	struct tls_server_conn *s;
};

static struct tls_server *server_load(struct tq *t, const char *cert, const char *key)
{
	char cp[1024], kp[1024];
	struct tls_server *srv = NULL;
	struct qv_error e;

	if (!TQ_INT(t, tls_server_new(&srv, tls_fixture(cp, sizeof cp, cert),
				      tls_fixture(kp, sizeof kp, key), &e),
		    QV_OK))
		printf("  %s\n", e.msg);
	return srv;
}

/* A client trusting only the fixture named ca (NULL: none needed, -k). */
static struct tls_client *client_make(struct tq *t, const char *ca, bool insecure, int64_t now)
{
	static char path[1024];
	static const char *const no_bundles[] = {NULL};
	struct tls_trust_paths p = {NULL, NULL, NULL, no_bundles};
	struct tls_client_opts o = {NULL, insecure, now, &p};
	struct tls_client *cl = NULL;
	struct qv_error e;

	if (ca != NULL)
		p.cacert = tls_fixture(path, sizeof path, ca);
	TQ_INT(t, tls_client_new(&cl, &o, &e), QV_OK);
	return cl;
}

static void pair_close(struct pair *p)
{
	tls_conn_free(p->c);
	tls_server_conn_free(p->s);
	if (p->cfd >= 0)
		(void)close(p->cfd);
	if (p->sfd >= 0)
		(void)close(p->sfd);
	memset(p, 0, sizeof *p);
	p->cfd = p->sfd = -1;
}

static enum qv_err pair_open(struct pair *p, struct tls_client *cl, struct tls_server *srv,
			     const char *host, struct qv_error *e)
{
	int fds[2];
	enum qv_err rc;

	memset(p, 0, sizeof *p);
	p->cfd = p->sfd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
		return qv_error_set(e, QV_E_IO, "socketpair failed");
	p->cfd = fds[0];
	p->sfd = fds[1];
	rc = tls_conn_new(&p->c, cl, host, 443, e);
	if (rc == QV_OK)
		rc = tls_server_conn_new(&p->s, srv, p->sfd, e);
	return rc;
}

/* Drive both ends until the client's handshake ends. */
static enum tls_status pair_handshake(struct pair *p, struct qv_error *e)
{
	int i;

	for (i = 0; i < STEPS_MAX; i++) {
		uint8_t b[64];
		size_t n;
		enum tls_status r = tls_conn_handshake(p->c, p->cfd, e);

		if (r == TLS_OK || r == TLS_ERROR)
			return r;
		(void)tls_server_conn_read(p->s, b, sizeof b, &n);
	}
	(void)qv_error_set(e, QV_E_INTERNAL, "handshake stalled");
	return TLS_ERROR;
}

/* Client sends ping, server answers pong. */
static bool pair_exchange(struct tq *t, struct pair *p)
{
	uint8_t b[16];
	size_t n = 0, got = 0;
	struct qv_error e;
	int i;

	if (!TQ_INT(t, tls_conn_write(p->c, (const uint8_t *)"ping", 4, &n, &e), TLS_OK) ||
	    !TQ_INT(t, n, 4))
		return false;
	for (i = 0; i < STEPS_MAX && got < 4; i++) {
		if (tls_server_conn_read(p->s, b + got, sizeof b - got, &n) == TLS_OK)
			got += n;
		(void)tls_conn_read(p->c, b + 8, 1, &n, &e); /* lets pending records out */
	}
	if (!TQ_MEM(t, b, got, "ping", 4))
		return false;
	if (!TQ_INT(t, tls_server_conn_write(p->s, (const uint8_t *)"pong", 4, &n), TLS_OK) ||
	    !TQ_INT(t, tls_server_conn_flush(p->s), TLS_OK))
		return false;
	got = 0;
	for (i = 0; i < STEPS_MAX && got < 4; i++)
		if (tls_conn_read(p->c, b + got, sizeof b - got, &n, &e) == TLS_OK)
			got += n;
	return TQ_MEM(t, b, got, "pong", 4);
}

/* Handshake with a client built from (ca, insecure, now) against cert/key
 * for host; returns the client status, message in *e. */
static enum tls_status try_handshake(struct tq *t, const char *cert, const char *key,
				     const char *ca, bool insecure, int64_t now, const char *host,
				     struct qv_error *e)
{
	struct tls_server *srv = server_load(t, cert, key);
	struct tls_client *cl = client_make(t, ca, insecure, now);
	struct pair p;
	enum tls_status r = TLS_ERROR;

	qv_error_clear(e);
	if (srv != NULL && cl != NULL && pair_open(&p, cl, srv, host, e) == QV_OK) {
		r = pair_handshake(&p, e);
		if (r == TLS_OK)
			TQ_TRUE(t, pair_exchange(t, &p));
	}
	pair_close(&p);
	tls_client_free(cl);
	tls_server_free(srv);
	return r;
}

static void test_rsa_ok(struct tq *t)
{
	struct qv_error e;

	if (!TQ_INT(t, try_handshake(t, "rsa.pem", "rsa.key", "ca.pem", false, 0, "localhost", &e),
		    TLS_OK))
		printf("  %s\n", e.msg);
}

static void test_ec_ok(struct tq *t)
{
	struct qv_error e;

	if (!TQ_INT(t, try_handshake(t, "ec.pem", "ec.key", "ca.pem", false, 0, "localhost", &e),
		    TLS_OK))
		printf("  %s\n", e.msg);
}

static void test_wrong_host(struct tq *t)
{
	struct qv_error e;

	TQ_INT(t, try_handshake(t, "rsa.pem", "rsa.key", "ca.pem", false, 0, "example.test", &e),
	       TLS_ERROR);
	TQ_INT(t, e.code, QV_E_TLS_CERT);
	TQ_STR(t, e.msg, "certificate does not match host example.test [BR_ERR_X509_BAD_SERVER_NAME]");
}

static void test_unknown_ca(struct tq *t)
{
	struct qv_error e;

	TQ_INT(t, try_handshake(t, "ec.pem", "ec.key", "other-ca.pem", false, 0, "localhost", &e),
	       TLS_ERROR);
	TQ_INT(t, e.code, QV_E_TLS_CERT);
	TQ_STR(t, e.msg, "certificate verification failed: unknown issuer [BR_ERR_X509_NOT_TRUSTED]");
}

static void test_self_signed(struct tq *t)
{
	struct qv_error e;

	TQ_INT(t, try_handshake(t, "self.pem", "self.key", "ca.pem", false, 0, "localhost", &e),
	       TLS_ERROR);
	TQ_STR(t, e.msg, "certificate verification failed: unknown issuer [BR_ERR_X509_NOT_TRUSTED]");
	/* trusted when it is itself the anchor (--cacert self.pem) */
	TQ_INT(t, try_handshake(t, "self.pem", "self.key", "self.pem", false, 0, "localhost", &e),
	       TLS_OK);
}

static void test_expired(struct tq *t)
{
	struct qv_error e;

	TQ_INT(t, try_handshake(t, "rsa.pem", "rsa.key", "ca.pem", false, T_2121, "localhost", &e),
	       TLS_ERROR);
	TQ_INT(t, e.code, QV_E_TLS_CERT);
	TQ_STR(t, e.msg, "certificate expired on 2120-01-01 [BR_ERR_X509_EXPIRED]");
}

static void test_not_yet_valid(struct tq *t)
{
	struct qv_error e;

	TQ_INT(t, try_handshake(t, "ec.pem", "ec.key", "ca.pem", false, T_2019, "localhost", &e),
	       TLS_ERROR);
	TQ_INT(t, e.code, QV_E_TLS_CERT);
	TQ_STR(t, e.msg, "certificate not yet valid (valid from 2020-01-01) [BR_ERR_X509_EXPIRED]");
}

static void test_insecure(struct tq *t)
{
	struct qv_error e;

	/* untrusted, expired and for another host: -k takes it all */
	if (!TQ_INT(t, try_handshake(t, "rsa.pem", "rsa.key", "other-ca.pem", true, T_2121,
				     "example.test", &e),
		    TLS_OK))
		printf("  %s\n", e.msg);
	TQ_INT(t, try_handshake(t, "ec.pem", "ec.key", NULL, true, 0, "localhost", &e), TLS_OK);
}

/* One handshake of client cl with a fresh server (so no session to resume)
 * for cert/key, as host; *cached: the chain came from the chain cache. */
static enum tls_status handshake_with(struct tq *t, struct tls_client *cl, const char *cert,
				      const char *key, const char *host, struct qv_error *e,
				      bool *cached)
{
	struct tls_server *srv = server_load(t, cert, key);
	struct pair p;
	enum tls_status r = TLS_ERROR;

	qv_error_clear(e);
	*cached = false;
	if (srv != NULL && pair_open(&p, cl, srv, host, e) == QV_OK) {
		r = pair_handshake(&p, e);
		if (r == TLS_OK) {
			TQ_TRUE(t, pair_exchange(t, &p));
			TQ_STR(t, tls_server_conn_sni(p.s), strcmp(host, "localhost") == 0 ? host : "");
			*cached = tls_conn_chain_cached(p.c);
		}
	}
	pair_close(&p);
	tls_server_free(srv);
	return r;
}

/* IP-literal hosts: the certificate's iPAddress entries are checked, and no
 * SNI is sent (RFC 6066); a certificate without the address is refused by
 * name, even one whose DNS names and CN spell it (RFC 6125 §6.2.1). */
static void test_ip_literal(struct tq *t)
{
	static const char *const ok_hosts[] = {"127.0.0.1", "::1", "localhost"};
	struct tls_client *cl = client_make(t, "ca.pem", false, 0);
	struct tls_client *k = client_make(t, NULL, true, 0);
	struct tls_conn *c = NULL;
	struct qv_error e;
	bool cached;
	size_t i;

	if (cl == NULL || k == NULL)
		goto out;
	for (i = 0; i < sizeof ok_hosts / sizeof ok_hosts[0]; i++)
		if (!TQ_INT(t, handshake_with(t, cl, "ip.pem", "ip.key", ok_hosts[i], &e, &cached),
			    TLS_OK))
			printf("  %s: %s\n", ok_hosts[i], e.msg);
	TQ_INT(t, handshake_with(t, cl, "ip.pem", "ip.key", "192.0.2.1", &e, &cached), TLS_ERROR);
	TQ_INT(t, e.code, QV_E_TLS_CERT);
	TQ_STR(t, e.msg, "certificate does not match IP address 192.0.2.1 "
			 "[BR_ERR_X509_BAD_SERVER_NAME]");
	TQ_INT(t, handshake_with(t, cl, "ec.pem", "ec.key", "127.0.0.1", &e, &cached), TLS_ERROR);
	TQ_STR(t, e.msg, "certificate does not match IP address 127.0.0.1 "
			 "[BR_ERR_X509_BAD_SERVER_NAME]");
	TQ_INT(t, handshake_with(t, cl, "dnsip.pem", "dnsip.key", "127.0.0.1", &e, &cached),
	       TLS_ERROR);
	TQ_STR(t, e.msg, "certificate does not match IP address 127.0.0.1 "
			 "[BR_ERR_X509_BAD_SERVER_NAME]");
	TQ_INT(t, handshake_with(t, cl, "dnsip.pem", "dnsip.key", "::1", &e, &cached), TLS_ERROR);
	TQ_STR(t, e.msg, "certificate does not match IP address ::1 [BR_ERR_X509_BAD_SERVER_NAME]");
	/* a zone names the link, not another address */
	TQ_INT(t, handshake_with(t, cl, "ip.pem", "ip.key", "::1%lo", &e, &cached), TLS_OK);
	/* not an address at all: refused before any byte, never unchecked */
	TQ_INT(t, tls_conn_new(&c, cl, "fe80::zz", 443, &e), QV_E_TLS_CERT);
	TQ_STR(t, e.msg, "cannot verify a certificate for 'fe80::zz': not an IP address");
	TQ_TRUE(t, c == NULL);
	/* -k: anything goes, still without SNI */
	TQ_INT(t, handshake_with(t, k, "dnsip.pem", "dnsip.key", "127.0.0.1", &e, &cached), TLS_OK);
out:
	tls_client_free(cl);
	tls_client_free(k);
}

/* A chain validated once for a host is taken from the chain cache the next
 * time; another chain, another host or a clock past the chain's validity
 * gets a full validation (and is refused when it should be). */
static void test_chain_cache(struct tq *t)
{
	struct tls_client *cl = client_make(t, "ca.pem", false, 0);
	struct qv_error e;
	bool cached;

	if (cl == NULL)
		return;
	TQ_INT(t, handshake_with(t, cl, "rsa.pem", "rsa.key", "localhost", &e, &cached), TLS_OK);
	TQ_TRUE(t, !cached);
	TQ_INT(t, tls_client_chains(cl), 1);
	TQ_INT(t, handshake_with(t, cl, "rsa.pem", "rsa.key", "localhost", &e, &cached), TLS_OK);
	TQ_TRUE(t, cached);
	/* another certificate for the same host: validated, then cached too */
	TQ_INT(t, handshake_with(t, cl, "ec.pem", "ec.key", "localhost", &e, &cached), TLS_OK);
	TQ_TRUE(t, !cached);
	TQ_INT(t, tls_client_chains(cl), 2);
	/* one that must fail, for the same host: it does */
	TQ_INT(t, handshake_with(t, cl, "self.pem", "self.key", "localhost", &e, &cached),
	       TLS_ERROR);
	TQ_STR(t, e.msg, "certificate verification failed: unknown issuer [BR_ERR_X509_NOT_TRUSTED]");
	TQ_INT(t, tls_client_chains(cl), 2);
	/* the cached chain for another host: validated, and the name fails */
	TQ_INT(t, handshake_with(t, cl, "rsa.pem", "rsa.key", "example.test", &e, &cached),
	       TLS_ERROR);
	TQ_STR(t, e.msg, "certificate does not match host example.test [BR_ERR_X509_BAD_SERVER_NAME]");
	TQ_INT(t, handshake_with(t, cl, "rsa.pem", "rsa.key", "localhost", &e, &cached), TLS_OK);
	TQ_TRUE(t, cached);
	/* past the leaf's notAfter: the entry is not used, the chain fails */
	tls_client_set_time(cl, T_2121);
	TQ_INT(t, handshake_with(t, cl, "rsa.pem", "rsa.key", "localhost", &e, &cached), TLS_ERROR);
	TQ_STR(t, e.msg, "certificate expired on 2120-01-01 [BR_ERR_X509_EXPIRED]");
	tls_client_set_time(cl, T_2019);
	TQ_INT(t, handshake_with(t, cl, "ec.pem", "ec.key", "localhost", &e, &cached), TLS_ERROR);
	TQ_STR(t, e.msg, "certificate not yet valid (valid from 2020-01-01) [BR_ERR_X509_EXPIRED]");
	tls_client_free(cl);
}

/* A client whose trust is SSL_CERT_DIR=dir (no --cacert, no bundle). */
static struct tls_client *client_dir(struct tq *t, const char *dir)
{
	static const char *const no_bundles[] = {NULL};
	struct tls_trust_paths p = {NULL, NULL, dir, no_bundles};
	struct tls_client_opts o = {NULL, false, 0, &p};
	struct tls_client *cl = NULL;
	struct qv_error e;

	TQ_INT(t, tls_client_new(&cl, &o, &e), QV_OK);
	return cl;
}

static bool put_fixture(const char *name, const char *dir, const char *as)
{
	char from[1024], to[1024], buf[8192];
	FILE *in, *out;
	size_t n;
	bool ok;

	(void)snprintf(to, sizeof to, "%s/%s", dir, as);
	in = fopen(tls_fixture(from, sizeof from, name), "rb");
	out = fopen(to, "wb");
	ok = in != NULL && out != NULL;
	while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
		ok = fwrite(buf, 1, n, out) == n;
	if (in != NULL)
		(void)fclose(in);
	if (out != NULL)
		ok = fclose(out) == 0 && ok;
	return ok;
}

/* A hashed SSL_CERT_DIR (`openssl rehash` layout): the issuer is found by
 * its name's hash; a same-hash file of another CA is passed over; without
 * the issuer's file, "unknown issuer". */
static void test_hashed_cert_dir(struct tq *t)
{
	char dir[256], path[600];
	static const char *const files[] = {"aab58f4d.0", "aab58f4d.1", "README"};
	const char *tmp = getenv("TMPDIR");
	struct tls_client *cl = NULL;
	struct qv_error e;
	bool cached;
	size_t i;

	(void)snprintf(dir, sizeof dir, "%s/qv-hashdir-XXXXXX",
		       tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (!TQ_TRUE(t, mkdtemp(dir) != NULL))
		return;
	/* ca.pem's subject hash is aab58f4d (openssl x509 -hash); a file of
	 * another CA under .0 stands for a hash collision */
	if (!TQ_TRUE(t, put_fixture("other-ca.pem", dir, "aab58f4d.0") &&
			    put_fixture("ca.pem", dir, "aab58f4d.1") &&
			    put_fixture("make.py", dir, "README")))
		goto out;
	cl = client_dir(t, dir);
	if (cl != NULL && !TQ_INT(t, handshake_with(t, cl, "ec.pem", "ec.key", "localhost", &e,
						    &cached),
				  TLS_OK))
		printf("  %s\n", e.msg);
	tls_client_free(cl);
	(void)snprintf(path, sizeof path, "%s/aab58f4d.1", dir);
	(void)unlink(path);
	cl = client_dir(t, dir);
	if (cl != NULL)
		TQ_INT(t, handshake_with(t, cl, "ec.pem", "ec.key", "localhost", &e, &cached),
		       TLS_ERROR);
	TQ_STR(t, e.msg, "certificate verification failed: unknown issuer [BR_ERR_X509_NOT_TRUSTED]");
out:
	tls_client_free(cl);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		(void)snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		(void)unlink(path);
	}
	(void)rmdir(dir);
}

/* -k never fills the chain cache, nor reads it. */
static void test_chain_cache_insecure(struct tq *t)
{
	struct tls_client *k = client_make(t, NULL, true, 0);
	struct qv_error e;
	bool cached;
	int i;

	for (i = 0; k != NULL && i < 2; i++) {
		TQ_INT(t, handshake_with(t, k, "rsa.pem", "rsa.key", "localhost", &e, &cached), TLS_OK);
		TQ_TRUE(t, !cached);
	}
	if (k != NULL)
		TQ_INT(t, tls_client_chains(k), 0);
	tls_client_free(k);
}

static void test_resumption(struct tq *t)
{
	struct tls_server *srv = server_load(t, "ec.pem", "ec.key");
	struct tls_client *cl = client_make(t, "ca.pem", false, 0);
	struct pair p;
	struct qv_error e;
	int i;

	for (i = 0; srv != NULL && cl != NULL && i < 3; i++) {
		if (!TQ_INT(t, pair_open(&p, cl, srv, "localhost", &e), QV_OK) ||
		    !TQ_INT(t, pair_handshake(&p, &e), TLS_OK)) {
			pair_close(&p);
			break;
		}
		TQ_TRUE(t, pair_exchange(t, &p));
		TQ_INT(t, tls_conn_resumed(p.c), i > 0);
		pair_close(&p);
	}
	tls_client_free(cl);
	tls_server_free(srv);
}

/* How the server's close reads to the client: a close_notify is TLS_EOF; a
 * bare close after response bytes is a truncation (nobody can tell it from
 * an attacker's cut); a bare close before any byte of an answer is TLS_EOF
 * (a stale keep-alive connection, retried by the transfer); a close during
 * the handshake is a handshake failure. */
static void test_close(struct tq *t)
{
	struct tls_server *srv = server_load(t, "rsa.pem", "rsa.key");
	struct tls_client *cl = client_make(t, "ca.pem", false, 0);
	struct pair p;
	struct qv_error e;
	uint8_t b[8];
	size_t n;
	int i, how;

	for (how = 0; srv != NULL && how < 3; how++) {
		enum tls_status r = TLS_WANT_READ;

		if (!TQ_INT(t, pair_open(&p, cl, srv, "localhost", &e), QV_OK) ||
		    !TQ_INT(t, pair_handshake(&p, &e), TLS_OK) || !pair_exchange(t, &p)) {
			pair_close(&p);
			break;
		}
		if (how == 0)
			TQ_INT(t, tls_server_conn_close(p.s), TLS_OK);
		if (how == 2) { /* a new request the server reads but never answers */
			size_t got = 0;

			TQ_INT(t, tls_conn_write(p.c, (const uint8_t *)"ping", 4, &n, &e), TLS_OK);
			for (i = 0; i < STEPS_MAX && got < 4; i++)
				if (tls_server_conn_read(p.s, b, sizeof b, &n) == TLS_OK)
					got += n;
		}
		(void)close(p.sfd);
		p.sfd = -1;
		qv_error_clear(&e);
		for (i = 0; i < STEPS_MAX && r == TLS_WANT_READ; i++)
			r = tls_conn_read(p.c, b, sizeof b, &n, &e);
		if (how == 1) {
			TQ_INT(t, r, TLS_ERROR);
			TQ_INT(t, e.code, QV_E_TRUNCATED);
			TQ_STR(t, e.msg, "truncated: TLS connection closed without close_notify "
					 "after 4 bytes (localhost:443)");
		} else if (!TQ_INT(t, r, TLS_EOF)) {
			printf("  case %d: %s\n", how, e.msg);
		}
		pair_close(&p);
	}
	if (srv != NULL && TQ_INT(t, pair_open(&p, cl, srv, "localhost", &e), QV_OK)) {
		(void)shutdown(p.sfd, SHUT_WR);
		TQ_INT(t, pair_handshake(&p, &e), TLS_ERROR);
		TQ_INT(t, e.code, QV_E_TLS_HANDSHAKE);
		TQ_STR(t, e.msg, "handshake failure: localhost:443 closed the connection");
	}
	pair_close(&p);
	if (srv != NULL && TQ_INT(t, pair_open(&p, cl, srv, "localhost", &e), QV_OK)) {
		(void)close(p.sfd);
		p.sfd = -1;
		TQ_INT(t, pair_handshake(&p, &e), TLS_ERROR);
		TQ_INT(t, e.code, QV_E_RESET);
		TQ_STR(t, e.msg, "connection reset by peer during the TLS handshake (localhost:443)");
	}
	pair_close(&p);
	tls_client_free(cl);
	tls_server_free(srv);
}

/* 300 KB server -> client, read 7 bytes at a time: many records through the
 * mono buffers and plaintext delivered from the engine without new I/O. */
static void test_bulk(struct tq *t)
{
	enum { TOTAL = 300000 };
	struct tls_server *srv = server_load(t, "ec.pem", "ec.key");
	struct tls_client *cl = client_make(t, "ca.pem", false, 0);
	uint8_t *src = malloc(TOTAL), *dst = malloc(TOTAL);
	size_t sent = 0, got = 0, i;
	struct pair p;
	struct qv_error e;
	int steps;

	if (srv == NULL || cl == NULL || src == NULL || dst == NULL ||
	    !TQ_INT(t, pair_open(&p, cl, srv, "localhost", &e), QV_OK) ||
	    !TQ_INT(t, pair_handshake(&p, &e), TLS_OK) || !pair_exchange(t, &p))
		goto out;
	for (i = 0; i < TOTAL; i++)
		src[i] = (uint8_t)(i * 7 + i / 251);
	for (steps = 0; steps < 10 * STEPS_MAX && got < TOTAL; steps++) {
		size_t n = 0;
		size_t want = TOTAL - got < 7 ? TOTAL - got : 7;

		if (sent < TOTAL && tls_server_conn_write(p.s, src + sent, TOTAL - sent, &n) == TLS_OK)
			sent += n;
		else if (sent == TOTAL)
			(void)tls_server_conn_flush(p.s);
		if (tls_conn_read(p.c, dst + got, want, &n, &e) == TLS_OK)
			got += n;
	}
	TQ_INT(t, got, TOTAL);
	TQ_TRUE(t, memcmp(src, dst, TOTAL) == 0);
	TQ_TRUE(t, tls_conn_idle_ok(p.c));
out:
	pair_close(&p);
	free(src);
	free(dst);
	tls_client_free(cl);
	tls_server_free(srv);
}

static void test_server_load_errors(struct tq *t)
{
	char cp[1024], kp[1024];
	struct tls_server *srv = NULL;
	struct qv_error e;

	TQ_INT(t, tls_server_new(&srv, tls_fixture(cp, sizeof cp, "rsa.pem"),
				 tls_fixture(kp, sizeof kp, "ec.key"), &e),
	       QV_E_TLS_PEM);
	TQ_TRUE(t, strstr(e.msg, "ec.key does not match the certificate in") != NULL);
	TQ_INT(t, tls_server_new(&srv, tls_fixture(cp, sizeof cp, "rsa.key"),
				 tls_fixture(kp, sizeof kp, "rsa.key"), &e),
	       QV_E_TLS_PEM);
	TQ_TRUE(t, strstr(e.msg, "no certificate in ") != NULL);
	TQ_INT(t, tls_server_new(&srv, tls_fixture(cp, sizeof cp, "rsa.pem"),
				 tls_fixture(kp, sizeof kp, "ca.pem"), &e),
	       QV_E_TLS_PEM);
	TQ_TRUE(t, strstr(e.msg, "no private key in ") != NULL);
	TQ_INT(t, tls_server_new(&srv, "/nonexistent.pem", kp, &e), QV_E_TLS_PEM);
	TQ_STR(t, e.msg, "cannot read /nonexistent.pem: No such file or directory");
	TQ_TRUE(t, srv == NULL);
	srv = server_load(t, "ec.pem", "ec.key");
	if (srv != NULL)
		TQ_STR(t, tls_server_key_name(srv), "EC");
	tls_server_free(srv);
	tls_server_free(NULL);
}

/* A missing CA bundle fails the connection, not the client, with the same
 * message every time (loaded once). */
static void test_no_ca(struct tq *t)
{
	struct tls_client *cl = client_make(t, NULL, false, 0);
	struct tls_conn *c = NULL;
	struct qv_error e1, e2;

	if (cl == NULL)
		return;
	TQ_INT(t, tls_conn_new(&c, cl, "localhost", 443, &e1), QV_E_TLS_NO_CA);
	TQ_INT(t, tls_conn_new(&c, cl, "localhost", 443, &e2), QV_E_TLS_NO_CA);
	TQ_STR(t, e1.msg, e2.msg);
	TQ_TRUE(t, strstr(e1.msg, "use --cacert FILE or set SSL_CERT_FILE") != NULL);
	TQ_TRUE(t, c == NULL);
	tls_client_free(cl);
}

/* A peer that answers the ClientHello with raw bytes. */
static void raw_answer(struct tq *t, const uint8_t *raw, size_t len, const char *want)
{
	struct tls_client *cl = client_make(t, "ca.pem", false, 0);
	struct tls_conn *c = NULL;
	struct qv_error e;
	int fds[2], i;
	enum tls_status r = TLS_WANT_READ;

	if (cl == NULL || !TQ_INT(t, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0)) {
		tls_client_free(cl);
		return;
	}
	if (TQ_INT(t, tls_conn_new(&c, cl, "localhost", 443, &e), QV_OK)) {
		TQ_INT(t, write(fds[1], raw, len), (long long)len);
		for (i = 0; i < STEPS_MAX && (r == TLS_WANT_READ || r == TLS_WANT_WRITE); i++)
			r = tls_conn_handshake(c, fds[0], &e);
		TQ_INT(t, r, TLS_ERROR);
		TQ_INT(t, e.code, QV_E_TLS_PROTOCOL);
		TQ_STR(t, e.msg, want);
	}
	tls_conn_free(c);
	(void)close(fds[0]);
	(void)close(fds[1]);
	tls_client_free(cl);
}

/* "Unsupported version" explained from the first bytes the server sent. */
static void test_not_tls(struct tq *t)
{
	static const char http[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
	uint8_t ssl3[47] = {0x16, 3, 0, 0, 42, 2, 0, 0, 38, 3, 0};

	ssl3[44] = 0x2f; /* cipher TLS_RSA_WITH_AES_128_CBC_SHA, after 32 random bytes + id len */
	raw_answer(t, (const uint8_t *)http, sizeof http - 1,
		   "server answered in plain HTTP, not TLS (an http:// URL?) "
		   "[BR_ERR_UNSUPPORTED_VERSION]");
	raw_answer(t, ssl3, sizeof ssl3,
		   "server offers only SSL 3.0 or older (unsupported) [BR_ERR_UNSUPPORTED_VERSION]");
	ssl3[2] = 2; /* the same ServerHello as TLS 1.1: below the profile's TLS 1.2 */
	ssl3[10] = 2;
	raw_answer(t, ssl3, sizeof ssl3,
		   "server offers only TLS 1.0 or 1.1 (unsupported: quiver needs TLS 1.2) "
		   "[BR_ERR_UNSUPPORTED_VERSION]");
}

/* The net/conn.h seam: https gets TLS state from the run's client, and the
 * errors that need no network come before any DNS or connect. */
static void test_conn_seam(struct tq *t)
{
	struct tls_client *cl = client_make(t, "ca.pem", false, 0);
	struct conn *c = NULL;
	struct route u;
	struct qv_error e;

	if (cl == NULL)
		return;
	memset(&u, 0, sizeof u);
	u.via = ROUTE_DIRECT;
	u.origin.scheme = URL_HTTPS;
	u.origin.port = 443;
	(void)snprintf(u.origin.host, sizeof u.origin.host, "fe80::zz");
	u.peer = u.origin;
	TQ_INT(t, conn_new(&c, &u, cl, &e), QV_E_TLS_CERT);
	TQ_TRUE(t, c == NULL);
	TQ_INT(t, conn_new(&c, &u, NULL, &e), QV_E_URL_SCHEME);
	(void)snprintf(u.origin.host, sizeof u.origin.host, "localhost");
	u.peer = u.origin;
	if (TQ_INT(t, conn_new(&c, &u, cl, &e), QV_OK))
		TQ_TRUE(t, c->tls != NULL);
	conn_free(c);
	c = NULL;
	u.origin.scheme = URL_HTTP;
	u.peer = u.origin;
	if (TQ_INT(t, conn_new(&c, &u, cl, &e), QV_OK))
		TQ_TRUE(t, c->tls == NULL);
	conn_free(c);
	/* through a tunnel TLS starts later, for the origin, not the proxy */
	c = NULL;
	u.via = ROUTE_TUNNEL;
	u.origin.scheme = URL_HTTPS;
	(void)snprintf(u.peer.host, sizeof u.peer.host, "proxy.invalid");
	u.peer.scheme = URL_HTTP;
	if (TQ_INT(t, conn_new(&c, &u, cl, &e), QV_OK)) {
		TQ_TRUE(t, c->tls == NULL);
		TQ_INT(t, conn_start_tls(c, cl, &e), QV_OK);
		TQ_TRUE(t, c->tls != NULL);
	}
	conn_free(c);
	tls_client_free(cl);
}

void suite_tls_conn(struct tq *t)
{
	tq_run(t, "RSA handshake", test_rsa_ok);
	tq_run(t, "EC handshake", test_ec_ok);
	tq_run(t, "wrong host", test_wrong_host);
	tq_run(t, "unknown CA", test_unknown_ca);
	tq_run(t, "self-signed", test_self_signed);
	tq_run(t, "expired", test_expired);
	tq_run(t, "not yet valid", test_not_yet_valid);
	tq_run(t, "insecure", test_insecure);
	tq_run(t, "IP literal", test_ip_literal);
	tq_run(t, "chain cache", test_chain_cache);
	tq_run(t, "chain cache and -k", test_chain_cache_insecure);
	tq_run(t, "hashed SSL_CERT_DIR", test_hashed_cert_dir);
	tq_run(t, "resumption", test_resumption);
	tq_run(t, "close", test_close);
	tq_run(t, "bulk data, tiny reads", test_bulk);
	tq_run(t, "server load errors", test_server_load_errors);
	tq_run(t, "no CA", test_no_ca);
	tq_run(t, "conn seam", test_conn_seam);
	tq_run(t, "not TLS, SSL 3.0", test_not_tls);
}
