/* test_gif.c - the GIF encoder and the synthetic flags, checked by an
 * independent GIF decoder written here from the GIF89a spec. */
#include "tq.h"

#include <stdlib.h>
#include <string.h>

#include "serve/country.h"
#include "serve/flag.h"
#include "serve/gif.h"

void suite_gif(struct tq *t);

/* ---- a small, strict GIF decoder (one image, global table) ---- */

struct dec {
	const uint8_t *p;
	size_t len, pos;
	/* LZW data gathered from the sub-blocks */
	uint8_t *data;
	size_t dlen, bitpos;
	/* the string table: code -> (prefix code, last pixel, length) */
	uint16_t prefix[4096], suffix[4096], slen[4096];
};

struct decoded {
	unsigned width, height, ncolors;
	uint8_t palette[768];
	uint8_t *pixels;   /* malloc'd */
};

static int dec_byte(struct dec *d)
{
	return d->pos < d->len ? d->p[d->pos++] : -1;
}

static int dec_u16(struct dec *d)
{
	int lo = dec_byte(d), hi = dec_byte(d);

	return lo < 0 || hi < 0 ? -1 : lo | hi << 8;
}

static int dec_code(struct dec *d, unsigned width)
{
	unsigned v = 0, i;

	if (d->bitpos + width > d->dlen * 8)
		return -1;
	for (i = 0; i < width; i++, d->bitpos++)
		v |= (unsigned)((d->data[d->bitpos / 8] >> (d->bitpos % 8)) & 1u) << i;
	return (int)v;
}

/* Gather sub-blocks up to the terminator. */
static int dec_blocks(struct dec *d)
{
	int n;

	d->data = malloc(d->len);
	if (d->data == NULL)
		return -1;
	while ((n = dec_byte(d)) > 0) {
		if (d->pos + (size_t)n > d->len)
			return -1;
		memcpy(d->data + d->dlen, d->p + d->pos, (size_t)n);
		d->dlen += (size_t)n;
		d->pos += (size_t)n;
	}
	return n == 0 ? 0 : -1;
}

/* Append the string of code to out[*n]; returns its first pixel. */
static int lzw_string(const struct dec *d, unsigned code, uint8_t *out, size_t *n, size_t max)
{
	unsigned len = d->slen[code], i, c = code;

	if (*n + len > max)
		return -1;
	for (i = len; i-- > 0;) {
		out[*n + i] = (uint8_t)d->suffix[c];
		c = d->prefix[c];
	}
	*n += len;
	return out[*n - len];
}

static int dec_lzw(struct dec *d, unsigned min_size, uint8_t *out, size_t npix)
{
	unsigned clear = 1u << min_size, eoi = clear + 1, width = min_size + 1, next = clear + 2;
	int prev = -1, code;
	size_t n = 0;

	for (code = 0; code < (int)clear; code++) {
		d->prefix[code] = 0;
		d->suffix[code] = (uint16_t)code;
		d->slen[code] = 1;
	}
	while ((code = dec_code(d, width)) >= 0) {
		int first;

		if ((unsigned)code == clear) {
			width = min_size + 1;
			next = clear + 2;
			prev = -1;
			continue;
		}
		if ((unsigned)code == eoi)
			return n == npix ? 0 : -1;
		if (prev < 0) {
			if ((unsigned)code >= clear || lzw_string(d, (unsigned)code, out, &n, npix) < 0)
				return -1;
			prev = code;
			continue;
		}
		if ((unsigned)code < next) {
			first = lzw_string(d, (unsigned)code, out, &n, npix);
		} else if ((unsigned)code == next && next < 4096) {
			first = lzw_string(d, (unsigned)prev, out, &n, npix);
			if (first < 0 || n >= npix)
				return -1;
			out[n++] = (uint8_t)first;
		} else {
			return -1;
		}
		if (first < 0)
			return -1;
		if (next < 4096) {
			d->prefix[next] = (uint16_t)prev;
			d->suffix[next] = (uint16_t)first;
			d->slen[next] = (uint16_t)(d->slen[prev] + 1);
			next++;
			if (next == (1u << width) && width < 12)
				width++;
		}
		prev = code;
	}
	return -1;   /* ran out of data before EOI */
}

