/* test_tls.c - the TLS pieces that need no connection: BearSSL error names
 * and messages, dates, the ClientHello's group order, PEM reading, trust
 * anchor loading from every source, and the session cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_tls_fixture.h"
#include "tls/errors.h"
#include "tls/hello.h"
#include "tls/pem.h"
#include "tls/profile.h"
#include "tls/session.h"
#include "tls/trust.h"
#include "tls/x509.h"
#include "tq.h"

void suite_tls(struct tq *t);

static void test_err_names(struct tq *t)
{
	TQ_STR(t, tls_err_name(BR_ERR_OK), "OK");
	TQ_STR(t, tls_err_text(BR_ERR_OK), "no error");
	TQ_STR(t, tls_err_name(BR_ERR_X509_NOT_TRUSTED), "X509_NOT_TRUSTED");
	TQ_STR(t, tls_err_text(BR_ERR_X509_NOT_TRUSTED), "unknown issuer");
	TQ_STR(t, tls_err_name(BR_ERR_BAD_MAC), "BAD_MAC");
	TQ_STR(t, tls_err_name(BR_ERR_UNSUPPORTED_VERSION), "UNSUPPORTED_VERSION");
	TQ_STR(t, tls_err_name(BR_ERR_RECV_FATAL_ALERT + 70), "RECV_FATAL_ALERT");
	TQ_STR(t, tls_err_name(BR_ERR_SEND_FATAL_ALERT + 40), "SEND_FATAL_ALERT");
	TQ_STR(t, tls_err_name(11), "UNKNOWN");
	TQ_STR(t, tls_err_name(30), "UNKNOWN");
	TQ_STR(t, tls_err_name(61), "UNKNOWN");
	TQ_STR(t, tls_err_name(63), "UNKNOWN");
	TQ_STR(t, tls_err_name(-1), "UNKNOWN");
	TQ_STR(t, tls_err_text(63), "unknown TLS error");
	TQ_STR(t, tls_alert_name(0), "close_notify");
	TQ_STR(t, tls_alert_name(70), "protocol_version");
	TQ_STR(t, tls_alert_name(120), "no_application_protocol");
	TQ_STR(t, tls_alert_name(255), "unknown");
}

/* Every defined code below 64 has its own name (the table is complete). */
static void test_err_table_complete(struct tq *t)
{
	static const int codes[] = {
		BR_ERR_BAD_PARAM, BR_ERR_BAD_STATE, BR_ERR_BAD_VERSION, BR_ERR_BAD_LENGTH,
		BR_ERR_TOO_LARGE, BR_ERR_NO_RANDOM, BR_ERR_UNKNOWN_TYPE, BR_ERR_UNEXPECTED,
		BR_ERR_BAD_CCS, BR_ERR_BAD_ALERT, BR_ERR_BAD_HANDSHAKE, BR_ERR_OVERSIZED_ID,
		BR_ERR_BAD_CIPHER_SUITE, BR_ERR_BAD_COMPRESSION, BR_ERR_BAD_FRAGLEN,
		BR_ERR_BAD_SECRENEG, BR_ERR_EXTRA_EXTENSION, BR_ERR_BAD_SNI, BR_ERR_BAD_HELLO_DONE,
		BR_ERR_LIMIT_EXCEEDED, BR_ERR_BAD_FINISHED, BR_ERR_RESUME_MISMATCH,
		BR_ERR_INVALID_ALGORITHM, BR_ERR_BAD_SIGNATURE, BR_ERR_WRONG_KEY_USAGE,
		BR_ERR_NO_CLIENT_AUTH, BR_ERR_IO, BR_ERR_X509_INVALID_VALUE, BR_ERR_X509_TRUNCATED,
		BR_ERR_X509_EMPTY_CHAIN, BR_ERR_X509_INNER_TRUNC, BR_ERR_X509_BAD_TAG_CLASS,
		BR_ERR_X509_BAD_TAG_VALUE, BR_ERR_X509_INDEFINITE_LENGTH, BR_ERR_X509_EXTRA_ELEMENT,
		BR_ERR_X509_UNEXPECTED, BR_ERR_X509_NOT_CONSTRUCTED, BR_ERR_X509_NOT_PRIMITIVE,
		BR_ERR_X509_PARTIAL_BYTE, BR_ERR_X509_BAD_BOOLEAN, BR_ERR_X509_OVERFLOW,
		BR_ERR_X509_BAD_DN, BR_ERR_X509_BAD_TIME, BR_ERR_X509_UNSUPPORTED,
		BR_ERR_X509_LIMIT_EXCEEDED, BR_ERR_X509_WRONG_KEY_TYPE, BR_ERR_X509_BAD_SIGNATURE,
		BR_ERR_X509_TIME_UNKNOWN, BR_ERR_X509_EXPIRED, BR_ERR_X509_DN_MISMATCH,
		BR_ERR_X509_BAD_SERVER_NAME, BR_ERR_X509_CRITICAL_EXTENSION, BR_ERR_X509_NOT_CA,
		BR_ERR_X509_FORBIDDEN_KEY_USAGE, BR_ERR_X509_WEAK_PUBLIC_KEY,
		BR_ERR_X509_NOT_TRUSTED,
	};
	size_t i;

	for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		TQ_TRUE(t, strcmp(tls_err_name(codes[i]), "UNKNOWN") != 0);
		TQ_TRUE(t, strcmp(tls_err_text(codes[i]), "unknown TLS error") != 0);
	}
}

