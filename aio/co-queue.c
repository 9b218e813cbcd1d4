/* CoQueue: FIFO wait queues built on aio_co_wake(). */
#include "config.h"

#include <glib.h>

#include "aio-context.h"
#include "co-queue.h"
#include "coroutine-int.h"

void ph_co_queue_init(CoQueue *queue)
{
    STAILQ_INIT(&queue->entries);
}

void coroutine_fn ph_co_queue_wait(CoQueue *queue, CoMutex *mutex)
{
    Coroutine *self = ph_coroutine_self();

    g_assert(ph_in_coroutine());
    STAILQ_INSERT_TAIL(&queue->entries, self, co_queue_next);
    if (mutex) {
        ph_co_mutex_unlock(mutex);
    }
    ph_coroutine_yield();
    if (mutex) {
        ph_co_mutex_lock(mutex);
    }
}

static bool co_queue_wake(CoQueue *queue, bool single)
{
    CoroutineQueue list = STAILQ_HEAD_INITIALIZER(list);
    Coroutine *co;

    if (STAILQ_EMPTY(&queue->entries)) {
        return false;
    }
    if (single) {
        co = STAILQ_FIRST(&queue->entries);
        STAILQ_REMOVE_HEAD(&queue->entries, co_queue_next);
        aio_co_wake(co);
        return true;
    }
    /* Take the waiters out first: one that waits again right away joins
     * the queue for the next wake-up, not this one. */
    STAILQ_CONCAT(&list, &queue->entries);
    while ((co = STAILQ_FIRST(&list)) != NULL) {
        STAILQ_REMOVE_HEAD(&list, co_queue_next);
        aio_co_wake(co);
    }
    return true;
}

bool coroutine_fn ph_co_queue_next(CoQueue *queue)
{
    return co_queue_wake(queue, true);
}

void coroutine_fn ph_co_queue_restart_all(CoQueue *queue)
{
    co_queue_wake(queue, false);
}

bool ph_co_enter_next(CoQueue *queue)
{
    return co_queue_wake(queue, true);
}

void ph_co_enter_all(CoQueue *queue)
{
    co_queue_wake(queue, false);
}

bool ph_co_queue_empty(CoQueue *queue)
{
    return STAILQ_EMPTY(&queue->entries);
}
