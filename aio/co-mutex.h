/* CoMutex: a fair (FIFO hand-off) mutex for coroutines, usable across threads. */
#pragma once

#include <stdbool.h>
#include <sys/queue.h>

#include <glib.h>

#include "coroutine.h"

typedef struct CoMutex {
    GMutex guard;       /* protects the fields below; never held across a yield */
    bool locked;
    Coroutine *holder;
    STAILQ_HEAD(, Coroutine) waiters;
} CoMutex;

void ph_co_mutex_init(CoMutex *mutex);
void ph_co_mutex_destroy(CoMutex *mutex);

/*
 * Takes the mutex, waiting in line if it is held.  Unlock hands it to the
 * longest waiter, so nobody can barge ahead of a coroutine in line.
 */
void coroutine_fn ph_co_mutex_lock(CoMutex *mutex);
void coroutine_fn ph_co_mutex_unlock(CoMutex *mutex);
bool ph_co_mutex_is_locked(CoMutex *mutex);
