/* The SDL2 back end of imshow: one SDL window per imc window, sized to the
 * image, drawn through its window surface (no GPU renderer needed, works on
 * Xvfb). Callers hold the display lock (display.c) around every function
 * here, so SDL is only ever entered by one thread at a time. */
#include "display.h"

#ifdef IMC_HAVE_SDL
#include <SDL.h>

#include <stdlib.h>
#include <string.h>

struct imc_sdl_window {
    SDL_Window *window;
    SDL_Surface *image; /* RGB24 copy of what is shown, for redraws */
};

/* Defaults that suit a library showing images inside someone else's
 * program; the environment (SDL_* variables) still overrides them. */
static void set_default_hints(void)
{
    static const char *const hints[][2] = {
        {SDL_HINT_NO_SIGNAL_HANDLERS, "1"},         /* keep the host's Ctrl+C */
        {SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "1"},
        {SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0"},
        {SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, "0"},
    };
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
        SDL_SetHintWithPriority(hints[i][0], hints[i][1], SDL_HINT_DEFAULT);
}

int imc_sdl_start(imc_error *err)
{
    set_default_hints();
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0)
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "imshow: cannot open a window: %s",
                        SDL_GetError());
    return IMC_OK;
}

void imc_sdl_stop(void)
{
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

static int draw(imc_sdl_window *w, imc_error *err)
{
    SDL_Surface *screen = SDL_GetWindowSurface(w->window);
    if (!screen)
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "imshow: no window surface: %s",
                        SDL_GetError());
    /* A window manager may refuse the size: show the top-left part then. */
    if (screen->w != w->image->w || screen->h != w->image->h)
        SDL_FillRect(screen, NULL, SDL_MapRGB(screen->format, 0, 0, 0));
    if (SDL_BlitSurface(w->image, NULL, screen, NULL) != 0 ||
        SDL_UpdateWindowSurface(w->window) != 0)
        return imc_fail(err, IMC_ERR_UNSUPPORTED, "imshow: cannot draw: %s", SDL_GetError());
    return IMC_OK;
}

static SDL_Surface *copy_rgb(const imc_image *rgb)
{
    SDL_Surface *s =
        SDL_CreateRGBSurfaceWithFormat(0, rgb->cols, rgb->rows, 24, SDL_PIXELFORMAT_RGB24);
    if (!s)
        return NULL;
    for (int y = 0; y < rgb->rows; y++)
        memcpy((uint8_t *)s->pixels + (size_t)y * (size_t)s->pitch,
               (const uint8_t *)rgb->data + (size_t)y * rgb->step, (size_t)rgb->cols * 3);
    return s;
}

int imc_sdl_show(imc_sdl_window **win, const char *title, const imc_image *rgb, imc_error *err)
{
    SDL_Surface *image = copy_rgb(rgb);
    if (!image)
        return imc_fail(err, IMC_ERR_NOMEM, "imshow: %s", SDL_GetError());
    imc_sdl_window *w = *win;
    if (!w) {
        w = calloc(1, sizeof *w);
        if (!w) {
            SDL_FreeSurface(image);
            return imc_fail(err, IMC_ERR_NOMEM, "imshow: out of memory");
        }
        w->window = SDL_CreateWindow(title, SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                                     rgb->cols, rgb->rows, SDL_WINDOW_SHOWN);
        if (!w->window) {
            SDL_FreeSurface(image);
            free(w);
            return imc_fail(err, IMC_ERR_UNSUPPORTED, "imshow: cannot create a window: %s",
                            SDL_GetError());
        }
        SDL_SetWindowData(w->window, "imc", w);
        *win = w;
    } else if (w->image->w != rgb->cols || w->image->h != rgb->rows) {
        SDL_SetWindowSize(w->window, rgb->cols, rgb->rows); /* cv2's WINDOW_AUTOSIZE */
    }
    SDL_FreeSurface(w->image);
    w->image = image;
    return draw(w, err);
}

void imc_sdl_close(imc_sdl_window *w)
{
    if (!w)
        return;
    SDL_DestroyWindow(w->window);
    SDL_FreeSurface(w->image);
    free(w);
}

