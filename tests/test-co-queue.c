/* CoQueue: FIFO wake-ups, restart_all, enter_all from outside coroutines. */
#include "config.h"

#include "aio-test-util.h"

typedef struct {
    CoQueue queue;
    GString *log;
    int done;
} QueueState;

typedef struct {
    QueueState *s;
    char tag;
    bool wait_twice;
} Waiter;

static void coroutine_fn waiter_entry(void *opaque)
{
    Waiter *w = opaque;

    ph_co_queue_wait(&w->s->queue, NULL);
    g_string_append_c(w->s->log, w->tag);
    if (w->wait_twice) {
        ph_co_queue_wait(&w->s->queue, NULL);
        g_string_append_c(w->s->log, g_ascii_toupper(w->tag));
    }
    w->s->done++;
}

static void start_waiters(QueueState *s, Waiter *w, const char *tags, bool twice)
{
    size_t i;

    for (i = 0; tags[i]; i++) {
        w[i] = (Waiter){ s, tags[i], twice };
        aio_co_enter(ph_main_aio_context(), ph_coroutine_create(waiter_entry, &w[i]));
    }
}

static void coroutine_fn waker_next_entry(void *opaque)
{
    QueueState *s = opaque;

    while (ph_co_queue_next(&s->queue)) {
        /* The woken coroutine runs only once we yield. */
        g_string_append_c(s->log, '.');
        ph_co_yield_to_loop();
    }
}

static void test_next_fifo(void)
{
    QueueState s = { .log = g_string_new("") };
    Waiter w[4];

    ph_co_queue_init(&s.queue);
    start_waiters(&s, w, "abcd", false);
    g_assert_false(ph_co_queue_empty(&s.queue));
    aio_co_enter(ph_main_aio_context(), ph_coroutine_create(waker_next_entry, &s));
    while (s.done < 4) {
        aio_poll(ph_main_aio_context(), true);
    }
    g_assert_cmpstr(s.log->str, ==, ".a.b.c.d");
    g_assert_true(ph_co_queue_empty(&s.queue));
    g_string_free(s.log, TRUE);
}

static void coroutine_fn waker_all_entry(void *opaque)
{
    QueueState *s = opaque;

    ph_co_queue_restart_all(&s->queue);
    g_string_append_c(s->log, '|');
}

static void test_restart_all(void)
{
    QueueState s = { .log = g_string_new("") };
    Waiter w[3];

    ph_co_queue_init(&s.queue);
    start_waiters(&s, w, "xyz", false);
    aio_co_enter(ph_main_aio_context(), ph_coroutine_create(waker_all_entry, &s));
    g_assert_cmpstr(s.log->str, ==, "|xyz");
    g_assert_cmpint(s.done, ==, 3);
    g_string_free(s.log, TRUE);
}

/* From a plain callback: everybody waiting at the time runs before
 * enter_all returns; a coroutine that waits again is not woken twice. */
static void test_enter_all_outside(void)
{
    QueueState s = { .log = g_string_new("") };
    Waiter w[3];

    ph_co_queue_init(&s.queue);
    g_assert_false(ph_co_enter_next(&s.queue));
    start_waiters(&s, w, "abc", true);

    ph_co_enter_all(&s.queue);
    g_assert_cmpstr(s.log->str, ==, "abc");
    g_assert_cmpint(s.done, ==, 0);
    g_assert_false(ph_co_queue_empty(&s.queue));

    g_assert_true(ph_co_enter_next(&s.queue));
    g_assert_cmpstr(s.log->str, ==, "abcA");
    ph_co_enter_all(&s.queue);
    g_assert_cmpstr(s.log->str, ==, "abcABC");
    g_assert_cmpint(s.done, ==, 3);
    g_assert_true(ph_co_queue_empty(&s.queue));
    g_string_free(s.log, TRUE);
}

/* Waiting with a CoMutex releases it while asleep and holds it again after. */
typedef struct {
    CoQueue queue;
    CoMutex mutex;
    int ready;
    bool holder_saw_locked;
    int done;
} CondState;

static void coroutine_fn cond_waiter(void *opaque)
{
    CondState *s = opaque;

    ph_co_mutex_lock(&s->mutex);
    while (!s->ready) {
        ph_co_queue_wait(&s->queue, &s->mutex);
    }
    s->holder_saw_locked = ph_co_mutex_is_locked(&s->mutex);
    ph_co_mutex_unlock(&s->mutex);
    s->done++;
}

static void coroutine_fn cond_signaller(void *opaque)
{
    CondState *s = opaque;

    ph_co_mutex_lock(&s->mutex); /* free: the waiter released it */
    s->ready = 1;
    ph_co_queue_restart_all(&s->queue);
    ph_co_mutex_unlock(&s->mutex);
}

static void test_wait_with_mutex(void)
{
    CondState s = { 0 };

    ph_co_queue_init(&s.queue);
    ph_co_mutex_init(&s.mutex);
    aio_co_enter(ph_main_aio_context(), ph_coroutine_create(cond_waiter, &s));
    g_assert_false(ph_co_mutex_is_locked(&s.mutex));
    aio_co_enter(ph_main_aio_context(), ph_coroutine_create(cond_signaller, &s));
    g_assert_cmpint(s.done, ==, 1);
    g_assert_true(s.holder_saw_locked);
    g_assert_false(ph_co_mutex_is_locked(&s.mutex));
    ph_co_mutex_destroy(&s.mutex);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ph_aio_init();
    g_test_add_func("/co-queue/next-fifo", test_next_fifo);
    g_test_add_func("/co-queue/restart-all", test_restart_all);
    g_test_add_func("/co-queue/enter-all-outside", test_enter_all_outside);
    g_test_add_func("/co-queue/wait-with-mutex", test_wait_with_mutex);
    return g_test_run();
}
