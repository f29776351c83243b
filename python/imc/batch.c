/* Batches: many images on library threads, the GIL released; one result
 * or imc.error instance per item. */
#include "binding.h"

static PyObject *py_decode_batch(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *names[] = {"buffers", "flags", "threads", "rgb", "max_width", "max_height",
                            "max_pixels", "max_bytes", "orientation", "fail_on", "partial",
                            "out", NULL};
    PyObject *seq_obj;
    int threads = 0;
    decode_args a = {.flags = IMC_IMREAD_COLOR};
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|ii$pKKKKOOpO:decode_batch", names, &seq_obj,
                                     &a.flags, &threads, &a.rgb, &a.max_width, &a.max_height,
                                     &a.max_pixels, &a.max_bytes, &a.orientation, &a.fail_on,
                                     &a.partial, &a.out))
        return NULL;
    resolve_fail_on(&a);
    if (a.out == Py_None)
        a.out = NULL;
    input_batch b;
    PyObject *result = NULL, *slots = NULL;
    imc_image *imgs = NULL;
    if (get_inputs(seq_obj, &b) < 0)
        goto done;
    const Py_ssize_t n = b.n;
    const size_t count = (size_t)(n ? n : 1);
    imgs = PyMem_Calloc(count, sizeof *imgs);
    if (!imgs) {
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
    a.report = b.reports;
    imc_decode_options opts;
    if (fill_options(&a, &opts) < 0)
        goto done;
    Py_BEGIN_ALLOW_THREADS
    if (slots)
        imc_decode_batch_into(b.bufs, b.lens, (size_t)n, &opts, threads, imgs, b.status, b.errs);
    else
        imc_decode_batch(b.bufs, b.lens, (size_t)n, &opts, threads, imgs, b.status, b.errs);
    Py_END_ALLOW_THREADS
    result = PyList_New(n);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = result ? batch_outcome(&b, &a, i) : NULL;
        if (item == Py_None) {
            Py_DECREF(item);
            item = slots ? Py_NewRef(PyList_GET_ITEM(slots, i)) : image_to_array(&imgs[i]);
        }
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
    release_inputs(&b);
    PyMem_Free(imgs);
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

PyMethodDef imc_py_batch_methods[] = {
    KW_METHOD("decode_batch", py_decode_batch,
              "decode_batch(buffers, flags=IMREAD_COLOR, threads=0, *, rgb=False, max_..., "
              "fail_on=None, partial=False, out=None) -> list\n\nDecodes every buffer on "
              "`threads` threads (0: one per CPU) with the GIL released. The list holds, in input "
              "order, an image or an imc.error instance per item (damaged data is an error, as "
              "in decode, unless partial=True: then a DamageWarning names the item). out: an array with a slot per buffer (len(buffers), rows, cols[, "
              "channels]); item i is decoded into out[i] (see decode's out) and the list holds "
              "those slots."),
    KW_METHOD("encode_batch", py_encode_batch,
              "encode_batch(ext, imgs, params=None, threads=0, *, rgb=False) -> list\n\nEncodes "
              "every image likewise: bytes or an imc.error instance per item, in order."),
    {NULL, NULL, 0, NULL},
};
