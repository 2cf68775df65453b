/* hooks.c - test-only fault hooks linked into the ASan test binary of quiver
 * (zig-out/bin/quiver-asan) with -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc,--wrap=aligned_alloc,--wrap=getaddrinfo.  They are inert unless their environment
 * variable is set, so the same binary runs the ordinary integration suite.
 *
 *   QV_FAULT_ALLOC=N         the Nth allocation (malloc, calloc, realloc or
 *                            aligned_alloc,
 *                            counted from process start over all threads)
 *                            returns NULL with errno ENOMEM, curl-torture
 *                            style; every other one succeeds.
 *   QV_FAULT_ALLOC_STICKY=1  ... and so does every allocation after it: memory
 *                            that stays exhausted, so the error paths run
 *                            without any memory either.
 *   QV_FAULT_ALLOC_COUNT=FILE  at exit, write the number of allocations made,
 *                            so a test knows the range of N to try.
 *   QV_FAULT_ALLOC_TRACE=1   also print the stack of the failed allocation
 *                            (to find which call a failing N stands for).
 *   QV_FAULT_SLOW_DNS=NAME:MS  getaddrinfo for NAME sleeps MS milliseconds,
 *                            then resolves as 127.0.0.1 (service and hints
 *                            kept): a stuck name lookup without a DNS server.
 *
 * Only the calls made by quiver's own objects (and BearSSL's) are wrapped:
 * --wrap rewrites references at link time, so glibc's internal allocations
 * (stdio, NSS, opendir, pthread_create) are neither counted nor failed.
 * strdup and strndup allocate inside glibc too, so this file defines them
 * over glibc's (and over ASan's interceptors, which are weak) on top of
 * __wrap_malloc: quiver's copies of names and paths count and fail like any
 * other allocation.
 *
 * Global mutable state: the static variables below are the one exception to
 * the no-global-state rule (DESIGN, STYLE), allowed because this file is
 * linked only into the test binary.  The hooks replace libc functions, which
 * have no context argument to carry a counter or a setting through; they are
 * read from the environment once, before main, and afterwards only the
 * allocation counter changes, atomically, so the threads engine and the
 * resolver threads count and fail allocations without a race. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <sanitizer/common_interface_defs.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t m, size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
int __real_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		       struct addrinfo **res);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t m, size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t align, size_t n);
int __wrap_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		       struct addrinfo **res);

/* A host name long enough for any test (DNS names are at most 253 bytes). */
#define FAULT_NAME_MAX 256

static atomic_ulong fault_allocs;          /* allocations so far */
static unsigned long fault_alloc_fail;     /* QV_FAULT_ALLOC, 0 = off */
static const char *fault_count_file;       /* QV_FAULT_ALLOC_COUNT */
static int fault_alloc_trace;              /* QV_FAULT_ALLOC_TRACE */
static int fault_alloc_sticky;             /* QV_FAULT_ALLOC_STICKY */
static char fault_dns_name[FAULT_NAME_MAX]; /* QV_FAULT_SLOW_DNS name, "" = off */
static long fault_dns_ms;

static void fault_write_count(void)
{
	char line[32];
	int fd, n;

	fd = open(fault_count_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof line, "%lu\n", atomic_load(&fault_allocs));
	if (n > 0 && write(fd, line, (size_t)n) != n)
		(void)fputs("hooks: cannot write QV_FAULT_ALLOC_COUNT\n", stderr);
	(void)close(fd);
}

static void fault_parse_dns(const char *spec)
{
	const char *colon = strrchr(spec, ':');
	char *end;
	long ms;

	if (colon == NULL || (size_t)(colon - spec) >= sizeof fault_dns_name || colon == spec)
		return;
	ms = strtol(colon + 1, &end, 10);
	if (*end != '\0' || ms < 0)
		return;
	memcpy(fault_dns_name, spec, (size_t)(colon - spec));
	fault_dns_name[colon - spec] = '\0';
	fault_dns_ms = ms;
}

/* Runs before main (and before any thread exists), so the settings are plain
 * reads afterwards. */
__attribute__((constructor)) static void fault_init(void)
{
	const char *s = getenv("QV_FAULT_ALLOC");

	if (s != NULL)
		fault_alloc_fail = strtoul(s, NULL, 10);
	fault_alloc_trace = getenv("QV_FAULT_ALLOC_TRACE") != NULL;
	fault_alloc_sticky = getenv("QV_FAULT_ALLOC_STICKY") != NULL;
	fault_count_file = getenv("QV_FAULT_ALLOC_COUNT");
	if (fault_count_file != NULL && *fault_count_file != '\0')
		(void)atexit(fault_write_count);
	s = getenv("QV_FAULT_SLOW_DNS");
	if (s != NULL)
		fault_parse_dns(s);
}

/* true when this allocation is the one to fail. */
static int fault_alloc_fails(void)
{
	unsigned long nth = atomic_fetch_add(&fault_allocs, 1) + 1;

	if (fault_alloc_fail == 0 || nth < fault_alloc_fail ||
	    (nth > fault_alloc_fail && !fault_alloc_sticky))
		return 0;
	if (fault_alloc_trace) {
		(void)fprintf(stderr, "hooks: failing allocation %lu\n", nth);
		__sanitizer_print_stack_trace();
	}
	errno = ENOMEM;
	return 1;
}

void *__wrap_malloc(size_t n)
{
	return fault_alloc_fails() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t m, size_t n)
{
	return fault_alloc_fails() ? NULL : __real_calloc(m, n);
}

void *__wrap_realloc(void *p, size_t n)
{
	return fault_alloc_fails() ? NULL : __real_realloc(p, n);
}

void *__wrap_aligned_alloc(size_t align, size_t n)
{
	return fault_alloc_fails() ? NULL : __real_aligned_alloc(align, n);
}

char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = __wrap_malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

char *strndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *p = __wrap_malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int __wrap_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		       struct addrinfo **res)
{
	struct timespec ts;

	if (fault_dns_name[0] == '\0' || node == NULL || strcmp(node, fault_dns_name) != 0)
		return __real_getaddrinfo(node, service, hints, res);
	ts.tv_sec = fault_dns_ms / 1000;
	ts.tv_nsec = (fault_dns_ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return __real_getaddrinfo("127.0.0.1", service, hints, res);
}
