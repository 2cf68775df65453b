/* gif.c - GIF89a encoding: header, global colour table, one image, LZW data.
 *
 * The LZW coder follows giflib's conventions (variable code width from
 * min_code_size + 1 up to 12 bits, a clear code when the table reaches 4095
 * entries, the width grown right after the code that fills a width), which
 * every decoder accepts.  The string table is an open-addressing hash of
 * (prefix code, pixel) -> code, as in the classic compress-derived encoders. */
#include "serve/gif.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

/* GIF codes are at most 12 bits; like giflib we clear before code 4095 is
 * assigned, so no decoder meets a full 4096-entry table. */
#define LZW_BITS_MAX 12u
#define LZW_CODE_LIMIT 4095u
/* Power of two, at least twice the codes, keeping probe chains short. */
#define LZW_HASH_BITS 13u
#define LZW_HASH_SIZE (1u << LZW_HASH_BITS)
/* Data sub-blocks carry at most 255 bytes each. */
#define GIF_BLOCK_MAX 255u

struct lzw {
	uint32_t keys[LZW_HASH_SIZE];   /* (prefix << 8 | pixel) + 1; 0 = empty */
	uint16_t codes[LZW_HASH_SIZE];
	uint8_t *out;                   /* the caller's buffer */
	size_t cap, len;
	uint32_t acc;                   /* pending bits, LSB first */
	unsigned nbits;
	uint8_t block[GIF_BLOCK_MAX];
	unsigned blen;
	bool overflow;
};

static void gif_put(struct lzw *z, const void *p, size_t n)
{
	if (z->overflow || n > z->cap - z->len) {
		z->overflow = true;
		return;
	}
	memcpy(z->out + z->len, p, n);
	z->len += n;
}

static void gif_put_byte(struct lzw *z, unsigned b)
{
	uint8_t v = (uint8_t)b;

	gif_put(z, &v, 1);
}

static void gif_put_u16(struct lzw *z, unsigned v)
{
	gif_put_byte(z, v & 0xffu);
	gif_put_byte(z, v >> 8);
}

static void lzw_block_flush(struct lzw *z)
{
	if (z->blen == 0)
		return;
	gif_put_byte(z, z->blen);
	gif_put(z, z->block, z->blen);
	z->blen = 0;
}

static void lzw_emit(struct lzw *z, unsigned code, unsigned width)
{
	z->acc |= (uint32_t)code << z->nbits;
	z->nbits += width;
	while (z->nbits >= 8) {
		z->block[z->blen++] = (uint8_t)(z->acc & 0xffu);
		z->acc >>= 8;
		z->nbits -= 8;
		if (z->blen == GIF_BLOCK_MAX)
			lzw_block_flush(z);
	}
}

static void lzw_finish(struct lzw *z)
{
	if (z->nbits > 0) {
		z->block[z->blen++] = (uint8_t)(z->acc & 0xffu);
		z->acc = 0;
		z->nbits = 0;
	}
	lzw_block_flush(z);
	gif_put_byte(z, 0);   /* block terminator */
}

static uint32_t lzw_slot(uint32_t key)
{
	return hash_mul32(key) >> (32u - LZW_HASH_BITS);
}

/* Whether key has a code (then *code gets it); else *slot gets where it
 * would go. */
static bool lzw_find(const struct lzw *z, uint32_t key, unsigned *code, uint32_t *slot)
{
	uint32_t i = lzw_slot(key);

	while (z->keys[i] != 0) {
		if (z->keys[i] == key + 1) {
			*code = z->codes[i];
			return true;
		}
		i = (i + 1) & (LZW_HASH_SIZE - 1);
	}
	*slot = i;
	return false;
}

