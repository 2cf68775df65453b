/* poll.h - what the poll engine's two files share (not for other code):
 * its state, and the seam between driving a transfer (poll.c) and getting
 * it connected (poll_connect.c: per-host queue, name lookup, addresses,
 * handshake).
 *
 * A transfer slot waits in exactly one place at a time (enum lp_phase);
 * each wait has at most one timer (lp_timer_at) and one watched fd
 * (lp_watch), and the fd and timer callbacks of poll.c hand the connect
 * phases to lp_connect_on_io and lp_connect_on_timer.  Everything runs on
 * the loop's thread. */
#ifndef QV_ENGINE_POLL_H
#define QV_ENGINE_POLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/hosts.h"
#include "engine/internal.h"
#include "engine/pace.h"
#include "engine/resolver.h"
#include "net/addr.h"
#include "net/conn.h"
#include "net/evloop.h"
#include "net/pool.h"

enum lp_phase {
	LP_FREE = 0,   /* slot not in use */
	LP_RUN,        /* being driven right now */
	LP_HOSTWAIT,   /* queued for a per-host connection slot */
	LP_TLSWAIT,    /* waiting for a first handshake to its origin, to resume */
	LP_RESOLVING,  /* waiting for a name lookup */
	LP_CONNECTING, /* TCP connect in progress (addresses raced) */
	LP_HANDSHAKE,  /* TLS handshake */
	LP_IO,         /* waiting for the socket to read or write */
	LP_BACKOFF,    /* retry backoff */
	LP_YIELD,      /* resumes from a 0 ms timer */
	LP_PACE        /* a rate limit holds the next read until its timer */
};

struct lp_xfer;

/* Per-origin state, the ext block of a host_entry. */
struct lp_host {
	struct lp_xfer *wait_head, *wait_tail;  /* LP_HOSTWAIT, FIFO */
	struct lp_xfer *dns_head, *dns_tail;    /* LP_RESOLVING on this name */
	struct lp_xfer *tls_head, *tls_tail;    /* LP_TLSWAIT for a first handshake */
	unsigned tls_first;                     /* first handshakes under way (no
						 * session cached yet) */
	uint64_t dns_id;                        /* lookup in flight, 0: none */
	int64_t dns_until;                      /* addrs valid before this */
	struct net_addrs addrs;
};

struct lp;

struct lp_xfer {
	struct lp *lp;
	enum lp_phase phase;
	size_t index;
	unsigned slot;                 /* its number in lp->slots */
	struct conn *conn;             /* the transfer's connection, or NULL */
	struct conn *spare;            /* kept from this slot's previous job */
	int reg_fd;                    /* fd registered in the loop, -1: none */
	int race_fd[NET_RACE_MAX];     /* registered while connecting */
	unsigned nrace;
	bool tunnel_tls;               /* LP_HANDSHAKE is over a proxy tunnel */
	bool tls_first;                /* its handshake counts in tls_first */
	bool tls_waited;               /* gave up waiting for a first handshake */
	struct host_entry *host;       /* per-host slot held, or NULL */
	struct host_entry *queued_on;  /* whose wait or dns list holds us */
	struct lp_xfer *prev, *next;   /* in that list */
	uint64_t timer;                /* the phase's timer, 0: none */
	int64_t timer_due;
	uint64_t max_timer;            /* --max-time */
	int64_t connect_deadline;      /* name lookup + connect + CONNECT + handshake,
					* 0: none */
	int64_t last_progress;         /* for the idle timeout */
	unsigned reads;                /* in this turn */
	bool wants_write;              /* LP_IO waits to send, not to receive */
	bool aborted;
	struct pace pace;              /* the rate limits' bucket for its reads */
	struct xfer x;
};

struct lp {
	const struct engine_opts *o;
	struct engine_feed *feed;      /* where the jobs come from */
	struct engine_stats *stats;
	struct evloop *loop;
	struct resolver *res;
	struct host_table hosts;
	struct conn_pool pool;
	unsigned per_host;             /* 0: the cap cannot bind */
	struct lp_xfer **slots;        /* nslots, set up on first use */
	unsigned char *slot_mem;       /* their memory: nslots x slot_stride */
	size_t slot_stride;
	unsigned nslots, nalloc, active;
	unsigned *free_slots;          /* stack of unused slot numbers */
	unsigned nfree;
	uint64_t admit_timer;
	bool stopping;
	bool oom;                      /* a timer or fd could not be added */
	struct qv_error fatal;         /* why the loop itself gave up */
	uint8_t buf[ENGINE_READ_BUF];  /* shared by every transfer */
};

/* ---- poll.c: waiting, for both halves ---- */

/* Drive t's machine until it waits or finishes. */
void lp_drive(struct lp_xfer *t);

void lp_timer_clear(struct lp_xfer *t);
/* Arm the phase timer for due (absolute ms).  An earlier pending timer is
 * kept only when lazy is set: it fires, sees it is early, and re-arms.
 * False when the loop has no memory for it (lp->oom then ends the run). */
bool lp_timer_at(struct lp_xfer *t, int64_t due, bool lazy);
/* Watch the connection's fd for mask.  False when the loop cannot take it
 * (no memory). */
bool lp_watch(struct lp_xfer *t, unsigned mask);
void lp_unwatch(struct lp_xfer *t);
/* Unwatch and free the connection. */
void lp_conn_close(struct lp_xfer *t);

/* The readiness a connection's status asks for. */
static inline unsigned lp_mask(enum conn_status st)
{
	return st == CONN_WANT_READ ? EVLOOP_READ : EVLOOP_WRITE;
}

/* ---- poll_connect.c: getting connected ---- */

/* XFER_CONNECT: a pooled or spare connection, or a fresh one (after the
 * per-host queue and the name lookup when needed).  True when the
 * transfer can go on at once (connected, or failed and told). */
bool lp_connect(struct lp_xfer *t);
/* t's timer fired in LP_RESOLVING, LP_CONNECTING or LP_HANDSHAKE. */
void lp_connect_on_timer(struct lp_xfer *t, int64_t now);
/* t's fd is ready in LP_CONNECTING (one of the racing sockets) or
 * LP_HANDSHAKE. */
void lp_connect_on_io(struct lp_xfer *t, int fd);
/* XFER_TLS: TLS to the origin through the tunnel just opened.  True when
 * the transfer can go on at once. */
bool lp_tls(struct lp_xfer *t);
/* Stop watching the sockets of a connect race (lp_conn_close does). */
void lp_race_unwatch(struct lp_xfer *t);
/* The loop's fd callback (poll.c), for the racing sockets too. */
void lp_on_io(struct evloop *loop, int fd, unsigned events, void *arg);
/* t is aborted: out of the per-host queue or the lookup it waits in; not
 * yet connected, its connection is closed and its per-host slot given
 * back (no XFER_RELEASE will come for it). */
void lp_connect_abandon(struct lp_xfer *t);
/* LP_TLSWAIT's timer fired: t stops waiting for the first handshake (its
 * drive then connects on its own). */
void lp_tls_wait_over(struct lp_xfer *t);
/* Give back t's per-host slot, straight to the first waiter if any. */
void lp_host_release(struct lp_xfer *t);
/* Whether transfers queue for h's per-host slots. */
bool lp_host_has_waiters(const struct host_entry *h);
/* The resolver's fd is readable: hand out its answers. */
void lp_on_resolver(struct evloop *loop, int fd, unsigned events, void *arg);

#endif
