/* hosts.c - the origin table: chained hash on FNV-1a of host and port. */
#include "engine/hosts.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

static size_t host_hash(const struct url_origin *origin)
{
	unsigned char tail[3];
	uint32_t h = hash_fnv1a32(HASH_FNV32_OFFSET, origin->host, strlen(origin->host));

	tail[0] = (unsigned char)(origin->port & 0xffu);
	tail[1] = (unsigned char)(origin->port >> 8);
	tail[2] = (unsigned char)origin->scheme;
	return hash_fnv1a32(h, tail, sizeof tail) % HOST_TABLE_BUCKETS;
}

static size_t host_ext_offset(void)
{
	size_t a = _Alignof(max_align_t);

	return (sizeof(struct host_entry) + a - 1) / a * a;
}

void host_table_init(struct host_table *t, size_t ext_size)
{
	memset(t, 0, sizeof *t);
	t->ext_size = ext_size;
}

struct host_entry *host_table_get(struct host_table *t, const struct url_origin *origin)
{
	size_t b = host_hash(origin);
	size_t len = strlen(origin->host);
	struct host_entry *h;

	for (h = t->bucket[b]; h != NULL; h = h->next) {
		if (h->scheme == origin->scheme && h->port == origin->port &&
		    strcmp(h->host, origin->host) == 0)
			return h;
	}
	if (len >= sizeof h->host)
		return NULL;
	/* The entry and its ext block in one allocation; the block starts at
	 * the next max_align_t boundary, since the entry's own size is only a
	 * multiple of 4 on 32-bit ARM while ext may hold 64-bit fields. */
	h = calloc(1, host_ext_offset() + t->ext_size);
	if (h == NULL)
		return NULL;
	h->scheme = origin->scheme;
	h->port = origin->port;
	memcpy(h->host, origin->host, len + 1);
	h->ext = t->ext_size > 0 ? (void *)((unsigned char *)h + host_ext_offset()) : NULL;
	h->next = t->bucket[b];
	t->bucket[b] = h;
	t->count++;
	return h;
}

void host_table_clear(struct host_table *t)
{
	size_t b;

	if (t == NULL)
		return;
	for (b = 0; b < HOST_TABLE_BUCKETS; b++) {
		while (t->bucket[b] != NULL) {
			struct host_entry *h = t->bucket[b];

			t->bucket[b] = h->next;
			free(h);
		}
	}
	t->count = 0;
}
