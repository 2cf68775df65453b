/* opt.h - a small table-driven option scanner for the commands with many
 * options (flags2, flags3, get), in the getopt_long tradition:
 * "-j8", "-j 8", "--parallel=8", "--parallel 8", bundled flags "-qk",
 * "--" ending the options, "-" alone an argument.  Long names match exactly
 * (no abbreviations: an option added later must not change what an old
 * script means). */
#ifndef QV_CLI_OPT_H
#define QV_CLI_OPT_H

#include <stdbool.h>
#include <stddef.h>

struct opt_spec {
	int id;                     /* > 0, returned by opt_next */
	char short_name;            /* '\0': none */
	const char *long_name;      /* without "--"; NULL: none */
	bool has_arg;
};

enum opt_result {
	OPT_END = 0,                /* no more arguments */
	OPT_ARG = -1,               /* a positional argument in *val */
	OPT_UNKNOWN = -2,           /* *val is the unknown option text */
	OPT_MISSING = -3,           /* *val names the option lacking a value */
	OPT_NO_VALUE = -4           /* "--flag=x" for a flag; *val names it */
};

struct opt_iter {
	int argc;
	char **argv;
	int i;                      /* next argv index */
	const char *bundle;         /* rest of a "-abc" bundle, or NULL */
	bool only_args;             /* after "--" */
	char name[64];              /* option text for messages */
};

/* Scan argv[1..argc). */
void opt_init(struct opt_iter *it, int argc, char **argv);

/* The next option's id (with *val its value, or NULL), or an enum
 * opt_result. */
int opt_next(struct opt_iter *it, const struct opt_spec *specs, size_t n, const char **val);

#endif
