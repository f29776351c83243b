/* File helpers on top of the memory functions. Writes go to a temporary file
 * in the target's directory that is renamed over the target only once it is
 * complete and flushed, so a crash or a full disk never leaves a partial
 * image where a good one was. */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int io_fail(imc_error *err, int sys, const char *what, const char *path)
{
    int rc = imc_fail(err, IMC_ERR_IO, "%s '%s': %s", what, path, strerror(sys));
    if (err)
        err->sys_errno = sys;
    return rc;
}

/* Reads a whole file; works for pipes and devices as well as regular files. */
static int read_all(const char *path, uint8_t **data, size_t *size, imc_error *err)
{
    *data = NULL;
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return io_fail(err, errno, "cannot open", path);
    struct stat st;
    size_t cap = 1 << 16;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        if ((uint64_t)st.st_size >= SIZE_MAX) {
            close(fd);
            return imc_fail(err, IMC_ERR_LIMITS, "file '%s' is too large", path);
        }
        cap = (size_t)st.st_size + 1; /* +1 sees growth without another round */
    }
    uint8_t *buf = malloc(cap);
    size_t n = 0;
    while (buf) {
        if (n == cap) {
            uint8_t *bigger = cap < SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int sys = errno;
            free(buf);
            close(fd);
            return io_fail(err, sys, "cannot read", path);
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    if (!buf)
        return imc_fail(err, IMC_ERR_NOMEM, "out of memory reading '%s'", path);
    *data = buf;
    *size = n;
    return IMC_OK;
}

/* Reads the file, then decodes it with `decode`, which sees the bytes. */
static int read_then(const char *path, const imc_decode_options *opts, imc_error *err,
                     int (*decode)(const uint8_t *, size_t, const imc_decode_options *, void *,
                                   imc_error *),
                     void *out)
{
    if (!path || !out || !opts)
        return imc_fail(err, IMC_ERR_ARG, "NULL argument");
    uint8_t *data;
    size_t size;
    int rc = read_all(path, &data, &size, err);
    if (rc != IMC_OK)
        return rc;
    if (size == 0) {
        free(data);
        return imc_fail(err, IMC_ERR_UNKNOWN_FORMAT, "file '%s' is empty", path);
    }
    rc = decode(data, size, opts, out, err);
    free(data);
    return rc;
}

static int decode_one(const uint8_t *data, size_t size, const imc_decode_options *opts, void *out,
                      imc_error *err)
{
    return imc_decode_ex(data, size, opts, out, err);
}

int imc_read_ex(const char *path, const imc_decode_options *opts, imc_image *out, imc_error *err)
{
    imc_error_clear(err);
    if (out)
        memset(out, 0, sizeof *out);
    return read_then(path, opts, err, decode_one, out);
}

static int metadata_one(const uint8_t *data, size_t size, const imc_decode_options *opts,
                        void *out, imc_error *err)
{
    (void)opts;
    return imc_metadata_read(data, size, out, err);
}

int imc_metadata_read_file(const char *path, imc_metadata *out, imc_error *err)
{
    imc_error_clear(err);
    if (out)
        memset(out, 0, sizeof *out);
    imc_decode_options unused = IMC_DECODE_OPTIONS_INIT;
    return read_then(path, &unused, err, metadata_one, out);
}

static int probe_one(const uint8_t *data, size_t size, const imc_decode_options *opts, void *out,
                     imc_error *err)
{
    (void)opts;
    return imc_probe_ex(data, size, out, err);
}

int imc_probe_file(const char *path, imc_info *info, imc_error *err)
{
    imc_error_clear(err);
    if (info)
        memset(info, 0, sizeof *info);
    static const imc_decode_options none;
    return read_then(path, &none, err, probe_one, info);
}

typedef struct {
    size_t start, count;
    imc_image_list *list;
} multi_request;

static int decode_many(const uint8_t *data, size_t size, const imc_decode_options *opts, void *arg,
                       imc_error *err)
{
    multi_request *m = arg;
    return imc_decode_multi(data, size, opts, m->start, m->count, m->list, err);
}

int imc_read_multi(const char *path, const imc_decode_options *opts, size_t start, size_t count,
                   imc_image_list *out, imc_error *err)
{
    imc_error_clear(err);
    if (out) {
        out->images = NULL;
        out->count = 0;
    }
    multi_request m = {start, count, out};
    return read_then(path, opts, err, decode_many, out ? &m : NULL);
}

typedef struct {
    size_t start, count;
    imc_animation *anim;
} animation_request;

static int decode_animation(const uint8_t *data, size_t size, const imc_decode_options *opts,
                            void *arg, imc_error *err)
{
    animation_request *a = arg;
    return imc_decode_animation(data, size, opts, a->start, a->count, a->anim, err);
}

int imc_read_animation(const char *path, const imc_decode_options *opts, size_t start,
                       size_t count, imc_animation *out, imc_error *err)
{
    imc_error_clear(err);
    if (out)
        memset(out, 0, sizeof *out);
    animation_request a = {start, count, out};
    return read_then(path, opts, err, decode_animation, out ? &a : NULL);
}

int imc_thumbnail_file(const char *path, const imc_thumbnail_options *opts, imc_image *out,
                       imc_error *err)
{
    imc_error_clear(err);
    if (!path || !opts || !out)
        return imc_fail(err, IMC_ERR_ARG, "NULL argument");
    memset(out, 0, sizeof *out);
    uint8_t *data;
    size_t size;
    int rc = read_all(path, &data, &size, err);
    if (rc == IMC_OK && size == 0)
        rc = imc_fail(err, IMC_ERR_UNKNOWN_FORMAT, "file '%s' is empty", path);
    if (rc == IMC_OK)
        rc = imc_thumbnail(data, size, opts, out, err);
    free(data);
    return rc;
}

int imc_read(const char *path, int flags, imc_image *out)
{
    imc_decode_options opts = IMC_DECODE_OPTIONS_INIT;
    opts.flags = flags;
    return imc_read_ex(path, &opts, out, NULL);
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return errno;
        if (w == 0)
            return EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Creates "<dir>/.<name>.<random>.tmp" exclusively, mode 0666 & ~umask. */
static int create_temp(const char *target, char *tmp, size_t tmp_size)
{
    const char *slash = strrchr(target, '/');
    int dir_len = slash ? (int)(slash - target + 1) : 0;
    const char *name = slash ? slash + 1 : target;
    uint64_t seed = (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)tmp ^ (uint64_t)time(NULL);
    for (int attempt = 0; attempt < 100; attempt++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        int n = snprintf(tmp, tmp_size, "%.*s.%s.%08x.tmp", dir_len, target, name,
                         (unsigned)(seed >> 32));
        if (n < 0 || (size_t)n >= tmp_size) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

static int write_atomically(const char *path, const uint8_t *data, size_t size, imc_error *err)
{
    /* Write through a symbolic link, as fopen would, not over it. */
    char resolved[PATH_MAX];
    struct stat st;
    bool exists = stat(path, &st) == 0;
    const char *target = path;
    struct stat lst;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) && realpath(path, resolved))
        target = resolved;
    if (exists && !S_ISREG(st.st_mode))
        return io_fail(err, EISDIR, "not a regular file:", path);

    char tmp[PATH_MAX + 32];
    int fd = create_temp(target, tmp, sizeof tmp);
    if (fd < 0)
        return io_fail(err, errno, "cannot create a file beside", path);
    int sys = write_all(fd, data, size);
    if (!sys && exists && fchmod(fd, st.st_mode & 07777) != 0)
        sys = errno;
    if (!sys && fsync(fd) != 0)
        sys = errno;
    if (close(fd) != 0 && !sys)
        sys = errno;
    if (!sys && rename(tmp, target) != 0)
        sys = errno;
    if (sys) {
        unlink(tmp);
        return io_fail(err, sys, "cannot write", path);
    }
    return IMC_OK;
}

/* The format comes from the file name's extension only. */
static int extension_of(const char *path, const char **ext, imc_error *err)
{
    if (!path || !*path)
        return imc_fail(err, IMC_ERR_ARG, "empty file name");
    const char *base = strrchr(path, '/');
    *ext = strrchr(base ? base + 1 : path, '.');
    if (!*ext)
        return imc_fail(err, IMC_ERR_NO_ENCODER, "'%s' has no extension to choose a format", path);
    return IMC_OK;
}

/* Writes what an encoder produced (if it succeeded) and frees it. */
static int write_encoded(const char *path, int rc, imc_buffer *buf, imc_error *err)
{
    if (rc == IMC_OK)
        rc = write_atomically(path, buf->data, buf->size, err);
    imc_buffer_free(buf);
    return rc;
}

int imc_write_multi(const char *path, const imc_image *images, size_t n, const int *params,
                    size_t nparams, const imc_encode_options *opts, imc_error *err)
{
    imc_error_clear(err);
    const char *ext;
    imc_buffer buf = {0};
    int rc = extension_of(path, &ext, err);
    if (rc == IMC_OK)
        rc = imc_encode_multi(ext, images, n, params, nparams, opts, &buf, err);
    return write_encoded(path, rc, &buf, err);
}

int imc_write_animation(const char *path, const imc_animation *anim, const int *params,
                        size_t nparams, const imc_encode_options *opts, imc_error *err)
{
    imc_error_clear(err);
    const char *ext;
    imc_buffer buf = {0};
    int rc = extension_of(path, &ext, err);
    if (rc == IMC_OK)
        rc = imc_encode_animation(ext, anim, params, nparams, opts, &buf, err);
    return write_encoded(path, rc, &buf, err);
}

int imc_write_ex(const char *path, const imc_image *img, const int *params, size_t nparams,
                 const imc_encode_options *opts, imc_error *err)
{
    if (!img) {
        imc_error_clear(err);
        return imc_fail(err, IMC_ERR_ARG, "empty image");
    }
    return imc_write_multi(path, img, 1, params, nparams, opts, err);
}

int imc_write(const char *path, const imc_image *img, const int *params, size_t nparams)
{
    return imc_write_ex(path, img, params, nparams, NULL, NULL);
}
