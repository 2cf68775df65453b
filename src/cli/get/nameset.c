/* nameset.c - hash set of output names (see nameset.h). */
#include "cli/get/nameset.h"

#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

#define PART_SUFFIX ".part"
#define PART_LEN (sizeof PART_SUFFIX - 1)

struct nameset {
	const char *const *names;   /* not owned */
	size_t *slot;               /* index + 1, 0: empty */
	size_t mask;                /* capacity - 1 (a power of two) */
	size_t count;
};

enum qv_err nameset_new(struct nameset **out, const char *const *names, size_t n,
			struct qv_error *err)
{
	struct nameset *s;
	size_t cap = 16;

	*out = NULL;
	/* load factor at most 1/2 keeps probe runs short */
	while (cap < n * 2) {
		if (cap > SIZE_MAX / 4 / sizeof *s->slot)
			return qv_error_set(err, QV_E_NOMEM, "too many names");
		cap *= 2;
	}
	s = calloc(1, sizeof *s);
	if (s != NULL)
		s->slot = calloc(cap, sizeof *s->slot);
	if (s == NULL || s->slot == NULL) {
		free(s);
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	}
	s->names = names;
	s->mask = cap - 1;
	*out = s;
	return QV_OK;
}

void nameset_free(struct nameset *s)
{
	if (s == NULL)
		return;
	free(s->slot);
	free(s);
}


/* Index of the entry equal to name[0..len), or NAMESET_NONE. */
static size_t nameset_find(const struct nameset *s, const char *name, size_t len)
{
	size_t i = (size_t)hash_str64(name, len) & s->mask;

	while (s->slot[i] != 0) {
		const char *have = s->names[s->slot[i] - 1];

		if (strncmp(have, name, len) == 0 && have[len] == '\0')
			return s->slot[i] - 1;
		i = (i + 1) & s->mask;
	}
	return NAMESET_NONE;
}

size_t nameset_clash(const struct nameset *s, const char *name)
{
	size_t len = strlen(name), hit;
	char part[512];

	hit = nameset_find(s, name, len);
	if (hit != NAMESET_NONE)
		return hit;
	/* "N.part" is N's temporary file */
	if (len > PART_LEN && strcmp(name + len - PART_LEN, PART_SUFFIX) == 0) {
		hit = nameset_find(s, name, len - PART_LEN);
		if (hit != NAMESET_NONE)
			return hit;
	}
	/* and N clashes with a name "N.part" already there */
	if (len + PART_LEN < sizeof part) {
		memcpy(part, name, len);
		memcpy(part + len, PART_SUFFIX, PART_LEN + 1);
		return nameset_find(s, part, len + PART_LEN);
	}
	return NAMESET_NONE;
}

bool nameset_add(struct nameset *s, size_t index)
{
	const char *name = s->names[index];
	size_t i;

	if (s->count * 2 >= s->mask + 1)
		return false;
	i = (size_t)hash_str64(name, strlen(name)) & s->mask;
	while (s->slot[i] != 0)
		i = (i + 1) & s->mask;
	s->slot[i] = index + 1;
	s->count++;
	return true;
}
