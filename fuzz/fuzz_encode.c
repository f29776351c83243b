/* libFuzzer target: encoding with fuzzed shapes, depths and params, then
 * decoding the result, which must succeed with the same size. */
#include <stdlib.h>
#include <string.h>

#include "imc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    static const char *exts[] = {".jpg", ".png",
#ifdef IMC_HAVE_GIF
                                 ".gif",
#endif
#ifdef IMC_HAVE_AVIF
                                 ".avif",
#endif
#ifdef IMC_HAVE_JXL
                                 ".jxl",
#endif
    };
    /* the ids of the newer formats' params, for ids with bit 8 set */
    static const int newer_ids[] = {512, 513, 514, 640, 641, 642, 643, 1024, 1025, 1026, 1027,
                                    1028, 1029};
    static const int depths[] = {IMC_8U, IMC_8S, IMC_16U, IMC_16S, IMC_32S, IMC_32F, IMC_64F};
    static const int channels[] = {1, 3, 4};
    /* bit 0 of data[0] picks JPEG or PNG; data[1]'s high bits the newer formats */
    const char *ext = exts[((size_t)(data[0] & 1) + 2 * (size_t)(data[1] >> 4)) %
                           (sizeof exts / sizeof *exts)];
    int depth = depths[(data[0] >> 1) % 7];
    int cn = channels[data[1] % 3];
    int rows = 1 + data[2] % 64, cols = 1 + data[3] % 64;
    size_t nparams = (data[4] % 8) * 2;
    data += 5;
    size -= 5;
    int params[16];
    for (size_t i = 0; i < nparams; i++) {
        /* ids near the real ones, values anywhere */
        int32_t v = 0;
        if (size >= 4) {
            memcpy(&v, data, 4);
            data += 4;
            size -= 4;
        }
        uint32_t u = (uint32_t)v;
        params[i] = i % 2 ? v
                    : u & 0x100 ? newer_ids[(u >> 9) % (sizeof newer_ids / sizeof *newer_ids)]
                                : (int)(u % 24);
    }
    imc_image img;
    if (imc_image_alloc(&img, rows, cols, cn, depth) != IMC_OK)
        return 0;
    size_t bytes = img.step * (size_t)rows;
    for (size_t i = 0; i < bytes; i++)
        ((uint8_t *)img.data)[i] = size ? data[i % size] : (uint8_t)i;
    imc_buffer out;
    if (imc_encode(ext, &img, params, nparams, &out) == IMC_OK) {
        imc_image back;
        if (imc_decode(out.data, out.size, IMC_IMREAD_UNCHANGED, &back) != IMC_OK ||
            back.rows != rows || back.cols != cols)
            __builtin_trap();
        imc_image_free(&back);
        imc_buffer_free(&out);
    }
    imc_image_free(&img);
    return 0;
}
