/* hosts.h - a table of origins (scheme, host, port) with a count of the
 * connections in use to each, for the per-host cap of the threads and poll
 * engines.  Each entry can carry a fixed block of engine state (ext).
 *
 * Not locked: the threads engine guards it with its mutex, the poll engine
 * has one thread.  Entries live until host_table_clear, so pointers to them
 * stay valid for the whole run. */
#ifndef QV_ENGINE_HOSTS_H
#define QV_ENGINE_HOSTS_H

#include <stddef.h>
#include <stdint.h>

#include "util/origin.h"


/* Hash buckets: a run talks to one origin (flags) up to thousands (get);
 * 256 chains keep a lookup to a few compares either way. */
#define HOST_TABLE_BUCKETS 256u

struct host_entry {
	struct host_entry *next;    /* hash chain */
	enum url_scheme scheme;
	uint16_t port;
	unsigned active;            /* connections in use (the engine counts) */
	void *ext;                  /* ext_size zeroed bytes, freed with the entry */
	char host[URL_HOST_MAX];
};

struct host_table {
	struct host_entry *bucket[HOST_TABLE_BUCKETS];
	size_t count;
	size_t ext_size;
};

/* Empty table whose entries carry ext_size bytes of engine state.  No
 * allocation. */
void host_table_init(struct host_table *t, size_t ext_size);

/* The entry of origin, added (active 0, ext zeroed) when missing.  NULL
 * when out of memory. */
struct host_entry *host_table_get(struct host_table *t, const struct url_origin *origin);

/* Free every entry.  The table stays usable.  Accepts NULL. */
void host_table_clear(struct host_table *t);

#endif
