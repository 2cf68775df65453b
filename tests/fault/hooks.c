/* hooks.c - test-only fault hooks linked into the ASan test binary of quiver
 * (zig-out/bin/quiver-asan) with -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc,--wrap=getaddrinfo.  They are inert unless their environment
 * variable is set, so the same binary runs the ordinary integration suite.
 *
 * This file is a pass-through stub; the fault behaviour is filled in by the
 * allocation-failure and slow-DNS tests (issue 7). */
#include <netdb.h>
#include <stddef.h>
#include <stdlib.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t m, size_t n);
void *__real_realloc(void *p, size_t n);
int __real_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		       struct addrinfo **res);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t m, size_t n);
void *__wrap_realloc(void *p, size_t n);
int __wrap_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		       struct addrinfo **res);

void *__wrap_malloc(size_t n)
{
	return __real_malloc(n);
}

void *__wrap_calloc(size_t m, size_t n)
{
	return __real_calloc(m, n);
}

void *__wrap_realloc(void *p, size_t n)
{
	return __real_realloc(p, n);
}

int __wrap_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		       struct addrinfo **res)
{
	return __real_getaddrinfo(node, service, hints, res);
}
