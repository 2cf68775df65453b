/* engsrv.h - a scripted HTTP/1.1 server on its own thread, for the engine
 * tests (test_engine.c).  The path says what to do, curl-sws style:
 *
 *   /ok/NAME         200, body engsrv_body(NAME), keep-alive
 *   /404/NAME        404 with a short body, keep-alive
 *   /delay/MS/NAME   like /ok/NAME, answered MS milliseconds later
 *   /stall/NAME      read the request, never answer (until stop)
 *   /close/NAME      close without a response
 *
 * It counts connections and the most open at once, so tests can check
 * keep-alive reuse and the per-host cap.  Everything it shares with the
 * test thread is behind a mutex (the suite also runs under TSan). */
#ifndef QV_TESTS_ENGSRV_H
#define QV_TESTS_ENGSRV_H

#include <stddef.h>
#include <stdint.h>

struct engsrv;

/* Start on 127.0.0.1 with a free port; NULL on failure. */
struct engsrv *engsrv_start(void);
uint16_t engsrv_port(const struct engsrv *s);
/* Stop the thread, close every socket, free s.  Accepts NULL. */
void engsrv_stop(struct engsrv *s);

/* Connections accepted so far, and the most open at one time. */
unsigned engsrv_accepted(struct engsrv *s);
unsigned engsrv_max_open(struct engsrv *s);
/* The most requests being answered at one time (a stall counts until its
 * connection closes). */
unsigned engsrv_max_busy(struct engsrv *s);

/* The body /ok/NAME answers with: "NAME:" then a pattern, len bytes
 * (len from engsrv_body_len).  Returns the length written (<= cap). */
size_t engsrv_body(const char *name, uint8_t *out, size_t cap);
size_t engsrv_body_len(const char *name);

#endif
