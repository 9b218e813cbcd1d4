/* AioContext: bottom halves, fd handlers, timers and coroutine scheduling. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <time.h>
#include <unistd.h>

#include "aio-context.h"
#include "coroutine-int.h"

struct PhBH {
    AioContext *ctx;
    PhBHFunc *cb;
    void *opaque;
    /* The fields below are protected by ctx->lock. */
    TAILQ_ENTRY(PhBH) link;
    uint64_t gen;       /* ctx->bh_gen when scheduled */
    bool scheduled;
    bool oneshot;       /* freed after it runs; holds no context reference */
};

typedef struct AioHandler {
    GPollFD pfd;
    IOHandler *io_read;
    IOHandler *io_write;
    void *opaque;
    bool deleted;
    TAILQ_ENTRY(AioHandler) link;
} AioHandler;

struct PhTimer {
    AioContext *ctx;
    PhTimerFunc *cb;
    void *opaque;
    /* Protected by ctx->lock. */
    int64_t expire_ns;
    bool pending;
    TAILQ_ENTRY(PhTimer) link;
};

struct AioContext {
    GSource source;
    char *name;
    /* True for the iohandler context: no nested aio_poll(). */
    bool main_loop_only;
    /* Whose bottom halves run right after ours (same thread), see
     * aio_context_set_follow_up(). */
    AioContext *follow_up;

    /* Protects the bottom-half queue, the scheduled coroutines and the
     * timer list, which other threads may touch. */
    GMutex lock;
    TAILQ_HEAD(, PhBH) bh_queue;
    uint64_t bh_gen;
    CoroutineQueue scheduled_coroutines;
    PhBH *co_schedule_bh;
    TAILQ_HEAD(, PhTimer) timers;   /* sorted by expiry */

    /* Owner thread only. */
    TAILQ_HEAD(, AioHandler) handlers;
    unsigned walking_handlers;
    GPollFD *poll_fds;      /* aio_poll()'s array, kept between calls */
    unsigned poll_fds_size;

    /*
     * Wake-ups.  A poller sets notify_me before it computes its timeout and
     * clears it after its poll returns; aio_notify() writes the eventfd only
     * while notify_me is set, so that work queued from the owner thread
     * itself costs no system call.  Bit 0 is the GSource's, the rest count
     * aio_poll() callers.
     */
    int notify_me;      /* atomic */
    int notified;       /* atomic: the eventfd holds an unread wake-up */
    int notify_fd;
    GPollFD notify_pfd;
};

static AioContext *main_ctx;
static AioContext *iohandler_ctx;
static __thread AioContext *home_ctx;
static __thread AioContext *dispatching_ctx;

/* Not inlined, for the same reason as in coroutine.c: coroutines move
 * between threads. */
AioContext * __attribute__((noinline)) ph_current_aio_context(void)
{
    return dispatching_ctx ? dispatching_ctx : home_ctx;
}

static __attribute__((noinline)) AioContext *set_dispatching(AioContext *ctx)
{
    AioContext *old = dispatching_ctx;

    dispatching_ctx = ctx;
    return old;
}

void ph_set_home_aio_context(AioContext *ctx)
{
    home_ctx = ctx;
}

int64_t ph_clock_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- wake-ups ---------------------------------------------------------- */

