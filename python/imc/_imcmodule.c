/* imc._imc: the CPython binding. It only translates arguments, results and
 * errors; every decision about pixels lives in libimc. The GIL is released
 * while a codec runs. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include <stdbool.h>
#include <string.h>

#include "imc.h"

static PyObject *ImcError;        /* imc.error */
static PyTypeObject ImageInfoType; /* imc.ImageInfo */

/* ---- Errors ------------------------------------------------------------- */
static PyObject *raise_imc(const imc_error *err, int code)
{
    const char *msg = err && err->message[0] ? err->message : imc_strerror(code);
    /* Library messages may quote bytes of the (damaged) input. */
    PyObject *text = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "replace");
    PyObject *args = text ? Py_BuildValue("(iN)", code, text) : NULL;
    if (args) {
        PyErr_SetObject(ImcError, args);
        Py_DECREF(args);
    }
    return NULL;
}

/* The outcome of an encoding call: its bytes (the buffer freed), or the
 * raised imc.error. */
static PyObject *encoded_bytes(int rc, const imc_error *err, imc_buffer *out)
{
    if (rc != IMC_OK)
        return raise_imc(err, rc);
    PyObject *bytes = PyBytes_FromStringAndSize((const char *)out->data, (Py_ssize_t)out->size);
    imc_buffer_free(out);
    return bytes;
}

/* cv2 raises for bad arguments and for its size limits, and returns None
 * for data it cannot decode; the drop-in functions keep that split. */
static bool cv2_raises(int code)
{
    return code == IMC_ERR_ARG || code == IMC_ERR_LIMITS || code == IMC_ERR_NOMEM ||
           code == IMC_ERR_INTERNAL;
}

/* ---- Input bytes from any buffer-protocol object ------------------------ */
typedef struct {
    Py_buffer view;
    bool have_view;
    void *copy;
    const void *data;
    size_t size;
} input_bytes;

static int get_input(PyObject *obj, input_bytes *in)
{
    memset(in, 0, sizeof *in);
    if (PyObject_GetBuffer(obj, &in->view, PyBUF_ANY_CONTIGUOUS) == 0) {
        in->have_view = true;
        in->data = in->view.buf;
        in->size = (size_t)in->view.len;
        return 0;
    }
    PyErr_Clear();
    /* Non-contiguous exporters (strided ndarray views): copy, as cv2 does. */
    if (PyObject_GetBuffer(obj, &in->view, PyBUF_FULL_RO) == 0) {
        in->have_view = true;
        in->copy = PyMem_Malloc(in->view.len ? (size_t)in->view.len : 1);
        if (!in->copy) {
            PyErr_NoMemory();
            return -1;
        }
        if (PyBuffer_ToContiguous(in->copy, &in->view, in->view.len, 'C') < 0)
            return -1;
        in->data = in->copy;
        in->size = (size_t)in->view.len;
        return 0;
    }
    PyErr_Format(PyExc_TypeError,
                 "expected a bytes-like object or array (bytes, bytearray, memoryview, "
                 "ndarray, mmap...), not %.100s",
                 Py_TYPE(obj)->tp_name);
    return -1;
}

static void release_input(input_bytes *in)
{
    if (in->have_view)
        PyBuffer_Release(&in->view);
    PyMem_Free(in->copy);
    memset(in, 0, sizeof *in);
}

/* ---- imc memory as NumPy arrays, without copying ------------------------- */
static void free_pixels(PyObject *capsule)
{
    imc_image img = {0};
    img.owner = PyCapsule_GetPointer(capsule, "imc.pixels");
    imc_image_free(&img);
}

static void free_bytes(PyObject *capsule)
{
    imc_buffer buf = {0};
    buf.data = PyCapsule_GetPointer(capsule, "imc.bytes");
    imc_buffer_free(&buf);
}

static int npy_type_of(int depth)
{
    switch (depth) {
    case IMC_8U: return NPY_UINT8;
    case IMC_8S: return NPY_INT8;
    case IMC_16U: return NPY_UINT16;
    case IMC_16S: return NPY_INT16;
    case IMC_32S: return NPY_INT32;
    case IMC_32F: return NPY_FLOAT32;
    case IMC_64F: return NPY_FLOAT64;
    default: return -1;
    }
}

/* Takes ownership of img's pixels. cv2's shapes: (rows, cols) for one
 * channel, (rows, cols, channels) otherwise. */
static PyObject *image_to_array(imc_image *img)
{
    int typenum = npy_type_of(img->depth);
    if (typenum < 0) {
        imc_image_free(img);
        return PyErr_Format(PyExc_SystemError, "imc: unexpected depth %d", img->depth);
    }
    npy_intp dims[3] = {img->rows, img->cols, img->channels};
    npy_intp elem = (npy_intp)imc_depth_size(img->depth);
    npy_intp strides[3] = {(npy_intp)img->step, img->channels * elem, elem};
    int nd = img->channels > 1 ? 3 : 2;
    if (nd == 2)
        strides[1] = elem;
    PyObject *capsule = PyCapsule_New(img->owner, "imc.pixels", free_pixels);
    if (!capsule) {
        imc_image_free(img);
        return NULL;
    }
    PyObject *arr = PyArray_New(&PyArray_Type, nd, dims, typenum, strides, img->data, 0,
                                NPY_ARRAY_CARRAY, NULL);
    if (!arr || PyArray_SetBaseObject((PyArrayObject *)arr, capsule) < 0) {
        Py_XDECREF(arr);
        Py_DECREF(capsule);
        return NULL;
    }
    memset(img, 0, sizeof *img);
    return arr;
}

static PyObject *buffer_to_array(imc_buffer *buf)
{
    npy_intp n = (npy_intp)buf->size;
    PyObject *capsule = PyCapsule_New(buf->data ? (void *)buf->data : (void *)"", "imc.bytes",
                                      buf->data ? free_bytes : NULL);
    if (!capsule) {
        imc_buffer_free(buf);
        return NULL;
    }
    PyObject *arr = PyArray_SimpleNewFromData(1, &n, NPY_UINT8, buf->data);
    if (!arr || PyArray_SetBaseObject((PyArrayObject *)arr, capsule) < 0) {
        Py_XDECREF(arr);
        Py_DECREF(capsule);
        return NULL;
    }
    memset(buf, 0, sizeof *buf);
    return arr;
}

/* ---- Arrays in ------------------------------------------------------------ */
/* Maps a NumPy dtype to the depth imc encodes from, as cv2's converter does:
 * 64-bit integers are cast to int32; bool, uint32, float16... are refused. */
static int depth_for_dtype(PyArray_Descr *d, int *npy_target)
{
    switch (d->type_num) {
    case NPY_UINT8: *npy_target = NPY_UINT8; return IMC_8U;
    case NPY_INT8: *npy_target = NPY_INT8; return IMC_8S;
    case NPY_UINT16: *npy_target = NPY_UINT16; return IMC_16U;
    case NPY_INT16: *npy_target = NPY_INT16; return IMC_16S;
    case NPY_INT32: *npy_target = NPY_INT32; return IMC_32S;
    case NPY_FLOAT32: *npy_target = NPY_FLOAT32; return IMC_32F;
    case NPY_FLOAT64: *npy_target = NPY_FLOAT64; return IMC_64F;
    default: break;
    }
    if (PyDataType_ISINTEGER(d) && d->elsize == 8) {
        *npy_target = NPY_INT32;
        return IMC_32S;
    }
    if (PyDataType_ISINTEGER(d) && d->elsize == 4 && PyDataType_ISSIGNED(d)) {
        *npy_target = NPY_INT32;
        return IMC_32S;
    }
    return -1;
}

