/* autoname.c - NAME.K.EXT and the next K per family (see autoname.h). */
#include "cli/get/autoname.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

/* First table size; it doubles at half full, which keeps probe runs short. */
#define AUTONAME_CAP_INIT 16u

struct autoname_family {
	char *key;                  /* NAME.K0.EXT for the family's first K0; owned */
	unsigned next;              /* no K below this one is free */
};

struct autoname {
	struct autoname_family *slot;   /* key NULL: empty */
	size_t mask;                    /* capacity - 1 (a power of two) */
	size_t count;
};

enum qv_err autoname_new(struct autoname **out, struct qv_error *err)
{
	struct autoname *a = calloc(1, sizeof *a);

	*out = NULL;
	if (a != NULL)
		a->slot = calloc(AUTONAME_CAP_INIT, sizeof *a->slot);
	if (a == NULL || a->slot == NULL) {
		free(a);
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	}
	a->mask = AUTONAME_CAP_INIT - 1;
	*out = a;
	return QV_OK;
}

void autoname_free(struct autoname *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i <= a->mask; i++)
		free(a->slot[i].key);
	free(a->slot);
	free(a);
}

void autoname_format(const char *name, unsigned k, char *out, size_t cap)
{
	const char *dot = strrchr(name, '.');
	char suffix[16];
	size_t stem, ext, keep, slen;

	if (dot == NULL || dot == name)
		dot = name + strlen(name);
	ext = strlen(dot);
	stem = (size_t)(dot - name);
	slen = (size_t)snprintf(suffix, sizeof suffix, ".%u", k);
	keep = stem;
	if (keep + slen + ext > FNAME_MAX)
		keep = FNAME_MAX > slen + ext ? FNAME_MAX - slen - ext : 0;
	while (keep > 0 && keep < stem && ((unsigned char)name[keep] & 0xc0) == 0x80)
		keep--; /* never split a UTF-8 sequence */
	(void)snprintf(out, cap, "%.*s%s%s", (int)keep, name, suffix, dot);
}

static size_t autoname_hash(const char *key)
{
	return (size_t)hash_str64(key, strlen(key));
}

static bool autoname_grow(struct autoname *a)
{
	size_t cap = (a->mask + 1) * 2, i, j;
	struct autoname_family *s;

	if (cap > SIZE_MAX / 2 / sizeof *s)
		return false;
	s = calloc(cap, sizeof *s);
	if (s == NULL)
		return false;
	for (i = 0; i <= a->mask; i++) {
		if (a->slot[i].key == NULL)
			continue;
		j = autoname_hash(a->slot[i].key) & (cap - 1);
		while (s[j].key != NULL)
			j = (j + 1) & (cap - 1);
		s[j] = a->slot[i];
	}
	free(a->slot);
	a->slot = s;
	a->mask = cap - 1;
	return true;
}

/* The family known by key (added, starting at k0, when new), or NULL
 * when there is no memory for it. */
static struct autoname_family *autoname_family(struct autoname *a, const char *key, unsigned k0)
{
	size_t i;

	if (a->count * 2 >= a->mask && !autoname_grow(a))
		return NULL;
	for (i = autoname_hash(key) & a->mask; a->slot[i].key != NULL; i = (i + 1) & a->mask)
		if (strcmp(a->slot[i].key, key) == 0)
			return &a->slot[i];
	a->slot[i].key = strdup(key);
	if (a->slot[i].key == NULL)
		return NULL;
	a->slot[i].next = k0;
	a->count++;
	return &a->slot[i];
}

enum qv_err autoname_pick(struct autoname *a, const struct nameset *taken, const char *name,
			  char *out, size_t *checks, struct qv_error *err)
{
	char cand[AUTONAME_OUT_MAX];
	unsigned k0, end;

	/* one family per digit count of K: 1..9, 10..99, ... */
	for (k0 = 1; k0 <= AUTONAME_K_MAX; k0 = end) {
		struct autoname_family *f;

		end = k0 * 10;
		autoname_format(name, k0, cand, sizeof cand);
		f = autoname_family(a, cand, k0);
		if (f == NULL)
			return qv_error_set(err, QV_E_NOMEM, "out of memory");
		for (; f->next < end && f->next <= AUTONAME_K_MAX; f->next++) {
			autoname_format(name, f->next, cand, sizeof cand);
			(*checks)++;
			if (nameset_clash(taken, cand) == NAMESET_NONE) {
				memcpy(out, cand, strlen(cand) + 1);
				f->next++;
				return QV_OK;
			}
		}
	}
	return QV_E_EXISTS;
}
