/* CoMutex: exclusion across yields, FIFO fairness, threads, misuse. */
#include "config.h"

#include "aio-test-util.h"

typedef struct {
    CoMutex mutex;
    int inside;         /* coroutines inside the critical section */
    int max_inside;
    GString *order;
    int finished;       /* atomic */
} MutexState;

typedef struct {
    MutexState *s;
    char tag;
    int rounds;
} Worker;

static void coroutine_fn worker_entry(void *opaque)
{
    Worker *w = opaque;
    int i;

    for (i = 0; i < w->rounds; i++) {
        ph_co_mutex_lock(&w->s->mutex);
        w->s->inside++;
        w->s->max_inside = MAX(w->s->max_inside, w->s->inside);
        if (w->s->order) {
            g_string_append_c(w->s->order, w->tag);
        }
        /* Hold the lock across a trip through the loop. */
        ph_co_yield_to_loop();
        w->s->inside--;
        ph_co_mutex_unlock(&w->s->mutex);
        ph_co_yield_to_loop();
    }
    __atomic_fetch_add(&w->s->finished, 1, __ATOMIC_SEQ_CST);
    aio_notify(ph_main_aio_context()); /* the test waits there */
}

static void test_fairness(void)
{
    MutexState s = { .order = g_string_new("") };
    Worker w[3] = { { &s, 'a', 4 }, { &s, 'b', 4 }, { &s, 'c', 4 } };
    int i;

    ph_co_mutex_init(&s.mutex);
    for (i = 0; i < 3; i++) {
        aio_co_enter(ph_main_aio_context(), ph_coroutine_create(worker_entry, &w[i]));
    }
    while (s.finished < 3) {
        aio_poll(ph_main_aio_context(), true);
    }
    g_assert_cmpint(s.max_inside, ==, 1);
    /* Strict hand-off: nobody gets the lock twice while others wait. */
    g_assert_cmpstr(s.order->str, ==, "abcabcabcabc");
    g_assert_false(ph_co_mutex_is_locked(&s.mutex));
    ph_co_mutex_destroy(&s.mutex);
    g_string_free(s.order, TRUE);
}

/* Coroutines of the main thread and of an iothread share one mutex. */
static void test_threads(void)
{
    MutexState s = { 0 };
    PhIOThread *io = ph_iothread_new("mutex-test");
    Worker w[4] = { { &s, 'a', 500 }, { &s, 'b', 500 }, { &s, 'c', 500 }, { &s, 'd', 500 } };
    int i;

    ph_co_mutex_init(&s.mutex);
    for (i = 0; i < 4; i++) {
        AioContext *ctx = (i % 2) ? ph_iothread_get_aio_context(io) : ph_main_aio_context();

        aio_co_schedule(ctx, ph_coroutine_create(worker_entry, &w[i]));
    }
    while (__atomic_load_n(&s.finished, __ATOMIC_SEQ_CST) < 4) {
        aio_poll(ph_main_aio_context(), true);
    }
    ph_iothread_free(io);
    g_assert_cmpint(s.max_inside, ==, 1);
    g_assert_cmpint(s.inside, ==, 0);
    ph_co_mutex_destroy(&s.mutex);
}

static void coroutine_fn bad_unlock_entry(void *opaque)
{
    ph_co_mutex_unlock(opaque);
}

static void coroutine_fn leak_lock_entry(void *opaque)
{
    ph_co_mutex_lock(opaque);
}

static void test_misuse_unlock(void)
{
    if (g_test_subprocess()) {
        CoMutex m;

        ph_co_mutex_init(&m);
        ph_coroutine_enter(ph_coroutine_create(bad_unlock_entry, &m));
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*unlocks a CoMutex it does not hold*");
}

static void test_misuse_end_locked(void)
{
    if (g_test_subprocess()) {
        CoMutex m;

        ph_co_mutex_init(&m);
        ph_coroutine_enter(ph_coroutine_create(leak_lock_entry, &m));
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*ended holding 1 CoMutex*");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ph_aio_init();
    g_test_add_func("/co-mutex/fairness", test_fairness);
    g_test_add_func("/co-mutex/threads", test_threads);
    g_test_add_func("/co-mutex/misuse/unlock-not-held", test_misuse_unlock);
    g_test_add_func("/co-mutex/misuse/end-while-locked", test_misuse_end_locked);
    return g_test_run();
}