/* Describes `obj` as an imc_image, copying only when its layout needs it.
 * *keep holds the array that owns the pixels until the caller is done. */
static int array_to_image(PyObject *obj, imc_image *img, PyArrayObject **keep)
{
    *keep = NULL;
    memset(img, 0, sizeof *img);
    if (!PyArray_Check(obj) && !PyObject_CheckBuffer(obj) &&
        !PyObject_HasAttrString(obj, "__array_interface__")) {
        PyErr_Format(PyExc_TypeError, "img must be a numpy array, not %.100s",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    PyArrayObject *arr = (PyArrayObject *)PyArray_FromAny(obj, NULL, 0, 0, 0, NULL);
    if (!arr)
        return -1;
    int target, depth = depth_for_dtype(PyArray_DESCR(arr), &target);
    if (depth < 0) {
        PyErr_Format(PyExc_TypeError,
                     "img dtype %R is not supported (use uint8, int8, uint16, int16, int32, "
                     "float32 or float64)",
                     (PyObject *)PyArray_DESCR(arr));
        Py_DECREF(arr);
        return -1;
    }
    int nd = PyArray_NDIM(arr);
    if (nd < 1 || nd > 3) {
        PyErr_Format(PyExc_ValueError, "img must have 1, 2 or 3 dimensions, not %d", nd);
        Py_DECREF(arr);
        return -1;
    }
    /* Native byte order, aligned, the target type: a copy only if needed. */
    PyArrayObject *ready = (PyArrayObject *)PyArray_FromAny(
        (PyObject *)arr, PyArray_DescrFromType(target), 0, 0,
        NPY_ARRAY_ALIGNED | NPY_ARRAY_NOTSWAPPED | NPY_ARRAY_FORCECAST, NULL);
    Py_DECREF(arr);
    if (!ready)
        return -1;
    npy_intp *dims = PyArray_DIMS(ready), *strides = PyArray_STRIDES(ready);
    npy_intp rows = dims[0], cols = nd >= 2 ? dims[1] : 1, cn = nd == 3 ? dims[2] : 1;
    npy_intp elem = PyArray_ITEMSIZE(ready);
    if (cn != 1 && cn != 3 && cn != 4) {
        PyErr_Format(PyExc_ValueError, "img must have 1, 3 or 4 channels, not %zd", (Py_ssize_t)cn);
        Py_DECREF(ready);
        return -1;
    }
    if (rows <= 0 || cols <= 0 || rows > INT32_MAX || cols > INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "img is empty or too large");
        Py_DECREF(ready);
        return -1;
    }
    /* Pixels within a row must be packed; rows may be any positive step. */
    bool packed_row = (nd < 3 || cn == 1 || strides[2] == elem) &&
                      (nd < 2 || cols == 1 || strides[1] == cn * elem) &&
                      (rows == 1 || strides[0] >= cols * cn * elem);
    if (!packed_row) {
        PyArrayObject *copy = (PyArrayObject *)PyArray_NewCopy(ready, NPY_CORDER);
        Py_DECREF(ready);
        if (!copy)
            return -1;
        ready = copy;
        strides = PyArray_STRIDES(ready);
    }
    img->rows = (int)rows;
    img->cols = (int)cols;
    img->channels = (int)cn;
    img->depth = depth;
    img->step = rows == 1 ? (size_t)(cols * cn * elem) : (size_t)strides[0];
    img->data = PyArray_DATA(ready);
    *keep = ready;
    return 0;
}

/* params: None or a sequence of ints, (id, value) pairs. */
static int get_params(PyObject *obj, int **params, size_t *n)
{
    *params = NULL;
    *n = 0;
    if (!obj || obj == Py_None)
        return 0;
    PyObject *seq = PySequence_Fast(obj, "params must be a sequence of ints");
    if (!seq)
        return -1;
    Py_ssize_t len = PySequence_Fast_GET_SIZE(seq);
    *params = PyMem_Malloc(sizeof(int) * (size_t)(len ? len : 1));
    if (!*params) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        int overflow = 0;
        long v = PyLong_Check(item) || PyIndex_Check(item)
                     ? PyLong_AsLongAndOverflow(item, &overflow)
                     : (PyErr_Format(PyExc_TypeError, "params[%zd] must be an int, not %.100s",
                                     i, Py_TYPE(item)->tp_name),
                        -1);
        if (v == -1 && PyErr_Occurred())
            goto fail;
        if (overflow || v < INT32_MIN || v > INT32_MAX) {
            PyErr_Format(PyExc_OverflowError, "params[%zd] does not fit in a C int", i);
            goto fail;
        }
        (*params)[i] = (int)v;
    }
    Py_DECREF(seq);
    *n = (size_t)len;
    return 0;
fail:
    Py_DECREF(seq);
    PyMem_Free(*params);
    *params = NULL;
    return -1;
}

/* ---- Decoding ------------------------------------------------------------ */
typedef struct {
    int flags;
    int rgb;
    unsigned long long max_width, max_height, max_pixels, max_bytes;
    PyObject *orientation; /* None, "flags", "apply", "ignore" */
    PyObject *out;         /* None, or the array decode(data, out=...) fills */
} decode_args;

/* The orientation policy named by a decode call's `orientation` argument. */
static int orientation_policy(PyObject *o, int *policy)
{
    *policy = IMC_ORIENTATION_CV2;
    if (!o || o == Py_None)
        return 0;
    const char *s = PyUnicode_Check(o) ? PyUnicode_AsUTF8(o) : NULL;
    if (s && (!strcmp(s, "flags") || !strcmp(s, "cv2")))
        return 0;
    if (s && !strcmp(s, "apply"))
        *policy = IMC_ORIENTATION_APPLY;
    else if (s && !strcmp(s, "ignore"))
        *policy = IMC_ORIENTATION_IGNORE;
    else {
        PyErr_SetString(PyExc_ValueError, "orientation must be 'flags' (cv2's rule), 'apply' or 'ignore'");
        return -1;
    }
    return 0;
}

static imc_encode_options encode_options(int rgb)
{
    imc_encode_options o = IMC_ENCODE_OPTIONS_INIT;
    o.order = rgb ? IMC_ORDER_RGB : IMC_ORDER_BGR;
    return o;
}

static int fill_options(const decode_args *a, imc_decode_options *o)
{
    *o = (imc_decode_options)IMC_DECODE_OPTIONS_INIT;
    if (orientation_policy(a->orientation, &o->orientation) < 0)
        return -1;
    o->flags = a->flags;
    o->order = a->rgb ? IMC_ORDER_RGB : IMC_ORDER_BGR;
    o->limits.max_width = a->max_width;
    o->limits.max_height = a->max_height;
    o->limits.max_pixels = a->max_pixels;
    o->limits.max_bytes = a->max_bytes;
    return 0;
}

/* A writable array decode(out=...) fills in place: uint8, uint16 or float32,
 * (rows, cols) or (rows, cols, channels), pixels packed within rows (any
 * row stride: a slot of a batch array qualifies). */