void aio_notify(AioContext *ctx)
{
    /* Pairs with the fence in the pollers: either they see our queued work
     * or we see that they are about to sleep. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&ctx->notify_me, __ATOMIC_RELAXED) &&
        !__atomic_exchange_n(&ctx->notified, 1, __ATOMIC_SEQ_CST)) {
        uint64_t one = 1;
        ssize_t r;

        do {
            r = write(ctx->notify_fd, &one, sizeof(one));
        } while (r < 0 && errno == EINTR);
    }
}

/*
 * Drains the eventfd, then clears `notified`, in that order: a notifier
 * that finds `notified` still set in between skips its write, and its work
 * is seen by the dispatch that follows.  Clearing first would allow a
 * drained eventfd with `notified` set, and then a wake-up could be lost.
 */
static void aio_notify_accept(AioContext *ctx, bool readable)
{
    if (readable || __atomic_load_n(&ctx->notified, __ATOMIC_SEQ_CST)) {
        uint64_t value;
        ssize_t r;

        do {
            r = read(ctx->notify_fd, &value, sizeof(value));
        } while (r < 0 && errno == EINTR);
    }
    __atomic_store_n(&ctx->notified, 0, __ATOMIC_SEQ_CST);
}

/* ---- bottom halves ------------------------------------------------------ */

static PhBH *bh_new(AioContext *ctx, PhBHFunc *cb, void *opaque, bool oneshot)
{
    PhBH *bh = g_new0(PhBH, 1);

    bh->ctx = ctx;
    bh->cb = cb;
    bh->opaque = opaque;
    bh->oneshot = oneshot;
    return bh;
}

PhBH *aio_bh_new(AioContext *ctx, PhBHFunc *cb, void *opaque)
{
    aio_context_ref(ctx);
    return bh_new(ctx, cb, opaque, false);
}

static void bh_schedule_locked(PhBH *bh)
{
    AioContext *ctx = bh->ctx;

    if (!bh->scheduled) {
        bh->scheduled = true;
        bh->gen = ctx->bh_gen;
        TAILQ_INSERT_TAIL(&ctx->bh_queue, bh, link);
    }
}

void ph_bh_schedule(PhBH *bh)
{
    AioContext *ctx = bh->ctx;

    g_mutex_lock(&ctx->lock);
    bh_schedule_locked(bh);
    g_mutex_unlock(&ctx->lock);
    aio_notify(ctx);
}

void aio_bh_schedule_oneshot(AioContext *ctx, PhBHFunc *cb, void *opaque)
{
    ph_bh_schedule(bh_new(ctx, cb, opaque, true));
}

void ph_bh_cancel(PhBH *bh)
{
    AioContext *ctx = bh->ctx;

    g_mutex_lock(&ctx->lock);
    if (bh->scheduled) {
        TAILQ_REMOVE(&ctx->bh_queue, bh, link);
        bh->scheduled = false;
    }
    g_mutex_unlock(&ctx->lock);
}

void ph_bh_delete(PhBH *bh)
{
    AioContext *ctx = bh->ctx;

    g_assert(!bh->oneshot);
    ph_bh_cancel(bh);
    g_free(bh);
    aio_context_unref(ctx);
}

/*
 * Whether any bottom half is queued.  A plain atomic read of the queue
 * head is enough: a scheduler that we miss here sees notify_me and wakes
 * the poll (the pollers fence before they call this).
 */
static bool aio_bh_pending(AioContext *ctx)
{
    return __atomic_load_n(&ctx->bh_queue.tqh_first, __ATOMIC_ACQUIRE) != NULL;
}

/*
 * Runs the bottom halves scheduled before this call; those scheduled by
 * them wait for the next round, so a BH that reschedules itself cannot
 * starve the loop.
 */
static bool aio_bh_poll(AioContext *ctx)
{
    bool progress = false;
    uint64_t limit;

    g_mutex_lock(&ctx->lock);
    limit = ctx->bh_gen++;
    for (;;) {
        PhBH *bh = TAILQ_FIRST(&ctx->bh_queue);
        PhBHFunc *cb;
        void *opaque;
        bool oneshot;

        if (!bh || bh->gen > limit) {
            break;
        }
        TAILQ_REMOVE(&ctx->bh_queue, bh, link);
        bh->scheduled = false;
        cb = bh->cb;
        opaque = bh->opaque;
        oneshot = bh->oneshot;
        g_mutex_unlock(&ctx->lock);

        /* A reusable BH may be deleted by its own callback: no access after. */
        cb(opaque);
        if (oneshot) {
            g_free(bh);
        }
        progress = true;
        g_mutex_lock(&ctx->lock);
    }
    g_mutex_unlock(&ctx->lock);
    return progress;
}

/* ---- fd handlers -------------------------------------------------------- */

static AioHandler *find_handler(AioContext *ctx, int fd)
{
    AioHandler *node;

    TAILQ_FOREACH(node, &ctx->handlers, link) {
        if (node->pfd.fd == fd && !node->deleted) {
            return node;
        }
    }
    return NULL;
}

static void free_deleted_handlers(AioContext *ctx)
{
    AioHandler *node, *next;

    for (node = TAILQ_FIRST(&ctx->handlers); node; node = next) {
        next = TAILQ_NEXT(node, link);
        if (node->deleted) {
            TAILQ_REMOVE(&ctx->handlers, node, link);
            g_free(node);
        }
    }
}

void aio_set_fd_handler(AioContext *ctx, int fd, IOHandler *io_read,
                        IOHandler *io_write, void *opaque)
{
    AioHandler *node = find_handler(ctx, fd);

    if (!io_read && !io_write) {
        if (node) {
            g_source_remove_poll(&ctx->source, &node->pfd);
            node->deleted = true;
            node->pfd.revents = 0;
            if (!ctx->walking_handlers) {
                free_deleted_handlers(ctx);
            }
        }
        return;
    }
    if (!node) {
        node = g_new0(AioHandler, 1);
        node->pfd.fd = fd;
        TAILQ_INSERT_TAIL(&ctx->handlers, node, link);
        g_source_add_poll(&ctx->source, &node->pfd);
    }
    node->io_read = io_read;
    node->io_write = io_write;
    node->opaque = opaque;
    node->pfd.events = (io_read ? G_IO_IN | G_IO_HUP | G_IO_ERR : 0) |
                       (io_write ? G_IO_OUT | G_IO_ERR : 0);
}

static bool aio_handlers_ready(AioContext *ctx)
{
    AioHandler *node;

    TAILQ_FOREACH(node, &ctx->handlers, link) {
        if (!node->deleted && (node->pfd.revents & node->pfd.events)) {
            return true;
        }
    }
    return false;
}

static bool aio_dispatch_handlers(AioContext *ctx)
{
    AioHandler *node;
    bool progress = false;

    ctx->walking_handlers++;
    TAILQ_FOREACH(node, &ctx->handlers, link) {
        int revents = node->pfd.revents & node->pfd.events;

        node->pfd.revents = 0;
        if (!node->deleted && node->io_read &&
            (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR))) {
            node->io_read(node->opaque);
            progress = true;
        }
        if (!node->deleted && node->io_write && (revents & (G_IO_OUT | G_IO_ERR))) {
            node->io_write(node->opaque);
            progress = true;
        }
    }
    if (--ctx->walking_handlers == 0) {
        free_deleted_handlers(ctx);
    }
    return progress;
}

