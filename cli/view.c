/* imc view FILE...: look at images from a shell, remote ones included. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fputs("usage: imc view [--width N] [--flags FLAGS] [--window] FILE...\n"
          "\n"
          "Shows each FILE on the terminal: half-block characters in 24-bit colour, two\n"
          "pixels per character cell, the image area-averaged to fit the terminal (never\n"
          "enlarged), converted for display as cv2.imshow converts it.\n"
          "\n"
          "  -w, --width N        exactly N columns wide, enlarging small images; the\n"
          "                       height follows the aspect ratio, whatever the terminal\n"
          "  -f, --flags FLAGS    IMREAD flags for decoding (default COLOR, as cv2.imread)\n"
          "  --window             show the files in a window (imshow) one after the other;\n"
          "                       a key shows the next, Esc or q stops\n",
          f);
}

typedef struct {
    int flags;
    int width;
    bool window;
} view_options;

static int show_on_terminal(const char *path, const imc_image *img, const view_options *v)
{
    imc_terminal_options opts = {.size = sizeof(imc_terminal_options), .title = path};
    if (v->width > 0) {
        opts.columns = v->width;
        opts.enlarge = 1;
    } else {
        imc_terminal_size(STDOUT_FILENO, &opts.columns, &opts.lines);
        opts.lines = opts.lines > 3 ? opts.lines - 1 : 2; /* room for the prompt */
    }
    imc_buffer text;
    imc_error err;
    if (imc_render_terminal(img, &opts, &text, &err) != IMC_OK)
        return cli_fail("%s: %s", path, err.message);
    bool ok = fwrite(text.data, 1, text.size, stdout) == text.size && fflush(stdout) == 0;
    imc_buffer_free(&text);
    return ok ? 0 : cli_fail("cannot write to standard output");
}

/* 0: next file, 1: failed, 2: the user asked to stop. */
static int show_in_window(const char *path, const imc_image *img)
{
    imc_error err;
    if (imc_imshow(path, img, &err) != IMC_OK)
        return cli_fail("%s", err.message);
    int key = imc_wait_key(0);
    imc_destroy_window(path);
    return key == 27 || key == 'q' ? 2 : 0;
}

/* Options may come anywhere; the other arguments are files, moved to the
 * front of argv in order. Returns -1 after --help. */
static int parse(int argc, char **argv, view_options *v, int *files)
{
    *v = (view_options){.flags = IMC_IMREAD_COLOR};
    *files = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return -1;
        } else if (!strcmp(a, "-w") || !strcmp(a, "--width")) {
            if (!val || !cli_parse_int(val, &v->width) || v->width < 1 || v->width > 4096)
                return cli_fail("%s needs a number of columns, 1 to 4096", a);
            i++;
        } else if (!strcmp(a, "-f") || !strcmp(a, "--flags")) {
            if (!val || !cli_parse_flags(val, &v->flags))
                return cli_fail("bad flags '%s' (want e.g. COLOR or UNCHANGED)", val ? val : "");
            i++;
        } else if (!strcmp(a, "--window")) {
            v->window = true;
        } else if (a[0] == '-' && a[1]) {
            return cli_fail("view: unknown option '%s' (see imc view --help)", a);
        } else {
            argv[(*files)++] = argv[i];
        }
    }
    return *files ? 0 : cli_fail("view needs at least one FILE (see imc view --help)");
}

int cli_view(int argc, char **argv)
{
    view_options v;
    int files;
    int rc = parse(argc, argv, &v, &files);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    int failures = 0;
    for (int i = 0; i < files; i++) {
        imc_decode_options opts = {.size = sizeof opts, .flags = v.flags};
        imc_image img;
        imc_error err;
        if (imc_read_ex(argv[i], &opts, &img, &err) != IMC_OK) {
            failures++;
            cli_fail("%s: %s", argv[i], err.message);
            continue;
        }
        rc = v.window ? show_in_window(argv[i], &img) : show_on_terminal(argv[i], &img, &v);
        imc_image_free(&img);
        if (rc == 2)
            break;
        failures += rc != 0;
    }
    if (v.window)
        imc_destroy_all_windows();
    return failures ? 1 : 0;
}
