/* index_name.h - output names that need no view of the whole list (get
 * --name-by index): the URL's line in its list, zero-padded, plus the
 * extension of its last path segment, as img2dataset names its samples
 * ("000001234.jpg" for line 1234 ".../cat.jpg?s=2").  No two lines share a
 * name, so every task of a sharded run names its own files alone and a
 * re-run of the same list names them the same. */
#ifndef QV_CLI_GET_INDEX_NAME_H
#define QV_CLI_GET_INDEX_NAME_H

#include <stddef.h>
#include <stdint.h>

/* Digits at least: names of lists up to 999,999,999 lines sort as text
 * (10^8 URLs is the scale people shard for); longer numbers still differ. */
#define INDEX_NAME_DIGITS 9
/* Extension bytes at most, letters and digits only ("jpeg", "webp",
 * "json"; "tar.gz" keeps "gz"): a longer or stranger tail is not one. */
#define INDEX_NAME_EXT_MAX 8
/* Room for a name: 20 digits (2^64), '.', the extension, NUL. */
#define INDEX_NAME_CAP 32

/* The name of the URL on line `line` whose request target (path plus
 * optional "?query", struct url.target) is target[0..len), into out (at
 * least INDEX_NAME_CAP bytes).  Returns its length. */
size_t index_name(uint64_t line, const char *target, size_t len, char *out);

#endif