/* ---- timers ------------------------------------------------------------- */

PhTimer *aio_timer_new(AioContext *ctx, PhTimerFunc *cb, void *opaque)
{
    PhTimer *t = g_new0(PhTimer, 1);

    t->ctx = aio_context_ref(ctx);
    t->cb = cb;
    t->opaque = opaque;
    return t;
}

static void timer_del_locked(PhTimer *t)
{
    if (t->pending) {
        TAILQ_REMOVE(&t->ctx->timers, t, link);
        t->pending = false;
    }
}

void ph_timer_mod_ns(PhTimer *t, int64_t expire_ns)
{
    AioContext *ctx = t->ctx;
    PhTimer *pos;
    bool first;

    g_mutex_lock(&ctx->lock);
    timer_del_locked(t);
    t->expire_ns = expire_ns;
    TAILQ_FOREACH(pos, &ctx->timers, link) {
        if (pos->expire_ns > expire_ns) {
            break;
        }
    }
    if (pos) {
        TAILQ_INSERT_BEFORE(pos, t, link);
    } else {
        TAILQ_INSERT_TAIL(&ctx->timers, t, link);
    }
    t->pending = true;
    first = TAILQ_FIRST(&ctx->timers) == t;
    g_mutex_unlock(&ctx->lock);
    if (first) {
        aio_notify(ctx);
    }
}

void ph_timer_del(PhTimer *t)
{
    g_mutex_lock(&t->ctx->lock);
    timer_del_locked(t);
    g_mutex_unlock(&t->ctx->lock);
}

bool ph_timer_pending(PhTimer *t)
{
    bool pending;

    g_mutex_lock(&t->ctx->lock);
    pending = t->pending;
    g_mutex_unlock(&t->ctx->lock);
    return pending;
}

void ph_timer_free(PhTimer *t)
{
    AioContext *ctx = t->ctx;

    ph_timer_del(t);
    g_free(t);
    aio_context_unref(ctx);
}

