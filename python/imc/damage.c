/* Damage in imc's own API: decoding raises for damaged data unless
 * partial=True, which returns what was decoded with an imc.DamageWarning;
 * the report as a dict (imc.check, error.damage). */
#include "binding.h"

PyObject *DamageWarning;

int add_damage_warning(PyObject *m)
{
    DamageWarning = PyErr_NewExceptionWithDoc(
        "imc.DamageWarning",
        "Issued by decode(..., partial=True) for an image that is not complete: its message "
        "says what was wrong. Filter it, or turn it into an error, with the warnings module.",
        PyExc_UserWarning, NULL);
    if (!DamageWarning)
        return -1;
    Py_INCREF(DamageWarning);
    return PyModule_AddObject(m, "DamageWarning", DamageWarning);
}

PyObject *damage_dict(const imc_damage_report *r, bool ok)
{
    PyObject *message = text_of(r->message);
    if (!message)
        return NULL;
    return Py_BuildValue("{s:O,s:s,s:O,s:i,s:i,s:i,s:N}", "ok",
                         ok && r->kind == IMC_DAMAGE_NONE ? Py_True : Py_False, "kind",
                         imc_damage_kind_name(r->kind), "complete",
                         r->complete ? Py_True : Py_False, "first_bad_row", r->first_bad_row,
                         "page", r->page, "warnings", r->warnings, "message", message);
}

void resolve_fail_on(decode_args *a)
{
    a->imc_api = true;
    if (!a->fail_on || a->fail_on == Py_None)
        a->fail_on_level = a->partial ? IMC_FAIL_ON_NONE : IMC_FAIL_ON_ERROR;
}

int warn_if_damaged(const decode_args *a, const imc_damage_report *r, Py_ssize_t item)
{
    if (!a->partial || r->complete || r->kind < IMC_DAMAGE_ERROR)
        return 0;
    char where[48] = "";
    if (item >= 0)
        snprintf(where, sizeof where, "item %zd: ", item);
    else if (r->page > 0)
        snprintf(where, sizeof where, "page %d: ", r->page);
    PyObject *message = PyUnicode_FromFormat("%s%s: %U", where, imc_damage_kind_name(r->kind),
                                             text_of(r->message));
    if (!message)
        return -1;
    int rc = PyErr_WarnEx(DamageWarning, PyUnicode_AsUTF8(message), 1);
    Py_DECREF(message);
    return rc;
}

PyObject *with_damage(PyObject *error, const imc_damage_report *r)
{
    PyObject *d = error && r ? damage_dict(r, false) : NULL;
    if (d) {
        PyObject_SetAttrString(error, "damage", d);
        Py_DECREF(d);
    }
    return error;
}

PyObject *raise_damaged(const imc_error *err, int code, const imc_damage_report *r)
{
    PyObject *e = with_damage(error_object(err, code), r);
    if (e) {
        PyErr_SetObject(ImcError, e);
        Py_DECREF(e);
    }
    return NULL;
}

PyObject *batch_outcome(const input_batch *b, const decode_args *a, Py_ssize_t i)
{
    if (b->status[i] != IMC_OK)
        return with_damage(error_object(&b->errs[i], b->status[i]), &b->reports[i]);
    return warn_if_damaged(a, &b->reports[i], i) < 0 ? NULL : Py_NewRef(Py_None);
}
