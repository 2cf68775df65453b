/* fuzz_flags2.c - libFuzzer target for the flags2/flags3 command line
 * (src/cli/flags/flags2_args.c over the option scanner src/cli/opt.c).
 *
 * The input is an argument vector: NUL bytes separate the arguments (at most
 * ARGS_MAX).  Each vector is parsed as flags2 and as flags3.  The parser
 * must either go on with a consistent result (codes sorted, unique, two
 * letters; a known label; a bounded concurrency), print the help (0), or
 * print the book's usage error (2) - never anything else. */
#include <stdbool.h>
#include <string.h>

#include "cli/flags/flags2_args.h"
#include "fuzz.h"

/* More arguments than any option sequence needs to reach every state. */
#define ARGS_MAX 64
/* Room for the help text and any usage error. */
#define OUT_MAX 8192

static const char *const labels[] = {"LOCAL", "REMOTE", "DELAY", "ERROR", "CUSTOM"};

static void check_args(const struct flags2_args *a, bool flags3)
{
	size_t i, n;
	bool known = false;
	unsigned conns;

	FUZZ_CHECK(a->flags3 == flags3);
	for (i = 0; i < sizeof labels / sizeof labels[0]; i++)
		known = known || strcmp(a->label, labels[i]) == 0;
	FUZZ_CHECK(known);
	n = strnlen(a->site, sizeof a->site);
	FUZZ_CHECK(n > 0 && n < sizeof a->site && a->site[n - 1] != '/');
	FUZZ_CHECK(a->dir != NULL && a->dir[0] != '\0');
	FUZZ_CHECK(a->max_req <= FLAGS2_REQ_MAX && a->timeout_ms > 0);
	FUZZ_CHECK(a->codes.count <= 26 * 26);
	for (i = 0; i < a->codes.count; i++) {
		const char *c = a->codes.cc[i];

		FUZZ_CHECK(c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' && c[2] == '\0');
		FUZZ_CHECK(i == 0 || strcmp(a->codes.cc[i - 1], c) < 0);
	}
	conns = flags2_connections(a);
	FUZZ_CHECK(conns >= 1 && conns <= FLAGS2_REQ_MAX);
	FUZZ_CHECK(a->codes.count == 0 || conns <= a->codes.count);
}

static void run(char **argv, int argc, bool flags3)
{
	static char text[OUT_MAX];
	static struct flags2_args a; /* large: its site buffer is URL_MAX */
	FILE *out = fmemopen(text, sizeof text, "w");
	int st;

	FUZZ_CHECK(out != NULL);
	memset(text, 0, sizeof text);
	st = flags2_parse(&a, flags3, argc, argv, out);
	FUZZ_CHECK(fclose(out) == 0);
	if (st == -1) {
		FUZZ_CHECK(text[0] == '\0'); /* going on prints nothing */
		check_args(&a, flags3);
	} else if (st == 0) {
		FUZZ_CHECK(strncmp(text, "usage: quiver ", 14) == 0);
	} else {
		FUZZ_CHECK(st == 2);
		FUZZ_CHECK(strncmp(text, "*** Usage error: ", 17) == 0);
		FUZZ_CHECK(strstr(text, "\nusage: quiver ") != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char name[] = "flags2";
	char *copy = malloc(size + 1), *argv[ARGS_MAX + 2];
	int argc = 0;
	size_t i, start = 0;

	FUZZ_CHECK(copy != NULL);
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = name;
	for (i = 0; i <= size && argc <= ARGS_MAX; i++) {
		if (i == size || copy[i] == '\0') {
			if (i > start || i < size) /* an empty argument is an argument */
				argv[argc++] = copy + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	run(argv, argc, false);
	run(argv, argc, true);
	free(copy);
	return 0;
}
