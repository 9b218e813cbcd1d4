/* Channel I/O: coroutines that yield on fds, in the context they run in. */
#include "config.h"

#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>

#include "aio-test-util.h"

typedef struct {
    PhChannel *chan;
    char buf[64];
    gssize got;
    GError *error;
    int done;           /* atomic */
} ReadState;

static void coroutine_fn read_entry(void *opaque)
{
    ReadState *s = opaque;

    s->got = ph_channel_read(s->chan, s->buf, sizeof(s->buf), &s->error);
    __atomic_store_n(&s->done, 1, __ATOMIC_SEQ_CST);
}

static void write_later_cb(void *opaque)
{
    int fd = GPOINTER_TO_INT(opaque);

    g_assert_cmpint(write(fd, "later", 5), ==, 5);
}

/* A read with no data yields; the loop keeps running; data wakes it. */
static void test_read_yields(void)
{
    int sv[2];
    ReadState s = { 0 };
    PhTimer *tick;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    s.chan = ph_channel_new(sv[0], true);
    aio_co_enter(ph_main_aio_context(), ph_coroutine_create(read_entry, &s));
    g_assert_cmpint(s.done, ==, 0); /* it is waiting, we are not blocked */

    tick = aio_timer_new(ph_main_aio_context(), write_later_cb, GINT_TO_POINTER(sv[1]));
    ph_timer_mod_ns(tick, ph_clock_ns() + 20000000);
    poll_until(ph_main_aio_context(), &s.done, 10);
    g_assert_no_error(s.error);
    g_assert_cmpint(s.got, ==, 5);
    g_assert_cmpmem(s.buf, 5, "later", 5);

    /* End of file reads as 0. */
    s.done = 0;
    close(sv[1]);
    aio_co_enter(ph_main_aio_context(), ph_coroutine_create(read_entry, &s));
    poll_until(ph_main_aio_context(), &s.done, 10);
    g_assert_cmpint(s.got, ==, 0);
    ph_channel_free(s.chan);
    ph_timer_free(tick);
}

#define BIG (8 * 1024 * 1024)

typedef struct {
    PhChannel *chan;
    guint8 *data;
    bool ok;
    GError *error;
    int done;
} BigState;

static void coroutine_fn big_writer(void *opaque)
{
    BigState *s = opaque;

    s->ok = ph_channel_write_all(s->chan, s->data, BIG, &s->error);
    __atomic_store_n(&s->done, 1, __ATOMIC_SEQ_CST);
}

static void coroutine_fn big_reader(void *opaque)
{
    BigState *s = opaque;

    s->ok = ph_channel_read_all(s->chan, s->data, BIG, &s->error);
    __atomic_store_n(&s->done, 1, __ATOMIC_SEQ_CST);
}

/* 8 MiB through a socket pair whose buffer holds far less: writer and
 * reader coroutines take turns in one thread, and the data arrives whole. */
static void test_big_transfer(void)
{
    int sv[2];
    BigState w = { 0 }, r = { 0 };
    size_t i;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    w.chan = ph_channel_new(sv[0], true);
    r.chan = ph_channel_new(sv[1], true);
    w.data = g_malloc(BIG);
    r.data = g_malloc0(BIG);
    for (i = 0; i < BIG; i++) {
        w.data[i] = (guint8)(i * 131 + (i >> 13));
    }
    aio_co_enter(ph_main_aio_context(), ph_coroutine_create(big_writer, &w));
    g_assert_cmpint(w.done, ==, 0); /* the buffer filled and it yielded */
    aio_co_enter(ph_main_aio_context(), ph_coroutine_create(big_reader, &r));
    while (!w.done || !r.done) {
        aio_poll(ph_main_aio_context(), true);
    }
    g_assert_no_error(w.error);
    g_assert_no_error(r.error);
    g_assert_true(w.ok && r.ok);
    g_assert_cmpmem(w.data, BIG, r.data, BIG);
    ph_channel_free(w.chan);
    ph_channel_free(r.chan);
    g_free(w.data);
    g_free(r.data);
}

/* A writer whose peer goes away gets an error, not SIGPIPE; a reader in
 * the middle of read_all gets a clear error. */
static void test_peer_gone(void)
{
    int sv[2];
    BigState w = { 0 }, r = { 0 };

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    w.chan = ph_channel_new(sv[0], true);
    w.data = g_malloc0(BIG);
    aio_co_enter(ph_main_aio_context(), ph_coroutine_create(big_writer, &w));
    g_assert_cmpint(w.done, ==, 0);
    close(sv[1]);
    poll_until(ph_main_aio_context(), &w.done, 10);
    g_assert_false(w.ok);
    g_assert_error(w.error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
    g_clear_error(&w.error);
    ph_channel_free(w.chan);

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    r.chan = ph_channel_new(sv[0], true);
    r.data = w.data;
    g_assert_cmpint(write(sv[1], "abc", 3), ==, 3);
    aio_co_enter(ph_main_aio_context(), ph_coroutine_create(big_reader, &r));
    close(sv[1]);
    poll_until(ph_main_aio_context(), &r.done, 10);
    g_assert_false(r.ok);
    g_assert_error(r.error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
    g_clear_error(&r.error);
    ph_channel_free(r.chan);
    g_free(w.data);
}

/* A coroutine running in an iothread waits on its fd in the iothread's
 * context: the main loop is never run and the read still completes. */
static void test_follows_coroutine(void)
{
    PhIOThread *io = ph_iothread_new("channel");
    int sv[2];
    ReadState s = { 0 };
    int64_t deadline = ph_clock_ns() + 10 * G_GINT64_CONSTANT(1000000000);

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    s.chan = ph_channel_new(sv[0], true);
    aio_co_schedule(ph_iothread_get_aio_context(io), ph_coroutine_create(read_entry, &s));
    g_usleep(20000);
    g_assert_cmpint(__atomic_load_n(&s.done, __ATOMIC_SEQ_CST), ==, 0);
    g_assert_cmpint(write(sv[1], "io", 2), ==, 2);
    while (!__atomic_load_n(&s.done, __ATOMIC_SEQ_CST)) {
        g_assert_cmpint(ph_clock_ns(), <, deadline);
        g_usleep(1000);
    }
    g_assert_cmpint(s.got, ==, 2);
    ph_iothread_free(io);
    ph_channel_free(s.chan);
    close(sv[1]);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ph_aio_init();
    g_test_add_func("/channel/read-yields", test_read_yields);
    g_test_add_func("/channel/big-transfer", test_big_transfer);
    g_test_add_func("/channel/peer-gone", test_peer_gone);
    g_test_add_func("/channel/follows-coroutine", test_follows_coroutine);
    return g_test_run();
}