/* Nanoseconds until the first timer expires, 0 if one has, -1 if none. */
static int64_t timers_deadline_ns(AioContext *ctx)
{
    int64_t deadline = -1;
    PhTimer *t;

    /* The common case, no timer at all, without the lock (same reasoning
     * as aio_bh_pending(): ph_timer_mod_ns() notifies). */
    if (!__atomic_load_n(&ctx->timers.tqh_first, __ATOMIC_ACQUIRE)) {
        return -1;
    }
    g_mutex_lock(&ctx->lock);
    t = TAILQ_FIRST(&ctx->timers);
    if (t) {
        deadline = MAX(t->expire_ns - ph_clock_ns(), 0);
    }
    g_mutex_unlock(&ctx->lock);
    return deadline;
}

static bool aio_run_timers(AioContext *ctx)
{
    int64_t now = ph_clock_ns();
    bool progress = false;

    for (;;) {
        PhTimer *t;
        PhTimerFunc *cb;
        void *opaque;

        g_mutex_lock(&ctx->lock);
        t = TAILQ_FIRST(&ctx->timers);
        if (!t || t->expire_ns > now) {
            g_mutex_unlock(&ctx->lock);
            break;
        }
        timer_del_locked(t);
        cb = t->cb;
        opaque = t->opaque;
        g_mutex_unlock(&ctx->lock);
        /* The callback may free or re-arm the timer. */
        cb(opaque);
        progress = true;
    }
    return progress;
}

/* ---- dispatch ----------------------------------------------------------- */

static int64_t aio_compute_timeout_ns(AioContext *ctx)
{
    if (aio_bh_pending(ctx)) {
        return 0;
    }
    return timers_deadline_ns(ctx);
}

static bool aio_dispatch(AioContext *ctx)
{
    AioContext *old = set_dispatching(ctx);
    bool progress;

    progress = aio_bh_poll(ctx);
    progress |= aio_dispatch_handlers(ctx);
    progress |= aio_run_timers(ctx);
    set_dispatching(old);
    return progress;
}

