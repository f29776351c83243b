/* The codec descriptors; each codec file defines exactly one. */
#ifndef IMC_CODECS_H
#define IMC_CODECS_H

#include "../internal.h"

extern const imc_codec imc_codec_jpeg;
extern const imc_codec imc_codec_png;
/* Optional: compiled in when meson finds their library (IMC_HAVE_*). */
extern const imc_codec imc_codec_gif;
extern const imc_codec imc_codec_avif;
extern const imc_codec imc_codec_jxl;

#endif
