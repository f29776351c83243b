/* Internal interfaces shared by the dispatch code and the codecs. */
#ifndef IMC_INTERNAL_H
#define IMC_INTERNAL_H

#include "imc.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define IMC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define IMC_PRINTF(a, b)
#endif

/* ---- Errors ------------------------------------------------------------- */
/* Records code and message in `err` (which may be NULL); returns code. */
int imc_fail(imc_error *err, int code, const char *fmt, ...) IMC_PRINTF(3, 4);
void imc_error_clear(imc_error *err);

/* ---- Option structs ----------------------------------------------------- */
/* Copies the caller's option struct (its first member the size_t `size`)
 * into `local` of local_size bytes: fields an older caller's struct lacks
 * are zero (the defaults). IMC_ERR_ARG naming struct `name` when size is
 * unset or larger than local_size (a newer imc.h's). */
int imc_options_in(void *local, size_t local_size, const void *caller, const char *name,
                   imc_error *err);

/* ---- Codec interface ---------------------------------------------------- */
/* What a decoder learns from the header. */
typedef struct imc_header {
    int width, height;   /* of the pixels read() delivers */
    int channels, depth; /* native type: what IMREAD_UNCHANGED returns */
    bool scaled;         /* the codec applied scale_denom itself */
    int shrunk_by;       /* for a thumbnail's shrink-on-load: output pixel i is source block
                            [i k, (i + 1) k) for this k; 0: the whole image maps onto the
                            output (a rescaler's) */
    /* cv2's decoder returns its own channel count whatever the flags ask
     * (HDR and PFM convert with convertTo, which keeps channels): only the
     * depth follows the flags. */
    bool native_channels;
    /* The data present cannot hold the pixels the header promises, so read()
     * would fail; dispatch fails after the limit check, before allocating. */
    bool data_too_short;
    int orientation; /* EXIF orientation found by open() (1..8), 0 if none or unknown yet */
    /* Animations, as cv2's Animation reports them: 0 loops means forever. */
    int loop_count;
    uint8_t bgcolor[4]; /* B, G, R, A */
} imc_header;

/* Damage a codec tolerated while reading: the worst kind (enum
 * imc_damage_kind), the first row it spoiled (-1: none or unknown), how many
 * warnings, and the library's words for the worst. */
typedef struct imc_damage {
    int kind;
    int first_bad_row;
    int warnings;
    int page; /* the page or frame of the worst */
    bool enforced; /* the decode failed for it (fail_on): the failure adds no damage */
    char message[256];
} imc_damage;
#define IMC_DAMAGE_NONE_YET {IMC_DAMAGE_NONE, -1, 0, 0, false, ""}

/* Records damage of `kind` first seen at `row` (-1: unknown); the message
 * of the first of the worst kind is kept. Warnings are counted. */
void imc_damage_note(imc_damage *d, int kind, int row, const char *fmt, ...) IMC_PRINTF(4, 5);

/* Where a streaming read sends the rows (imc_decode_rows): begin() learns
 * the shape before any row; row() gets each, in order, all of them. */
typedef struct imc_row_sink {
    int (*begin)(void *ctx, int cols, int rows, int channels, int depth, int shrunk_by,
                 imc_error *err);
    void (*row)(void *ctx, int y, const void *row);
    void *ctx;
} imc_row_sink;

/* open()'s scale_denom has this bit for a thumbnail's shrink-on-load (the
 * most it may shrink, any whole factor, in the low byte): unlike cv2's
 * REDUCED_*, which most codecs leave to a resize after decoding, a codec may
 * then scale by as much of that as it can (setting hdr->scaled and
 * hdr->shrunk_by). */
#define IMC_SHRINK_ON_LOAD 0x100

/* imc_decode_ex with the codec's own shrink-on-load by at most `shrink`
 * where it has one (else the full size; no REDUCED_* resize after decoding:
 * the thumbnail's reduction does better), the rows sent to `sink`: streamed
 * by codecs that can (a few rows held), else from the whole decoded image.
 * Orientation is not applied (the caller turns what it makes of the rows). */