static int array_as_dst(PyObject *obj, imc_image *dst)
{
    memset(dst, 0, sizeof *dst);
    if (!PyArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "out must be a numpy array, not %.100s", Py_TYPE(obj)->tp_name);
        return -1;
    }
    PyArrayObject *a = (PyArrayObject *)obj;
    int type = PyArray_TYPE(a), nd = PyArray_NDIM(a);
    int depth = type == NPY_UINT8 ? IMC_8U : type == NPY_UINT16 ? IMC_16U
              : type == NPY_FLOAT32 ? IMC_32F : -1;
    if (depth < 0 || !PyArray_ISWRITEABLE(a) || !PyArray_ISALIGNED(a) || PyArray_ISBYTESWAPPED(a)) {
        PyErr_SetString(PyExc_ValueError, "out must be a writable, aligned, native-order uint8, "
                                          "uint16 or float32 array");
        return -1;
    }
    npy_intp *dims = PyArray_DIMS(a), *strides = PyArray_STRIDES(a), elem = PyArray_ITEMSIZE(a);
    npy_intp cn = nd == 3 ? dims[2] : 1;
    if ((nd != 2 && nd != 3) || cn < 1 || cn > 4 || dims[0] <= 0 || dims[1] <= 0 ||
        dims[0] > INT32_MAX || dims[1] > INT32_MAX ||
        (nd == 3 && cn > 1 && strides[2] != elem) || (dims[1] > 1 && strides[1] != cn * elem) ||
        (dims[0] > 1 && strides[0] < dims[1] * cn * elem)) {
        PyErr_SetString(PyExc_ValueError, "out must be (rows, cols) or (rows, cols, channels) "
                                          "with pixels packed within each row");
        return -1;
    }
    dst->rows = (int)dims[0];
    dst->cols = (int)dims[1];
    dst->channels = (int)cn;
    dst->depth = depth;
    dst->step = dims[0] == 1 ? (size_t)(dims[1] * cn * elem) : (size_t)strides[0];
    dst->data = PyArray_DATA(a);
    return 0;
}

/* Decodes bytes-like `src`, or the file at path `src`. strict: raise
 * imc.error on any failure; else cv2's None-or-raise split. */
static PyObject *decode_from(PyObject *src, bool is_path, const decode_args *a, bool strict)
{
    imc_decode_options opts;
    if (fill_options(a, &opts) < 0)
        return NULL;
    imc_image dst;
    const imc_image *into = NULL;
    if (a->out && a->out != Py_None) {
        if (array_as_dst(a->out, &dst) < 0)
            return NULL;
        into = &dst;
    }
    input_bytes in = {0};
    PyObject *path = NULL;
    if (is_path ? !PyUnicode_FSConverter(src, &path) : get_input(src, &in) < 0) {
        release_input(&in);
        return NULL;
    }
    const char *p = path ? PyBytes_AS_STRING(path) : NULL;
    imc_image img;
    imc_error err;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = into ? imc_decode_into(in.data, in.size, &opts, into, &err)
         : p  ? imc_read_ex(p, &opts, &img, &err)
              : imc_decode_ex(in.data, in.size, &opts, &img, &err);
    Py_END_ALLOW_THREADS
    Py_XDECREF(path);
    release_input(&in);
    if (rc != IMC_OK) {
        if (strict || cv2_raises(rc))
            return raise_imc(&err, rc);
        Py_RETURN_NONE;
    }
    if (into) {
        Py_INCREF(a->out);
        return a->out;
    }
    return image_to_array(&img);
}

/* imc.decode / imc.read: the source, then flags and the keyword options. */
static PyObject *decode_strict(PyObject *args, PyObject *kw, bool is_path)
{
    static char *data_names[] = {"data", "flags", "rgb", "max_width", "max_height", "max_pixels",
                                 "max_bytes", "orientation", "out", NULL};
    static char *path_names[] = {"path", "flags", "rgb", "max_width", "max_height", "max_pixels",
                                 "max_bytes", "orientation", NULL};
    PyObject *src;
    decode_args a = {.flags = IMC_IMREAD_COLOR};
    if (!PyArg_ParseTupleAndKeywords(args, kw, is_path ? "O|i$pKKKKO:read" : "O|i$pKKKKOO:decode",
                                     is_path ? path_names : data_names, &src, &a.flags, &a.rgb,
                                     &a.max_width, &a.max_height, &a.max_pixels, &a.max_bytes,
                                     &a.orientation, &a.out))
        return NULL;
    return decode_from(src, is_path, &a, true);
}

static PyObject *py_imdecode(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"buf", "flags", NULL};
    PyObject *buf;
    decode_args a = {0};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Oi:imdecode", names, &buf, &a.flags))
        return NULL;
    return decode_from(buf, false, &a, false);
}

static PyObject *py_imread(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"filename", "flags", NULL};
    PyObject *path;
    decode_args a = {.flags = IMC_IMREAD_COLOR};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|i:imread", names, &path, &a.flags))
        return NULL;
    return decode_from(path, true, &a, false);
}

static PyObject *py_decode(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    return decode_strict(args, kw, false);
}

static PyObject *py_read(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    return decode_strict(args, kw, true);
}

/* ---- Encoding ------------------------------------------------------------ */
/* Encodes img; on success *out holds the bytes. Returns the imc status, or
 * a Python error marker (-1000) with an exception set. */
enum { PY_FAILED = -1000 };

static int encode_common(const char *ext, PyObject *img_obj, PyObject *params_obj, int rgb,
                         imc_buffer *out, imc_error *err)
{
    imc_image img;
    PyArrayObject *keep;
    int *params;
    size_t n;
    if (array_to_image(img_obj, &img, &keep) < 0)
        return PY_FAILED;
    if (get_params(params_obj, &params, &n) < 0) {
        Py_DECREF(keep);
        return PY_FAILED;
    }
    imc_encode_options opts = encode_options(rgb);
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = imc_encode_ex(ext, &img, params, n, &opts, out, err);
    Py_END_ALLOW_THREADS
    PyMem_Free(params);
    Py_DECREF(keep);
    return rc;
}

static PyObject *py_imencode(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"ext", "img", "params", NULL};
    const char *ext;
    PyObject *img, *params = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "sO|O:imencode", names, &ext, &img, &params))
        return NULL;
    imc_buffer out;
    imc_error err;
    int rc = encode_common(ext, img, params, 0, &out, &err);
    if (rc == PY_FAILED)
        return NULL;
    if (rc != IMC_OK)
        return raise_imc(&err, rc);
    PyObject *arr = buffer_to_array(&out);
    return arr ? Py_BuildValue("(ON)", Py_True, arr) : NULL;
}

static PyObject *py_encode(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"ext", "img", "params", "rgb", NULL};
    const char *ext;
    PyObject *img, *params = NULL;
    int rgb = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "sO|O$p:encode", names, &ext, &img, &params, &rgb))
        return NULL;
    imc_buffer out;
    imc_error err;
    int rc = encode_common(ext, img, params, rgb, &out, &err);
    if (rc == PY_FAILED)
        return NULL;
    return encoded_bytes(rc, &err, &out);
}

