/* libFuzzer target: the header-only probe. */
#include "imc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    imc_info info;
    imc_error err;
    if (imc_probe_ex(data, size, &info, &err) == IMC_OK && (info.width <= 0 || info.height <= 0))
        __builtin_trap(); /* a successful probe must report a real size */
    return 0;
}
