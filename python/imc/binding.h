/* imc._imc, the CPython binding: what its files share. The binding only
 * translates arguments, results and errors; every decision about pixels
 * lives in libimc, and the GIL is released while a codec runs.
 *
 *   module.c       the module: functions, constants, imc.error, ImageInfo
 *   cv2_results.c  which failures raise and which give cv2's None / False
 *   arrays.c       bytes, arrays and params in; arrays and bytes out
 *   decode.c       imdecode / imread / decode / read / probe
 *   encode.c       imencode / imwrite / encode / write
 *   pages.c        pages and animations
 *   batch.c        decode_batch / encode_batch
 *   display.c      imshow / waitKey and friends
 *   formats.c      haveImageReader / haveImageWriter / formats
 *   metadata.c     metadata blobs in and out, imc.metadata */
#ifndef IMC_BINDING_H
#define IMC_BINDING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* One NumPy API table for the module's files, defined in arrays.c. */
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL imc_numpy_api
#ifndef IMC_BINDING_NUMPY_HOME
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include <stdbool.h>
#include <string.h>

#include "imc.h"

extern PyObject *ImcError;          /* imc.error (cv2_results.c) */
extern PyTypeObject ImageInfoType;  /* imc.ImageInfo, what probe returns (decode.c) */

/* Add imc.error / imc.ImageInfo to the module; -1 with an exception set. */
int add_error_type(PyObject *m);
int add_image_info_type(PyObject *m);

/* A method table entry for a function taking (args, kw). */
#define KW_METHOD(name, fn, doc) \
    {name, (PyCFunction)(void (*)(void))(fn), METH_VARARGS | METH_KEYWORDS, doc}

/* Each file's functions, added to the module by module.c. */
extern PyMethodDef imc_py_decode_methods[], imc_py_encode_methods[], imc_py_pages_methods[],
    imc_py_batch_methods[], imc_py_display_methods[], imc_py_formats_methods[],
    imc_py_cv2_results_methods[], imc_py_thumbnail_methods[], imc_py_metadata_methods[];

/* ---- Results and errors (cv2_results.c) ---------------------------------- */
/* The calls whose cv2 counterparts report some failures quietly. */
typedef enum {
    CV2_DECODE,           /* imdecode, imread, imdecodemulti: None, (False, []) */
    CV2_WRITE,            /* imwrite: False */
    CV2_WRITE_MULTI,      /* imwritemulti: False */
    CV2_ENCODE_ANIMATION, /* imencodeanimation: (False, empty) */
    CV2_WRITE_ANIMATION,  /* imwriteanimation: False */
    CV2_DECODE_ANIMATION, /* imdecodeanimation, imreadanimation: (False, Animation()) */
    CV2_COUNT,            /* imcount: 0 */
} cv2_call;

/* True when cv2's `call` reports failure `code` by its return value. */
bool cv2_quiet(cv2_call call, int code);
/* A failed call: raises imc.error (returns NULL) when `strict` or when cv2
 * raises for this failure; else returns a new reference to `quiet`. */
PyObject *cv2_failure(cv2_call call, bool strict, int code, const imc_error *err,
                      PyObject *quiet);
/* Raises imc.error(code, message); returns NULL. */
PyObject *raise_imc(const imc_error *err, int code);
/* An imc.error instance for a failed batch item (returned, not raised). */
PyObject *error_object(const imc_error *err, int code);
/* A library message as str (it may quote undecodable input bytes). */
PyObject *text_of(const char *s);
/* The outcome of an encoding call: its bytes (the buffer freed), or the
 * raised imc.error. */
PyObject *encoded_bytes(int rc, const imc_error *err, imc_buffer *out);

/* A status beside the IMC_ERR_* codes: a Python exception is set. */
enum { PY_FAILED = -1000 };

/* ---- Bytes in (arrays.c) ------------------------------------------------- */
/* Loads NumPy's C API (module init); -1 with an exception set. */
int import_numpy(void);

typedef struct {
    Py_buffer view;
    bool have_view;
    void *copy;
    const void *data;
    size_t size;
} input_bytes;

/* The bytes of any buffer-protocol object (a copy for non-contiguous ones). */
int get_input(PyObject *obj, input_bytes *in);
void release_input(input_bytes *in);

/* The bytes of every item of a sequence, for a batch call (n items; the
 * arrays have at least one slot), and room for each item's outcome (the
 * reports set up). release_inputs after either outcome. */
typedef struct {
    PyObject *seq;
    Py_ssize_t n, got;
    input_bytes *in;
    const void **bufs;
    size_t *lens;
    int *status;
    imc_error *errs;
    imc_damage_report *reports;
} input_batch;
int get_inputs(PyObject *obj, input_batch *b);
void release_inputs(input_batch *b);