static PyObject *write_common(PyObject *args, PyObject *kw, bool strict)
{
    static char *names_cv2[] = {"filename", "img", "params", NULL};
    static char *names_imc[] = {"path", "img", "params", "rgb", NULL};
    PyObject *path_obj, *img_obj, *params_obj = NULL, *path = NULL;
    int rgb = 0;
    if (strict ? !PyArg_ParseTupleAndKeywords(args, kw, "OO|O$p:write", names_imc, &path_obj,
                                              &img_obj, &params_obj, &rgb)
               : !PyArg_ParseTupleAndKeywords(args, kw, "OO|O:imwrite", names_cv2, &path_obj,
                                              &img_obj, &params_obj))
        return NULL;
    if (!PyUnicode_FSConverter(path_obj, &path))
        return NULL;
    imc_image img;
    PyArrayObject *keep;
    int *params;
    size_t n;
    if (array_to_image(img_obj, &img, &keep) < 0) {
        Py_DECREF(path);
        return NULL;
    }
    if (get_params(params_obj, &params, &n) < 0) {
        Py_DECREF(keep);
        Py_DECREF(path);
        return NULL;
    }
    imc_encode_options opts = encode_options(rgb);
    imc_error err;
    int rc;
    const char *p = PyBytes_AS_STRING(path);
    Py_BEGIN_ALLOW_THREADS
    rc = imc_write_ex(p, &img, params, n, &opts, &err);
    Py_END_ALLOW_THREADS
    PyMem_Free(params);
    Py_DECREF(keep);
    Py_DECREF(path);
    if (strict) {
        if (rc != IMC_OK)
            return raise_imc(&err, rc);
        Py_RETURN_NONE;
    }
    /* cv2: a bad extension, image or params raises; a failed write is False. */
    if (rc == IMC_ERR_NO_ENCODER || rc == IMC_ERR_ARG || rc == IMC_ERR_PARAM)
        return raise_imc(&err, rc);
    return PyBool_FromLong(rc == IMC_OK);
}

static PyObject *py_imwrite(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    return write_common(args, kw, false);
}

static PyObject *py_write(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    return write_common(args, kw, true);
}

/* ---- Several images --------------------------------------------------------- */
/* Takes ownership of every image in the list. */
static PyObject *list_to_arrays(imc_image_list *list)
{
    PyObject *out = PyList_New((Py_ssize_t)list->count);
    for (size_t i = 0; i < list->count; i++) {
        PyObject *arr = out ? image_to_array(&list->images[i]) : NULL;
        if (!arr) {
            Py_CLEAR(out);
            continue; /* keep going so every image is released */
        }
        PyList_SET_ITEM(out, (Py_ssize_t)i, arr);
    }
    imc_image_list_free(list);
    return out;
}

/* The arguments of _decode_multi and _decode_animation: (data, flags, start,
 * count, switch) and imc.decode's limit and orientation keywords. */
static int parse_pages_args(PyObject *args, PyObject *kw, const char *format, PyObject **data,
                            decode_args *a, Py_ssize_t *start, Py_ssize_t *count, int *flag)
{
    static char *names[] = {"data", "flags", "start", "count", "switch", "max_width", "max_height",
                            "max_pixels", "max_bytes", "orientation", NULL};
    memset(a, 0, sizeof *a);
    if (!PyArg_ParseTupleAndKeywords(args, kw, format, names, data, &a->flags, start, count, flag,
                                     &a->max_width, &a->max_height, &a->max_pixels, &a->max_bytes,
                                     &a->orientation))
        return -1;
    if (*start < 0 || *count < 0) {
        PyErr_SetString(PyExc_ValueError, "start and count must not be negative");
        return -1;
    }
    return 0;
}

/* _decode_multi(data, flags, start, count, strict, **limits) -> list or None */
static PyObject *py_decode_multi(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    PyObject *data;
    decode_args a;
    Py_ssize_t start, count;
    int strict;
    if (parse_pages_args(args, kw, "Oinnp|$KKKKO:_decode_multi", &data, &a, &start, &count, &strict) < 0)
        return NULL;
    imc_decode_options opts;
    if (fill_options(&a, &opts) < 0)
        return NULL;
    input_bytes in;
    if (get_input(data, &in) < 0) {
        release_input(&in);
        return NULL;
    }
    imc_image_list list;
    imc_error err;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = imc_decode_multi(in.data, in.size, &opts, (size_t)start, (size_t)count, &list, &err);
    Py_END_ALLOW_THREADS
    release_input(&in);
    if (rc != IMC_OK) {
        if (strict || cv2_raises(rc))
            return raise_imc(&err, rc);
        Py_RETURN_NONE;
    }
    return list_to_arrays(&list);
}

/* _count(data) -> int, raising imc.error */
static PyObject *py_count(PyObject *self, PyObject *data)
{
    (void)self;
    input_bytes in;
    if (get_input(data, &in) < 0) {
        release_input(&in);
        return NULL;
    }
    size_t n;
    imc_error err;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = imc_count(in.data, in.size, &n, &err);
    Py_END_ALLOW_THREADS
    release_input(&in);
    return rc == IMC_OK ? PyLong_FromSize_t(n) : raise_imc(&err, rc);
}

/* Converted images of a Python sequence; release with release_images. */
typedef struct {
    PyObject *seq;
    imc_image *imgs;
    PyArrayObject **keep;
    Py_ssize_t n;
    int *params;
    size_t nparams;
} image_batch;

static void release_images(image_batch *b)
{
    for (Py_ssize_t i = 0; b->keep && i < b->n; i++)
        Py_XDECREF(b->keep[i]);
    PyMem_Free(b->keep);
    PyMem_Free(b->imgs);
    PyMem_Free(b->params);
    Py_XDECREF(b->seq);
    memset(b, 0, sizeof *b);
}

static int get_images(PyObject *seq_obj, PyObject *params_obj, image_batch *b)
{
    memset(b, 0, sizeof *b);
    b->seq = PySequence_Fast(seq_obj, "imgs must be a sequence of arrays");
    if (!b->seq)
        return -1;
    b->n = PySequence_Fast_GET_SIZE(b->seq);
    b->imgs = PyMem_Calloc((size_t)(b->n ? b->n : 1), sizeof *b->imgs);
    b->keep = PyMem_Calloc((size_t)(b->n ? b->n : 1), sizeof *b->keep);
    if (!b->imgs || !b->keep) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < b->n; i++)
        if (array_to_image(PySequence_Fast_GET_ITEM(b->seq, i), &b->imgs[i], &b->keep[i]) < 0)
            return -1;
    return get_params(params_obj, &b->params, &b->nparams);
}

/* _encode_multi(ext, imgs, params, rgb) -> bytes, raising imc.error */
static PyObject *py_encode_multi(PyObject *self, PyObject *args)
{
    (void)self;
    const char *ext;
    PyObject *seq, *params;
    int rgb;
    image_batch b;
    if (!PyArg_ParseTuple(args, "sOOp:_encode_multi", &ext, &seq, &params, &rgb))
        return NULL;
    PyObject *result = NULL;
    if (get_images(seq, params, &b) == 0) {
        imc_encode_options opts = encode_options(rgb);
        imc_buffer out;
        imc_error err;
        int rc;
        Py_BEGIN_ALLOW_THREADS
        rc = imc_encode_multi(ext, b.imgs, (size_t)b.n, b.params, b.nparams, &opts, &out, &err);
        Py_END_ALLOW_THREADS
        result = encoded_bytes(rc, &err, &out);
    }
    release_images(&b);
    return result;
}

