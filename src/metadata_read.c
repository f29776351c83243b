/* imc_metadata_read and imc_metadata_kinds_written: the codec-neutral
 * entry points, which find the codec (apart from metadata.c, which the
 * codecs call, so that no codec reaches the registry). */
#include "internal.h"

#include <string.h>

int imc_metadata_read(const void *buf, size_t len, imc_metadata *out, imc_error *err)
{
    imc_error_clear(err);
    if (!out)
        return imc_fail(err, IMC_ERR_ARG, "NULL argument");
    memset(out, 0, sizeof *out);
    if (!buf || len == 0)
        return imc_fail(err, IMC_ERR_ARG, "empty input buffer");
    const imc_codec *codec = imc_find_decoder(buf, len);
    if (!codec)
        return imc_fail(err, IMC_ERR_UNKNOWN_FORMAT, "no codec recognises the data");
    int rc = codec->read_metadata ? codec->read_metadata(buf, len, out, err) : IMC_OK;
    if (rc != IMC_OK)
        imc_metadata_free(out);
    return rc;
}

unsigned imc_metadata_kinds_written(const char *ext)
{
    const imc_codec *codec = ext ? imc_find_encoder(ext, NULL) : NULL;
    return codec ? codec->metadata_written : 0;
}
