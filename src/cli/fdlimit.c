/* fdlimit.c - warn when the descriptor limit lowers the concurrency. */
#include "cli/fdlimit.h"

#include <sys/resource.h>

unsigned cli_fd_concurrency(FILE *err, enum engine_kind k, unsigned want, size_t njobs)
{
	unsigned asked = njobs < want ? (unsigned)njobs : want, got;
	struct rlimit rl;

	if (asked == 0)
		return want;
	got = engine_fd_cap(k, asked);
	if (got < asked && err != NULL) {
		unsigned long lim = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (unsigned long)rl.rlim_cur : 0;

		(void)fprintf(err,
			      "quiver: warning: the open-file limit (ulimit -n %lu) allows %u "
			      "transfers at once, not %u\n",
			      lim, got, asked);
		(void)fflush(err);
	}
	return got;
}
