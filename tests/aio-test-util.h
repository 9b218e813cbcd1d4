/* Small helpers shared by the aio tests. */
#pragma once

#include "aio.h"

/* Runs @ctx until *@flag becomes true, failing after @timeout_s seconds. */
static inline void poll_until(AioContext *ctx, const volatile int *flag, int timeout_s)
{
    int64_t deadline = ph_clock_ns() + (int64_t)timeout_s * 1000000000;

    while (!__atomic_load_n(flag, __ATOMIC_SEQ_CST)) {
        g_assert_cmpint(ph_clock_ns(), <, deadline);
        aio_poll(ctx, true);
    }
}

/* Iterates the default GMainContext until *@flag becomes true. */
static inline void main_loop_until(const volatile int *flag, int timeout_s)
{
    int64_t deadline = ph_clock_ns() + (int64_t)timeout_s * 1000000000;

    while (!__atomic_load_n(flag, __ATOMIC_SEQ_CST)) {
        g_assert_cmpint(ph_clock_ns(), <, deadline);
        g_main_context_iteration(NULL, TRUE);
    }
}