static imc_sdl_window *window_of(Uint32 id)
{
    SDL_Window *window = SDL_GetWindowFromID(id);
    return window ? SDL_GetWindowData(window, "imc") : NULL;
}

/* X11 keysyms of keys that type no character (cv2 returns Qt's
 * nativeVirtualKey for them). Keypad keys are listed as with Num Lock off. */
static int keysym_of(SDL_Keycode sym)
{
    static const struct { SDL_Keycode sym; int keysym; } keys[] = {
        {SDLK_HOME, IMC_KEY_HOME}, {SDLK_LEFT, IMC_KEY_LEFT}, {SDLK_UP, IMC_KEY_UP},
        {SDLK_RIGHT, IMC_KEY_RIGHT}, {SDLK_DOWN, IMC_KEY_DOWN}, {SDLK_PAGEUP, IMC_KEY_PAGE_UP},
        {SDLK_PAGEDOWN, IMC_KEY_PAGE_DOWN}, {SDLK_END, IMC_KEY_END},
        {SDLK_INSERT, IMC_KEY_INSERT}, {SDLK_DELETE, IMC_KEY_DELETE},
        {SDLK_PAUSE, 0xff13}, {SDLK_SCROLLLOCK, 0xff14}, {SDLK_PRINTSCREEN, 0xff61},
        {SDLK_APPLICATION, 0xff67}, {SDLK_MODE, 0xff7e}, {SDLK_NUMLOCKCLEAR, 0xff7f},
        {SDLK_LSHIFT, 0xffe1}, {SDLK_RSHIFT, 0xffe2}, {SDLK_LCTRL, 0xffe3},
        {SDLK_RCTRL, 0xffe4}, {SDLK_CAPSLOCK, 0xffe5}, {SDLK_LALT, 0xffe9},
        {SDLK_RALT, 0xffea}, {SDLK_LGUI, 0xffeb}, {SDLK_RGUI, 0xffec},
        {SDLK_KP_7, 0xff95}, {SDLK_KP_4, 0xff96}, {SDLK_KP_8, 0xff97}, {SDLK_KP_6, 0xff98},
        {SDLK_KP_2, 0xff99}, {SDLK_KP_9, 0xff9a}, {SDLK_KP_3, 0xff9b}, {SDLK_KP_1, 0xff9c},
        {SDLK_KP_5, 0xff9d}, {SDLK_KP_0, 0xff9e}, {SDLK_KP_PERIOD, 0xff9f},
        {SDLK_KP_ENTER, '\r'}, {SDLK_KP_DIVIDE, '/'}, {SDLK_KP_MULTIPLY, '*'},
        {SDLK_KP_MINUS, '-'}, {SDLK_KP_PLUS, '+'}, {SDLK_KP_EQUALS, '='},
    };
    if (sym >= SDLK_F1 && sym <= SDLK_F12)
        return IMC_KEY_F1 + (int)(sym - SDLK_F1);
    if (sym >= SDLK_F13 && sym <= SDLK_F24)
        return IMC_KEY_F1 + 12 + (int)(sym - SDLK_F13);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (keys[i].sym == sym)
            return keys[i].keysym;
    return (int)sym; /* unknown to X11 names: SDL's own code */
}

/* The modifier family of a modifier key: its own press sets it (and SDL may
 * report the other side's key first), Qt does not count it yet. */
static Uint16 own_modifiers(SDL_Keycode sym)
{
    switch (sym) {
    case SDLK_LSHIFT: case SDLK_RSHIFT: return KMOD_SHIFT;
    case SDLK_LCTRL: case SDLK_RCTRL: return KMOD_CTRL;
    case SDLK_LALT: case SDLK_RALT: return KMOD_ALT;
    case SDLK_LGUI: case SDLK_RGUI: return KMOD_GUI;
    default: return 0;
    }
}

/* Keys whose character, when SDL sends no text for them, is their own. */
static bool types_character(SDL_Keycode sym)
{
    return (sym >= 0x20 && sym < 0x7f) || (sym >= 0xa0 && !(sym & SDLK_SCANCODE_MASK));
}

/* The character the key typed: SDL queues it as a text event right behind
 * the key event (Shift+1 types '!', keys outside the keyboard map too). */