/* _write_multi(path, imgs, params, strict) -> bool; cv2's False for I/O. */
static PyObject *py_write_multi(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *path_obj, *seq, *params, *path = NULL;
    int strict;
    image_batch b;
    if (!PyArg_ParseTuple(args, "OOOp:_write_multi", &path_obj, &seq, &params, &strict))
        return NULL;
    if (!PyUnicode_FSConverter(path_obj, &path))
        return NULL;
    PyObject *result = NULL;
    if (get_images(seq, params, &b) == 0) {
        imc_error err;
        int rc;
        const char *p = PyBytes_AS_STRING(path);
        Py_BEGIN_ALLOW_THREADS
        rc = imc_write_multi(p, b.imgs, (size_t)b.n, b.params, b.nparams, NULL, &err);
        Py_END_ALLOW_THREADS
        if (rc != IMC_OK && (strict || rc != IMC_ERR_IO))
            raise_imc(&err, rc);
        else
            result = PyBool_FromLong(rc == IMC_OK);
    }
    release_images(&b);
    Py_DECREF(path);
    return result;
}

/* ---- Animations ----------------------------------------------------------- */
/* _decode_animation(data, flags, start, count, rgb, **limits)
 *   -> (frames, durations, loop_count, bgcolor), raising imc.error */
static PyObject *py_decode_animation(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    PyObject *data;
    decode_args a;
    Py_ssize_t start, count;
    int rgb;
    if (parse_pages_args(args, kw, "Oinnp|$KKKKO:_decode_animation", &data, &a, &start, &count, &rgb) < 0)
        return NULL;
    a.rgb = rgb;
    imc_decode_options opts;
    if (fill_options(&a, &opts) < 0)
        return NULL;
    input_bytes in;
    if (get_input(data, &in) < 0) {
        release_input(&in);
        return NULL;
    }
    imc_animation anim;
    imc_error err;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = imc_decode_animation(in.data, in.size, &opts, (size_t)start, (size_t)count, &anim, &err);
    Py_END_ALLOW_THREADS
    release_input(&in);
    if (rc != IMC_OK)
        return raise_imc(&err, rc);
    PyObject *durations = PyList_New((Py_ssize_t)anim.count);
    for (size_t i = 0; durations && i < anim.count; i++)
        PyList_SET_ITEM(durations, (Py_ssize_t)i, PyLong_FromLong(anim.durations[i]));
    imc_image_list frames = {anim.frames, anim.count};
    anim.frames = NULL; /* list_to_arrays owns them now */
    anim.count = 0;
    PyObject *arrays = list_to_arrays(&frames);
    PyObject *result = arrays && durations
                           ? Py_BuildValue("(OOi(dddd))", arrays, durations, anim.loop_count,
                                           (double)anim.bgcolor[0], (double)anim.bgcolor[1],
                                           (double)anim.bgcolor[2], (double)anim.bgcolor[3])
                           : NULL;
    Py_XDECREF(arrays);
    Py_XDECREF(durations);
    imc_animation_free(&anim);
    return result;
}

/* The frames, durations and loop count of an animation, for encoding. */
typedef struct {
    image_batch batch;
    int *durations;
    imc_animation anim;
} animation_args;

static int get_animation(PyObject *frames, PyObject *durations, int loop_count, PyObject *params,
                         animation_args *a)
{
    memset(a, 0, sizeof *a);
    if (get_images(frames, params, &a->batch) < 0)
        return -1;
    PyObject *seq = PySequence_Fast(durations, "durations must be a sequence of ints");
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n != a->batch.n) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError, "%zd frames but %zd durations", a->batch.n, n);
        return -1;
    }
    a->durations = PyMem_Calloc((size_t)(n ? n : 1), sizeof(int));
    for (Py_ssize_t i = 0; a->durations && i < n; i++) {
        long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, i));
        if ((v == -1 && PyErr_Occurred()) || v < INT32_MIN || v > INT32_MAX) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_OverflowError, "durations[%zd] does not fit in a C int", i);
            Py_DECREF(seq);
            return -1;
        }
        a->durations[i] = (int)v;
    }
    Py_DECREF(seq);
    if (!a->durations) {
        PyErr_NoMemory();
        return -1;
    }
    a->anim = (imc_animation){.frames = a->batch.imgs, .durations = a->durations,
                              .count = (size_t)n, .loop_count = loop_count};
    return 0;
}

static void release_animation(animation_args *a)
{
    release_images(&a->batch);
    PyMem_Free(a->durations);
}

/* _encode_animation(ext, frames, durations, loop_count, params, rgb) -> bytes */
static PyObject *py_encode_animation(PyObject *self, PyObject *args)
{
    (void)self;
    const char *ext;
    PyObject *frames, *durations, *params;
    int loop_count, rgb;
    if (!PyArg_ParseTuple(args, "sOOiOp:_encode_animation", &ext, &frames, &durations,
                          &loop_count, &params, &rgb))
        return NULL;
    animation_args a;
    PyObject *result = NULL;
    if (get_animation(frames, durations, loop_count, params, &a) == 0) {
        imc_encode_options opts = encode_options(rgb);
        imc_buffer out;
        imc_error err;
        int rc;
        Py_BEGIN_ALLOW_THREADS
        rc = imc_encode_animation(ext, &a.anim, a.batch.params, a.batch.nparams, &opts, &out,
                                  &err);
        Py_END_ALLOW_THREADS
        result = encoded_bytes(rc, &err, &out);
    }
    release_animation(&a);
    return result;
}

/* _write_animation(path, frames, durations, loop_count, params) -> None, raising */
static PyObject *py_write_animation(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *path_obj, *frames, *durations, *params, *path = NULL;
    int loop_count;
    if (!PyArg_ParseTuple(args, "OOOiO:_write_animation", &path_obj, &frames, &durations,
                          &loop_count, &params))
        return NULL;
    if (!PyUnicode_FSConverter(path_obj, &path))
        return NULL;
    animation_args a;
    PyObject *result = NULL;
    if (get_animation(frames, durations, loop_count, params, &a) == 0) {
        imc_error err;
        int rc;
        const char *p = PyBytes_AS_STRING(path);
        Py_BEGIN_ALLOW_THREADS
        rc = imc_write_animation(p, &a.anim, a.batch.params, a.batch.nparams, NULL, &err);
        Py_END_ALLOW_THREADS
        if (rc != IMC_OK)
            raise_imc(&err, rc);
        else
            result = (Py_INCREF(Py_None), Py_None);
    }
    release_animation(&a);
    Py_DECREF(path);
    return result;
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
    input_bytes in;
    if (get_input(arg, &in) < 0) {
        release_input(&in);
        return NULL;
    }
    bool ok = imc_sniff(in.data, in.size) != NULL;
    release_input(&in);
    return PyBool_FromLong(ok);
}

/* ---- Batches ------------------------------------------------------------------ */
/* An imc.error instance for a failed item (returned, not raised). */
static PyObject *error_object(const imc_error *err, int code)
{
    return PyObject_CallFunction(ImcError, "is", code,
                                 err && err->message[0] ? err->message : imc_strerror(code));
}

