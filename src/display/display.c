/* imshow / waitKey / destroyWindow: the window registry.
 *
 * Windows are process-wide by nature (cv2 keeps them in one global map too),
 * so this file holds the only mutable global state of imc: the list of open
 * windows and whether SDL is started, behind one mutex. Every function of
 * the display takes the mutex around everything it does with them, SDL calls
 * included, so that any thread may call any of them. */
#include "display.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum { WINDOW_SDL, WINDOW_TERMINAL } window_kind;

typedef struct {
    char *name;
    window_kind kind;
    imc_sdl_window *sdl; /* WINDOW_SDL */
} window;

static struct {
    pthread_mutex_t lock;
    window *list;
    size_t count, capacity;
    bool sdl_started;
} windows = {.lock = PTHREAD_MUTEX_INITIALIZER};

int imc_have_windows(void)
{
#ifdef IMC_HAVE_SDL
    return 1;
#else
    return 0;
#endif
}

/* ---- The registry (callers hold the lock) -------------------------------- */
static window *find(const char *name)
{
    for (size_t i = 0; i < windows.count; i++)
        if (!strcmp(windows.list[i].name, name))
            return &windows.list[i];
    return NULL;
}

static size_t count_kind(window_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < windows.count; i++)
        n += windows.list[i].kind == kind;
    return n;
}

