/* libFuzzer targets for one codec each: the input is forced to carry that
 * codec's signature so that the fuzzer spends its time inside it.
 * Built once per codec with -DFUZZ_CODEC=FUZZ_JPEG, FUZZ_PNG, ... Pages and
 * frames are decoded too (multi-page formats). */
#include <stdlib.h>
#include <string.h>

#include "imc.h"

#define FUZZ_JPEG 1
#define FUZZ_PNG 2
#define FUZZ_WEBP 3
#define FUZZ_TIFF 4
/* sig is prepended to inputs that the codec called `name` does not claim. */
#if FUZZ_CODEC == FUZZ_JPEG
static const char sig[] = "\xff\xd8\xff", name[] = "jpeg";
#elif FUZZ_CODEC == FUZZ_PNG
static const char sig[] = "\x89PNG\r\n\x1a\n", name[] = "png";
#elif FUZZ_CODEC == FUZZ_WEBP
static const char sig[] = "RIFF", name[] = "webp";
#elif FUZZ_CODEC == FUZZ_TIFF
static const char sig[] = "II*\0", name[] = "tiff"; /* MM and BigTIFF inputs pass as they are */
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
    const char *found = imc_sniff(data, size);
    if ((size >= n && !memcmp(data, sig, n)) || (found && !strcmp(found, name))) {
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
    imc_decode_options all = {.flags = IMC_IMREAD_ANYCOLOR,
                              .limits = {.max_pixels = 1u << 20, .max_bytes = 1u << 23}};
    imc_image_list pages;
    if (imc_decode_multi(buf, len, &all, 0, 8, &pages, NULL) == IMC_OK)
        imc_image_list_free(&pages);
    size_t count;
    imc_count(buf, len, &count, NULL);
    imc_info info;
    imc_probe(buf, len, &info);
    free(buf);
    return 0;
}
