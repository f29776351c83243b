/* The codec descriptors; each codec file defines exactly one. */
#ifndef IMC_CODECS_H
#define IMC_CODECS_H

#include "../internal.h"

extern const imc_codec imc_codec_jpeg;
extern const imc_codec imc_codec_png;
extern const imc_codec imc_codec_webp;
extern const imc_codec imc_codec_tiff;

#endif
