/* Encoding one image: cv2's imencode / imwrite and imc's encode / write. */
#include "binding.h"

imc_encode_options encode_options(int rgb)
{
    imc_encode_options o = IMC_ENCODE_OPTIONS_INIT;
    o.order = rgb ? IMC_ORDER_RGB : IMC_ORDER_BGR;
    return o;
}

static int encode_common(const char *ext, PyObject *img_obj, PyObject *params_obj, int rgb,
                         PyObject *metadata_obj, int threads, imc_buffer *out, imc_error *err)
{
    imc_image img;
    PyArrayObject *keep;
    int *params;
    size_t n;
    imc_metadata md;
    PyObject *blobs;
    if (metadata_from(metadata_obj, &md, &blobs) < 0)
        return PY_FAILED;
    if (array_to_image(img_obj, &img, &keep) < 0) {
        metadata_release(&md, blobs);
        return PY_FAILED;
    }
    if (get_params(params_obj, &params, &n) < 0) {
        Py_DECREF(keep);
        metadata_release(&md, blobs);
        return PY_FAILED;
    }
    imc_encode_options opts = encode_options(rgb);
    if (blobs)
        opts.metadata = &md;
    opts.threads = threads;
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = imc_encode_ex(ext, &img, params, n, &opts, out, err);
    Py_END_ALLOW_THREADS
    PyMem_Free(params);
    Py_DECREF(keep);
    metadata_release(&md, blobs);
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
    int rc = encode_common(ext, img, params, 0, NULL, 0, &out, &err);
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
    static char *names[] = {"ext", "img", "params", "rgb", "metadata", "threads", NULL};
    const char *ext;
    PyObject *img, *params = NULL, *metadata = NULL;
    int rgb = 0, threads = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "sO|O$pOi:encode", names, &ext, &img, &params,
                                     &rgb, &metadata, &threads))
        return NULL;
    imc_buffer out;
    imc_error err;
    int rc = encode_common(ext, img, params, rgb, metadata, threads, &out, &err);
    if (rc == PY_FAILED)
        return NULL;
    return encoded_bytes(rc, &err, &out);
}

static PyObject *write_common(PyObject *args, PyObject *kw, bool strict)
{
    static char *names_cv2[] = {"filename", "img", "params", NULL};
    static char *names_imc[] = {"path", "img", "params", "rgb", "metadata", "threads", NULL};
    PyObject *path_obj, *img_obj, *params_obj = NULL, *path = NULL, *metadata = NULL, *blobs;
    int rgb = 0, threads = 0;
    if (strict ? !PyArg_ParseTupleAndKeywords(args, kw, "OO|O$pOi:write", names_imc, &path_obj,
                                              &img_obj, &params_obj, &rgb, &metadata, &threads)
               : !PyArg_ParseTupleAndKeywords(args, kw, "OO|O:imwrite", names_cv2, &path_obj,
                                              &img_obj, &params_obj))
        return NULL;
    imc_metadata md;
    if (metadata_from(metadata, &md, &blobs) < 0)
        return NULL;
    if (!PyUnicode_FSConverter(path_obj, &path)) {
        metadata_release(&md, blobs);
        return NULL;
    }
    imc_image img;
    PyArrayObject *keep;
    int *params;
    size_t n;
    if (array_to_image(img_obj, &img, &keep) < 0) {
        Py_DECREF(path);
        metadata_release(&md, blobs);
        return NULL;
    }
    if (get_params(params_obj, &params, &n) < 0) {
        Py_DECREF(keep);
        Py_DECREF(path);
        metadata_release(&md, blobs);
        return NULL;
    }
    imc_encode_options opts = encode_options(rgb);
    if (blobs)
        opts.metadata = &md;
    opts.threads = threads;
    imc_error err;
    int rc;
    const char *p = PyBytes_AS_STRING(path);
    Py_BEGIN_ALLOW_THREADS
    rc = imc_write_ex(p, &img, params, n, &opts, &err);
    Py_END_ALLOW_THREADS
    PyMem_Free(params);
    Py_DECREF(keep);
    Py_DECREF(path);
    metadata_release(&md, blobs);
    if (rc != IMC_OK)
        return cv2_failure(CV2_WRITE, strict, rc, &err, Py_False);
    return Py_NewRef(strict ? Py_None : Py_True);
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

PyMethodDef imc_py_encode_methods[] = {
    KW_METHOD("imencode", py_imencode,
              "imencode(ext, img, params=None) -> (True, buf)\n\ncv2.imencode: encodes img in the "
              "format named by ext ('.jpg', '.png', ...); buf is a 1-D uint8 array."),
    KW_METHOD("encode", py_encode,
              "encode(ext, img, params=None, *, rgb=False, metadata=None, threads=0) -> bytes\n\nLike "
              "imencode but returns bytes and raises imc.error on failure. rgb=True: img is "
              "RGB/RGBA. metadata: {kind: bytes} ('exif', 'xmp', 'icc', 'cicp') to store; a kind "
              "the format cannot hold or a malformed blob raises. threads: for one large image "
              "(PNG's default level splits it): 0 or 1 one, -1 one per CPU, else at most that."),
    KW_METHOD("imwrite", py_imwrite,
              "imwrite(filename, img, params=None) -> bool\n\ncv2.imwrite; the file is replaced "
              "atomically."),
    KW_METHOD("write", py_write,
              "write(path, img, params=None, *, rgb=False, metadata=None, threads=0)\n\nimwrite "
              "that raises imc.error, with encode's metadata and threads."),
    {NULL, NULL, 0, NULL},
};
