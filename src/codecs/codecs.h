/* The codec descriptors; each codec file defines exactly one. */
#ifndef IMC_CODECS_H
#define IMC_CODECS_H

#include "../internal.h"

extern const imc_codec imc_codec_bmp;
extern const imc_codec imc_codec_hdr;
extern const imc_codec imc_codec_jpeg;
extern const imc_codec imc_codec_pnm;
extern const imc_codec imc_codec_pam;
extern const imc_codec imc_codec_pfm;
extern const imc_codec imc_codec_png;
extern const imc_codec imc_codec_sunras;
extern const imc_codec imc_codec_webp;
extern const imc_codec imc_codec_tiff;
#ifdef IMC_HAVE_OPENJPEG
extern const imc_codec imc_codec_jpeg2000;
#endif
#ifdef IMC_HAVE_OPENEXR
extern const imc_codec imc_codec_exr;
#endif
/* Optional: compiled in when meson finds their library (IMC_HAVE_*). */
extern const imc_codec imc_codec_gif;
extern const imc_codec imc_codec_avif;
extern const imc_codec imc_codec_jxl;

#endif
