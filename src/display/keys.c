/* Key codes as cv2.waitKeyEx returns them with Debian's build (Qt 5 on X11):
 * keys that type a Latin-1 character give QTest::keyToAscii of Qt's key, a
 * C char: ASCII letters in lower case even with Shift, Latin-1 letters as
 * Qt names them (in upper case, Qt::Key_Eacute = 0xc9) and, the char being
 * signed, negative (-55 for 'é'; waitKey's & 0xff makes that 0xc9; 'ÿ' gives
 * -1 and is lost, as in cv2). Escape, Tab, Backspace and Enter give their
 * ASCII codes; every other key its X11 keysym (Qt's nativeVirtualKey). */
#include "display.h"

int imc_key_from_char(uint32_t c)
{
    switch (c) {
    case '\b': case '\t': case '\r': case 0x1b: return (int)c;
    case '\n': return '\r';
    case 0x7f: return IMC_KEY_DELETE;
    default: break;
    }
    if (c < 0x20 || (c >= 0x80 && c < 0xa0))
        return -1;
    if (c >= 'A' && c <= 'Z')
        return (int)(c + 32);
    if (c < 0x80)
        return (int)c;
    if (c <= 0xff) {
        uint32_t qt_key = c >= 0xe0 && c <= 0xfe && c != 0xf7 ? c - 32 : c;
        return (int)qt_key - 256; /* a signed char */
    }
    return c <= 0x10ffff ? (int)(0x1000000 + c) : -1;
}

/* "ESC [ n ~" keys by n (VT220 / xterm). */
static int tilde_key(int n)
{
    static const struct { int n, key; } keys[] = {
        {1, IMC_KEY_HOME}, {2, IMC_KEY_INSERT}, {3, IMC_KEY_DELETE}, {4, IMC_KEY_END},
        {5, IMC_KEY_PAGE_UP}, {6, IMC_KEY_PAGE_DOWN}, {7, IMC_KEY_HOME}, {8, IMC_KEY_END},
        {11, IMC_KEY_F1}, {12, IMC_KEY_F1 + 1}, {13, IMC_KEY_F1 + 2}, {14, IMC_KEY_F1 + 3},
        {15, IMC_KEY_F1 + 4}, {17, IMC_KEY_F1 + 5}, {18, IMC_KEY_F1 + 6}, {19, IMC_KEY_F1 + 7},
        {20, IMC_KEY_F1 + 8}, {21, IMC_KEY_F1 + 9}, {23, IMC_KEY_F1 + 10}, {24, IMC_KEY_F1 + 11},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (keys[i].n == n)
            return keys[i].key;
    return -1;
}

/* ESC [ ... or ESC O ...: the key of a CSI / SS3 sequence starting at buf[2]. */
static int escape_key(const uint8_t *buf, size_t len)
{
    int n = 0;
    size_t i = 2;
    for (; i < len && buf[i] >= '0' && buf[i] <= '9'; i++)
        n = n < 1000 ? n * 10 + (buf[i] - '0') : n;
    while (i < len && (buf[i] == ';' || (buf[i] >= '0' && buf[i] <= '9')))
        i++; /* modifier parameters: ignored */
    if (i >= len)
        return -1;
    switch (buf[i]) {
    case 'A': return IMC_KEY_UP;
    case 'B': return IMC_KEY_DOWN;
    case 'C': return IMC_KEY_RIGHT;
    case 'D': return IMC_KEY_LEFT;
    case 'H': return IMC_KEY_HOME;
    case 'F': return IMC_KEY_END;
    case 'P': case 'Q': case 'R': case 'S': return IMC_KEY_F1 + (buf[i] - 'P');
    case '~': return tilde_key(n);
    default: return -1;
    }
}

/* Decodes one UTF-8 character; 0xfffd for a malformed one. */
static uint32_t utf8_char(const uint8_t *buf, size_t len)
{
    uint8_t b = buf[0];
    size_t n = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (n == 1)
        return b < 0x80 ? b : 0xfffd;
    if (len < n)
        return 0xfffd;
    uint32_t c = b & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((buf[i] & 0xc0) != 0x80)
            return 0xfffd;
        c = c << 6 | (buf[i] & 0x3f);
    }
    return c;
}

int imc_key_from_terminal(const uint8_t *buf, size_t len)
{
    if (len == 0)
        return -1;
    if (buf[0] == 0x1b) {
        if (len == 1)
            return 0x1b;
        if (buf[1] == '[' || buf[1] == 'O')
            return escape_key(buf, len);
        return imc_key_from_terminal(buf + 1, len - 1); /* Alt+key */
    }
    if (buf[0] == 0x7f)
        return '\b'; /* what terminals send for Backspace */
    return imc_key_from_char(utf8_char(buf, len));
}
