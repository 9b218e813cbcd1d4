/* Coroutine costs in ns, beside a plain indirect call measured in the same run. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "aio.h"

static volatile unsigned sink;

static void __attribute__((noinline)) plain_fn(void *opaque)
{
    sink += GPOINTER_TO_UINT(opaque);
}

static void coroutine_fn empty_entry(void *opaque)
{
    sink += GPOINTER_TO_UINT(opaque);
}

static void coroutine_fn yield_loop(void *opaque)
{
    unsigned long n = *(unsigned long *)opaque;

    while (n--) {
        ph_coroutine_yield();
    }
}

typedef void Fn(void *);

/* Best of several runs of @iters iterations each, in ns per iteration. */
static double best_of(int runs, double (*measure)(unsigned long), unsigned long iters)
{
    double best = 1e30;
    int i;

    for (i = 0; i < runs; i++) {
        double v = measure(iters);

        best = v < best ? v : best;
    }
    return best;
}

static double measure_indirect_call(unsigned long iters)
{
    Fn *volatile fn = plain_fn;
    int64_t t0 = ph_clock_ns();
    unsigned long i;

    for (i = 0; i < iters; i++) {
        fn(GUINT_TO_POINTER(1));
    }
    return (double)(ph_clock_ns() - t0) / (double)iters;
}

static double measure_create_enter(unsigned long iters)
{
    int64_t t0 = ph_clock_ns();
    unsigned long i;

    for (i = 0; i < iters; i++) {
        ph_coroutine_enter(ph_coroutine_create(empty_entry, GUINT_TO_POINTER(1)));
    }
    return (double)(ph_clock_ns() - t0) / (double)iters;
}

static double measure_yield_enter(unsigned long iters)
{
    Coroutine *co = ph_coroutine_create(yield_loop, &iters);
    int64_t t0 = ph_clock_ns();
    unsigned long i;

    for (i = 0; i <= iters; i++) {
        ph_coroutine_enter(co);
    }
    return (double)(ph_clock_ns() - t0) / (double)iters;
}

int main(int argc, char **argv)
{
    unsigned long iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 2000000;
    double call, create, pingpong;

    /* Warm up the pool and the caches. */
    measure_create_enter(1000);

    call = best_of(5, measure_indirect_call, iters * 10);
    create = best_of(5, measure_create_enter, iters);
    pingpong = best_of(5, measure_yield_enter, iters);

    printf("%-36s %10s %12s\n", "operation", "ns/op", "x indirect");
    printf("%-36s %10.2f %12.1f\n", "indirect function call", call, 1.0);
    printf("%-36s %10.2f %12.1f\n", "coroutine create+enter+terminate", create, create / call);
    printf("%-36s %10.2f %12.1f\n", "coroutine yield+enter round trip", pingpong, pingpong / call);
    ph_coroutine_pool_drain();
    return 0;
}
