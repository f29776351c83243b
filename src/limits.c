/* Size limits: OpenCV's defaults and environment variables, per-call
 * overrides, and the overflow-safe check made before any pixel allocation. */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Parses an OpenCV size option: digits with an optional KB/MB suffix, as
 * cv::utils::getConfigurationParameterSizeT reads it. 0 when unset/invalid. */
static uint64_t env_size(const char *name)
{
    const char *s = getenv(name);
    if (!s || !isdigit((unsigned char)*s))
        return 0;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return 0;
    uint64_t unit = 1;
    if (*end) {
        if (!strcmp(end, "KB") || !strcmp(end, "Kb") || !strcmp(end, "kb"))
            unit = 1024;
        else if (!strcmp(end, "MB") || !strcmp(end, "Mb") || !strcmp(end, "mb"))
            unit = 1024 * 1024;
        else
            return 0;
    }
    return v > UINT64_MAX / unit ? UINT64_MAX : v * unit;
}

static uint64_t pick(uint64_t requested, const char *env, uint64_t fallback)
{
    if (requested)
        return requested;
    uint64_t v = env_size(env);
    return v ? v : fallback;
}

void imc_limits_resolve(const imc_limits *requested, imc_limits *out)
{
    static const imc_limits none = {0, 0, 0, 0};
    const imc_limits *r = requested ? requested : &none;
    out->max_width = pick(r->max_width, "OPENCV_IO_MAX_IMAGE_WIDTH", (uint64_t)1 << 20);
    out->max_height = pick(r->max_height, "OPENCV_IO_MAX_IMAGE_HEIGHT", (uint64_t)1 << 20);
    out->max_pixels = pick(r->max_pixels, "OPENCV_IO_MAX_IMAGE_PIXELS", (uint64_t)1 << 30);
    out->max_bytes = pick(r->max_bytes, "IMC_MAX_DECODE_BYTES", (uint64_t)1 << 34);
}

int imc_check_limits(const imc_limits *limits, uint64_t width, uint64_t height, int channels,
                     int depth, imc_error *err)
{
    if (width == 0 || height == 0)
        return imc_fail(err, IMC_ERR_CORRUPT, "image has zero width or height");
    if (width > limits->max_width)
        return imc_fail(err, IMC_ERR_LIMITS, "width %llu exceeds the limit %llu",
                        (unsigned long long)width, (unsigned long long)limits->max_width);
    if (height > limits->max_height)
        return imc_fail(err, IMC_ERR_LIMITS, "height %llu exceeds the limit %llu",
                        (unsigned long long)height, (unsigned long long)limits->max_height);
    /* width and height are below 2^32 here only if the limits are; guard the
     * products against wrap-around anyway. */
    if (height > UINT64_MAX / width || width * height > limits->max_pixels)
        return imc_fail(err, IMC_ERR_LIMITS, "%llu x %llu pixels exceed the limit of %llu",
                        (unsigned long long)width, (unsigned long long)height,
                        (unsigned long long)limits->max_pixels);
    uint64_t pixels = width * height, per_pixel = (uint64_t)channels * imc_depth_size(depth);
    if (per_pixel && pixels > UINT64_MAX / per_pixel)
        return imc_fail(err, IMC_ERR_LIMITS, "decoded size overflows");
    if (pixels * per_pixel > limits->max_bytes || pixels * per_pixel > SIZE_MAX / 2)
        return imc_fail(err, IMC_ERR_LIMITS, "decoded image of %llu bytes exceeds the limit of %llu",
                        (unsigned long long)(pixels * per_pixel),
                        (unsigned long long)limits->max_bytes);
    if (width > INT32_MAX || height > INT32_MAX)
        return imc_fail(err, IMC_ERR_LIMITS, "dimension exceeds 2^31 - 1");
    return IMC_OK;
}
