/* server.c - TLS server credentials from PEM and per-connection engines. */
#include "tls/server.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "tls/cert.h"
#include "tls/pem.h"
#include "tls/profile.h"
#include "tls/skey.h"

/* Bytes of OS entropy injected when BearSSL finds no source itself. */
#define TLS_SEED_BYTES 32

struct tls_server {
	br_x509_certificate chain[TLS_SERVER_CHAIN_MAX];
	size_t chain_len;
	int key_type;                 /* BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
	br_rsa_private_key rsa;
	br_ec_private_key ec;
	unsigned char *key_block;     /* the key's bytes, owned */
	unsigned issuer_key_type;     /* key type that signed the certificate */
	br_ssl_session_cache_lru cache;
	unsigned char cache_store[TLS_SERVER_CACHE_BYTES];
};

struct tls_server_conn {
	br_ssl_server_context sc;
	struct tls_io io;
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};

static enum qv_err chain_add(void *ctx, const char *name, const uint8_t *der, size_t len,
			     struct qv_error *err)
{
	struct tls_server *srv = ctx;
	unsigned char *copy;

	if (strcmp(name, "CERTIFICATE") != 0 && strcmp(name, "X509 CERTIFICATE") != 0)
		return QV_OK;
	if (srv->chain_len >= TLS_SERVER_CHAIN_MAX)
		return qv_error_set(err, QV_E_TLS_PEM, "more than %u certificates in the chain",
				    TLS_SERVER_CHAIN_MAX);
	copy = malloc(len);
	if (copy == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	memcpy(copy, der, len);
	srv->chain[srv->chain_len].data = copy;
	srv->chain[srv->chain_len].data_len = len;
	srv->chain_len++;
	return QV_OK;
}

/* Read path and run fn over its PEM objects. */
static enum qv_err pem_file_each(const char *path, tls_pem_fn fn, void *ctx,
				 struct qv_error *err)
{
	uint8_t *data;
	size_t len;
	enum qv_err rc = file_read_all(path, TLS_PEM_FILE_MAX, QV_E_TLS_PEM, &data, &len, err);

	if (rc != QV_OK)
		return rc;
	rc = tls_pem_each(data, len, fn, ctx, NULL, err);
	free(data);
	return rc;
}

/* Copy one number of the key into the key block at *cursor. */
static void copy_part(unsigned char **dst, size_t *dlen, unsigned char **cursor,
		      const struct der *src)
{
	memcpy(*cursor, src->p, src->len);
	*dst = *cursor;
	*dlen = src->len;
	*cursor += src->len;
}

/* Keep a copy of the key's numbers (the DER dies after the call). */
static enum qv_err key_keep(struct tls_server *srv, const struct tls_skey *k,
			    struct qv_error *err)
{
	size_t total = k->key_type == BR_KEYTYPE_RSA
			       ? k->p.len + k->q.len + k->dp.len + k->dq.len + k->iq.len
			       : k->x.len;
	unsigned char *cur;

	srv->key_block = malloc(total > 0 ? total : 1);
	if (srv->key_block == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	cur = srv->key_block;
	srv->key_type = k->key_type;
	if (k->key_type == BR_KEYTYPE_RSA) {
		srv->rsa.n_bitlen = k->n_bitlen;
		copy_part(&srv->rsa.p, &srv->rsa.plen, &cur, &k->p);
		copy_part(&srv->rsa.q, &srv->rsa.qlen, &cur, &k->q);
		copy_part(&srv->rsa.dp, &srv->rsa.dplen, &cur, &k->dp);
		copy_part(&srv->rsa.dq, &srv->rsa.dqlen, &cur, &k->dq);
		copy_part(&srv->rsa.iq, &srv->rsa.iqlen, &cur, &k->iq);
	} else {
		srv->ec.curve = k->curve;
		copy_part(&srv->ec.x, &srv->ec.xlen, &cur, &k->x);
	}
	return QV_OK;
}

static enum qv_err key_take(void *ctx, const char *name, const uint8_t *der, size_t len,
			    struct qv_error *err)
{
	struct tls_server *srv = ctx;
	struct tls_skey k;
	size_t nlen = strlen(name);

