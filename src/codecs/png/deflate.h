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
    bool raw;         /* deflate data alone: no zlib header, no Adler-32 trailer (a piece
                         of a stream that several threads write) */
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
/* Ends the data so far at a byte boundary without ending the stream (an
 * empty stored block, zlib's sync flush): what follows may be another
 * state's raw output. */
int imc_zlib_fast_sync(imc_zlib_fast_state *state);
/* The Adler-32 of the bytes coded so far. */
uint32_t imc_zlib_fast_adler(const imc_zlib_fast_state *state);
/* The Adler-32 of a followed by b, from theirs and b's length. */
uint32_t imc_adler32_concat(uint32_t adler_a, uint32_t adler_b, uint64_t len_b);

/* Appends a complete zlib stream of in[0..n) to out. */
int imc_zlib_fast(const uint8_t *in, size_t n, const imc_deflate_fast_options *opts,
                  imc_buffer *out);

#endif
