/* Deterministic synthetic images for the C tests. */
#ifndef IMC_SYNTH_H
#define IMC_SYNTH_H

#include <stdint.h>

#include "imc.h"

/* A smooth gradient with texture, so JPEG has real work; `salt` varies it. */
static inline int synth_image(imc_image *img, int rows, int cols, int channels, int depth,
                              unsigned salt)
{
    int rc = imc_image_alloc(img, rows, cols, channels, depth);
    if (rc != IMC_OK)
        return rc;
    uint32_t state = 2463534242u ^ salt;
    for (int y = 0; y < rows; y++) {
        for (int x = 0; x < cols; x++) {
            for (int c = 0; c < channels; c++) {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                unsigned v = (unsigned)(x * 255 / (cols > 1 ? cols - 1 : 1) + y * 3 + c * 50) % 256;
                v = (v + (state & 15)) & 255;
                uint8_t *row = (uint8_t *)img->data + (size_t)y * img->step;
                if (depth == IMC_8U)
                    row[(size_t)x * channels + c] = (uint8_t)v;
                else if (depth == IMC_16U)
                    ((uint16_t *)(void *)row)[(size_t)x * channels + c] = (uint16_t)(v * 257 ^ (state >> 20));
            }
        }
    }
    return IMC_OK;
}

/* Byte-wise equality of the pixels of two images of one type. */
static inline int same_pixels(const imc_image *a, const imc_image *b)
{
    if (a->rows != b->rows || a->cols != b->cols || a->channels != b->channels ||
        a->depth != b->depth)
        return 0;
    size_t row = (size_t)a->cols * (size_t)a->channels * imc_depth_size(a->depth);
    for (int y = 0; y < a->rows; y++)
        if (memcmp((const uint8_t *)a->data + (size_t)y * a->step,
                   (const uint8_t *)b->data + (size_t)y * b->step, row))
            return 0;
    return 1;
}

#endif