static int gif_decode(const uint8_t *p, size_t len, struct decoded *g)
{
	struct dec d;
	int flags, min_size, rc = -1;
	size_t npix;

	memset(g, 0, sizeof *g);
	memset(&d, 0, sizeof d);
	if (len < 13 || memcmp(p, "GIF89a", 6) != 0)
		return -1;
	d.p = p;
	d.len = len;
	d.pos = 6;
	g->width = (unsigned)dec_u16(&d);
	g->height = (unsigned)dec_u16(&d);
	flags = dec_byte(&d);
	(void)dec_byte(&d);
	(void)dec_byte(&d);
	if (flags < 0 || !(flags & 0x80))
		return -1;
	g->ncolors = 2u << (flags & 7);
	if (d.pos + 3 * g->ncolors > len)
		return -1;
	memcpy(g->palette, p + d.pos, 3 * g->ncolors);
	d.pos += 3 * g->ncolors;
	if (dec_byte(&d) != 0x2c || dec_u16(&d) != 0 || dec_u16(&d) != 0 ||
	    dec_u16(&d) != (int)g->width || dec_u16(&d) != (int)g->height || dec_byte(&d) != 0)
		return -1;
	min_size = dec_byte(&d);
	npix = (size_t)g->width * g->height;
	g->pixels = malloc(npix);
	if (min_size < 2 || min_size > 8 || g->pixels == NULL || dec_blocks(&d) != 0)
		goto out;
	if (dec_lzw(&d, (unsigned)min_size, g->pixels, npix) != 0)
		goto out;
	/* the trailer ends the file */
	if (dec_byte(&d) == 0x3b && d.pos == len)
		rc = 0;
out:
	free(d.data);
	return rc;
}

/* ---- tests ---- */

static void roundtrip(struct tq *t, unsigned w, unsigned h, unsigned ncolors, unsigned mode)
{
	size_t npix = (size_t)w * h, cap, len = 0, i;
	uint8_t *pix = malloc(npix), *out, pal[768];
	uint32_t x = w * 31u + h * 7u + ncolors;
	struct gif_image img;
	struct decoded g;

	if (!TQ_TRUE(t, pix != NULL))
		return;
	for (i = 0; i < sizeof pal; i++)
		pal[i] = (uint8_t)(i * 37u);
	for (i = 0; i < npix; i++) {
		x = x * 1103515245u + 12345u;
		/* 0: noise (fills the table: clear codes), 1: runs, 2: sparse */
		pix[i] = (uint8_t)(mode == 0 ? (x >> 16) % ncolors
				   : mode == 1 ? (i / 5) % ncolors : ((x >> 16) % 40 ? 0 : (x >> 8) % ncolors));
	}
	img.width = w;
	img.height = h;
	img.pixels = pix;
	img.palette = pal;
	img.ncolors = ncolors;
	cap = gif_size_max(&img);
	out = malloc(cap);
	if (TQ_TRUE(t, out != NULL) && TQ_INT(t, gif_encode(&img, out, cap, &len, NULL), QV_OK) &&
	    TQ_INT(t, gif_decode(out, len, &g), 0)) {
		TQ_INT(t, g.width, w);
		TQ_INT(t, g.height, h);
		TQ_TRUE(t, g.ncolors >= ncolors);
		TQ_MEM(t, g.palette, 3 * (size_t)ncolors, pal, 3 * (size_t)ncolors);
		TQ_MEM(t, g.pixels, npix, pix, npix);
		free(g.pixels);
	}
	free(out);
	free(pix);
}

static void test_roundtrip_small(struct tq *t)
{
	roundtrip(t, 1, 1, 1, 0);
	roundtrip(t, 1, 1, 2, 0);
	roundtrip(t, 2, 2, 2, 0);
	roundtrip(t, 3, 1, 3, 1);
	roundtrip(t, 17, 5, 4, 0);
	roundtrip(t, 64, 64, 16, 1);
}

/* Big enough that the 4095-entry table fills and clear codes are sent, at
 * every minimum code size. */
