/* country.h - the built-in table of the 194 countries of the book's flag site
 * (country_codes.txt / flags.zip), with what {cc}/metadata.json says of each.
 *
 * The table is generated from flags.zip by tools/gen_country_table.py and
 * sorted by ISO code; country_json() reproduces each metadata.json byte for
 * byte.  Also usable wherever the list of 194 codes is needed (flags2 -a). */
#ifndef QV_SERVE_COUNTRY_H
#define QV_SERVE_COUNTRY_H

#include <stddef.h>
#include <stdint.h>

/* Countries in country_codes.txt (and directories in flags.zip). */
#define COUNTRY_COUNT 194
/* Longest metadata.json is 88 bytes; room to spare for the NUL. */
#define COUNTRY_JSON_MAX 128

/* A row is 8 bytes: the top-level domain follows from iso (country_json;
 * the generator checks it), the name is an offset into country_names. */
struct country {
	char iso[3];   /* "CN": ISO 3166-1 alpha-2, upper case */
	char gec[3];   /* "CH": the CIA World Factbook code */
	/* Where country_names holds the name as JSON string content, escapes
	 * kept: "C\\u00f4te d'Ivoire" in C is C\u00f4te d'Ivoire on the wire. */
	uint16_t name;
};

/* Sorted by iso. */
extern const struct country country_table[COUNTRY_COUNT];
/* The names, each ended by a NUL. */
extern const char country_names[];

/* The country with the two-letter code cc (either case), or NULL. */
const struct country *country_find(const char *cc, size_t len);

/* Write c's metadata.json (no trailing newline, as in flags.zip) into out
 * and NUL-terminate it.  Returns its length, or 0 if cap is too small
 * (COUNTRY_JSON_MAX always suffices). */
size_t country_json(const struct country *c, char *out, size_t cap);

#endif
