/* The codec descriptors of this build; each codec defines exactly one,
 * imc_codec_<name>, and lists itself in the manifest (meson.build here). */
#ifndef IMC_CODECS_H
#define IMC_CODECS_H

#include "../internal.h"
#include "codec_list.h"

#define IMC_DECLARE_CODEC(name) extern const imc_codec imc_codec_##name;
IMC_CODEC_LIST(IMC_DECLARE_CODEC)
#undef IMC_DECLARE_CODEC

#endif
