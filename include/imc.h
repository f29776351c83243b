/*
 * imc.h: image codecs. Compressed image bytes to pixel arrays and back, in
 * memory, with the results, flags and parameters of OpenCV's imdecode /
 * imencode.
 *
 *     imc_image img;
 *     if (imc_decode(bytes, len, IMC_IMREAD_COLOR, &img) == IMC_OK) {
 *         ... img.rows x img.cols x img.channels samples, BGR order ...
 *         imc_image_free(&img);
 *     }
 *
 * Rules that hold for every function:
 *   - The return value is IMC_OK (0) or a negative IMC_ERR_* code;
 *     imc_strerror() names it, an optional imc_error receives details.
 *   - Nothing aborts, exits or prints. Input buffers are never written.
 *   - What imc allocates for the caller (imc_image, imc_buffer) is released
 *     by imc_image_free / imc_buffer_free; outputs are zeroed on failure.
 *   - There is no global mutable state: any function may be called from any
 *     thread at any time. The one exception is the display (imc_imshow and
 *     friends, at the end): windows are process-wide, as in cv2, kept in one
 *     registry behind a mutex.
 *   - Option structs (imc_decode_options, imc_encode_options,
 *     imc_wait_options, imc_terminal_options) start with `size`, which the
 *     caller sets to sizeof the struct, most simply by starting from its
 *     *_INIT macro:
 *         imc_decode_options o = IMC_DECODE_OPTIONS_INIT;
 *         o.flags = IMC_IMREAD_GRAYSCALE;
 *     New fields are only ever appended, zero meaning their default. The
 *     library reads `size` bytes and gives the fields a shorter (older)
 *     struct lacks their defaults, so a program built against an older
 *     imc.h keeps working with a newer libimc. A longer struct (from a newer
 *     imc.h than the library's) is refused with IMC_ERR_ARG rather than
 *     partly ignored, and so is size 0.
 *     Structs the library fills or that carry data (imc_image,
 *     imc_buffer, imc_error, imc_info, imc_format, imc_limits, imc_animation,
 *     imc_image_list, imc_constant) keep their layout for good: what comes
 *     later comes in new structs and functions.
 */
#ifndef IMC_H
#define IMC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What libimc.so exports (it is built with -fvisibility=hidden and the
 * symbol versions of src/libimc.map). */
#if defined(__GNUC__)
#define IMC_API __attribute__((visibility("default")))
#else
#define IMC_API
#endif

#define IMC_VERSION_MAJOR 0
#define IMC_VERSION_MINOR 1
#define IMC_VERSION_PATCH 0

/* ---- Sample depths: OpenCV's CV_8U ... codes ---------------------------- */
enum imc_depth {
    IMC_8U = 0,
    IMC_8S = 1,  /* encoder input only: converted as cv2 does */
    IMC_16U = 2,
    IMC_16S = 3, /* encoder input only */
    IMC_32S = 4, /* encoder input only */
    IMC_32F = 5,
    IMC_64F = 6  /* encoder input only */
};

/* ---- Decode flags: cv::ImreadModes, same values ------------------------- */
enum imc_imread_flags {
    IMC_IMREAD_UNCHANGED = -1,
    IMC_IMREAD_GRAYSCALE = 0,
    IMC_IMREAD_COLOR = 1,
    IMC_IMREAD_COLOR_BGR = 1, /* newest cv2's name for IMREAD_COLOR */
    IMC_IMREAD_ANYDEPTH = 2,
    IMC_IMREAD_ANYCOLOR = 4,
    IMC_IMREAD_LOAD_GDAL = 8, /* accepted, ignored: imc has no GDAL */
    IMC_IMREAD_REDUCED_GRAYSCALE_2 = 16,
    IMC_IMREAD_REDUCED_COLOR_2 = 17,
    IMC_IMREAD_REDUCED_GRAYSCALE_4 = 32,
    IMC_IMREAD_REDUCED_COLOR_4 = 33,
    IMC_IMREAD_REDUCED_GRAYSCALE_8 = 64,
    IMC_IMREAD_REDUCED_COLOR_8 = 65,
    IMC_IMREAD_IGNORE_ORIENTATION = 128,
    /* newest cv2 (4.10+): 3 channels (or the file's own with LOAD_GDAL's bit)
     * in RGB / RGBA order; with IMREAD_COLOR's bit too, IMC_ERR_ARG.
     * Negative flags are read as cv2 4.6 reads them, this bit ignored. */
    IMC_IMREAD_COLOR_RGB = 256
};

