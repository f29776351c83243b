/* Damage that codecs tolerate, as cv2 does, made visible: what they note
 * while reading, the decode failing at the caller's fail_on level, and the
 * report the caller gets either way. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

void imc_damage_note(imc_damage *d, int kind, int row, const char *fmt, ...)
{
    if (kind == IMC_DAMAGE_WARNING)
        d->warnings++;
    if (row >= 0 && (d->first_bad_row < 0 || row < d->first_bad_row) && kind > IMC_DAMAGE_WARNING)
        d->first_bad_row = row;
    if (kind <= d->kind)
        return;
    d->kind = kind;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
}

/* Fails the decode when the damage reaches the caller's fail_on level. */
int imc_damage_check(const imc_damage *d, int fail_on, const char *codec, imc_error *err)
{
    bool fails = (d->kind == IMC_DAMAGE_TRUNCATED && fail_on >= IMC_FAIL_ON_TRUNCATED) ||
                 (d->kind == IMC_DAMAGE_ERROR && fail_on >= IMC_FAIL_ON_ERROR) ||
                 (d->kind == IMC_DAMAGE_WARNING && fail_on >= IMC_FAIL_ON_WARNING);
    if (!fails)
        return IMC_OK;
    static const char *const kinds[] = {"", "warning", "corrupt data", "truncated"};
    return imc_fail(err, d->kind == IMC_DAMAGE_TRUNCATED ? IMC_ERR_TRUNCATED : IMC_ERR_CORRUPT,
                    "%s: %s: %s", codec, kinds[d->kind], d->message);
}

void imc_damage_report_to(const imc_damage *d, bool codec_reports, int rc, const imc_error *err,
                          imc_damage_report *caller)
{
    imc_damage_report r = {sizeof r, d->kind, 0, d->first_bad_row, 0, d->warnings, ""};
    r.complete = rc != IMC_OK ? 0 : !codec_reports ? -1 : d->kind <= IMC_DAMAGE_WARNING;
    snprintf(r.message, sizeof r.message, "%s", d->message);
    /* The codec itself failed on the data (not fail_on on what it noted). */
    if ((rc == IMC_ERR_TRUNCATED || rc == IMC_ERR_CORRUPT) && d->kind == IMC_DAMAGE_NONE) {
        r.kind = rc == IMC_ERR_TRUNCATED ? IMC_DAMAGE_TRUNCATED : IMC_DAMAGE_ERROR;
        snprintf(r.message, sizeof r.message, "%s", err && err->message[0] ? err->message
                                                                          : imc_strerror(rc));
    }
    size_t n = caller->size < sizeof r ? caller->size : sizeof r;
    memcpy((char *)caller + sizeof r.size, (const char *)&r + sizeof r.size,
           n > sizeof r.size ? n - sizeof r.size : 0);
}
