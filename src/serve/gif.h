/* gif.h - a GIF89a encoder for small palette images (LZW, one frame).
 *
 * Used by the flag server to synthesise its flags; no allocation visible to
 * the caller: the image comes in as palette indices, the file goes out into
 * the caller's buffer (gif_size_max bytes always suffice). */
#ifndef QV_SERVE_GIF_H
#define QV_SERVE_GIF_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Width and height are 16-bit fields in the format. */
#define GIF_DIM_MAX 65535u
/* A GIF colour table holds at most 256 entries. */
#define GIF_COLORS_MAX 256u

struct gif_image {
	unsigned width, height;    /* 1..GIF_DIM_MAX */
	const uint8_t *pixels;     /* width*height indices < ncolors, row-major */
	const uint8_t *palette;    /* ncolors RGB triples */
	unsigned ncolors;          /* 1..GIF_COLORS_MAX */
};

/* An upper bound of the encoded size of img (worst case: no compression). */
size_t gif_size_max(const struct gif_image *img);

/* Encode img as a complete GIF89a file into out (cap bytes); *len gets its
 * size.  Deterministic: the same image gives the same bytes.
 * Errors: QV_E_INTERNAL (bad dimensions, colour count or pixel index),
 * QV_E_TOO_BIG (cap too small), QV_E_NOMEM (the LZW table). */
enum qv_err gif_encode(const struct gif_image *img, uint8_t *out, size_t cap, size_t *len,
		       struct qv_error *err);

#endif
