/* test_tls_fixture.h - where the TLS unit tests find their certificates
 * (tests/data/tls, made by its make.py; QV_TLS_DATA overrides). */
#ifndef QV_TESTS_TLS_FIXTURE_H
#define QV_TESTS_TLS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Path of tests/data/tls/NAME into buf, found from this file's own path so
 * the tests run from any directory the build chooses. */
static inline const char *tls_fixture(char *buf, size_t cap, const char *name)
{
	const char *env = getenv("QV_TLS_DATA");
	const char *file = __FILE__;
	const char *slash = strrchr(file, '/');

	if (env != NULL && env[0] != '\0')
		(void)snprintf(buf, cap, "%s/%s", env, name);
	else if (slash != NULL)
		(void)snprintf(buf, cap, "%.*s/../data/tls/%s", (int)(slash - file), file, name);
	else
		(void)snprintf(buf, cap, "../data/tls/%s", name);
	return buf;
}

#endif