/* ---- Encode parameters: cv::ImwriteFlags, same ids and values ----------- */
enum imc_imwrite_params {
    IMC_IMWRITE_JPEG_QUALITY = 1,        /* 0..100, default 95 */
    IMC_IMWRITE_JPEG_PROGRESSIVE = 2,    /* 0/1 */
    IMC_IMWRITE_JPEG_OPTIMIZE = 3,       /* 0/1 */
    IMC_IMWRITE_JPEG_RST_INTERVAL = 4,   /* 0..65535 */
    IMC_IMWRITE_JPEG_LUMA_QUALITY = 5,   /* 0..100, see docs/compat.md */
    IMC_IMWRITE_JPEG_CHROMA_QUALITY = 6, /* 0..100, see docs/compat.md */
    IMC_IMWRITE_JPEG_SAMPLING_FACTOR = 7, /* IMC_IMWRITE_JPEG_SAMPLING_FACTOR_* */
    IMC_IMWRITE_PNG_COMPRESSION = 16,    /* 0..9; default: 1 with SUB filter + RLE */
    IMC_IMWRITE_PNG_STRATEGY = 17,       /* IMC_IMWRITE_PNG_STRATEGY_* */
    IMC_IMWRITE_PNG_BILEVEL = 18,        /* 0/1: 1-bit gray */
    IMC_IMWRITE_PNG_FILTER = 19,         /* newest cv2: IMC_IMWRITE_PNG_FILTER_* or a mix listed
                                            there, else SUB; default: all five, adaptively */
    IMC_IMWRITE_PNG_ZLIBBUFFER_SIZE = 20, /* newest cv2: 6..1048576 (clamped), the IDAT chunk
                                             length, as libpng's; default: one IDAT */
    IMC_IMWRITE_PXM_BINARY = 32,
    IMC_IMWRITE_EXR_TYPE = 48,           /* 1: HALF, 2: FLOAT (default) */
    IMC_IMWRITE_EXR_COMPRESSION = 49,    /* IMWRITE_EXR_COMPRESSION_* (0..9), default ZIP (3) */
    IMC_IMWRITE_EXR_DWA_COMPRESSION_LEVEL = 50, /* newer OpenCV: DWAA/DWAB level, default 45 */
    IMC_IMWRITE_WEBP_QUALITY = 64,       /* 1..100 lossy; default and > 100: lossless */
    IMC_IMWRITE_HDR_COMPRESSION = 80,
    IMC_IMWRITE_PAM_TUPLETYPE = 128,
    IMC_IMWRITE_TIFF_RESUNIT = 256,      /* IMC_IMWRITE_TIFF_RESOLUTION_UNIT_* */
    IMC_IMWRITE_TIFF_XDPI = 257,
    IMC_IMWRITE_TIFF_YDPI = 258,
    IMC_IMWRITE_TIFF_COMPRESSION = 259,  /* IMC_IMWRITE_TIFF_COMPRESSION_*; default LZW */
    IMC_IMWRITE_JPEG2000_COMPRESSION_X1000 = 272, /* 1..1000 (clamped): rate = 1000 / value;
                                                     default rate 4 */
    IMC_IMWRITE_TIFF_ROWSPERSTRIP = 278,
    IMC_IMWRITE_TIFF_PREDICTOR = 317,    /* IMC_IMWRITE_TIFF_PREDICTOR_* */
    IMC_IMWRITE_AVIF_QUALITY = 512,      /* 0..100; default (and 100): lossless */
    IMC_IMWRITE_AVIF_DEPTH = 513,        /* 8 (8-bit input) or 10 / 12 (16-bit input) */
    IMC_IMWRITE_AVIF_SPEED = 514,        /* 0 (slowest) .. 10 (fastest, default) */
    IMC_IMWRITE_JPEGXL_QUALITY = 640,    /* 0..100, sets the distance; 100: lossless */
    IMC_IMWRITE_JPEGXL_EFFORT = 641,     /* 1 (fastest) .. 7 (8, 9 run as 7: libjxl 0.7 traps); default 7 */
    IMC_IMWRITE_JPEGXL_DISTANCE = 642,   /* 0 (lossless) .. 25; default 1 */
    IMC_IMWRITE_JPEGXL_DECODING_SPEED = 643, /* 0..4 */
    IMC_IMWRITE_BMP_COMPRESSION = 768,   /* IMC_IMWRITE_BMP_COMPRESSION_*; newer cv2 */
    IMC_IMWRITE_GIF_LOOP = 1024,         /* accepted, ignored (as newest cv2): use imc_animation */
    IMC_IMWRITE_GIF_SPEED = 1025,        /* accepted, ignored (as newest cv2): use imc_animation */
    IMC_IMWRITE_GIF_QUALITY = 1026,      /* IMC_IMWRITE_GIF_COLORTABLE_SIZE_*: palette size */
    IMC_IMWRITE_GIF_DITHER = 1027,       /* accepted, ignored: see docs/compat.md */
    IMC_IMWRITE_GIF_TRANSPARENCY = 1028, /* alpha below this is transparent; default 1, 0: none */
    IMC_IMWRITE_GIF_COLORTABLE = 1029    /* 0: one global palette (default), 1: one per frame */
};

/* libtiff's compression schemes, as cv::ImwriteTiffCompressionFlags. */
enum imc_tiff_compression {
    IMC_IMWRITE_TIFF_COMPRESSION_NONE = 1,
    IMC_IMWRITE_TIFF_COMPRESSION_CCITTRLE = 2,
    IMC_IMWRITE_TIFF_COMPRESSION_CCITTFAX3 = 3,
    IMC_IMWRITE_TIFF_COMPRESSION_CCITT_T4 = 3,
    IMC_IMWRITE_TIFF_COMPRESSION_CCITTFAX4 = 4,
    IMC_IMWRITE_TIFF_COMPRESSION_CCITT_T6 = 4,
    IMC_IMWRITE_TIFF_COMPRESSION_LZW = 5,
    IMC_IMWRITE_TIFF_COMPRESSION_OJPEG = 6,
    IMC_IMWRITE_TIFF_COMPRESSION_JPEG = 7,
    IMC_IMWRITE_TIFF_COMPRESSION_ADOBE_DEFLATE = 8,
    IMC_IMWRITE_TIFF_COMPRESSION_T85 = 9,
    IMC_IMWRITE_TIFF_COMPRESSION_T43 = 10,
    IMC_IMWRITE_TIFF_COMPRESSION_NEXT = 32766,
    IMC_IMWRITE_TIFF_COMPRESSION_CCITTRLEW = 32771,
    IMC_IMWRITE_TIFF_COMPRESSION_PACKBITS = 32773,
    IMC_IMWRITE_TIFF_COMPRESSION_THUNDERSCAN = 32809,
    IMC_IMWRITE_TIFF_COMPRESSION_IT8CTPAD = 32895,
    IMC_IMWRITE_TIFF_COMPRESSION_IT8LW = 32896,
    IMC_IMWRITE_TIFF_COMPRESSION_IT8MP = 32897,
    IMC_IMWRITE_TIFF_COMPRESSION_IT8BL = 32898,
    IMC_IMWRITE_TIFF_COMPRESSION_PIXARFILM = 32908,
    IMC_IMWRITE_TIFF_COMPRESSION_PIXARLOG = 32909,
    IMC_IMWRITE_TIFF_COMPRESSION_DEFLATE = 32946,
    IMC_IMWRITE_TIFF_COMPRESSION_DCS = 32947,
    IMC_IMWRITE_TIFF_COMPRESSION_JBIG = 34661,
    IMC_IMWRITE_TIFF_COMPRESSION_SGILOG = 34676,
    IMC_IMWRITE_TIFF_COMPRESSION_SGILOG24 = 34677,
    IMC_IMWRITE_TIFF_COMPRESSION_JP2000 = 34712,
    IMC_IMWRITE_TIFF_COMPRESSION_LERC = 34887,
    IMC_IMWRITE_TIFF_COMPRESSION_LZMA = 34925,
    IMC_IMWRITE_TIFF_COMPRESSION_ZSTD = 50000,
    IMC_IMWRITE_TIFF_COMPRESSION_WEBP = 50001,
    IMC_IMWRITE_TIFF_COMPRESSION_JXL = 50002
};