static PyObject *py_decode_batch(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"buffers", "flags", "threads", "rgb", "max_width", "max_height",
                            "max_pixels", "max_bytes", "orientation", "out", NULL};
    PyObject *seq_obj;
    int threads = 0;
    decode_args a = {.flags = IMC_IMREAD_COLOR};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|ii$pKKKKOO:decode_batch", names, &seq_obj,
                                     &a.flags, &threads, &a.rgb, &a.max_width, &a.max_height,
                                     &a.max_pixels, &a.max_bytes, &a.orientation, &a.out))
        return NULL;
    if (a.out == Py_None)
        a.out = NULL;
    PyObject *seq = PySequence_Fast(seq_obj, "buffers must be a sequence of bytes-like objects");
    if (!seq)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    size_t count = (size_t)(n ? n : 1);
    input_bytes *in = PyMem_Calloc(count, sizeof *in);
    const void **bufs = PyMem_Calloc(count, sizeof *bufs);
    size_t *lens = PyMem_Calloc(count, sizeof *lens);
    imc_image *imgs = PyMem_Calloc(count, sizeof *imgs);
    int *status = PyMem_Calloc(count, sizeof *status);
    imc_error *errs = PyMem_Calloc(count, sizeof *errs);
    PyObject *result = NULL, *slots = NULL;
    Py_ssize_t got = 0;
    if (!in || !bufs || !lens || !imgs || !status || !errs) {
        PyErr_NoMemory();
        goto done;
    }
    /* out: item i is decoded into out[i] (imgs[i] then describes that slot) */
    if (a.out && !PyArray_Check(a.out)) {
        PyErr_Format(PyExc_TypeError, "out must be a numpy array, not %.100s",
                     Py_TYPE(a.out)->tp_name);
        goto done;
    }
    if (a.out && (PyArray_NDIM((PyArrayObject *)a.out) < 3 ||
                  PyArray_DIM((PyArrayObject *)a.out, 0) != n)) {
        PyErr_SetString(PyExc_ValueError, "out must be an array with one slot per buffer: "
                                          "(len(buffers), rows, cols[, channels])");
        goto done;
    }
    if (a.out && !(slots = PyList_New(n)))
        goto done;
    for (Py_ssize_t i = 0; slots && i < n; i++) {
        PyObject *slot = PySequence_GetItem(a.out, i);
        if (!slot)
            goto done;
        PyList_SET_ITEM(slots, i, slot);
        if (array_as_dst(slot, &imgs[i]) < 0)
            goto done;
    }
    for (; got < n; got++) {
        if (get_input(PySequence_Fast_GET_ITEM(seq, got), &in[got]) < 0) {
            release_input(&in[got]);
            goto done;
        }
        bufs[got] = in[got].data;
        lens[got] = in[got].size;
    }
    imc_decode_options opts;
    if (fill_options(&a, &opts) < 0)
        goto done;
    Py_BEGIN_ALLOW_THREADS
    if (slots)
        imc_decode_batch_into(bufs, lens, (size_t)n, &opts, threads, imgs, status, errs);
    else
        imc_decode_batch(bufs, lens, (size_t)n, &opts, threads, imgs, status, errs);
    Py_END_ALLOW_THREADS
    result = PyList_New(n);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = NULL;
        if (result && status[i] != IMC_OK)
            item = error_object(&errs[i], status[i]);
        else if (result && slots)
            item = Py_NewRef(PyList_GET_ITEM(slots, i));
        else if (result)
            item = image_to_array(&imgs[i]);
        if (!item) {
            Py_CLEAR(result);
            if (!slots)
                imc_image_free(&imgs[i]);
            continue;
        }
        PyList_SET_ITEM(result, i, item);
    }
done:
    Py_XDECREF(slots);
    for (Py_ssize_t i = 0; in && i < got; i++)
        release_input(&in[i]);
    PyMem_Free(in);
    PyMem_Free(bufs);
    PyMem_Free(lens);
    PyMem_Free(imgs);
    PyMem_Free(status);
    PyMem_Free(errs);
    Py_DECREF(seq);
    return result;
}

static PyObject *py_encode_batch(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"ext", "imgs", "params", "threads", "rgb", NULL};
    const char *ext;
    PyObject *seq, *params = NULL;
    int threads = 0, rgb = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "sO|Oi$p:encode_batch", names, &ext, &seq, &params,
                                     &threads, &rgb))
        return NULL;
    image_batch b;
    PyObject *result = NULL;
    imc_buffer *outs = NULL;
    int *status = NULL;
    imc_error *errs = NULL;
    imc_error check;
    int bad_params = IMC_OK;
    if (get_images(seq, params, &b) == 0 &&
        (bad_params = imc_params_check(b.params, b.nparams, &check)) != IMC_OK) {
        raise_imc(&check, bad_params); /* a call error, not an item's */
    } else if (!PyErr_Occurred()) {
        size_t count = (size_t)(b.n ? b.n : 1);
        outs = PyMem_Calloc(count, sizeof *outs);
        status = PyMem_Calloc(count, sizeof *status);
        errs = PyMem_Calloc(count, sizeof *errs);
        if (!outs || !status || !errs) {
            PyErr_NoMemory();
        } else {
            imc_encode_options opts = encode_options(rgb);
            Py_BEGIN_ALLOW_THREADS
            imc_encode_batch(ext, b.imgs, (size_t)b.n, b.params, b.nparams, &opts, threads, outs,
                             status, errs);
            Py_END_ALLOW_THREADS
            result = PyList_New(b.n);
            for (Py_ssize_t i = 0; i < b.n; i++) {
                PyObject *item = !result ? NULL
                                 : status[i] == IMC_OK
                                     ? PyBytes_FromStringAndSize((const char *)outs[i].data,
                                                                 (Py_ssize_t)outs[i].size)
                                     : error_object(&errs[i], status[i]);
                imc_buffer_free(&outs[i]);
                if (!item) {
                    Py_CLEAR(result);
                    continue;
                }
                PyList_SET_ITEM(result, i, item);
            }
        }
    }
    PyMem_Free(outs);
    PyMem_Free(status);
    PyMem_Free(errs);
    release_images(&b);
    return result;
}

/* ---- Display: imshow / waitKey ------------------------------------------- */
/* Output already written through sys.stdout must reach the terminal before
 * a preview that imc writes to file descriptor 1. */
static int flush_stdout(void)
{
    PyObject *out = PySys_GetObject("stdout"); /* borrowed */
    if (!out || out == Py_None)
        return 0;
    PyObject *r = PyObject_CallMethod(out, "flush", NULL);
    if (!r)
        return -1;
    Py_DECREF(r);
    return 0;
}

static PyObject *py_imshow(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"winname", "mat", NULL};
    const char *name;
    PyObject *mat;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "sO:imshow", names, &name, &mat))
        return NULL;
    imc_image img;
    PyArrayObject *keep;
    if (array_to_image(mat, &img, &keep) < 0)
        return NULL;
    if (flush_stdout() < 0) {
        Py_DECREF(keep);
        return NULL;
    }
    imc_error err;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = imc_imshow(name, &img, &err);
    Py_END_ALLOW_THREADS
    Py_DECREF(keep);
    if (rc != IMC_OK)
        return raise_imc(&err, rc);
    Py_RETURN_NONE;
}

/* Asked between slices of a wait: Ctrl+C (or any signal handler raising)
 * ends it, and the exception propagates. */
static int signal_pending(void *unused)
{
    (void)unused;
    PyGILState_STATE g = PyGILState_Ensure();
    int stop = PyErr_CheckSignals() < 0;
    PyGILState_Release(g);
    return stop;
}

static PyObject *wait_common(int delay, int full_code)
{
    imc_wait_options opts = IMC_WAIT_OPTIONS_INIT;
    opts.full_code = full_code;
    opts.stop = signal_pending;
    int key;
    Py_BEGIN_ALLOW_THREADS
    key = imc_wait_key_with(delay, &opts);
    Py_END_ALLOW_THREADS
    if (PyErr_Occurred())
        return NULL;
    return PyLong_FromLong(key);
}

