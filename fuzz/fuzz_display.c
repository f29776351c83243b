/* libFuzzer target: the display's own parsers and arithmetic. The first
 * bytes choose an image (shape, depth, odd row step) and the preview's space;
 * the rest are its samples, then terminal input for the key decoder. The
 * preview must fit the space it was given. */
#include <stdlib.h>
#include <string.h>

#include "../src/display/display.h"

/* The preview must fit what it promises: every image line the same number
 * of half blocks (3-byte UTF-8 sequences), at most `columns` of them (and
 * no more than the image's width unless enlarging), at most `lines` lines. */
static void check_fits(const imc_buffer *text, const imc_terminal_options *o, int width)
{
    size_t line_cells = 0, first = 0, image_lines = 0;
    for (size_t i = 0; i < text->size; i++) {
        if (i + 2 < text->size && text->data[i] == 0xe2 && text->data[i + 1] == 0x96 &&
            text->data[i + 2] == 0x80)
            line_cells++;
        if (text->data[i] != '\n' || line_cells == 0)
            continue;
        if (image_lines++ == 0)
            first = line_cells;
        if (line_cells != first || line_cells > (size_t)o->columns ||
            (!o->enlarge && line_cells > (size_t)width))
            __builtin_trap();
        line_cells = 0;
    }
    if (image_lines == 0 || text->data[text->size - 1] != '\n' ||
        (o->lines && image_lines + (o->title != NULL) > (size_t)o->lines))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    static const int depths[] = {IMC_8U, IMC_8S, IMC_16U, IMC_16S, IMC_32S, IMC_32F, IMC_64F};
    static const int channels[] = {1, 3, 4};
    int depth = depths[data[0] % 7], cn = channels[data[1] % 3];
    int rows = 1 + data[2] % 48, cols = 1 + data[3] % 48;
    imc_terminal_options opts = {.size = sizeof opts, .columns = 1 + data[4] % 64,
                                 .lines = data[5] % 40, .enlarge = data[6] & 1, .title = data[6] & 2 ? "t\x1b" : NULL};
    /* rows further apart than packed, by whole samples or (refused) not */
    size_t elem = imc_depth_size(depth), pad = (data[7] % 3) * elem + (data[7] >= 128);
    data += 8;
    size -= 8;

    size_t row = (size_t)cols * (size_t)cn * elem, step = row + pad;
    uint8_t *pixels = malloc(step * (size_t)rows);
    if (!pixels)
        return 0;
    for (size_t i = 0; i < step * (size_t)rows; i++)
        pixels[i] = size ? data[i % size] : (uint8_t)i;
    imc_image img = {.rows = rows, .cols = cols, .channels = cn, .depth = depth, .step = step,
                     .data = pixels};
    imc_image rgb;
    if (imc_display_convert(&img, &rgb, NULL) == IMC_OK) {
        if (rgb.rows != rows || rgb.cols != cols || rgb.channels != 3)
            __builtin_trap();
        imc_image_free(&rgb);
    }
    imc_buffer text;
    if (imc_render_terminal(&img, &opts, &text, NULL) == IMC_OK) {
        check_fits(&text, &opts, cols);
        imc_buffer_free(&text);
    }
    free(pixels);
    imc_key_from_terminal(data, size < 32 ? size : 32);
    return 0;
}
