/* PhIOThread: a GMainContext with an AioContext, run by a thread of its own. */
#include "config.h"

#include "iothread.h"

struct PhIOThread {
    GThread *thread;
    GMainContext *gctx;
    AioContext *ctx;
    int running;        /* atomic; cleared by ph_iothread_free() */
    GMutex lock;
    GCond started_cond;
    bool started;
};

static gpointer iothread_run(gpointer opaque)
{
    PhIOThread *t = opaque;

    g_main_context_push_thread_default(t->gctx);
    ph_set_home_aio_context(t->ctx);
    g_mutex_lock(&t->lock);
    t->started = true;
    g_cond_signal(&t->started_cond);
    g_mutex_unlock(&t->lock);

    while (g_atomic_int_get(&t->running)) {
        g_main_context_iteration(t->gctx, TRUE);
    }
    /* Whatever is already due still runs, so nothing queued is lost. */
    while (g_main_context_iteration(t->gctx, FALSE)) {
    }
    ph_set_home_aio_context(NULL);
    g_main_context_pop_thread_default(t->gctx);
    return NULL;
}

PhIOThread *ph_iothread_new(const char *name)
{
    PhIOThread *t = g_new0(PhIOThread, 1);

    t->gctx = g_main_context_new();
    t->ctx = aio_context_new(name);
    aio_context_attach(t->ctx, t->gctx);
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

GMainContext *ph_iothread_get_main_context(PhIOThread *t)
{
    return t->gctx;
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
    aio_context_detach(t->ctx);
    aio_context_unref(t->ctx);
    g_main_context_unref(t->gctx);
    g_mutex_clear(&t->lock);
    g_cond_clear(&t->started_cond);
    g_free(t);
}
