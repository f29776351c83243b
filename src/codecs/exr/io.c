/* Memory streams for OpenEXRCore (the bytes in, an imc_buffer out) and its
 * messages, kept for the error report instead of printed. */
#include "exr_private.h"

void imc_exr_keep_message(exr_const_context_t ctx, exr_result_t code, const char *msg)
{
    void *user = NULL;
    if (exr_get_user_data(ctx, &user) != EXR_ERR_SUCCESS || !user)
        return;
    stream *s = user;
    if (s->message[0])
        return;
    snprintf(s->message, sizeof s->message, "%s", msg ? msg : exr_get_error_code_as_string(code));
    for (char *p = s->message; *p; p++) /* it may quote names from damaged files */
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            *p = '?';
}

int64_t imc_exr_read_memory(exr_const_context_t ctx, void *user, void *buffer, uint64_t size,
                            uint64_t offset, exr_stream_error_func_ptr_t error_cb)
{
    (void)ctx;
    (void)error_cb;
    const stream *s = user;
    if (offset >= s->len)
        return 0;
    uint64_t n = s->len - offset < size ? s->len - offset : size, done = 0;
    if (offset < s->patched_len) {
        done = s->patched_len - offset < n ? s->patched_len - offset : n;
        memcpy(buffer, s->patched + offset, (size_t)done);
    }
    memcpy((uint8_t *)buffer + done, s->buf + offset + done, (size_t)(n - done));
    return (int64_t)n;
}

int64_t imc_exr_memory_size(exr_const_context_t ctx, void *user)
{
    (void)ctx;
    return (int64_t)((const stream *)user)->len;
}

int64_t imc_exr_write_memory(exr_const_context_t ctx, void *user, const void *buffer,
                             uint64_t size, uint64_t offset, exr_stream_error_func_ptr_t error_cb)
{
    (void)ctx;
    (void)error_cb;
    stream *s = user;
    if (offset > SIZE_MAX || size > SIZE_MAX ||
        imc_buffer_write_at(s->out, (size_t)offset, buffer, (size_t)size) != IMC_OK) {
        s->nomem = true;
        return -1;
    }
    return (int64_t)size;
}

int imc_exr_failure(const stream *s, exr_result_t rc, const char *what, imc_error *err)
{
    /* OpenEXR's core says "out of memory" for some compressed data that does
     * not decompress (PIZ), with a message that says so. */
    bool corrupt = strstr(s->message, "Unable to decompress") != NULL;
    int code = corrupt ? IMC_ERR_CORRUPT
               : rc == EXR_ERR_OUT_OF_MEMORY ? IMC_ERR_NOMEM
               : rc == EXR_ERR_READ_IO ? IMC_ERR_TRUNCATED
               : rc == EXR_ERR_FEATURE_NOT_IMPLEMENTED ? IMC_ERR_UNSUPPORTED
                                                       : IMC_ERR_CORRUPT;
    return imc_fail(err, code, "exr: %s: %s", what,
                    s->message[0] ? s->message : exr_get_error_code_as_string(rc));
}