enum imc_tiff_predictor {
    IMC_IMWRITE_TIFF_PREDICTOR_NONE = 1,
    IMC_IMWRITE_TIFF_PREDICTOR_HORIZONTAL = 2,
    IMC_IMWRITE_TIFF_PREDICTOR_FLOATINGPOINT = 3
};

enum imc_tiff_resolution_unit {
    IMC_IMWRITE_TIFF_RESOLUTION_UNIT_NONE = 1,
    IMC_IMWRITE_TIFF_RESOLUTION_UNIT_INCH = 2,
    IMC_IMWRITE_TIFF_RESOLUTION_UNIT_CENTIMETER = 3
};

enum imc_gif_compression {
    IMC_IMWRITE_GIF_FAST_NO_DITHER = 1,
    IMC_IMWRITE_GIF_FAST_FLOYD_DITHER = 2,
    IMC_IMWRITE_GIF_COLORTABLE_SIZE_8 = 3,
    IMC_IMWRITE_GIF_COLORTABLE_SIZE_16 = 4,
    IMC_IMWRITE_GIF_COLORTABLE_SIZE_32 = 5,
    IMC_IMWRITE_GIF_COLORTABLE_SIZE_64 = 6,
    IMC_IMWRITE_GIF_COLORTABLE_SIZE_128 = 7,
    IMC_IMWRITE_GIF_COLORTABLE_SIZE_256 = 8
};

enum imc_png_strategy {
    IMC_IMWRITE_PNG_STRATEGY_DEFAULT = 0,
    IMC_IMWRITE_PNG_STRATEGY_FILTERED = 1,
    IMC_IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY = 2,
    IMC_IMWRITE_PNG_STRATEGY_RLE = 3,
    IMC_IMWRITE_PNG_STRATEGY_FIXED = 4
};

/* IMWRITE_PNG_FILTER values: libpng's PNG_FILTER_* bits (cv::ImwritePNGFilterFlags). */
enum imc_png_filter {
    IMC_IMWRITE_PNG_FILTER_NONE = 8,
    IMC_IMWRITE_PNG_FILTER_SUB = 16,
    IMC_IMWRITE_PNG_FILTER_UP = 32,
    IMC_IMWRITE_PNG_FILTER_AVG = 64,
    IMC_IMWRITE_PNG_FILTER_PAETH = 128,
    IMC_IMWRITE_PNG_FAST_FILTERS = 56, /* NONE | SUB | UP */
    IMC_IMWRITE_PNG_ALL_FILTERS = 248  /* all five */
};

/* IMWRITE_PAM_TUPLETYPE values */
enum imc_pam_format {
    IMC_IMWRITE_PAM_FORMAT_NULL = 0,
    IMC_IMWRITE_PAM_FORMAT_BLACKANDWHITE = 1,
    IMC_IMWRITE_PAM_FORMAT_GRAYSCALE = 2,
    IMC_IMWRITE_PAM_FORMAT_GRAYSCALE_ALPHA = 3,
    IMC_IMWRITE_PAM_FORMAT_RGB = 4,
    IMC_IMWRITE_PAM_FORMAT_RGB_ALPHA = 5
};

/* IMWRITE_EXR_TYPE and IMWRITE_EXR_COMPRESSION values */
enum imc_exr_type {
    IMC_IMWRITE_EXR_TYPE_HALF = 1,
    IMC_IMWRITE_EXR_TYPE_FLOAT = 2
};

enum imc_exr_compression {
    IMC_IMWRITE_EXR_COMPRESSION_NO = 0,
    IMC_IMWRITE_EXR_COMPRESSION_RLE = 1,
    IMC_IMWRITE_EXR_COMPRESSION_ZIPS = 2,
    IMC_IMWRITE_EXR_COMPRESSION_ZIP = 3,
    IMC_IMWRITE_EXR_COMPRESSION_PIZ = 4,
    IMC_IMWRITE_EXR_COMPRESSION_PXR24 = 5,
    IMC_IMWRITE_EXR_COMPRESSION_B44 = 6,
    IMC_IMWRITE_EXR_COMPRESSION_B44A = 7,
    IMC_IMWRITE_EXR_COMPRESSION_DWAA = 8,
    IMC_IMWRITE_EXR_COMPRESSION_DWAB = 9
};

/* IMWRITE_HDR_COMPRESSION values (newer cv2; default RLE) */
enum imc_hdr_compression {
    IMC_IMWRITE_HDR_COMPRESSION_NONE = 0,
    IMC_IMWRITE_HDR_COMPRESSION_RLE = 1
};

/* BMP 32-bit layout (cv::ImwriteBMPCompressionFlags, OpenCV 4.13+). */
enum imc_bmp_compression {
    IMC_IMWRITE_BMP_COMPRESSION_RGB = 0,      /* BI_RGB, cv2 4.6's only layout (default) */
    IMC_IMWRITE_BMP_COMPRESSION_BITFIELDS = 3 /* 4-channel: BI_BITFIELDS, V5 header, alpha kept */
};

enum imc_jpeg_sampling_factor {
    IMC_IMWRITE_JPEG_SAMPLING_FACTOR_411 = 0x411111,
    IMC_IMWRITE_JPEG_SAMPLING_FACTOR_420 = 0x221111,
    IMC_IMWRITE_JPEG_SAMPLING_FACTOR_422 = 0x211111,
    IMC_IMWRITE_JPEG_SAMPLING_FACTOR_440 = 0x121111,
    IMC_IMWRITE_JPEG_SAMPLING_FACTOR_444 = 0x111111
};

