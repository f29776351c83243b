/* One page, from the codec's header to the caller's image: cv2's type
 * selection, the limits, one allocation, the codec's read, then the
 * REDUCED_* resize and the EXIF turn. What every decode call (decode.c) and
 * the threaded page reader (decode_pages.c) share. */
#include "internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Newest cv2 (4.10+): IMREAD_COLOR_RGB's bit asks the codec for RGB order,
 * whatever the other bits. Newest cv2 tests the bit in negative flags too;
 * imc keeps those (no cv2 documents them) as cv2 4.6 reads them. */
static bool rgb_by_flags(int flags)
{
    return flags > 0 && (flags & IMC_IMREAD_COLOR_RGB) != 0;
}

/* cv2's imdecode_ type selection, bit for bit (negative flags included);
 * IMREAD_COLOR_RGB counts as colour, as in newest cv2's calcType. */
static void output_type(int flags, const imc_header *hdr, int *channels, int *depth)
{
    *channels = hdr->channels;
    *depth = hdr->depth;
    if ((flags & IMC_IMREAD_LOAD_GDAL) != IMC_IMREAD_LOAD_GDAL && flags != IMC_IMREAD_UNCHANGED) {
        if ((flags & IMC_IMREAD_ANYDEPTH) == 0)
            *depth = IMC_8U;
        if ((flags & IMC_IMREAD_COLOR) != 0 || rgb_by_flags(flags) ||
            ((flags & IMC_IMREAD_ANYCOLOR) != 0 && hdr->channels > 1))
            *channels = 3;
        else
            *channels = 1;
    }
    if (hdr->native_channels)
        *channels = hdr->channels;
}

/* Whether a page's EXIF orientation is applied under this policy. */
static bool orient_page(int flags, int policy)
{
    if (policy != IMC_ORIENTATION_CV2)
        return policy == IMC_ORIENTATION_APPLY;
    return (flags & IMC_IMREAD_IGNORE_ORIENTATION) == 0 && flags != IMC_IMREAD_UNCHANGED;
}

/* What imc_decode_into's dst must be, known from the header: the type, and
 * the size read (or, for EXIF orientations that turn it, its transpose). */
static int check_into(const imc_image *into, const imc_header *hdr, int scale, int channels,
                      int depth, imc_error *err)
{
    int h = hdr->height, w = hdr->width;
    if (scale > 1 && !hdr->scaled) {
        h /= scale;
        w /= scale;
    }
    if (into->channels == channels && into->depth == depth &&
        ((into->rows == h && into->cols == w) || (into->rows == w && into->cols == h)))
        return IMC_OK;
    static const char *const names[] = {"8U", "8S", "16U", "16S", "32S", "32F", "64F"};
    const char *have = into->depth >= 0 && into->depth < 7 ? names[into->depth] : "?";
    return imc_fail(err, IMC_ERR_ARG, "dst is %d x %d x %d %s; the image decodes to %d x %d x %d %s",
                    into->cols, into->rows, into->channels, have, w, h, channels, names[depth]);
}

/* Decodes the page the codec is positioned on into `out`, as cv2 does after
 * readHeader: type from the flags, limits, one allocation, read, the
 * REDUCED_* resize when the codec could not scale, then EXIF orientation.
 * `into` (or NULL): caller memory, checked against the header first; the
 * codec writes straight into it when it has the size and type read and
 * packed rows, `out` then being a view of it. */
