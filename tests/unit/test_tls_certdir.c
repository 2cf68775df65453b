/* test_tls_certdir.c - hashed certificate directories (tls/certdir.h):
 * SHA-1 test vectors (FIPS 180 examples), OpenSSL's subject-name hash of
 * names made by openssl (values printed by `openssl x509 -hash`: plain,
 * blanks and case, a multi-valued RDN, BMPString, T61String,
 * PrintableString, UTF-8 with a tab), the HASH.N layout, and a trust store
 * on such a directory that reads nothing until a name is looked up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_tls_fixture.h"
#include "tls/certdir.h"
#include "tls/sha1.h"
#include "tls/trust.h"
#include "tq.h"

void suite_tls_certdir(struct tq *t);

static void hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		(void)sprintf(out + 2 * i, "%02x", p[i]);
}

static void sha1_hex(const void *p, size_t n, char *out)
{
	uint8_t md[TLS_SHA1_LEN];

	tls_sha1(p, n, md);
	hex(md, sizeof md, out);
}

static void test_sha1(struct tq *t)
{
	static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char out[2 * TLS_SHA1_LEN + 1];
	uint8_t *million = malloc(1000000);
	size_t n;

	sha1_hex("abc", 3, out);
	TQ_STR(t, out, "a9993e364706816aba3e25717850c26c9cd0d89d");
	sha1_hex("", 0, out);
	TQ_STR(t, out, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	sha1_hex(two_blocks, sizeof two_blocks - 1, out);
	TQ_STR(t, out, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	if (million != NULL) {
		memset(million, 'a', 1000000);
		sha1_hex(million, 1000000, out);
		TQ_STR(t, out, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
		free(million);
	}
	/* every length around the one- and two-block padding boundary */
	for (n = 50; n < 70; n++) {
		uint8_t buf[70];
		char a[2 * TLS_SHA1_LEN + 1], b[2 * TLS_SHA1_LEN + 1];

		memset(buf, 'x', sizeof buf);
		sha1_hex(buf, n, a);
		sha1_hex(buf, n, b);
		TQ_STR(t, a, b);
		TQ_INT(t, strlen(a), 40);
	}
}

/* Names (DER, hex) and their `openssl x509 -hash` (OpenSSL 3.0). */
static const struct {
	const char *what, *hash, *dn;
} NAMES[] = {
	{"plain", "aab58f4d",
	 "30193117301506035504030c0e7175697665722074657374204341"},
	{"blanks and case", "228b2bff",
	 "303331173015060355040a0c0e2020536f6d652020204f726720203118301606035504030c0f4d697865"
	 "642043415345204e616d65"},
	{"multi-valued RDN", "60e7e3c4",
	 "30233114300806035504030c01623008060355040a0c0161310b3009060355040613025553"},
	{"email", "5d85e8a1",
	 "302d311f301d06092a864886f70d0109011610526f6f74404578616d706c652e434f4d310a3008060355"
	 "04030c0178"},
	{"BMPString", "86cd21ab",
	 "3030311f301d06035504031e1603b103b200200047007200e90065006b002000200058310d300b060355"
	 "040a130441434d45"},
	{"T61String", "1f284bd9",
	 "3022311330110603550403140a436166e9202020426172310b3009060355040613024445"},
	{"PrintableString", "31ec5f98",
	 "302b311530130603550403130c555050455220206c6f77657231123010060355040a13095072696e7420"
	 "4f7267"},
	{"UTF-8, tab", "6ea66407",
	 "30193117301506035504030c0ec389434f4c4520e282ac09546162"},
};

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;

	for (; s[0] != '\0' && s[1] != '\0'; s += 2)
		out[n++] = (uint8_t)strtoul((char[]){s[0], s[1], '\0'}, NULL, 16);
	return n;
}

static void test_name_hash(struct tq *t)
{
	uint8_t dn[256];
	char got[16];
	size_t i, n;
	uint32_t h;

	for (i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
		n = unhex(NAMES[i].dn, dn);
		if (!TQ_TRUE(t, tls_name_hash(dn, n, &h)))
			continue;
		(void)snprintf(got, sizeof got, "%08x", (unsigned)h);
		if (!TQ_STR(t, got, NAMES[i].hash))
			printf("  %s\n", NAMES[i].what);
		/* every truncation is refused, never read past */
		while (n-- > 0)
			TQ_TRUE(t, !tls_name_hash(dn, n, &h));
	}
	n = unhex("30023100", dn); /* an empty RDN: hashed as OpenSSL does */
	TQ_TRUE(t, tls_name_hash(dn, n, &h));
	n = unhex("3009310730050603550403", dn); /* an AVA without a value */
	TQ_TRUE(t, !tls_name_hash(dn, n, &h));
	n = unhex("300d310b300906035504031e03004100", dn); /* odd BMPString */
	TQ_TRUE(t, !tls_name_hash(dn, n, &h));
}

