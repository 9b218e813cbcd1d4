/* CoQueue: coroutines waiting in FIFO order for a condition. */
#pragma once

#include <stdbool.h>
#include <sys/queue.h>

#include "coroutine.h"
#include "co-mutex.h"

/*
 * A CoQueue is not thread-safe by itself: use it from one thread, or pass
 * the CoMutex that protects it to ph_co_queue_wait() and hold that mutex
 * around the other calls.
 */
typedef struct CoQueue {
    STAILQ_HEAD(, Coroutine) entries;
} CoQueue;

void ph_co_queue_init(CoQueue *queue);

/* Waits until woken; @mutex (may be NULL) is released while waiting and
 * held again on return. */
void coroutine_fn ph_co_queue_wait(CoQueue *queue, CoMutex *mutex);

/* Wakes the first waiter; it runs once the caller yields.  False if none. */
bool coroutine_fn ph_co_queue_next(CoQueue *queue);

/* Wakes every coroutine waiting at the time of the call. */
void coroutine_fn ph_co_queue_restart_all(CoQueue *queue);

/*
 * The same for callers outside coroutine context (a main-loop callback, a
 * device model): the waiters run before these return when they belong to
 * the caller's context, else they are scheduled in their own.
 */
bool ph_co_enter_next(CoQueue *queue);
void ph_co_enter_all(CoQueue *queue);

bool ph_co_queue_empty(CoQueue *queue);
