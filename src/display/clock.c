/* Time for the waits: a monotonic clock, and waits cut into slices between
 * which a caller's stop function is asked (display.h). */
#include "display.h"

#include <time.h>

long long imc_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int imc_wait_slice(long long deadline_us)
{
    if (deadline_us < 0)
        return IMC_WAIT_SLICE_MS;
    long long left = deadline_us - imc_now_us();
    if (left <= 0)
        return 0;
    long long ms = (left + 999) / 1000;
    return ms < IMC_WAIT_SLICE_MS ? (int)ms : IMC_WAIT_SLICE_MS;
}