int imc_decode_rows(const void *buf, size_t len, const imc_decode_options *opts, int shrink,
                    const imc_row_sink *sink, imc_error *err);

struct imc_codec;
/* imc_decode_multi's reading (cv2's imreadmulti_) of pages [start, start +
 * count) (count 0: to the end) on `threads` threads, for codecs whose pages
 * are independent (decode_pages.c): the same pages, damage and outcome as
 * one thread gets; strict: a page that fails fails the call. */
int imc_read_pages_threaded(const struct imc_codec *codec, const uint8_t *buf, size_t len,
                            const imc_decode_options *opts, size_t start, size_t count,
                            int threads, bool strict, imc_damage *damage, imc_image_list *out,
                            imc_error *err);
/* Decodes the page the codec's `state` is positioned on (read_page.c):
 * cv2's type from opts->flags, the limits, one allocation (or `into`, the
 * caller's memory, checked against the header), read, the REDUCED_* resize
 * to 1/scale when the codec did not scale, the EXIF turn; the rows to
 * `sink` instead when it is set. */
int imc_read_page(const struct imc_codec *codec, void *state, const imc_header *hdr,
                  const imc_decode_options *opts, int scale, const imc_limits *limits,
                  const imc_image *into, imc_image *out, int *duration_ms, imc_damage *damage,
                  const imc_row_sink *sink, imc_error *err);

/* Notes a read that failed with rc as the damage it was (truncated data;
 * corrupt, unreadable or too large data; arguments, memory and I/O are not
 * damage). */
void imc_damage_failed(imc_damage *d, int rc, const imc_error *err);
/* Adds one page's damage (page `index`) to what a multi-page read met. */
void imc_damage_worst(imc_damage *worst, const imc_damage *page, int index);

/* IMC_ERR_TRUNCATED / IMC_ERR_CORRUPT when d reaches fail_on's level. */
int imc_damage_check(imc_damage *d, int fail_on, const char *codec, imc_error *err);
/* Fills the caller's report (up to its size, at least sizeof(size_t)) from
 * what the codec noted and the decode's outcome rc (with err's message). */
void imc_damage_report_to(const imc_damage *d, int rc, const imc_error *err,
                          imc_damage_report *caller);

/* What dispatch asks read() for: `dst` is allocated with the channel count
 * and depth that the IMREAD flags select (as cv2 computes them); the codec
 * converts into it. */
typedef struct imc_read_request {
    int order;        /* IMC_ORDER_BGR or IMC_ORDER_RGB */
    int orientation;  /* out: EXIF orientation found (1..8), 0 if none */
    int duration_ms;  /* out: display time of this frame; -1 (cv2: 1000) if none */
    imc_damage *damage; /* out: what the data lacked (never NULL) */
    const imc_row_sink *sink; /* NULL; or (codecs with streams_rows) the rows go there, dst
                                 then has the shape but no memory */
    size_t dst_room; /* bytes the codec may write at dst->data, as scratch too: at least
                        rows * step (dst is then packed); 0: only dst's own rows */
    int threads;     /* at most this many threads may read this one image (0 or 1: one) */
} imc_read_request;

/* A codec's encode parameters: each codec lists the IMWRITE_* params it
 * takes (imc_param_info: id, range, what out-of-range values do, default,
 * first or last occurrence), and encode.c reads the caller's (id, value)
 * list against that table once, clamping, skipping or refusing as the
 * table says, into an imc_param_values the encoder reads by table index. */
typedef struct imc_param_spec {
    imc_param_info info;
    const int *skip; /* NULL, or nskip values whose occurrences are skipped */
    size_t nskip;
} imc_param_spec;
enum { IMC_PARAMS_MAX = 8 }; /* most params one codec takes */

