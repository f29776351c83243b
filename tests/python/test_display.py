"""imshow / waitKey / destroyWindow, and the terminal preview.

Windows: the seed examples (examples/seed_*.py, `import imc as cv2`) run
under Xvfb; a screenshot of the root window (ImageMagick `import`) must hold
exactly the pixels cv2 shows, keys sent with xdotool come back from waitKey.
The conversion of every depth is also compared with what Debian's cv2.imshow
itself puts on the same X server. Terminal: `imc view` and imshow's fallback
run in tmux; the colours of capture-pane are parsed back and compared with an
area-averaged copy of the image computed here."""
import http.server
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from helpers import BUILD, CLI, ROOT, SAMPLES, cv2, imc, tool, tool_env

EXAMPLES = ROOT / "examples"
FRUITS = SAMPLES / "fruits.jpg"
_imc = imc._imc


def example_env(**extra):
    env = dict(os.environ, PYTHONPATH=str(BUILD / "python"), PYTHONUNBUFFERED="1")
    env.pop("WAYLAND_DISPLAY", None)
    env.update(extra)
    return env


def wait_for(predicate, timeout=20.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


# ---- Expected pixels, computed here from cv2's documented rules ----------
def shown_bgr(img):
    """What cv2.imshow puts on screen, in BGR, from cv2's own conversion
    functions (convertToShow: convertScaleAbs / convertTo, then to 3 channels)."""
    if img.dtype == np.uint8:
        tmp = img
    elif img.dtype == np.int8:
        tmp = cv2.convertScaleAbs(img, alpha=1, beta=127)
    elif img.dtype == np.uint16:
        tmp = cv2.convertScaleAbs(img, alpha=1 / 255.0)
    elif img.dtype == np.int16:
        tmp = cv2.convertScaleAbs(img, alpha=1 / 255.0, beta=127)
    else:  # convertTo(CV_8U, 255): float32 arithmetic, round half even, INT_MIN -> 0
        v = img.astype(np.float32) * np.float32(255)
        with np.errstate(invalid="ignore"):
            r = np.rint(v)
            tmp = np.where(np.isfinite(r) & (np.abs(r) < 2.0**31), np.clip(r, 0, 255), 0)
        tmp = tmp.astype(np.uint8)
    if tmp.ndim == 2:
        return np.dstack([tmp] * 3)
    return np.ascontiguousarray(tmp[:, :, :3])


def area_average(rgb, ow, oh):
    """The terminal preview's box filter: output pixel i covers source
    [floor(i*n/o), floor((i+1)*n/o)) (at least one pixel), mean rounded half up."""
    h, w = rgb.shape[:2]

    def ranges(n, o):
        return [(i * n // o, max((i + 1) * n // o, i * n // o + 1)) for i in range(o)]

    out = np.zeros((oh, ow, 3), np.uint8)
    src = rgb.astype(np.int64)
    for y, (y0, y1) in enumerate(ranges(h, oh)):
        for x, (x0, x1) in enumerate(ranges(w, ow)):
            box = src[y0:y1, x0:x1].reshape(-1, 3)
            out[y, x] = (box.sum(0) + len(box) // 2) // len(box)
    return out


def fitted_size(w, h, columns, max_h, enlarge=False):
    ow = columns if enlarge or w > columns else w
    oh = h if ow == w else max(1, (h * ow + w // 2) // w)
    if oh > max_h:
        oh = max_h
        ow = min(columns, max(1, (w * oh + h // 2) // h))
    return ow, oh


# ---- Reading a terminal preview back -------------------------------------
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def parse_preview(text):
    """Pixel rows (lists of (r, g, b) or None) of the half-block lines in
    text, following SGR colour state; other lines are skipped."""
    rows = []
    for line in text.split("\n"):
        if "\u2580" not in line:
            continue
        fg = bg = None
        upper, lower = [], []
        pos = 0
        for m in SGR.finditer(line + "\x1b[m"):
            for ch in line[pos:m.start()]:
                if ch == "\u2580":
                    upper.append(fg)
                    lower.append(bg)
            pos = m.end()
            codes = [int(c) if c else 0 for c in m.group(1).split(";")]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    fg = bg = None
                elif c in (38, 48) and i + 4 < len(codes) and codes[i + 1] == 2:
                    rgb = tuple(codes[i + 2:i + 5])
                    fg, bg = (rgb, bg) if c == 38 else (fg, rgb)
                    i += 4
                elif c == 39:
                    fg = None
                elif c == 49:
                    bg = None
                i += 1
        rows.append(upper)
        rows.append(lower)
    return rows


def assert_preview(text, rgb, ow, oh):
    rows = parse_preview(text)
    assert len(rows) == oh + (oh % 2), f"{len(rows)} pixel rows, want {oh}"
    want = area_average(rgb, ow, oh)
    got = np.array([[px if px is not None else (-1, -1, -1) for px in r] for r in rows[:oh]])
    assert got.shape == (oh, ow, 3), f"preview {got.shape}, want {(oh, ow, 3)}"
    bad = np.argwhere(np.any(got != want, axis=2))
    assert not len(bad), f"{len(bad)} cells differ, first {bad[0]}: {got[tuple(bad[0])]} vs " \
                         f"{want[tuple(bad[0])]}"
    if oh % 2:
        assert all(px is None for px in rows[oh]), "odd last row must leave the background"


# ---- Terminal rendering, in process ---------------------------------------
def rgb_of(img):
    return shown_bgr(img)[:, :, ::-1]


@pytest.mark.parametrize("shape,columns,lines,enlarge", [
    ((48, 64, 3), 80, 0, False),       # fits: 1:1
    ((480, 640, 3), 100, 30, False),   # wider than the columns
    ((480, 200, 3), 100, 20, False),   # taller than the lines
    ((7, 5, 3), 80, 0, False),         # odd height: last row has no pixel below
    ((9, 4), 30, 0, True),             # enlarged to 30 columns, gray
    ((5, 300, 4), 17, 3, False),       # BGRA, very wide
    ((1, 1, 3), 1, 1, False),
])
def test_render_terminal_area_average(shape, columns, lines, enlarge):
    rng = np.random.default_rng(sum(shape) + columns)
    img = rng.integers(0, 256, shape, np.uint8)
    text = _imc._render_terminal(img, columns, lines, enlarge).decode()
    ow, oh = fitted_size(shape[1], shape[0], columns, 2 * lines if lines else 1 << 20, enlarge)
    assert ow <= columns and (lines == 0 or (oh + 1) // 2 <= lines)
    assert_preview(text, rgb_of(img), ow, oh)
    assert all(line.endswith("\x1b[0m") for line in text.split("\n")[:-1])
    assert text.endswith("\n")


def test_render_terminal_sample_and_depths():
    img = cv2.imread(str(FRUITS))
    text = _imc._render_terminal(img, 120, 38, title="fruits").decode()
    first, rest = text.split("\n", 1)
    assert first == f"fruits ({img.shape[1]}x{img.shape[0]})"
    ow, oh = fitted_size(img.shape[1], img.shape[0], 120, 2 * 37)
    assert_preview(rest, rgb_of(img), ow, oh)
    rng = np.random.default_rng(5)
    for img in (rng.integers(0, 65536, (20, 30, 3)).astype(np.uint16),
                rng.standard_normal((20, 30)).astype(np.float32),
                rng.integers(-32768, 32768, (20, 30, 4)).astype(np.int16)):
        assert_preview(_imc._render_terminal(img, 80).decode(), rgb_of(img), 30, 20)


def test_render_terminal_title_cannot_inject_escapes():
    img = np.zeros((2, 2, 3), np.uint8)
    text = _imc._render_terminal(img, 10, title="evil\x1b]0;pwned\x07\n.png").decode()
    assert text.split("\n")[0] == "evil?]0;pwned??.png (2x2)"


@pytest.mark.parametrize("args,needle", [
    ((np.zeros((4, 4, 3), np.uint8), 0), "columns"),
    ((np.zeros((4, 4, 3), np.uint8), 5000), "columns"),
    ((np.zeros((4, 4, 3), np.uint8), 10, -1), "columns"),
    ((np.zeros((4, 4, 3), np.int32), 10), "32-bit integer"),
])
def test_render_terminal_errors(args, needle):
    with pytest.raises(imc.error, match=needle):
        _imc._render_terminal(*args)
    with pytest.raises(imc.error, match="no line left"):
        _imc._render_terminal(np.zeros((4, 4, 3), np.uint8), 10, 1, title="t")


# ---- cv2's display conversion --------------------------------------------
@pytest.mark.parametrize("dtype", [np.int8, np.uint16, np.int16])
def test_display_conversion_every_integer_value(dtype):
    info = np.iinfo(dtype)
    values = np.arange(info.min, info.max + 1, dtype=np.int64).astype(dtype)
    img = np.stack([values, values[::-1], np.roll(values, 7)], axis=1).reshape(-1, 64, 3)
    assert np.array_equal(_imc._display_rgb(img)[:, :, ::-1], shown_bgr(img))


def test_display_conversion_floats_gray_alpha():
    rng = np.random.default_rng(3)
    special = np.array([0, 0.5 / 255, 1.5 / 255, 2.5 / 255, 1, 1.01, -0.2, -1, np.nan, np.inf,
                        -np.inf, 1e7, 8.5e6, 1e30], np.float64)
    for dtype in (np.float32, np.float64):
        img = np.concatenate([special, rng.uniform(-0.5, 1.5, 2034)]).astype(dtype)
        img = img.reshape(-1, 16)
        assert np.array_equal(_imc._display_rgb(img), rgb_of(img)), dtype
    gray = rng.integers(0, 256, (9, 11), np.uint8)
    assert np.array_equal(_imc._display_rgb(gray), np.dstack([gray] * 3))
    bgra = rng.integers(0, 256, (9, 11, 4), np.uint8)
    assert np.array_equal(_imc._display_rgb(bgra), bgra[:, :, 2::-1])
    with pytest.raises(imc.error, match="32-bit integer"):
        _imc._display_rgb(np.zeros((2, 2), np.int32))


# ---- imshow without a display ---------------------------------------------
def run_example(args, env, **kw):
    return subprocess.run([sys.executable, *map(str, args)], env=env, capture_output=True,
                          stdin=subprocess.DEVNULL, text=True, timeout=60, **kw)


def no_display_env(**extra):
    env = example_env()
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"):
        env.pop(var, None)
    env.update(extra)
    return env


def test_imshow_without_display_or_terminal_says_why():
    code = "import numpy as np, imc\ntry:\n    imc.imshow('w', np.zeros((4, 4, 3), np.uint8))\n" \
           "except imc.error as e:\n    print(e.code, e)\n" \
           "print(imc.waitKey(0), imc.waitKey(50), imc.pollKey())\nimc.destroyWindow('w')\n" \
           "imc.destroyAllWindows()\n"
    r = run_example(["-c", code], no_display_env())
    assert r.returncode == 0, r.stderr
    first, second = r.stdout.splitlines()
    assert first.startswith(str(imc.ERR_UNSUPPORTED)) and "no display" in first \
        and "IMC_IMSHOW=terminal" in first
    assert second == "-1 -1 -1"
    r = run_example(["-c", code], no_display_env(IMC_IMSHOW="sideways"))
    assert "IMC_IMSHOW must be" in r.stdout


def test_imshow_built_without_sdl_says_so():
    if _imc._display_state()["sdl"]:
        pytest.skip("built with SDL2 (meson -Dsdl=disabled builds without)")
    code = "import numpy as np, imc\ntry:\n    imc.imshow('w', np.zeros((4, 4, 3), np.uint8))\n" \
           "except imc.error as e:\n    print(e)\n"
    r = run_example(["-c", code], no_display_env(DISPLAY=":1234"))
    assert "built without SDL2" in r.stdout, r.stdout + r.stderr
    r = run_example(["-c", code], no_display_env(IMC_IMSHOW="window"))
    assert "built without SDL2" in r.stdout, r.stdout + r.stderr


def test_imshow_terminal_forced_into_a_pipe():
    img = cv2.imread(str(FRUITS))
    r = run_example([EXAMPLES / "seed_bytearray.py", FRUITS], no_display_env(
        IMC_IMSHOW="terminal", COLUMNS="90", LINES="30"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("decoded ")
    assert "Bytearray (512x480)" in r.stdout and r.stdout.rstrip().endswith("key -1")
    ow, oh = fitted_size(512, 480, 90, 2 * (30 - 2))
    assert_preview(r.stdout, rgb_of(img), ow, oh)


def test_imshow_bad_arguments():
    for bad in (np.zeros((0, 3, 3), np.uint8), np.zeros((3, 3, 2), np.uint8)):
        with pytest.raises(ValueError):
            imc.imshow("w", bad)
    with pytest.raises(TypeError):
        imc.imshow("w", "not an image")
    with pytest.raises(TypeError):
        imc.imshow(None, np.zeros((3, 3), np.uint8))
    with pytest.raises(imc.error, match="32-bit integer"):
        imc.imshow("w", np.zeros((3, 3), np.int64))


# ---- imc view ---------------------------------------------------------------
def cli(*args, env=None):
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, env=env or no_display_env())


def test_view_cli_into_a_pipe(tmp_path):
    img16 = np.random.default_rng(9).integers(0, 65536, (31, 47, 3)).astype(np.uint16)
    p16 = tmp_path / "deep.png"
    cv2.imwrite(str(p16), img16)
    r = cli("view", "--flags", "UNCHANGED", p16, env=no_display_env(COLUMNS="40", LINES="12"))
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.startswith(f"{p16} (47x31)\n")
    ow, oh = fitted_size(47, 31, 40, 2 * 10)
    assert_preview(r.stdout, rgb_of(img16), ow, oh)
    r = cli("view", p16, "-w", "100", FRUITS)   # options anywhere, several files
    assert r.returncode == 0 and r.stdout.count(" (") == 2
    text = r.stdout.split(f"{FRUITS} (512x480)\n")[1]
    assert_preview(text, rgb_of(cv2.imread(str(FRUITS))), 100, 94)


@pytest.mark.parametrize("args,needle", [
    (["view"], "at least one FILE"),
    (["view", "-w", "0", "x.png"], "number of columns"),
    (["view", "--width"], "number of columns"),
    (["view", "--flags", "SIDEWAYS", "x.png"], "bad flags"),
    (["view", "--bogus", "x.png"], "unknown option"),
    (["view", "/nonexistent.png"], "/nonexistent.png"),
])
def test_view_cli_errors(args, needle):
    r = cli(*args)
    assert r.returncode == 1 and needle in r.stderr and r.stderr.count("\n") == 1, r.stderr


def test_view_cli_help():
    r = cli("view", "--help")
    assert r.returncode == 0 and "usage: imc view" in r.stdout
    assert "view" in cli("--help").stdout


# ---- tmux ---------------------------------------------------------------------
class Tmux:
    def __init__(self, socket):
        self.socket = socket

    def __call__(self, *args, check=True):
        return subprocess.run([tool("tmux"), "-S", str(self.socket), *map(str, args)],
                              capture_output=True, text=True, check=check, env=tool_env())

    def start(self, name, command, env):
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        self("new-session", "-d", "-s", name, "-x", 120, "-y", 40,
             f"unset DISPLAY WAYLAND_DISPLAY SDL_VIDEODRIVER; export {exports}; {command}; "
             "echo '<done>'; sleep 60")

    def capture(self, name):
        return self("capture-pane", "-p", "-e", "-J", "-S", "-", "-t", name).stdout


@pytest.fixture()
def tmux(tmp_path):
    tool("tmux")  # a missing tmux fails, naming its package
    t = Tmux(tmp_path / "tmux.sock")
    yield t
    t("kill-server", check=False)


def test_view_in_tmux(tmux, tmp_path):
    img = cv2.imread(str(FRUITS))
    tmux.start("view", f"{CLI} view {FRUITS}", {"TERM": "xterm-256color"})
    text = wait_for(lambda: (lambda t: t if "<done>" in t else None)(tmux.capture("view")),
                    what="imc view in tmux")
    assert f"{FRUITS} (512x480)" in text
    # 120 x 40 pane: 39 lines for the title and the image, one for the prompt
    ow, oh = fitted_size(512, 480, 120, 2 * 38)
    assert (ow, oh) == (81, 76)
    assert_preview(text.split("<done>")[0], rgb_of(img), ow, oh)


def test_seed_terminal_fallback_and_keys_in_tmux(tmux, tmp_path):
    """No display: the seed example prints the preview fitted to the pane and
    waitKey(0) reads the key from the terminal."""
    small = np.random.default_rng(11).integers(0, 256, (60, 90, 3), np.uint8)
    path = tmp_path / "small.png"
    cv2.imwrite(str(path), small)
    env = {"PYTHONPATH": str(BUILD / "python"), "TERM": "xterm-256color"}
    for var in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS"):
        if var in os.environ:
            env[var] = os.environ[var]
    tmux.start("seed", f"{sys.executable} {EXAMPLES / 'seed_url.py'} {path} {path}", env)
    keys = [("a", 97), ("Left", 81), ("Escape", 27)]
    shown = 0
    for key, code in keys[:2]:
        shown += 1
        def drawn():
            t = tmux.capture("seed")
            ok = t.count("Image (90x60)") == shown and \
                len(parse_preview(t.split("Image (90x60)")[-1])) == 60
            return t if ok else None
        text = wait_for(drawn, what="preview in tmux")
        if shown == 1:
            assert_preview(text.split("Image (90x60)")[1], rgb_of(small), 90, 60)
        time.sleep(0.3)  # waitKey is polling the terminal by now
        tmux("send-keys", "-t", "seed", key)
        wait_for(lambda: f"key {code}" in tmux.capture("seed"), what=f"key {code}")
    wait_for(lambda: "<done>" in tmux.capture("seed"), what="the example to end")


def test_ctrl_c_in_terminal_wait_key_restores_the_terminal(tmux, tmp_path):
    script = tmp_path / "wait.py"
    script.write_text("import numpy as np, imc\nimc.imshow('w', np.zeros((4, 4, 3), np.uint8))\n"
                      "print('waiting', flush=True)\nimc.waitKey(0)\n")
    env = {"PYTHONPATH": str(BUILD / "python")}
    for var in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS"):
        if var in os.environ:
            env[var] = os.environ[var]
    # the shell survives the Ctrl+C (a handler, not an ignore, which Python would inherit)
    tmux.start("intr", f"trap true INT; {sys.executable} {script}; stty -a | "
               "tr ' ;' '\\n\\n' | grep -x -e echo -e icanon", env)
    wait_for(lambda: "waiting" in tmux.capture("intr"), what="waitKey")
    time.sleep(0.3)
    tmux("send-keys", "-t", "intr", "C-c")
    text = wait_for(lambda: (lambda t: t if "<done>" in t else None)(tmux.capture("intr")),
                    what="the interrupted script")
    assert "KeyboardInterrupt" in text
    assert "\necho\n" in text and "\nicanon\n" in text, text  # raw mode undone


# ---- Windows under Xvfb ----------------------------------------------------------
@pytest.fixture(scope="module")
def xvfb():
    for name in ("Xvfb", "xdotool", "import"):  # a missing one fails, naming its package
        tool(name)
    if not _imc._display_state()["sdl"]:
        pytest.skip("imc was built without SDL2: no windows")
    r, w = os.pipe()
    # -noreset: no reset when the last client leaves, which would refuse the next
    proc = subprocess.Popen([tool("Xvfb"), "-displayfd", str(w), "-screen", "0", "1280x1024x24",
                             "-nolisten", "tcp", "-noreset"], pass_fds=(w,), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=tool_env())
    os.close(w)
    number = b""
    while not number.endswith(b"\n"):
        chunk = os.read(r, 16)
        if not chunk:
            break
        number += chunk
    os.close(r)
    if not number.strip():
        proc.kill()
        pytest.fail("Xvfb did not start")
    yield f":{number.decode().strip()}"
    proc.terminate()
    proc.wait(timeout=10)


class Screen:
    def __init__(self, display, tmp):
        self.display, self.tmp = display, tmp
        self.env = example_env(DISPLAY=display, SDL_VIDEODRIVER="x11")

    def x(self, *args):
        return subprocess.run([tool("xdotool"), *map(str, args)], env=tool_env(self.env),
                              capture_output=True, text=True)

    def windows_of(self, proc):
        return self.x("search", "--onlyvisible", "--pid", proc.pid).stdout.split()

    def window_of(self, proc):
        def found():
            assert proc.poll() is None, f"example ended: {proc.communicate()}"
            ids = self.windows_of(proc)
            return ids[0] if ids else None
        return wait_for(found, what="a window")

    def geometry(self, wid):
        out = self.x("getwindowgeometry", "--shell", wid).stdout
        g = dict(line.split("=") for line in out.split())
        return tuple(int(g.get(k, -1)) for k in ("X", "Y", "WIDTH", "HEIGHT"))

    def title(self, wid):
        return self.x("getwindowname", wid).stdout.strip()

    def window_named(self, proc, name):
        def found():
            assert proc.poll() is None, f"example ended: {proc.communicate()}"
            ids = [w for w in self.windows_of(proc) if self.title(w) == name]
            return ids[0] if ids else None
        return wait_for(found, what=f"window {name!r}")

    def screenshot(self):
        shot = self.tmp / "root.png"
        subprocess.run([tool("import"), "-display", self.display, "-window", "root", str(shot)],
                       check=True, capture_output=True, timeout=30, env=tool_env())
        return cv2.imread(str(shot))

    def assert_shows(self, wid, want_bgr):
        """The window holds exactly want_bgr (retrying while it is drawn)."""
        h, w = want_bgr.shape[:2]
        got = None
        for _ in range(40):
            x, y, gw, gh = self.geometry(wid)
            if (gw, gh) == (w, h):
                got = self.screenshot()[y:y + h, x:x + w]
                if np.array_equal(got, want_bgr):
                    return
            time.sleep(0.1)
        assert (gw, gh) == (w, h), f"window is {gw}x{gh}, image {w}x{h}"
        bad = np.argwhere(np.any(got != want_bgr, axis=2))
        raise AssertionError(f"{len(bad)} pixels differ, first {bad[0]}: "
                             f"{got[tuple(bad[0])]} vs {want_bgr[tuple(bad[0])]}")

    def key(self, wid, *keys):
        """Types keys into the window as a keyboard would (XTEST, after giving
        it the focus), so that every press has its release."""
        for k in keys:
            self.x("windowfocus", "--sync", wid)
            r = self.x("key", "--clearmodifiers", k)
            assert r.returncode == 0, r.stderr
            time.sleep(0.1)

    def start(self, *args):
        return subprocess.Popen([sys.executable, *map(str, args)], env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture()
def screen(xvfb, tmp_path):
    return Screen(xvfb, tmp_path)


def read_line(proc, prefix):
    for line in proc.stdout:
        if line.startswith(prefix):
            return line.strip()
    err = proc.stderr.read() if proc.stderr else ""
    raise AssertionError(f"no '{prefix}' line (exit {proc.poll()}); stderr: {err}")


def finish(proc):
    if proc.stdin:
        proc.stdin.close()
        proc.stdin = None
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    return out


@pytest.fixture()
def http_root(tmp_path):
    """A local HTTP server, standing in for the internet of the seed examples."""
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(root), **kw)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_seed_url_example_over_http(screen, http_root):
    """examples/seed_url.py as written for cv2: two URLs, one "Image" window
    resized to each, the key pressed printed."""
    root, base = http_root
    second = np.random.default_rng(2).integers(0, 256, (150, 260, 3), np.uint8)
    shutil.copy(FRUITS, root / "fruits.jpg")
    cv2.imwrite(str(root / "noise.png"), second)
    proc = screen.start(EXAMPLES / "seed_url.py", f"{base}/fruits.jpg", f"{base}/noise.png")
    wid = screen.window_of(proc)
    assert screen.title(wid) == "Image"
    want = cv2.imdecode(np.fromfile(str(FRUITS), np.uint8), cv2.IMREAD_COLOR)  # the oracle
    screen.assert_shows(wid, want)
    screen.key(wid, "a")
    assert read_line(proc, "key") == "key 97"
    screen.assert_shows(wid, second)   # same window, resized
    assert screen.windows_of(proc) == [wid]
    screen.key(wid, "Escape")
    assert read_line(proc, "key") == "key 27"
    finish(proc)


def test_seed_roundtrip_example(screen, tmp_path):
    img = np.random.default_rng(4).integers(0, 256, (120, 170, 3), np.uint8)
    src = tmp_path / "src.png"
    cv2.imwrite(str(src), img)
    proc = screen.start(EXAMPLES / "seed_roundtrip.py", src, tmp_path / "out")
    assert read_line(proc, "read back") == "read back equal: True, decoded equal: True"
    for name, key, code in (("Read back", "space", 32), ("Decoded", "Return", 13)):
        wid = screen.window_named(proc, name)
        screen.assert_shows(wid, img)
        screen.key(wid, key)
        assert read_line(proc, "key") == f"key {code}"
    finish(proc)
    assert np.array_equal(cv2.imread(str(tmp_path / "out" / "roundtrip.png")), img)


@pytest.mark.parametrize("kind", ["gray16", "bgra"])
def test_seed_bytearray_example_depths_and_timeout(screen, http_root, kind):
    """IMREAD_UNCHANGED keeps 16 bits and alpha: imshow shows them as cv2
    does. waitKey(3000) with no key returns -1 after its delay (long enough
    for the window to be read under ASan on a loaded machine: at 1500 ms it
    was once gone before its first screenshot)."""
    root, base = http_root
    rng = np.random.default_rng(6)
    img = (rng.integers(0, 65536, (90, 110)).astype(np.uint16) if kind == "gray16"
           else rng.integers(0, 256, (90, 110, 4), np.uint8))
    cv2.imwrite(str(root / "x.png"), img)
    started = time.monotonic()
    proc = screen.start(EXAMPLES / "seed_bytearray.py", f"{base}/x.png", 3000)
    wid = screen.window_of(proc)
    screen.assert_shows(wid, shown_bgr(img))
    assert read_line(proc, "key") == "key -1"
    assert time.monotonic() - started >= 3.0
    finish(proc)
    assert screen.windows_of(proc) == []


WAIT_SCRIPT = """
import sys, time, numpy as np, imc
imc.imshow("Keys", np.full((80, 120, 3), 200, np.uint8))
print("ready", flush=True)
while True:
    line = sys.stdin.readline().split()
    if not line:
        break
    fn, delay = getattr(imc, line[0]), int(line[1])
    t = time.monotonic()
    key = fn(delay) if fn is not imc.pollKey else fn()
    print(key, int((time.monotonic() - t) * 1000), flush=True)
imc.destroyAllWindows()
print("windows", imc._imc._display_state()["windows"], imc.waitKey(0), flush=True)
"""

# key sent with xdotool -> waitKeyEx codes (cv2 4.6 with Qt on X11 gives the
# same, except that its window swallows Tab and the arrow keys)
KEYS = [
    ("a", [97]), ("shift+a", [0xffe1, 97]), ("shift+1", [0xffe1, 33]), ("Escape", [27]),
    ("Return", [13]), ("BackSpace", [8]), ("Tab", [9]), ("F1", [0xffbe]), ("Delete", [0xffff]),
    ("Home", [0xff50]), ("Left", [0xff51]), ("space", [32]), ("ctrl+b", [0xffe3]),
    ("eacute", [-55]), ("5", [53]),
]


def test_wait_key_codes_and_delays(screen):
    proc = subprocess.Popen([sys.executable, "-c", WAIT_SCRIPT], env=screen.env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert read_line(proc, "ready")
    wid = screen.window_of(proc)

    def ask(fn, delay):
        proc.stdin.write(f"{fn} {delay}\n")
        proc.stdin.flush()
        key, ms = map(int, proc.stdout.readline().split())
        return key, ms

    key, ms = ask("waitKey", 300)
    assert key == -1 and 300 <= ms < 2000
    assert ask("pollKey", 0)[0] == -1
    for name, codes in KEYS:
        proc.stdin.write("".join("waitKeyEx 5000\n" for _ in codes))
        proc.stdin.flush()
        time.sleep(0.1)
        screen.key(wid, name)
        got = [int(proc.stdout.readline().split()[0]) for _ in codes]
        assert got == codes, name
    proc.stdin.write("waitKey 5000\n")
    proc.stdin.flush()
    time.sleep(0.1)
    screen.key(wid, "Left")
    assert int(proc.stdout.readline().split()[0]) == 0x51  # waitKey: code & 0xff
    proc.stdin.close()
    assert read_line(proc, "windows") == "windows 0 -1"
    finish(proc)


def test_windows_by_name_and_destroy(screen):
    code = """
import numpy as np, imc, sys
a = np.zeros((40, 60, 3), np.uint8); a[:, :, 2] = 255
imc.imshow("A", a)
imc.imshow("B", np.full((30, 50), 128, np.uint8))
imc.imshow("A", a[:20])                          # the same window, resized
print("two", imc._imc._display_state()["windows"], flush=True); sys.stdin.readline()
imc.destroyWindow("B"); imc.destroyWindow("no such window"); imc.waitKey(50)
print("one", imc._imc._display_state()["windows"], flush=True); sys.stdin.readline()
imc.destroyAllWindows(); imc.waitKey(50)
print("none", imc._imc._display_state()["windows"], flush=True); sys.stdin.readline()
imc.imshow("C", a)                               # SDL starts again
print("again", imc._imc._display_state()["windows"], flush=True); sys.stdin.readline()
"""
    proc = subprocess.Popen([sys.executable, "-c", code], env=screen.env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert read_line(proc, "two") == "two 2"
    ids = wait_for(lambda: (lambda w: w if len(w) == 2 else None)(screen.windows_of(proc)),
                   what="two windows")
    titles = sorted(screen.title(w) for w in ids)
    assert titles == ["A", "B"]
    a = [w for w in ids if screen.title(w) == "A"][0]
    want = np.zeros((20, 60, 3), np.uint8)
    want[:, :, 2] = 255
    screen.assert_shows(a, want)
    proc.stdin.write("\n")
    proc.stdin.flush()
    assert read_line(proc, "one") == "one 1"
    assert screen.windows_of(proc) == [a]
    proc.stdin.write("\n")
    proc.stdin.flush()
    assert read_line(proc, "none") == "none 0"
    assert screen.windows_of(proc) == []
    proc.stdin.write("\n")
    proc.stdin.flush()
    assert read_line(proc, "again") == "again 1"
    screen.assert_shows(screen.window_named(proc, "C"), np.dstack([want[:1, :1]] * 1).repeat(
        40, 0).repeat(60, 1))
    finish(proc)


def test_ctrl_c_interrupts_wait_key_in_a_window(screen):
    code = "import numpy as np, imc\nimc.imshow('w', np.zeros((9, 9), np.uint8))\n" \
           "print('waiting', flush=True)\nimc.waitKey(0)\n"
    # A child inherits an ignored or blocked SIGINT (and Python then leaves
    # it so): whatever earlier tests did to this process, the child starts
    # with Ctrl+C as a terminal delivers it.
    def default_sigint():
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})

    mine = {k: v.strip() for k, v in (line.split(":", 1) for line in open("/proc/self/status")
                                      if line.startswith(("SigBlk", "SigIgn")))}
    proc = subprocess.Popen([sys.executable, "-c", code], env=screen.env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=default_sigint)
    assert read_line(proc, "waiting")
    # well inside waitKey by then, and room to exit; if it hangs, say where
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"no exit 30 s after SIGINT (this process's signals: {mine}); its "
                    f"stderr: {err[-2000:]}")
    assert proc.returncode != 0 and "KeyboardInterrupt" in err


ORACLE_SCRIPT = """
import sys, numpy as np
lib = sys.argv[1]
if lib == "imc":
    import imc as cv2
else:
    import cv2
imgs = np.load(sys.argv[2], allow_pickle=True)
for i, img in enumerate(imgs):
    cv2.imshow("Oracle", img)
    for _ in range(5):
        cv2.waitKey(20)
    print("shown", i, flush=True)
    sys.stdin.readline()
"""


def oracle_images():
    # 320x240: a size that cv2's Qt window draws 1:1 (for some sizes its
    # layout rescales the image by a pixel, and small ones are enlarged)
    rng = np.random.default_rng(8)
    shape = (240, 320)
    f = rng.uniform(-0.3, 1.3, shape + (3,))
    f[0, :8, 0] = [np.nan, np.inf, -np.inf, 0.5 / 255, 1.5 / 255, 2.5 / 255, 1e10, -1e10]
    return [
        rng.integers(0, 256, shape + (3,), np.uint8),            # the reference: as is
        rng.integers(0, 65536, shape + (3,)).astype(np.uint16),
        rng.integers(-32768, 32768, shape + (3,)).astype(np.int16),
        rng.integers(-128, 128, shape + (3,)).astype(np.int8),
        f.astype(np.float32),
        f,
        rng.integers(0, 256, shape, np.uint8),
        rng.integers(0, 65536, shape + (4,)).astype(np.uint16),
    ]


def shown_by(screen, lib, npy):
    """Screenshot crops of each image as `lib` shows it in a window (None if
    the 8-bit reference never appears unchanged)."""
    # cv2 loads no imc: it runs without the ASan runtime (Qt trips it)
    env = screen.env if lib == "imc" else tool_env(screen.env)
    proc = subprocess.Popen([sys.executable, "-c", ORACLE_SCRIPT, lib, str(npy)], env=env,
                            text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    crops, where = [], None
    try:
        for i, img in enumerate(np.load(npy, allow_pickle=True)):
            read_line(proc, f"shown {i}")
            want, h, w = shown_bgr(img), img.shape[0], img.shape[1]
            for _ in range(30):  # until drawn, or give up and report what is there
                shot = screen.screenshot()
                if where is None:  # the 8-bit reference, shown unchanged by both
                    res = cv2.matchTemplate(shot, img, cv2.TM_SQDIFF)
                    loc = cv2.minMaxLoc(res)[2]  # float sums: check exactly below
                    if not np.array_equal(shot[loc[1]:loc[1] + h, loc[0]:loc[0] + w], img):
                        time.sleep(0.2)
                        continue
                    where = loc
                crop = shot[where[1]:where[1] + h, where[0]:where[0] + w]
                if np.array_equal(crop, want):
                    break
                time.sleep(0.2)
            if where is None:
                return None
            crops.append(crop)
            proc.stdin.write("\n")
            proc.stdin.flush()
        proc.communicate(timeout=30)
    finally:
        proc.kill()
    return crops


def test_every_depth_shows_as_cv2_imshow_shows_it(screen, tmp_path):
    """Debian's cv2.imshow (Qt) on the same X server is the oracle."""
    npy = tmp_path / "imgs.npy"
    imgs = np.empty(len(oracle_images()), object)
    imgs[:] = oracle_images()
    np.save(npy, imgs, allow_pickle=True)
    ours = shown_by(screen, "imc", npy)
    assert ours is not None, "imc's window does not show the 8-bit image as is"
    for img, crop in zip(imgs, ours):
        assert np.array_equal(crop, shown_bgr(img)), img.dtype
    theirs = shown_by(screen, "cv2", npy)
    if theirs is None:
        pytest.skip("cv2.imshow did not show a window here")
    for img, a, b in zip(imgs, ours, theirs):
        assert np.array_equal(a, b), f"{img.dtype}{img.shape}: imc and cv2.imshow differ"
