/* The machine's CPUs, for batches and for codecs that split one image:
 * apart from batch.c so that codecs do not reach the batch code. */
#include "internal.h"

#include <unistd.h>

int imc_online_cpus(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus > 0 ? (int)(cpus < 256 ? cpus : 256) : 1;
}
