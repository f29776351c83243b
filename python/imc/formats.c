/* What imc reads and writes: haveImageReader / haveImageWriter and the
 * codec list. */
#include "binding.h"

/* Whether a codec recognises the bytes of a bytes-like object. */
static PyObject *sniffed(PyObject *arg)
{
    input_bytes in;
    if (get_input(arg, &in) < 0) {
        release_input(&in);
        return NULL;
    }
    bool ok = imc_sniff(in.data, in.size) != NULL;
    release_input(&in);
    return PyBool_FromLong(ok);
}

static PyObject *py_have_image_reader(PyObject *self, PyObject *arg)
{
    (void)self;
    if (PyUnicode_Check(arg)) {
        PyObject *b = PyUnicode_AsUTF8String(arg);
        if (!b)
            return NULL;
        bool ok = imc_have_reader(PyBytes_AS_STRING(b));
        Py_DECREF(b);
        return PyBool_FromLong(ok);
    }
    return sniffed(arg);
}

static PyObject *py_have_reader(PyObject *self, PyObject *arg)
{
    (void)self;
    /* cv2 takes a file name and sniffs its first bytes; imc also takes bytes. */
    unsigned char head[64];
    size_t got;
    if (PyUnicode_Check(arg) || PyObject_HasAttrString(arg, "__fspath__")) {
        PyObject *path = NULL;
        if (!PyUnicode_FSConverter(arg, &path))
            return NULL;
        FILE *f = fopen(PyBytes_AS_STRING(path), "rb");
        Py_DECREF(path);
        if (!f)
            Py_RETURN_FALSE;
        got = fread(head, 1, sizeof head, f);
        fclose(f);
        return PyBool_FromLong(imc_sniff(head, got) != NULL);
    }
    return sniffed(arg);
}

static PyObject *py_have_writer(PyObject *self, PyObject *arg)
{
    (void)self;
    PyObject *path = NULL;
    if (!PyUnicode_FSConverter(arg, &path))
        return NULL;
    bool ok = imc_have_writer(PyBytes_AS_STRING(path));
    Py_DECREF(path);
    return PyBool_FromLong(ok);
}

/* The encode params of format i, as dicts of imc_param_info's fields. */
static PyObject *format_params(int i)
{
    static const char *const rules[] = {"clamped", "ignored", "refused", "replaced"};
    PyObject *list = PyList_New(0);
    imc_param_info p;
    for (int k = 0; list && imc_format_param(i, k, &p) == IMC_OK; k++) {
        PyObject *values = p.values ? PyTuple_New((Py_ssize_t)p.nvalues) : Py_NewRef(Py_None);
        for (size_t j = 0; values && p.values && j < p.nvalues; j++)
            PyTuple_SET_ITEM(values, (Py_ssize_t)j, PyLong_FromLong(p.values[j]));
        PyObject *item =
            values ? Py_BuildValue("{s:s,s:i,s:i,s:i,s:N,s:s,s:s,s:i,s:i,s:O}", "name", p.name,
                                   "id", p.id, "min", p.min, "max", p.max, "values", values,
                                   "below", rules[p.below & 3], "above", rules[p.above & 3],
                                   "replacement", p.replacement, "default", p.def,
                                   "first_wins", p.first_wins ? Py_True : Py_False)
                   : NULL;
        if (!item || PyList_Append(list, item) < 0)
            Py_CLEAR(list);
        Py_XDECREF(item);
    }
    return list;
}

static PyObject *py_formats(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    int n = imc_format_count();
    PyObject *list = PyList_New(0);
    for (int i = 0; list && i < n; i++) {
        imc_format f;
        imc_format_get(i, &f);
        PyObject *params = format_params(i);
        PyObject *item = params ? Py_BuildValue("{s:s,s:N,s:O,s:O,s:O,s:O,s:N}", "name", f.name,
                                                "extensions", PyUnicode_FromString(f.extensions),
                                                "decode", f.can_decode ? Py_True : Py_False,
                                                "encode", f.can_encode ? Py_True : Py_False,
                                                "multi_page", f.multi_page ? Py_True : Py_False,
                                                "animation", f.animation ? Py_True : Py_False,
                                                "params", params)
                                : NULL;
        if (!item || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            Py_CLEAR(list);
            break;
        }
        Py_DECREF(item);
    }
    return list;
}

PyMethodDef imc_py_formats_methods[] = {
    {"have_image_reader", py_have_image_reader, METH_O,
     "have_image_reader(ext_or_bytes) -> bool\n\nWhether imc reads files with this extension "
     "('.tif', 'x.webp'), or recognises these bytes."},
    {"haveImageReader", py_have_reader, METH_O,
     "haveImageReader(filename_or_bytes) -> bool"},
    {"haveImageWriter", py_have_writer, METH_O, "haveImageWriter(filename) -> bool"},
    {"have_image_writer", py_have_writer, METH_O,
     "have_image_writer(ext) -> bool\n\nWhether imc writes files with this extension."},
    {"formats", py_formats, METH_NOARGS,
     "formats() -> list of dicts: the compiled-in codecs, each with the encode params it "
     "takes ('params': name, id, min, max, values, below / above: what values outside the "
     "range do, replacement, default, first_wins)"},
    {NULL, NULL, 0, NULL},
};
