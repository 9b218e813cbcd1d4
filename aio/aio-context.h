/* AioContext: an event loop source with bottom halves, fd handlers and timers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "coroutine.h"

/*
 * An AioContext is a GSource.  Attached to a GMainContext it runs as part of
 * that loop; a thread that owns one can also wait on it with aio_poll().
 *
 * Threads: bottom halves, timers and coroutine scheduling may be used from
 * any thread.  Fd handlers are added and removed only by the thread that
 * runs the context.  Callbacks always run in that thread.
 *
 * There are two contexts in the main thread, both attached to the default
 * GMainContext: the main context, which code may wait on with a nested
 * aio_poll(), and the iohandler context, which only the main loop itself
 * runs.  The QMP dispatcher lives in the latter so that a nested wait never
 * re-enters it.
 */
typedef struct AioContext AioContext;
typedef struct PhBH PhBH;
typedef struct PhTimer PhTimer;

typedef void PhBHFunc(void *opaque);
typedef void IOHandler(void *opaque);
typedef void PhTimerFunc(void *opaque);

/* Creates the main and iohandler contexts (main thread, once). */
void ph_aio_init(void);

/*
 * Runs what is already due in both main-thread contexts (bottom halves,
 * scheduled coroutines, expired timers, ready fds) until nothing more is,
 * then detaches and releases them.  One-shot bottom halves that keep
 * rescheduling themselves are dropped after a bounded number of rounds.
 */
void ph_aio_shutdown(void);

AioContext *ph_main_aio_context(void);
AioContext *ph_iohandler_aio_context(void);

/*
 * The context the calling thread is running: the one being dispatched
 * right now if any, else the thread's home context (the main context in
 * the main thread, an iothread's own context there), else NULL.
 */
AioContext *ph_current_aio_context(void);

/* Sets the calling thread's home context (for threads that run one). */
void ph_set_home_aio_context(AioContext *ctx);

/* @name is for messages.  The new context is not attached to any loop. */
AioContext *aio_context_new(const char *name);
void aio_context_attach(AioContext *ctx, GMainContext *gctx);
/* Detaches it from its loop; pending one-shot bottom halves are dropped
 * when the last reference goes. */
void aio_context_detach(AioContext *ctx);
AioContext *aio_context_ref(AioContext *ctx);
void aio_context_unref(AioContext *ctx);
GSource *aio_get_g_source(AioContext *ctx);

/*
 * After each dispatch of @ctx by its loop, runs the bottom halves that are
 * due in @follow right away, as a nested aio_poll(@follow) would, instead
 * of in the next loop iteration.  Both contexts belong to one thread, and
 * @follow must allow nested waits.  The iohandler context is set up to be
 * followed by the main context.
 */
void aio_context_set_follow_up(AioContext *ctx, AioContext *follow);

const char *aio_context_name(AioContext *ctx);

/*
 * Runs what is ready; with @blocking, first waits until something is.
 * Returns true if any callback ran.  Only the thread running @ctx may call
 * it, and never on the iohandler context (that aborts).
 */
bool aio_poll(AioContext *ctx, bool blocking);

/* Wakes whoever waits on @ctx (any thread). */
void aio_notify(AioContext *ctx);

/* Bottom halves: a callback to run soon in the context's thread. */
PhBH *aio_bh_new(AioContext *ctx, PhBHFunc *cb, void *opaque);
void aio_bh_schedule_oneshot(AioContext *ctx, PhBHFunc *cb, void *opaque);
/* Idempotent: scheduling a scheduled BH does nothing. */
void ph_bh_schedule(PhBH *bh);
void ph_bh_cancel(PhBH *bh);
/* Cancels and frees; may be called from the BH's own callback. */
void ph_bh_delete(PhBH *bh);

/* @io_read and @io_write both NULL removes the handler of @fd. */
void aio_set_fd_handler(AioContext *ctx, int fd, IOHandler *io_read,
                        IOHandler *io_write, void *opaque);

/* Timers on the monotonic clock, in nanoseconds. */
int64_t ph_clock_ns(void);
PhTimer *aio_timer_new(AioContext *ctx, PhTimerFunc *cb, void *opaque);
void ph_timer_mod_ns(PhTimer *timer, int64_t expire_ns);
void ph_timer_del(PhTimer *timer);
bool ph_timer_pending(PhTimer *timer);
void ph_timer_free(PhTimer *timer);

/*
 * Coroutine scheduling, QEMU's semantics, callable from any thread.
 *
 * aio_co_schedule() makes @co run from a bottom half of @ctx.  Scheduling a
 * coroutine that is already scheduled aborts.
 *
 * aio_co_enter() runs @co in @ctx: at once when the caller runs @ctx and is
 * outside coroutine context; right after the calling coroutine yields when
 * it is inside one; through aio_co_schedule() from another context.
 *
 * aio_co_wake() is aio_co_enter() in the context @co last ran in.
 */
void aio_co_schedule(AioContext *ctx, Coroutine *co);
void aio_co_enter(AioContext *ctx, Coroutine *co);
void aio_co_wake(Coroutine *co);

/* Sleeps @ns nanoseconds in the calling coroutine's context. */
void coroutine_fn ph_co_sleep_ns(int64_t ns);

/* Lets the loop run everything else that is ready, then continues. */
void coroutine_fn ph_co_yield_to_loop(void);
