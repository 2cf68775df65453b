/* internal.h - what server.c (listener, connection pool, random draws) and
 * conn.c (one connection's request/response state machine) share.  Not for
 * use outside src/serve/. */
#ifndef QV_SERVE_INTERNAL_H
#define QV_SERVE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "serve/content.h"
#include "serve/serve.h"

/* Responses queued per connection: enough to answer a burst of pipelined
 * requests with one writev, few enough to bound memory per connection. */
#define SERVE_CONN_OUT_MAX 16
/* First size of the input buffer; it doubles up to SERVE_REQ_HEAD_MAX only
 * when one request head needs it. */
#define SERVE_CONN_IN_INIT 2048
/* A connection with nothing to do for this long is closed (nginx uses
 * 75 s for keep-alive; the book's clients never idle that long). */
#define SERVE_CONN_IDLE_MS 60000
/* After our last response on a closing connection, how long we keep reading
 * (and dropping) what the client still sends, so that closing with unread
 * bytes does not turn into a reset that destroys the response in flight. */
#define SERVE_CONN_LINGER_MS 2000
/* recv calls per wake-up: one busy client cannot starve the others. */
#define SERVE_CONN_RECV_ROUNDS 4

/* One queued response. */
struct serve_conn_out {
	struct serve_resp resp;
	const char *conn_line;   /* Connection field (or none) and the blank line */
	size_t conn_len;
	bool head_only;          /* HEAD: no body */
	size_t sent;             /* bytes of this response already sent */
};

struct serve_conn {
	struct serve *srv;
	struct serve_io io;
	struct serve_conn *prev, *next;   /* srv->live list, or srv->spare */
	uint8_t *in;                      /* received, not yet parsed */
	size_t in_len, in_cap, scan;
	uint64_t discard;                 /* request body bytes still to drop */
	struct serve_conn_out out[SERVE_CONN_OUT_MAX];   /* ring */
	unsigned out_first, out_count;
	struct serve_conn_out delayed;    /* answer waiting for delay_timer */
	uint64_t delay_timer, idle_timer;
	int64_t last_active, linger_until;
	unsigned recv_want, send_want, mask;
	bool waiting;                /* a delayed answer is pending */
	bool rd_eof;                 /* the client finished sending */
	bool no_more;                /* answer what is queued, then close */
	bool unflushed;              /* the io layer may hold sent bytes */
	bool shut_done;              /* our sending side is closed */
	bool lingering;              /* dropping input until EOF or timeout */
};

struct serve {
	struct evloop *loop;
	struct serve_config cfg;     /* bind and dir point into the copies below */
	char *bind, *dir;
	struct serve_content *content;
	int lfd;
	int family;
	uint16_t port;
	struct serve_conn *live, *spare;
	unsigned nlive, max_conns;
	bool accept_paused;
	uint64_t resume_timer;
	uint64_t rng;
	struct serve_stats stats;
};

/* conn.c: take over the accepted socket fd (closed on error). */
enum qv_err serve_conn_start(struct serve *srv, int fd, struct qv_error *err);
/* conn.c: close the connection now and return it to the pool. */
void serve_conn_close(struct serve_conn *c);
/* conn.c: free a connection's memory (pool teardown). */
void serve_conn_free(struct serve_conn *c);

/* server.c: an unlinked connection struct (from the pool or new), or NULL. */
struct serve_conn *serve_conn_get(struct serve *srv);
/* server.c: c was closed: unlink it, keep it for reuse. */
void serve_conn_put(struct serve *srv, struct serve_conn *c);
/* server.c: the delay for the next answer, jitter drawn. */
uint32_t serve_draw_delay(struct serve *srv);
/* server.c: whether the next answer is a 418, per --error-rate. */
bool serve_draw_error(struct serve *srv);

#endif