static void test_err_messages(struct tq *t)
{
	struct qv_error e;

	TQ_INT(t, tls_err_set(&e, BR_ERR_X509_NOT_TRUSTED, "a.test", true, NULL), QV_E_TLS_CERT);
	TQ_STR(t, e.msg, "certificate verification failed: unknown issuer [BR_ERR_X509_NOT_TRUSTED]");
	TQ_INT(t, e.detail, BR_ERR_X509_NOT_TRUSTED);
	TQ_INT(t, tls_err_set(&e, BR_ERR_X509_EXPIRED, "a.test", true, NULL), QV_E_TLS_CERT);
	TQ_STR(t, e.msg, "certificate expired [BR_ERR_X509_EXPIRED]");
	(void)tls_err_set(&e, BR_ERR_X509_BAD_SERVER_NAME, "example.test", true, NULL);
	TQ_STR(t, e.msg, "certificate does not match host example.test [BR_ERR_X509_BAD_SERVER_NAME]");
	TQ_INT(t, tls_err_set(&e, BR_ERR_UNSUPPORTED_VERSION, "a", true, NULL), QV_E_TLS_PROTOCOL);
	TQ_STR(t, e.msg, "server requires TLS 1.3 (unsupported) [BR_ERR_UNSUPPORTED_VERSION]");
	TQ_INT(t, tls_err_set(&e, BR_ERR_RECV_FATAL_ALERT + 70, "a", true, NULL), QV_E_TLS_PROTOCOL);
	TQ_STR(t, e.msg,
	       "server requires TLS 1.3 (unsupported) [BR_ERR_RECV_FATAL_ALERT: protocol_version]");
	TQ_INT(t, tls_err_set(&e, BR_ERR_RECV_FATAL_ALERT + 40, "a", true, NULL), QV_E_TLS_HANDSHAKE);
	TQ_STR(t, e.msg, "handshake failure: server sent alert handshake_failure (40), likely no "
			 "cipher suite in common: quiver offers TLS 1.2 with ECDHE and AES-GCM or "
			 "ChaCha20, the server may require RSA key exchange or TLS 1.3 "
			 "[BR_ERR_RECV_FATAL_ALERT]");
	/* after the handshake, or sent by quiver: the plain alert */
	TQ_INT(t, tls_err_set(&e, BR_ERR_RECV_FATAL_ALERT + 40, "a", false, NULL), QV_E_TLS_PROTOCOL);
	TQ_STR(t, e.msg, "TLS error: server sent alert handshake_failure (40) [BR_ERR_RECV_FATAL_ALERT]");
	TQ_INT(t, tls_err_set(&e, BR_ERR_SEND_FATAL_ALERT + 40, "a", true, NULL), QV_E_TLS_HANDSHAKE);
	TQ_STR(t, e.msg, "handshake failure: sent alert handshake_failure (40) [BR_ERR_SEND_FATAL_ALERT]");
	TQ_INT(t, tls_err_set(&e, BR_ERR_BAD_CIPHER_SUITE, "a", true, NULL), QV_E_TLS_HANDSHAKE);
	TQ_STR(t, e.msg, "handshake failure: no common cipher suite [BR_ERR_BAD_CIPHER_SUITE]");
	TQ_INT(t, tls_err_set(&e, BR_ERR_BAD_MAC, "a", false, NULL), QV_E_TLS_PROTOCOL);
	TQ_STR(t, e.msg, "TLS error: bad record MAC [BR_ERR_BAD_MAC]");
	(void)tls_err_set(&e, BR_ERR_X509_EXPIRED, "a", true, "certificate expired on 2020-01-01");
	TQ_STR(t, e.msg, "certificate expired on 2020-01-01 [BR_ERR_X509_EXPIRED]");
}

