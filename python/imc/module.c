/* The module imc._imc: its functions (each file's table), the IMREAD_* /
 * IMWRITE_* and ERR_* constants, imc.error and imc.ImageInfo. */
#include "binding.h"

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "imc._imc",
    "Image codecs with OpenCV's imdecode/imencode semantics (C extension).", -1, NULL,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__imc(void)
{
    if (import_numpy() < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m)
        return NULL;
    PyMethodDef *tables[] = {imc_py_decode_methods, imc_py_encode_methods, imc_py_pages_methods,
                             imc_py_batch_methods, imc_py_display_methods, imc_py_formats_methods,
                             imc_py_cv2_results_methods, imc_py_thumbnail_methods,
                             imc_py_metadata_methods};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (PyModule_AddFunctions(m, tables[i]) < 0)
            goto fail;
    if (add_error_type(m) < 0 || add_image_info_type(m) < 0 || add_damage_warning(m) < 0)
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
