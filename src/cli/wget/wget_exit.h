/* wget_exit.h - GNU wget's exit statuses (DESIGN §10) from quiver's error
 * codes: 0 ok, 1 generic, 2 parse error, 3 file I/O, 4 network failure,
 * 5 TLS verification failure, 6 authentication failure, 7 protocol error,
 * 8 server error response.  One table (wget_exit.c). */
#ifndef QV_CLI_WGET_WGET_EXIT_H
#define QV_CLI_WGET_WGET_EXIT_H

#include <stdint.h>

#include "util/err.h"

/* The status GNU wget gives a failure of this kind (0 for QV_OK). */
int wget_exit_of(enum qv_err code);

/* The status of a run whose failures' codes are the bits of errs (1 << code;
 * 0: none failed): as GNU wget ranks them, the lowest of 3..8 wins, and 1
 * (generic) only when no failure has a status of its own. */
int wget_exit_worst(uint64_t errs);

#endif