static void test_format_day(struct tq *t)
{
	char d[32];

	tls_x509_format_day(719528, d, sizeof d);
	TQ_STR(t, d, "1970-01-01");
	tls_x509_format_day(719528 + 18262, d, sizeof d); /* 2020-01-01 */
	TQ_STR(t, d, "2020-01-01");
	tls_x509_format_day(719528 + 11016, d, sizeof d); /* 2000-02-29 */
	TQ_STR(t, d, "2000-02-29");
	tls_x509_format_day(719528 + 54785, d, sizeof d); /* 2119-12-31 */
	TQ_STR(t, d, "2119-12-31");
}

static uint8_t *read_fixture(struct tq *t, const char *name, size_t *len)
{
	char path[1024];
	uint8_t *data = NULL;
	struct qv_error e;

	if (!TQ_INT(t, file_read_all(tls_fixture(path, sizeof path, name), TLS_PEM_FILE_MAX,
				     QV_E_TLS_PEM, &data, len, &e),
		    QV_OK))
		printf("  %s\n", e.msg);
	return data;
}

static enum qv_err count_obj(void *ctx, const char *name, const uint8_t *der, size_t len,
			     struct qv_error *err)
{
	(void)name;
	(void)der;
	(void)err;
	*(size_t *)ctx += len > 0 ? 1 : 0;
	return QV_OK;
}

static void test_pem_each(struct tq *t)
{
	static const char bad[] = "-----BEGIN CERTIFICATE-----\nMII!!!\n-----END CERTIFICATE-----\n";
	static const char open_obj[] = "-----BEGIN CERTIFICATE-----\nMIIB\n";
	size_t len = 0, objs = 0, seen = 0;
	uint8_t *data = read_fixture(t, "ca.pem", &len);
	struct qv_error e;

	if (data == NULL)
		return;
	/* no newline after END: still one object */
	TQ_INT(t, tls_pem_each(data, len - 1, count_obj, &objs, &seen, &e), QV_OK);
	TQ_INT(t, objs, 1);
	TQ_INT(t, seen, 1);
	free(data);
	TQ_INT(t, tls_pem_each((const uint8_t *)bad, sizeof bad - 1, count_obj, &objs, NULL, &e),
	       QV_E_TLS_PEM);
	TQ_INT(t, tls_pem_each((const uint8_t *)open_obj, sizeof open_obj - 1, count_obj, &objs,
			       NULL, &e),
	       QV_E_TLS_PEM);
	TQ_TRUE(t, strstr(e.msg, "unterminated") != NULL);
}

struct pem_seen {
	size_t n;
	char name[64];
	uint8_t der[64];
	size_t len;
};

static enum qv_err keep_last(void *ctx, const char *name, const uint8_t *der, size_t len,
			     struct qv_error *err)
{
	struct pem_seen *s = ctx;

	(void)err;
	s->n++;
	(void)snprintf(s->name, sizeof s->name, "%s", name);
	s->len = len < sizeof s->der ? len : sizeof s->der;
	memcpy(s->der, der, s->len);
	return QV_OK;
}

