/* EXIF orientation as cv2 4.6's ExifReader finds it. cv2 walks IFD0 entry by
 * entry and stops at the first entry whose value it cannot read (keeping
 * what it read before); only the first Orientation entry counts. Matching
 * that walk, rather than a lenient parser, keeps rotations identical. */
#include "internal.h"

#include "bytes.h"

enum {
    TAG_IMAGE_DESCRIPTION = 0x010E, TAG_MAKE = 0x010F, TAG_MODEL = 0x0110,
    TAG_ORIENTATION = 0x0112, TAG_XRESOLUTION = 0x011A, TAG_YRESOLUTION = 0x011B,
    TAG_RESOLUTION_UNIT = 0x0128, TAG_SOFTWARE = 0x0131, TAG_DATE_TIME = 0x0132,
    TAG_WHITE_POINT = 0x013E, TAG_PRIMARY_CHROMATICITIES = 0x013F,
    TAG_YCBCR_COEFFICIENTS = 0x0211, TAG_YCBCR_POSITIONING = 0x0213,
    TAG_REFERENCE_BLACK_WHITE = 0x0214, TAG_COPYRIGHT = 0x8298
};

typedef struct {
    const uint8_t *d;
    size_t n;
    bool intel;
} exif_reader;

/* Each getter fails exactly where cv2's getU16 / getU32 throw. */
static bool get_u16(const exif_reader *r, size_t off, uint32_t *v)
{
    if (off + 1 >= r->n)
        return false;
    *v = r->intel ? imc_load_le16(r->d + off) : imc_load_be16(r->d + off);
    return true;
}

static bool get_u32(const exif_reader *r, size_t off, uint32_t *v)
{
    if (off + 3 >= r->n)
        return false;
    *v = r->intel ? imc_load_le32(r->d + off) : imc_load_be32(r->d + off);
    return true;
}

/* `count` unsigned rationals at the offset stored in the entry's value. */
static bool rationals_ok(const exif_reader *r, size_t entry, int count)
{
    uint32_t at, v;
    if (!get_u32(r, entry + 8, &at))
        return false;
    for (int i = 0; i < count; i++, at += 8)
        if (!get_u32(r, at, &v) || !get_u32(r, (size_t)at + 4, &v))
            return false;
    return true;
}

static bool string_ok(const exif_reader *r, size_t entry)
{
    uint32_t size, data_offset = 8; /* cv2 uses 8 for short strings */
    if (!get_u32(r, entry + 4, &size))
        return false;
    if (size > 4 && !get_u32(r, entry + 8, &data_offset))
        return false;
    return data_offset <= r->n && (size_t)data_offset + size <= r->n;
}

int imc_exif_orientation(const uint8_t *tiff, size_t len)
{
    if (!tiff || len == 0)
        return 0;
    /* cv2: matching byte-order letters 'II' are little-endian; anything else
     * ('MM' or garbage) is read big-endian. */
    exif_reader r = {tiff, len, (len == 1 || tiff[0] == tiff[1]) && tiff[0] == 'I'};
    uint32_t mark, ifd, count, tag, value;
    if (!get_u16(&r, 2, &mark) || mark != 0x2A)
        return 0;
    if (!get_u32(&r, 4, &ifd) || !get_u16(&r, ifd, &count))
        return 0;
    size_t entry = (size_t)ifd + 2;
    for (uint32_t i = 0; i < count; i++, entry += 12) {
        if (!get_u16(&r, entry, &tag))
            return 0;
        bool ok = true;
        switch (tag) {
        case TAG_ORIENTATION:
            if (!get_u16(&r, entry + 8, &value))
                return 0;
            return (int)value; /* the first one wins */
        case TAG_IMAGE_DESCRIPTION: case TAG_MAKE: case TAG_MODEL: case TAG_SOFTWARE:
        case TAG_DATE_TIME: case TAG_COPYRIGHT:
            ok = string_ok(&r, entry);
            break;
        case TAG_XRESOLUTION: case TAG_YRESOLUTION:
            ok = rationals_ok(&r, entry, 1);
            break;
        case TAG_WHITE_POINT:
            ok = rationals_ok(&r, entry, 2);
            break;
        case TAG_PRIMARY_CHROMATICITIES: case TAG_REFERENCE_BLACK_WHITE:
            ok = rationals_ok(&r, entry, 6);
            break;
        case TAG_YCBCR_COEFFICIENTS:
            ok = rationals_ok(&r, entry, 3);
            break;
        case TAG_RESOLUTION_UNIT: case TAG_YCBCR_POSITIONING:
            ok = get_u16(&r, entry + 8, &value);
            break;
        default:
            break;
        }
        if (!ok)
            return 0;
    }
    return 0;
}

/* A plain, strict walk (not cv2's): the blob is the caller's to rewrite, so
 * only a well-formed IFD0 entry of type SHORT is touched. */
int imc_exif_set_orientation(void *exif, size_t size, int orientation)
{
    uint8_t *d = exif;
    if (!d || size < 8 || !(memcmp(d, "II*\0", 4) == 0 || memcmp(d, "MM\0*", 4) == 0))
        return IMC_ERR_ARG;
    if (orientation < 1 || orientation > 8)
        return IMC_ERR_ARG;
    bool intel = d[0] == 'I';
    uint32_t ifd = intel ? imc_load_le32(d + 4) : imc_load_be32(d + 4);
    if (ifd > size - 2)
        return 0;
    uint32_t count = intel ? imc_load_le16(d + ifd) : imc_load_be16(d + ifd);
    for (size_t i = 0, at = (size_t)ifd + 2; i < count && at + 12 <= size; i++, at += 12) {
        uint32_t tag = intel ? imc_load_le16(d + at) : imc_load_be16(d + at);
        uint32_t type = intel ? imc_load_le16(d + at + 2) : imc_load_be16(d + at + 2);
        if (tag != TAG_ORIENTATION)
            continue;
        if (type != 3) /* SHORT */
            return 0;
        d[at + 8] = intel ? (uint8_t)orientation : 0;
        d[at + 9] = intel ? 0 : (uint8_t)orientation;
        return 1;
    }
    return 0;
}
