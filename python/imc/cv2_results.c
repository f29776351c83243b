/* What cv2's codec functions return and raise, and imc's own errors: every
 * decision about whether a failure raises imc.error or gives cv2's quiet
 * "nothing" (None, False, 0) is made here. */
#include "binding.h"

PyObject *ImcError;

int add_error_type(PyObject *m)
{
    ImcError = PyErr_NewExceptionWithDoc(
        "imc.error",
        "An imc failure. args are (code, message); code is a negative IMC_ERR_* status.",
        PyExc_Exception, NULL);
    if (!ImcError || PyModule_AddObject(m, "error", ImcError) < 0)
        return -1;
    Py_INCREF(ImcError);
    return 0;
}

PyObject *raise_imc(const imc_error *err, int code)
{
    PyObject *e = error_object(err, code);
    if (e) {
        PyErr_SetObject(ImcError, e);
        Py_DECREF(e);
    }
    return NULL;
}

PyObject *encoded_bytes(int rc, const imc_error *err, imc_buffer *out)
{
    if (rc != IMC_OK)
        return raise_imc(err, rc);
    PyObject *bytes = PyBytes_FromStringAndSize((const char *)out->data, (Py_ssize_t)out->size);
    imc_buffer_free(out);
    return bytes;
}

PyObject *text_of(const char *s)
{
    /* Library messages may quote bytes of the (damaged) input. */
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

PyObject *error_object(const imc_error *err, int code)
{
    PyObject *text = text_of(err && err->message[0] ? err->message : imc_strerror(code));
    return text ? PyObject_CallFunction(ImcError, "iN", code, text) : NULL;
}

/* cv2 raises for bad arguments and its size limits and returns "nothing"
 * for data it cannot read; what each call does with the rest, below. */
static bool cv2_raises_always(int code)
{
    return code == IMC_ERR_ARG || code == IMC_ERR_LIMITS || code == IMC_ERR_NOMEM ||
           code == IMC_ERR_INTERNAL;
}

bool cv2_quiet(cv2_call call, int code)
{
    switch (call) {
    case CV2_DECODE: return !cv2_raises_always(code);
    /* a bad extension, image or params raises; a failed write is False */
    case CV2_WRITE:
        return code != IMC_ERR_NO_ENCODER && code != IMC_ERR_ARG && code != IMC_ERR_PARAM;
    case CV2_WRITE_MULTI: return code == IMC_ERR_IO;
    case CV2_ENCODE_ANIMATION: return code == IMC_ERR_UNSUPPORTED;
    case CV2_WRITE_ANIMATION: return code == IMC_ERR_IO || code == IMC_ERR_UNSUPPORTED;
    case CV2_DECODE_ANIMATION: return true;
    case CV2_COUNT: return true;
    }
    return false;
}

PyObject *cv2_failure(cv2_call call, bool strict, int code, const imc_error *err, PyObject *quiet)
{
    if (strict || !cv2_quiet(call, code))
        return raise_imc(err, code);
    return Py_NewRef(quiet);
}

/* _cv2_quiet(call, code) -> bool, for the cv2 functions __init__.py writes. */
static PyObject *py_cv2_quiet(PyObject *self, PyObject *args)
{
    (void)self;
    static const struct {
        const char *name;
        cv2_call call;
    } calls[] = {
        {"decode", CV2_DECODE}, {"write", CV2_WRITE}, {"write_multi", CV2_WRITE_MULTI},
        {"encode_animation", CV2_ENCODE_ANIMATION}, {"write_animation", CV2_WRITE_ANIMATION},
        {"decode_animation", CV2_DECODE_ANIMATION}, {"count", CV2_COUNT},
    };
    const char *name;
    int code;
    if (!PyArg_ParseTuple(args, "si:_cv2_quiet", &name, &code))
        return NULL;
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        if (!strcmp(calls[i].name, name))
            return PyBool_FromLong(cv2_quiet(calls[i].call, code));
    return PyErr_Format(PyExc_ValueError, "_cv2_quiet: no call named '%s'", name);
}

PyMethodDef imc_py_cv2_results_methods[] = {
    {"_cv2_quiet", py_cv2_quiet, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};
