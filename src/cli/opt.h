/* opt.h - the option scanner of every command, table-driven in the
 * getopt_long tradition: "-j8", "-j 8", "--parallel=8", "--parallel 8",
 * bundled flags "-qk" and "-qj8", "--" ending the options, "-" alone an
 * argument.  Long names match exactly (no abbreviations: an option added
 * later must not change what an old script means).  A numeric option's value
 * is parsed and range-checked here, by cli/num.c, so every command refuses
 * what it cannot hold in the same words. */
#ifndef QV_CLI_OPT_H
#define QV_CLI_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/num.h"

/* What an option takes; numbers land in opt_iter.num, in the unit named. */
enum opt_kind {
	OPT_FLAG,                   /* nothing */
	OPT_TEXT,                   /* any text */
	OPT_UINT,                   /* a whole number */
	OPT_SECS,                   /* seconds, at most 3 decimals: in ms */
	OPT_SIZE,                   /* bytes with an optional k, M or G */
	OPT_PROB                    /* a probability, at most 6 decimals: in millionths */
};

/* One option.  Numbers outside [min, max] (in the kind's unit) are refused. */
struct opt_spec {
	int id;                     /* > 0, returned by opt_next */
	char short_name;            /* '\0': none */
	unsigned char kind;         /* enum opt_kind */
	unsigned char min;
	const char *long_name;      /* without "--"; NULL: none */
	uint64_t max;
};

enum opt_result {
	OPT_END = 0,                /* no more arguments */
	OPT_ARG = -1,               /* a positional argument in *val */
	OPT_UNKNOWN = -2,           /* *val is the unknown option text */
	OPT_MISSING = -3,           /* *val names the option lacking a value */
	OPT_NO_VALUE = -4,          /* "--flag=x" for a flag; *val names it */
	OPT_BAD_NUMBER = -5         /* *val is the refused value; see spec and why */
};

struct opt_iter {
	int argc;
	char **argv;
	int i;                      /* next argv index */
	const char *bundle;         /* rest of a "-abc" bundle, or NULL */
	bool only_args;             /* after "--" */
	char name[64];              /* option text for messages */
	const struct opt_spec *spec; /* the option just returned, or whose
				      * value was refused (OPT_BAD_NUMBER) */
	uint64_t num;               /* its value, when numeric */
	enum num_result why;        /* OPT_BAD_NUMBER: how the value is wrong */
};

/* Scan argv[1..argc). */
void opt_init(struct opt_iter *it, int argc, char **argv);

/* The next option's id (with it->spec its entry, *val its text or NULL
 * for a flag, and it->num its value when numeric), or an enum opt_result. */
int opt_next(struct opt_iter *it, const struct opt_spec *specs, size_t n, const char **val);

/* Print why opt_next returned r < 0 for val, without a newline: "unknown
 * option '--x'", "option -j needs a value", "-j/--parallel wants a number
 * from 1 to 1000, not '0'", "unexpected argument 'x'" for OPT_ARG. */
void opt_why_print(FILE *f, int r, const struct opt_iter *it, const char *val);

#endif