/* One PEM text: its result, and the one object's name and bytes. */
static void pem_case(struct tq *t, const char *text, enum qv_err want_rc, const char *want_name,
		     const char *want_der)
{
	size_t len = strlen(text);
	uint8_t *g = tq_guard_dup(text, len);
	struct pem_seen s;
	struct qv_error e;

	memset(&s, 0, sizeof s);
	if (g == NULL)
		return;
	if (!TQ_INT(t, tls_pem_each(g, len, keep_last, &s, NULL, &e), want_rc))
		printf("  for %s\n", text);
	if (want_rc == QV_OK && want_name != NULL) {
		TQ_INT(t, s.n, 1);
		TQ_STR(t, s.name, want_name);
		TQ_MEM(t, s.der, s.len, want_der, strlen(want_der));
	}
	tq_guard_free(g, len);
}

/* BearSSL's PEM rules (pem.c), CRs ignored everywhere. */
static void test_pem_rules(struct tq *t)
{
	pem_case(t, "-----BEGIN X-----\nYWJj\n-----END X-----\n", QV_OK, "X", "abc");
	pem_case(t, "-----BEGIN X-----\r\nYWJj\r\n-----END X-----\r\n", QV_OK, "X", "abc");
	pem_case(t, "-----begin a b-c---\nYW Jj\tZA==\n\n-----end x\n", QV_OK, "A B-C", "abcd");
	pem_case(t, "-----BEGIN X\nYWJj\n-----END\n", QV_E_TLS_PEM, NULL, NULL); /* "END " */
	pem_case(t, "-----BEGIN X\nYWJjZGU=  \n-----END X\n", QV_OK, "X", "abcde");
	pem_case(t, "-----BEGIN X\nYW\nJj\n-----END X\n", QV_E_TLS_PEM, NULL, NULL); /* split quartet */
	pem_case(t, "-----BEGIN X\nYQ=\n-----END X\n", QV_E_TLS_PEM, NULL, NULL);   /* one '=' */
	pem_case(t, "-----BEGIN X\nYR==\n-----END X\n", QV_E_TLS_PEM, NULL, NULL);  /* stray bits */
	pem_case(t, "-----BEGIN X\nYQ== x\n-----END X\n", QV_E_TLS_PEM, NULL, NULL); /* after '=' */
	pem_case(t, "-----BEGIN X\nYQ==\n \n-----END X\n", QV_E_TLS_PEM, NULL, NULL);
	pem_case(t, "-----BEGIN X\n -----END X\n", QV_E_TLS_PEM, NULL, NULL);
	pem_case(t, "-----BEGIN X\nYWJj-----END X\n", QV_E_TLS_PEM, NULL, NULL);
	pem_case(t, "-----BEGIN X\n-----BEGIN Y\n", QV_E_TLS_PEM, NULL, NULL);
	pem_case(t, "-----BEGIN X\nYWJj\n-----END X", QV_OK, "X", "abc"); /* no final newline */
	pem_case(t, "-----BEGIN \nYWJj\n-----END X\n", QV_OK, NULL, NULL); /* no name: no object */
	pem_case(t, " -----BEGIN X\nYWJj\n", QV_OK, NULL, NULL);       /* not at line start */
	pem_case(t, "-----BEGIN -----\nYWJj\n-----END \n", QV_OK, "", "abc"); /* name all dashes */
}

static void test_file_read_errors(struct tq *t)
{
	char path[1024];
	uint8_t *data = NULL;
	size_t len = 0;
	struct qv_error e;

	TQ_INT(t, file_read_all("/nonexistent/ca.pem", 100, QV_E_TLS_PEM, &data, &len, &e),
	       QV_E_TLS_PEM);
	TQ_STR(t, e.msg, "cannot read /nonexistent/ca.pem: No such file or directory");
	TQ_INT(t, file_read_all(tls_fixture(path, sizeof path, "ca.pem"), 100, QV_E_TLS_PEM, &data,
				&len, &e),
	       QV_E_TLS_PEM);
	TQ_TRUE(t, strstr(e.msg, "is larger than 100 bytes") != NULL);
	TQ_INT(t, file_read_all("/", 100, QV_E_TLS_PEM, &data, &len, &e), QV_E_TLS_PEM);
	TQ_STR(t, e.msg, "/ is not a regular file");
	TQ_TRUE(t, data == NULL);
}