/* ---- Status codes ------------------------------------------------------- */
enum imc_status {
    IMC_OK = 0,
    IMC_ERR_ARG = -1,          /* invalid argument (NULL, empty, bad shape...) */
    IMC_ERR_NOMEM = -2,        /* out of memory */
    IMC_ERR_UNKNOWN_FORMAT = -3, /* no codec recognises the bytes */
    IMC_ERR_NO_ENCODER = -4,   /* no codec writes this extension */
    IMC_ERR_TRUNCATED = -5,    /* data ends before the image does */
    IMC_ERR_CORRUPT = -6,      /* malformed data */
    IMC_ERR_UNSUPPORTED = -7,  /* valid data using a feature imc cannot handle */
    IMC_ERR_LIMITS = -8,       /* dimensions or memory exceed the limits */
    IMC_ERR_IO = -9,           /* file system error (see imc_error.sys_errno) */
    IMC_ERR_PARAM = -10,       /* invalid encode parameter list or value */
    IMC_ERR_INTERNAL = -11,    /* a bug in imc or a codec library */
    IMC_ERR_NO_PAGE = -12      /* no page or frame with that index */
};

/* Optional detail about a failure: pass one to the *_ex functions. */
typedef struct imc_error {
    int code;          /* same as the return value */
    int sys_errno;     /* errno for IMC_ERR_IO, else 0 */
    char message[256]; /* e.g. "jpeg: Premature end of JPEG file" */
} imc_error;

/* ---- Images ------------------------------------------------------------- */
/* rows x cols pixels of `channels` samples of `depth`; rows are `step` bytes
 * apart. Samples are interleaved in BGR / BGRA order (or RGB / RGBA when
 * asked for). A caller may fill one in to describe its own pixels for
 * encoding; `owner` is then NULL. */
typedef struct imc_image {
    int rows;
    int cols;
    int channels; /* 1, 3 or 4 */
    int depth;    /* enum imc_depth */
    size_t step;  /* bytes from one row to the next */
    void *data;
    void *owner;  /* private: what imc_image_free releases */
} imc_image;

/* Allocates a rows x cols x channels image of `depth` (rows packed). */
IMC_API int imc_image_alloc(imc_image *img, int rows, int cols, int channels, int depth);
IMC_API void imc_image_free(imc_image *img);
/* Bytes per sample for a depth, 0 for an unknown depth. */
IMC_API size_t imc_depth_size(int depth);

/* A byte buffer produced by the encoder. */
typedef struct imc_buffer {
    uint8_t *data;
    size_t size;
    size_t capacity; /* private */
} imc_buffer;

IMC_API void imc_buffer_free(imc_buffer *buf);

/* ---- Limits ------------------------------------------------------------- */
/* Any field left 0 takes its default: OpenCV's limits, read from the same
 * environment variables (OPENCV_IO_MAX_IMAGE_WIDTH / _HEIGHT / _PIXELS), and
 * IMC_MAX_DECODE_BYTES for max_bytes. Checked before any pixel allocation. */
typedef struct imc_limits {
    uint64_t max_width;  /* default 1 << 20 */
    uint64_t max_height; /* default 1 << 20 */
    uint64_t max_pixels; /* default 1 << 30 */
    uint64_t max_bytes;  /* decoded image bytes; default 1 << 34 (16 GiB) */
} imc_limits;

/* The limits actually applied when `requested` (may be NULL) is given. */
IMC_API void imc_limits_resolve(const imc_limits *requested, imc_limits *out);

/* ---- Decoding ----------------------------------------------------------- */
enum imc_channel_order { IMC_ORDER_BGR = 0, IMC_ORDER_RGB = 1 };

/* When EXIF orientation is applied. */
enum imc_orientation_policy {
    IMC_ORIENTATION_CV2 = 0,    /* as cv2: unless IMREAD_UNCHANGED or IGNORE_ORIENTATION */
    IMC_ORIENTATION_APPLY = 1,  /* always, whatever the flags (keeps alpha and depth too) */
    IMC_ORIENTATION_IGNORE = 2  /* never */
};

/* What makes a decode fail (imc_decode_options.fail_on). cv2 returns
 * whatever the codec library decodes, made-up pixels included; the stricter
 * levels turn damage the library tolerated into an error. */
enum imc_fail_on {
    IMC_FAIL_ON_NONE = 0,      /* as cv2 */
    IMC_FAIL_ON_TRUNCATED = 1, /* data that ends before the image does */
    IMC_FAIL_ON_ERROR = 2,     /* that, and data the library skipped or replaced */
    IMC_FAIL_ON_WARNING = 3    /* that, and any warning */
};

/* The worst damage a decode met, by rising severity. */
enum imc_damage_kind {
    IMC_DAMAGE_NONE = 0,
    IMC_DAMAGE_WARNING = 1,   /* something odd, the pixels intact (bytes after the end...) */
    IMC_DAMAGE_ERROR = 2,     /* corrupt data: some pixels are the library's guesses */
    IMC_DAMAGE_TRUNCATED = 3  /* the data ends early: pixels past first_bad_row are made up */
};

/* What a decode met, filled whether it succeeds or fails (a caller-owned
 * struct: set size, most simply with IMC_DAMAGE_REPORT_INIT; the library
 * writes at most `size` bytes of it). A failed decode reports the damage
 * that made it fail (data no codec recognises, or past the limits, counts as
 * an error); failures that are not the data's (arguments, memory, I/O)
 * report kind NONE and complete 0. "Complete" is as far as the format can tell: a flipped bit in
 * data without checksums (JPEG's entropy data, raw samples) is not seen. */
typedef struct imc_damage_report {
    size_t size;         /* sizeof(imc_damage_report) */
    int kind;            /* enum imc_damage_kind, the worst met */
    int complete;        /* 1: the call succeeded and every pixel came from intact data */
    int first_bad_row;   /* the first row not decoded from intact data, -1 if none or unknown */
    int page;            /* the page or frame of the worst (0 for single images) */
    int warnings;        /* how many warnings the codec library emitted (all pages) */
    char message[256];   /* the codec library's words for the worst, "" if none */
} imc_damage_report;
#define IMC_DAMAGE_REPORT_INIT {sizeof(imc_damage_report), 0, 0, -1, 0, 0, ""}
/* "none", "warning", "error", "truncated" (enum imc_damage_kind). */
IMC_API const char *imc_damage_kind_name(int kind);

/* Threads options (imc_decode_options.threads, imc_encode_options.threads):
 * one per online CPU. */
#define IMC_THREADS_AUTO (-1)

