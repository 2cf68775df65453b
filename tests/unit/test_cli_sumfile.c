/* test_cli_sumfile.c - checksum files (cli/get/sumfile.h): GNU text and
 * binary lines, the escaped form, BSD and OpenSSL lines, what is skipped;
 * each file fed whole, split at every byte and one byte at a time. */
#include <stdio.h>
#include <string.h>

#include "cli/get/sumfile.h"
#include "feed.h"
#include "tq.h"

void suite_cli_sumfile(struct tq *t);

/* A run: each entry as "LINE:ALGO:HEX8:NAME;" (names with control bytes
 * shown as '?'), and how it ended. */
struct sf_run {
	enum qv_err rc;
	char items[2048];
	char msg[QV_ERROR_MSG_MAX];
};

struct sf_ctx {
	struct sumfile_parser p;
	struct sf_run *run;
	struct qv_error e;
	enum qv_err rc;
	unsigned stop_at;           /* the callback fails at this entry (0: never) */
	unsigned seen;
};

static enum qv_err sf_entry(void *ctx, const struct sumfile_entry *e, struct qv_error *err)
{
	struct sf_ctx *c = ctx;
	struct sf_run *r = c->run;
	size_t n = strlen(r->items), i;
	char hex[DIGEST_HEX_MAX], name[64];

	if (++c->seen == c->stop_at)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	digest_hex(e->want.sum, 4, hex);
	for (i = 0; i < e->name_len && i + 1 < sizeof name; i++)
		name[i] = (unsigned char)e->name[i] < 0x20 ? '?' : e->name[i];
	name[i] = '\0';
	(void)snprintf(r->items + n, sizeof r->items - n, "%u:%s:%s:%s;", e->line,
		       digest_algo_key(e->want.algo), hex, name);
	return QV_OK;
}

static void sf_begin(void *ctx, void *run)
{
	struct sf_ctx *c = ctx;

	memset(run, 0, sizeof(struct sf_run));
	sumfile_init(&c->p, sf_entry, c);
	c->run = run;
	c->rc = QV_OK;
	c->seen = 0;
	qv_error_clear(&c->e);
}

static void sf_feed(void *ctx, const uint8_t *buf, size_t n)
{
	struct sf_ctx *c = ctx;

	if (c->rc == QV_OK)
		c->rc = sumfile_feed(&c->p, (const char *)buf, n, &c->e);
}

static void sf_end(void *ctx)
{
	struct sf_ctx *c = ctx;

	if (c->rc == QV_OK)
		c->rc = sumfile_finish(&c->p, &c->e);
	c->run->rc = c->rc;
	if (c->rc != QV_OK)
		(void)snprintf(c->run->msg, sizeof c->run->msg, "%s", c->e.msg);
}

static bool sf_same(const void *a, const void *b)
{
	const struct sf_run *x = a, *y = b;

	return x->rc == y->rc && strcmp(x->msg, y->msg) == 0 && strcmp(x->items, y->items) == 0;
}

static const char *sf_msg(const void *run)
{
	return ((const struct sf_run *)run)->msg;
}

static void expect_stop(struct tq *t, const char *text, unsigned stop_at, const char *want)
{
	static struct sf_ctx ctx;
	struct feed_target f = {&ctx, sf_begin, sf_feed, sf_end, sf_same, sf_msg};
	size_t n = strlen(text);
	uint8_t *g = tq_guard_dup(text, n);
	struct sf_run whole, run;

	if (!TQ_TRUE(t, g != NULL))
		return;
	ctx.stop_at = stop_at;
	feed_whole(&f, g, n, &whole);
	(void)feed_every_cut(t, &f, g, n, &whole, &run);
	tq_guard_free(g, n);
	if (!TQ_STR(t, whole.rc == QV_OK ? whole.items : whole.msg, want))
		printf("  input: %s\n", text);
}

static void expect(struct tq *t, const char *text, const char *want)
{
	expect_stop(t, text, 0, want);
}

#define H64 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define H128 H64 H64

static void t_gnu(struct tq *t)
{
	expect(t, H64 "  a.iso\n" H64 " *b.bin\n", "1:sha256:ba7816bf:a.iso;2:sha256:ba7816bf:b.bin;");
	expect(t, H128 "  c d.tar\r\n", "1:sha512:ba7816bf:c d.tar;");
	expect(t, "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD  up\n",
	       "1:sha256:ba7816bf:up;");
	expect(t, H64 " one-space\n", "1:sha256:ba7816bf:one-space;");
	expect(t, H64 "  ./dir/x\n", "1:sha256:ba7816bf:./dir/x;"); /* matching strips ./ */
	/* escaped: \\ \n \r in the name */
	expect(t, "\\" H64 "  a\\\\b\\nc\\rd\n", "1:sha256:ba7816bf:a\\b?c?d;");
	expect(t, "\\" H64 "  bad\\t\n", "");
	/* no name, wrong length, a non-hex digit: not digest lines */
	expect(t, H64 "  \n" H64 "a  x\n" "zz" H64 "  y\n", "");
	expect(t, "d41d8cd98f00b204e9800998ecf8427e  md5.txt\n", "");
}

static void t_bsd(struct tq *t)
{
	expect(t, "SHA256 (a.iso) = " H64 "\nSHA512 (b (1).bin) = " H128 "\n",
	       "1:sha256:ba7816bf:a.iso;2:sha512:ba7816bf:b (1).bin;");
	expect(t, "SHA256(x)= " H64 "\nsha-256 (y) = " H64 "\n",
	       "1:sha256:ba7816bf:x;2:sha256:ba7816bf:y;");
	expect(t, "\\SHA256 (a\\nb) = " H64 "\n", "1:sha256:ba7816bf:a?b;");
	expect(t, "SHA256 (x) = " H128 "\nMD5 (x) = " H64 "\nSHA256 () = " H64 "\nSHA256 x = " H64
		  "\n",
	       "");
}

/* A Fedora CHECKSUM file: PGP armour and comments around BSD lines. */
static void t_signed_file(struct tq *t)
{
	expect(t,
	       "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
	       "# Fedora-Server-dvd-x86_64-39-1.5.iso: 2612854784 bytes\n"
	       "SHA256 (Fedora-Server-dvd-x86_64-39-1.5.iso) = " H64 "\n"
	       "-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCAAdFiEE\n-----END PGP SIGNATURE-----\n",
	       "5:sha256:ba7816bf:Fedora-Server-dvd-x86_64-39-1.5.iso;");
}

/* Lines over SUMFILE_LINE_MAX are skipped whole; the callback's error stops
 * the reader and sticks. */
static void t_bounds_and_errors(struct tq *t)
{
	static char text[3 * SUMFILE_LINE_MAX];
	size_t n;

	memset(text, 0, sizeof text);
	memcpy(text, H64 "  ", 66);
	memset(text + 66, 'x', SUMFILE_LINE_MAX);
	n = strlen(text);
	(void)snprintf(text + n, sizeof text - n, "\n" H64 "  ok\n");
	expect(t, text, "2:sha256:ba7816bf:ok;");
	expect_stop(t, H64 "  a\n" H64 "  b\n" H64 "  c\n", 2, "out of memory");
}

void suite_cli_sumfile(struct tq *t)
{
	tq_run(t, "GNU lines", t_gnu);
	tq_run(t, "BSD and OpenSSL lines", t_bsd);
	tq_run(t, "a signed CHECKSUM file", t_signed_file);
	tq_run(t, "bounds and errors", t_bounds_and_errors);
}
