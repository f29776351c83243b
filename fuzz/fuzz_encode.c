/* libFuzzer target: encoding with fuzzed shapes, depths and params, then
 * decoding the result, which must succeed with the same size. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "imc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    static const char *exts[] = {".jpg", ".png", ".pgm", ".ppm", ".pnm", ".pbm", ".pam", ".pfm",
                                 ".hdr", ".bmp", ".sr", ".webp", ".tiff", ".jp2",
                                 ".j2k", ".exr", ".gif", ".avif", ".jxl"};
    static const int depths[] = {IMC_8U, IMC_8S, IMC_16U, IMC_16S, IMC_32S, IMC_32F, IMC_64F};
    static const int channels[] = {1, 3, 4};
    /* real parameter ids, then anything */
    static const int ids[] = {1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 32, 48, 49, 50, 64, 80, 128, 256, 257, 258, 259, 272, 278, 317, 512, 513, 514, 640, 641, 642, 643, 768, 1024, 1025, 1026, 1027, 1028, 1029, 0, -1, 9999};
    const int next = sizeof exts / sizeof exts[0];
    const char *ext = exts[data[0] % next];
    int depth = depths[data[0] / next % 7];
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
        params[i] = i % 2 == 0 ? ids[(uint32_t)v % (sizeof ids / sizeof ids[0])] : v;
    }
    imc_image img;
    if (imc_image_alloc(&img, rows, cols, cn, depth) != IMC_OK)
        return 0;
    size_t bytes = img.step * (size_t)rows;
    for (size_t i = 0; i < bytes; i++)
        ((uint8_t *)img.data)[i] = size ? data[i % size] : (uint8_t)i;
    imc_buffer out;
    if (imc_have_writer(ext) && imc_encode(ext, &img, params, nparams, &out) == IMC_OK) {
        imc_image back;
        /* cv2 cannot read back its PAM files without a TUPLTYPE unless they
         * are 8-bit gray or RGB: imc neither (docs/compat.md). */
        bool must_read = strcmp(ext, ".pam") != 0;
        int rc = imc_decode(out.data, out.size, IMC_IMREAD_UNCHANGED, &back);
        if ((rc != IMC_OK && must_read) ||
            (rc == IMC_OK && (back.rows != rows || back.cols != cols)))
            __builtin_trap();
        if (rc == IMC_OK)
            imc_image_free(&back);
        imc_buffer_free(&out);
    }
    imc_image_free(&img);
    return 0;
}
