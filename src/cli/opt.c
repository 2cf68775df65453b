/* opt.c - the option scanner (see opt.h). */
#include "cli/opt.h"

#include <stdio.h>
#include <string.h>

void opt_init(struct opt_iter *it, int argc, char **argv)
{
	memset(it, 0, sizeof *it);
	it->argc = argc;
	it->argv = argv;
	it->i = 1;
}

/* The value of an option that takes one: the attached text ("-j8",
 * "--parallel=8", even when empty after '='), or the next argument. */
static int opt_value(struct opt_iter *it, const struct opt_spec *s, const char *rest,
		     const char **val)
{
	if (rest != NULL) {
		*val = rest;
		return s->id;
	}
	if (it->i >= it->argc) {
		*val = it->name;
		return OPT_MISSING;
	}
	*val = it->argv[it->i++];
	return s->id;
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
		if (!specs[k].has_arg) {
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
		if (!specs[k].has_arg) {
			*val = it->name;
			if (eq != NULL)
				return OPT_NO_VALUE;
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
