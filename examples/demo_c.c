/* The demo workflow through the C API: read a file's bytes, decode, encode
 * JPEG q90 and PNG in memory, write both, read them back, report sizes and
 * PSNR. Usage: demo_c IMAGE OUTDIR */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "imc.h"

static double psnr(const imc_image *a, const imc_image *b)
{
    double sum = 0;
    size_t n = (size_t)a->cols * a->channels;
    for (int y = 0; y < a->rows; y++) {
        const uint8_t *p = (const uint8_t *)a->data + y * a->step;
        const uint8_t *q = (const uint8_t *)b->data + y * b->step;
        for (size_t i = 0; i < n; i++)
            sum += (double)(p[i] - q[i]) * (p[i] - q[i]);
    }
    double rms = sqrt(sum / ((double)n * a->rows));
    return 20 * log10(255.0 / (rms + 2.220446049250313e-16));
}

static int die(const char *what, const imc_error *err)
{
    fprintf(stderr, "demo_c: %s: %s\n", what, err->message);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: demo_c IMAGE OUTDIR\n");
        return 2;
    }
    mkdir(argv[2], 0777);
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *bytes = malloc((size_t)size);
    if (!bytes || fread(bytes, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        return 1;
    }
    fclose(f);

    imc_error err;
    imc_image image;
    imc_decode_options opts = IMC_DECODE_OPTIONS_INIT; /* IMREAD_COLOR, BGR */
    if (imc_decode_ex(bytes, (size_t)size, &opts, &image, &err) != IMC_OK)
        return die(argv[1], &err);
    free(bytes);
    printf("decoded %s: %dx%d, %d channels\n", argv[1], image.cols, image.rows, image.channels);

    const int q90[] = {IMC_IMWRITE_JPEG_QUALITY, 90};
    const struct { const char *name, *file; const int *params; size_t n; } outs[] = {
        {"JPEG q90", "demo.jpg", q90, 2}, {"PNG", "demo.png", NULL, 0}};
    for (int i = 0; i < 2; i++) {
        imc_buffer buf;
        imc_image back;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[2], outs[i].file);
        if (imc_encode_ex(outs[i].file, &image, outs[i].params, outs[i].n, NULL, &buf, &err) != IMC_OK)
            return die("encode", &err);
        if (imc_write_ex(path, &image, outs[i].params, outs[i].n, NULL, &err) != IMC_OK)
            return die(path, &err);
        if (imc_read_ex(path, &opts, &back, &err) != IMC_OK)
            return die(path, &err);
        printf("%-10s %9zu bytes  PSNR %s%.2f dB  -> %s\n", outs[i].name, buf.size,
               psnr(&image, &back) > 300 ? "(lossless) " : "", psnr(&image, &back), path);
        imc_buffer_free(&buf);
        imc_image_free(&back);
    }
    imc_image_free(&image);
    return 0;
}
