/* Parsing flags and encode parameters given by name or number. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("imc: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

bool cli_parse_int(const char *text, int *value)
{
    if (!text || !*text)
        return false;
    errno = 0;
    char *end;
    long v = strtol(text, &end, 0);
    if (errno || *end || v < INT_MIN || v > INT_MAX)
        return false;
    *value = (int)v;
    return true;
}

bool cli_parse_flags(const char *text, int *flags)
{
    char buf[256];
    if (strlen(text) >= sizeof buf)
        return false;
    strcpy(buf, text);
    int result = 0;
    for (char *save = NULL, *tok = strtok_r(buf, "|,+", &save); tok;
         tok = strtok_r(NULL, "|,+", &save)) {
        int v;
        if (!cli_parse_int(tok, &v) && imc_constant_lookup(tok, "IMREAD_", &v) != IMC_OK)
            return false;
        result |= v;
    }
    *flags = result;
    return true;
}

/* The params the formats' encoders take (imc_format_param), each once. */
void cli_print_param_names(FILE *f)
{
    const char *sep = "";
    int seen[128], n_seen = 0;
    for (int i = 0; i < imc_format_count(); i++) {
        imc_param_info p;
        for (int k = 0; imc_format_param(i, k, &p) == IMC_OK; k++) {
            bool again = false;
            for (int j = 0; j < n_seen && !again; j++)
                again = seen[j] == p.id;
            if (again)
                continue;
            if (n_seen < (int)(sizeof seen / sizeof seen[0]))
                seen[n_seen++] = p.id;
            fprintf(f, "%s%s", sep, p.name);
            sep = ", ";
        }
    }
}

int cli_parse_param(const char *text, int *params, size_t *n, size_t cap)
{
    const char *eq = strchr(text, '=');
    if (!eq || eq == text)
        return CLI_PARAM_SYNTAX;
    if (*n + 2 > cap)
        return CLI_PARAM_TOO_MANY;
    char name[128], prefix[160];
    size_t len = (size_t)(eq - text);
    if (len >= sizeof name)
        return CLI_PARAM_NAME;
    memcpy(name, text, len);
    name[len] = '\0';
    int id, value;
    if (!cli_parse_int(name, &id) && imc_constant_lookup(name, "IMWRITE_", &id) != IMC_OK)
        return CLI_PARAM_NAME;
    /* A symbolic value is looked up under the parameter's own name:
     * PNG_STRATEGY=RLE, JPEG_SAMPLING_FACTOR=420. */
    const char *base = strncasecmp(name, "IMWRITE_", 8) ? name : name + 8;
    snprintf(prefix, sizeof prefix, "IMWRITE_%s_", base);
    for (char *p = prefix; *p; p++)
        *p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    bool found = imc_constant_lookup(eq + 1, prefix, &value) == IMC_OK;
    if (!found && !cli_parse_int(eq + 1, &value))
        return CLI_PARAM_VALUE;
    params[(*n)++] = id;
    params[(*n)++] = value;
    return CLI_PARAM_OK;
}

const char *cli_depth_name(int depth)
{
    switch (depth) {
    case IMC_8U: return "uint8";
    case IMC_8S: return "int8";
    case IMC_16U: return "uint16";
    case IMC_16S: return "int16";
    case IMC_32S: return "int32";
    case IMC_32F: return "float32";
    case IMC_64F: return "float64";
    default: return "?";
    }
}
