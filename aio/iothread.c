/* PhIOThread: a thread of its own that runs one AioContext. */
#include "config.h"

#include "iothread.h"

struct PhIOThread {
    GThread *thread;
    AioContext *ctx;
    int running;        /* atomic; cleared by ph_iothread_free() */
    GMutex lock;
    GCond started_cond;
    bool started;
};

/*
 * The AioContext is the whole loop: aio_poll() waits on its fds directly,
 * which costs less per wake-up than a GMainContext iteration would.
 */
static gpointer iothread_run(gpointer opaque)
{
    PhIOThread *t = opaque;

    ph_set_home_aio_context(t->ctx);
    g_mutex_lock(&t->lock);
    t->started = true;
    g_cond_signal(&t->started_cond);
    g_mutex_unlock(&t->lock);

    while (g_atomic_int_get(&t->running)) {
        aio_poll(t->ctx, true);
    }
    /* Whatever is already due still runs, so nothing queued is lost. */
    while (aio_poll(t->ctx, false)) {
    }
    ph_set_home_aio_context(NULL);
    ph_coroutine_pool_drain();
    return NULL;
}

PhIOThread *ph_iothread_new(const char *name)
{
    PhIOThread *t = g_new0(PhIOThread, 1);

    t->ctx = aio_context_new(name);
    t->running = 1;
    g_mutex_init(&t->lock);
    g_cond_init(&t->started_cond);
    t->thread = g_thread_new(name, iothread_run, t);
    g_mutex_lock(&t->lock);
    while (!t->started) {
        g_cond_wait(&t->started_cond, &t->lock);
    }
    g_mutex_unlock(&t->lock);
    return t;
}

AioContext *ph_iothread_get_aio_context(PhIOThread *t)
{
    return t->ctx;
}

static void iothread_stop_bh(void *opaque)
{
    PhIOThread *t = opaque;

    g_atomic_int_set(&t->running, 0);
}

void ph_iothread_free(PhIOThread *t)
{
    if (!t) {
        return;
    }
    aio_bh_schedule_oneshot(t->ctx, iothread_stop_bh, t);
    g_thread_join(t->thread);
    aio_context_unref(t->ctx);
    g_mutex_clear(&t->lock);
    g_cond_clear(&t->started_cond);
    g_free(t);
}
