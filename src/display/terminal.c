/* The terminal back end: imshow's preview where there is no display, and
 * `imc view`. Pixels become U+2580 upper half blocks in 24-bit colour: one
 * character cell holds two pixels, the upper one in the foreground colour and
 * the lower one in the background colour, so pixels come out about square. */
#include "display.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

enum { MAX_CELLS = 4096 };

/* ---- Fitting and area-averaging --------------------------------------- */
static int scaled(int a, int num, int den) /* round(a * num / den), at least 1 */
{
    long long v = ((long long)a * num + den / 2) / den;
    return v < 1 ? 1 : (int)v;
}

/* Output pixel size for an image of w x h in `columns` x `max_h` pixels. */
static void fit(int w, int h, int columns, int max_h, bool enlarge, int *ow, int *oh)
{
    *ow = enlarge || w > columns ? columns : w;
    *oh = *ow == w ? h : scaled(h, *ow, w);
    if (*oh > max_h) {
        *oh = max_h;
        *ow = scaled(w, *oh, h);
        if (*ow > columns)
            *ow = columns;
    }
}

/* The source pixels [start[i], end[i]) that output pixel i of n covers,
 * over `size` source pixels: floor(i * size / n) up to the next one's start,
 * at least one pixel when enlarging. */
static void box_ranges(int size, int n, int *start, int *end)
{
    for (int i = 0; i < n; i++) {
        start[i] = (int)((long long)i * size / n);
        end[i] = (int)((long long)(i + 1) * size / n);
        if (end[i] <= start[i])
            end[i] = start[i] + 1;
    }
}

/* Mean colour of rgb over [x0, x1) x [y0, y1), rounded half up. */
static void box_mean(const imc_image *rgb, int x0, int x1, int y0, int y1, uint8_t out[3])
{
    uint64_t sum[3] = {0, 0, 0};
    for (int y = y0; y < y1; y++) {
        const uint8_t *p = (const uint8_t *)rgb->data + (size_t)y * rgb->step + (size_t)x0 * 3;
        for (int x = x0; x < x1; x++, p += 3) {
            sum[0] += p[0];
            sum[1] += p[1];
            sum[2] += p[2];
        }
    }
    uint64_t n = (uint64_t)(x1 - x0) * (uint64_t)(y1 - y0);
    for (int c = 0; c < 3; c++)
        out[c] = (uint8_t)((sum[c] + n / 2) / n);
}

/* ---- Text ---------------------------------------------------------------- */
static uint32_t pack(const uint8_t c[3])
{
    return (uint32_t)c[0] << 16 | (uint32_t)c[1] << 8 | c[2];
}

static int append_text(imc_buffer *out, const char *s, int n)
{
    return imc_buffer_append(out, s, (size_t)n);
}

/* The title line, control characters (escape sequences in file names)
 * replaced so that they cannot drive the terminal. */
static int append_title(imc_buffer *out, const char *title, int w, int h)
{
    for (const char *p = title; *p; p++) {
        char c = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
        if (imc_buffer_append(out, &c, 1) != IMC_OK)
            return IMC_ERR_NOMEM;
    }
    char size[48];
    return append_text(out, size, snprintf(size, sizeof size, " (%dx%d)\n", w, h));
}

/* One cell: escapes for the colours that changed, then the half block.
 * lower < 0: no pixel below (odd height), default background. */
