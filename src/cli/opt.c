/* opt.c - the option scanner (see opt.h). */
#include "cli/opt.h"

#include <string.h>

void opt_init(struct opt_iter *it, int argc, char **argv)
{
	memset(it, 0, sizeof *it);
	it->argc = argc;
	it->argv = argv;
	it->i = 1;
}

/* A numeric value checked by its kind's parser; s->id, or OPT_BAD_NUMBER. */
static int opt_number(struct opt_iter *it, const struct opt_spec *s, const char *v)
{
	static const unsigned char decimals[] = {[OPT_SECS] = 3, [OPT_PROB] = 6};

	it->why = num_parse(v, strlen(v), decimals[s->kind], s->kind == OPT_SIZE, s->min, s->max,
			    &it->num);
	return it->why == NUM_OK ? s->id : OPT_BAD_NUMBER;
}

/* The value of an option that takes one: the attached text ("-j8",
 * "--parallel=8", even when empty after '='), or the next argument. */
static int opt_value(struct opt_iter *it, const struct opt_spec *s, const char *rest,
		     const char **val)
{
	it->spec = s;
	if (rest == NULL && it->i >= it->argc) {
		*val = it->name;
		return OPT_MISSING;
	}
	*val = rest != NULL ? rest : it->argv[it->i++];
	return s->kind > OPT_TEXT ? opt_number(it, s, *val) : s->id;
}

static int opt_short(struct opt_iter *it, const struct opt_spec *specs, size_t n, const char **val)
{
	char c = *it->bundle++;
	const char *rest;
	size_t k;

	(void)snprintf(it->name, sizeof it->name, "-%c", c);
	if (*it->bundle == '\0')
		it->bundle = NULL;
	for (k = 0; k < n; k++) {
		if (specs[k].short_name != c || c == '\0')
			continue;
		if (specs[k].kind == OPT_FLAG) {
			it->spec = &specs[k];
			*val = NULL;
			return specs[k].id;
		}
		rest = it->bundle;
		it->bundle = NULL;
		return opt_value(it, &specs[k], rest, val);
	}
	it->bundle = NULL;
	*val = it->name;
	return OPT_UNKNOWN;
}

static int opt_long(struct opt_iter *it, const char *word, const struct opt_spec *specs, size_t n,
		    const char **val)
{
	const char *eq = strchr(word, '=');
	size_t len = eq != NULL ? (size_t)(eq - word) : strlen(word);
	size_t k;

	(void)snprintf(it->name, sizeof it->name, "--%.*s", (int)(len < 60 ? len : 60), word);
	for (k = 0; k < n; k++) {
		const char *ln = specs[k].long_name;

		if (ln == NULL || strlen(ln) != len || strncmp(ln, word, len) != 0)
			continue;
		if (specs[k].kind == OPT_FLAG) {
			*val = it->name;
			if (eq != NULL)
				return OPT_NO_VALUE;
			it->spec = &specs[k];
			*val = NULL;
			return specs[k].id;
		}
		return opt_value(it, &specs[k], eq != NULL ? eq + 1 : NULL, val);
	}
	*val = it->name;
	return OPT_UNKNOWN;
}

int opt_next(struct opt_iter *it, const struct opt_spec *specs, size_t n, const char **val)
{
	const char *a;

	*val = NULL;
	if (it->bundle != NULL)
		return opt_short(it, specs, n, val);
	if (it->i >= it->argc)
		return OPT_END;
	a = it->argv[it->i++];
	if (it->only_args || a[0] != '-' || a[1] == '\0') {
		*val = a;
		return OPT_ARG;
	}
	if (a[1] == '-') {
		if (a[2] == '\0') {
			it->only_args = true;
			return opt_next(it, specs, n, val);
		}
		return opt_long(it, a + 2, specs, n, val);
	}
	it->bundle = a + 1;
	return opt_short(it, specs, n, val);
}

/* v / 10^decimals as a decimal without trailing zeros: 1 ms is "0.001". */
static void opt_print_fixed(FILE *f, uint64_t v, unsigned decimals)
{
	uint64_t scale = 1, frac;
	unsigned i;

	for (i = 0; i < decimals; i++)
		scale *= 10u;
	frac = v % scale;
	(void)fprintf(f, "%llu", (unsigned long long)(v / scale));
	for (; frac != 0 && frac % 10u == 0; frac /= 10u)
		decimals--;
	if (frac != 0)
		(void)fprintf(f, ".%0*llu", (int)decimals, (unsigned long long)frac);
}

/* Bytes with the largest suffix that is exact: 2^62 is "4294967296G". */
static void opt_print_size(FILE *f, uint64_t v)
{
	static const char units[] = " kMG";
	unsigned u = 0;

	while (u < 3 && v >= 1024u && v % 1024u == 0) {
		v /= 1024u;
		u++;
	}
	(void)fprintf(f, "%llu%.*s", (unsigned long long)v, u > 0, &units[u]);
}

/* "-j/--parallel wants a number from 1 to 1000" */
static void opt_print_range(FILE *f, const struct opt_spec *s)
{
	if (s->short_name != '\0')
		(void)fprintf(f, "-%c%s", s->short_name, s->long_name != NULL ? "/" : "");
	if (s->long_name != NULL)
		(void)fprintf(f, "--%s", s->long_name);
	switch (s->kind) {
	case OPT_SECS:
		(void)fputs(" wants seconds from ", f);
		opt_print_fixed(f, s->min, 3);
		(void)fputs(" to ", f);
		opt_print_fixed(f, s->max, 3);
		(void)fputs(" (at most 3 decimals)", f);
		break;
	case OPT_SIZE:
		(void)fputs(" wants a size from ", f);
		opt_print_size(f, s->min);
		(void)fputs(" to ", f);
		opt_print_size(f, s->max);
		(void)fputs(" bytes (suffix k, M or G)", f);
		break;
	case OPT_PROB:
		(void)fputs(" wants a probability from ", f);
		opt_print_fixed(f, s->min, 6);
		(void)fputs(" to ", f);
		opt_print_fixed(f, s->max, 6);
		(void)fputs(" (at most 6 decimals)", f);
		break;
	default:
		(void)fprintf(f, " wants a number from %u to %llu", (unsigned)s->min,
			      (unsigned long long)s->max);
		break;
	}
}

void opt_why_print(FILE *f, int r, const struct opt_iter *it, const char *val)
{
	switch (r) {
	case OPT_ARG:
		(void)fprintf(f, "unexpected argument '%s'", val);
		break;
	case OPT_UNKNOWN:
		(void)fprintf(f, "unknown option '%s'", val);
		break;
	case OPT_MISSING:
		(void)fprintf(f, "option %s needs a value", val);
		break;
	case OPT_NO_VALUE:
		(void)fprintf(f, "option %s takes no value", val);
		break;
	default:
		opt_print_range(f, it->spec);
		(void)fprintf(f, ", not '%s'", val);
		break;
	}
}
