/* Metadata blobs between Python and libimc: the dict decode(metadata=True)
 * returns, the mapping encode(metadata=...) takes, and imc.metadata(). */
#include "binding.h"

/* A kind given as its name ("exif", "xmp", "icc" or "iccp", "cicp") or
 * cv2's IMAGE_METADATA_* number; -1 with an exception set. */
static int kind_of(PyObject *key)
{
    if (PyLong_Check(key)) {
        long k = PyLong_AsLong(key);
        if (k >= 0 && k < IMC_METADATA_KINDS)
            return (int)k;
    } else if (PyUnicode_Check(key)) {
        const char *s = PyUnicode_AsUTF8(key);
        if (s && !strcmp(s, "iccp"))
            return IMC_METADATA_ICCP;
        for (int k = 0; s && k < IMC_METADATA_KINDS; k++)
            if (!strcmp(s, imc_metadata_kind_name(k)))
                return k;
    }
    if (!PyErr_Occurred())
        PyErr_Format(PyExc_ValueError, "unknown metadata kind %R: use 'exif', 'xmp', 'icc', "
                     "'cicp' or IMAGE_METADATA_*", key);
    return -1;
}

/* A warning naming blobs the library left out as malformed; -1 when the
 * warning was made an error. */
static int warn_refused(const imc_metadata *md)
{
    if (!md->refused)
        return 0;
    return PyErr_WarnFormat(PyExc_UserWarning, 2, "imc: %d metadata blob(s) left out: %s",
                            md->refused, md->message);
}

PyObject *metadata_dict(imc_metadata *md)
{
    PyObject *d = warn_refused(md) < 0 ? NULL : PyDict_New();
    for (size_t i = 0; d && i < md->count; i++) {
        const char *name = imc_metadata_kind_name(md->blobs[i].kind);
        if (PyDict_GetItemString(d, name))
            continue; /* the first of a kind (a JPEG's extended XMP follows its main packet) */
        PyObject *b = PyBytes_FromStringAndSize((const char *)md->blobs[i].data,
                                                (Py_ssize_t)md->blobs[i].size);
        if (!b || PyDict_SetItemString(d, name, b) < 0)
            Py_CLEAR(d);
        Py_XDECREF(b);
    }
    imc_metadata_free(md);
    return d;
}

int metadata_from(PyObject *obj, imc_metadata *md, PyObject **keep)
{
    memset(md, 0, sizeof *md);
    *keep = NULL;
    if (!obj || obj == Py_None)
        return 0;
    PyObject *items = PyDict_Check(obj) ? PyDict_Items(obj) : PySequence_List(obj);
    if (!items) {
        PyErr_SetString(PyExc_TypeError, "metadata must be a dict {kind: bytes} or a sequence "
                        "of (kind, bytes) pairs");
        return -1;
    }
    Py_ssize_t n = PyList_GET_SIZE(items);
    PyObject *values = PyList_New(n); /* the bytes, alive while the blobs point into them */
    md->blobs = values && n ? PyMem_Calloc((size_t)n, sizeof *md->blobs) : NULL;
    if (!values || (n && !md->blobs)) {
        Py_DECREF(items);
        Py_XDECREF(values);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *pair = PyList_GET_ITEM(items, i), *key, *value, *bytes;
        int kind;
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
            PyErr_SetString(PyExc_TypeError, "metadata items must be (kind, bytes) pairs");
            goto fail;
        }
        key = PyTuple_GET_ITEM(pair, 0);
        value = PyTuple_GET_ITEM(pair, 1);
        if ((kind = kind_of(key)) < 0)
            goto fail;
        if (PyUnicode_Check(value)) /* XMP given as text */
            bytes = PyUnicode_AsUTF8String(value);
        else if (PyArray_Check(value)) /* cv2's blobs: (1, n) uint8 arrays, any layout */
            bytes = PyObject_CallMethod(value, "tobytes", NULL);
        else
            bytes = PyBytes_FromObject(value);
        if (!bytes)
            goto fail;
        PyList_SET_ITEM(values, i, bytes);
        md->blobs[i] = (imc_metadata_blob){kind, (const uint8_t *)PyBytes_AS_STRING(bytes),
                                           (size_t)PyBytes_GET_SIZE(bytes)};
    }
    md->count = (size_t)n;
    Py_DECREF(items);
    *keep = values;
    return 0;
