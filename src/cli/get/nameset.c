/* nameset.c - hash set of output names (see nameset.h). */
#include "cli/get/nameset.h"

#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

#define PART_SUFFIX ".part"
#define PART_LEN (sizeof PART_SUFFIX - 1)
/* the validator beside a resumable .part (transfer/sink_file.h) */
#define META_SUFFIX ".part.meta"
#define META_LEN (sizeof META_SUFFIX - 1)

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


size_t nameset_find(const struct nameset *s, const char *name, size_t len)
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

/* name[0..len) with suffix (slen bytes) removed (it ends in it) or added:
 * a name that clashes with it, or NAMESET_NONE. */
static size_t nameset_sibling(const struct nameset *s, const char *name, size_t len,
			      const char *suffix, size_t slen)
{
	char buf[512];

	if (len > slen && strcmp(name + len - slen, suffix) == 0) {
		size_t hit = nameset_find(s, name, len - slen);

		if (hit != NAMESET_NONE)
			return hit;
	}
	if (len + slen >= sizeof buf)
		return NAMESET_NONE;
	memcpy(buf, name, len);
	memcpy(buf + len, suffix, slen + 1);
	return nameset_find(s, buf, len + slen);
}

size_t nameset_clash(const struct nameset *s, const char *name)
{
	size_t len = strlen(name), hit;

	hit = nameset_find(s, name, len);
	/* "N.part" is N's temporary file, "N.part.meta" its validator */
	if (hit == NAMESET_NONE)
		hit = nameset_sibling(s, name, len, PART_SUFFIX, PART_LEN);
	if (hit == NAMESET_NONE)
		hit = nameset_sibling(s, name, len, META_SUFFIX, META_LEN);
	return hit;
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