static int typed_key(void)
{
    SDL_Event next;
    if (SDL_PeepEvents(&next, 1, SDL_PEEKEVENT, SDL_FIRSTEVENT, SDL_LASTEVENT) != 1 ||
        next.type != SDL_TEXTINPUT ||
        SDL_PeepEvents(&next, 1, SDL_GETEVENT, SDL_TEXTINPUT, SDL_TEXTINPUT) != 1)
        return -1;
    return imc_key_from_terminal((const uint8_t *)next.text.text,
                                 strnlen(next.text.text, sizeof next.text.text));
}

static int key_code(const SDL_KeyboardEvent *k)
{
    SDL_Keycode sym = k->keysym.sym;
    int typed = typed_key(); /* taken from the queue whatever happens next */
    Uint16 mods = k->keysym.mod & (KMOD_SHIFT | KMOD_CTRL | KMOD_ALT | KMOD_GUI);
    mods &= (Uint16)~own_modifiers(sym);
    if (mods && !(mods & ~KMOD_CTRL))
        return -1; /* Ctrl alone held: cv2's Qt window keeps those for zooming */
    if (typed != -1)
        return typed;
    if (types_character(sym) || sym < 0x20)
        return imc_key_from_char((uint32_t)sym); /* also Escape, Tab, Backspace, Return */
    return keysym_of(sym);
}

/* Redraws an exposed window; reports keys and windows closed by the user. */
static bool handle(const SDL_Event *e, imc_sdl_event *ev)
{
    if (e->type == SDL_KEYDOWN || e->type == SDL_TEXTINPUT) {
        /* Text without a key event: a key SDL has no code for ('é' where
         * the keyboard map has none), typed all the same. */
        int key = e->type == SDL_KEYDOWN
                      ? key_code(&e->key)
                      : imc_key_from_terminal((const uint8_t *)e->text.text,
                                              strnlen(e->text.text, sizeof e->text.text));
        if (key == -1)
            return false;
        ev->kind = IMC_SDL_KEY;
        ev->key = key;
        return true;
    }
    if (e->type != SDL_WINDOWEVENT)
        return false;
    imc_sdl_window *w = window_of(e->window.windowID);
    if (!w)
        return false;
    switch (e->window.event) {
    case SDL_WINDOWEVENT_EXPOSED:
    case SDL_WINDOWEVENT_SIZE_CHANGED:
        draw(w, NULL);
        return false;
    case SDL_WINDOWEVENT_CLOSE:
        ev->kind = IMC_SDL_CLOSED;
        ev->window = w;
        return true;
    default:
        return false;
    }
}

/* Polls rather than SDL_WaitEventTimeout: SDL 2.26 wakes a blocked wait by
 * sending an X message to a window through a second connection, and if that
 * window is destroyed meanwhile the BadWindow error surfaces when SDL closes
 * the connection, where Xlib's default handler ends the process. A 4 ms poll
 * costs nothing measurable and never sends such a message. */
void imc_sdl_next_event(int timeout_ms, imc_sdl_event *ev)
{
    memset(ev, 0, sizeof *ev);
    Uint32 start = SDL_GetTicks();
    SDL_Event e;
    for (;;) {
        while (SDL_PollEvent(&e))
            if (handle(&e, ev))
                return;
        int left = timeout_ms - (int)(SDL_GetTicks() - start);
        if (left <= 0)
            return;
        SDL_Delay(left < 4 ? (Uint32)left : 4);
    }
}

#else /* built without SDL2: imshow renders on the terminal only */

int imc_sdl_start(imc_error *err)
{
    return imc_fail(err, IMC_ERR_UNSUPPORTED,
                    "imshow: imc was built without SDL2, so it cannot open windows");
}

void imc_sdl_stop(void) {}

int imc_sdl_show(imc_sdl_window **win, const char *title, const imc_image *rgb, imc_error *err)
{
    (void)win;
    (void)title;
    (void)rgb;
    return imc_sdl_start(err);
}

void imc_sdl_close(imc_sdl_window *win)
{
    (void)win;
}

void imc_sdl_next_event(int timeout_ms, imc_sdl_event *ev)
{
    (void)timeout_ms;
    ev->kind = IMC_SDL_NONE;
}
#endif