int imc_read_page(const imc_codec *codec, void *state, const imc_header *hdr,
                  const imc_decode_options *opts, int scale, const imc_limits *limits,
                  const imc_image *into, imc_image *out, int *duration_ms, imc_damage *damage,
                  const imc_row_sink *sink, imc_error *err)
{
    const int flags = opts->flags, order = rgb_by_flags(flags) ? IMC_ORDER_RGB : opts->order;
    /* as newest cv2, once the header is read: one order or the other */
    if (rgb_by_flags(flags) && (flags & IMC_IMREAD_COLOR))
        return imc_fail(err, IMC_ERR_ARG, "flags %d: IMREAD_COLOR_BGR (IMREAD_COLOR) and "
                        "IMREAD_COLOR_RGB cannot be set together", flags);
    int channels, depth;
    output_type(flags, hdr, &channels, &depth);
    int rc = into ? check_into(into, hdr, scale, channels, depth, err) : IMC_OK;
    if (rc != IMC_OK)
        return rc;
    rc = imc_check_limits(limits, (uint64_t)hdr->width, (uint64_t)hdr->height, channels, depth,
                          err);
    if (rc != IMC_OK)
        return rc;
    if (hdr->data_too_short)
        return imc_fail(err, IMC_ERR_TRUNCATED, "%s: the data is too short for a %d x %d image",
                        codec->name, hdr->width, hdr->height);
    if (sink) { /* the shape the rows will have (this page's: no resize, no turn follows) */
        rc = sink->begin(sink->ctx, hdr->width, hdr->height, channels, depth,
                         hdr->scaled ? hdr->shrunk_by : 1, err);
        if (rc != IMC_OK)
            return rc;
    }
    if (sink && codec->streams_rows) {
        *out = (imc_image){.rows = hdr->height, .cols = hdr->width, .channels = channels,
                           .depth = depth};
        imc_read_request req = {.order = order, .duration_ms = -1, .damage = damage,
                                .sink = sink};
        rc = codec->read(state, out, &req, err);
        return rc == IMC_OK ? imc_damage_check(damage, opts->fail_on, codec->name, err) : rc;
    }
    size_t room = 0;
    if (into && into->rows == hdr->height && into->cols == hdr->width &&
        into->channels == channels && into->depth == depth && (scale == 1 || hdr->scaled) &&
        into->step == (size_t)hdr->width * (size_t)channels * imc_depth_size(depth)) {
        *out = *into;
        out->owner = NULL;
        room = out->step * (size_t)out->rows;
    } else {
        rc = imc_image_alloc_room(out, hdr->height, hdr->width, channels, depth, &room);
    }
    if (rc != IMC_OK)
        return imc_fail(err, rc, "cannot allocate %d x %d x %d image", hdr->width, hdr->height,
                        channels);

    imc_read_request req = {.order = order, .orientation = 0, .duration_ms = -1, .damage = damage,
                            .dst_room = room, .threads = imc_threads_of(opts->threads)};
    rc = codec->read(state, out, &req, err);
    if (rc == IMC_OK)
        rc = imc_damage_check(damage, opts->fail_on, codec->name, err);
    if (rc != IMC_OK)
        return rc;
    if (duration_ms)
        *duration_ms = req.duration_ms;
    if (sink) { /* a codec that cannot stream: the rows of the whole image */
        for (int y = 0; y < out->rows; y++)
            sink->row(sink->ctx, y, (const uint8_t *)out->data + (size_t)y * out->step);
        imc_image_free(out);
        return IMC_OK;
    }

    if (scale > 1 && !hdr->scaled) {
        imc_image reduced;
        int w = hdr->width / scale, h = hdr->height / scale;
        if (w <= 0 || h <= 0)
            return imc_fail(err, IMC_ERR_ARG, "%d x %d image is too small for 1/%d reduction",
                            hdr->width, hdr->height, scale);
        rc = imc_image_alloc(&reduced, h, w, channels, depth);
        if (rc != IMC_OK)
            return imc_fail(err, rc, "cannot allocate reduced image");
        rc = imc_resize_linear_exact(out, &reduced, err);
        imc_image_free(out);
        *out = reduced;
        if (rc != IMC_OK)
            return rc;
    }

    if (req.orientation > 1 && orient_page(flags, opts->orientation))
        return imc_apply_orientation(out, req.orientation, err);
    return IMC_OK;
}