/* Parsed params: for table entry k, value[k] (the default when absent),
 * given[k], and at[k], the position of the pair that counted (-1 if
 * absent), for cv2's rules where a later param overrides an earlier one. */
typedef struct imc_param_values {
    int value[IMC_PARAMS_MAX];
    bool given[IMC_PARAMS_MAX];
    int at[IMC_PARAMS_MAX];
} imc_param_values;

/* Whether table entry a counted after entry b (b absent counts as before). */
static inline bool imc_param_later(const imc_param_values *p, int a, int b)
{
    return p->given[a] && p->at[a] > p->at[b];
}

/* Table entries: a range and its rules; IMC_PARAM_ANY takes every int. */
#define IMC_PARAM(id_, min_, max_, below_, above_, def_)                                   \
    {.info = {.name = #id_, .id = IMC_IMWRITE_##id_, .min = (min_), .max = (max_),            \
              .below = (below_), .above = (above_), .def = (def_)}}
/* A descriptor's .params and .param_count for a table. */
#define IMC_CODEC_PARAMS(table) .params = (table), .param_count = (int)(sizeof(table) / sizeof((table)[0]))
#define IMC_PARAM_ANY(id_, def_) IMC_PARAM(id_, INT_MIN, INT_MAX, 0, 0, def_)
#define IMC_PARAM_CLAMPED(id_, min_, max_, def_)                                             \
    IMC_PARAM(id_, min_, max_, IMC_PARAM_CLAMPED, IMC_PARAM_CLAMPED, def_)
/* One of the `values` array, else refused. */
#define IMC_PARAM_ONE_OF(id_, values_, def_)                                                 \
    {.info = {.name = #id_, .id = IMC_IMWRITE_##id_, .min = INT_MIN, .max = INT_MAX,          \
              .values = (values_), .nvalues = sizeof(values_) / sizeof((values_)[0]),         \
              .below = IMC_PARAM_REFUSED, .above = IMC_PARAM_REFUSED, .def = (def_)}}

struct imc_codec;
/* Reads params[0..nparams) (validated pairs) against codec->params. */
int imc_params_read(const struct imc_codec *codec, const int *params, size_t nparams,
                    imc_param_values *out, imc_error *err);

/* What an encoder is asked for besides pixels. */
typedef struct imc_encode_request {
    const imc_param_values *params; /* the caller's params, read against codec->params */
    int order;       /* channel order of the input: IMC_ORDER_BGR or IMC_ORDER_RGB */
    const char *ext; /* the extension that chose the codec: lower case, no dot */
    /* Animations (codecs with .animation set): display time of each image in
     * ms, NULL for cv2's default of 1000 each; loops, 0 meaning forever. */
    const int *durations;
    int loop_count;
    /* Blobs to store, by kind (data NULL: none), only of the kinds in the
     * codec's metadata_written, checked by imc_metadata_check. */
    const imc_metadata_blob *metadata;
    int threads; /* imc_encode_options.threads: 0 or 1 one, -1 one per CPU, else at most */
} imc_encode_request;

/* ---- Metadata (metadata.c) ---------------------------------------------- */
/* Appends a copy of data[0..size) as a blob of `kind` to a library-owned
 * list, found by `codec`: EXIF loses a leading "Exif\0\0"; a blob that is
 * empty, over IMC_METADATA_MAX_BLOB, or that an encoder would refuse as
 * malformed (imc_metadata_check's rules) is refused (counted, with the
 * reason), not added. IMC_ERR_NOMEM is the only failure. */
int imc_metadata_add(imc_metadata *md, int kind, const void *data, size_t size,
                     const char *codec, imc_error *err);
/* Counts a blob left out for being malformed; the first reason is kept. */
void imc_metadata_refuse(imc_metadata *md, const char *fmt, ...) IMC_PRINTF(2, 3);
/* Checks the caller's blobs for an encoder storing the kinds of `writable`
 * (bits 1 << kind): NULL blobs, unknown, repeated or unstorable kinds,
 * oversized or malformed blobs fail. by_kind[k] receives kind k's blob (its
 * EXIF without the "Exif\0\0" prefix) or stays NULL. */
