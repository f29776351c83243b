/* libFuzzer targets for one codec each: the input is forced to carry that
 * codec's signature so that the fuzzer spends its time inside it.
 * Built once per codec with -DFUZZ_CODEC=FUZZ_JPEG, FUZZ_PNG, ... Formats
 * with frames also go through the multi-image and animation decoders. */
#include <stdlib.h>
#include <string.h>

#include "imc.h"

#define FUZZ_JPEG 1
#define FUZZ_PNG 2
#define FUZZ_GIF 10
#define FUZZ_AVIF 11
#define FUZZ_JXL 12
#if FUZZ_CODEC == FUZZ_JPEG
static const char sig[] = "\xff\xd8\xff";
#elif FUZZ_CODEC == FUZZ_PNG
static const char sig[] = "\x89PNG\r\n\x1a\n";
#elif FUZZ_CODEC == FUZZ_GIF
static const char sig[] = "GIF89a";
#define FUZZ_FRAMES 1
#elif FUZZ_CODEC == FUZZ_AVIF
/* a whole ftyp box: the brands are what marks AVIF */
static const char sig[] = "\0\0\0\x1c" "ftypavif\0\0\0\0" "avifmif1miaf";
#define FUZZ_FRAMES 1
#elif FUZZ_CODEC == FUZZ_JXL
static const char sig[] = "\xff\x0a";
#define FUZZ_FRAMES 1
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
#ifdef FUZZ_FRAMES
    imc_decode_options opts = {.flags = IMC_IMREAD_UNCHANGED,
                               .limits = {.max_pixels = 1u << 22, .max_bytes = 1u << 25}};
    size_t count;
    imc_count(buf, len, &count, NULL);
    imc_animation anim;
    if (imc_decode_animation(buf, len, &opts, 1, 3, &anim, NULL) == IMC_OK)
        imc_animation_free(&anim);
#endif
    free(buf);
    return 0;
}