/* A fresh temporary directory under TMPDIR into dir. */
static bool temp_dir(struct tq *t, char *dir, size_t cap)
{
	const char *tmp = getenv("TMPDIR");

	(void)snprintf(dir, cap, "%s/qv-certdir-XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	return TQ_TRUE(t, mkdtemp(dir) != NULL);
}

static bool copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[4096];
	size_t n;
	bool ok = in != NULL && out != NULL;

	while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
		ok = fwrite(buf, 1, n, out) == n;
	if (in != NULL)
		(void)fclose(in);
	if (out != NULL && fclose(out) != 0)
		ok = false;
	return ok;
}

struct seen {
	size_t files, bytes;
};

static void count_file(void *ctx, const uint8_t *data, size_t len)
{
	struct seen *s = ctx;

	(void)data;
	s->files++;
	s->bytes += len;
}

/* The layout: HASH.0, HASH.1 read in order until one is missing; other
 * names never; a directory without HASH.N names is not "hashed". */
static void test_layout(struct tq *t)
{
	char dir[256], path[512], fx[1024], dirs[600];
	struct seen s = {0, 0};

	if (!temp_dir(t, dir, sizeof dir))
		return;
	TQ_TRUE(t, !tls_certdir_hashed(dir));
	(void)snprintf(path, sizeof path, "%s/ca.pem", dir);
	TQ_TRUE(t, copy_file(tls_fixture(fx, sizeof fx, "ca.pem"), path));
	TQ_TRUE(t, !tls_certdir_hashed(dir));
	(void)snprintf(path, sizeof path, "%s/aab58f4d.0", dir);
	TQ_TRUE(t, copy_file(tls_fixture(fx, sizeof fx, "other-ca.pem"), path));
	(void)snprintf(path, sizeof path, "%s/aab58f4d.1", dir);
	TQ_TRUE(t, copy_file(tls_fixture(fx, sizeof fx, "ca.pem"), path));
	(void)snprintf(path, sizeof path, "%s/aab58f4d.3", dir); /* after a gap: not read */
	TQ_TRUE(t, copy_file(tls_fixture(fx, sizeof fx, "ca.pem"), path));
	TQ_TRUE(t, tls_certdir_hashed(dir));
	(void)snprintf(dirs, sizeof dirs, "/nonexistent:%s", dir);
	tls_certdir_each(dirs, 0xaab58f4du, count_file, &s);
	TQ_INT(t, s.files, 2);
	s.files = 0;
	tls_certdir_each(dirs, 0x12345678u, count_file, &s);
	TQ_INT(t, s.files, 0);
	/* leave the directory for the next case, which names it itself */
	(void)unlink(path);
	(void)snprintf(path, sizeof path, "%s/aab58f4d.0", dir);
	(void)unlink(path);
	(void)snprintf(path, sizeof path, "%s/aab58f4d.1", dir);
	(void)unlink(path);
	(void)snprintf(path, sizeof path, "%s/ca.pem", dir);
	(void)unlink(path);
	(void)rmdir(dir);
}

/* A hashed SSL_CERT_DIR loads nothing: the store is empty and names the
 * directory, which chains are looked up in. */
static void test_trust_hashed(struct tq *t)
{
	char dir[256], path[512], fx[1024];
	struct tls_trust_paths p = {NULL, NULL, dir, NULL};
	struct tls_trust *tr = NULL;
	struct qv_error e;

	if (!temp_dir(t, dir, sizeof dir))
		return;
	(void)snprintf(path, sizeof path, "%s/aab58f4d.0", dir);
	TQ_TRUE(t, copy_file(tls_fixture(fx, sizeof fx, "ca.pem"), path));
	if (TQ_INT(t, tls_trust_load(&tr, &p, &e), QV_OK)) {
		TQ_INT(t, tr->count, 0);
		TQ_TRUE(t, tr->cert_dirs != NULL && strcmp(tr->cert_dirs, dir) == 0);
	}
	tls_trust_free(tr);
	(void)unlink(path);
	(void)rmdir(dir);
}

void suite_tls_certdir(struct tq *t)
{
	tq_run(t, "SHA-1", test_sha1);
	tq_run(t, "OpenSSL name hash", test_name_hash);
	tq_run(t, "HASH.N layout", test_layout);
	tq_run(t, "hashed SSL_CERT_DIR store", test_trust_hashed);
}