/* The decode skeleton: runs `call` on src's bytes with the GIL released.
 * Returns call's status, or PY_FAILED when src is not bytes-like. */
typedef int (*bytes_call)(const void *data, size_t size, void *ctx, imc_error *err);
int with_bytes(PyObject *src, bytes_call call, void *ctx, imc_error *err);

/* ---- Arrays (arrays.c) ----------------------------------------------------- */
int npy_type_of(int depth);
/* Takes ownership of img's pixels: cv2's shapes, (rows, cols[, channels]). */
PyObject *image_to_array(imc_image *img);
/* Takes ownership of buf: a 1-D uint8 array. */
PyObject *buffer_to_array(imc_buffer *buf);
/* Takes ownership of every image in the list: a list of arrays. */
PyObject *list_to_arrays(imc_image_list *list);
/* Describes `obj` as an imc_image to encode, copying only when its layout
 * needs it; *keep owns the pixels until the caller is done. */
int array_to_image(PyObject *obj, imc_image *img, PyArrayObject **keep);
/* A writable array that decoding fills in place (decode(out=...)). */
int array_as_dst(PyObject *obj, imc_image *dst);
/* params: None or a sequence of ints, (id, value) pairs (PyMem_Free them). */
int get_params(PyObject *obj, int **params, size_t *n);

/* Converted images of a Python sequence, and the params; release with
 * release_images. */
typedef struct {
    PyObject *seq;
    imc_image *imgs;
    PyArrayObject **keep;
    Py_ssize_t n;
    int *params;
    size_t nparams;
} image_batch;

int get_images(PyObject *seq_obj, PyObject *params_obj, image_batch *b);
void release_images(image_batch *b);

/* ---- Options (decode.c, encode.c) ------------------------------------------ */
/* A decode call's keyword options. */
typedef struct {
    int flags;
    int rgb;
    unsigned long long max_width, max_height, max_pixels, max_bytes;
    PyObject *orientation; /* None, "flags", "apply", "ignore" */
    PyObject *out;         /* None, or the array decode(data, out=...) fills */
    PyObject *fail_on;     /* None, "none", "truncated", "error", "warning" */
    int partial;           /* imc's API: return damaged images with a DamageWarning */
    int want_report;       /* decode(report=True): return (image, report dict) */
    bool imc_api;          /* set by resolve_fail_on: fail_on None means fail_on_level */
    int fail_on_level;
    imc_damage_report *report; /* NULL, or what the decode met */
    int want_metadata;     /* decode(metadata=True): the metadata dict comes last */
    int threads;           /* decode / read / decode_all(threads=...): imc_decode_options.threads */
} decode_args;

int fill_options(const decode_args *a, imc_decode_options *o);

/* ---- Damage (damage.c) ----------------------------------------------------- */
extern PyObject *DamageWarning; /* imc.DamageWarning */
int add_damage_warning(PyObject *m);
/* imc.check's dict: ok, kind, complete, first_bad_row, page, warnings, message. */
PyObject *damage_dict(const imc_damage_report *r, bool ok);
/* imc's own decode calls: fail_on=None means "error", or "none" with partial. */
void resolve_fail_on(decode_args *a);
/* With partial=True, a DamageWarning for an incomplete image (item >= 0: of
 * a batch); -1 when the warning was turned into an error. */
int warn_if_damaged(const decode_args *a, const imc_damage_report *r, Py_ssize_t item);
/* error (an imc.error instance, or NULL) with its .damage dict set. */
PyObject *with_damage(PyObject *error, const imc_damage_report *r);
/* Raises imc.error for a failed decode, with .damage. */
PyObject *raise_damaged(const imc_error *err, int code, const imc_damage_report *r);
/* Batch item i's imc.error instance (it failed), None (it succeeded: its
 * result is the caller's to make), or NULL (its DamageWarning was made an
 * error). */
PyObject *batch_outcome(const input_batch *b, const decode_args *a, Py_ssize_t i);
imc_encode_options encode_options(int rgb);

/* ---- Metadata (metadata.c) ------------------------------------------------- */
/* {kind: bytes} of the first blob of each kind; frees md. NULL with an
 * exception set. */
PyObject *metadata_dict(imc_metadata *md);
/* The blobs of a dict {kind: bytes} or a sequence of (kind, bytes) (kind a
 * name or IMAGE_METADATA_*); *keep holds their bytes until
 * metadata_release. -1 with an exception set. */
int metadata_from(PyObject *obj, imc_metadata *md, PyObject **keep);
void metadata_release(imc_metadata *md, PyObject *keep);

#endif
