/* libFuzzer targets for one codec each: the input is forced to carry that
 * codec's signature so that the fuzzer spends its time inside it. Pages,
 * frames, animations and metadata are decoded too. fuzz/meson.build builds it once per
 * fuzz target of the codec manifest, with -DFUZZ_CODEC=<codec name> and
 * -DFUZZ_SIGNATURE=<index into the descriptor's signatures>. */
#include <stdlib.h>
#include <string.h>

#include "codecs.h"

#define DESCRIPTOR_(name) imc_codec_##name
#define DESCRIPTOR(name) DESCRIPTOR_(name)
static const imc_codec *const codec = &DESCRIPTOR(FUZZ_CODEC);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* inputs the codec does not claim get its signature in front */
    const char *sig = codec->signatures[FUZZ_SIGNATURE].bytes, *name = codec->name;
    const size_t n = codec->signatures[FUZZ_SIGNATURE].len;
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
    /* one image on two threads (TIFF reads strips and tiles on them): one
     * thread's outcome, and its pixels when every pixel came from the data */
    imc_damage_report r1 = IMC_DAMAGE_REPORT_INIT, r2 = IMC_DAMAGE_REPORT_INIT;
    imc_decode_options one = {.size = sizeof one, .flags = IMC_IMREAD_UNCHANGED,
                              .limits = {.max_pixels = 1u << 22, .max_bytes = 1u << 25},
                              .report = &r1};
    imc_decode_options split = one;
    split.threads = 2;
    split.report = &r2;
    imc_image a, b;
    int ra = imc_decode_ex(buf, len, &one, &a, NULL), rb = imc_decode_ex(buf, len, &split, &b, NULL);
    if (ra != rb || r1.kind != r2.kind || r1.complete != r2.complete || r1.warnings != r2.warnings)
        abort();
    if (ra == IMC_OK) {
        if (a.rows != b.rows || a.cols != b.cols || a.channels != b.channels || a.depth != b.depth)
            abort();
        /* pixels only where threads split a page (TIFF): libavif, say, leaves some
         * undefined in images it calls whole, which then differ call to call */
        for (int y = 0; codec->pages_independent && r1.complete && y < a.rows; y++)
            if (memcmp((uint8_t *)a.data + (size_t)y * a.step, (uint8_t *)b.data + (size_t)y * b.step,
                       (size_t)a.cols * (size_t)a.channels * imc_depth_size(a.depth)))
                abort();
        imc_image_free(&a);
        imc_image_free(&b);
    }
    imc_decode_options all = {.size = sizeof all, .flags = IMC_IMREAD_ANYCOLOR,
                              .limits = {.max_pixels = 1u << 20, .max_bytes = 1u << 23}};
    imc_image_list pages;
    if (imc_decode_multi(buf, len, &all, 0, 8, &pages, NULL) == IMC_OK)
        imc_image_list_free(&pages);
    /* the same pages on two threads (formats with independent pages) */
    imc_decode_options two = all;
    two.threads = 2;
    if (codec->pages_independent && imc_decode_multi(buf, len, &two, 1, 0, &pages, NULL) == IMC_OK)
        imc_image_list_free(&pages);
    size_t count;
    imc_count(buf, len, &count, NULL);
    imc_info info;
    imc_probe(buf, len, &info);
    imc_animation anim;
    if (imc_decode_animation(buf, len, &all, 1, 3, &anim, NULL) == IMC_OK)
        imc_animation_free(&anim);
    /* Metadata: every blob a read keeps is whole, of a known kind, in the
     * limit; decoding with metadata gives the same blobs. */
    imc_metadata md, with_pixels;
    if (imc_metadata_read(buf, len, &md, NULL) == IMC_OK) {
        for (size_t i = 0; i < md.count; i++)
            if (!imc_metadata_kind_name(md.blobs[i].kind) || !md.blobs[i].data ||
                md.blobs[i].size == 0 || md.blobs[i].size > IMC_METADATA_MAX_BLOB)
                abort();
        imc_decode_options o = {.size = sizeof o, .flags = IMC_IMREAD_UNCHANGED,
                                .limits = all.limits, .metadata = &with_pixels};
        imc_image img;
        if (imc_decode_ex(buf, len, &o, &img, NULL) == IMC_OK) {
            imc_image_free(&img);
            if (with_pixels.count != md.count)
                abort();
            for (size_t i = 0; i < md.count; i++)
                if (with_pixels.blobs[i].size != md.blobs[i].size ||
                    memcmp(with_pixels.blobs[i].data, md.blobs[i].data, md.blobs[i].size))
                    abort();
            imc_metadata_free(&with_pixels);
        }
        imc_metadata_free(&md);
    }
    free(buf);
    return 0;
}
