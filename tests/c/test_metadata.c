/* The metadata C API: blobs written by encode come back from
 * imc_metadata_read, from a decode and from each item of a batch; the
 * caller's list is never freed by the library; EXIF orientation edits. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "imc.h"
#include "synth.h"

/* A big-endian EXIF block: IFD0 with one entry, Orientation = 6. */
static const uint8_t exif[] = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3,
                               0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0};
static const uint8_t xmp[] = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>";
static const uint8_t cicp[] = {9, 16, 0, 1};

static bool blob_is(const imc_metadata *md, size_t i, int kind, const void *data, size_t size)
{
    return i < md->count && md->blobs[i].kind == kind && md->blobs[i].size == size &&
           !memcmp(md->blobs[i].data, data, size);
}

int main(void)
{
    imc_image img;
    CHECK_EQ(synth_image(&img, 12, 10, 3, IMC_8U, 1), IMC_OK);
    imc_metadata_blob given[] = {{IMC_METADATA_EXIF, exif, sizeof exif},
                                 {IMC_METADATA_XMP, xmp, sizeof xmp - 1},
                                 {IMC_METADATA_CICP, cicp, sizeof cicp}};
    imc_metadata in = {given, 3, 0, "", NULL};
    imc_encode_options eo = IMC_ENCODE_OPTIONS_INIT;
    eo.metadata = &in;
    imc_buffer png;
    imc_error err;
    CHECK_EQ(imc_encode_ex(".png", &img, NULL, 0, &eo, &png, &err), IMC_OK);
    CHECK(in.blobs == given && in.count == 3); /* the caller's, untouched */

    /* PNG keeps them in its chunk order: cICP, eXIf, then iTXt. */
    imc_metadata md;
    CHECK_EQ(imc_metadata_read(png.data, png.size, &md, &err), IMC_OK);
    CHECK_EQ(md.count, 3);
    CHECK(blob_is(&md, 0, IMC_METADATA_CICP, cicp, sizeof cicp));
    CHECK(blob_is(&md, 1, IMC_METADATA_EXIF, exif, sizeof exif));
    CHECK(blob_is(&md, 2, IMC_METADATA_XMP, xmp, sizeof xmp - 1));
    CHECK_EQ(md.refused, 0);
    imc_metadata_free(&md);
    CHECK(md.blobs == NULL && md.count == 0);

    /* A decode returns the same; the EXIF turn applies to the pixels. */
    imc_decode_options o = IMC_DECODE_OPTIONS_INIT;
    o.metadata = &md;
    imc_image out;
    CHECK_EQ(imc_decode_ex(png.data, png.size, &o, &out, &err), IMC_OK);
    CHECK_EQ(md.count, 3);
    CHECK(out.rows == 10 && out.cols == 12);
    imc_image_free(&out);
    imc_metadata_free(&md);

    /* A batch fills one list per item; a failed item's is empty. */
    const void *bufs[2] = {png.data, "not an image"};
    size_t lens[2] = {png.size, 12};
    imc_image outs[2];
    int status[2];
    imc_metadata lists[2];
    o.metadata = lists;
    CHECK_EQ(imc_decode_batch(bufs, lens, 2, &o, 2, outs, status, NULL), IMC_ERR_UNKNOWN_FORMAT);
    CHECK_EQ(status[0], IMC_OK);
    CHECK_EQ(status[1], IMC_ERR_UNKNOWN_FORMAT);
    CHECK_EQ(lists[0].count, 3);
    CHECK_EQ(lists[1].count, 0);
    imc_image_free(&outs[0]);
    imc_metadata_free(&lists[0]);
    imc_metadata_free(&lists[1]);

    /* Kinds a format cannot hold, and malformed blobs, fail the encode. */
    imc_buffer jpg;
    CHECK_EQ(imc_encode_ex(".jpg", &img, NULL, 0, &eo, &jpg, &err), IMC_ERR_UNSUPPORTED);
    CHECK(strstr(err.message, "cicp") != NULL);
    in.count = 2;
    CHECK_EQ(imc_encode_ex(".jpg", &img, NULL, 0, &eo, &jpg, &err), IMC_OK);
    imc_buffer_free(&jpg);
    given[0].size = 4;
    CHECK_EQ(imc_encode_ex(".jpg", &img, NULL, 0, &eo, &jpg, &err), IMC_ERR_ARG);
    CHECK_EQ(imc_metadata_kinds_written(".jpg"),
             1u << IMC_METADATA_EXIF | 1u << IMC_METADATA_XMP | 1u << IMC_METADATA_ICCP);
    CHECK_EQ(imc_metadata_kinds_written(".bmp"), 0);
    CHECK_EQ(imc_metadata_kinds_written(".nope"), 0);
    CHECK(!strcmp(imc_metadata_kind_name(IMC_METADATA_ICCP), "icc"));
    CHECK(imc_metadata_kind_name(4) == NULL);

    /* Orientation: set in place in IFD0, only there. */
    uint8_t copy[sizeof exif];
    memcpy(copy, exif, sizeof exif);
    CHECK_EQ(imc_exif_set_orientation(copy, sizeof copy, 1), 1);
    CHECK(copy[18] == 0 && copy[19] == 1 && !memcmp(copy, exif, 18));
    CHECK_EQ(imc_exif_set_orientation(copy, sizeof copy, 9), IMC_ERR_ARG);
    CHECK_EQ(imc_exif_set_orientation((void *)"Exif\0\0", 6, 1), IMC_ERR_ARG);
    CHECK_EQ(imc_exif_set_orientation(copy, 12, 1), 0); /* the entry is cut off */

    CHECK_EQ(imc_metadata_read(NULL, 0, &md, &err), IMC_ERR_ARG);
    CHECK_EQ(imc_metadata_read("garbage", 7, &md, &err), IMC_ERR_UNKNOWN_FORMAT);
    imc_buffer_free(&png);
    imc_image_free(&img);
    return check_report("test_metadata");
}
