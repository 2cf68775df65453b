/* index_name.c - names from a URL's line number (see index_name.h). */
#include "cli/get/index_name.h"

#include <stdio.h>
#include <string.h>

#include "cli/fname.h"
#include "util/ascii.h"

size_t index_name(uint64_t line, const char *target, size_t len, char *out)
{
	char seg[FNAME_MAX + 1];
	size_t n = fname_from_target(target, len, seg, sizeof seg), ext = 0, i;
	const char *dot = strrchr(seg, '.');
	int k;

	if (dot != NULL && dot != seg) /* ".profile" has no extension */
		ext = n - (size_t)(dot - seg) - 1;
	for (i = 0; i < ext; i++)
		if (!ascii_is_digit((unsigned char)dot[1 + i]) &&
		    !ascii_is_alpha((unsigned char)dot[1 + i]))
			ext = 0;
	if (ext > INDEX_NAME_EXT_MAX)
		ext = 0;
	k = snprintf(out, INDEX_NAME_CAP, "%0*llu%s%.*s", INDEX_NAME_DIGITS,
		     (unsigned long long)line, ext > 0 ? "." : "", (int)ext,
		     ext > 0 ? dot + 1 : "");
	return k > 0 ? (size_t)k : 0;
}