static int append_cell(imc_buffer *out, uint32_t upper, long lower, long *fg, long *bg)
{
    char esc[64];
    int n = 0;
    if ((long)upper != *fg || lower != *bg) {
        n += snprintf(esc + n, sizeof esc - (size_t)n, "\x1b[");
        if ((long)upper != *fg)
            n += snprintf(esc + n, sizeof esc - (size_t)n, "38;2;%u;%u;%u%s", upper >> 16,
                          upper >> 8 & 0xff, upper & 0xff, lower != *bg ? ";" : "");
        if (lower != *bg && lower < 0)
            n += snprintf(esc + n, sizeof esc - (size_t)n, "49");
        else if (lower != *bg)
            n += snprintf(esc + n, sizeof esc - (size_t)n, "48;2;%lu;%lu;%lu",
                          (unsigned long)lower >> 16, (unsigned long)lower >> 8 & 0xff,
                          (unsigned long)lower & 0xff);
        esc[n++] = 'm';
        *fg = (long)upper;
        *bg = lower;
    }
    memcpy(esc + n, "\xe2\x96\x80", 3); /* U+2580 UPPER HALF BLOCK */
    return append_text(out, esc, n + 3);
}

static int render_cells(const imc_image *rgb, int ow, int oh, imc_buffer *out)
{
    /* x0, x1, y0, y1: the ranges of each output column and row */
    int *ranges = malloc(sizeof(int) * 2 * ((size_t)ow + (size_t)oh));
    uint8_t *rows = malloc((size_t)ow * 6);
    int rc = ranges && rows ? IMC_OK : IMC_ERR_NOMEM;
    int *x0 = ranges, *x1 = x0 + ow, *y0 = x1 + ow, *y1 = y0 + oh;
    if (rc == IMC_OK) {
        box_ranges(rgb->cols, ow, x0, x1);
        box_ranges(rgb->rows, oh, y0, y1);
    }
    for (int y = 0; rc == IMC_OK && y < oh; y += 2) {
        uint8_t *upper = rows, *lower = rows + (size_t)ow * 3;
        for (int x = 0; x < ow; x++) {
            box_mean(rgb, x0[x], x1[x], y0[y], y1[y], upper + x * 3);
            if (y + 1 < oh)
                box_mean(rgb, x0[x], x1[x], y0[y + 1], y1[y + 1], lower + x * 3);
        }
        long fg = -1, bg = -1; /* after ESC[0m: default colours */
        for (int x = 0; rc == IMC_OK && x < ow; x++)
            rc = append_cell(out, pack(upper + x * 3), y + 1 < oh ? (long)pack(lower + x * 3) : -1,
                             &fg, &bg);
        if (rc == IMC_OK)
            rc = append_text(out, "\x1b[0m\n", 5);
    }
    free(ranges);
    free(rows);
    return rc;
}

int imc_render_terminal(const imc_image *img, const imc_terminal_options *caller,
                        imc_buffer *out, imc_error *err)
{
    imc_error_clear(err);
    if (!out)
        return imc_fail(err, IMC_ERR_ARG, "render: no output buffer");
    memset(out, 0, sizeof *out);
    if (!caller)
        return imc_fail(err, IMC_ERR_ARG, "render: NULL options");
    imc_terminal_options o;
    int rc = imc_options_in(&o, sizeof o, caller, "imc_terminal_options", err);
    if (rc != IMC_OK)
        return rc;
    const imc_terminal_options *opts = &o;
    if (opts->columns < 1 || opts->columns > MAX_CELLS || opts->lines < 0 ||
        opts->lines > MAX_CELLS)
        return imc_fail(err, IMC_ERR_ARG, "render: columns must be 1..%d and lines 0..%d",
                        MAX_CELLS, MAX_CELLS);
    int lines = opts->lines ? opts->lines - (opts->title ? 1 : 0) : MAX_CELLS;
    if (lines < 1)
        return imc_fail(err, IMC_ERR_ARG, "render: no line left for the image");
    imc_image rgb;
    rc = imc_display_convert(img, &rgb, err);
    if (rc != IMC_OK)
        return rc;
    int ow, oh;
    fit(rgb.cols, rgb.rows, opts->columns, 2 * lines, opts->enlarge != 0, &ow, &oh);
    if (opts->title)
        rc = append_title(out, opts->title, rgb.cols, rgb.rows);
    if (rc == IMC_OK)
        rc = render_cells(&rgb, ow, oh, out);
    imc_image_free(&rgb);
    if (rc != IMC_OK) {
        imc_buffer_free(out);
        return imc_fail(err, rc, "render: out of memory");
    }
    return IMC_OK;
}