typedef struct imc_decode_options {
    size_t size;        /* sizeof(imc_decode_options) */
    int flags;          /* IMC_IMREAD_*, as for cv::imdecode */
    int order;          /* IMC_ORDER_BGR (default) or IMC_ORDER_RGB (IMREAD_COLOR_RGB in
                           flags gives RGB either way) */
    imc_limits limits;  /* zero: defaults */
    int orientation;    /* enum imc_orientation_policy; 0 is cv2's rule */
    int fail_on;        /* enum imc_fail_on; 0 is cv2's IMC_FAIL_ON_NONE */
    imc_damage_report *report; /* NULL, or receives what the decode met: pages and
                                  animations report the worst page; batches take an
                                  array of n reports, one per item */
    struct imc_metadata *metadata; /* NULL, or receives the image's metadata blobs (release
                                      with imc_metadata_free); batches take an array of
                                      n; pages and animations leave it empty */
    int threads;        /* for one file: 0 or 1 one (default), N at most N, IMC_THREADS_AUTO
                           one per CPU; imc_decode_multi reads TIFF pages on them, the
                           single-image calls a TIFF page's strips or tiles (one thread's
                           result either way) */
} imc_decode_options;

/* cv2's defaults: IMREAD_COLOR, BGR, default limits, cv2's orientation
 * rule, no failure for tolerated damage, no report. */
#define IMC_DECODE_OPTIONS_INIT {sizeof(imc_decode_options), IMC_IMREAD_COLOR, IMC_ORDER_BGR, \
                                 {0, 0, 0, 0}, IMC_ORIENTATION_CV2, IMC_FAIL_ON_NONE, NULL, \
                                 NULL, 0}

/* cv::imdecode(buf, flags): decodes into a newly allocated image. */
IMC_API int imc_decode(const void *buf, size_t len, int flags, imc_image *out);
IMC_API int imc_decode_ex(const void *buf, size_t len, const imc_decode_options *opts,
                          imc_image *out, imc_error *err);
/* Decodes into the caller's pixels: dst's data, rows, cols, channels, depth
 * and step (owner NULL) must describe what imc_decode_ex would return for the
 * same options, else IMC_ERR_ARG before anything is read. A loop over images
 * of one size, or slots of a batch array, then allocates nothing per image:
 * no new pages to fault in. Codecs write packed rows straight into dst;
 * padded rows, REDUCED_* resizes and EXIF turns cost one copy. On failure
 * dst's pixels are unspecified. dst must not overlap buf. */
IMC_API int imc_decode_into(const void *buf, size_t len, const imc_decode_options *opts,
                            const imc_image *dst, imc_error *err);

/* What the header says, without decoding pixels. channels and depth are
 * those IMC_IMREAD_UNCHANGED would return. */
typedef struct imc_info {
    const char *format; /* codec name: "jpeg", "png", ... (static string) */
    int width;
    int height;
    int channels;
    int depth;
    int orientation;    /* EXIF orientation 1..8 as imdecode would apply it, 0 if none */
} imc_info;

IMC_API int imc_probe(const void *buf, size_t len, imc_info *info);
IMC_API int imc_probe_ex(const void *buf, size_t len, imc_info *info, imc_error *err);

/* ---- Encoding ----------------------------------------------------------- */
typedef struct imc_encode_options {
    size_t size; /* sizeof(imc_encode_options) */
    int order;   /* channel order of the input: IMC_ORDER_BGR (default) or RGB */
    /* NULL, or blobs to store with the image (at most one per kind; see the
     * metadata section): a kind the format cannot hold, or a malformed or
     * oversized blob, fails the call. */
    const struct imc_metadata *metadata;
    /* Threads for one image: 0 or 1, one (the default: batches do not
     * oversubscribe); N, at most N; IMC_THREADS_AUTO, one per online CPU.
     * Formats that can split one image use them on images of a megapixel
     * and more: PNG's default level (pieces of one zlib stream), JPEG with
     * restart markers and neither optimize nor progressive (strips that
     * splice into the very bytes one thread writes); others ignore them. */
    int threads;
} imc_encode_options;

#define IMC_ENCODE_OPTIONS_INIT {sizeof(imc_encode_options), IMC_ORDER_BGR, NULL, 0}

/* cv::imencode(ext, img, buf, params): `ext` names the format by its
 * extension (".jpg", "png", "out.jpeg" ...). `params` holds `nparams` ints,
 * (id, value) pairs as cv2 takes them. Inputs of other depths than the format
 * stores are converted as cv2 converts them (saturating, rounding). Every
 * *_ex encode function takes opts NULL as IMC_ENCODE_OPTIONS_INIT. */
IMC_API int imc_encode(const char *ext, const imc_image *img, const int *params, size_t nparams,
                       imc_buffer *out);
IMC_API int imc_encode_ex(const char *ext, const imc_image *img, const int *params,
                          size_t nparams, const imc_encode_options *opts, imc_buffer *out,
                          imc_error *err);
/* IMC_OK when params[0..nparams) is a list imc_encode accepts. */
IMC_API int imc_params_check(const int *params, size_t nparams, imc_error *err);

/* Rotates / mirrors `img` for EXIF orientation 1..8 exactly as imdecode does
 * (other values leave it alone); may replace its buffer. */
IMC_API int imc_orient(imc_image *img, int orientation, imc_error *err);

/* ---- Metadata: EXIF, XMP, ICC profiles, cICP ---------------------------- */
/* cv::ImageMetadataType, same values (OpenCV 4.12; CICP 4.13). Each blob is
 * the payload alone, as exiftool -b extracts it:
 *   EXIF  the TIFF structure from its byte-order mark ("II*\0" / "MM\0*"),
 *         without JPEG's "Exif\0\0" (given to an encoder, that prefix is
 *         dropped);
 *   XMP   the XMP packet (JPEG's namespace prefix not included; a JPEG's
 *         extended XMP follows as a second XMP blob, reassembled);
 *   ICCP  the ICC profile, reassembled from JPEG's APP2 segments, inflated
 *         from PNG's iCCP;
 *   CICP  4 bytes: colour primaries, transfer, matrix, full-range flag
 *         (ITU-T H.273), as PNG's cICP chunk. */
