/* Color tables and packed-index expansion for the palette formats (BMP, Sun
 * raster), with cv2's semantics (imgcodecs utils.cpp: FillGrayPalette,
 * IsColorPalette, CvtPaletteToGray, FillColorRow1/4/8, FillGrayRow1/4/8).
 * A table always has 256 entries and entries a file does not define are
 * zero, as in cv2, so every 1-, 4- or 8-bit index is in range. */
#ifndef IMC_PALETTE_H
#define IMC_PALETTE_H

#include "../internal.h"

enum { IMC_PALETTE_ENTRIES = 256 };

typedef struct imc_palette {
    uint8_t bgra[IMC_PALETTE_ENTRIES][4]; /* cv2's PaletteEntry: b, g, r, a */
    uint8_t gray[IMC_PALETTE_ENTRIES];    /* what gray output uses per index */
} imc_palette;

/* FillGrayPalette: 2^bits evenly spaced grays, 0 to 255. */
void imc_palette_fill_gray(imc_palette *pal, int bits);
/* IsColorPalette: some entry among the first 2^bits is not gray. */
bool imc_palette_is_color(const imc_palette *pal, int bits);
/* CvtPaletteToGray: gray[i] from bgra[i] with cv2's weights, i < entries. */
void imc_palette_make_gray(imc_palette *pal, int entries);

/* The bytes an index paints: 3 (B, G, R) when nch is 3, else 1 (gray). */
static inline const uint8_t *imc_palette_ink(const imc_palette *pal, int index, int nch)
{
    return nch == 3 ? pal->bgra[index] : &pal->gray[index];
}

/* Expands `count` indices packed MSB first at `bits` (1, 4 or 8) per pixel
 * into `count` BGR (nch 3) or gray (nch 1) pixels. Reads ceil(count*bits/8)
 * bytes of src. */
void imc_palette_expand_row(const imc_palette *pal, const uint8_t *src, int bits, int count,
                            uint8_t *dst, int nch);

#endif
