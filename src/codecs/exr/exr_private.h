/* What the files of the OpenEXR codec share (exr.c explains the codec):
 *   exr.c         the descriptor, cv2's readHeader, and reading
 *   io.c          memory streams for OpenEXRCore and its messages
 *   cxx_layout.c  the file as OpenEXR's C++ library (cv2's) reads and writes it
 *   slices.c      chunks decoded into cv2's frame buffer
 *   cv2_post.c    cv2's conversions after reading, element for element
 *   write.c       the encoder */
#ifndef IMC_EXR_PRIVATE_H
#define IMC_EXR_PRIVATE_H

#include "../codecs.h"
#include "../../bytes.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <OpenEXR/openexr.h>

/* The stream both directions use: memory in, imc_buffer out, and the first
 * library message kept for the error report (OpenEXRCore prints to stderr
 * unless given a handler). */
typedef struct {
    const uint8_t *buf;
    size_t len;
    uint8_t *patched; /* buf's first patched_len bytes as the C++ library reads them */
    size_t patched_len;
    imc_buffer *out;
    bool nomem;
    char message[160];
} stream;

/* ---- Decoding state ---------------------------------------------------------- */
typedef const exr_attr_chlist_entry_t channel;

/* One frame-buffer slice as cv2 inserts it: a channel name, the channel of
 * that name in the file (NULL: filled with 0) and the sampling cv2 gives. */
typedef struct {
    const char *name;
    channel *chan;
    int xs, ys;
} slice;

typedef struct {
    stream io;
    size_t table; /* where the (first part's) offset table starts */
    exr_context_t ctx;
    exr_attr_box2i_t window;
    int width, height;
    exr_attr_chromaticities_t chroma;
    channel *red, *green, *blue, *alpha; /* cv2's m_red ... */
    bool iscolor, ischroma, hasalpha;
} decoder;

/* Where cv2's frame buffer puts each sample: slice i of the pixel at
 * compact position (col, row) is at base + row * ystride + col * xstride +
 * 4 * i; a sub-sampled channel fills cols [0, width / xs) of rows
 * [0, height / ys). */
typedef struct {
    uint8_t *base;
    size_t xstride, ystride;
    const slice *slices;
    int count;
} frame;

/* The channel of that name, or NULL. */
static inline channel *imc_exr_find_channel(const exr_attr_chlist_t *list, const char *name)
{
    for (int i = 0; i < list->num_channels; i++)
        if (!strcmp(list->entries[i].name.str, name))
            return &list->entries[i];
    return NULL;
}

/* What cv2's readData decides from the output type. */
typedef struct {
    bool native, color, justcopy, chromatorgb, rgbtogray;
    int toread; /* cv2's channelstoread */
    slice slices[4];
    int count;
} plan;

/* ---- io.c ------------------------------------------------------------------ */
void imc_exr_keep_message(exr_const_context_t ctx, exr_result_t code, const char *msg);
int64_t imc_exr_read_memory(exr_const_context_t ctx, void *user, void *buffer, uint64_t size,
                            uint64_t offset, exr_stream_error_func_ptr_t error_cb);
int64_t imc_exr_memory_size(exr_const_context_t ctx, void *user);
int64_t imc_exr_write_memory(exr_const_context_t ctx, void *user, const void *buffer,
                             uint64_t size, uint64_t offset, exr_stream_error_func_ptr_t error_cb);
int imc_exr_failure(const stream *s, exr_result_t rc, const char *what, imc_error *err);

/* ---- cxx_layout.c ---------------------------------------------------------- */
/* s->patched: the headers as the C++ library reads them. */
int imc_exr_cxx_headers(stream *s, size_t *end, imc_error *err);
int64_t imc_exr_floor_mod(int64_t a, int64_t b);
/* Where the C++ scan-line reader finds the chunks of a single-part file in
 * increasing line order (it reads every one, as cv2 asks for all lines):
 * the first at its table offset (after the table when an entry is not
 * positive), each next right after the previous. Writes those positions
 * over the offset table; fails where the C++ reader would. */
int imc_exr_cxx_chunk_offsets(stream *s, exr_context_t ctx, size_t table, imc_error *err);
/* The C++ tile reader seeks to each tile's table offset and checks the
 * tile's header there (unless an entry is not positive: then it rescans,
 * left to OpenEXRCore). Level-0 tile (tx, ty) is entry ty * across + tx. */
int imc_exr_cxx_check_tile(const stream *s, size_t table, int32_t chunks, int32_t tx, int32_t ty,
                           int32_t across, uint64_t max_size, imc_error *err);
/* Rewrites OpenEXRCore's single-part header the way the C++ library (cv2)
 * writes it: attributes sorted by name and no "type" attribute (optional
 * for single-part files), moving the offset table's entries accordingly.
 * The chunks are the same bytes, so the file is cv2's byte for byte. */
int imc_exr_cxx_header_order(imc_buffer *out, int32_t chunks, imc_error *err);

/* ---- slices.c -------------------------------------------------------------- */
/* Fills the frame from every chunk of the first part (level 0 if tiled);
 * samples of absent slices are left as they are (zero). */
int imc_exr_read_frame(decoder *d, const frame *f, imc_error *err);

/* ---- cv2_post.c ------------------------------------------------------------ */
int imc_exr_make_plan(const decoder *d, const imc_image *dst, plan *p, imc_error *err);
/* The "justcopy" path: the frame is the output itself. */
int imc_exr_read_direct(decoder *d, const plan *p, imc_image *dst, imc_error *err);
int imc_exr_read_by_lines(decoder *d, const plan *p, imc_image *dst, imc_error *err);

/* ---- write.c --------------------------------------------------------------- */
int imc_exr_encode(const imc_image *img, const imc_encode_request *req, imc_buffer *out,
                   imc_error *err);
extern const imc_param_spec imc_exr_params[3];

#endif
