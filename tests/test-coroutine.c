/* Coroutine lifecycle, nesting, ping-pong, pool reuse and misuse detection. */
#include "config.h"

#include <signal.h>

#include "aio.h"

typedef struct {
    int steps;
    bool saw_in_coroutine;
    bool saw_entered;
    Coroutine *self;
} LifeState;

static void coroutine_fn life_entry(void *opaque)
{
    LifeState *s = opaque;

    s->self = ph_coroutine_self();
    s->saw_in_coroutine = ph_in_coroutine();
    s->saw_entered = ph_coroutine_entered(s->self);
    s->steps = 1;
    ph_coroutine_yield();
    s->steps = 2;
}

static void test_lifecycle(void)
{
    LifeState s = { 0 };
    Coroutine *co = ph_coroutine_create(life_entry, &s);

    g_assert_false(ph_in_coroutine());
    g_assert_nonnull(ph_coroutine_self());
    g_assert_true(ph_coroutine_self() != co);
    g_assert_cmpint(s.steps, ==, 0); /* creating does not run it */

    ph_coroutine_enter(co);
    g_assert_cmpint(s.steps, ==, 1);
    g_assert_true(s.self == co);
    g_assert_true(s.saw_in_coroutine);
    g_assert_true(s.saw_entered);
    g_assert_false(ph_coroutine_entered(co)); /* yielded */

    ph_coroutine_enter(co);
    g_assert_cmpint(s.steps, ==, 2);
    g_assert_false(ph_in_coroutine());
}

/* Nesting: an outer coroutine enters an inner one; the inner one's yield
 * returns to the outer one, not to the top level. */
typedef struct {
    GString *log;
    Coroutine *inner;
} NestState;

static void coroutine_fn nest_inner(void *opaque)
{
    NestState *s = opaque;

    g_string_append(s->log, "i1 ");
    ph_coroutine_yield();
    g_string_append(s->log, "i2 ");
}

static void coroutine_fn nest_outer(void *opaque)
{
    NestState *s = opaque;

    g_string_append(s->log, "o1 ");
    s->inner = ph_coroutine_create(nest_inner, s);
    ph_coroutine_enter(s->inner);
    g_string_append(s->log, "o2 ");
    g_assert_true(ph_in_coroutine());
    ph_coroutine_yield();
    g_string_append(s->log, "o3 ");
    ph_coroutine_enter(s->inner);
    g_string_append(s->log, "o4");
}

static void test_nesting(void)
{
    NestState s = { .log = g_string_new("") };
    Coroutine *outer = ph_coroutine_create(nest_outer, &s);

    ph_coroutine_enter(outer);
    g_assert_cmpstr(s.log->str, ==, "o1 i1 o2 ");
    ph_coroutine_enter(outer);
    g_assert_cmpstr(s.log->str, ==, "o1 i1 o2 o3 i2 o4");
    g_string_free(s.log, TRUE);
}

#define PING_PONG_ROUNDS 100000

static void coroutine_fn count_entry(void *opaque)
{
    unsigned *n = opaque;

    while (*n < PING_PONG_ROUNDS) {
        (*n)++;
        ph_coroutine_yield();
    }
    *n = 0;
}

static void test_ping_pong(void)
{
    unsigned n = 0;
    Coroutine *co = ph_coroutine_create(count_entry, &n);
    unsigned i;

    for (i = 0; i < PING_PONG_ROUNDS; i++) {
        ph_coroutine_enter(co);
        g_assert_cmpuint(n, ==, i + 1);
    }
    ph_coroutine_enter(co); /* lets it finish */
    g_assert_cmpuint(n, ==, 0);
}

static void coroutine_fn noop_entry(void *opaque)
{
    (*(unsigned *)opaque)++;
}

static void test_pool_reuse(void)
{
    unsigned long before;
    unsigned runs = 0;
    unsigned i;

    /* Warm the pool, then check that sequential coroutines need no new
     * stacks and that several alive at once take several. */
    ph_coroutine_enter(ph_coroutine_create(noop_entry, &runs));
    before = ph_coroutine_stacks_allocated();
    for (i = 0; i < 10000; i++) {
        ph_coroutine_enter(ph_coroutine_create(noop_entry, &runs));
    }
    g_assert_cmpuint(runs, ==, 10001);
    g_assert_cmpuint(ph_coroutine_stacks_allocated(), ==, before);
    g_assert_cmpuint(ph_coroutine_pool_size(), >=, 1);

    ph_coroutine_pool_drain();
    g_assert_cmpuint(ph_coroutine_pool_size(), ==, 0);
    ph_coroutine_enter(ph_coroutine_create(noop_entry, &runs));
    g_assert_cmpuint(ph_coroutine_stacks_allocated(), ==, before + 1);
}

/* A deep but legal stack: most of the 1 MiB is usable. */
static unsigned deep_recurse(unsigned depth)
{
    volatile char pad[4000];

    pad[0] = (char)depth;
    if (depth == 0) {
        return pad[0];
    }
    return deep_recurse(depth - 1) + pad[0];
}

static void coroutine_fn deep_entry(void *opaque)
{
    *(unsigned *)opaque = deep_recurse(150) + 1; /* ~600 KiB */
}

static void test_deep_stack(void)
{
    unsigned result = 0;

    ph_coroutine_enter(ph_coroutine_create(deep_entry, &result));
    g_assert_cmpuint(result, >, 0);
}

static void coroutine_fn overflow_entry(void *opaque)
{
    deep_recurse(1000); /* ~4 MiB: runs into the guard page */
}

static void coroutine_fn reenter_entry(void *opaque)
{
    ph_coroutine_enter(ph_coroutine_self());
}

static void test_misuse_reenter(void)
{
    if (g_test_subprocess()) {
        ph_coroutine_enter(ph_coroutine_create(reenter_entry, NULL));
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*re-entered while it is running*");
}

static void test_misuse_yield_outside(void)
{
    if (g_test_subprocess()) {
        ph_coroutine_yield();
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*called outside a coroutine*");
}

/* The guard page turns an overflow into a crash, not silent corruption of
 * whatever lies below the stack. */
static void test_stack_overflow_caught(void)
{
    if (g_test_subprocess()) {
        ph_coroutine_enter(ph_coroutine_create(overflow_entry, NULL));
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
}

/* A coroutine created in one thread runs and finishes in another. */
static gpointer thread_enter(gpointer opaque)
{
    ph_coroutine_enter(opaque);
    ph_coroutine_pool_drain();
    return NULL;
}

static void test_cross_thread(void)
{
    LifeState s = { 0 };
    Coroutine *co = ph_coroutine_create(life_entry, &s);

    ph_coroutine_enter(co);
    g_assert_cmpint(s.steps, ==, 1);
    g_thread_join(g_thread_new("enter", thread_enter, co));
    g_assert_cmpint(s.steps, ==, 2);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/coroutine/lifecycle", test_lifecycle);
    g_test_add_func("/coroutine/nesting", test_nesting);
    g_test_add_func("/coroutine/ping-pong", test_ping_pong);
    g_test_add_func("/coroutine/pool-reuse", test_pool_reuse);
    g_test_add_func("/coroutine/deep-stack", test_deep_stack);
    g_test_add_func("/coroutine/misuse/reenter", test_misuse_reenter);
    g_test_add_func("/coroutine/misuse/yield-outside", test_misuse_yield_outside);
    g_test_add_func("/coroutine/stack-overflow-caught", test_stack_overflow_caught);
    g_test_add_func("/coroutine/cross-thread", test_cross_thread);
    return g_test_run();
}
