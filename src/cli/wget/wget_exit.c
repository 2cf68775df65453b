/* wget_exit.c - enum qv_err to GNU wget's exit statuses (see wget_exit.h),
 * following GNU wget's src/exits.c case by case. */
#include "cli/wget/wget_exit.h"

/* Indexed by code; a code missing here is 0, which a unit test refuses for
 * every code but QV_OK. */
static const unsigned char wget_exit_table[QV_E__COUNT] = {
	[QV_OK] = 0,
	[QV_E_NOMEM] = 1,
	[QV_E_USAGE] = 2,
	[QV_E_INTERNAL] = 1,
	/* a URL wget cannot use: GNU's URLERROR */
	[QV_E_URL_SYNTAX] = 1,
	[QV_E_URL_SCHEME] = 1,
	[QV_E_URL_USERINFO] = 1,
	[QV_E_URL_HOST] = 1,
	[QV_E_URL_PORT] = 1,
	[QV_E_URL_TOO_LONG] = 1,
	/* HOSTERR, CONERROR, READERR, TRYLIMEXC */
	[QV_E_DNS] = 4,
	[QV_E_DNS_TIMEOUT] = 4,
	[QV_E_CONNECT] = 4,
	[QV_E_CONNECT_TIMEOUT] = 4,
	[QV_E_READ_TIMEOUT] = 4,
	[QV_E_WRITE_TIMEOUT] = 4,
	[QV_E_TOTAL_TIMEOUT] = 4,
	[QV_E_RESET] = 4,
	[QV_E_CLOSED] = 4,
	[QV_E_IO] = 4,
	[QV_E_TRUNCATED] = 4,
	/* HERR: a response wget cannot read */
	[QV_E_HTTP_SYNTAX] = 7,
	[QV_E_HTTP_HEADER_TOO_BIG] = 7,
	[QV_E_HTTP_TOO_MANY_FIELDS] = 7,
	[QV_E_HTTP_BAD_LENGTH] = 7,
	[QV_E_HTTP_BAD_CHUNK] = 7,
	[QV_E_HTTP_BAD_TE] = 7,
	[QV_E_REDIRECT_NO_LOCATION] = 7,
	/* WRONGCODE, RANGEERR, PROXERR; GNU ends a loop at 20 redirects with
	 * WRONGCODE too */
	[QV_E_HTTP_STATUS] = 8,
	[QV_E_RANGE] = 8,
	[QV_E_PROXY] = 8,
	[QV_E_REDIRECT_LOOP] = 8,
	[QV_E_TOO_MANY_REDIRECTS] = 8,
	/* a Location wget would not follow either: GNU's URLERROR */
	[QV_E_REDIRECT_SCHEME] = 1,
	[QV_E_REDIRECT_DOWNGRADE] = 1,
	[QV_E_TOO_BIG] = 1,
	/* AUTHFAILED */
	[QV_E_AUTH] = 6,
	[QV_E_PROXY_AUTH] = 6,
	/* CONSSLERR is a network failure, VERIFCERTERR a verification one;
	 * no CA to verify with fails verification, an unreadable CA file is
	 * GNU's SSLINITFAILED (generic) */
	[QV_E_TLS_HANDSHAKE] = 4,
	[QV_E_TLS_PROTOCOL] = 4,
	[QV_E_TLS_CERT] = 5,
	[QV_E_TLS_NO_CA] = 5,
	[QV_E_TLS_PEM] = 1,
	/* FOPENERR, FWRITEERR */
	[QV_E_FILE] = 3,
	[QV_E_NOSPACE] = 3,
	[QV_E_NAME] = 3,
	[QV_E_EXISTS] = 3,
	[QV_E_PIPE] = 3,
	/* get's --checksum, which wget has not: generic */
	[QV_E_CHECKSUM] = 1,
	/* what a shell reports for a wget killed by SIGINT */
	[QV_E_INTERRUPTED] = 130,
};

int wget_exit_of(enum qv_err code)
{
	return (unsigned)code < (unsigned)QV_E__COUNT ? wget_exit_table[code] : 1;
}

int wget_exit_worst(uint64_t errs)
{
	int best = 0;
	unsigned c;

	for (c = 1; c < (unsigned)QV_E__COUNT; c++) {
		int s;

		if ((errs >> c & 1u) == 0)
			continue;
		s = wget_exit_of((enum qv_err)c);
		/* 1 ranks last: GNU's WGET_EXIT_UNKNOWN, reported as 1 */
		if (best == 0 || (s != 1 && (best == 1 || s < best)))
			best = s;
	}
	return best;
}
