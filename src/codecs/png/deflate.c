/* A fast zlib-format compressor for filtered image data (see deflate.h).
 *
 * The input is cut into blocks; each block is tokenized (literals, and runs
 * of the previous byte as distance-1 matches), then coded with whichever of
 * dynamic Huffman, fixed Huffman or stored costs fewest bits — computed
 * exactly from the histogram before writing. */
#include "deflate.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "../../internal.h"

enum {
    NUM_LITLEN = 286,
    NUM_FIXED_LITLEN = 288, /* the fixed code is defined over 288 symbols */
    END_OF_BLOCK = 256,
    MAX_BITS = 15,
    MAX_LIT_BITS = 12, /* four literal codes fit one 64-bit write */
    MAX_CL_BITS = 7,
};

static const uint16_t len_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};

/* ---- Bit output: LSB first, into space reserved beforehand ---------------- */
/* After each put the whole bytes are stored with one 8-byte write, so at most
 * 7 bits stay pending; callers put at most 56 bits at once, so the total
 * stays below 64 and every shift is defined. */
typedef struct {
    uint8_t *p;
    uint64_t bits;
    unsigned n;
} bit_writer;

static inline void put_bits(bit_writer *w, uint64_t value, unsigned count)
{
    w->bits |= value << w->n;
    w->n += count;
    memcpy(w->p, &w->bits, 8); /* little-endian host; 8 bytes of slack reserved */
    w->p += w->n >> 3;
    w->bits >>= w->n & ~7u;
    w->n &= 7;
}

static void flush_bits(bit_writer *w)
{
    if (w->n) {
        *w->p++ = (uint8_t)w->bits;
        w->bits = 0;
        w->n = 0;
    }
}

/* ---- Length-limited Huffman codes --------------------------------------------- */
typedef struct {
    uint32_t freq;
    uint16_t sym;
} sym_freq;

static int by_freq(const void *a, const void *b)
{
    const sym_freq *x = a, *y = b;
    return x->freq != y->freq ? (x->freq < y->freq ? -1 : 1) : (x->sym < y->sym ? -1 : 1);
}

/* Moffat and Katajainen's in-place minimum-redundancy code lengths: on entry
 * A holds ascending weights, on exit their code lengths. */
static void minimum_redundancy(uint32_t *A, int n)
{
    int root, leaf, next, avbl, used, depth;
    if (n == 1) {
        A[0] = 1;
        return;
    }
    A[0] += A[1];
    root = 0;
    leaf = 2;
    for (next = 1; next < n - 1; next++) {
        if (leaf >= n || A[root] < A[leaf]) {
            A[next] = A[root];
            A[root++] = (uint32_t)next;
        } else {
            A[next] = A[leaf++];
        }
        if (leaf >= n || (root < next && A[root] < A[leaf])) {
            A[next] += A[root];
            A[root++] = (uint32_t)next;
        } else {
            A[next] += A[leaf++];
        }
    }
    A[n - 2] = 0;
    for (next = n - 3; next >= 0; next--)
        A[next] = A[A[next]] + 1;
    avbl = 1;
    used = depth = 0;
    root = n - 2;
    next = n - 1;
    while (avbl > 0) {
        while (root >= 0 && (int)A[root] == depth) {
            used++;
            root--;
        }
        while (avbl > used) {
            A[next--] = (uint32_t)depth;
            avbl--;
        }
        avbl = 2 * used;
        depth++;
        used = 0;
    }
}

/* Code lengths (at most max_bits) for freq[0..n); unused symbols get 0. */
static void huffman_lengths(const uint32_t *freq, int n, int max_bits, uint8_t *lengths)
{
    sym_freq s[NUM_LITLEN];
    uint32_t A[NUM_LITLEN];
    int m = 0;
    memset(lengths, 0, (size_t)n);
    for (int i = 0; i < n; i++)
        if (freq[i])
            s[m++] = (sym_freq){freq[i], (uint16_t)i};
    if (m == 0)
        return;
    if (m == 1) { /* a lone symbol still needs a complete code: pair it up */
        lengths[s[0].sym] = 1;
        lengths[s[0].sym == 0 ? 1 : 0] = 1;
        return;
    }
    qsort(s, (size_t)m, sizeof s[0], by_freq);
    for (int i = 0; i < m; i++)
        A[i] = s[i].freq;
    minimum_redundancy(A, m);

    /* Count lengths, fold the overlong ones, then restore Kraft's equality
     * by lengthening codes (as zlib does). */
    int count[33] = {0};
    for (int i = 0; i < m; i++)
        count[A[i] > 32 ? 32 : A[i]]++;
    for (int i = max_bits + 1; i <= 32; i++) {
        count[max_bits] += count[i];
        count[i] = 0;
    }
    uint32_t total = 0;
    for (int i = 1; i <= max_bits; i++)
        total += (uint32_t)count[i] << (max_bits - i);
    while (total > (1u << max_bits)) {
        count[max_bits]--;
        for (int i = max_bits - 1; i > 0; i--)
            if (count[i]) {
                count[i]--;
                count[i + 1] += 2;
                break;
            }
        total--;
    }
    /* The rarest symbols get the longest codes. */
    int j = 0;
    for (int len = max_bits; len >= 1; len--)
        for (int k = 0; k < count[len]; k++)
            lengths[s[j++].sym] = (uint8_t)len;
}