/* The LZW data of the image: min code size byte, sub-blocks, terminator. */
static void lzw_encode(struct lzw *z, const uint8_t *pix, size_t n, unsigned min_size)
{
	const unsigned clear = 1u << min_size, eoi = clear + 1;
	unsigned width = min_size + 1, next = clear + 2, prefix = pix[0];
	size_t i;

	gif_put_byte(z, min_size);
	lzw_emit(z, clear, width);
	for (i = 1; i < n; i++) {
		uint32_t key = ((uint32_t)prefix << 8) | pix[i], slot = 0;

		if (lzw_find(z, key, &prefix, &slot))
			continue;
		lzw_emit(z, prefix, width);
		if (next < LZW_CODE_LIMIT) {
			z->keys[slot] = key + 1;
			z->codes[slot] = (uint16_t)next++;
			if (next > (1u << width) && width < LZW_BITS_MAX)
				width++;
		} else {
			lzw_emit(z, clear, width);
			memset(z->keys, 0, sizeof z->keys);
			width = min_size + 1;
			next = clear + 2;
		}
		prefix = pix[i];
	}
	lzw_emit(z, prefix, width);
	/* The decoder adds one more entry after that code and may widen. */
	if (next == (1u << width) && width < LZW_BITS_MAX)
		width++;
	lzw_emit(z, eoi, width);
	lzw_finish(z);
}

/* Bits per colour-table index: the table has 2^bits entries, bits >= 1. */
static unsigned gif_color_bits(unsigned ncolors)
{
	unsigned bits = 1;

	while ((1u << bits) < ncolors)
		bits++;
	return bits;
}

size_t gif_size_max(const struct gif_image *img)
{
	size_t npix = (size_t)img->width * img->height;
	/* every pixel a 12-bit code, plus clear codes and the first/last codes */
	size_t data = (npix + npix / 1000 + 4) * LZW_BITS_MAX / 8 + 2;

	return 13 + 3 * 256 + 10 + 1 + data + data / GIF_BLOCK_MAX + 2 + 1;
}

static bool gif_image_ok(const struct gif_image *img)
{
	size_t i, npix;

	if (img->width == 0 || img->height == 0 || img->width > GIF_DIM_MAX ||
	    img->height > GIF_DIM_MAX || img->ncolors == 0 || img->ncolors > GIF_COLORS_MAX ||
	    img->pixels == NULL || img->palette == NULL)
		return false;
	npix = (size_t)img->width * img->height;
	for (i = 0; i < npix; i++) {
		if (img->pixels[i] >= img->ncolors)
			return false;
	}
	return true;
}

static void gif_header(struct lzw *z, const struct gif_image *img, unsigned bits)
{
	static const uint8_t black[3] = {0, 0, 0};
	unsigned i;

	gif_put(z, "GIF89a", 6);
	gif_put_u16(z, img->width);
	gif_put_u16(z, img->height);
	/* global colour table present, colour resolution = bits, not sorted */
	gif_put_byte(z, 0x80u | ((bits - 1) << 4) | (bits - 1));
	gif_put_byte(z, 0);   /* background colour index */
	gif_put_byte(z, 0);   /* no aspect ratio */
	gif_put(z, img->palette, (size_t)img->ncolors * 3);
	for (i = img->ncolors; i < (1u << bits); i++)
		gif_put(z, black, 3);
	/* image descriptor: whole canvas, no local table, not interlaced */
	gif_put_byte(z, 0x2c);
	gif_put_u16(z, 0);
	gif_put_u16(z, 0);
	gif_put_u16(z, img->width);
	gif_put_u16(z, img->height);
	gif_put_byte(z, 0);
}

enum qv_err gif_encode(const struct gif_image *img, uint8_t *out, size_t cap, size_t *len,
		       struct qv_error *err)
{
	struct lzw *z;
	unsigned bits;

	*len = 0;
	if (!gif_image_ok(img))
		return qv_error_set(err, QV_E_INTERNAL, "GIF: invalid image");
	z = calloc(1, sizeof *z);
	if (z == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory encoding a GIF");
	z->out = out;
	z->cap = cap;
	bits = gif_color_bits(img->ncolors);
	gif_header(z, img, bits);
	/* LZW needs a minimum code size of at least 2 */
	lzw_encode(z, img->pixels, (size_t)img->width * img->height, bits < 2 ? 2 : bits);
	gif_put_byte(z, 0x3b);   /* trailer */
	if (z->overflow) {
		free(z);
		return qv_error_set(err, QV_E_TOO_BIG, "GIF: output buffer of %zu bytes too small",
				    cap);
	}
	*len = z->len;
	free(z);
	return QV_OK;
}
