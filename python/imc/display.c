/* The display: imshow, waitKey and friends, and the terminal preview. */
#include "binding.h"

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

/* waitKey / waitKeyEx(delay=0): `format` names the function. */
static PyObject *wait_call(PyObject *args, PyObject *kw, const char *format, int full_code)
{
    static char *names[] = {"delay", NULL};
    int delay = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, format, names, &delay))
        return NULL;
    return wait_common(delay, full_code);
}

static PyObject *py_wait_key(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    return wait_call(args, kw, "|i:waitKey", 0);
}

static PyObject *py_wait_key_ex(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    return wait_call(args, kw, "|i:waitKeyEx", 1);
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

PyMethodDef imc_py_display_methods[] = {
    KW_METHOD("imshow", py_imshow,
              "imshow(winname, mat) -> None\n\ncv2.imshow: shows mat in the window winname (SDL2), "
              "converted as cv2 does (uint16 / 255, float * 255). Without a display it prints a "
              "24-bit colour preview on the terminal (IMC_IMSHOW=window|terminal|auto chooses)."),
    KW_METHOD("waitKey", py_wait_key,
              "waitKey(delay=0) -> key\n\ncv2.waitKey: waits delay ms (0: forever) for a key in "
              "any window; returns its code & 0xFF, or -1."),
    KW_METHOD("waitKeyEx", py_wait_key_ex,
              "waitKeyEx(delay=0) -> key\n\ncv2.waitKeyEx: waitKey with the full key code (X11 "
              "keysyms for arrows and function keys)."),
    {"pollKey", py_poll_key, METH_NOARGS, "pollKey() -> key\n\ncv2.pollKey: waitKeyEx "
     "without waiting."},
    KW_METHOD("destroyWindow", py_destroy_window,
              "destroyWindow(winname) -> None"),
    {"destroyAllWindows", py_destroy_all_windows, METH_NOARGS, "destroyAllWindows() -> None"},
    {"_display_rgb", py_display_rgb, METH_O, NULL},
    KW_METHOD("_render_terminal", py_render_terminal, NULL),
    {"_display_state", py_display_state, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};