static void test_trust_add_and_dedupe(struct tq *t)
{
	const struct tls_anchor *found[4];
	br_x509_trust_anchor ta;
	struct tls_pkey key;
	struct tls_trust *tr = NULL;
	struct qv_error e;
	size_t len = 0, added = 0;
	uint8_t *ca = read_fixture(t, "ca.pem", &len);
	uint64_t id1;

	if (ca == NULL || !TQ_INT(t, tls_trust_new(&tr, &e), QV_OK)) {
		free(ca);
		return;
	}
	TQ_INT(t, tls_trust_add_pem(tr, ca, len, &added, &e), QV_OK);
	TQ_INT(t, added, 1);
	TQ_INT(t, tr->count, 1);
	if (TQ_TRUE(t, tls_anchor_decode(&tr->a[0], &ta, &key))) {
		TQ_TRUE(t, (ta.flags & BR_X509_TA_CA) != 0);
		TQ_INT(t, ta.pkey.key_type, BR_KEYTYPE_RSA);
		TQ_TRUE(t, ta.dn.data == tr->a[0].subject.p && ta.dn.len == tr->a[0].subject.len);
	}
	TQ_INT(t, tls_trust_find(tr, tr->a[0].subject.p, tr->a[0].subject.len, found, 4), 1);
	TQ_TRUE(t, found[0] == &tr->a[0]);
	TQ_INT(t, tls_trust_find(tr, tr->a[0].subject.p, tr->a[0].subject.len - 1, found, 4), 0);
	id1 = tr->id;
	TQ_INT(t, tls_trust_add_pem(tr, ca, len, &added, &e), QV_OK);
	TQ_INT(t, added, 0); /* the same CA twice is kept once */
	TQ_INT(t, tr->count, 1);
	TQ_TRUE(t, tr->id == id1);
	tls_trust_free(tr);
	free(ca);
}

static void test_trust_cacert(struct tq *t)
{
	char path[1024];
	struct tls_trust_paths p = {tls_fixture(path, sizeof path, "ec.pem"), "/nonexistent",
				    "/nonexistent", NULL};
	br_x509_trust_anchor ta;
	struct tls_pkey key;
	struct tls_trust *tr = NULL;
	struct qv_error e;

	if (!TQ_INT(t, tls_trust_load(&tr, &p, &e), QV_OK))
		return;
	TQ_INT(t, tr->count, 1);
	if (TQ_TRUE(t, tls_anchor_decode(&tr->a[0], &ta, &key))) {
		TQ_INT(t, ta.pkey.key_type, BR_KEYTYPE_EC);
		TQ_INT(t, ta.flags & BR_X509_TA_CA, 0); /* a server certificate */
	}
	tls_trust_free(tr);
	p.cacert = "/nonexistent/ca.pem";
	TQ_INT(t, tls_trust_load(&tr, &p, &e), QV_E_TLS_PEM);
	TQ_STR(t, e.msg, "--cacert: cannot read /nonexistent/ca.pem: No such file or directory");
	TQ_TRUE(t, tr == NULL);
	/* a file without certificates */
	p.cacert = tls_fixture(path, sizeof path, "rsa.key");
	TQ_INT(t, tls_trust_load(&tr, &p, &e), QV_E_TLS_NO_CA);
	TQ_TRUE(t, strstr(e.msg, "no CA certificate in ") != NULL);
}

static void test_trust_env_file(struct tq *t)
{
	char path[1024];
	struct tls_trust_paths p = {NULL, tls_fixture(path, sizeof path, "other-ca.pem"),
				    "/nonexistent", NULL};
	struct tls_trust *tr = NULL;
	struct qv_error e;

	if (!TQ_INT(t, tls_trust_load(&tr, &p, &e), QV_OK))
		return;
	TQ_INT(t, tr->count, 1);
	tls_trust_free(tr);
	p.cert_file = "/nonexistent/x.pem";
	TQ_INT(t, tls_trust_load(&tr, &p, &e), QV_E_TLS_PEM);
	TQ_TRUE(t, strncmp(e.msg, "SSL_CERT_FILE: cannot read", 26) == 0);
}

/* SSL_CERT_DIR without HASH.N names (the fixture directory): an error that
 * says how to make one (test_tls_certdir.c and test_tls_conn.c have the
 * hashed ones); ':'-separated, and a missing directory adds nothing. */
