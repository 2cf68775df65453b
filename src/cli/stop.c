/* stop.c - the stop flag raised by SIGINT/SIGTERM.
 *
 * The one piece of mutable process-wide state outside main.c, because a
 * signal handler can only talk to the program through a static
 * volatile sig_atomic_t.  Engines read it through a const pointer. */
#include "cli/stop.h"

#include <string.h>

static volatile sig_atomic_t stop_flag;

static void stop_handler(int sig)
{
	(void)sig;
	stop_flag = 1;
}

const volatile sig_atomic_t *cli_stop_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = stop_handler;
	(void)sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	return &stop_flag;
}
