/* country.c - lookups in the built-in country table and its metadata.json. */
#include "serve/country.h"

#include <stdbool.h>
#include <stdio.h>

#include "util/ascii.h"

const struct country *country_find(const char *cc, size_t len)
{
	size_t lo = 0, hi = COUNTRY_COUNT;
	int a, b;

	if (len != 2)
		return NULL;
	a = ascii_upper((unsigned char)cc[0]);
	b = ascii_upper((unsigned char)cc[1]);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *iso = country_table[mid].iso;
		int d = iso[0] != a ? iso[0] - a : iso[1] - b;

		if (d == 0)
			return &country_table[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t country_json(const struct country *c, char *out, size_t cap)
{
	/* The top-level domain is the code in lower case but for the United
	 * Kingdom's (tools/gen_country_table.py checks the rule). */
	bool gb = c->iso[0] == 'G' && c->iso[1] == 'B';
	char tld[3] = {gb ? 'u' : (char)ascii_lower((unsigned char)c->iso[0]),
		       gb ? 'k' : (char)ascii_lower((unsigned char)c->iso[1]), '\0'};
	/* The exact layout of the files in flags.zip (Python's json.dumps). */
	int n = snprintf(out, cap, "{\"tld_cc\": \".%s\", \"iso_cc\": \"%s\", \"country\": \"%s\", "
			 "\"gec_cc\": \"%s\"}", tld, c->iso, country_names + c->name, c->gec);

	if (n < 0 || (size_t)n >= cap) {
		if (cap > 0)
			out[0] = '\0';
		return 0;
	}
	return (size_t)n;
}