static PyObject *py_wait_key(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"delay", NULL};
    int delay = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|i:waitKey", names, &delay))
        return NULL;
    return wait_common(delay, 0);
}

static PyObject *py_wait_key_ex(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"delay", NULL};
    int delay = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|i:waitKeyEx", names, &delay))
        return NULL;
    return wait_common(delay, 1);
}

static PyObject *py_poll_key(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    int key;
    Py_BEGIN_ALLOW_THREADS
    key = imc_poll_key();
    Py_END_ALLOW_THREADS
    return PyLong_FromLong(key);
}

static PyObject *py_destroy_window(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"winname", NULL};
    const char *name;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s:destroyWindow", names, &name))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    imc_destroy_window(name);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *py_destroy_all_windows(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    Py_BEGIN_ALLOW_THREADS
    imc_destroy_all_windows();
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *py_display_rgb(PyObject *self, PyObject *mat)
{
    (void)self;
    imc_image img, rgb;
    PyArrayObject *keep;
    if (array_to_image(mat, &img, &keep) < 0)
        return NULL;
    imc_error err;
    int rc = imc_display_convert(&img, &rgb, &err);
    Py_DECREF(keep);
    return rc == IMC_OK ? image_to_array(&rgb) : raise_imc(&err, rc);
}

static PyObject *py_render_terminal(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"img", "columns", "lines", "enlarge", "title", NULL};
    PyObject *mat;
    imc_terminal_options opts = IMC_TERMINAL_OPTIONS_INIT;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Oi|ipz:_render_terminal", names, &mat,
                                     &opts.columns, &opts.lines, &opts.enlarge, &opts.title))
        return NULL;
    imc_image img;
    PyArrayObject *keep;
    if (array_to_image(mat, &img, &keep) < 0)
        return NULL;
    imc_buffer text;
    imc_error err;
    int rc = imc_render_terminal(&img, &opts, &text, &err);
    Py_DECREF(keep);
    if (rc != IMC_OK)
        return raise_imc(&err, rc);
    PyObject *bytes = PyBytes_FromStringAndSize((const char *)text.data, (Py_ssize_t)text.size);
    imc_buffer_free(&text);
    return bytes;
}

static PyObject *py_display_state(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return Py_BuildValue("{s:O,s:i}", "sdl", imc_have_windows() ? Py_True : Py_False,
                         "windows", imc_window_count());
}

/* ---- Formats -------------------------------------------------------------- */
static PyObject *py_probe(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"data", NULL};
    PyObject *data;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O:probe", names, &data))
        return NULL;
    input_bytes in;
    if (get_input(data, &in) < 0) {
        release_input(&in);
        return NULL;
    }
    imc_info info;
    imc_error err;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = imc_probe_ex(in.data, in.size, &info, &err);
    Py_END_ALLOW_THREADS
    release_input(&in);
    if (rc != IMC_OK)
        return raise_imc(&err, rc);
    PyObject *t = PyStructSequence_New(&ImageInfoType);
    if (!t)
        return NULL;
    int typenum = npy_type_of(info.depth);
    PyArray_Descr *descr = PyArray_DescrFromType(typenum >= 0 ? typenum : NPY_UINT8);
    PyObject *dtype = PyObject_GetAttrString((PyObject *)descr, "name");
    Py_DECREF(descr);
    PyStructSequence_SET_ITEM(t, 0, PyUnicode_FromString(info.format));
    PyStructSequence_SET_ITEM(t, 1, PyLong_FromLong(info.width));
    PyStructSequence_SET_ITEM(t, 2, PyLong_FromLong(info.height));
    PyStructSequence_SET_ITEM(t, 3, PyLong_FromLong(info.channels));
    PyStructSequence_SET_ITEM(t, 4, dtype);
    PyStructSequence_SET_ITEM(t, 5, PyLong_FromLong(info.orientation));
    if (PyErr_Occurred()) {
        Py_DECREF(t);
        return NULL;
    }
    return t;
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
    input_bytes in;
    if (get_input(arg, &in) < 0) {
        release_input(&in);
        return NULL;
    }
    bool ok = imc_sniff(in.data, in.size) != NULL;
    release_input(&in);
    return PyBool_FromLong(ok);
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

static PyObject *py_formats(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    int n = imc_format_count();
    PyObject *list = PyList_New(0);
    for (int i = 0; list && i < n; i++) {
        imc_format f;
        imc_format_get(i, &f);
        PyObject *item = Py_BuildValue("{s:s,s:N,s:O,s:O,s:O,s:O}", "name", f.name, "extensions",
                                       PyUnicode_FromString(f.extensions), "decode",
                                       f.can_decode ? Py_True : Py_False, "encode",
                                       f.can_encode ? Py_True : Py_False, "multi_page",
                                       f.multi_page ? Py_True : Py_False, "animation",
                                       f.animation ? Py_True : Py_False);
        if (!item || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            Py_CLEAR(list);
            break;
        }
        Py_DECREF(item);
    }
    return list;
}