static void test_roundtrip_table_full(struct tq *t)
{
	roundtrip(t, 300, 200, 256, 0);
	roundtrip(t, 300, 200, 2, 0);
	roundtrip(t, 257, 130, 5, 0);
	roundtrip(t, 1000, 40, 3, 2);
	roundtrip(t, 4000, 1, 9, 1);
	roundtrip(t, 200, 300, 100, 2);
}

static void test_encode_errors(struct tq *t)
{
	uint8_t pix[4] = {0, 1, 1, 0}, pal[6] = {0, 0, 0, 255, 255, 255}, out[64];
	struct gif_image img = {2, 2, pix, pal, 2};
	size_t len = 99;

	TQ_INT(t, gif_encode(&img, out, 10, &len, NULL), QV_E_TOO_BIG);
	TQ_INT(t, len, 0);
	TQ_INT(t, gif_encode(&img, out, sizeof out, &len, NULL), QV_OK);
	TQ_TRUE(t, len > 13 && len < sizeof out);
	pix[3] = 2;   /* index beyond the palette */
	TQ_INT(t, gif_encode(&img, out, sizeof out, &len, NULL), QV_E_INTERNAL);
	pix[3] = 0;
	img.width = 0;
	TQ_INT(t, gif_encode(&img, out, sizeof out, &len, NULL), QV_E_INTERNAL);
	img.width = 2;
	img.ncolors = 0;
	TQ_INT(t, gif_encode(&img, out, sizeof out, &len, NULL), QV_E_INTERNAL);
	img.ncolors = 257;
	TQ_INT(t, gif_encode(&img, out, sizeof out, &len, NULL), QV_E_INTERNAL);
}

static void test_flag_size_bound(struct tq *t)
{
	uint8_t pal[FLAG_COLORS * 3];
	struct gif_image img = {FLAG_WIDTH, FLAG_HEIGHT, pal, pal, FLAG_COLORS};

	TQ_TRUE(t, gif_size_max(&img) <= FLAG_GIF_MAX);
}

/* Every one of the 194 flags decodes to what flag_draw drew, is small, and
 * comes out the same twice. */
static void test_flags_all(struct tq *t)
{
	static uint8_t a[FLAG_GIF_MAX], b[FLAG_GIF_MAX];
	static uint8_t pix[FLAG_WIDTH * FLAG_HEIGHT];
	uint8_t pal[FLAG_COLORS * 3];
	size_t i, alen, blen, distinct = 0, prev_len = 0;

	for (i = 0; i < COUNTRY_COUNT; i++) {
		char cc[2] = {(char)(country_table[i].iso[0] + 32), (char)(country_table[i].iso[1] + 32)};
		struct decoded g;

		if (!TQ_INT(t, flag_gif(cc, a, sizeof a, &alen, NULL), QV_OK) ||
		    !TQ_INT(t, flag_gif(country_table[i].iso, b, sizeof b, &blen, NULL), QV_OK))
			return;
		TQ_MEM(t, a, alen, b, blen);   /* deterministic, case-insensitive */
		TQ_TRUE(t, alen >= 150 && alen <= 2000);
		if (!TQ_INT(t, gif_decode(a, alen, &g), 0))
			return;
		flag_draw(cc, pix, pal);
		TQ_INT(t, g.width, FLAG_WIDTH);
		TQ_INT(t, g.height, FLAG_HEIGHT);
		TQ_MEM(t, g.pixels, sizeof pix, pix, sizeof pix);
		TQ_MEM(t, g.palette, sizeof pal, pal, sizeof pal);
		free(g.pixels);
		distinct += alen != prev_len;
		prev_len = alen;
	}
	TQ_TRUE(t, distinct > COUNTRY_COUNT / 2);   /* not all the same picture */
}

void suite_gif(struct tq *t)
{
	tq_run(t, "round trip, small images", test_roundtrip_small);
	tq_run(t, "round trip, table fills and clears", test_roundtrip_table_full);
	tq_run(t, "encoder rejects bad input and small buffers", test_encode_errors);
	tq_run(t, "FLAG_GIF_MAX bounds a flag", test_flag_size_bound);
	tq_run(t, "all 194 flags decode, small and deterministic", test_flags_all);
}
