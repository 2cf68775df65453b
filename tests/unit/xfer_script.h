/* xfer_script.h - a tiny fake engine for the transfer machine's unit tests:
 * it runs the action loop of transfer.h against scripted servers, one
 * exchange per connection request (the bytes the server sends, how it ends,
 * and for a CONNECT tunnel the proxy's answer first), and records what the
 * machine did.  Shared by test_transfer.c and test_transfer_proxy.c. */
#ifndef QV_TESTS_XFER_SCRIPT_H
#define QV_TESTS_XFER_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>

#include "tq.h"
#include "transfer/sink_mem.h"
#include "transfer/transfer.h"

#define T_EX_MAX 12
#define T_REQ_MAX 2048
#define T_BODY_MAX 4096
#define T_STEPS_MAX 1000000

enum t_end { T_END_NONE = 0, T_END_EOF, T_END_RESET };

struct t_ex {
	const char *resp;
	enum t_end end;
};

struct t_run {
	/* script */
	const struct t_ex *ex;
	size_t ex_count;
	bool bytewise;
	/* NULL, or per exchange NULL or the proxy's answer to CONNECT: read
	 * before the exchange's resp, which then comes over TLS */
	const char *const *proxies;
	bool pool_always;           /* the engine always has a pooled connection */
	/* record */
	char reqs[T_EX_MAX][T_REQ_MAX];
	char hosts[T_EX_MAX][URL_HOST_MAX];
	unsigned ports[T_EX_MAX];
	enum route_via vias[T_EX_MAX];
	char origins[T_EX_MAX][URL_HOST_MAX]; /* route origin per connection */
	unsigned tls;               /* XFER_TLS handshakes done */
	bool tunnel_open;           /* the current connection's proxy answer is read */
	bool reused[T_EX_MAX];
	unsigned connects;
	bool release_reusable[T_EX_MAX];
	unsigned releases;
	int64_t wait_from[T_EX_MAX], wake_at[T_EX_MAX];
	unsigned waits;
	bool stuck;
};

/* The validator a resume's existing bytes have unless t_fix.validator
 * says otherwise ("" for none). */
#define T_VALIDATOR "\"v1\""

/* One scenario, all state in one place (about 100 KiB, on the stack). */
struct t_fix {
	struct xfer x;
	struct sink_mem m;
	const char *validator;      /* NULL: T_VALIDATOR for existing bytes */
	bool no_rewind;             /* the sink acts like standard output */
	bool has_ims;               /* -N: the file exists, dated ims */
	int64_t ims;
	uint8_t buf[T_BODY_MAX];
	struct t_run r;
	enum xfer_action end;
};

/* Run x to its end against r's script. */
enum xfer_action t_drive(struct t_run *r, struct xfer *x);
/* Options of a plain run: redirects followed, non-2xx fails, short backoff. */
struct xfer_opts t_opts(void);
/* Start f's transfer of url (existing: bytes already in the sink, for
 * resumes) and drive it against ex[0..n). */
void t_fix_run(struct t_fix *f, const struct xfer_opts *o, const char *url, const struct t_ex *ex,
	       size_t n, bool bytewise, const char *existing);
/* The run ended with want, and the invariants of every finished run: one
 * commit or abort, nothing after it, every connection released. */
/* t_fix_run through a proxy: proxies[i] as in struct t_run. */
void t_fix_run_via(struct t_fix *f, const struct xfer_opts *o, const char *url,
		   const struct t_ex *ex, const char *const *proxies, size_t n, bool bytewise);
void t_check_end(struct tq *t, const struct t_fix *f, enum xfer_action want);
/* A zeroed f, ready for its setup fields (validator, no_rewind, ims). */
struct t_fix *t_fix_reset(struct t_fix *f);
/* t_fix_run on a freshly reset f; returns f. */
struct t_fix *t_fix_go(struct t_fix *f, const struct xfer_opts *o, const char *url,
		       const struct t_ex *ex, size_t n, bool bytewise, const char *existing);
void t_check_body(struct tq *t, const struct t_fix *f, const char *want);

#define T_N(a) (sizeof(a) / sizeof((a)[0]))
#define T_BOTH(bw) for (int bw = 0; bw < 2; bw++)

#endif