	if (srv->key_block != NULL || nlen < 11 || strcmp(name + nlen - 11, "PRIVATE KEY") != 0)
		return QV_OK;
	if (!tls_skey_parse(der, len, &k))
		return qv_error_set(err, QV_E_TLS_PEM, "cannot decode the %s", name);
	return key_keep(srv, &k, err);
}

static bool same_number(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	while (alen > 0 && *a == 0) {
		a++;
		alen--;
	}
	while (blen > 0 && *b == 0) {
		b++;
		blen--;
	}
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* True when the private key belongs to public key pk. */
static bool key_pair_ok(const struct tls_server *srv, const br_x509_pkey *pk)
{
	/* RSA moduli up to 4096 bits, BearSSL's own limit. */
	unsigned char buf[512];
	size_t len;

	if ((int)pk->key_type != srv->key_type)
		return false;
	if (srv->key_type == BR_KEYTYPE_RSA) {
		br_rsa_compute_modulus modulus = br_rsa_compute_modulus_get_default();

		len = modulus(NULL, &srv->rsa);
		if (len == 0 || len > sizeof buf || modulus(buf, &srv->rsa) != len)
			return false;
		return same_number(buf, len, pk->key.rsa.n, pk->key.rsa.nlen);
	}
	if (pk->key.ec.curve != srv->ec.curve)
		return false;
	len = br_ec_compute_pub(&tls_profile_ec, NULL, buf, &srv->ec);
	return len != 0 && len == pk->key.ec.qlen && memcmp(buf, pk->key.ec.q, len) == 0;
}

/* Check the key against the server certificate; note who signed it. */
static enum qv_err server_check_pair(struct tls_server *srv, const char *cert_path,
				     const char *key_path, struct qv_error *err)
{
	struct tls_cert_info ci;

	if (!tls_cert_decode(srv->chain[0].data, srv->chain[0].data_len, &ci))
		return qv_error_set(err, QV_E_TLS_PEM, "cannot decode the certificate in %s",
				    cert_path);
	if (!key_pair_ok(srv, &ci.pkey))
		return qv_error_set(err, QV_E_TLS_PEM, "%s does not match the certificate in %s",
				    key_path, cert_path);
	srv->issuer_key_type = (unsigned)ci.signer_key_type;
	return QV_OK;
}

enum qv_err tls_server_new(struct tls_server **out, const char *cert_path, const char *key_path,
			   struct qv_error *err)
{
	struct tls_server *srv = calloc(1, sizeof *srv);
	enum qv_err rc;

	*out = NULL;
	if (srv == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	rc = pem_file_each(cert_path, chain_add, srv, err);
	if (rc == QV_OK && srv->chain_len == 0)
		rc = qv_error_set(err, QV_E_TLS_PEM, "no certificate in %s", cert_path);
	if (rc == QV_OK)
		rc = pem_file_each(key_path, key_take, srv, err);
	if (rc == QV_OK && srv->key_block == NULL)
		rc = qv_error_set(err, QV_E_TLS_PEM, "no private key in %s", key_path);
	if (rc == QV_OK)
		rc = server_check_pair(srv, cert_path, key_path, err);
	if (rc != QV_OK) {
		tls_server_free(srv);
		return rc;
	}
	br_ssl_session_cache_lru_init(&srv->cache, srv->cache_store, sizeof srv->cache_store);
	*out = srv;
	return QV_OK;
}

void tls_server_free(struct tls_server *srv)
{
	size_t i;

	if (srv == NULL)
		return;
	for (i = 0; i < srv->chain_len; i++)
		free(srv->chain[i].data);
	if (srv->key_block != NULL) {
		size_t len = srv->key_type == BR_KEYTYPE_RSA
				     ? srv->rsa.plen + srv->rsa.qlen + srv->rsa.dplen +
					       srv->rsa.dqlen + srv->rsa.iqlen
				     : srv->ec.xlen;

		memset(srv->key_block, 0, len); /* key material */
		free(srv->key_block);
	}
	free(srv);
}

const char *tls_server_key_name(const struct tls_server *srv)
{
	return srv->key_type == BR_KEYTYPE_RSA ? "RSA" : "EC";
}

enum qv_err tls_server_conn_new(struct tls_server_conn **out, struct tls_server *srv, int fd,
				struct qv_error *err)
{
	struct tls_server_conn *c = calloc(1, sizeof *c);
	int ok;

	*out = NULL;
	if (c == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	tls_profile_server(&c->sc, srv->chain, srv->chain_len,
			   srv->key_type == BR_KEYTYPE_RSA ? &srv->rsa : NULL, &srv->ec,
			   srv->issuer_key_type);
	br_ssl_engine_set_buffer(&c->sc.eng, c->iobuf, sizeof c->iobuf, 1);
	br_ssl_server_set_cache(&c->sc, &srv->cache.vtable);
	ok = br_ssl_server_reset(&c->sc);
	if (!ok && br_ssl_engine_last_error(&c->sc.eng) == BR_ERR_NO_RANDOM) {
		unsigned char seed[TLS_SEED_BYTES];

		if (getrandom(seed, sizeof seed, 0) == (ssize_t)sizeof seed) {
			br_ssl_engine_inject_entropy(&c->sc.eng, seed, sizeof seed);
			ok = br_ssl_server_reset(&c->sc);
		}
	}
	if (!ok) {
		free(c);
		return qv_error_set(err, QV_E_TLS_HANDSHAKE, "TLS server setup failed");
	}
	tls_io_init(&c->io, &c->sc.eng, fd);
	*out = c;
	return QV_OK;
}

void tls_server_conn_free(struct tls_server_conn *c)
{
	free(c);
}

enum tls_status tls_server_conn_read(struct tls_server_conn *c, uint8_t *buf, size_t cap,
				     size_t *n)
{
	return tls_io_read(&c->io, buf, cap, n);
}

enum tls_status tls_server_conn_write(struct tls_server_conn *c, const uint8_t *p, size_t len,
				      size_t *n)
{
	return tls_io_write(&c->io, p, len, n, false);
}

enum tls_status tls_server_conn_flush(struct tls_server_conn *c)
{
	return tls_io_flush(&c->io);
}

enum tls_status tls_server_conn_close(struct tls_server_conn *c)
{
	return tls_io_close(&c->io);
}

const char *tls_server_conn_sni(const struct tls_server_conn *c)
{
	return br_ssl_engine_get_server_name(&c->sc.eng);
}