int imc_metadata_check(const imc_metadata *md, unsigned writable, const char *codec,
                       imc_metadata_blob by_kind[IMC_METADATA_KINDS], imc_error *err);

/* Bytes that begin a format's files. */
typedef struct imc_signature {
    const char *bytes;
    size_t len;
} imc_signature;
#define IMC_SIGNATURE(literal) {literal, sizeof literal - 1}

typedef struct imc_codec {
    const char *name;       /* "jpeg" */
    /* How its files begin (a second form where there is one): the fuzz
     * targets put it before inputs the codec does not claim. */
    imc_signature signatures[2];
    const char *extensions; /* encoder extensions, space separated: "jpeg jpg jpe" */
    /* True when the bytes start with this format's signature. */
    bool (*sniff)(const uint8_t *buf, size_t len);

    /* Decoding happens in two steps, as in cv2: open() reads the header, then
     * dispatch checks limits and allocates, then read() fills the pixels.
     * `state` is decoder_size zeroed bytes; close() is always called (NULL
     * when the state holds nothing to release). */
    size_t decoder_size;
    int (*open)(void *state, const uint8_t *buf, size_t len, int scale_denom, imc_header *hdr,
                imc_error *err);
    int (*read)(void *state, imc_image *dst, imc_read_request *req, imc_error *err);
    void (*close)(void *state);
    /* Header facts and orientation; NULL means open() + close() suffice. */
    int (*probe)(const uint8_t *buf, size_t len, imc_info *info, imc_error *err);

    /* Multi-page formats: after read(), moves to the next page or frame and
     * describes it in hdr. Returns 1 if there is one, 0 at the end, a negative
     * code on error. NULL for single-image formats. */
    int (*next_page)(void *state, imc_header *hdr, imc_error *err);

    /* Encoding: img->depth is one of encode_depths (bit 1 << depth), the
     * channel count 1, 3 or 4; req->params holds the params of the table
     * `params` (param_count entries). Formats that hold several images (pages,
     * frames) set encode_multi, which also encodes single images when encode
     * is NULL. */
    int (*encode)(const imc_image *img, const imc_encode_request *req, imc_buffer *out,
                  imc_error *err);
    int (*encode_multi)(const imc_image *imgs, size_t count, const imc_encode_request *req,
                        imc_buffer *out, imc_error *err);
    const imc_param_spec *params;
    int param_count;
    bool params_first_pair_only; /* cv2 4.6 looks at params[0..1] only (WebP) */
    unsigned encode_depths;
    int quality_param; /* IMWRITE_* id that sets quality, 0 if none */
    bool animation;    /* encode_multi stores req->durations and req->loop_count */
    bool streams_rows; /* read() sends rows to req->sink when it is set */
    /* Metadata: appends the first image's blobs to md (library-owned) by
     * walking the container, no pixels decoded; NULL when the format holds
     * none. Damaged blobs are refused (imc_metadata_refuse), not failed:
     * only IMC_ERR_NOMEM fails. */
    int (*read_metadata)(const uint8_t *buf, size_t len, imc_metadata *md, imc_error *err);
    unsigned metadata_written; /* kinds encode stores: bits 1 << IMC_METADATA_* */
    /* Pages decode without the ones before them (no compositing, no shared
     * state): imc_decode_multi may read them on several threads. */
    bool pages_independent;
} imc_codec;

#define IMC_DEPTH_BIT(d) (1u << (d))

static inline bool imc_codec_encodes(const imc_codec *c)
{
    return c->encode || c->encode_multi;
}

/* The registry: every compiled-in codec, in cv2's probing order. */
const imc_codec *const *imc_codec_table(int *count);
const imc_codec *imc_find_decoder(const uint8_t *buf, size_t len);
/* The codec writing `ext`; `word` (may be NULL) receives the extension in
 * lower case, at most IMC_EXT_MAX - 1 characters. */
