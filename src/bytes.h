/* Byte order helpers: unchecked loads and stores at a pointer the caller
 * has checked, and bounds-checked reading of a memory buffer for the
 * hand-written decoders, whose reads past the end return 0 and set
 * `overrun`, so a parser can read a whole header and check once, as cv2's
 * exception-throwing streams do. */
#ifndef IMC_BYTES_H
#define IMC_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- Loads and stores at a pointer ---------------------------------------- */
static inline uint16_t imc_load_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t imc_load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint16_t imc_load_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t imc_load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void imc_store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ---- Bounds-checked reading ------------------------------------------------ */
typedef struct {
    const uint8_t *data;
    size_t size, pos;
    bool overrun;
} imc_bytes;

static inline imc_bytes imc_bytes_of(const uint8_t *data, size_t size)
{
    imc_bytes b = {data, size, 0, false};
    return b;
}

/* True when `rows` rows of `pitch` bytes from `offset` lie within `len`
 * bytes; no product is formed, so nothing can overflow. */
static inline bool imc_rows_fit(size_t len, uint64_t offset, uint64_t rows, uint64_t pitch)
{
    return offset <= len && (pitch == 0 || rows <= (len - offset) / pitch);
}

static inline size_t imc_bytes_left(const imc_bytes *b)
{
    return b->pos < b->size ? b->size - b->pos : 0;
}

/* Copies n bytes (zeros past the end). Returns false on overrun. */
static inline bool imc_bytes_read(imc_bytes *b, void *out, size_t n)
{
    size_t left = imc_bytes_left(b), take = n < left ? n : left;
    memcpy(out, b->data + b->pos, take);
    if (take < n) {
        memset((uint8_t *)out + take, 0, n - take);
        b->overrun = true;
    }
    b->pos += take;
    return take == n;
}

static inline void imc_bytes_skip(imc_bytes *b, size_t n)
{
    size_t left = imc_bytes_left(b);
    if (n > left) {
        b->overrun = true;
        n = left;
    }
    b->pos += n;
}

static inline void imc_bytes_seek(imc_bytes *b, size_t pos)
{
    if (pos > b->size) {
        b->overrun = true;
        pos = b->size;
    }
    b->pos = pos;
}

static inline int imc_bytes_peek(const imc_bytes *b)
{
    return b->pos < b->size ? b->data[b->pos] : -1;
}

/* The next byte, or -1 (and `overrun`) at the end: a text parser's getc. */
static inline int imc_bytes_get(imc_bytes *b)
{
    if (b->pos >= b->size) {
        b->overrun = true;
        return -1;
    }
    return b->data[b->pos++];
}

/* isspace / isdigit of the "C" locale, whatever the process locale is. */
static inline bool imc_is_space(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline bool imc_is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static inline uint8_t imc_u8(imc_bytes *b)
{
    if (b->pos >= b->size) {
        b->overrun = true;
        return 0;
    }
    return b->data[b->pos++];
}

static inline uint16_t imc_u16le(imc_bytes *b)
{
    uint8_t p[2];
    imc_bytes_read(b, p, 2);
    return imc_load_le16(p);
}

static inline uint16_t imc_u16be(imc_bytes *b)
{
    uint8_t p[2];
    imc_bytes_read(b, p, 2);
    return imc_load_be16(p);
}

static inline uint32_t imc_u32le(imc_bytes *b)
{
    uint8_t p[4];
    imc_bytes_read(b, p, 4);
    return imc_load_le32(p);
}

static inline uint32_t imc_u32be(imc_bytes *b)
{
    uint8_t p[4];
    imc_bytes_read(b, p, 4);
    return imc_load_be32(p);
}

#endif
