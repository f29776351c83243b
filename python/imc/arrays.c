/* Between Python objects and imc's structs: input bytes from any buffer,
 * imc's images and buffers as NumPy arrays without copying, arrays as images
 * to encode or as memory to decode into, and encode params. */
#define IMC_BINDING_NUMPY_HOME
#include "binding.h"

int import_numpy(void)
{
    import_array1(-1);
    return 0;
}

int get_input(PyObject *obj, input_bytes *in)
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

void release_input(input_bytes *in)
{
    if (in->have_view)
        PyBuffer_Release(&in->view);
    PyMem_Free(in->copy);
    memset(in, 0, sizeof *in);
}

int get_inputs(PyObject *obj, input_batch *b)
{
    memset(b, 0, sizeof *b);
    b->seq = PySequence_Fast(obj, "buffers must be a sequence of bytes-like objects");
    if (!b->seq)
        return -1;
    b->n = PySequence_Fast_GET_SIZE(b->seq);
    size_t count = (size_t)(b->n ? b->n : 1);
    b->in = PyMem_Calloc(count, sizeof *b->in);
    b->bufs = PyMem_Calloc(count, sizeof *b->bufs);
    b->lens = PyMem_Calloc(count, sizeof *b->lens);
    b->status = PyMem_Calloc(count, sizeof *b->status);
    b->errs = PyMem_Calloc(count, sizeof *b->errs);
    b->reports = PyMem_Calloc(count, sizeof *b->reports);
    if (!b->in || !b->bufs || !b->lens || !b->status || !b->errs || !b->reports) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < count; i++)
        b->reports[i] = (imc_damage_report)IMC_DAMAGE_REPORT_INIT;
    for (; b->got < b->n; b->got++) {
        input_bytes *in = &b->in[b->got];
        if (get_input(PySequence_Fast_GET_ITEM(b->seq, b->got), in) < 0) {
            release_input(in);
            return -1;
        }
        b->bufs[b->got] = in->data;
        b->lens[b->got] = in->size;
    }
    return 0;
}

void release_inputs(input_batch *b)
{
    for (Py_ssize_t i = 0; b->in && i < b->got; i++)
        release_input(&b->in[i]);
    PyMem_Free(b->in);
    PyMem_Free(b->bufs);
    PyMem_Free(b->lens);
    PyMem_Free(b->status);
    PyMem_Free(b->errs);
    PyMem_Free(b->reports);
    Py_XDECREF(b->seq);
    memset(b, 0, sizeof *b);
}

int with_bytes(PyObject *src, bytes_call call, void *ctx, imc_error *err)
{
    input_bytes in;
    if (get_input(src, &in) < 0) {
        release_input(&in);
        return PY_FAILED;
    }
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = call(in.data, in.size, ctx, err);
    Py_END_ALLOW_THREADS
    release_input(&in);
    return rc;
}

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

/* arr (NULL after a failure) viewing memory that `capsule` releases: the
 * array owns the capsule, or both are released and NULL returned. */
static PyObject *owned_by(PyObject *arr, PyObject *capsule)
{
    if (!arr || PyArray_SetBaseObject((PyArrayObject *)arr, capsule) < 0) {
        Py_XDECREF(arr);
        Py_DECREF(capsule);
        return NULL;
    }
    return arr;
}

int npy_type_of(int depth)
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
PyObject *image_to_array(imc_image *img)
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
    PyObject *arr = owned_by(PyArray_New(&PyArray_Type, nd, dims, typenum, strides, img->data, 0,
                                         NPY_ARRAY_CARRAY, NULL),
                             capsule);
    if (arr)
        memset(img, 0, sizeof *img);
    return arr;
}

PyObject *buffer_to_array(imc_buffer *buf)
{
    npy_intp n = (npy_intp)buf->size;
    PyObject *capsule = PyCapsule_New(buf->data ? (void *)buf->data : (void *)"", "imc.bytes",
                                      buf->data ? free_bytes : NULL);
    if (!capsule) {
        imc_buffer_free(buf);
        return NULL;
    }
    PyObject *arr = owned_by(PyArray_SimpleNewFromData(1, &n, NPY_UINT8, buf->data), capsule);
    if (arr)
        memset(buf, 0, sizeof *buf);
    return arr;
}

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
int array_to_image(PyObject *obj, imc_image *img, PyArrayObject **keep)
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

/* A writable array decode(out=...) fills in place: uint8, uint16 or float32,
 * (rows, cols) or (rows, cols, channels), pixels packed within rows (any
 * row stride: a slot of a batch array qualifies). */
int array_as_dst(PyObject *obj, imc_image *dst)
{
    memset(dst, 0, sizeof *dst);
    if (!PyArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "out must be a numpy array, not %.100s",
                     Py_TYPE(obj)->tp_name);
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

/* Takes ownership of every image in the list. */
PyObject *list_to_arrays(imc_image_list *list)
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

/* params: None or a sequence of ints, (id, value) pairs. */
int get_params(PyObject *obj, int **params, size_t *n)
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

void release_images(image_batch *b)
{
    for (Py_ssize_t i = 0; b->keep && i < b->n; i++)
        Py_XDECREF(b->keep[i]);
    PyMem_Free(b->keep);
    PyMem_Free(b->imgs);
    PyMem_Free(b->params);
    Py_XDECREF(b->seq);
    memset(b, 0, sizeof *b);
}

int get_images(PyObject *seq_obj, PyObject *params_obj, image_batch *b)
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
