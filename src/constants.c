/* OpenCV's IMREAD_* / IMWRITE_* names and values, for the bindings and the
 * CLI, kept here once so that they cannot disagree. */
#include "internal.h"

#include <ctype.h>
#include <string.h>

#define C(name) {#name, IMC_##name}
static const imc_constant constants[] = {
    C(IMREAD_UNCHANGED), C(IMREAD_GRAYSCALE), C(IMREAD_COLOR), C(IMREAD_ANYDEPTH),
    C(IMREAD_ANYCOLOR), C(IMREAD_LOAD_GDAL), C(IMREAD_REDUCED_GRAYSCALE_2),
    C(IMREAD_REDUCED_COLOR_2), C(IMREAD_REDUCED_GRAYSCALE_4), C(IMREAD_REDUCED_COLOR_4),
    C(IMREAD_REDUCED_GRAYSCALE_8), C(IMREAD_REDUCED_COLOR_8), C(IMREAD_IGNORE_ORIENTATION),

    C(IMWRITE_JPEG_QUALITY), C(IMWRITE_JPEG_PROGRESSIVE), C(IMWRITE_JPEG_OPTIMIZE),
    C(IMWRITE_JPEG_RST_INTERVAL), C(IMWRITE_JPEG_LUMA_QUALITY), C(IMWRITE_JPEG_CHROMA_QUALITY),
    C(IMWRITE_JPEG_SAMPLING_FACTOR), C(IMWRITE_PNG_COMPRESSION), C(IMWRITE_PNG_STRATEGY),
    C(IMWRITE_PNG_BILEVEL), C(IMWRITE_PXM_BINARY), C(IMWRITE_EXR_TYPE),
    C(IMWRITE_EXR_COMPRESSION), C(IMWRITE_WEBP_QUALITY), C(IMWRITE_HDR_COMPRESSION),
    C(IMWRITE_PAM_TUPLETYPE), C(IMWRITE_TIFF_RESUNIT), C(IMWRITE_TIFF_XDPI),
    C(IMWRITE_TIFF_YDPI), C(IMWRITE_TIFF_COMPRESSION), C(IMWRITE_JPEG2000_COMPRESSION_X1000),
    C(IMWRITE_AVIF_QUALITY), C(IMWRITE_AVIF_DEPTH), C(IMWRITE_AVIF_SPEED),
    C(IMWRITE_JPEGXL_QUALITY), C(IMWRITE_JPEGXL_EFFORT), C(IMWRITE_JPEGXL_DISTANCE),
    C(IMWRITE_JPEGXL_DECODING_SPEED), C(IMWRITE_GIF_LOOP), C(IMWRITE_GIF_SPEED),
    C(IMWRITE_GIF_QUALITY), C(IMWRITE_GIF_DITHER), C(IMWRITE_GIF_TRANSPARENCY),
    C(IMWRITE_GIF_COLORTABLE),

    C(IMWRITE_JPEG_SAMPLING_FACTOR_411), C(IMWRITE_JPEG_SAMPLING_FACTOR_420),
    C(IMWRITE_JPEG_SAMPLING_FACTOR_422), C(IMWRITE_JPEG_SAMPLING_FACTOR_440),
    C(IMWRITE_JPEG_SAMPLING_FACTOR_444),

    C(IMWRITE_PNG_STRATEGY_DEFAULT), C(IMWRITE_PNG_STRATEGY_FILTERED),
    C(IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY), C(IMWRITE_PNG_STRATEGY_RLE),
    C(IMWRITE_PNG_STRATEGY_FIXED),

    C(IMWRITE_GIF_FAST_NO_DITHER), C(IMWRITE_GIF_FAST_FLOYD_DITHER),
    C(IMWRITE_GIF_COLORTABLE_SIZE_8), C(IMWRITE_GIF_COLORTABLE_SIZE_16),
    C(IMWRITE_GIF_COLORTABLE_SIZE_32), C(IMWRITE_GIF_COLORTABLE_SIZE_64),
    C(IMWRITE_GIF_COLORTABLE_SIZE_128), C(IMWRITE_GIF_COLORTABLE_SIZE_256),

    {"IMWRITE_EXR_TYPE_HALF", 1}, {"IMWRITE_EXR_TYPE_FLOAT", 2},
    {"IMWRITE_EXR_COMPRESSION_NO", 0}, {"IMWRITE_EXR_COMPRESSION_RLE", 1},
    {"IMWRITE_EXR_COMPRESSION_ZIPS", 2}, {"IMWRITE_EXR_COMPRESSION_ZIP", 3},
    {"IMWRITE_EXR_COMPRESSION_PIZ", 4}, {"IMWRITE_EXR_COMPRESSION_PXR24", 5},
    {"IMWRITE_EXR_COMPRESSION_B44", 6}, {"IMWRITE_EXR_COMPRESSION_B44A", 7},
    {"IMWRITE_EXR_COMPRESSION_DWAA", 8}, {"IMWRITE_EXR_COMPRESSION_DWAB", 9},

    {"IMWRITE_HDR_COMPRESSION_NONE", 0}, {"IMWRITE_HDR_COMPRESSION_RLE", 1},

    {"IMWRITE_PAM_FORMAT_NULL", 0}, {"IMWRITE_PAM_FORMAT_BLACKANDWHITE", 1},
    {"IMWRITE_PAM_FORMAT_GRAYSCALE", 2}, {"IMWRITE_PAM_FORMAT_GRAYSCALE_ALPHA", 3},
    {"IMWRITE_PAM_FORMAT_RGB", 4}, {"IMWRITE_PAM_FORMAT_RGB_ALPHA", 5},
};
#undef C

const imc_constant *imc_constants(size_t *count)
{
    if (count)
        *count = sizeof constants / sizeof constants[0];
    return constants;
}

/* Case-insensitive equality where '-' matches '_'. */
static bool same_name(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = *a == '-' ? '_' : toupper((unsigned char)*a);
        int cb = *b == '-' ? '_' : toupper((unsigned char)*b);
        if (ca != cb)
            return false;
        if (!ca)
            return true;
    }
}

int imc_constant_lookup(const char *name, const char *prefix, int *value)
{
    if (!name || !value)
        return IMC_ERR_ARG;
    size_t plen = prefix ? strlen(prefix) : 0;
    for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++) {
        const char *full = constants[i].name;
        if (plen && strncmp(full, prefix, plen) != 0)
            continue;
        if (same_name(name, full) || (plen && same_name(name, full + plen))) {
            *value = constants[i].value;
            return IMC_OK;
        }
    }
    return IMC_ERR_ARG;
}

const char *imc_version(void)
{
#define IMC_STR2(x) #x
#define IMC_STR(x) IMC_STR2(x)
    return IMC_STR(IMC_VERSION_MAJOR) "." IMC_STR(IMC_VERSION_MINOR) "." IMC_STR(IMC_VERSION_PATCH);
}