static void test_trust_env_dir(struct tq *t)
{
	char dir[1024], dirs[2100], want[2400];
	struct tls_trust_paths p = {NULL, "", dirs, NULL};
	struct tls_trust *tr = NULL;
	struct qv_error e;
	char *slash;

	(void)tls_fixture(dir, sizeof dir, "ca.pem");
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	(void)snprintf(dirs, sizeof dirs, "/nonexistent:%s", dir);
	TQ_INT(t, tls_trust_load(&tr, &p, &e), QV_E_TLS_NO_CA);
	TQ_TRUE(t, tr == NULL);
	(void)snprintf(want, sizeof want,
		       "no CA certificates named by hash (HASH.0) in SSL_CERT_DIR=/nonexistent:%s; "
		       "run `openssl rehash` on it, use --cacert FILE or set SSL_CERT_FILE",
		       dir);
	if (strlen(want) < sizeof e.msg)
		TQ_STR(t, e.msg, want);
	p.cert_dir = "/nonexistent";
	TQ_INT(t, tls_trust_load(&tr, &p, &e), QV_E_TLS_NO_CA);
	TQ_STR(t, e.msg, "no CA certificates named by hash (HASH.0) in SSL_CERT_DIR=/nonexistent; "
			 "run `openssl rehash` on it, use --cacert FILE or set SSL_CERT_FILE");
}

static void test_trust_bundles(struct tq *t)
{
	char path[1024];
	const char *none[] = {"/nonexistent/certs/a.crt", "/nonexistent/pki/b.crt",
			      "/nonexistent/certs/c.crt", NULL};
	const char *some[] = {"/nonexistent/a.crt", path, NULL};
	struct tls_trust_paths p = {NULL, NULL, NULL, none};
	struct tls_trust *tr = NULL;
	struct qv_error e;

	TQ_INT(t, tls_trust_load(&tr, &p, &e), QV_E_TLS_NO_CA);
	TQ_STR(t, e.msg, "no CA certificates found: SSL_CERT_FILE and SSL_CERT_DIR are unset and "
			 "there is no CA bundle in /nonexistent/certs, /nonexistent/pki; use "
			 "--cacert FILE or set SSL_CERT_FILE");
	TQ_TRUE(t, tr == NULL);
	(void)tls_fixture(path, sizeof path, "ca.pem");
	p.bundles = some;
	if (!TQ_INT(t, tls_trust_load(&tr, &p, &e), QV_OK))
		return;
	TQ_INT(t, tr->count, 1);
	tls_trust_free(tr);
	tls_trust_free(NULL);
}

/* The default message names the real distro directories and fits. */
static void test_trust_default_message(struct tq *t)
{
	const char *none[] = {"/nonexistent/x", NULL};
	struct tls_trust_paths p = {NULL, NULL, NULL, none};
	struct tls_trust *tr = NULL;
	struct qv_error e;
	size_t i;

	(void)tls_trust_load(&tr, &p, &e);
	TQ_TRUE(t, strstr(e.msg, "use --cacert FILE or set SSL_CERT_FILE") != NULL);
	for (i = 0; TLS_TRUST_BUNDLES[i] != NULL; i++)
		TQ_TRUE(t, strncmp(TLS_TRUST_BUNDLES[i], "/etc/", 5) == 0);
	TQ_INT(t, i, 6);
}

static void session_params(br_ssl_session_parameters *p, unsigned char id)
{
	memset(p, 0, sizeof *p);
	p->session_id_len = 32;
	memset(p->session_id, id, sizeof p->session_id);
	p->version = BR_TLS12;
}

