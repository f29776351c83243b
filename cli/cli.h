/* Shared pieces of the imc command-line tool. */
#ifndef IMC_CLI_H
#define IMC_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "imc.h"

/* Prints "imc: <message>" on stderr; returns 1 (the failure exit status). */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* IMREAD flags from "COLOR", "IMREAD_GRAYSCALE", "-1", "ANYDEPTH|ANYCOLOR"... */
bool cli_parse_flags(const char *text, int *flags);
/* Appends one "NAME=VALUE" encode parameter to params (capacity cap). */
bool cli_parse_param(const char *text, int *params, size_t *n, size_t cap);
/* Integer with optional 0x prefix, whole string. */
bool cli_parse_int(const char *text, int *value);

const char *cli_depth_name(int depth);

int cli_convert(int argc, char **argv);
int cli_info(int argc, char **argv);
int cli_view(int argc, char **argv);

#endif