/* Canonical codes, bit-reversed for LSB-first output. */
static void canonical_codes(const uint8_t *lengths, int n, uint16_t *codes)
{
    uint16_t count[MAX_BITS + 1] = {0}, next[MAX_BITS + 2] = {0};
    for (int i = 0; i < n; i++)
        count[lengths[i]]++;
    count[0] = 0;
    for (int len = 1; len <= MAX_BITS; len++)
        next[len + 1] = (uint16_t)((next[len] + count[len]) << 1);
    for (int i = 0; i < n; i++) {
        int len = lengths[i];
        if (!len) {
            codes[i] = 0;
            continue;
        }
        unsigned code = next[len]++, rev = 0;
        for (int b = 0; b < len; b++)
            rev |= ((code >> b) & 1u) << (len - 1 - b);
        codes[i] = (uint16_t)rev;
    }
}

/* ---- Blocks ------------------------------------------------------------------- */
/* A block's statistics: literal histogram and the runs, which are rare in
 * image data, kept as a list so that literals are read from the input. */
typedef struct {
    uint8_t len_sym[259]; /* match length -> index into len_base */
    uint32_t *run_pos;    /* start offsets of runs within the block */
    uint16_t *run_len;
    size_t runs, run_cap;
    uint32_t freq[NUM_LITLEN];
    uint32_t extra_bits;  /* total extra bits of the length codes */
} block;

static void histogram(const uint8_t *in, size_t n, uint32_t *freq)
{
    /* eight tables fed from 64-bit loads avoid store-to-load stalls when
     * neighbouring bytes repeat, as filtered image data does */
    uint32_t h[8][256];
    memset(h, 0, sizeof h);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, in + i, 8);
        h[0][v & 0xFF]++;
        h[1][(v >> 8) & 0xFF]++;
        h[2][(v >> 16) & 0xFF]++;
        h[3][(v >> 24) & 0xFF]++;
        h[4][(v >> 32) & 0xFF]++;
        h[5][(v >> 40) & 0xFF]++;
        h[6][(v >> 48) & 0xFF]++;
        h[7][v >> 56]++;
    }
    for (; i < n; i++)
        h[0][in[i]]++;
    for (int v = 0; v < 256; v++)
        freq[v] = h[0][v] + h[1][v] + h[2][v] + h[3][v] + h[4][v] + h[5][v] + h[6][v] + h[7][v];
}

/* Bit j set when in[i + j] == in[i + j - 1], for j in [0, 64); needs in[i - 1]
 * and in[i + 63] readable. */
static inline uint64_t equal_mask(const uint8_t *in, size_t i)
{
#if defined(__SSE2__)
    uint64_t m = 0;
    for (int k = 0; k < 4; k++) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(in + i + 16 * k));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(in + i + 16 * k - 1));
        m |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, b)) << (16 * k);
    }
    return m;
#else
    uint64_t m = 0;
    for (int j = 0; j < 64; j++)
        m |= (uint64_t)(in[i + j] == in[i + j - 1]) << j;
    return m;
#endif
}

static inline int add_run(block *b, size_t at, size_t r, uint8_t v)
{
    if (b->runs == b->run_cap) {
        size_t cap = b->run_cap ? 2 * b->run_cap : 1024;
        uint32_t *p = realloc(b->run_pos, cap * sizeof *p);
        if (!p)
            return IMC_ERR_NOMEM;
        b->run_pos = p;
        uint16_t *q = realloc(b->run_len, cap * sizeof *q);
        if (!q)
            return IMC_ERR_NOMEM;
        b->run_len = q;
        b->run_cap = cap;
    }
    int s = b->len_sym[r];
    b->run_pos[b->runs] = (uint32_t)at;
    b->run_len[b->runs++] = (uint16_t)r;
    b->freq[v] -= (uint32_t)r;
    b->freq[257 + s]++;
    b->extra_bits += len_extra[s];
    return IMC_OK;
}