enum imc_metadata_kind {
    IMC_METADATA_EXIF = 0,
    IMC_METADATA_XMP = 1,
    IMC_METADATA_ICCP = 2,
    IMC_METADATA_CICP = 3
};
#define IMC_METADATA_KINDS 4
/* The most bytes one blob may have, read or written. */
#define IMC_METADATA_MAX_BLOB ((size_t)64 << 20)

typedef struct imc_metadata_blob {
    int kind; /* enum imc_metadata_kind */
    const uint8_t *data;
    size_t size;
} imc_metadata_blob;

/* Blobs in file order. Filled by the library (release with
 * imc_metadata_free), or by a caller describing blobs to encode (owner
 * NULL). Blobs found malformed or over IMC_METADATA_MAX_BLOB are left out,
 * counted in `refused`, the first one's reason in `message`. */
typedef struct imc_metadata {
    imc_metadata_blob *blobs;
    size_t count;
    int refused;
    char message[128];
    void *owner; /* private */
} imc_metadata;

IMC_API void imc_metadata_free(imc_metadata *md);
/* The metadata of the first image, without decoding pixels (cheap: the
 * container is walked, compressed blobs inflated). A file with none gives
 * count 0. */
IMC_API int imc_metadata_read(const void *buf, size_t len, imc_metadata *out, imc_error *err);
/* "exif", "xmp", "icc", "cicp"; NULL for another value. */
IMC_API const char *imc_metadata_kind_name(int kind);
/* Which kinds the encoder for `ext` stores: bit (1 << kind) each; 0 when
 * none, or no encoder writes ext. */
IMC_API unsigned imc_metadata_kinds_written(const char *ext);
/* Sets IFD0's Orientation in a TIFF-structured EXIF blob to `orientation`
 * (1..8) in place: 1 when set, 0 when the blob has no Orientation entry,
 * IMC_ERR_ARG when it is not EXIF. For transcoding after the turn was
 * applied to the pixels. */
IMC_API int imc_exif_set_orientation(void *exif, size_t size, int orientation);

/* ---- Several images: pages and frames ----------------------------------- */
typedef struct imc_image_list {
    imc_image *images;
    size_t count;
} imc_image_list;

IMC_API void imc_image_list_free(imc_image_list *list);

/* cv::imdecodemulti: pages [start, start + count) (count 0: all) decoded with
 * opts->flags, each oriented as cv2 orients pages. As in cv2, REDUCED_* only
 * select the color mode here; sizes are not reduced. Single-image formats
 * give one image. */
IMC_API int imc_decode_multi(const void *buf, size_t len, const imc_decode_options *opts,
                             size_t start, size_t count, imc_image_list *out, imc_error *err);
/* cv::imcount: the number of pages or frames, reading as little as possible. */
IMC_API int imc_count(const void *buf, size_t len, size_t *count, imc_error *err);
/* Encodes several images into one file of a multi-page format (TIFF, ...);
 * animated formats (GIF, AVIF, WebP, JPEG XL) show each for 1000 ms, as cv2. */
IMC_API int imc_encode_multi(const char *ext, const imc_image *images, size_t n, const int *params,
                             size_t nparams, const imc_encode_options *opts, imc_buffer *out,
                             imc_error *err);

/* ---- Batches: many images over several threads ------------------------- */
/* Decodes bufs[i] (lens[i] bytes) into out[i] for i < n, with `threads`
 * threads (0: one per online CPU). status[i] receives each item's code and
 * errs[i] (errs may be NULL) its detail. Results are in input order; one
 * item failing does not stop the others. Returns IMC_OK when every item
 * succeeded, else the code of the first item that failed. */
IMC_API int imc_decode_batch(const void *const *bufs, const size_t *lens, size_t n,
                             const imc_decode_options *opts, int threads, imc_image *out,
                             int *status, imc_error *errs);
/* The same, each item decoded into caller memory dsts[i] as by
 * imc_decode_into: a batch of same-sized images straight into the slots of
 * one array, with no allocation per item. */
IMC_API int imc_decode_batch_into(const void *const *bufs, const size_t *lens, size_t n,
                                  const imc_decode_options *opts, int threads,
                                  const imc_image *dsts, int *status, imc_error *errs);
/* Encodes imgs[i] into out[i] likewise. An invalid params list fails the
 * whole call (IMC_ERR_PARAM, every status set) before any work. */
IMC_API int imc_encode_batch(const char *ext, const imc_image *imgs, size_t n, const int *params,
                             size_t nparams, const imc_encode_options *opts, int threads,
                             imc_buffer *out, int *status, imc_error *errs);

/* ---- Animations: frames with display times ------------------------------ */
/* cv::Animation: frames, their durations in milliseconds, the loop count
 * (0: forever) and the background color (B, G, R, A). */
typedef struct imc_animation {
    imc_image *frames;
    int *durations;
    size_t count;
    int loop_count;
    int bgcolor[4];
} imc_animation;

IMC_API void imc_animation_free(imc_animation *anim);

/* cv::imdecodeanimation: frames [start, start + count) (count 0: all),
 * decoded with opts->flags (cv2 always uses IMC_IMREAD_UNCHANGED), with the
 * durations the file gives (1000 where it gives none, as cv2). Formats
 * without frames give one. Fails if any requested frame fails. */
IMC_API int imc_decode_animation(const void *buf, size_t len, const imc_decode_options *opts,
                                 size_t start, size_t count, imc_animation *out,
                                 imc_error *err);
/* cv::imencodeanimation: an animated file (GIF, AVIF, WebP, JPEG XL) of every
 * frame, its duration and the loop count (0..65535). Formats that cannot hold
 * an animation give IMC_ERR_UNSUPPORTED. */
IMC_API int imc_encode_animation(const char *ext, const imc_animation *anim, const int *params,
                                 size_t nparams, const imc_encode_options *opts, imc_buffer *out,
                                 imc_error *err);

/* ---- Thumbnails: compressed bytes to a smaller image in one call ---------- */
/* What imc_thumbnail makes. The box is width x height; a side of 0 follows
 * from the other and the image's aspect ratio. */
