/* A fast zlib-format compressor for filtered image data: Huffman coding,
 * with runs of one repeated byte coded as distance-1 matches (what zlib's
 * Z_RLE strategy finds) — no match search, so it runs at memory speed. */
#ifndef IMC_PNG_DEFLATE_H
#define IMC_PNG_DEFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imc.h"

typedef struct {
    bool runs;        /* code byte runs as matches (else literals only) */
    bool fixed_codes; /* deflate's fixed Huffman codes instead of per-block ones */
} imc_deflate_fast_options;

/* Streaming use: init, then one call per deflate block (each block is any
 * number of bytes, up to IMC_DEFLATE_FAST_BLOCK), the last with `final`;
 * free always. The stream is appended to `out`. */
enum { IMC_DEFLATE_FAST_BLOCK = 1 << 18 };

typedef struct imc_zlib_fast_state imc_zlib_fast_state;

int imc_zlib_fast_init(imc_zlib_fast_state **state, const imc_deflate_fast_options *opts,
                       imc_buffer *out);
int imc_zlib_fast_block(imc_zlib_fast_state *state, const uint8_t *data, size_t n, bool final);
void imc_zlib_fast_free(imc_zlib_fast_state *state);

/* Appends a complete zlib stream of in[0..n) to out. */
int imc_zlib_fast(const uint8_t *in, size_t n, const imc_deflate_fast_options *opts,
                  imc_buffer *out);

#endif
