/* libFuzzer targets for one codec each: the input is forced to carry that
 * codec's signature so that the fuzzer spends its time inside it.
 * Built once per codec with -DFUZZ_CODEC=FUZZ_JPEG, FUZZ_PNG, ... */
#include <stdlib.h>
#include <string.h>

#include "imc.h"

#define FUZZ_JPEG 1
#define FUZZ_PNG 2
#define FUZZ_JP2 3
#define FUZZ_J2K 4
#define FUZZ_EXR 5
#if FUZZ_CODEC == FUZZ_JPEG
static const char sig[] = "\xff\xd8\xff";
#elif FUZZ_CODEC == FUZZ_PNG
static const char sig[] = "\x89PNG\r\n\x1a\n";
#elif FUZZ_CODEC == FUZZ_JP2 /* JPEG 2000 boxes */
static const char sig[] = "\x00\x00\x00\x0cjP  \r\n\x87\n";
#elif FUZZ_CODEC == FUZZ_J2K /* JPEG 2000 codestream */
static const char sig[] = "\xff\x4f\xff\x51";
#elif FUZZ_CODEC == FUZZ_EXR
static const char sig[] = "\x76\x2f\x31\x01";
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
    static const int flags[] = {IMC_IMREAD_UNCHANGED, IMC_IMREAD_COLOR, IMC_IMREAD_REDUCED_GRAYSCALE_2};
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