typedef struct imc_thumbnail_options {
    size_t size;      /* sizeof(imc_thumbnail_options) */
    int width, height;
    int crop;         /* 0: fit inside the box; 1: fill the box, its middle kept */
    int upscale;      /* 0: an image already smaller than the box keeps its size */
    int flags;        /* IMREAD_COLOR (default), IMREAD_GRAYSCALE, or IMREAD_UNCHANGED to
                         keep alpha and depth */
    int order;        /* IMC_ORDER_BGR or IMC_ORDER_RGB */
    imc_limits limits;
    int fail_on;      /* enum imc_fail_on */
    imc_damage_report *report; /* NULL, or receives what the decode met */
} imc_thumbnail_options;
#define IMC_THUMBNAIL_OPTIONS_INIT {sizeof(imc_thumbnail_options), 0, 0, 0, 0, IMC_IMREAD_COLOR, \
                                    IMC_ORDER_BGR, {0, 0, 0, 0}, IMC_FAIL_ON_NONE, NULL}

/* Decodes only what the size needs (JPEG's DCT scaling by 1/2..1/8, the
 * first page or frame), applies the EXIF orientation, and reduces with a box
 * average for whole factors and Lanczos-3 for the rest (gamma-naive, as cv2
 * and Pillow; alpha premultiplied while filtering). The output is the
 * largest size that fits the box keeping the aspect ratio (rounded), or
 * exactly the box with crop. */
IMC_API int imc_thumbnail(const void *buf, size_t len, const imc_thumbnail_options *opts,
                          imc_image *out, imc_error *err);
/* The same, encoded as `ext` with params (as imc_encode_ex). */
IMC_API int imc_thumbnail_encode(const void *buf, size_t len, const imc_thumbnail_options *opts,
                                 const char *ext, const int *params, size_t nparams,
                                 imc_buffer *out, imc_error *err);
/* Thumbnails of bufs[i] on `threads` threads (0: one per CPU), as the
 * decode batches: into images[i], or with ext != NULL encoded into
 * encoded[i]; status[i] and errs[i] per item; opts->report, if set, an array
 * of n reports. */
IMC_API int imc_thumbnail_batch(const void *const *bufs, const size_t *lens, size_t n,
                                const imc_thumbnail_options *opts, const char *ext,
                                const int *params, size_t nparams, int threads,
                                imc_image *images, imc_buffer *encoded, int *status,
                                imc_error *errs);

/* ---- Files -------------------------------------------------------------- */
/* imread / imwrite on top of the memory functions. imc_write writes a
 * temporary file beside `path` and renames it into place, so `path` holds
 * either its old content or the complete new image, never a part. */
IMC_API int imc_read(const char *path, int flags, imc_image *out);
/* imc_thumbnail of the file's bytes. */
IMC_API int imc_thumbnail_file(const char *path, const imc_thumbnail_options *opts,
                               imc_image *out, imc_error *err);
IMC_API int imc_read_ex(const char *path, const imc_decode_options *opts, imc_image *out,
                        imc_error *err);
IMC_API int imc_write(const char *path, const imc_image *img, const int *params, size_t nparams);
IMC_API int imc_write_ex(const char *path, const imc_image *img, const int *params,
                         size_t nparams, const imc_encode_options *opts, imc_error *err);
/* imc_probe on a file's content. */
IMC_API int imc_probe_file(const char *path, imc_info *info, imc_error *err);
/* imc_metadata_read on a file's content. */
IMC_API int imc_metadata_read_file(const char *path, imc_metadata *out, imc_error *err);
IMC_API int imc_read_multi(const char *path, const imc_decode_options *opts, size_t start,
                           size_t count, imc_image_list *out, imc_error *err);
IMC_API int imc_write_multi(const char *path, const imc_image *images, size_t n,
                            const int *params, size_t nparams, const imc_encode_options *opts,
                            imc_error *err);
IMC_API int imc_read_animation(const char *path, const imc_decode_options *opts, size_t start,
                               size_t count, imc_animation *out, imc_error *err);
IMC_API int imc_write_animation(const char *path, const imc_animation *anim, const int *params,
                                size_t nparams, const imc_encode_options *opts, imc_error *err);

/* ---- Formats and names -------------------------------------------------- */
/* Name of the codec that would decode these bytes, or NULL. */
IMC_API const char *imc_sniff(const void *buf, size_t len);
/* Nonzero when a codec can write / read files with extension `ext` (an
 * extension or a file name). Decoding itself goes by content, never by name. */
IMC_API int imc_have_writer(const char *ext);
IMC_API int imc_have_reader(const char *ext);

typedef struct imc_format {
    const char *name;       /* "jpeg" */
    const char *extensions; /* space-separated, no dots: "jpeg jpg jpe" */
    int can_decode;
    int can_encode;
    int quality_param;      /* IMWRITE_* id of its quality setting, 0 if none */
    int multi_page;         /* holds several images (pages, frames) */
    int animation;          /* imc_encode_animation writes it (frame durations, loops) */
} imc_format;

/* Number of compiled-in codecs; fills `out` for index i < that number. */
IMC_API int imc_format_count(void);
IMC_API int imc_format_get(int index, imc_format *out);
/* The format that writes `ext` (extension or file name); IMC_ERR_NO_ENCODER if none. */
IMC_API int imc_format_find(const char *ext, imc_format *out);

/* What a value outside a parameter's [min, max] (or set of values) does. */
enum imc_param_rule {
    IMC_PARAM_CLAMPED = 0,  /* taken as the nearest bound */
    IMC_PARAM_IGNORED = 1,  /* that occurrence is skipped, as if absent */
    IMC_PARAM_REFUSED = 2,  /* the call fails with IMC_ERR_PARAM */
    IMC_PARAM_REPLACED = 3  /* taken as `replacement` */
};

/* One IMWRITE_* parameter a format's encoder takes, as cv2 treats it. */
typedef struct imc_param_info {
    const char *name;    /* "JPEG_QUALITY": the IMWRITE_ constant's name without IMWRITE_ */
    int id;              /* IMC_IMWRITE_JPEG_QUALITY */
    int min, max;        /* the range taken as given */
    const int *values;   /* NULL, or the only values taken as given (nvalues of them) */
    size_t nvalues;
    int below, above;    /* enum imc_param_rule for values below min / above max (or not in values) */
    int replacement;     /* for IMC_PARAM_REPLACED */
    int def;             /* what the encoder does without it (see imc.h's enum comments) */
    int first_wins;      /* nonzero: the first occurrence counts, else the last */
} imc_param_info;

