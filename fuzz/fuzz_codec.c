/* libFuzzer targets for one codec each: the input is forced to carry that
 * codec's signature so that the fuzzer spends its time inside it.
 * Built once per codec with -DFUZZ_CODEC=FUZZ_JPEG, FUZZ_PNG, FUZZ_PNM, ... Pages, frames
 * and animations are decoded too. */
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
#define FUZZ_WEBP 9
#define FUZZ_TIFF 10
#define FUZZ_JP2 11
#define FUZZ_J2K 12
#define FUZZ_EXR 13
#define FUZZ_GIF 14
#define FUZZ_AVIF 15
#define FUZZ_JXL 16
/* sig is prepended to inputs that the codec called `name` does not claim. */
#if FUZZ_CODEC == FUZZ_JPEG
static const char sig[] = "\xff\xd8\xff", name[] = "jpeg";
#elif FUZZ_CODEC == FUZZ_PNG
static const char sig[] = "\x89PNG\r\n\x1a\n", name[] = "png";
#elif FUZZ_CODEC == FUZZ_PNM || FUZZ_CODEC == FUZZ_PFM
/* "P1".."P6" and "Pf"/"PF" share the first byte: the seeds pick the codec. */
#if FUZZ_CODEC == FUZZ_PNM
static const char sig[] = "P", name[] = "pnm";
#else
static const char sig[] = "P", name[] = "pfm";
#endif
#elif FUZZ_CODEC == FUZZ_PAM
static const char sig[] = "P7\n", name[] = "pam";
#elif FUZZ_CODEC == FUZZ_HDR
static const char sig[] = "#?RADIANCE\n", name[] = "hdr";
#elif FUZZ_CODEC == FUZZ_BMP
static const char sig[] = "BM", name[] = "bmp";
#elif FUZZ_CODEC == FUZZ_SUNRAS
static const char sig[] = "\x59\xa6\x6a\x95", name[] = "sunras";
#elif FUZZ_CODEC == FUZZ_WEBP
static const char sig[] = "RIFF", name[] = "webp";
#elif FUZZ_CODEC == FUZZ_TIFF
static const char sig[] = "II*\0", name[] = "tiff"; /* MM and BigTIFF inputs pass as they are */
#elif FUZZ_CODEC == FUZZ_JP2 /* JPEG 2000 boxes */
static const char sig[] = "\x00\x00\x00\x0cjP  \r\n\x87\n", name[] = "jpeg2000";
#elif FUZZ_CODEC == FUZZ_J2K /* JPEG 2000 codestream */
static const char sig[] = "\xff\x4f\xff\x51", name[] = "jpeg2000";
#elif FUZZ_CODEC == FUZZ_EXR
static const char sig[] = "\x76\x2f\x31\x01", name[] = "exr";
#elif FUZZ_CODEC == FUZZ_GIF
static const char sig[] = "GIF89a", name[] = "gif";
#elif FUZZ_CODEC == FUZZ_AVIF
/* a whole ftyp box: the brands are what marks AVIF */
static const char sig[] = "\0\0\0\x1c" "ftypavif\0\0\0\0" "avifmif1miaf", name[] = "avif";
#elif FUZZ_CODEC == FUZZ_JXL
static const char sig[] = "\xff\x0a", name[] = "jxl";
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
    static const int flags[] = {IMC_IMREAD_UNCHANGED, IMC_IMREAD_COLOR, IMC_IMREAD_REDUCED_GRAYSCALE_2,
                                IMC_IMREAD_REDUCED_COLOR_4 | IMC_IMREAD_ANYDEPTH};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        imc_decode_options opts = {.size = sizeof opts, .flags = flags[i],
                                   .limits = {.max_pixels = 1u << 22, .max_bytes = 1u << 25}};
        imc_image img;
        if (imc_decode_ex(buf, len, &opts, &img, NULL) == IMC_OK)
            imc_image_free(&img);
    }
    imc_decode_options all = {.size = sizeof all, .flags = IMC_IMREAD_ANYCOLOR,
                              .limits = {.max_pixels = 1u << 20, .max_bytes = 1u << 23}};
    imc_image_list pages;
    if (imc_decode_multi(buf, len, &all, 0, 8, &pages, NULL) == IMC_OK)
        imc_image_list_free(&pages);
    size_t count;
    imc_count(buf, len, &count, NULL);
    imc_info info;
    imc_probe(buf, len, &info);
    imc_animation anim;
    if (imc_decode_animation(buf, len, &all, 1, 3, &anim, NULL) == IMC_OK)
        imc_animation_free(&anim);
    free(buf);
    return 0;
}
