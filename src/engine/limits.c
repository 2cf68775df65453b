/* limits.c - how many transfers fit the descriptor limit (DESIGN §8,
 * aria2 #678): each one needs a socket and a file, and parked keep-alive
 * sockets hold descriptors too.  Asking for more than fits would make
 * transfers fail with EMFILE; lowering the concurrency makes them wait. */
#include "engine/internal.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

/* Descriptors per transfer: its socket and its file. */
#define FD_PER_TRANSFER 2u
/* Descriptors threads and poll hold besides their transfers: the
 * resolver's wake pipe. */
#define FD_RESOLVER 2u

/* Descriptors open now (/proc/self/fd; 3 for stdio when it is missing). */
static unsigned fd_open_now(void)
{
	DIR *d = opendir("/proc/self/fd");
	const struct dirent *ent;
	unsigned n = 0;

	if (d == NULL)
		return 3;
	while ((ent = readdir(d)) != NULL)
		if (ent->d_name[0] != '.')
			n++;
	(void)closedir(d);
	/* the directory's own descriptor was counted */
	return n > 0 ? n - 1 : 0;
}

/* Descriptors engine k needs for c transfers at once. */
static unsigned long fd_need(enum engine_kind k, unsigned c)
{
	unsigned long pool;

	switch (k) {
	case ENGINE_THREADS:
		return (unsigned long)c * (FD_PER_TRANSFER + ENGINE_THREADS_POOL_MAX) + FD_RESOLVER;
	case ENGINE_POLL:
		pool = c < ENGINE_POLL_POOL_MAX ? c : ENGINE_POLL_POOL_MAX;
		return (unsigned long)c * FD_PER_TRANSFER + pool + FD_RESOLVER;
	case ENGINE_SEQ:
	default:
		return FD_PER_TRANSFER + ENGINE_SEQ_POOL_MAX;
	}
}

unsigned engine_fd_cap(enum engine_kind k, unsigned want)
{
	struct rlimit rl;
	unsigned long budget, used;
	unsigned lo = 1, hi = want;

	if (want <= 1 || getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return want > 0 ? want : 1;
	used = (unsigned long)fd_open_now() + ENGINE_FD_RESERVE;
	budget = rl.rlim_cur > used ? (unsigned long)rl.rlim_cur - used : 0;
	if (fd_need(k, want) <= budget)
		return want;
	/* fd_need grows with c: the largest c that fits, at least 1. */
	while (lo < hi) {
		unsigned mid = lo + (hi - lo + 1) / 2;

		if (fd_need(k, mid) <= budget)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

unsigned engine_workers(enum engine_kind k, unsigned concurrency, size_t njobs)
{
	unsigned n = concurrency;

	if (n == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		/* ThreadPoolExecutor's default: min(32, os.cpu_count() + 4) */
		n = cpus > 0 && cpus < 28 ? (unsigned)cpus + 4u : 32u;
	}
	if (njobs < n)
		n = njobs > 0 ? (unsigned)njobs : 1u;
	return engine_fd_cap(k, n);
}