/* Length of the run of in[start - 1] from `start`, at least `r` long
 * already, at most `limit`. */
static inline size_t extend_run(const uint8_t *in, size_t start, size_t r, size_t limit)
{
    const uint8_t v = in[start - 1];
    const uint64_t pattern = v * 0x0101010101010101ull;
    while (r + 8 <= limit) { /* 8 bytes per step: runs in image data are long */
        uint64_t x;
        memcpy(&x, in + start + r, 8);
        if (x != pattern)
            break;
        r += 8;
    }
    while (r < limit && in[start + r] == v)
        r++;
    return r;
}

/* Finds runs of >= 3 copies of the byte before them (in[-1] is readable when
 * `has_prev`), greedily from the left, and takes them out of the literal
 * counts. A run starts at j when in[j..j+2] all equal in[j-1]: three equal-
 * neighbour bits in a row. Short runs are common (gray pixels stored as
 * BGR repeat in threes), so all runs inside a 64-byte window are read off
 * its mask, without branching back to the bytes. */
static int find_runs(block *b, const uint8_t *in, size_t n, bool has_prev)
{
    size_t i = has_prev ? 0 : 1; /* from here on in[i - 1] is readable */
    while (i + 2 < n) {
        if (i + 64 <= n) {
            const uint64_t m = equal_mask(in, i);
            uint64_t starts = m & (m >> 1) & (m >> 2); /* bits 62 and 63 wait for the next window */
            size_t next = i + 62;
            while (starts) {
                unsigned s = (unsigned)__builtin_ctzll(starts);
                uint64_t breaks = ~(m >> s); /* zero when the run reaches the window's end */
                size_t r = breaks ? (size_t)__builtin_ctzll(breaks) : 64 - s;
                size_t start = i + s;
                if (s + r >= 64) { /* may go on past the window */
                    size_t limit = n - start < 258 ? n - start : 258;
                    r = extend_run(in, start, r < limit ? r : limit, limit);
                }
                int rc = add_run(b, start, r, in[start - 1]);
                if (rc != IMC_OK)
                    return rc;
                if (s + r >= 62) {
                    next = start + r;
                    break;
                }
                starts &= ~0ull << (s + r);
            }
            i = next;
            continue;
        }
        if (!(in[i] == in[i - 1] && in[i + 1] == in[i] && in[i + 2] == in[i])) {
            i++;
            continue;
        }
        size_t limit = n - i < 258 ? n - i : 258;
        size_t r = extend_run(in, i, 3, limit);
        int rc = add_run(b, i, r, in[i - 1]);
        if (rc != IMC_OK)
            return rc;
        i += r;
    }
    return IMC_OK;
}

/* Run-length codes (16, 17, 18) of the concatenated code lengths; calls
 * emit(sym, extra) for each. Returns the number of symbols. */
typedef struct {
    uint8_t sym[NUM_LITLEN + 30];
    uint8_t extra[NUM_LITLEN + 30];
    int n;
} cl_stream;

static void rle_lengths(const uint8_t *lens, int n, cl_stream *out)
{
    out->n = 0;
    for (int i = 0; i < n;) {
        int v = lens[i], run = 1;
        while (i + run < n && lens[i + run] == v)
            run++;
        int left = run;
        if (v == 0) {
            while (left >= 11) {
                int k = left > 138 ? 138 : left;
                out->sym[out->n] = 18, out->extra[out->n++] = (uint8_t)(k - 11);
                left -= k;
            }
            if (left >= 3) {
                out->sym[out->n] = 17, out->extra[out->n++] = (uint8_t)(left - 3);
                left = 0;
            }
        } else {
            out->sym[out->n] = (uint8_t)v, out->extra[out->n++] = 0;
            left--;
            while (left >= 3) {
                int k = left > 6 ? 6 : left;
                out->sym[out->n] = 16, out->extra[out->n++] = (uint8_t)(k - 3);
                left -= k;
            }
        }
        while (left-- > 0)
            out->sym[out->n] = (uint8_t)v, out->extra[out->n++] = 0;
        i += run;
    }
}

static const uint8_t cl_order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
static const uint8_t cl_extra_bits[19] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7};