static window *add(const char *name, window_kind kind)
{
    if (windows.count == windows.capacity) {
        size_t cap = windows.capacity ? windows.capacity * 2 : 8;
        window *list = realloc(windows.list, cap * sizeof *list);
        if (!list)
            return NULL;
        windows.list = list;
        windows.capacity = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return NULL;
    window *w = &windows.list[windows.count++];
    *w = (window){.name = copy, .kind = kind};
    return w;
}

/* Closes and forgets w; stops SDL with its last window. */
static void drop(window *w)
{
    imc_sdl_close(w->sdl);
    free(w->name);
    size_t i = (size_t)(w - windows.list);
    memmove(w, w + 1, (windows.count - i - 1) * sizeof *w);
    windows.count--;
    if (windows.sdl_started && count_kind(WINDOW_SDL) == 0) {
        imc_sdl_stop();
        windows.sdl_started = false;
    }
    if (windows.count == 0) {
        free(windows.list);
        windows.list = NULL;
        windows.capacity = 0;
    }
}

static void drop_sdl(const imc_sdl_window *sdl)
{
    for (size_t i = 0; i < windows.count; i++)
        if (windows.list[i].sdl == sdl) {
            drop(&windows.list[i]);
            return;
        }
}

/* ---- imshow --------------------------------------------------------------- */
typedef enum { SHOW_AUTO, SHOW_WINDOW, SHOW_TERMINAL } show_mode;

static int show_mode_from_env(show_mode *mode, imc_error *err)
{
    const char *v = getenv("IMC_IMSHOW");
    if (!v || !*v || !strcmp(v, "auto"))
        *mode = SHOW_AUTO;
    else if (!strcmp(v, "window"))
        *mode = SHOW_WINDOW;
    else if (!strcmp(v, "terminal"))
        *mode = SHOW_TERMINAL;
    else
        return imc_fail(err, IMC_ERR_ARG, "imshow: IMC_IMSHOW must be auto, window or terminal, "
                                          "not '%.64s'", v);
    return IMC_OK;
}

/* Whether a window system looks reachable: on a remote shell without X
 * forwarding SDL would otherwise try the console (KMS) or fail slowly. */
static bool display_expected(void)
{
#if defined(__APPLE__) || defined(_WIN32)
    return true;
#else
    static const char *const vars[] = {"DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return true;
    }
    return false;
#endif
}

static int show_in_window(window *w, const imc_image *img, imc_error *err)
{
    imc_image rgb;
    int rc = imc_display_convert(img, &rgb, err);
    if (rc == IMC_OK)
        rc = imc_sdl_show(&w->sdl, w->name, &rgb, err);
    imc_image_free(&rgb);
    return rc;
}

/* Which back end a new window gets: SDL when it starts, else the terminal
 * when that is allowed and standard output is one. */
static int choose_kind(show_mode mode, window_kind *kind, imc_error *err)
{
    if (mode != SHOW_TERMINAL && (mode == SHOW_WINDOW || display_expected())) {
        int rc = windows.sdl_started ? IMC_OK : imc_sdl_start(err);
        if (rc == IMC_OK) {
            windows.sdl_started = true;
            *kind = WINDOW_SDL;
            return IMC_OK;
        }
        if (mode == SHOW_WINDOW || !imc_terminal_is_output())
            return rc;
    } else if (mode == SHOW_AUTO && !imc_terminal_is_output()) {
        return imc_fail(err, IMC_ERR_UNSUPPORTED,
                        "imshow: no display (DISPLAY is not set) and standard output is not a "
                        "terminal; set IMC_IMSHOW=terminal to print the preview anyway");
    }
    imc_error_clear(err);
    *kind = WINDOW_TERMINAL;
    return IMC_OK;
}

int imc_imshow(const char *winname, const imc_image *img, imc_error *err)
{
    imc_error_clear(err);
    if (!winname)
        return imc_fail(err, IMC_ERR_ARG, "imshow: no window name");
    show_mode mode = SHOW_AUTO;
    int rc = show_mode_from_env(&mode, err);
    if (rc == IMC_OK)
        rc = imc_check_displayable(img, err);
    if (rc != IMC_OK)
        return rc;
    pthread_mutex_lock(&windows.lock);
    window *w = find(winname);
    bool created = false;
    if (!w) {
        window_kind kind = WINDOW_TERMINAL;
        rc = choose_kind(mode, &kind, err);
        if (rc == IMC_OK) {
            w = add(winname, kind);
            created = w != NULL;
            rc = w ? IMC_OK : imc_fail(err, IMC_ERR_NOMEM, "imshow: out of memory");
        }
    }
    if (rc == IMC_OK)
        rc = w->kind == WINDOW_SDL ? show_in_window(w, img, err)
                                   : imc_terminal_show(w->name, img, err);
    if (rc != IMC_OK && created)
        drop(w);
    pthread_mutex_unlock(&windows.lock);
    return rc;
}

/* ---- destroyWindow -------------------------------------------------------- */
int imc_destroy_window(const char *winname)
{
    if (!winname)
        return IMC_ERR_ARG;
    pthread_mutex_lock(&windows.lock);
    window *w = find(winname);
    if (w)
        drop(w);
    pthread_mutex_unlock(&windows.lock);
    return IMC_OK;
}

void imc_destroy_all_windows(void)
{
    pthread_mutex_lock(&windows.lock);
    while (windows.count)
        drop(&windows.list[windows.count - 1]);
    pthread_mutex_unlock(&windows.lock);
}

int imc_window_count(void)
{
    pthread_mutex_lock(&windows.lock);
    size_t n = count_kind(WINDOW_SDL);
    if (imc_terminal_has_keys())
        n += count_kind(WINDOW_TERMINAL);
    pthread_mutex_unlock(&windows.lock);
    return (int)n;
}

/* ---- waitKey -------------------------------------------------------------- */
static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* One slice of waiting on the SDL windows. Returns a key, or -1; *over is
 * set when the last window was closed. */
static int wait_sdl_slice(int slice_ms, bool *over)
{
    imc_sdl_event ev;
    imc_sdl_next_event(slice_ms, &ev);
    if (ev.kind == IMC_SDL_CLOSED) {
        drop_sdl(ev.window);
        *over = count_kind(WINDOW_SDL) == 0;
    }
    return ev.kind == IMC_SDL_KEY ? ev.key : -1;
}

/* timeout_ms: < 0 forever, 0 only looks. */
static int wait_key(int timeout_ms, const imc_wait_options *opts)
{
    long long deadline = timeout_ms >= 0 ? imc_now_us() + 1000LL * timeout_ms : -1;
    for (;;) {
        int slice = imc_wait_slice(deadline);
        pthread_mutex_lock(&windows.lock);
        bool sdl = count_kind(WINDOW_SDL) > 0, over = false;
        bool terminal = !sdl && count_kind(WINDOW_TERMINAL) > 0 && imc_terminal_has_keys();
        int key = sdl ? wait_sdl_slice(slice, &over) : -1;
        pthread_mutex_unlock(&windows.lock);
        if (key != -1 || over)
            return key;
        if (terminal) {
            long long left = deadline - imc_now_us();
            int ms = deadline < 0 ? -1 : left <= 0 ? 0 : (int)((left + 999) / 1000);
            return imc_terminal_wait_key(ms, opts);
        }
        if (!sdl) {
            if (deadline < 0)
                return -1; /* no window: no key can ever come */
            sleep_ms(slice);
        }
        if ((deadline >= 0 && imc_now_us() >= deadline) || imc_wait_stopped(opts))
            return -1;
    }
}

int imc_wait_key_with(int delay_ms, const imc_wait_options *caller)
{
    imc_wait_options opts = IMC_WAIT_OPTIONS_INIT;
    if (caller && imc_options_in(&opts, sizeof opts, caller, "imc_wait_options", NULL) != IMC_OK)
        return -1;
    int key = wait_key(delay_ms > 0 ? delay_ms : -1, &opts);
    const char *legacy = getenv("OPENCV_LEGACY_WAITKEY"); /* cv2 honours it too */
    if (key == -1 || opts.full_code || legacy)
        return key;
    return key & 0xff;
}

int imc_wait_key(int delay_ms)
{
    return imc_wait_key_with(delay_ms, NULL);
}

int imc_wait_key_ex(int delay_ms)
{
    imc_wait_options opts = IMC_WAIT_OPTIONS_INIT;
    opts.full_code = 1;
    return imc_wait_key_with(delay_ms, &opts);
}

int imc_poll_key(void)
{
    return wait_key(0, NULL);
}
