/* AioContext: bottom halves, fd handlers, timers, nesting rules, shutdown. */
#include "config.h"

#include <sys/socket.h>
#include <unistd.h>

#include "aio-test-util.h"

static void count_cb(void *opaque)
{
    __atomic_fetch_add((int *)opaque, 1, __ATOMIC_SEQ_CST);
}

static void test_bh_basics(void)
{
    AioContext *ctx = aio_context_new("test");
    int n = 0;
    PhBH *bh = aio_bh_new(ctx, count_cb, &n);

    g_assert_false(aio_poll(ctx, false));

    ph_bh_schedule(bh);
    ph_bh_schedule(bh); /* idempotent */
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(n, ==, 1);
    g_assert_false(aio_poll(ctx, false));

    ph_bh_schedule(bh);
    ph_bh_cancel(bh);
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(n, ==, 1);

    ph_bh_schedule(bh);
    ph_bh_delete(bh); /* a deleted BH never runs */
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(n, ==, 1);

    aio_bh_schedule_oneshot(ctx, count_cb, &n);
    aio_bh_schedule_oneshot(ctx, count_cb, &n);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(n, ==, 3);
    aio_context_unref(ctx);
}

typedef struct {
    PhBH *bh;
    int runs;
} SelfBH;

static void reschedule_self_cb(void *opaque)
{
    SelfBH *s = opaque;

    s->runs++;
    ph_bh_schedule(s->bh);
}

static void delete_self_cb(void *opaque)
{
    SelfBH *s = opaque;

    s->runs++;
    ph_bh_delete(s->bh);
    s->bh = NULL;
}

static void test_bh_reschedule_and_delete(void)
{
    AioContext *ctx = aio_context_new("test");
    SelfBH s = { 0 };

    /* A BH that reschedules itself runs once per round, not forever. */
    s.bh = aio_bh_new(ctx, reschedule_self_cb, &s);
    ph_bh_schedule(s.bh);
    aio_poll(ctx, false);
    g_assert_cmpint(s.runs, ==, 1);
    aio_poll(ctx, false);
    g_assert_cmpint(s.runs, ==, 2);
    ph_bh_delete(s.bh);

    /* A BH may delete itself from its callback. */
    s.runs = 0;
    s.bh = aio_bh_new(ctx, delete_self_cb, &s);
    ph_bh_schedule(s.bh);
    aio_poll(ctx, false);
    g_assert_cmpint(s.runs, ==, 1);
    g_assert_null(s.bh);
    aio_context_unref(ctx);
}

#define BH_THREADS 4
#define BH_PER_THREAD 20000

typedef struct {
    AioContext *ctx;
    int *counter;
    PhBH *shared_bh;
} BHThreadArg;

static gpointer bh_thread(gpointer opaque)
{
    BHThreadArg *a = opaque;
    int i;

    for (i = 0; i < BH_PER_THREAD; i++) {
        aio_bh_schedule_oneshot(a->ctx, count_cb, a->counter);
        ph_bh_schedule(a->shared_bh);
    }
    return NULL;
}

/* Bottom halves scheduled from other threads all run, once each, in the
 * context's own thread, and wake it from a blocking wait. */
static void test_bh_from_threads(void)
{
    AioContext *ctx = aio_context_new("test");
    int oneshots = 0, shared = 0;
    BHThreadArg arg = { ctx, &oneshots, aio_bh_new(ctx, count_cb, &shared) };
    GThread *threads[BH_THREADS];
    int64_t deadline = ph_clock_ns() + 30 * G_GINT64_CONSTANT(1000000000);
    int i;

    for (i = 0; i < BH_THREADS; i++) {
        threads[i] = g_thread_new("bh", bh_thread, &arg);
    }
    while (__atomic_load_n(&oneshots, __ATOMIC_SEQ_CST) < BH_THREADS * BH_PER_THREAD) {
        g_assert_cmpint(ph_clock_ns(), <, deadline);
        aio_poll(ctx, true);
    }
    for (i = 0; i < BH_THREADS; i++) {
        g_thread_join(threads[i]);
    }
    while (aio_poll(ctx, false)) {
    }
    g_assert_cmpint(oneshots, ==, BH_THREADS * BH_PER_THREAD);
    /* The reusable BH coalesces: at least one run, at most one per schedule. */
    g_assert_cmpint(shared, >=, 1);
    g_assert_cmpint(shared, <=, BH_THREADS * BH_PER_THREAD);
    ph_bh_delete(arg.shared_bh);
    aio_context_unref(ctx);
}

