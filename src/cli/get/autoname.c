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

void autoname_init(struct autoname *a)
{
	memset(a, 0, sizeof *a);
}

void autoname_clear(struct autoname *a)
{
	size_t i;

	for (i = 0; a->slot != NULL && i <= a->mask; i++)
		free(a->slot[i].key);
	free(a->slot);
	autoname_init(a);
}

void autoname_format(const char *name, unsigned k, bool at_end, char *out, size_t cap)
{
	const char *dot = at_end ? NULL : strrchr(name, '.');
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

/* The slot of key in slot[0..mask]: where it is, or the empty one where it
 * would go. */
static struct autoname_family *autoname_slot(struct autoname_family *slot, size_t mask,
					     const char *key)
{
	size_t i = (size_t)hash_str64(key, strlen(key)) & mask;

	while (slot[i].key != NULL && strcmp(slot[i].key, key) != 0)
		i = (i + 1) & mask;
	return &slot[i];
}

static bool autoname_grow(struct autoname *a)
{
	size_t cap = a->slot != NULL ? (a->mask + 1) * 2 : AUTONAME_CAP_INIT, i;
	struct autoname_family *s;

	if (cap > SIZE_MAX / 2 / sizeof *s)
		return false;
	s = calloc(cap, sizeof *s);
	if (s == NULL)
		return false;
	for (i = 0; a->slot != NULL && i <= a->mask; i++)
		if (a->slot[i].key != NULL)
			*autoname_slot(s, cap - 1, a->slot[i].key) = a->slot[i];
	free(a->slot);
	a->slot = s;
	a->mask = cap - 1;
	return true;
}

/* The family known by key (added, starting at k0, when new), or NULL
 * when there is no memory for it. */
static struct autoname_family *autoname_family(struct autoname *a, const char *key, unsigned k0)
{
	struct autoname_family *f;

	if ((a->slot == NULL || a->count * 2 >= a->mask) && !autoname_grow(a))
		return NULL;
	f = autoname_slot(a->slot, a->mask, key);
	if (f->key != NULL)
		return f;
	/* gcc-analyzer-suppress malloc-leak: the slot is a->slot's; autoname_clear frees it */
	f->key = strdup(key);
	if (f->key == NULL)
		return NULL;
	f->next = k0;
	a->count++;
	return f;
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
		autoname_format(name, k0, a->at_end, cand, sizeof cand);
		f = autoname_family(a, cand, k0);
		if (f == NULL)
			return qv_error_set(err, QV_E_NOMEM, "out of memory");
		for (; f->next < end && f->next <= AUTONAME_K_MAX; f->next++) {
			autoname_format(name, f->next, a->at_end, cand, sizeof cand);
			(*checks)++;
			if (nameset_clash(taken, cand) == NAMESET_NONE &&
			    (a->exists == NULL || !a->exists(a->exists_ctx, cand))) {
				memcpy(out, cand, strlen(cand) + 1);
				f->next++;
				return QV_OK;
			}
		}
	}
	return QV_E_EXISTS;
}