/* The parameters of the format at `format_index` (as imc_format_get):
 * IMC_OK and *out for param_index < the number it takes, else IMC_ERR_ARG.
 * Parameters of other formats are ignored by its encoder, as in cv2. */
IMC_API int imc_format_param(int format_index, int param_index, imc_param_info *out);

/* OpenCV constant names (IMREAD_*, IMWRITE_*) and their values. */
typedef struct imc_constant {
    const char *name; /* e.g. "IMWRITE_JPEG_QUALITY" */
    int value;
} imc_constant;

IMC_API const imc_constant *imc_constants(size_t *count);
/* Looks a constant up by name, with or without its IMREAD_/IMWRITE_ prefix,
 * case-insensitively. Returns 0 and sets *value when found, else IMC_ERR_ARG. */
IMC_API int imc_constant_lookup(const char *name, const char *prefix, int *value);

IMC_API const char *imc_strerror(int code);
IMC_API const char *imc_version(void);

/* ---- Display: cv2's imshow / waitKey / destroyWindow ------------------- */
/* Shows img in the window named winname, creating it (sized to the image)
 * or updating it. Images are converted for display exactly as cv2 4.6's
 * highgui code does: 8U as is; 16U v / 255 (cv2's documentation says 256);
 * 8S |v + 127|; 16S |v / 255 + 127|; 32F and 64F v * 255; then rounded to
 * nearest even and saturated; gray replicated; alpha ignored, not blended.
 * 32S is refused (IMC_ERR_ARG), as cv2 refuses it. Samples must be aligned
 * (data and step multiples of the sample size).
 *
 * Where: IMC_IMSHOW=window / terminal / auto (default) in the environment.
 * auto opens an SDL2 window when the library was built with SDL2 and DISPLAY,
 * WAYLAND_DISPLAY or SDL_VIDEODRIVER is set; otherwise, when standard output
 * is a terminal, it writes a 24-bit colour preview there (imc_render_terminal,
 * fitted to the terminal); otherwise it fails with IMC_ERR_UNSUPPORTED and
 * says why. Windows are process-wide, like cv2's: every function of this
 * section may be called from any thread; they serialise on one mutex. As in
 * cv2, windows are redrawn and keys read only inside imc_wait_key*. */
IMC_API int imc_imshow(const char *winname, const imc_image *img, imc_error *err);
/* cv::waitKey: waits up to delay_ms (<= 0: until a key arrives) for a key
 * in any window (or on the terminal, after a terminal preview, when standard
 * input is one). Returns the key code & 0xff, or -1 on timeout, when the
 * last window was closed, or at once when delay_ms <= 0 and no window is
 * open (with no window and delay_ms > 0 it sleeps delay_ms). */
IMC_API int imc_wait_key(int delay_ms);
/* cv::waitKeyEx: the same with the full code: ASCII for characters (letters
 * in lower case, as cv2's Qt backend), X11 keysyms for other keys
 * (Left = 0xff51, F1 = 0xffbe, Shift_L = 0xffe1...). Keys pressed with Ctrl
 * alone held are ignored, as in cv2. */
IMC_API int imc_wait_key_ex(int delay_ms);
/* The same waits with a way out for callers that must stay responsive
 * (the Python binding checks for Ctrl+C this way). */
typedef struct imc_wait_options {
    size_t size;            /* sizeof(imc_wait_options) */
    int full_code;          /* nonzero: imc_wait_key_ex's code, else imc_wait_key's */
    int (*stop)(void *ctx); /* NULL, or called every 20 ms or so from the waiting
                               thread, no imc lock held: nonzero ends the wait, -1 */
    void *ctx;
} imc_wait_options;
#define IMC_WAIT_OPTIONS_INIT {sizeof(imc_wait_options), 0, NULL, NULL}
/* opts NULL is IMC_WAIT_OPTIONS_INIT; an opts whose size is refused gives -1
 * at once. */
IMC_API int imc_wait_key_with(int delay_ms, const imc_wait_options *opts);
/* cv::pollKey: imc_wait_key_ex without waiting. */
IMC_API int imc_poll_key(void);
/* Closes the window named winname; a name without a window is not an error. */
IMC_API int imc_destroy_window(const char *winname);
IMC_API void imc_destroy_all_windows(void);
/* The open windows that imc_wait_key listens to. */
IMC_API int imc_window_count(void);
/* Nonzero when the library was built with SDL2 (windows); 0 means imc_imshow
 * only renders on the terminal. */
IMC_API int imc_have_windows(void);

/* What imshow puts on the screen: img converted as described above, to an
 * 8-bit 3-channel image in R, G, B order. */
IMC_API int imc_display_convert(const imc_image *img, imc_image *rgb, imc_error *err);

typedef struct imc_terminal_options {
    size_t size;       /* sizeof(imc_terminal_options) */
    int columns;       /* character cells across, 1..4096 */
    int lines;         /* lines available, 0: no limit, else 1..4096 */
    int enlarge;       /* nonzero: scale small images up to fill the space */
    const char *title; /* NULL, or a first line naming the image (control
                          characters are replaced by '?') */
} imc_terminal_options;
/* 80 columns, no line limit, no enlarging, no title. */
#define IMC_TERMINAL_OPTIONS_INIT {sizeof(imc_terminal_options), 80, 0, 0, NULL}

/* A terminal preview of img: each character cell is a U+2580 upper half
 * block whose foreground is one pixel and background the pixel below, in
 * 24-bit colour escapes (ESC[38;2;R;G;Bm). The image, converted as for
 * imc_imshow, is area-averaged (box filter, rounded) down to fit
 * columns x 2*lines pixels keeping its aspect ratio; it is never enlarged
 * unless opts->enlarge. Every line ends with ESC[0m and a newline. */
IMC_API int imc_render_terminal(const imc_image *img, const imc_terminal_options *opts,
                                imc_buffer *out, imc_error *err);
/* The size of the terminal on fd (ioctl TIOCGWINSZ), else the COLUMNS and
 * LINES environment variables, else 80 x 24. */
IMC_API void imc_terminal_size(int fd, int *columns, int *lines);

#ifdef __cplusplus
}
#endif
#endif /* IMC_H */
