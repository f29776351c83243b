/* The codec descriptors; each codec file defines exactly one. */
#ifndef IMC_CODECS_H
#define IMC_CODECS_H

#include "../internal.h"

extern const imc_codec imc_codec_jpeg;
extern const imc_codec imc_codec_png;
#ifdef IMC_HAVE_OPENJPEG
extern const imc_codec imc_codec_jpeg2000;
#endif
#ifdef IMC_HAVE_OPENEXR
extern const imc_codec imc_codec_exr;
#endif

#endif
