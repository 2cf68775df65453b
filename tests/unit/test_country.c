/* test_country.c - the built-in country table against the book's data:
 * the 194 codes of country_codes.txt, and metadata.json text from flags.zip. */
#include "tq.h"

#include <string.h>

#include "serve/country.h"

void suite_country(struct tq *t);

/* country_codes.txt from the book's repository, verbatim. */
static const char codes_txt[] =
	"AD AE AF AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT\n"
	"BW BY BZ CA CD CF CG CH CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DZ EC EE\n"
	"EG ER ES ET FI FJ FM FR GA GB GD GE GH GM GN GQ GR GT GW GY HN HR HT HU ID\n"
	"IE IL IN IQ IR IS IT JM JO JP KE KG KH KI KM KN KP KR KW KZ LA LB LC LI LK\n"
	"LR LS LT LU LV LY MA MC MD ME MG MH MK ML MM MN MR MT MU MV MW MX MY MZ NA\n"
	"NE NG NI NL NO NP NR NZ OM PA PE PG PH PK PL PT PW PY QA RO RS RU RW SA SB\n"
	"SC SD SE SG SI SK SL SM SN SO SR SS ST SV SY SZ TD TG TH TJ TL TM TN TO TR\n"
	"TT TV TW TZ UA UG US UY UZ VA VC VE VN VU WS YE ZA ZM ZW\n"
;

static void test_codes_match(struct tq *t)
{
	const char *p = codes_txt;
	size_t n = 0;

	while (*p != '\0') {
		if (*p == ' ' || *p == '\n') {
			p++;
			continue;
		}
		if (!TQ_TRUE(t, n < COUNTRY_COUNT))
			return;
		TQ_MEM(t, country_table[n].iso, 2, p, 2);
		p += 2;
		n++;
	}
	TQ_INT(t, n, COUNTRY_COUNT);
}

static void test_sorted_unique(struct tq *t)
{
	size_t i;

	for (i = 1; i < COUNTRY_COUNT; i++)
		TQ_TRUE(t, strcmp(country_table[i - 1].iso, country_table[i].iso) < 0);
}

static void test_find(struct tq *t)
{
	const struct country *c = country_find("cn", 2);

	if (!TQ_TRUE(t, c != NULL))
		return;
	TQ_STR(t, c->iso, "CN");
	TQ_TRUE(t, country_find("CN", 2) == c);
	TQ_TRUE(t, country_find("cN", 2) == c);
	TQ_TRUE(t, country_find("ad", 2) == &country_table[0]);
	TQ_TRUE(t, country_find("zw", 2) == &country_table[COUNTRY_COUNT - 1]);
	TQ_TRUE(t, country_find("zz", 2) == NULL);
	TQ_TRUE(t, country_find("aa", 2) == NULL);
	TQ_TRUE(t, country_find("cnx", 3) == NULL);
	TQ_TRUE(t, country_find("c", 1) == NULL);
	TQ_TRUE(t, country_find("c\0", 2) == NULL);
}

static void check_json(struct tq *t, const char *cc, const char *want)
{
	char out[COUNTRY_JSON_MAX];
	const struct country *c = country_find(cc, 2);

	if (!TQ_TRUE(t, c != NULL))
		return;
	TQ_INT(t, country_json(c, out, sizeof out), strlen(want));
	TQ_STR(t, out, want);
}

/* Byte for byte as unzip -p flags.zip flags/XX/metadata.json prints them. */
static void test_json_exact(struct tq *t)
{
	check_json(t, "cn", "{\"tld_cc\": \".cn\", \"iso_cc\": \"CN\", \"country\": \"China\", "
		   "\"gec_cc\": \"CH\"}");
	check_json(t, "ci", "{\"tld_cc\": \".ci\", \"iso_cc\": \"CI\", \"country\": "
		   "\"C\\u00f4te d'Ivoire\", \"gec_cc\": \"IV\"}");
	check_json(t, "gb", "{\"tld_cc\": \".uk\", \"iso_cc\": \"GB\", \"country\": "
		   "\"United Kingdom\", \"gec_cc\": \"UK\"}");
	check_json(t, "cd", "{\"tld_cc\": \".cd\", \"iso_cc\": \"CD\", \"country\": "
		   "\"Congo (Kinshasa)\", \"gec_cc\": \"CG\"}");
	check_json(t, "kp", "{\"tld_cc\": \".kp\", \"iso_cc\": \"KP\", \"country\": "
		   "\"Korea, North\", \"gec_cc\": \"KN\"}");
}

static void test_json_all_fit(struct tq *t)
{
	char out[COUNTRY_JSON_MAX];
	size_t i, n;

	for (i = 0; i < COUNTRY_COUNT; i++) {
		n = country_json(&country_table[i], out, sizeof out);
		TQ_TRUE(t, n > 60 && n < COUNTRY_JSON_MAX);
		TQ_TRUE(t, out[0] == '{' && out[n - 1] == '}');
	}
	n = country_json(&country_table[0], out, 10);
	TQ_INT(t, n, 0);
	TQ_STR(t, out, "");
}

void suite_country(struct tq *t)
{
	tq_run(t, "codes are those of country_codes.txt", test_codes_match);
	tq_run(t, "table sorted, no duplicates", test_sorted_unique);
	tq_run(t, "find by code, either case", test_find);
	tq_run(t, "metadata.json byte for byte", test_json_exact);
	tq_run(t, "every metadata.json fits", test_json_all_fit);
}