static gboolean aio_ctx_prepare(GSource *source, gint *timeout)
{
    AioContext *ctx = (AioContext *)source;
    int64_t ns;

    __atomic_fetch_or(&ctx->notify_me, 1, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    ns = aio_compute_timeout_ns(ctx);
    if (ns < 0) {
        *timeout = -1;
    } else {
        *timeout = (gint)MIN((ns + 999999) / 1000000, G_MAXINT);
    }
    return ns == 0;
}

static gboolean aio_ctx_check(GSource *source)
{
    AioContext *ctx = (AioContext *)source;

    __atomic_fetch_and(&ctx->notify_me, ~1, __ATOMIC_SEQ_CST);
    aio_notify_accept(ctx, ctx->notify_pfd.revents & G_IO_IN);
    return aio_bh_pending(ctx) || aio_handlers_ready(ctx) ||
           timers_deadline_ns(ctx) == 0;
}

static gboolean aio_ctx_dispatch(GSource *source, GSourceFunc callback,
                                 gpointer user_data)
{
    AioContext *ctx = (AioContext *)source;
    AioContext *follow = ctx->follow_up;

    aio_dispatch(ctx);
    if (follow && aio_bh_pending(follow)) {
        AioContext *old = set_dispatching(follow);

        aio_bh_poll(follow);
        set_dispatching(old);
    }
    return G_SOURCE_CONTINUE;
}

static void aio_ctx_finalize(GSource *source)
{
    AioContext *ctx = (AioContext *)source;
    PhBH *bh;
    AioHandler *node;

    /* Only one-shot BHs (and the internal one) can be left: a reusable BH
     * holds a reference. */
    while ((bh = TAILQ_FIRST(&ctx->bh_queue)) != NULL) {
        TAILQ_REMOVE(&ctx->bh_queue, bh, link);
        if (bh != ctx->co_schedule_bh) {
            g_free(bh);
        }
    }
    g_free(ctx->co_schedule_bh);
    if (!STAILQ_EMPTY(&ctx->scheduled_coroutines)) {
        g_warning("AioContext '%s' destroyed with coroutines scheduled in it",
                  ctx->name);
    }
    while ((node = TAILQ_FIRST(&ctx->handlers)) != NULL) {
        TAILQ_REMOVE(&ctx->handlers, node, link);
        g_free(node);
    }
    g_free(ctx->poll_fds);
    close(ctx->notify_fd);
    g_mutex_clear(&ctx->lock);
    g_free(ctx->name);
}

static GSourceFuncs aio_source_funcs = {
    .prepare = aio_ctx_prepare,
    .check = aio_ctx_check,
    .dispatch = aio_ctx_dispatch,
    .finalize = aio_ctx_finalize,
};

bool aio_poll(AioContext *ctx, bool blocking)
{
    GPollFD *fds;
    AioHandler *node;
    int64_t timeout_ns;
    unsigned n = 0, i;
    struct timespec ts;

    if (ctx->main_loop_only) {
        fprintf(stderr, "porthole: aio_poll() on the '%s' context, which only the main loop may run\n",
                ctx->name);
        abort();
    }

    __atomic_fetch_add(&ctx->notify_me, 2, __ATOMIC_SEQ_CST);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    timeout_ns = blocking ? aio_compute_timeout_ns(ctx) : 0;

    TAILQ_FOREACH(node, &ctx->handlers, link) {
        n++;
    }
    if (ctx->poll_fds_size < n + 1) {
        ctx->poll_fds_size = MAX(n + 1, 2 * ctx->poll_fds_size);
        ctx->poll_fds = g_renew(GPollFD, ctx->poll_fds, ctx->poll_fds_size);
    }
    fds = ctx->poll_fds;
    fds[0] = ctx->notify_pfd;
    n = 1;
    TAILQ_FOREACH(node, &ctx->handlers, link) {
        if (!node->deleted) {
            fds[n] = node->pfd;
            fds[n].revents = 0;
            n++;
        }
    }
    if (timeout_ns >= 0) {
        ts.tv_sec = timeout_ns / 1000000000;
        ts.tv_nsec = timeout_ns % 1000000000;
    }
    while (ppoll((struct pollfd *)fds, n, timeout_ns >= 0 ? &ts : NULL, NULL) < 0 &&
           errno == EINTR) {
    }
    __atomic_fetch_sub(&ctx->notify_me, 2, __ATOMIC_SEQ_CST);
    aio_notify_accept(ctx, fds[0].revents & G_IO_IN);

    i = 1;
    TAILQ_FOREACH(node, &ctx->handlers, link) {
        if (!node->deleted) {
            g_assert(fds[i].fd == node->pfd.fd);
            node->pfd.revents = fds[i].revents;
            i++;
        }
    }
    return aio_dispatch(ctx);
}

/* ---- contexts ----------------------------------------------------------- */

static void co_schedule_bh_cb(void *opaque)
{
    AioContext *ctx = opaque;
    CoroutineQueue list = STAILQ_HEAD_INITIALIZER(list);
    Coroutine *co;

    g_mutex_lock(&ctx->lock);
    STAILQ_CONCAT(&list, &ctx->scheduled_coroutines);
    g_mutex_unlock(&ctx->lock);

    while ((co = STAILQ_FIRST(&list)) != NULL) {
        STAILQ_REMOVE_HEAD(&list, co_queue_next);
        __atomic_store_n(&co->scheduled, NULL, __ATOMIC_SEQ_CST);
        ph_coroutine_enter_internal(ctx, co);
    }
}

AioContext *aio_context_new(const char *name)
{
    AioContext *ctx = (AioContext *)g_source_new(&aio_source_funcs, sizeof(AioContext));

    ctx->name = g_strdup(name);
    g_source_set_name(&ctx->source, ctx->name);
    g_mutex_init(&ctx->lock);
    TAILQ_INIT(&ctx->bh_queue);
    TAILQ_INIT(&ctx->timers);
    TAILQ_INIT(&ctx->handlers);
    STAILQ_INIT(&ctx->scheduled_coroutines);
    ctx->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (ctx->notify_fd < 0) {
        g_error("cannot create an eventfd: %s", g_strerror(errno));
    }
    ctx->notify_pfd.fd = ctx->notify_fd;
    ctx->notify_pfd.events = G_IO_IN;
    g_source_add_poll(&ctx->source, &ctx->notify_pfd);
    /* Internal: it must not keep its own context alive. */
    ctx->co_schedule_bh = bh_new(ctx, co_schedule_bh_cb, ctx, false);
    return ctx;
}

void aio_context_attach(AioContext *ctx, GMainContext *gctx)
{
    g_source_attach(&ctx->source, gctx);
}

void aio_context_detach(AioContext *ctx)
{
    g_source_destroy(&ctx->source);
}

AioContext *aio_context_ref(AioContext *ctx)
{
    g_source_ref(&ctx->source);
    return ctx;
}

void aio_context_unref(AioContext *ctx)
{
    g_source_unref(&ctx->source);
}

GSource *aio_get_g_source(AioContext *ctx)
{
    return &ctx->source;
}

void aio_context_set_follow_up(AioContext *ctx, AioContext *follow)
{
    g_assert(!follow->main_loop_only);
    ctx->follow_up = follow;
}

const char *aio_context_name(AioContext *ctx)
{
    return ctx->name;
}

AioContext *ph_main_aio_context(void)
{
    return main_ctx;
}

AioContext *ph_iohandler_aio_context(void)
{
    return iohandler_ctx;
}

void ph_aio_init(void)
{
    g_assert(!main_ctx);
    main_ctx = aio_context_new("main");
    iohandler_ctx = aio_context_new("iohandler");
    iohandler_ctx->main_loop_only = true;
    /* The QMP dispatcher hands handlers to the main context in a bottom
     * half: run it in the same loop iteration rather than the next. */
    aio_context_set_follow_up(iohandler_ctx, main_ctx);
    aio_context_attach(main_ctx, NULL);
    aio_context_attach(iohandler_ctx, NULL);
    ph_set_home_aio_context(main_ctx);
}

/* Runs what is ready in @ctx without waiting; true if anything ran. */
static bool aio_drain_once(AioContext *ctx)
{
    bool saved = ctx->main_loop_only;
    bool progress;

    ctx->main_loop_only = false;
    progress = aio_poll(ctx, false);
    ctx->main_loop_only = saved;
    return progress;
}

void ph_aio_shutdown(void)
{
    int rounds;

    g_assert(main_ctx);
    for (rounds = 0; rounds < 1000; rounds++) {
        bool progress = aio_drain_once(main_ctx);

        progress |= aio_drain_once(iohandler_ctx);
        if (!progress) {
            break;
        }
    }
    ph_set_home_aio_context(NULL);
    aio_context_detach(iohandler_ctx);
    aio_context_detach(main_ctx);
    g_clear_pointer(&iohandler_ctx, aio_context_unref);
    g_clear_pointer(&main_ctx, aio_context_unref);
    ph_coroutine_pool_drain();
}

/* ---- coroutines in contexts --------------------------------------------- */

void aio_co_schedule(AioContext *ctx, Coroutine *co)
{
    const char *old = NULL;

    if (!__atomic_compare_exchange_n(&co->scheduled, &old, __func__, false,
                                     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        fprintf(stderr, "porthole: %s: coroutine %p was already scheduled by %s()\n",
                __func__, (void *)co, old);
        abort();
    }
    g_mutex_lock(&ctx->lock);
    STAILQ_INSERT_TAIL(&ctx->scheduled_coroutines, co, co_queue_next);
    bh_schedule_locked(ctx->co_schedule_bh);
    g_mutex_unlock(&ctx->lock);
    aio_notify(ctx);
}

void aio_co_enter(AioContext *ctx, Coroutine *co)
{
    if (ctx != ph_current_aio_context()) {
        aio_co_schedule(ctx, co);
    } else if (ph_in_coroutine()) {
        Coroutine *self = ph_coroutine_self();

        g_assert(self != co);
        ph_coroutine_queue_wakeup(self, co);
    } else {
        ph_coroutine_enter_internal(ctx, co);
    }
}

void aio_co_wake(Coroutine *co)
{
    AioContext *ctx = ph_coroutine_get_aio_context(co);

    if (!ctx) {
        fprintf(stderr, "porthole: aio_co_wake() on coroutine %p, which never ran in a context\n",
                (void *)co);
        abort();
    }
    aio_co_enter(ctx, co);
}

static void co_sleep_cb(void *opaque)
{
    aio_co_wake(opaque);
}

void coroutine_fn ph_co_sleep_ns(int64_t ns)
{
    Coroutine *self = ph_coroutine_self();
    PhTimer *t;

    g_assert(ph_in_coroutine());
    t = aio_timer_new(ph_coroutine_get_aio_context(self), co_sleep_cb, self);
    ph_timer_mod_ns(t, ph_clock_ns() + ns);
    ph_coroutine_yield();
    ph_timer_free(t);
}

void coroutine_fn ph_co_yield_to_loop(void)
{
    Coroutine *self = ph_coroutine_self();

    g_assert(ph_in_coroutine());
    aio_co_schedule(ph_coroutine_get_aio_context(self), self);
    ph_coroutine_yield();
}
