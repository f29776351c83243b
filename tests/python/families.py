"""The variant families whose every file must decode exactly as cv2 4.6
decodes it, for every flag (test_families.py runs them all): each is a
generator of {name: bytes}, the codec that reads it, and the files left
out because cv2 4.6 is wrong on them or imc follows newer cv2 on purpose
(docs/compat.md; the format's own tests compare those with a second
reader)."""
import variants as V
import variants_jpeg2000 as J
import variants_pxm as P
import variants_tiff as T
import variants_webp as W

# TIFF, where imc follows newer cv2 on purpose.
TIFF_NEWER_CV2 = {"im_palette_4bit"}
# TIFF, where cv2 4.6 gives wrong pixels and imc the right ones: 8-bit tiles
# of a right-to-left orientation, each mirrored in its own place.
TIFF_CV2_MIRRORS_TILES = {f"orient_{o}_rgba_tiles" for o in (2, 3, 6, 7)}
# JPEG 2000, where cv2 4.6 is wrong: sYCC converted with cvtColor's
# YUV2BGR, whose analog-YUV coefficients are not sYCC's (imc converts as the
# sYCC definition and opj_decompress do); a palette typed by the codestream's
# one component, so IMREAD_UNCHANGED gives its colours as gray.
JPEG2000_RGB_TWIN = {"box_raw_sycc_444", "box_rgb_enumcs_sycc", "box_palette"}

# family: (generator, codec, names left out)
FAMILIES = {
    "jpeg": (V.jpeg_variants, "jpeg", set()),
    "png": (V.png_variants, "png", set()),
    "pnm": (P.pnm_variants, "pnm", set()),
    "pnm_header": (P.pnm_header_variants, "pnm", set()),
    "pfm": (P.pfm_variants, "pfm", set()),
    "pfm_header": (P.pfm_header_variants, "pfm", set()),
    "hdr": (P.hdr_variants, "hdr", set()),
    "hdr_header": (P.hdr_header_variants, "hdr", set()),
    "tiff": (T.variants, "tiff", TIFF_NEWER_CV2 | TIFF_CV2_MIRRORS_TILES),
    "webp_still": (W.still_variants, "webp", set()),
    "jpeg2000": (J.jpeg2000_variants, "jpeg2000", JPEG2000_RGB_TWIN),
}


def members(family):
    generator, _, left_out = FAMILIES[family]
    return sorted(set(generator()) - left_out)