static void test_session_cache(struct tq *t)
{
	struct tls_session_cache *c = malloc(sizeof *c);
	struct tls_session_key k1, k2, k3, kx;
	br_ssl_session_parameters p, got;
	unsigned i;

	if (!TQ_TRUE(t, c != NULL && tls_session_cache_init(c) == QV_OK)) {
		free(c);
		return;
	}
	tls_session_key_make(&k1, "a.test", 443, false, 7);
	tls_session_key_make(&k2, "a.test", 443, true, 7);  /* -k: not shared */
	tls_session_key_make(&k3, "a.test", 443, false, 8); /* other CA set */
	session_params(&p, 1);
	tls_session_put(c, &k1, &p);
	TQ_TRUE(t, tls_session_get(c, &k1, &got) && got.session_id[0] == 1);
	TQ_TRUE(t, !tls_session_get(c, &k2, &got));
	TQ_TRUE(t, !tls_session_get(c, &k3, &got));
	tls_session_drop(c, &k1);
	TQ_TRUE(t, !tls_session_get(c, &k1, &got));
	p.session_id_len = 0; /* no ID: not stored */
	tls_session_put(c, &k1, &p);
	TQ_TRUE(t, !tls_session_get(c, &k1, &got));
	/* fill past the cap: the least recently used goes */
	session_params(&p, 2);
	tls_session_put(c, &k1, &p);
	for (i = 0; i < TLS_SESSION_MAX; i++) {
		tls_session_key_make(&kx, "b.test", (uint16_t)(1000 + i), false, 7);
		tls_session_put(c, &kx, &p);
		if (i == 0)
			TQ_TRUE(t, tls_session_get(c, &k1, &got)); /* k1 used: b:1000 is oldest */
	}
	TQ_TRUE(t, tls_session_get(c, &k1, &got));
	tls_session_key_make(&kx, "b.test", 1000, false, 7);
	TQ_TRUE(t, !tls_session_get(c, &kx, &got));
	tls_session_cache_clear(c);
	free(c);
}

/* The groups of the supported_groups extension of ClientHello record rec
 * into g (at most cap), as IDs; returns how many. */
static size_t hello_groups(const unsigned char *rec, size_t len, unsigned *g, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i + 6 <= len; i++) {
		size_t el = (size_t)rec[i + 2] << 8 | rec[i + 3], j;

		if (rec[i] != 0 || rec[i + 1] != 10 || el < 2 || i + 4 + el > len ||
		    ((size_t)rec[i + 4] << 8 | rec[i + 5]) != el - 2)
			continue;
		for (j = i + 6; j + 1 < i + 4 + el && n < cap; j += 2)
			g[n++] = (unsigned)rec[j] << 8 | rec[j + 1];
		return n;
	}
	return 0;
}

/* A ClientHello made by hand: every field, the groups P-256, P-384, P-521,
 * X25519 (BearSSL 0.6's order), and an extension after them. */
static size_t hello_make(unsigned char *b)
{
	static const unsigned char tail[] = {
		0x00, 0x04, 0xc0, 0x2b, 0xcc, 0xa9, /* cipher suites */
		0x01, 0x00,                         /* compression: null */
		0x00, 0x1c,                         /* extensions */
		0x00, 0x00, 0x00, 0x04, 0x00, 0x02, 0x68, 0x68, /* server_name (junk) */
		0x00, 0x0a, 0x00, 0x0a, 0x00, 0x08, 0x00, 0x17, 0x00, 0x18, 0x00, 0x19, 0x00, 0x1d,
		0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,
	};
	size_t n = 5 + 4 + 2 + 32 + 1 + 3;

	memset(b, 0, n);
	b[0] = 22;
	b[1] = b[2] = 3;
	b[5] = 1;
	b[9] = b[10] = 3;
	b[43] = 3; /* a 3-byte session ID */
	memcpy(b + n, tail, sizeof tail);
	n += sizeof tail;
	b[3] = (unsigned char)((n - 5) >> 8);
	b[4] = (unsigned char)(n - 5);
	b[8] = (unsigned char)(n - 9);
	return n;
}