typedef struct {
    AioContext *ctx;
    int fd;
    int reads;
    int writes;
    char buf[64];
    size_t len;
    bool remove_on_read;
} FdState;

static void fd_read_cb(void *opaque)
{
    FdState *s = opaque;
    ssize_t n = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);

    s->reads++;
    if (n > 0) {
        s->len += (size_t)n;
    }
    if (s->remove_on_read || n == 0) {
        aio_set_fd_handler(s->ctx, s->fd, NULL, NULL, NULL);
    }
}

static void fd_write_cb(void *opaque)
{
    FdState *s = opaque;

    s->writes++;
    g_assert_cmpint(write(s->fd, "pong", 4), ==, 4);
    aio_set_fd_handler(s->ctx, s->fd, fd_read_cb, NULL, s);
}

static void test_fd_pipe(void)
{
    AioContext *ctx = aio_context_new("test");
    int p[2];
    FdState s = { .ctx = ctx };

    g_assert_cmpint(pipe(p), ==, 0);
    s.fd = p[0];
    aio_set_fd_handler(ctx, p[0], fd_read_cb, NULL, &s);
    g_assert_false(aio_poll(ctx, false)); /* nothing to read yet */
    g_assert_cmpint(s.reads, ==, 0);

    g_assert_cmpint(write(p[1], "hello", 5), ==, 5);
    g_assert_true(aio_poll(ctx, true));
    g_assert_cmpint(s.reads, ==, 1);
    g_assert_cmpmem(s.buf, s.len, "hello", 5);

    /* Closing the writer: the reader sees end of file and removes itself. */
    close(p[1]);
    g_assert_true(aio_poll(ctx, true));
    g_assert_cmpint(s.reads, ==, 2);
    g_assert_false(aio_poll(ctx, false));
    close(p[0]);
    aio_context_unref(ctx);
}

static void test_fd_socketpair(void)
{
    AioContext *ctx = aio_context_new("test");
    int sv[2];
    FdState s = { .ctx = ctx, .remove_on_read = true };
    char buf[8];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    s.fd = sv[0];
    /* Writable at once; the write handler swaps itself for a reader. */
    aio_set_fd_handler(ctx, sv[0], NULL, fd_write_cb, &s);
    g_assert_true(aio_poll(ctx, true));
    g_assert_cmpint(s.writes, ==, 1);
    g_assert_cmpint(read(sv[1], buf, sizeof(buf)), ==, 4);
    g_assert_cmpmem(buf, 4, "pong", 4);

    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(write(sv[1], "ping", 4), ==, 4);
    g_assert_true(aio_poll(ctx, true));
    g_assert_cmpint(s.reads, ==, 1);
    g_assert_cmpmem(s.buf, s.len, "ping", 4);
    g_assert_cmpint(s.writes, ==, 1);
    close(sv[0]);
    close(sv[1]);
    aio_context_unref(ctx);
}

typedef struct {
    GString *order;
    PhTimer *timer;
    char tag;
} TimerState;

static void timer_cb(void *opaque)
{
    TimerState *t = opaque;

    g_string_append_c(t->order, t->tag);
}