enum { IMC_EXT_MAX = 16 };
const imc_codec *imc_find_encoder(const char *ext, char *word);

/* ---- Threads ------------------------------------------------------------ */
/* The online CPUs (1..256). */
int imc_online_cpus(void);
/* IMC_ERR_ARG for a `threads` option below IMC_THREADS_AUTO. */
int imc_threads_check(int threads, imc_error *err);
/* The threads a `threads` option asks for: 1 for 0 or 1, the CPUs for
 * IMC_THREADS_AUTO. */
int imc_threads_of(int threads);
/* Runs fn on each of n items (item i at items + i * size), items 1.. on
 * threads of their own, item 0 on the caller's (any whose thread cannot
 * be had there too, in turn); returns when all are done. */
void imc_run_parallel(void *(*fn)(void *), void *items, size_t size, int n);

/* ---- Memory ------------------------------------------------------------- */
/* Aligned memory for pixels, huge-page backed when large; release with free(). */
void *imc_alloc_pixels(size_t size);
/* imc_image_alloc with a byte per row (and a vector) more, which a codec may
 * use as scratch: *room is what may be written at img->data (rows * step and
 * the extra). PNG inflates its whole stream there rather than into a second
 * image-sized buffer. */
int imc_image_alloc_room(imc_image *img, int rows, int cols, int channels, int depth, size_t *room);

/* ---- Buffers ------------------------------------------------------------ */
int imc_buffer_reserve(imc_buffer *buf, size_t capacity);
int imc_buffer_append(imc_buffer *buf, const void *data, size_t size);
/* Appends printf-formatted text (a header line: at most 255 bytes). */
int imc_buffer_printf(imc_buffer *buf, const char *fmt, ...) IMC_PRINTF(2, 3);
/* Writes at `offset`, growing the buffer (zero-filling any gap) as needed:
 * for libraries that seek while writing. */
int imc_buffer_write_at(imc_buffer *buf, size_t offset, const void *data, size_t size);

/* ---- Arithmetic helpers -------------------------------------------------- */
/* a * b into *out; false on overflow. */
static inline bool imc_mul_size(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return false;
    *out = a * b;
    return true;
}

/* cv::cvRound: nearest, ties to even; out-of-range and NaN give INT_MIN as
 * the x86 conversion instruction does. */
int imc_cv_round(double v);

/* ---- Limits ------------------------------------------------------------- */
/* IMC_ERR_LIMITS when width x height x channels x depth exceeds `limits`. */
int imc_check_limits(const imc_limits *limits, uint64_t width, uint64_t height, int channels,
                     int depth, imc_error *err);

/* ---- Pixel operations (pixels.c, resize.c, orient.c) -------------------- */
/* cv::Mat::convertTo(CV_8U): saturating, rounding like cv2. */
int imc_convert_to_8u(const imc_image *src, imc_image *dst, imc_error *err);
/* Swaps channels 0 and 2 in place (BGR <-> RGB). */
void imc_swap_rb(imc_image *img);

/* cv2's per-row color conversions (imgcodecs utils.cpp), same arithmetic:
 * gray = (b*1868 + g*9617 + r*4899 + 8192) >> 14. swap_rb reads RGB input. */
void imc_row_bgr_to_gray_8u(const uint8_t *src, int src_cn, uint8_t *dst, int width, bool swap_rb);
void imc_row_bgr_to_gray_16u(const uint16_t *src, int src_cn, uint16_t *dst, int width,
                             bool swap_rb);
/* cv::cvtColor(COLOR_BGR2GRAY), whose weights differ from the codecs' above:
 * 15-bit fixed point, gray = (b*3735 + g*19235 + r*9798 + 16384) >> 15;
 * src has src_cn (3 or 4) channels per pixel. */
