/* flag.c - flag-like pictures from a country code: a hash of the code picks
 * one of a few layouts and three or four colours from a table of flag
 * colours.  Not real flags; just distinct, recognisable, deterministic. */
#include "serve/flag.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "serve/gif.h"
#include "util/ascii.h"
#include "util/hash.h"

/* Colours common on flags (RGB). */
static const uint8_t flag_colors[][3] = {
	{206, 17, 38},   /* red */
	{255, 255, 255}, /* white */
	{0, 56, 147},    /* blue */
	{0, 122, 61},    /* green */
	{252, 209, 22},  /* yellow */
	{0, 0, 0},       /* black */
	{255, 130, 0},   /* orange */
	{117, 170, 219}, /* light blue */
	{128, 0, 32},    /* maroon */
	{0, 40, 104},    /* navy */
};
#define FLAG_NCOLORS (sizeof flag_colors / sizeof flag_colors[0])

enum flag_layout {
	FLAG_HSTRIPES,   /* 2 to 4 horizontal bands */
	FLAG_VSTRIPES,   /* 2 or 3 vertical bands */
	FLAG_CROSS,      /* Nordic cross */
	FLAG_DISC,       /* a disc on a plain field */
	FLAG_CANTON,     /* alternating stripes with a canton */
	FLAG_DIAGONAL,   /* two triangles split by a band */
	FLAG_LAYOUTS
};

/* The picture's parameters, all taken from the hash of the code. */
struct flag_spec {
	enum flag_layout layout;
	unsigned bands;
	bool disc;       /* add a centred disc in colour 3 */
};

/* 32-bit FNV-1a of the upper-case code. */
static uint32_t flag_hash(const char cc[2])
{
	unsigned char up[2];
	uint32_t h;

	up[0] = ascii_upper((unsigned char)cc[0]);
	up[1] = ascii_upper((unsigned char)cc[1]);
	h = hash_fnv1a32(HASH_FNV32_OFFSET, up, sizeof up);
	/* FNV's low bits mix poorly for 2-byte keys: fold in the high half */
	return h ^ (h >> 15);
}

/* Palette: four distinct colours from the table, the rest black. */
static void flag_palette(uint32_t h, uint8_t *palette)
{
	unsigned used[4] = {0, 0, 0, 0}, n = 0, i;

	memset(palette, 0, FLAG_COLORS * 3);
	while (n < 4) {
		unsigned c = h % FLAG_NCOLORS;

		h = h / FLAG_NCOLORS + 0x9e3779b9u * (n + 1);
		for (i = 0; i < n; i++) {
			if (used[i] == c)
				break;
		}
		if (i < n)
			continue;
		used[n] = c;
		memcpy(palette + 3 * n, flag_colors[c], 3);
		n++;
	}
}

static unsigned flag_pixel(const struct flag_spec *s, unsigned x, unsigned y)
{
	const unsigned w = FLAG_WIDTH, ht = FLAG_HEIGHT;
	int dx = (int)x - (int)w / 2, dy = (int)y - (int)ht / 2;

	if (s->disc && dx * dx + dy * dy <= 18 * 18)
		return 3;
	switch (s->layout) {
	case FLAG_HSTRIPES:
		return y * s->bands / ht % 3;
	case FLAG_VSTRIPES:
		return x * s->bands / w % 3;
	case FLAG_CROSS:
		if ((x >= 36 && x < 52) || (y >= 32 && y < 48))
			return (x >= 40 && x < 48) || (y >= 36 && y < 44) ? 2 : 1;
		return 0;
	case FLAG_DISC:
		return dx * dx + dy * dy <= 24 * 24 ? 1 : 0;
	case FLAG_CANTON:
		if (x < 56 && y < 44)
			return 2;
		return y * 7 / ht % 2;
	case FLAG_DIAGONAL:
		if ((int)(x * ht) - (int)(y * w) > 10 * (int)w)
			return 0;
		if ((int)(y * w) - (int)(x * ht) > 10 * (int)w)
			return 2;
		return 1;
	case FLAG_LAYOUTS:
		break;
	}
	return 0;
}

void flag_draw(const char cc[2], uint8_t *pixels, uint8_t *palette)
{
	uint32_t h = flag_hash(cc);
	struct flag_spec s;
	unsigned x, y;

	flag_palette(h, palette);
	h = hash_mul32(h);
	s.layout = (enum flag_layout)((h >> 8) % FLAG_LAYOUTS);
	s.bands = s.layout == FLAG_VSTRIPES ? 2 + (h >> 16) % 2 : 2 + (h >> 16) % 3;
	s.disc = s.layout != FLAG_DISC && ((h >> 24) & 3u) == 0;
	for (y = 0; y < FLAG_HEIGHT; y++) {
		for (x = 0; x < FLAG_WIDTH; x++)
			pixels[y * FLAG_WIDTH + x] = (uint8_t)flag_pixel(&s, x, y);
	}
}

enum qv_err flag_gif(const char cc[2], uint8_t *out, size_t cap, size_t *len, struct qv_error *err)
{
	uint8_t palette[FLAG_COLORS * 3];
	uint8_t *pixels = malloc(FLAG_WIDTH * FLAG_HEIGHT);
	struct gif_image img;
	enum qv_err rc;

	*len = 0;
	if (pixels == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory drawing a flag");
	flag_draw(cc, pixels, palette);
	img.width = FLAG_WIDTH;
	img.height = FLAG_HEIGHT;
	img.pixels = pixels;
	img.palette = palette;
	img.ncolors = FLAG_COLORS;
	rc = gif_encode(&img, out, cap, len, err);
	free(pixels);
	return rc;
}