static void test_timers(void)
{
    AioContext *ctx = aio_context_new("test");
    GString *order = g_string_new("");
    TimerState a = { order, NULL, 'a' }, b = { order, NULL, 'b' }, c = { order, NULL, 'c' };
    int64_t start = ph_clock_ns();

    a.timer = aio_timer_new(ctx, timer_cb, &a);
    b.timer = aio_timer_new(ctx, timer_cb, &b);
    c.timer = aio_timer_new(ctx, timer_cb, &c);
    ph_timer_mod_ns(a.timer, start + 30000000);
    ph_timer_mod_ns(b.timer, start + 10000000);
    ph_timer_mod_ns(c.timer, start + 20000000);
    ph_timer_del(c.timer);
    g_assert_false(ph_timer_pending(c.timer));
    g_assert_true(ph_timer_pending(a.timer));

    while (order->len < 2) {
        aio_poll(ctx, true);
    }
    g_assert_cmpstr(order->str, ==, "ba");
    g_assert_cmpint(ph_clock_ns() - start, >=, 30000000);
    g_assert_false(ph_timer_pending(a.timer));
    g_assert_false(aio_poll(ctx, false));

    /* Re-arming moves a timer. */
    ph_timer_mod_ns(c.timer, ph_clock_ns() + 50000000);
    ph_timer_mod_ns(c.timer, ph_clock_ns());
    aio_poll(ctx, true);
    g_assert_cmpstr(order->str, ==, "bac");

    ph_timer_free(a.timer);
    ph_timer_free(b.timer);
    ph_timer_free(c.timer);
    g_string_free(order, TRUE);
    aio_context_unref(ctx);
}

typedef struct {
    AioContext *ctx;
    PhTimer *timer;
} ArmArg;

static gpointer arm_thread(gpointer opaque)
{
    ArmArg *a = opaque;

    g_usleep(20000);
    ph_timer_mod_ns(a->timer, ph_clock_ns());
    return NULL;
}

static gpointer notify_thread(gpointer opaque)
{
    g_usleep(20000);
    aio_notify(opaque);
    return NULL;
}

/* A blocking wait ends when another thread arms an earlier timer or
 * notifies the context. */
static void test_wakeups_from_threads(void)
{
    AioContext *ctx = aio_context_new("test");
    int fired = 0;
    ArmArg arg = { ctx, aio_timer_new(ctx, count_cb, &fired) };
    GThread *t;

    t = g_thread_new("arm", arm_thread, &arg);
    poll_until(ctx, &fired, 10);
    g_thread_join(t);

    t = g_thread_new("notify", notify_thread, ctx);
    g_assert_false(aio_poll(ctx, true)); /* returns, having run nothing */
    g_thread_join(t);

    ph_timer_free(arg.timer);
    aio_context_unref(ctx);
}

static gpointer schedule_later_thread(gpointer opaque)
{
    g_usleep(20000);
    aio_bh_schedule_oneshot(ph_iohandler_aio_context(), count_cb, opaque);
    return NULL;
}

/* Through the GMainContext (the path the application uses): a BH from
 * another thread wakes a blocked g_main_context_iteration(), and a timer
 * fires on time. */
static void test_gsource_wakeups(void)
{
    int bh_runs = 0, timer_runs = 0;
    PhTimer *t = aio_timer_new(ph_main_aio_context(), count_cb, &timer_runs);
    GThread *thread = g_thread_new("later", schedule_later_thread, &bh_runs);
    int64_t start = ph_clock_ns();

    main_loop_until(&bh_runs, 10);
    g_thread_join(thread);
    g_assert_cmpint(bh_runs, ==, 1);

    start = ph_clock_ns();
    ph_timer_mod_ns(t, start + 15000000);
    main_loop_until(&timer_runs, 10);
    g_assert_cmpint(ph_clock_ns() - start, >=, 15000000);
    ph_timer_free(t);
}

/* The iohandler context runs from the main loop but never from a nested
 * aio_poll() on the main context. */
