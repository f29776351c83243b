/* The codec table. Dispatch finds codecs here by signature (decoding) or by
 * extension (encoding) and never names a format itself. */
#include "internal.h"

#include <ctype.h>
#include <string.h>

#include "codecs/codecs.h"

/* The manifest's order: cv2's probing order. */
#define IMC_TABLE_ENTRY(name) &imc_codec_##name,
static const imc_codec *const codec_table[] = {IMC_CODEC_LIST(IMC_TABLE_ENTRY)};
#undef IMC_TABLE_ENTRY

const imc_codec *const *imc_codec_table(int *count)
{
    *count = (int)(sizeof codec_table / sizeof codec_table[0]);
    return codec_table;
}

const imc_codec *imc_find_decoder(const uint8_t *buf, size_t len)
{
    int n;
    const imc_codec *const *table = imc_codec_table(&n);
    for (int i = 0; i < n; i++)
        if (table[i]->open && table[i]->sniff && table[i]->sniff(buf, len))
            return table[i];
    return NULL;
}

/* True when the space-separated `list` holds `word` (len bytes), ignoring case. */
static bool list_has(const char *list, const char *word, size_t len)
{
    while (*list) {
        size_t n = strcspn(list, " ");
        if (n == len) {
            size_t i = 0;
            while (i < n && tolower((unsigned char)list[i]) == tolower((unsigned char)word[i]))
                i++;
            if (i == n)
                return true;
        }
        list += n;
        while (*list == ' ')
            list++;
    }
    return false;
}

/* Like cv2: the extension is the run of letters and digits after the last
 * '.'; unlike cv2, a bare "jpg" (no dot) is accepted too. */
static size_t extension_word(const char *ext, char *word)
{
    if (!ext)
        return 0;
    const char *dot = strrchr(ext, '.');
    const char *start = dot ? dot + 1 : ext;
    size_t len = 0;
    while (len < IMC_EXT_MAX - 1 && isalnum((unsigned char)start[len])) {
        word[len] = (char)tolower((unsigned char)start[len]);
        len++;
    }
    word[len] = '\0';
    return isalnum((unsigned char)start[len]) ? 0 : len; /* too long: no format */
}

static const imc_codec *find_by_extension(const char *ext, bool encoder, char *word_out)
{
    char word[IMC_EXT_MAX];
    size_t len = extension_word(ext, word);
    if (len == 0)
        return NULL;
    int n;
    const imc_codec *const *table = imc_codec_table(&n);
    for (int i = 0; i < n; i++) {
        bool can = encoder ? imc_codec_encodes(table[i]) : table[i]->open != NULL;
        if (can && list_has(table[i]->extensions, word, len)) {
            if (word_out)
                memcpy(word_out, word, len + 1);
            return table[i];
        }
    }
    return NULL;
}

const imc_codec *imc_find_encoder(const char *ext, char *word)
{
    return find_by_extension(ext, true, word);
}

const char *imc_sniff(const void *buf, size_t len)
{
    if (!buf || len == 0)
        return NULL;
    const imc_codec *c = imc_find_decoder(buf, len);
    return c ? c->name : NULL;
}

int imc_have_writer(const char *ext)
{
    return imc_find_encoder(ext, NULL) != NULL;
}

int imc_have_reader(const char *ext)
{
    return find_by_extension(ext, false, NULL) != NULL;
}

int imc_format_count(void)
{
    int n;
    imc_codec_table(&n);
    return n;
}

static void describe(const imc_codec *c, imc_format *out)
{
    out->name = c->name;
    out->extensions = c->extensions;
    out->can_decode = c->open != NULL;
    out->can_encode = imc_codec_encodes(c);
    out->multi_page = c->next_page != NULL || c->encode_multi != NULL;
    out->quality_param = c->quality_param;
    out->animation = c->animation;
}

int imc_format_get(int index, imc_format *out)
{
    int n;
    const imc_codec *const *table = imc_codec_table(&n);
    if (!out || index < 0 || index >= n)
        return IMC_ERR_ARG;
    describe(table[index], out);
    return IMC_OK;
}

int imc_format_param(int format_index, int param_index, imc_param_info *out)
{
    int n;
    const imc_codec *const *table = imc_codec_table(&n);
    if (!out || format_index < 0 || format_index >= n || param_index < 0 ||
        param_index >= table[format_index]->param_count)
        return IMC_ERR_ARG;
    *out = table[format_index]->params[param_index].info;
    return IMC_OK;
}

int imc_format_find(const char *ext, imc_format *out)
{
    const imc_codec *c = imc_find_encoder(ext, NULL);
    if (!c || !out)
        return c ? IMC_ERR_ARG : IMC_ERR_NO_ENCODER;
    describe(c, out);
    return IMC_OK;
}
