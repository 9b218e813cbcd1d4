/* CoMutex: FIFO hand-off locking for coroutines on any thread. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "aio-context.h"
#include "co-mutex.h"
#include "coroutine-int.h"

void ph_co_mutex_init(CoMutex *mutex)
{
    g_mutex_init(&mutex->guard);
    mutex->locked = false;
    mutex->holder = NULL;
    STAILQ_INIT(&mutex->waiters);
}

void ph_co_mutex_destroy(CoMutex *mutex)
{
    g_assert(!mutex->locked && STAILQ_EMPTY(&mutex->waiters));
    g_mutex_clear(&mutex->guard);
}

void coroutine_fn ph_co_mutex_lock(CoMutex *mutex)
{
    Coroutine *self = ph_coroutine_self();

    g_assert(ph_in_coroutine());
    g_mutex_lock(&mutex->guard);
    if (!mutex->locked) {
        mutex->locked = true;
        mutex->holder = self;
        g_mutex_unlock(&mutex->guard);
        self->locks_held++;
        return;
    }
    if (mutex->holder == self) {
        fprintf(stderr, "porthole: coroutine %p locks a CoMutex it already holds\n",
                (void *)self);
        abort();
    }
    STAILQ_INSERT_TAIL(&mutex->waiters, self, co_queue_next);
    g_mutex_unlock(&mutex->guard);

    /* ph_co_mutex_unlock() made us the holder before waking us. */
    ph_coroutine_yield();
    self->locks_held++;
}

void coroutine_fn ph_co_mutex_unlock(CoMutex *mutex)
{
    Coroutine *self = ph_coroutine_self();
    Coroutine *next;

    g_mutex_lock(&mutex->guard);
    if (!mutex->locked || mutex->holder != self) {
        fprintf(stderr, "porthole: coroutine %p unlocks a CoMutex it does not hold\n",
                (void *)self);
        abort();
    }
    self->locks_held--;
    next = STAILQ_FIRST(&mutex->waiters);
    if (next) {
        STAILQ_REMOVE_HEAD(&mutex->waiters, co_queue_next);
        mutex->holder = next;
    } else {
        mutex->locked = false;
        mutex->holder = NULL;
    }
    g_mutex_unlock(&mutex->guard);
    if (next) {
        aio_co_wake(next);
    }
}

bool ph_co_mutex_is_locked(CoMutex *mutex)
{
    bool locked;

    g_mutex_lock(&mutex->guard);
    locked = mutex->locked;
    g_mutex_unlock(&mutex->guard);
    return locked;
}
