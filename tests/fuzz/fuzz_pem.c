/* fuzz_pem.c - libFuzzer target for the trust-anchor loader (src/tls/trust.c
 * over src/tls/pem.c and BearSSL's X.509 decoder) and the PEM reader.
 *
 * The input is the content of a --cacert file (PEM, or one DER certificate).
 * Besides memory safety it checks what trust.h promises: the result is
 * either anchors or a named error, every anchor's subject lies inside its
 * DER and one that decodes is RSA or EC with that subject as its DN, and
 * loading the same data twice adds nothing (duplicates are kept once).  And what pem.h promises: tls_pem_each reads
 * the input exactly as BearSSL 0.6's own PEM decoder (driven here as
 * quiver drove it before pem.c had its own reader) reads the input without
 * its CR bytes: the same objects, names and bytes, the same error. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "tls/pem.h"
#include "tls/trust.h"

/* Objects kept for the comparison (more are counted, not compared). */
#define SEEN_MAX 32

struct seen {
	size_t objects;
	char name[SEEN_MAX][128];
	uint64_t hash[SEEN_MAX];
	size_t len[SEEN_MAX];
};

static enum qv_err count_object(void *ctx, const char *name, const uint8_t *der, size_t len,
				struct qv_error *err)
{
	struct seen *s = ctx;

	(void)err;
	FUZZ_CHECK(name != NULL && strlen(name) < 128);
	FUZZ_CHECK(len <= TLS_PEM_OBJ_MAX);
	fuzz_touch(der, len);
	if (s->objects < SEEN_MAX) {
		strcpy(s->name[s->objects], name);
		s->hash[s->objects] = fuzz_hash(der, len);
		s->len[s->objects] = len;
	}
	s->objects++;
	return QV_OK;
}

/* ---- the reference: BearSSL's br_pem_decoder, as quiver used it ---- */

struct ref_obj {
	uint8_t *buf;
	size_t len;
	bool overflow;
};

static void ref_append(void *ctx, const void *src, size_t len)
{
	struct ref_obj *o = ctx;

	if (o->overflow || len > TLS_PEM_OBJ_MAX - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, src, len);
	o->len += len;
}

static enum qv_err ref_pem_each(const uint8_t *data, size_t len, tls_pem_fn fn, void *ctx,
				struct qv_error *err)
{
	static uint8_t buf[TLS_PEM_OBJ_MAX];
	br_pem_decoder_context pc;
	struct ref_obj o = {buf, 0, false};
	char name[128] = "";
	bool in_obj = false, final_nl = false;
	enum qv_err rc = QV_OK;

	br_pem_decoder_init(&pc);
	while (rc == QV_OK) {
		size_t n;

		if (len == 0) {
			if (final_nl)
				break;
			final_nl = true;
			data = (const uint8_t *)"\n";
			len = 1;
		}
		n = br_pem_decoder_push(&pc, data, len);
		data += n;
		len -= n;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			(void)snprintf(name, sizeof name, "%s", br_pem_decoder_name(&pc));
			o.len = 0;
			o.overflow = false;
			br_pem_decoder_setdest(&pc, ref_append, &o);
			in_obj = true;
			break;
		case BR_PEM_END_OBJ:
			in_obj = false;
			rc = o.overflow ? qv_error_set(err, QV_E_TLS_PEM, "PEM object %s is larger than %u bytes",
						       name, TLS_PEM_OBJ_MAX)
					: fn(ctx, name, o.buf, o.len, err);
			break;
		case BR_PEM_ERROR:
			rc = qv_error_set(err, QV_E_TLS_PEM, "malformed PEM data");
			break;
		default:
			break;
		}
	}
	if (rc == QV_OK && in_obj)
		rc = qv_error_set(err, QV_E_TLS_PEM, "unterminated PEM object %s", name);
	return rc;
}

/* tls_pem_each on data and the reference on data without CRs agree. */
static void check_against_bearssl(const uint8_t *data, size_t size, enum qv_err rc,
				  const struct qv_error *err, const struct seen *s)
{
	static uint8_t nocr[1 << 20];
	static struct seen r;
	struct qv_error rerr;
	size_t n = 0, i;
	enum qv_err rrc;

	if (size > sizeof nocr)
		return;
	for (i = 0; i < size; i++)
		if (data[i] != '\r')
			nocr[n++] = data[i];
	memset(&r, 0, sizeof r);
	qv_error_clear(&rerr);
	rrc = ref_pem_each(nocr, n, count_object, &r, &rerr);
	FUZZ_CHECK(rrc == rc);
	FUZZ_CHECK(rc == QV_OK || strcmp(rerr.msg, err->msg) == 0);
	FUZZ_CHECK(r.objects == s->objects);
	for (i = 0; i < s->objects && i < SEEN_MAX; i++)
		FUZZ_CHECK(strcmp(r.name[i], s->name[i]) == 0 && r.len[i] == s->len[i] &&
			   r.hash[i] == s->hash[i]);
}

/* Reads every byte an anchor points at, so a bad copy shows under ASan; a
 * decoded one is RSA or EC, its DN the anchor's subject. */
static void check_anchor(const struct tls_anchor *a)
{
	br_x509_trust_anchor ta;
	static struct tls_pkey key;

	fuzz_touch(a->der, a->der_len);
	FUZZ_CHECK(a->subject.p >= a->der && a->subject.len <= a->der_len &&
		   (size_t)(a->subject.p - a->der) <= a->der_len - a->subject.len);
	if (!tls_anchor_decode(a, &ta, &key))
		return;
	FUZZ_CHECK(ta.dn.data == a->subject.p && ta.dn.len == a->subject.len);
	if (ta.pkey.key_type == BR_KEYTYPE_RSA) {
		fuzz_touch(ta.pkey.key.rsa.n, ta.pkey.key.rsa.nlen);
		fuzz_touch(ta.pkey.key.rsa.e, ta.pkey.key.rsa.elen);
	} else {
		FUZZ_CHECK(ta.pkey.key_type == BR_KEYTYPE_EC);
		fuzz_touch(ta.pkey.key.ec.q, ta.pkey.key.ec.qlen);
	}
	FUZZ_CHECK((ta.flags & ~(unsigned)BR_X509_TA_CA) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_trust *t = NULL;
	struct qv_error err, err2;
	static struct seen s;
	size_t added = 0, again = 1, i, count;
	enum qv_err rc, rc2;

	memset(&s, 0, sizeof s);
	qv_error_clear(&err);
	rc = tls_pem_each(data, size, count_object, &s, &count, &err);
	FUZZ_CHECK(rc == QV_OK || rc == QV_E_TLS_PEM);
	FUZZ_CHECK(count == s.objects);
	check_against_bearssl(data, size, rc, &err, &s);

	FUZZ_CHECK(tls_trust_new(&t, &err) == QV_OK);
	qv_error_clear(&err);
	rc = tls_trust_add_pem(t, data, size, &added, &err);
	FUZZ_CHECK(rc == QV_OK || rc == QV_E_TLS_PEM);
	FUZZ_CHECK(rc == QV_OK || err.msg[0] != '\0');
	FUZZ_CHECK(added == t->count && t->count <= t->cap && t->count <= TLS_TRUST_MAX);
	for (i = 0; i < t->count; i++)
		check_anchor(&t->a[i]);

	qv_error_clear(&err2);
	rc2 = tls_trust_add_pem(t, data, size, &again, &err2);
	FUZZ_CHECK(rc2 == rc && again == 0 && t->count == added);
	tls_trust_free(t);
	return 0;
}
