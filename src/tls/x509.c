/* x509.c - br_x509_minimal wrapped for expiry details and the -k mode. */
#include "tls/x509.h"

#include <stdio.h>
#include <time.h>

/* Days from 0000-01-01 (BearSSL's epoch) to 1970-01-01. */
#define BR_DAYS_TO_UNIX_EPOCH 719528u
#define SECS_PER_DAY 86400

static struct tls_x509 *x509_of(const br_x509_class **ctx)
{
	/* vtable is the first member, so the class pointer is the struct. */
	return (struct tls_x509 *)(void *)ctx;
}

static void x509_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct tls_x509 *x = x509_of(ctx);

	x->index = 0;
	x->date_bad = false;
	x->decoding = false;
	if (!x->insecure)
		x->minimal.vtable->start_chain(&x->minimal.vtable, server_name);
}

static void x509_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct tls_x509 *x = x509_of(ctx);

	if (!x->insecure)
		x->minimal.vtable->start_cert(&x->minimal.vtable, length);
	/* -k needs only the server's own certificate (for its key). */
	x->decoding = !x->insecure || x->index == 0;
	if (x->decoding)
		br_x509_decoder_init(&x->dec, NULL, NULL);
}

static void x509_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct tls_x509 *x = x509_of(ctx);

	if (!x->insecure)
		x->minimal.vtable->append(&x->minimal.vtable, buf, len);
	if (x->decoding)
		br_x509_decoder_push(&x->dec, buf, len);
}

/* Remember the first certificate whose validity period excludes now.  The
 * dates are read from the decoder's fields, which BearSSL 0.6 documents as
 * opaque but fills for exactly this (validity) purpose. */
static void x509_check_dates(struct tls_x509 *x)
{
	const br_x509_decoder_context *d = &x->dec;
	bool early, late;

	if (x->date_bad || br_x509_decoder_last_error(&x->dec) != 0)
		return;
	early = x->now_days < d->notbefore_days ||
		(x->now_days == d->notbefore_days && x->now_secs < d->notbefore_seconds);
	late = x->now_days > d->notafter_days ||
	       (x->now_days == d->notafter_days && x->now_secs > d->notafter_seconds);
	if (!early && !late)
		return;
	x->date_bad = true;
	x->not_yet = early;
	x->bad_index = x->index;
	x->bad_days = early ? d->notbefore_days : d->notafter_days;
}

static void x509_end_cert(const br_x509_class **ctx)
{
	struct tls_x509 *x = x509_of(ctx);

	if (!x->insecure)
		x->minimal.vtable->end_cert(&x->minimal.vtable);
	if (x->decoding && !x->insecure)
		x509_check_dates(x);
	x->decoding = false;
	x->index++;
}

static unsigned x509_end_chain(const br_x509_class **ctx)
{
	struct tls_x509 *x = x509_of(ctx);

	if (!x->insecure)
		return x->minimal.vtable->end_chain(&x->minimal.vtable);
	if (x->index == 0)
		return BR_ERR_X509_EMPTY_CHAIN;
	return (unsigned)br_x509_decoder_last_error(&x->dec);
}

static const br_x509_pkey *x509_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct tls_x509 *x = (struct tls_x509 *)(void *)(uintptr_t)ctx;

	if (!x->insecure)
		return x->minimal.vtable->get_pkey(&x->minimal.vtable, usages);
	if (usages != NULL)
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return br_x509_decoder_get_pkey(&x->dec);
}

static const br_x509_class tls_x509_class = {
	sizeof(struct tls_x509), x509_start_chain, x509_start_cert, x509_append,
	x509_end_cert,           x509_end_chain,   x509_get_pkey,
};

void tls_x509_setup(struct tls_x509 *x, br_ssl_engine_context *eng, bool insecure,
		    int64_t now_unix)
{
	int64_t now = now_unix != 0 ? now_unix : (int64_t)time(NULL);

	if (now < 0)
		now = 0;
	x->vtable = &tls_x509_class;
	x->insecure = insecure;
	x->decoding = false;
	x->index = 0;
	x->date_bad = false;
	x->now_days = (uint32_t)(now / SECS_PER_DAY) + BR_DAYS_TO_UNIX_EPOCH;
	x->now_secs = (uint32_t)(now % SECS_PER_DAY);
	/* Set explicitly: BearSSL's own clock exists only with BR_USE_UNIX_TIME. */
	br_x509_minimal_set_time(&x->minimal, x->now_days, x->now_secs);
	br_ssl_engine_set_x509(eng, &x->vtable);
}

void tls_x509_format_day(uint32_t days, char *out, size_t cap)
{
	/* Howard Hinnant's civil_from_days, on days since 0000-03-01. */
	int64_t z = (int64_t)days - 60;
	int64_t era = z / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);

	(void)snprintf(out, cap, "%04lld-%02lld-%02lld", (long long)y, (long long)m, (long long)d);
}

bool tls_x509_date_detail(const struct tls_x509 *x, char *out, size_t cap)
{
	char day[32];
	const char *which = x->bad_index == 0 ? "certificate" : "issuer certificate";

	if (!x->date_bad)
		return false;
	tls_x509_format_day(x->bad_days, day, sizeof day);
	if (x->not_yet)
		(void)snprintf(out, cap, "%s not yet valid (valid from %s)", which, day);
	else
		(void)snprintf(out, cap, "%s expired on %s", which, day);
	return true;
}
