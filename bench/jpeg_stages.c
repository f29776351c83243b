/* How long libjpeg-turbo alone takes to decode one JPEG to each output the
 * IMREAD flags ask for. Every output needs all of the entropy (Huffman)
 * decoding, since the components are interleaved in one bit stream; at 1/8
 * scale that is nearly all there is (one coefficient per block, no IDCT
 * to speak of), so REDUCED_COLOR_8's time is the floor under any caller of
 * the library, and the share of it in each output's time says how much is
 * left to speed up there. bench.py prints this after its table.
 *
 *     jpeg_stages [REPS] < FILE    times in ms, medians of REPS (default 7)
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jpeglib.h>

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
} error_trap;

static void on_error(j_common_ptr cinfo)
{
    longjmp(((error_trap *)cinfo->err)->jump, 1);
}

/* One decode, row by row into one row buffer. Returns 0 on success. */
static int run_once(const unsigned char *data, unsigned long size, int space, unsigned denom)
{
    struct jpeg_decompress_struct cinfo;
    error_trap trap;
    JSAMPLE *row = NULL;
    cinfo.err = jpeg_std_error(&trap.pub);
    trap.pub.error_exit = on_error;
    if (setjmp(trap.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(row);
        return 1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, size);
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = (J_COLOR_SPACE)space;
    cinfo.scale_num = 1;
    cinfo.scale_denom = denom;
    jpeg_start_decompress(&cinfo);
    row = malloc((size_t)cinfo.output_width * (size_t)cinfo.output_components);
    if (!row)
        on_error((j_common_ptr)&cinfo);
    while (cinfo.output_scanline < cinfo.output_height)
        jpeg_read_scanlines(&cinfo, &row, 1);
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    return 0;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_ms(const unsigned char *data, unsigned long size, int space, unsigned denom, int reps)
{
    double t[64];
    for (int i = 0; i < reps; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (run_once(data, size, space, denom))
            return -1;
        clock_gettime(CLOCK_MONOTONIC, &b);
        t[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    }
    qsort(t, (size_t)reps, sizeof t[0], by_value);
    return t[reps / 2];
}

/* All of `f`, in a growing buffer. */
static unsigned char *read_all(FILE *f, size_t *size)
{
    size_t cap = (size_t)1 << 20, n = 0;
    unsigned char *data = malloc(cap);
    while (data) {
        n += fread(data + n, 1, cap - n, f);
        if (n < cap)
            break;
        unsigned char *more = realloc(data, cap *= 2);
        if (!more)
            free(data);
        data = more;
    }
    *size = n;
    return data;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 7;
    reps = reps < 1 ? 1 : reps > 64 ? 64 : reps;
    size_t size;
    unsigned char *data = read_all(stdin, &size);
    if (!data || !size) {
        fprintf(stderr, "usage: %s [REPS] < FILE.jpg\n", argv[0]);
        return 2;
    }

    static const struct {
        const char *name;
        int space;
        unsigned denom;
    } outputs[] = {
        {"REDUCED_COLOR_8", JCS_EXT_BGR, 8}, {"REDUCED_COLOR_4", JCS_EXT_BGR, 4},
        {"REDUCED_COLOR_2", JCS_EXT_BGR, 2}, {"GRAYSCALE", JCS_GRAYSCALE, 1},
        {"COLOR (BGR)", JCS_EXT_BGR, 1},
    };
    double floor_ms = 0;
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
        double ms = median_ms(data, (unsigned long)size, outputs[i].space, outputs[i].denom, reps);
        if (ms < 0) {
            fprintf(stderr, "%s: not a JPEG libjpeg decodes\n", argv[0]);
            return 1;
        }
        if (i == 0)
            floor_ms = ms;
        printf("%-16s %8.2f ms   entropy-decoding floor: %3.0f%% of it\n", outputs[i].name, ms,
               100 * floor_ms / ms);
    }
    free(data);
    return 0;
}
