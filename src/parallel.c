/* The machine's CPUs and running work on them, for batches and for codecs
 * that split one image: apart from batch.c so that codecs do not reach the
 * batch code. */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

int imc_online_cpus(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus > 0 ? (int)(cpus < 256 ? cpus : 256) : 1;
}

int imc_threads_check(int threads, imc_error *err)
{
    if (threads >= IMC_THREADS_AUTO)
        return IMC_OK;
    return imc_fail(err, IMC_ERR_ARG, "invalid thread count %d (0 or 1: one, -1: one per CPU, "
                    "else at most that many)", threads);
}

int imc_threads_of(int threads)
{
    return threads == IMC_THREADS_AUTO ? imc_online_cpus() : threads > 1 ? threads : 1;
}

void imc_run_parallel(void *(*fn)(void *), void *items, size_t size, int n)
{
    uint8_t *item = items;
    pthread_t *ids = n > 1 ? calloc((size_t)n, sizeof *ids) : NULL;
    bool *started = n > 1 ? calloc((size_t)n, sizeof *started) : NULL;
    for (int i = 1; ids && started && i < n; i++)
        started[i] = pthread_create(&ids[i], NULL, fn, item + (size_t)i * size) == 0;
    fn(item);
    for (int i = 1; i < n; i++) {
        if (started && started[i])
            pthread_join(ids[i], NULL);
        else
            fn(item + (size_t)i * size); /* no thread to be had: here, in turn */
    }
    free(ids);
    free(started);
}