static void test_iohandler_not_nested(void)
{
    int main_runs = 0, io_runs = 0;

    aio_bh_schedule_oneshot(ph_iohandler_aio_context(), count_cb, &io_runs);
    aio_bh_schedule_oneshot(ph_main_aio_context(), count_cb, &main_runs);
    while (aio_poll(ph_main_aio_context(), false)) {
    }
    g_assert_cmpint(main_runs, ==, 1);
    g_assert_cmpint(io_runs, ==, 0);

    main_loop_until(&io_runs, 10);
    g_assert_cmpint(io_runs, ==, 1);
}

static void test_iohandler_poll_aborts(void)
{
    if (g_test_subprocess()) {
        aio_poll(ph_iohandler_aio_context(), false);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*only the main loop may run*");
}

/* ---- shutdown with work pending ---------------------------------------- */

typedef struct {
    int chain;
    int co_done;
    int waiter_done;
    CoQueue queue;
} ShutdownState;

static void chain_cb(void *opaque)
{
    ShutdownState *s = opaque;

    /* Work that schedules more work still completes at shutdown. */
    if (++s->chain < 5) {
        aio_bh_schedule_oneshot(ph_main_aio_context(), chain_cb, s);
    }
}

static void coroutine_fn scheduled_entry(void *opaque)
{
    ShutdownState *s = opaque;

    s->co_done = 1;
    ph_co_enter_all(&s->queue);
}

static void coroutine_fn waiter_entry(void *opaque)
{
    ShutdownState *s = opaque;

    ph_co_queue_wait(&s->queue, NULL);
    s->waiter_done = 1;
}

static void forever_cb(void *opaque)
{
    aio_bh_schedule_oneshot(ph_main_aio_context(), forever_cb, opaque);
}

static void test_shutdown_pending(void)
{
    if (g_test_subprocess()) {
        ShutdownState s = { 0 };
        int p[2];
        int fired = 0;
        PhTimer *far;

        ph_co_queue_init(&s.queue);
        aio_co_enter(ph_main_aio_context(), ph_coroutine_create(waiter_entry, &s));
        aio_bh_schedule_oneshot(ph_main_aio_context(), chain_cb, &s);
        aio_co_schedule(ph_iohandler_aio_context(),
                        ph_coroutine_create(scheduled_entry, &s));
        aio_bh_schedule_oneshot(ph_main_aio_context(), forever_cb, NULL);
        g_assert_cmpint(pipe(p), ==, 0);
        aio_set_fd_handler(ph_main_aio_context(), p[0], count_cb, NULL, &fired);
        far = aio_timer_new(ph_main_aio_context(), count_cb, &fired);
        ph_timer_mod_ns(far, ph_clock_ns() + 3600 * G_GINT64_CONSTANT(1000000000));

        ph_aio_shutdown();

        g_assert_cmpint(s.chain, ==, 5);
        g_assert_cmpint(s.co_done, ==, 1);
        g_assert_cmpint(s.waiter_done, ==, 1);
        g_assert_cmpint(fired, ==, 0);
        /* The timer's owner may still free it after shutdown. */
        ph_timer_free(far);
        close(p[0]);
        close(p[1]);
        g_print("shutdown complete\n");
        return;
    }
    g_test_trap_subprocess(NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("*shutdown complete*");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ph_aio_init();
    g_test_add_func("/aio/bh/basics", test_bh_basics);
    g_test_add_func("/aio/bh/reschedule-and-delete", test_bh_reschedule_and_delete);
    g_test_add_func("/aio/bh/from-threads", test_bh_from_threads);
    g_test_add_func("/aio/fd/pipe", test_fd_pipe);
    g_test_add_func("/aio/fd/socketpair", test_fd_socketpair);
    g_test_add_func("/aio/timers", test_timers);
    g_test_add_func("/aio/wakeups-from-threads", test_wakeups_from_threads);
    g_test_add_func("/aio/gsource/wakeups", test_gsource_wakeups);
    g_test_add_func("/aio/iohandler/not-nested", test_iohandler_not_nested);
    g_test_add_func("/aio/iohandler/poll-aborts", test_iohandler_poll_aborts);
    g_test_add_func("/aio/shutdown-with-work-pending", test_shutdown_pending);
    return g_test_run();
}
