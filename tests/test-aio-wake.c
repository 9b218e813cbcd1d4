/* Scheduling coroutines across threads: wake storms, enter rules, misuse. */
#include "config.h"

#include "aio-test-util.h"

#define STORM_WAKES 100000

typedef struct {
    int waiting;        /* atomic: 1 while the coroutine is (about to be) asleep */
    int wakes_seen;     /* written by the coroutine only */
    int done;           /* atomic */
    Coroutine *co;
} Sleeper;

static void coroutine_fn sleeper_entry(void *opaque)
{
    Sleeper *s = opaque;

    while (s->wakes_seen < STORM_WAKES) {
        __atomic_store_n(&s->waiting, 1, __ATOMIC_SEQ_CST);
        ph_coroutine_yield();
        s->wakes_seen++;
    }
    __atomic_store_n(&s->done, 1, __ATOMIC_SEQ_CST);
}

static gpointer waker_thread(gpointer opaque)
{
    Sleeper *s = opaque;
    int i;

    for (i = 0; i < STORM_WAKES; i++) {
        /* Wake only a coroutine that went to sleep: a second wake before it
         * ran would be a double schedule, which aborts. */
        while (!__atomic_exchange_n(&s->waiting, 0, __ATOMIC_SEQ_CST)) {
            g_thread_yield();
        }
        aio_co_wake(s->co);
    }
    return NULL;
}

static void run_storm(AioContext *home, bool poll_main)
{
    Sleeper s[2] = { 0 };
    GThread *threads[2];
    int64_t deadline = ph_clock_ns() + 120 * G_GINT64_CONSTANT(1000000000);
    int i;

    for (i = 0; i < 2; i++) {
        s[i].co = ph_coroutine_create(sleeper_entry, &s[i]);
        aio_co_schedule(home, s[i].co);
    }
    for (i = 0; i < 2; i++) {
        threads[i] = g_thread_new("waker", waker_thread, &s[i]);
    }
    while (!__atomic_load_n(&s[0].done, __ATOMIC_SEQ_CST) ||
           !__atomic_load_n(&s[1].done, __ATOMIC_SEQ_CST)) {
        g_assert_cmpint(ph_clock_ns(), <, deadline);
        if (poll_main) {
            aio_poll(ph_main_aio_context(), true);
        } else {
            g_usleep(1000);
        }
    }
    for (i = 0; i < 2; i++) {
        g_thread_join(threads[i]);
        g_assert_cmpint(s[i].wakes_seen, ==, STORM_WAKES);
    }
}

/* Two threads wake coroutines of the main context 100,000 times each. */
static void test_storm_main(void)
{
    run_storm(ph_main_aio_context(), true);
}

/* The same into an iothread's context: wakes go to the coroutine's own
 * context, whatever thread they come from. */
static void test_storm_iothread(void)
{
    PhIOThread *io = ph_iothread_new("storm");

    run_storm(ph_iothread_get_aio_context(io), false);
    ph_iothread_free(io);
}

typedef struct {
    GString *log;
    Coroutine *other;
    GThread *ran_on;
} EnterState;

static void coroutine_fn other_entry(void *opaque)
{
    EnterState *s = opaque;

    g_string_append(s->log, "other ");
    s->ran_on = g_thread_self();
}

static void coroutine_fn first_entry(void *opaque)
{
    EnterState *s = opaque;

    aio_co_enter(ph_main_aio_context(), s->other);
    g_string_append(s->log, "first-continues ");
    ph_coroutine_yield();
}

/* Inside a coroutine, aio_co_enter() of the same context defers the other
 * coroutine until the caller yields; outside, it runs at once; into
 * another context, it goes through that context's loop. */
static void test_enter_rules(void)
{
    EnterState s = { .log = g_string_new("") };
    Coroutine *first;
    PhIOThread *io;

    s.other = ph_coroutine_create(other_entry, &s);
    first = ph_coroutine_create(first_entry, &s);
    aio_co_enter(ph_main_aio_context(), first);
    g_assert_cmpstr(s.log->str, ==, "first-continues other ");
    g_assert_true(s.ran_on == g_thread_self());
    aio_co_enter(ph_main_aio_context(), first); /* let it finish */

    g_string_truncate(s.log, 0);
    io = ph_iothread_new("enter");
    s.other = ph_coroutine_create(other_entry, &s);
    aio_co_enter(ph_iothread_get_aio_context(io), s.other);
    ph_iothread_free(io); /* runs what is due, then joins */
    g_assert_cmpstr(s.log->str, ==, "other ");
    g_assert_true(s.ran_on != g_thread_self());
    g_string_free(s.log, TRUE);
}

static void coroutine_fn idle_entry(void *opaque)
{
    ph_coroutine_yield();
}

static void test_double_schedule_aborts(void)
{
    if (g_test_subprocess()) {
        Coroutine *co = ph_coroutine_create(idle_entry, NULL);

        aio_co_schedule(ph_main_aio_context(), co);
        aio_co_schedule(ph_main_aio_context(), co);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*aio_co_schedule: coroutine * was already scheduled by aio_co_schedule()*");
}

static void test_enter_scheduled_aborts(void)
{
    if (g_test_subprocess()) {
        Coroutine *co = ph_coroutine_create(idle_entry, NULL);

        aio_co_schedule(ph_main_aio_context(), co);
        ph_coroutine_enter(co);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*entered while it is scheduled by aio_co_schedule()*");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ph_aio_init();
    g_test_add_func("/aio-wake/storm/main", test_storm_main);
    g_test_add_func("/aio-wake/storm/iothread", test_storm_iothread);
    g_test_add_func("/aio-wake/enter-rules", test_enter_rules);
    g_test_add_func("/aio-wake/double-schedule-aborts", test_double_schedule_aborts);
    g_test_add_func("/aio-wake/enter-scheduled-aborts", test_enter_scheduled_aborts);
    return g_test_run();
}
