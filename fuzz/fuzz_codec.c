/* libFuzzer targets for one codec each: the input is forced to carry that
 * codec's signature so that the fuzzer spends its time inside it.
 * Built once per codec with -DFUZZ_CODEC=FUZZ_JPEG, FUZZ_PNG, FUZZ_PNM, ... */
#include <stdlib.h>
#include <string.h>

#include "imc.h"

#define FUZZ_JPEG 1
#define FUZZ_PNG 2
#define FUZZ_PNM 3
#define FUZZ_PAM 4
#define FUZZ_PFM 5
#define FUZZ_HDR 6
#define FUZZ_BMP 7
#define FUZZ_SUNRAS 8
#if FUZZ_CODEC == FUZZ_JPEG
static const char sig[] = "\xff\xd8\xff";
#elif FUZZ_CODEC == FUZZ_PNG
static const char sig[] = "\x89PNG\r\n\x1a\n";
#elif FUZZ_CODEC == FUZZ_PNM || FUZZ_CODEC == FUZZ_PFM
/* "P1".."P6" and "Pf"/"PF" share the first byte: the seeds pick the codec. */
static const char sig[] = "P";
#elif FUZZ_CODEC == FUZZ_PAM
static const char sig[] = "P7\n";
#elif FUZZ_CODEC == FUZZ_HDR
static const char sig[] = "#?RADIANCE\n";
#elif FUZZ_CODEC == FUZZ_BMP
static const char sig[] = "BM";
#elif FUZZ_CODEC == FUZZ_SUNRAS
static const char sig[] = "\x59\xa6\x6a\x95";
#else
#error "define FUZZ_CODEC"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const size_t n = sizeof sig - 1;
    uint8_t *buf = malloc(size + n);
    if (!buf)
        return 0;
    size_t len = size;
    if (size >= n && !memcmp(data, sig, n)) {
        memcpy(buf, data, size);
    } else {
        memcpy(buf, sig, n);
        memcpy(buf + n, data, size);
        len += n;
    }
    static const int flags[] = {IMC_IMREAD_UNCHANGED, IMC_IMREAD_COLOR, IMC_IMREAD_REDUCED_GRAYSCALE_2,
                                IMC_IMREAD_REDUCED_COLOR_4 | IMC_IMREAD_ANYDEPTH};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        imc_decode_options opts = {.flags = flags[i],
                                   .limits = {.max_pixels = 1u << 22, .max_bytes = 1u << 25}};
        imc_image img;
        if (imc_decode_ex(buf, len, &opts, &img, NULL) == IMC_OK)
            imc_image_free(&img);
    }
    imc_info info;
    imc_probe(buf, len, &info);
    free(buf);
    return 0;
}