void imc_row_cvt_bgr_to_gray_8u(const uint8_t *src, int src_cn, uint8_t *dst, int width);
void imc_row_cvt_bgr_to_gray_16u(const uint16_t *src, int src_cn, uint16_t *dst, int width);
void imc_row_gray_to_bgr_8u(const uint8_t *src, uint8_t *dst, int width);
void imc_row_gray_to_bgr_16u(const uint16_t *src, uint16_t *dst, int width);
void imc_row_bgra_to_bgr_8u(const uint8_t *src, uint8_t *dst, int width, bool swap_rb);
void imc_row_bgra_to_bgr_16u(const uint16_t *src, uint16_t *dst, int width, bool swap_rb);
/* BGR(A) <-> RGB(A); src may equal dst. */
void imc_row_swap_rb_8u(const uint8_t *src, uint8_t *dst, int width, int cn);
void imc_row_swap_rb_16u(const uint16_t *src, uint16_t *dst, int width, int cn);
/* cv2's CMYK formulas; dst_cn 1 gives gray, 3 gives BGR (RGB when rgb). */
void imc_row_cmyk_to_bgr_8u(const uint8_t *cmyk, uint8_t *dst, int width, int dst_cn, bool rgb);
/* Little-endian 16-bit BGR555 (or BGR565 when green6) to BGR or gray. */
void imc_row_bgr555_to_bgr_8u(const uint8_t *src, uint8_t *dst, int width, int dst_cn, bool green6);
/* One row from scn to dcn channels (1, 3, 4) of depth 8U or 16U, with
 * cvtColor's arithmetic (gray <-> BGR(A), BGRA -> BGR, alpha added opaque;
 * its gray is 15-bit fixed point, unlike imc_row_bgr_to_gray_*);
 * src is RGB(A) when src_rgb, dst gets RGB(A) when dst_rgb. src and dst may
 * be the same row only when scn == dcn. */
void imc_row_convert(const void *src, int scn, bool src_rgb, void *dst, int dcn, bool dst_rgb,
                     int width, int depth);
/* MSB-first bits to bytes: a 0 bit becomes `zero`, a 1 bit `one`, each
 * written cn times (cn 1 or 3); cv2's FillGrayRow1 / FillColorRow1. */
void imc_row_bits_to_8u(const uint8_t *bits, uint8_t *dst, int width, int cn, uint8_t zero,
                        uint8_t one);
/* 16-bit samples to big-endian bytes (PNM, PAM); swap_rb exchanges
 * channels 0 and 2 of each pixel. */
void imc_row_16u_to_be(const uint16_t *src, uint8_t *dst, int width, int cn, bool swap_rb);
/* Sample i of a row of `depth` as float: cv2's convertTo(CV_32F). */
float imc_sample_to_float(const void *row, int depth, size_t i);
/* dst[i] = saturate_cast<uchar>(src[i] * scale), the product rounded to float
 * first: cv2's convertTo(CV_8U, scale) for 32F data. */
void imc_row_32f_to_8u(const float *src, uint8_t *dst, size_t n, float scale);
/* cv::resize(..., INTER_LINEAR_EXACT) as cv2 runs it for every sample depth:
 * bit-exact fixed point for integers; for floats cv2 falls back to
 * INTER_LINEAR (the exact-2x case as INTER_AREA). */
int imc_resize_linear_exact(const imc_image *src, imc_image *dst, imc_error *err);
/* The same for 8S, 16S and 32S (resize_wide.c). */
int imc_resize_wide(const imc_image *src, imc_image *dst, imc_error *err);
/* Applies EXIF orientation 2..8 as cv2 does (flip / transpose); may
 * replace img's buffer. */
int imc_apply_orientation(imc_image *img, int orientation, imc_error *err);

/* ---- EXIF --------------------------------------------------------------- */
/* The orientation cv2's ExifReader finds in a TIFF-structured EXIF block
 * (starting at the byte-order mark), 0 when it finds none. */
int imc_exif_orientation(const uint8_t *tiff, size_t len);

#endif