/* ---- Module ---------------------------------------------------------------- */
static PyMethodDef methods[] = {
    {"imdecode", (PyCFunction)(void (*)(void))py_imdecode, METH_VARARGS | METH_KEYWORDS,
     "imdecode(buf, flags) -> image or None\n\ncv2.imdecode: decodes an image from any "
     "bytes-like object. Returns None if the data cannot be decoded."},
    {"imencode", (PyCFunction)(void (*)(void))py_imencode, METH_VARARGS | METH_KEYWORDS,
     "imencode(ext, img, params=None) -> (True, buf)\n\ncv2.imencode: encodes img in the "
     "format named by ext ('.jpg', '.png', ...); buf is a 1-D uint8 array."},
    {"imread", (PyCFunction)(void (*)(void))py_imread, METH_VARARGS | METH_KEYWORDS,
     "imread(filename, flags=IMREAD_COLOR) -> image or None\n\ncv2.imread."},
    {"imwrite", (PyCFunction)(void (*)(void))py_imwrite, METH_VARARGS | METH_KEYWORDS,
     "imwrite(filename, img, params=None) -> bool\n\ncv2.imwrite; the file is replaced "
     "atomically."},
    {"decode", (PyCFunction)(void (*)(void))py_decode, METH_VARARGS | METH_KEYWORDS,
     "decode(data, flags=IMREAD_COLOR, *, rgb=False, max_width=0, max_height=0, "
     "max_pixels=0, max_bytes=0, orientation='flags', out=None) -> image\n\nLike imdecode "
     "but raises imc.error with the reason on failure. rgb=True returns RGB/RGBA order; max_* "
     "override the limits; orientation 'apply' or 'ignore' overrides cv2's rule for EXIF "
     "rotation; out: an array of exactly the shape and dtype decoded (a slot of a batch array "
     "will do) filled in place and returned, so no new memory is allocated."},
    {"encode", (PyCFunction)(void (*)(void))py_encode, METH_VARARGS | METH_KEYWORDS,
     "encode(ext, img, params=None, *, rgb=False) -> bytes\n\nLike imencode but returns "
     "bytes and raises imc.error on failure. rgb=True: img is RGB/RGBA."},
    {"read", (PyCFunction)(void (*)(void))py_read, METH_VARARGS | METH_KEYWORDS,
     "read(path, flags=IMREAD_COLOR, *, rgb=False, ...) -> image\n\nimread that raises "
     "imc.error."},
    {"write", (PyCFunction)(void (*)(void))py_write, METH_VARARGS | METH_KEYWORDS,
     "write(path, img, params=None, *, rgb=False)\n\nimwrite that raises imc.error."},
    {"probe", (PyCFunction)(void (*)(void))py_probe, METH_VARARGS | METH_KEYWORDS,
     "probe(data) -> ImageInfo(format, width, height, channels, dtype, orientation)\n\n"
     "Reads the header only. channels and dtype are what IMREAD_UNCHANGED returns."},
    {"haveImageReader", py_have_reader, METH_O,
     "haveImageReader(filename_or_bytes) -> bool"},
    {"haveImageWriter", py_have_writer, METH_O, "haveImageWriter(filename) -> bool"},
    {"formats", py_formats, METH_NOARGS, "formats() -> list of dicts: the compiled-in codecs"},
    {"have_image_reader", py_have_image_reader, METH_O,
     "have_image_reader(ext_or_bytes) -> bool\n\nWhether imc reads files with this extension "
     "('.tif', 'x.webp'), or recognises these bytes."},
    {"have_image_writer", py_have_writer, METH_O,
     "have_image_writer(ext) -> bool\n\nWhether imc writes files with this extension."},
    {"decode_batch", (PyCFunction)(void (*)(void))py_decode_batch, METH_VARARGS | METH_KEYWORDS,
     "decode_batch(buffers, flags=IMREAD_COLOR, threads=0, *, rgb=False, max_..., out=None) "
     "-> list\n\nDecodes every buffer on `threads` threads (0: one per CPU) with the GIL "
     "released. The list holds, in input order, an image or an imc.error instance per item. "
     "out: an array with a slot per buffer (len(buffers), rows, cols[, channels]); item i is "
     "decoded into out[i] (see decode's out) and the list holds those slots."},
    {"encode_batch", (PyCFunction)(void (*)(void))py_encode_batch, METH_VARARGS | METH_KEYWORDS,
     "encode_batch(ext, imgs, params=None, threads=0, *, rgb=False) -> list\n\n"
     "Encodes every image likewise: bytes or an imc.error instance per item, in order."},
    {"imshow", (PyCFunction)(void (*)(void))py_imshow, METH_VARARGS | METH_KEYWORDS,
     "imshow(winname, mat) -> None\n\ncv2.imshow: shows mat in the window winname (SDL2), "
     "converted as cv2 does (uint16 / 255, float * 255). Without a display it prints a "
     "24-bit colour preview on the terminal (IMC_IMSHOW=window|terminal|auto chooses)."},
    {"waitKey", (PyCFunction)(void (*)(void))py_wait_key, METH_VARARGS | METH_KEYWORDS,
     "waitKey(delay=0) -> key\n\ncv2.waitKey: waits delay ms (0: forever) for a key in any "
     "window; returns its code & 0xFF, or -1."},
    {"waitKeyEx", (PyCFunction)(void (*)(void))py_wait_key_ex, METH_VARARGS | METH_KEYWORDS,
     "waitKeyEx(delay=0) -> key\n\ncv2.waitKeyEx: waitKey with the full key code "
     "(X11 keysyms for arrows and function keys)."},
    {"pollKey", py_poll_key, METH_NOARGS, "pollKey() -> key\n\ncv2.pollKey: waitKeyEx "
     "without waiting."},
    {"destroyWindow", (PyCFunction)(void (*)(void))py_destroy_window,
     METH_VARARGS | METH_KEYWORDS, "destroyWindow(winname) -> None"},
    {"destroyAllWindows", py_destroy_all_windows, METH_NOARGS, "destroyAllWindows() -> None"},
    {"_display_rgb", py_display_rgb, METH_O, NULL},
    {"_render_terminal", (PyCFunction)(void (*)(void))py_render_terminal,
     METH_VARARGS | METH_KEYWORDS, NULL},
    {"_display_state", py_display_state, METH_NOARGS, NULL},
    {"_decode_multi", (PyCFunction)(void (*)(void))py_decode_multi, METH_VARARGS | METH_KEYWORDS, NULL},
    {"_encode_multi", py_encode_multi, METH_VARARGS, NULL},
    {"_count", py_count, METH_O, NULL},
    {"_write_multi", py_write_multi, METH_VARARGS, NULL},
    {"_decode_animation", (PyCFunction)(void (*)(void))py_decode_animation, METH_VARARGS | METH_KEYWORDS,
     NULL},
    {"_encode_animation", py_encode_animation, METH_VARARGS, NULL},
    {"_write_animation", py_write_animation, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyStructSequence_Field info_fields[] = {
    {"format", "codec name"},
    {"width", "pixels"},
    {"height", "pixels"},
    {"channels", "channels IMREAD_UNCHANGED returns"},
    {"dtype", "sample type IMREAD_UNCHANGED returns"},
    {"orientation", "EXIF orientation 1..8, 0 if none"},
    {NULL, NULL},
};

static PyStructSequence_Desc info_desc = {"imc.ImageInfo", "Header facts from imc.probe()",
                                          info_fields, 6};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "imc._imc",
    "Image codecs with OpenCV's imdecode/imencode semantics (C extension).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__imc(void)
{
    import_array();
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    ImcError = PyErr_NewExceptionWithDoc(
        "imc.error",
        "An imc failure. args are (code, message); code is a negative IMC_ERR_* status.",
        PyExc_Exception, NULL);
    if (!ImcError || PyModule_AddObject(m, "error", ImcError) < 0)
        goto fail;
    Py_INCREF(ImcError);
    if (PyStructSequence_InitType2(&ImageInfoType, &info_desc) < 0)
        goto fail;
    Py_INCREF(&ImageInfoType);
    if (PyModule_AddObject(m, "ImageInfo", (PyObject *)&ImageInfoType) < 0)
        goto fail;

    size_t count;
    const imc_constant *c = imc_constants(&count);
    for (size_t i = 0; i < count; i++)
        if (PyModule_AddIntConstant(m, c[i].name, c[i].value) < 0)
            goto fail;
    static const struct {
        const char *name;
        int value;
    } status[] = {
        {"ERR_ARG", IMC_ERR_ARG}, {"ERR_NOMEM", IMC_ERR_NOMEM},
        {"ERR_UNKNOWN_FORMAT", IMC_ERR_UNKNOWN_FORMAT}, {"ERR_NO_ENCODER", IMC_ERR_NO_ENCODER},
        {"ERR_TRUNCATED", IMC_ERR_TRUNCATED}, {"ERR_CORRUPT", IMC_ERR_CORRUPT},
        {"ERR_UNSUPPORTED", IMC_ERR_UNSUPPORTED}, {"ERR_LIMITS", IMC_ERR_LIMITS},
        {"ERR_IO", IMC_ERR_IO}, {"ERR_PARAM", IMC_ERR_PARAM}, {"ERR_INTERNAL", IMC_ERR_INTERNAL},
        {"ERR_NO_PAGE", IMC_ERR_NO_PAGE},
    };
    for (size_t i = 0; i < sizeof status / sizeof status[0]; i++)
        if (PyModule_AddIntConstant(m, status[i].name, status[i].value) < 0)
            goto fail;
    if (PyModule_AddStringConstant(m, "__version__", imc_version()) < 0)
        goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
