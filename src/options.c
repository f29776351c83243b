/* Option structs across library versions: the caller's struct, of the size
 * its imc.h gave it, becomes one of this library's size (see imc.h). */
#include "internal.h"

#include <string.h>

int imc_options_in(void *local, size_t local_size, const void *caller, const char *name,
                   imc_error *err)
{
    size_t size;
    memcpy(&size, caller, sizeof size);
    if (size < sizeof size)
        return imc_fail(err, IMC_ERR_ARG,
                        "%s.size is %zu, not sizeof(%s) (%zu): start from its _INIT macro", name,
                        size, name, local_size);
    /* A newer imc.h's struct may ask for what this library cannot do; its
     * padding is unspecified, so even zero "unknown fields" prove nothing. */
    if (size > local_size)
        return imc_fail(err, IMC_ERR_ARG,
                        "%s is %zu bytes, from a newer imc.h than this libimc %s (%zu): run the "
                        "program with the libimc it was built for, or a later one",
                        name, size, imc_version(), local_size);
    memset(local, 0, local_size);
    memcpy(local, caller, size);
    memcpy(local, &local_size, sizeof local_size);
    return IMC_OK;
}