typedef struct {
    uint8_t lit_len[NUM_FIXED_LITLEN], dist_len[30], cl_len[19];
    uint16_t lit_code[NUM_FIXED_LITLEN], dist_code[30], cl_code[19];
    int hlit, hdist, hclen;
    cl_stream cls;
} dynamic_code;

/* Builds the block's dynamic code; returns its exact size in bits. */
static uint64_t plan_dynamic(const block *b, dynamic_code *c)
{
    uint32_t freq[NUM_LITLEN];
    memcpy(freq, b->freq, sizeof freq);
    /* a complete code needs two symbols */
    if (freq[0] == 0 && freq[1] == 0)
        freq[0] = 1;
    huffman_lengths(freq, NUM_LITLEN, MAX_LIT_BITS, c->lit_len);
    memset(c->dist_len, 0, sizeof c->dist_len);
    c->dist_len[0] = 1; /* only distance 1; one code is sent as one bit */
    c->hlit = NUM_LITLEN;
    while (c->hlit > 257 && !c->lit_len[c->hlit - 1])
        c->hlit--;
    c->hdist = 1;

    uint8_t all[NUM_LITLEN + 30];
    memcpy(all, c->lit_len, (size_t)c->hlit);
    memcpy(all + c->hlit, c->dist_len, (size_t)c->hdist);
    rle_lengths(all, c->hlit + c->hdist, &c->cls);
    uint32_t cl_freq[19] = {0};
    for (int i = 0; i < c->cls.n; i++)
        cl_freq[c->cls.sym[i]]++;
    huffman_lengths(cl_freq, 19, MAX_CL_BITS, c->cl_len);
    c->hclen = 19;
    while (c->hclen > 4 && !c->cl_len[cl_order[c->hclen - 1]])
        c->hclen--;
    canonical_codes(c->lit_len, NUM_LITLEN, c->lit_code);
    canonical_codes(c->dist_len, 30, c->dist_code);
    canonical_codes(c->cl_len, 19, c->cl_code);

    uint64_t bits = 3 + 5 + 5 + 4 + 3 * (uint64_t)c->hclen;
    for (int i = 0; i < c->cls.n; i++)
        bits += c->cl_len[c->cls.sym[i]] + cl_extra_bits[c->cls.sym[i]];
    for (int i = 0; i < NUM_LITLEN; i++)
        bits += (uint64_t)b->freq[i] * c->lit_len[i];
    return bits + b->extra_bits + b->runs * (uint64_t)c->dist_len[0];
}

static void fixed_code(dynamic_code *c)
{
    for (int i = 0; i < NUM_FIXED_LITLEN; i++)
        c->lit_len[i] = (uint8_t)(i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8);
    memset(c->dist_len, 5, sizeof c->dist_len);
    canonical_codes(c->lit_len, NUM_FIXED_LITLEN, c->lit_code);
    canonical_codes(c->dist_len, 30, c->dist_code);
}

static uint64_t fixed_cost(const block *b, const dynamic_code *fixed)
{
    uint64_t bits = 3;
    for (int i = 0; i < NUM_LITLEN; i++)
        bits += (uint64_t)b->freq[i] * fixed->lit_len[i];
    return bits + b->extra_bits + b->runs * 5;
}

/* Codes as (bits << 8 | length) for one-lookup emission: literals, and the
 * whole token (length code, extra bits, distance code) of each run length,
 * at most 12 + 5 + 5 bits. */
static void pack_codes(const dynamic_code *c, const block *b, uint32_t *lit, uint32_t *run)
{
    for (int i = 0; i < NUM_LITLEN; i++)
        lit[i] = (uint32_t)c->lit_code[i] << 8 | c->lit_len[i];
    if (!b->runs)
        return;
    for (unsigned len = 3; len <= 258; len++) {
        unsigned s = b->len_sym[len], n0 = c->lit_len[257 + s], n1 = n0 + len_extra[s];
        uint32_t bits = c->lit_code[257 + s] | (len - len_base[s]) << n0 | (uint32_t)c->dist_code[0] << n1;
        run[len] = bits << 8 | (n1 + c->dist_len[0]);
    }
}

