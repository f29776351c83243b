/* A caller's (id, value) params read against a codec's table of the params
 * it takes (internal.h): the one place where values are clamped, skipped,
 * replaced or refused, and where cv2's first- or last-occurrence rule is
 * applied. Params the table does not name are ignored, as cv2 ignores other
 * formats' params. */
#include "internal.h"

#include <stdio.h>

static bool listed(const int *list, size_t n, int v)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == v)
            return true;
    return false;
}

/* The rule for v (-1: taken as given). */
static int rule_for(const imc_param_info *p, int v)
{
    if (p->values)
        return listed(p->values, p->nvalues, v) ? -1 : p->above;
    return v < p->min ? p->below : v > p->max ? p->above : -1;
}

static int refuse(const imc_codec *codec, const imc_param_info *p, int v, imc_error *err)
{
    if (!p->values)
        return imc_fail(err, IMC_ERR_PARAM, "%s: IMWRITE_%s must be %d..%d, not %d", codec->name,
                        p->name, p->min, p->max, v);
    char list[96] = "";
    size_t used = 0;
    for (size_t i = 0; i < p->nvalues && used + 16 < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%d", i ? ", " : "",
                                 p->values[i]);
    return imc_fail(err, IMC_ERR_PARAM, "%s: IMWRITE_%s must be one of %s, not %d (0x%x)",
                    codec->name, p->name, list, v, (unsigned)v);
}

/* Takes pair i (id, v) for table entry k, or leaves it. */
static int take(const imc_codec *codec, int k, size_t i, int v, imc_param_values *out,
                imc_error *err)
{
    const imc_param_spec *spec = &codec->params[k];
    const imc_param_info *p = &spec->info;
    if (spec->skip && listed(spec->skip, spec->nskip, v))
        return IMC_OK;
    int rule = rule_for(p, v);
    if (rule == IMC_PARAM_REFUSED)
        return refuse(codec, p, v, err);
    if (rule == IMC_PARAM_IGNORED || (p->first_wins && out->given[k]))
        return IMC_OK;
    out->value[k] = rule == IMC_PARAM_CLAMPED    ? (v < p->min ? p->min : p->max)
                    : rule == IMC_PARAM_REPLACED ? p->replacement
                                                 : v;
    out->given[k] = true;
    out->at[k] = (int)i;
    return IMC_OK;
}

int imc_params_read(const imc_codec *codec, const int *params, size_t nparams,
                    imc_param_values *out, imc_error *err)
{
    if (codec->param_count > IMC_PARAMS_MAX)
        return imc_fail(err, IMC_ERR_INTERNAL, "%s takes %d params, more than %d", codec->name,
                        codec->param_count, IMC_PARAMS_MAX);
    for (int k = 0; k < codec->param_count; k++) {
        out->value[k] = codec->params[k].info.def;
        out->given[k] = false;
        out->at[k] = -1;
    }
    size_t pairs = nparams / 2;
    if (codec->params_first_pair_only && pairs > 1)
        pairs = 1;
    for (size_t i = 0; i < pairs; i++)
        for (int k = 0; k < codec->param_count; k++)
            if (codec->params[k].info.id == params[2 * i]) {
                int rc = take(codec, k, i, params[2 * i + 1], out, err);
                if (rc != IMC_OK)
                    return rc;
                break;
            }
    return IMC_OK;
}
