/* Status codes, their names and the optional detailed error record. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

const char *imc_strerror(int code)
{
    switch (code) {
    case IMC_OK: return "success";
    case IMC_ERR_ARG: return "invalid argument";
    case IMC_ERR_NOMEM: return "out of memory";
    case IMC_ERR_UNKNOWN_FORMAT: return "unknown image format";
    case IMC_ERR_NO_ENCODER: return "no encoder for this extension";
    case IMC_ERR_TRUNCATED: return "truncated image data";
    case IMC_ERR_CORRUPT: return "corrupt image data";
    case IMC_ERR_UNSUPPORTED: return "unsupported image feature";
    case IMC_ERR_LIMITS: return "image exceeds size limits";
    case IMC_ERR_IO: return "file input/output error";
    case IMC_ERR_PARAM: return "invalid encode parameter";
    case IMC_ERR_INTERNAL: return "internal error";
    case IMC_ERR_NO_PAGE: return "no such page or frame";
    default: return "unknown error code";
    }
}

void imc_error_clear(imc_error *err)
{
    if (err) {
        err->code = IMC_OK;
        err->sys_errno = 0;
        err->message[0] = '\0';
    }
}

int imc_fail(imc_error *err, int code, const char *fmt, ...)
{
    if (err) {
        err->code = code;
        if (fmt) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err->message, sizeof err->message, fmt, ap);
            va_end(ap);
        } else {
            snprintf(err->message, sizeof err->message, "%s", imc_strerror(code));
        }
    }
    return code;
}
