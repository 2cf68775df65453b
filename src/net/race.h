/* race.h - Happy Eyeballs (RFC 8305): connect to whichever of a host's
 * addresses answers first.
 *
 * Addresses are tried in the order given (net_addr_resolve already
 * interleaves the families, §4), filtered by family for -4/-6.  A new
 * attempt starts every NET_RACE_DELAY_MS while none has connected (§5), and
 * at once when one fails (refused, unreachable); the first to connect wins
 * and the others are closed.  Nothing here blocks or sleeps: the caller
 * watches the sockets of net_race_fds() for writability and calls back at
 * net_race_next_at(), with whatever waiting it does (poll() in the blocking
 * engines, the event loop in the poll engine).  The overall connect timeout
 * is the caller's, counted from the first attempt. */
#ifndef QV_NET_RACE_H
#define QV_NET_RACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"
#include "util/err.h"

/* RFC 8305's recommended Connection Attempt Delay. */
#define NET_RACE_DELAY_MS 250
/* Attempts in flight at once: two per family covers a dual-stack host with
 * one dead address of each; each holds a descriptor. */
#define NET_RACE_MAX 4

enum net_race_status {
	RACE_WAIT = 0, /* attempts in flight: wait for their sockets or next_at */
	RACE_WON,      /* one connected: net_race_take() */
	RACE_FAILED    /* every address failed: see the qv_error */
};

/* Address families for -4 / -6. */
enum net_family { NET_ANY = 0, NET_IPV4, NET_IPV6 };

struct net_race {
	struct net_addrs addrs;        /* those of the wanted family, in order */
	size_t next;                   /* the next address to try */
	int fd[NET_RACE_MAX];          /* attempts in flight (-1: free slot) */
	size_t idx[NET_RACE_MAX];      /* their addresses */
	unsigned live;
	int64_t next_at;               /* when the next attempt starts */
	int won;                       /* the winning socket, -1: none */
	size_t won_idx;
	int last_errno;                /* why the last failed attempt failed */
	size_t failed;
	char peer[NET_ADDR_STR_MAX];   /* the address named in messages */
};

/* A race with nothing in flight (safe to clear). */
void net_race_init(struct net_race *r);

/* Start racing addrs (copied) of family f at now: the first attempt
 * begins.  Errors (RACE_FAILED): no address of the family, socket(), or
 * every address failing at once. */
enum net_race_status net_race_start(struct net_race *r, const struct net_addrs *addrs,
				    enum net_family f, int64_t now, struct qv_error *err);

/* Socket fd of an attempt became writable (or poll said error/hang-up). */
enum net_race_status net_race_ready(struct net_race *r, int fd, int64_t now,
				    struct qv_error *err);

/* Time passed: start the attempts that are due. */
enum net_race_status net_race_tick(struct net_race *r, int64_t now, struct qv_error *err);

/* The sockets to watch (at most NET_RACE_MAX), into out; returns how many. */
size_t net_race_fds(const struct net_race *r, int *out, size_t cap);

/* When to call net_race_tick next; INT64_MAX when no attempt is left to
 * start (then only the sockets can end the race). */
int64_t net_race_next_at(const struct net_race *r);

/* After RACE_WON: the connected socket, now the caller's, and its address
 * text in r->peer.  The other attempts are closed. */
int net_race_take(struct net_race *r);

/* Close every attempt (and an untaken winner). */
void net_race_clear(struct net_race *r);

#endif