static void test_hello_reorder(struct tq *t)
{
	unsigned char b[128], c[128];
	const unsigned char *msg = NULL;
	size_t n = hello_make(b), msg_len = 0, i;
	unsigned g[8];

	memcpy(c, b, n);
	if (!TQ_TRUE(t, tls_hello_reorder(c, n, &msg, &msg_len)))
		return;
	TQ_TRUE(t, msg == c + 5 && msg_len == n - 5);
	TQ_INT(t, hello_groups(c, n, g, 8), 4);
	TQ_TRUE(t, g[0] == 29 && g[1] == 23 && g[2] == 24 && g[3] == 25);
	TQ_MEM(t, c + n - 6, 6, b + n - 6, 6); /* the next extension is untouched */
	TQ_TRUE(t, !tls_hello_reorder(c, n, &msg, &msg_len)); /* X25519 first already */
	/* every shorter record, and one byte more, is left alone */
	for (i = 0; i < n; i++) {
		memcpy(c, b, n);
		TQ_TRUE(t, !tls_hello_reorder(c, i, &msg, &msg_len));
		TQ_MEM(t, c, n, b, n);
	}
	memcpy(c, b, n);
	c[n] = 0;
	TQ_TRUE(t, !tls_hello_reorder(c, n + 1, &msg, &msg_len));
	/* no X25519 offered: nothing to do */
	memcpy(c, b, n);
	c[n - 7] = 0x1e;
	TQ_TRUE(t, !tls_hello_reorder(c, n, &msg, &msg_len));
	memcpy(c, b, n);
	c[5] = 2; /* a ServerHello */
	TQ_TRUE(t, !tls_hello_reorder(c, n, &msg, &msg_len));
}

/* BearSSL's own ClientHello: its groups come in ID order (the 0.6 slip);
 * after tls_hello_x25519_first X25519 leads and the transcript hash is the
 * hash of the new bytes. */
static void test_hello_bearssl(struct tq *t)
{
	br_ssl_client_context *cc = malloc(sizeof *cc);
	unsigned char *buf = malloc(BR_SSL_BUFSIZE_MONO), *rec;
	unsigned char want[32], got[32];
	size_t len = 0;
	unsigned g[8];
	br_sha256_context h;

	if (!TQ_TRUE(t, cc != NULL && buf != NULL))
		goto out;
	tls_profile_client(cc);
	br_ssl_engine_set_buffer(&cc->eng, buf, BR_SSL_BUFSIZE_MONO, 0);
	if (!TQ_TRUE(t, br_ssl_client_reset(cc, "localhost", 0) != 0))
		goto out;
	rec = br_ssl_engine_sendrec_buf(&cc->eng, &len);
	if (!TQ_TRUE(t, rec != NULL && len > 5) || !TQ_INT(t, hello_groups(rec, len, g, 8), 4))
		goto out;
	TQ_TRUE(t, g[0] == 23 && g[1] == 24 && g[2] == 25 && g[3] == 29);
	if (!TQ_TRUE(t, tls_hello_x25519_first(&cc->eng)))
		goto out;
	TQ_INT(t, hello_groups(rec, len, g, 8), 4);
	TQ_TRUE(t, g[0] == 29 && g[1] == 23 && g[2] == 24 && g[3] == 25);
	br_sha256_init(&h);
	br_sha256_update(&h, rec + 5, len - 5);
	br_sha256_out(&h, want);
	TQ_INT(t, br_multihash_out(&cc->eng.mhash, br_sha256_ID, got), 32);
	TQ_MEM(t, got, 32, want, 32);
	TQ_TRUE(t, !tls_hello_x25519_first(&cc->eng));
out:
	free(buf);
	free(cc);
}

void suite_tls(struct tq *t)
{
	tq_run(t, "BR_ERR names", test_err_names);
	tq_run(t, "BR_ERR table complete", test_err_table_complete);
	tq_run(t, "error messages", test_err_messages);
	tq_run(t, "dates", test_format_day);
	tq_run(t, "ClientHello: X25519 first", test_hello_reorder);
	tq_run(t, "ClientHello: BearSSL's, rehashed", test_hello_bearssl);
	tq_run(t, "PEM objects", test_pem_each);
	tq_run(t, "PEM rules", test_pem_rules);
	tq_run(t, "file read errors", test_file_read_errors);
	tq_run(t, "trust add and dedupe", test_trust_add_and_dedupe);
	tq_run(t, "trust --cacert", test_trust_cacert);
	tq_run(t, "trust SSL_CERT_FILE", test_trust_env_file);
	tq_run(t, "trust SSL_CERT_DIR", test_trust_env_dir);
	tq_run(t, "trust distro bundles", test_trust_bundles);
	tq_run(t, "trust no-CA message", test_trust_default_message);
	tq_run(t, "session cache", test_session_cache);
}
