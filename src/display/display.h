/* Internal interfaces of the display: the cv2 conversion, key codes, the
 * terminal and SDL2 back ends. The window registry lives in display.c. */
#ifndef IMC_DISPLAY_H
#define IMC_DISPLAY_H

#include "../internal.h"

/* IMC_OK when imshow can show img, else IMC_ERR_ARG with the reason. */
int imc_check_displayable(const imc_image *img, imc_error *err);

/* ---- Key codes: what cv2.waitKeyEx returns with Debian's Qt backend ---- */
/* X11 keysyms (X11/keysymdef.h) for keys that type no character. */
enum {
    IMC_KEY_HOME = 0xff50, IMC_KEY_LEFT = 0xff51, IMC_KEY_UP = 0xff52, IMC_KEY_RIGHT = 0xff53,
    IMC_KEY_DOWN = 0xff54, IMC_KEY_PAGE_UP = 0xff55, IMC_KEY_PAGE_DOWN = 0xff56,
    IMC_KEY_END = 0xff57, IMC_KEY_INSERT = 0xff63, IMC_KEY_DELETE = 0xffff,
    IMC_KEY_F1 = 0xffbe /* F2... follow */
};

/* The code of a typed character (Unicode), as keys.c explains: ASCII letters
 * in lower case, other ASCII as is, Latin-1 as a negative signed char of
 * Qt's upper-case key, other characters the X11 Unicode keysym 0x1000000 + c.
 * -1 for control characters that name no key (Ctrl+letter) and for 'ÿ'. */
int imc_key_from_char(uint32_t c);

/* The first key in bytes read from a terminal in raw mode (UTF-8, escape
 * sequences for arrows and function keys); -1 when they hold none. */
int imc_key_from_terminal(const uint8_t *buf, size_t len);

/* ---- Waiting --------------------------------------------------------------- */
/* Waits are cut into slices this long, between which opts->stop is asked. */
enum { IMC_WAIT_SLICE_MS = 20 };

long long imc_now_us(void); /* monotonic clock, microseconds */

/* The slice to wait next before `deadline_us` (< 0: none), rounded up to
 * whole milliseconds so that a wait never ends early; 0 once it is past. */
int imc_wait_slice(long long deadline_us);

static inline bool imc_wait_stopped(const imc_wait_options *opts)
{
    return opts && opts->stop && opts->stop(opts->ctx);
}

/* ---- Terminal back end (terminal.c) ------------------------------------- */
/* Renders img fitted to the terminal on standard output and writes it there. */
int imc_terminal_show(const char *winname, const imc_image *img, imc_error *err);
/* Waits up to timeout_ms (0: only looks, < 0: forever) for a key on standard
 * input, which must be a terminal, in raw mode meanwhile; -1 on timeout or
 * when stopped. */
int imc_terminal_wait_key(int timeout_ms, const imc_wait_options *wait);
bool imc_terminal_has_keys(void);
bool imc_terminal_is_output(void);

/* ---- SDL2 back end (sdl.c; stubs when built without SDL2) --------------- */
typedef struct imc_sdl_window imc_sdl_window;

/* Starts SDL's video subsystem, once; IMC_ERR_UNSUPPORTED with SDL's reason. */
int imc_sdl_start(imc_error *err);
/* Stops it when no window is left. */
void imc_sdl_stop(void);
/* Creates *win (NULL) or updates it with `rgb` (8-bit RGB) and draws it. */
int imc_sdl_show(imc_sdl_window **win, const char *title, const imc_image *rgb, imc_error *err);
void imc_sdl_close(imc_sdl_window *win);

typedef enum { IMC_SDL_NONE, IMC_SDL_KEY, IMC_SDL_CLOSED } imc_sdl_event_kind;
typedef struct {
    imc_sdl_event_kind kind;
    int key;                /* IMC_SDL_KEY */
    imc_sdl_window *window; /* IMC_SDL_CLOSED: the window the user closed */
} imc_sdl_event;

/* Waits up to timeout_ms for the next event that matters, redrawing exposed
 * windows meanwhile; kind NONE on timeout. */
void imc_sdl_next_event(int timeout_ms, imc_sdl_event *ev);

#endif