fail:
    Py_DECREF(items);
    Py_DECREF(values);
    PyMem_Free(md->blobs);
    md->blobs = NULL;
    return -1;
}

void metadata_release(imc_metadata *md, PyObject *keep)
{
    PyMem_Free(md->blobs);
    md->blobs = NULL;
    Py_XDECREF(keep);
}

static int read_blobs(const void *data, size_t size, void *ctx, imc_error *err)
{
    return imc_metadata_read(data, size, ctx, err);
}

/* imc.metadata(data): every blob in file order, as (kind, bytes). */
static PyObject *py_metadata(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"data", NULL};
    PyObject *data;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:metadata", names, &data))
        return NULL;
    imc_metadata md;
    imc_error err;
    int rc = with_bytes(data, read_blobs, &md, &err);
    if (rc == PY_FAILED)
        return NULL;
    if (rc != IMC_OK)
        return raise_imc(&err, rc);
    PyObject *list = warn_refused(&md) < 0 ? NULL : PyList_New((Py_ssize_t)md.count);
    for (size_t i = 0; list && i < md.count; i++) {
        PyObject *item = Py_BuildValue("(sy#)", imc_metadata_kind_name(md.blobs[i].kind),
                                       (const char *)md.blobs[i].data,
                                       (Py_ssize_t)md.blobs[i].size);
        if (!item)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    imc_metadata_free(&md);
    return list;
}

static PyObject *py_metadata_kinds_written(PyObject *self, PyObject *args)
{
    (void)self;
    const char *ext;
    if (!PyArg_ParseTuple(args, "s:metadata_kinds_written", &ext))
        return NULL;
    unsigned mask = imc_metadata_kinds_written(ext);
    PyObject *out = PyList_New(0);
    for (int k = 0; out && k < IMC_METADATA_KINDS; k++) {
        if (!(mask & (1u << k)))
            continue;
        PyObject *name = PyUnicode_FromString(imc_metadata_kind_name(k));
        if (!name || PyList_Append(out, name) < 0)
            Py_CLEAR(out);
        Py_XDECREF(name);
    }
    return out;
}

static PyObject *py_exif_set_orientation(PyObject *self, PyObject *args)
{
    (void)self;
    Py_buffer exif;
    int orientation;
    if (!PyArg_ParseTuple(args, "y*i:exif_set_orientation", &exif, &orientation))
        return NULL;
    PyObject *copy = PyBytes_FromStringAndSize(exif.buf, exif.len);
    PyBuffer_Release(&exif);
    if (!copy)
        return NULL;
    int rc = imc_exif_set_orientation(PyBytes_AS_STRING(copy), (size_t)PyBytes_GET_SIZE(copy),
                                      orientation);
    if (rc < 0) {
        Py_DECREF(copy);
        PyErr_SetString(PyExc_ValueError, "not a TIFF-structured EXIF blob, or an orientation "
                        "outside 1..8");
        return NULL;
    }
    return copy;
}

PyMethodDef imc_py_metadata_methods[] = {
    KW_METHOD("metadata", py_metadata,
              "metadata(data) -> [(kind, bytes), ...]\n\nThe metadata blobs of the first image, "
              "in file order, without decoding pixels: kind is 'exif' (the TIFF structure, no "
              "'Exif\\0\\0'), 'xmp' (the packet), 'icc' (the profile) or 'cicp' (4 bytes). "
              "Malformed blobs are left out with a UserWarning."),
    {"metadata_kinds_written", py_metadata_kinds_written, METH_VARARGS,
     "metadata_kinds_written(ext) -> list of kinds\n\nThe metadata kinds the encoder for ext "
     "stores ([] for none or no encoder)."},
    {"exif_set_orientation", py_exif_set_orientation, METH_VARARGS,
     "exif_set_orientation(exif, orientation) -> bytes\n\nA copy of the EXIF blob with IFD0's "
     "Orientation set (unchanged when it has none)."},
    {NULL, NULL, 0, NULL},
};
