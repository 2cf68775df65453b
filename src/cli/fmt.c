/* fmt.c - human-readable numbers (see fmt.h). */
#include "cli/fmt.h"

#include <math.h>
#include <stdio.h>

void fmt_bytes(uint64_t n, char out[FMT_MAX])
{
	static const char *const unit[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double v = (double)n;
	unsigned u = 0;

	if (n < 1024) {
		(void)snprintf(out, FMT_MAX, "%u B", (unsigned)n);
		return;
	}
	v /= 1024.0;
	while (v >= 1024.0 && u + 1 < sizeof unit / sizeof unit[0]) {
		v /= 1024.0;
		u++;
	}
	/* three significant digits; a value that rounds up to 1024 says so */
	if (v < 9.995)
		(void)snprintf(out, FMT_MAX, "%.2f %s", v, unit[u]);
	else if (v < 99.95)
		(void)snprintf(out, FMT_MAX, "%.1f %s", v, unit[u]);
	else
		(void)snprintf(out, FMT_MAX, "%.0f %s", v, unit[u]);
}

void fmt_rate(double bytes_per_sec, char out[FMT_MAX])
{
	char b[FMT_MAX];

	if (!isfinite(bytes_per_sec) || bytes_per_sec < 0 || bytes_per_sec > 1.8e19) {
		(void)snprintf(out, FMT_MAX, "-- B/s");
		return;
	}
	fmt_bytes((uint64_t)bytes_per_sec, b);
	(void)snprintf(out, FMT_MAX, "%s/s", b);
}

void fmt_duration(double secs, char out[FMT_MAX])
{
	unsigned long t;

	if (!isfinite(secs) || secs < 0)
		secs = 0;
	if (secs >= 99.0 * 3600 + 59 * 60 + 59) {
		(void)snprintf(out, FMT_MAX, "99:59:59+");
		return;
	}
	t = (unsigned long)(secs + 0.5);
	if (t >= 3600)
		(void)snprintf(out, FMT_MAX, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
	else
		(void)snprintf(out, FMT_MAX, "%lu:%02lu", t / 60, t % 60);
}
