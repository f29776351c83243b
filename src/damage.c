/* Damage that codecs tolerate, as cv2 does, made visible: what they note
 * while reading, the decode failing at the caller's fail_on level, and the
 * report the caller gets either way. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

const char *imc_damage_kind_name(int kind)
{
    static const char *const names[] = {"none", "warning", "error", "truncated"};
    return kind >= IMC_DAMAGE_NONE && kind <= IMC_DAMAGE_TRUNCATED ? names[kind] : "unknown";
}

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

void imc_damage_failed(imc_damage *d, int rc, const imc_error *err)
{
    /* Sizes past the limits count: the data cannot be decoded as it is
     * (and a header's 0 x 0 is a "limit" too); arguments, memory, I/O do not. */
    int kind = rc == IMC_ERR_TRUNCATED ? IMC_DAMAGE_TRUNCATED
               : rc == IMC_ERR_CORRUPT || rc == IMC_ERR_UNKNOWN_FORMAT ||
                       rc == IMC_ERR_UNSUPPORTED || rc == IMC_ERR_LIMITS
                   ? IMC_DAMAGE_ERROR
                   : IMC_DAMAGE_NONE;
    if (kind == IMC_DAMAGE_NONE || d->kind >= IMC_DAMAGE_ERROR)
        return;
    imc_damage_note(d, kind, -1, "%s", err && err->message[0] ? err->message : imc_strerror(rc));
}

void imc_damage_worst(imc_damage *worst, const imc_damage *page, int index)
{
    worst->warnings += page->warnings;
    if (page->kind <= worst->kind)
        return;
    int warnings = worst->warnings;
    *worst = *page;
    worst->warnings = warnings;
    worst->page = index;
}

/* Fails the decode when the damage reaches the caller's fail_on level. */
int imc_damage_check(imc_damage *d, int fail_on, const char *codec, imc_error *err)
{
    bool fails = (d->kind == IMC_DAMAGE_TRUNCATED && fail_on >= IMC_FAIL_ON_TRUNCATED) ||
                 (d->kind == IMC_DAMAGE_ERROR && fail_on >= IMC_FAIL_ON_ERROR) ||
                 (d->kind == IMC_DAMAGE_WARNING && fail_on >= IMC_FAIL_ON_WARNING);
    if (!fails)
        return IMC_OK;
    d->enforced = true;
    const char *kind = d->kind == IMC_DAMAGE_ERROR ? "corrupt data" : imc_damage_kind_name(d->kind);
    return imc_fail(err, d->kind == IMC_DAMAGE_TRUNCATED ? IMC_ERR_TRUNCATED : IMC_ERR_CORRUPT,
                    "%s: %s: %s", codec, kind, d->message);
}

void imc_damage_report_to(const imc_damage *d, int rc, const imc_error *err,
                          imc_damage_report *caller)
{
    imc_damage all = *d;
    if (rc != IMC_OK && !d->enforced)
        imc_damage_failed(&all, rc, err);
    imc_damage_report r = {sizeof r, all.kind, rc == IMC_OK && all.kind <= IMC_DAMAGE_WARNING,
                           all.first_bad_row, all.page, all.warnings, ""};
    snprintf(r.message, sizeof r.message, "%s", all.message);
    size_t n = caller->size < sizeof r ? caller->size : sizeof r;
    memcpy((char *)caller + sizeof r.size, (const char *)&r + sizeof r.size,
           n > sizeof r.size ? n - sizeof r.size : 0);
}
