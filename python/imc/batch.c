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
    imc_damage_report *reports = PyMem_Calloc(count, sizeof *reports);
    PyObject *result = NULL, *slots = NULL;
    Py_ssize_t got = 0;
    if (!in || !bufs || !lens || !imgs || !status || !errs || !reports) {
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
    for (size_t i = 0; i < count; i++)
        reports[i] = (imc_damage_report)IMC_DAMAGE_REPORT_INIT;
    a.report = reports;
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
            item = with_damage(error_object(&errs[i], status[i]), &reports[i]);
        else if (result && warn_if_damaged(&a, &reports[i], i) < 0)
            item = NULL;
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
    PyMem_Free(reports);
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