/* Built twice: BMI2's flag-free variable shifts shorten the bit-packing
 * dependency chain by a third on CPUs that have them. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("default", "bmi2")))
#endif
static void write_symbols(bit_writer *w, const block *b, const uint8_t *in, size_t n,
                          const dynamic_code *c)
{
    uint32_t lit[NUM_LITLEN], run[259];
    pack_codes(c, b, lit, run);
    size_t i = 0;
    for (size_t r = 0; r <= b->runs; r++) {
        size_t stop = r < b->runs ? b->run_pos[r] : n;
        for (; i + 4 <= stop; i += 4) { /* four literals (<= 48 bits) per write */
            uint32_t e0 = lit[in[i]], e1 = lit[in[i + 1]], e2 = lit[in[i + 2]];
            uint32_t e3 = lit[in[i + 3]];
            uint64_t v = e3 >> 8;
            v = v << (e2 & 0xFF) | e2 >> 8;
            v = v << (e1 & 0xFF) | e1 >> 8;
            v = v << (e0 & 0xFF) | e0 >> 8;
            put_bits(w, v, (e0 & 0xFF) + (e1 & 0xFF) + (e2 & 0xFF) + (e3 & 0xFF));
        }
        /* The 0-3 literals left and the run after them in one write (<= 36
         * + 18 bits), without a branch per literal: short segments between
         * runs are common. */
        uint64_t v = 0;
        unsigned nbits = 0;
        if (i < stop) {
            size_t last = stop - i - 1; /* 0..2; reads stay inside the segment */
            uint32_t e0 = lit[in[i]], e1 = lit[in[i + (last >= 1)]], e2 = lit[in[i + last]];
            e1 = last >= 1 ? e1 : 0;
            e2 = last >= 2 ? e2 : 0;
            v = e2 >> 8;
            v = v << (e1 & 0xFF) | e1 >> 8;
            v = v << (e0 & 0xFF) | e0 >> 8;
            nbits = (e0 & 0xFF) + (e1 & 0xFF) + (e2 & 0xFF);
            i = stop;
        }
        if (r < b->runs) {
            unsigned len = b->run_len[r];
            v |= (uint64_t)(run[len] >> 8) << nbits;
            nbits += run[len] & 0xFF;
            i += len;
        }
        put_bits(w, v, nbits);
    }
    uint32_t e = lit[END_OF_BLOCK];
    put_bits(w, e >> 8, e & 0xFF);
}

static void write_dynamic_header(bit_writer *w, const dynamic_code *c, bool last)
{
    put_bits(w, last ? 1 : 0, 1);
    put_bits(w, 2, 2);
    put_bits(w, (uint32_t)(c->hlit - 257), 5);
    put_bits(w, (uint32_t)(c->hdist - 1), 5);
    put_bits(w, (uint32_t)(c->hclen - 4), 4);
    for (int i = 0; i < c->hclen; i++)
        put_bits(w, c->cl_len[cl_order[i]], 3);
    for (int i = 0; i < c->cls.n; i++) {
        int s = c->cls.sym[i];
        put_bits(w, c->cl_code[s], c->cl_len[s]);
        put_bits(w, c->cls.extra[i], cl_extra_bits[s]);
    }
}

static void write_stored(bit_writer *w, const uint8_t *data, size_t n, bool last)
{
    do {
        size_t k = n > 65535 ? 65535 : n;
        n -= k;
        put_bits(w, (last && n == 0) ? 1 : 0, 1);
        put_bits(w, 0, 2);
        flush_bits(w);
        uint8_t hdr[4] = {(uint8_t)k, (uint8_t)(k >> 8), (uint8_t)~k, (uint8_t)(~k >> 8)};
        memcpy(w->p, hdr, 4);
        memcpy(w->p + 4, data, k);
        w->p += 4 + k;
        data += k;
    } while (n);
}

struct imc_zlib_fast_state {
    imc_deflate_fast_options opts;
    imc_buffer *out;
    bit_writer w;
    uint32_t adler;
    bool started;
    block b;
    dynamic_code dyn, fixed;
};

int imc_zlib_fast_init(imc_zlib_fast_state **state, const imc_deflate_fast_options *opts,
                       imc_buffer *out)
{
    imc_zlib_fast_state *z = calloc(1, sizeof *z);
    *state = z;
    if (!z)
        return IMC_ERR_NOMEM;
    z->opts = *opts;
    z->out = out;
    z->adler = 1;
    for (int s = 0, r = 3; r <= 258; r++) {
        while (s < 28 && r >= len_base[s + 1])
            s++;
        z->b.len_sym[r] = (uint8_t)s;
    }
    fixed_code(&z->fixed);
    /* zlib header: deflate, 32 KiB window, fastest level */
    static const uint8_t header[2] = {0x78, 0x01};
    return opts->raw ? IMC_OK : imc_buffer_append(out, header, 2);
}

