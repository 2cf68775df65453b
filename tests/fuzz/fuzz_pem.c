/* fuzz_pem.c - libFuzzer target for the trust-anchor loader (src/tls/trust.c
 * over src/tls/pem.c and BearSSL's PEM and X.509 decoders).
 *
 * The input is the content of a --cacert file (PEM, or one DER certificate).
 * Besides memory safety it checks what trust.h promises: the result is
 * either anchors or a named error, every anchor is RSA or EC with its DN
 * and key inside the store, and loading the same data twice adds nothing
 * (duplicates are kept once). */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "tls/pem.h"
#include "tls/trust.h"

struct seen {
	size_t objects;
};

static enum qv_err count_object(void *ctx, const char *name, const uint8_t *der, size_t len,
				struct qv_error *err)
{
	struct seen *s = ctx;

	(void)err;
	FUZZ_CHECK(name != NULL && strlen(name) < 128);
	FUZZ_CHECK(len <= TLS_PEM_OBJ_MAX);
	fuzz_touch(der, len);
	s->objects++;
	return QV_OK;
}

/* Reads every byte an anchor points at, so a bad copy shows under ASan. */
static void check_anchor(const br_x509_trust_anchor *a)
{
	FUZZ_CHECK(a->dn.len <= TLS_TRUST_DN_MAX);
	fuzz_touch(a->dn.data, a->dn.len);
	if (a->pkey.key_type == BR_KEYTYPE_RSA) {
		fuzz_touch(a->pkey.key.rsa.n, a->pkey.key.rsa.nlen);
		fuzz_touch(a->pkey.key.rsa.e, a->pkey.key.rsa.elen);
	} else {
		FUZZ_CHECK(a->pkey.key_type == BR_KEYTYPE_EC);
		fuzz_touch(a->pkey.key.ec.q, a->pkey.key.ec.qlen);
	}
	FUZZ_CHECK((a->flags & ~(unsigned)BR_X509_TA_CA) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_trust *t = NULL;
	struct qv_error err, err2;
	struct seen s = {0};
	size_t added = 0, again = 1, i, count;
	enum qv_err rc, rc2;

	qv_error_clear(&err);
	rc = tls_pem_each(data, size, count_object, &s, &count, &err);
	FUZZ_CHECK(rc == QV_OK || rc == QV_E_TLS_PEM);
	FUZZ_CHECK(count == s.objects);

	FUZZ_CHECK(tls_trust_new(&t, &err) == QV_OK);
	qv_error_clear(&err);
	rc = tls_trust_add_pem(t, data, size, &added, &err);
	FUZZ_CHECK(rc == QV_OK || rc == QV_E_TLS_PEM);
	FUZZ_CHECK(rc == QV_OK || err.msg[0] != '\0');
	FUZZ_CHECK(added == t->count && t->count <= t->cap && t->count <= TLS_TRUST_MAX);
	for (i = 0; i < t->count; i++)
		check_anchor(&t->ta[i]);

	qv_error_clear(&err2);
	rc2 = tls_trust_add_pem(t, data, size, &again, &err2);
	FUZZ_CHECK(rc2 == rc && again == 0 && t->count == added);
	tls_trust_free(t);
	return 0;
}
