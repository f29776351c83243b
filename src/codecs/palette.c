/* Palette helpers shared by the BMP and Sun raster codecs (see palette.h). */
#include "palette.h"

#include <string.h>

void imc_palette_fill_gray(imc_palette *pal, int bits)
{
    int n = 1 << bits;
    for (int i = 0; i < n; i++) {
        uint8_t v = (uint8_t)(i * 255 / (n - 1));
        pal->bgra[i][0] = pal->bgra[i][1] = pal->bgra[i][2] = v;
        pal->bgra[i][3] = 0;
    }
}

bool imc_palette_is_color(const imc_palette *pal, int bits)
{
    for (int i = 0; i < 1 << bits; i++) {
        const uint8_t *e = pal->bgra[i];
        if (e[0] != e[1] || e[0] != e[2])
            return true;
    }
    return false;
}

void imc_palette_make_gray(imc_palette *pal, int entries)
{
    for (int i = 0; i < entries; i++)
        imc_row_bgr_to_gray_8u(pal->bgra[i], 4, &pal->gray[i], 1, false);
}

void imc_palette_expand_row(const imc_palette *pal, const uint8_t *src, int bits, int count,
                            uint8_t *dst, int nch)
{
    if (bits == 8) {
        for (int x = 0; x < count; x++, dst += nch)
            memcpy(dst, imc_palette_ink(pal, src[x], nch), (size_t)nch);
        return;
    }
    const int per_byte = 8 / bits, mask = (1 << bits) - 1;
    for (int x = 0; x < count; x++, dst += nch) {
        int shift = 8 - bits * (x % per_byte + 1);
        memcpy(dst, imc_palette_ink(pal, src[x / per_byte] >> shift & mask, nch), (size_t)nch);
    }
}