int imc_zlib_fast_sync(imc_zlib_fast_state *z)
{
    static const uint8_t none[1];
    int rc = imc_buffer_reserve(z->out, z->out->size + 16);
    if (rc != IMC_OK)
        return rc;
    z->w.p = z->out->data + z->out->size;
    write_stored(&z->w, none, 0, false);
    z->out->size = (size_t)(z->w.p - z->out->data);
    return IMC_OK;
}

uint32_t imc_zlib_fast_adler(const imc_zlib_fast_state *z)
{
    return z->adler;
}

/* Adler-32 is A = 1 + the sum of the bytes and B = the sum of the A after
 * each byte, both mod 65521: b's bytes come after a's A, so b's A grows by
 * A_a - 1 and each of b's len_b partial sums in B by the same. */
uint32_t imc_adler32_concat(uint32_t adler_a, uint32_t adler_b, uint64_t len_b)
{
    const uint64_t mod = 65521;
    uint64_t a1 = adler_a & 0xffff, b1 = adler_a >> 16, a2 = adler_b & 0xffff, b2 = adler_b >> 16;
    uint64_t shift = (a1 + mod - 1) % mod;
    uint64_t a = (a1 + a2 + mod - 1) % mod;
    uint64_t b = (b1 + b2 + (len_b % mod) * shift) % mod;
    return (uint32_t)(b << 16 | a);
}

void imc_zlib_fast_free(imc_zlib_fast_state *z)
{
    if (!z)
        return;
    free(z->b.run_pos);
    free(z->b.run_len);
    free(z);
}

/* in[-1] must be readable for every block but the first (runs may continue
 * the byte before the block: distance 1 crosses blocks). */
int imc_zlib_fast_block(imc_zlib_fast_state *z, const uint8_t *in, size_t n, bool final)
{
    block *b = &z->b;
    histogram(in, n, b->freq);
    memset(b->freq + 256, 0, sizeof b->freq - 256 * sizeof b->freq[0]);
    b->freq[END_OF_BLOCK] = 1;
    b->runs = 0;
    b->extra_bits = 0;
    int rc = z->opts.runs ? find_runs(b, in, n, z->started) : IMC_OK;
    if (rc != IMC_OK)
        return rc;
    uint64_t f = fixed_cost(b, &z->fixed);
    uint64_t d = z->opts.fixed_codes ? UINT64_MAX : plan_dynamic(b, &z->dyn);
    uint64_t stored = (n + 5 * (n / 65535 + 1)) * 8 + 7;
    uint64_t best = f < d ? f : d;
    best = stored < best ? stored : best;
    /* room for the block, what the writer holds, and the trailer */
    rc = imc_buffer_reserve(z->out, z->out->size + (size_t)(best / 8) + 64);
    if (rc != IMC_OK)
        return rc;
    bit_writer *w = &z->w;
    w->p = z->out->data + z->out->size;
    if (best == stored) {
        write_stored(w, in, n, final);
    } else {
        const dynamic_code *code = best == d ? &z->dyn : &z->fixed;
        if (best == d) {
            write_dynamic_header(w, code, final);
        } else {
            put_bits(w, final ? 1 : 0, 1);
            put_bits(w, 1, 2);
        }
        write_symbols(w, b, in, n, code);
    }
    z->adler = libdeflate_adler32(z->adler, in, n);
    z->started = z->started || n > 0;
    if (final) {
        flush_bits(w);
        for (int i = 3; !z->opts.raw && i >= 0; i--)
            *w->p++ = (uint8_t)(z->adler >> (8 * i));
    }
    /* whole bytes only: pending bits stay in the writer */
    z->out->size = (size_t)(w->p - z->out->data);
    return IMC_OK;
}

int imc_zlib_fast(const uint8_t *in, size_t n, const imc_deflate_fast_options *opts,
                  imc_buffer *out)
{
    imc_zlib_fast_state *z;
    int rc = imc_zlib_fast_init(&z, opts, out);
    size_t at = 0;
    do {
        size_t k = n - at < IMC_DEFLATE_FAST_BLOCK ? n - at : IMC_DEFLATE_FAST_BLOCK;
        if (rc == IMC_OK)
            rc = imc_zlib_fast_block(z, in + at, k, at + k == n);
        at += k;
    } while (rc == IMC_OK && at < n);
    imc_zlib_fast_free(z);
    return rc;
}
