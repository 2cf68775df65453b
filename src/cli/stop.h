/* stop.h - SIGINT/SIGTERM to a stop flag, for commands that clean up before
 * exiting (remove .part files, print the summary, exit 130). */
#ifndef QV_CLI_STOP_H
#define QV_CLI_STOP_H

#include <signal.h>

/* Install the handlers (without SA_RESTART, so blocking calls wake up) and
 * return the flag they raise.  Commands that want the default "die at once"
 * behaviour (serve) simply never call this. */
const volatile sig_atomic_t *cli_stop_install(void);

#endif