/* ---- The terminal itself ------------------------------------------------- */
static int env_size(const char *name, int fallback)
{
    const char *v = getenv(name);
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;
    return v && *v && !*end && n > 0 && n <= MAX_CELLS ? (int)n : fallback;
}

void imc_terminal_size(int fd, int *columns, int *lines)
{
    struct winsize ws;
    bool known = ioctl(fd, TIOCGWINSZ, &ws) == 0;
    int c = known && ws.ws_col ? ws.ws_col : env_size("COLUMNS", 80);
    int l = known && ws.ws_row ? ws.ws_row : env_size("LINES", 24);
    if (columns)
        *columns = c < MAX_CELLS ? c : MAX_CELLS;
    if (lines)
        *lines = l < MAX_CELLS ? l : MAX_CELLS;
}

bool imc_terminal_is_output(void)
{
    return isatty(STDOUT_FILENO) == 1;
}

bool imc_terminal_has_keys(void)
{
    return isatty(STDIN_FILENO) == 1;
}

static int write_all(int fd, const uint8_t *p, size_t n, imc_error *err)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : EIO;
            imc_fail(err, IMC_ERR_IO, "imshow: cannot write to standard output: %s",
                     strerror(e));
            if (err)
                err->sys_errno = e;
            return IMC_ERR_IO;
        }
        p += w;
        n -= (size_t)w;
    }
    return IMC_OK;
}

int imc_terminal_show(const char *winname, const imc_image *img, imc_error *err)
{
    imc_terminal_options opts = IMC_TERMINAL_OPTIONS_INIT;
    opts.title = winname;
    imc_terminal_size(STDOUT_FILENO, &opts.columns, &opts.lines);
    /* the title line, the image, and a line for whatever comes next */
    opts.lines = opts.lines > 3 ? opts.lines - 1 : 2;
    imc_buffer text;
    int rc = imc_render_terminal(img, &opts, &text, err);
    if (rc == IMC_OK)
        rc = write_all(STDOUT_FILENO, text.data, text.size, err);
    imc_buffer_free(&text);
    return rc;
}

/* ---- Keys ---------------------------------------------------------------- */
/* Reads what one key press sent: an escape sequence arrives in one burst. */
static size_t read_key_bytes(uint8_t *buf, size_t cap)
{
    ssize_t n = read(STDIN_FILENO, buf, cap);
    if (n <= 0)
        return 0;
    size_t got = (size_t)n;
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
    while (got < cap && buf[0] == 0x1b && poll(&p, 1, 25) == 1) {
        n = read(STDIN_FILENO, buf + got, cap - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

int imc_terminal_wait_key(int timeout_ms, const imc_wait_options *wait)
{
    struct termios saved, raw;
    if (tcgetattr(STDIN_FILENO, &saved) != 0)
        return -1;
    raw = saved; /* no line buffering, no echo; Ctrl+C still interrupts */
    raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    long long deadline = timeout_ms >= 0 ? imc_now_us() + 1000LL * timeout_ms : -1;
    int key = -1;
    for (;;) {
        int slice = imc_wait_slice(deadline);
        struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
        int ready = poll(&p, 1, slice);
        if (ready == 1) {
            uint8_t buf[32];
            size_t n = read_key_bytes(buf, sizeof buf);
            if (n == 0)
                break; /* end of input */
            key = imc_key_from_terminal(buf, n);
            if (key != -1)
                break;
        } else if (ready < 0 && errno != EINTR) {
            break;
        }
        if ((deadline >= 0 && imc_now_us() >= deadline) || imc_wait_stopped(wait))
            break;
    }
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    return key;
}
