/* auth.c - Basic credentials (see auth.h). */
#include "http/auth.h"

#include <string.h>

static int auth_bad_byte(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\r' || p[i] == '\n' || p[i] == '\0')
			return 1;
	}
	return 0;
}

enum qv_err http_basic_auth(const char *user, size_t user_len, const char *password,
			    size_t password_len, const char *what, char *out,
			    struct qv_error *err)
{
	char cred[HTTP_CRED_MAX + 1];

	out[0] = '\0';
	if (memchr(user, ':', user_len) != NULL)
		return qv_error_set(err, QV_E_USAGE, "%s: a user name cannot contain ':'", what);
	if (auth_bad_byte(user, user_len) || auth_bad_byte(password, password_len))
		return qv_error_set(err, QV_E_USAGE,
				    "%s: user name or password contains a control byte", what);
	if (user_len + 1 + password_len > HTTP_CRED_MAX)
		return qv_error_set(err, QV_E_USAGE, "%s: user name and password longer than %d bytes",
				    what, HTTP_CRED_MAX);
	memcpy(cred, user, user_len);
	cred[user_len] = ':';
	memcpy(cred + user_len + 1, password, password_len);
	memcpy(out, "Basic ", 6);
	(void)base64_encode(cred, user_len + 1 + password_len, out + 6, HTTP_AUTH_MAX - 6);
	/* the plain text must not linger on the stack */
	explicit_bzero(cred, sizeof cred);
	return QV_OK;
}
