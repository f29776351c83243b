/* Option structs across library versions: the caller's struct, of the size
 * its imc.h gave it, becomes one of this library's size (see imc.h). */
#include "internal.h"

#include <string.h>

/* Larger than any option struct will grow; a size above it is garbage. */
enum { OPTIONS_MAX_SIZE = 4096 };

int imc_options_in(void *local, size_t local_size, const void *caller, const char *name,
                   imc_error *err)
{
    size_t size;
    memcpy(&size, caller, sizeof size);
    if (size < sizeof size || size > OPTIONS_MAX_SIZE)
        return imc_fail(err, IMC_ERR_ARG,
                        "%s.size is %zu, not sizeof(%s) (%zu): start from its _INIT macro", name,
                        size, name, local_size);
    memset(local, 0, local_size);
    memcpy(local, caller, size < local_size ? size : local_size);
    const unsigned char *tail = (const unsigned char *)caller;
    for (size_t i = local_size; i < size; i++)
        if (tail[i])
            return imc_fail(err, IMC_ERR_ARG,
                            "%s has fields this libimc %s does not know (size %zu, known %zu)",
                            name, imc_version(), size, local_size);
    memcpy(local, &local_size, sizeof local_size);
    return IMC_OK;
}
