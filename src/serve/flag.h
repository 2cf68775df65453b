/* flag.h - the synthetic flags of the built-in server: a small flag-like
 * picture (stripes, crosses, discs, cantons) derived from a country code,
 * drawn as palette indices and encoded as GIF.
 *
 * Deterministic: the same code always gives the same bytes, so tests and
 * benchmarks can compare downloads against the server. */
#ifndef QV_SERVE_FLAG_H
#define QV_SERVE_FLAG_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* 3:2 like most flags; small enough that a GIF stays around 1 KB. */
#define FLAG_WIDTH 120u
#define FLAG_HEIGHT 80u
/* Palette entries (a 3-bit colour table). */
#define FLAG_COLORS 8u
/* Room for any flag GIF: gif_size_max of a FLAG_WIDTH x FLAG_HEIGHT image
 * with FLAG_COLORS colours is below this (checked by flag_gif). */
#define FLAG_GIF_MAX 16384u

/* Draw the flag of the two-letter code cc (case-insensitive) into pixels
 * (FLAG_WIDTH * FLAG_HEIGHT indices) and palette (FLAG_COLORS RGB triples). */
void flag_draw(const char cc[2], uint8_t *pixels, uint8_t *palette);

/* The flag of cc as a GIF file in out (cap bytes, FLAG_GIF_MAX suffice).
 * Errors: QV_E_TOO_BIG, QV_E_NOMEM (see gif_encode). */
enum qv_err flag_gif(const char cc[2], uint8_t *out, size_t cap, size_t *len, struct qv_error *err);

#endif
