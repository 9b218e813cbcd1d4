/* The Coroutine structure, shared by the files of aio/ and by nobody else. */
#pragma once

#include <setjmp.h>
#include <stdint.h>
#include <sys/queue.h>

#include "coroutine.h"

typedef enum {
    COROUTINE_YIELD = 1,
    COROUTINE_TERMINATE = 2,
    COROUTINE_ENTER = 3,
} CoroutineAction;

typedef STAILQ_HEAD(CoroutineQueue, Coroutine) CoroutineQueue;

struct Coroutine {
    CoroutineEntry *entry;
    void *entry_arg;

    /* Who entered us and gets control back when we yield; NULL while we are
     * not running.  Set and cleared only by the thread running us. */
    Coroutine *caller;

    /* The context we run in; written on each enter, read by aio_co_wake()
     * from any thread (atomic). */
    AioContext *ctx;

    /* Name of the function that scheduled us, NULL when not scheduled.
     * Set with a compare-and-swap so that double scheduling is caught. */
    const char *scheduled;

    /* Coroutines woken by us while we run; entered when we yield. */
    STAILQ_HEAD(, Coroutine) co_queue_wakeup;

    /* Link in exactly one of: a CoQueue, a wakeup list, a context's
     * scheduled list, the pool. */
    STAILQ_ENTRY(Coroutine) co_queue_next;

    /* Number of CoMutexes held; must be zero when the coroutine ends. */
    unsigned locks_held;

    sigjmp_buf env;
    void *stack;        /* lowest usable address (above the guard page) */
    size_t stack_size;  /* usable size */
    void *map;          /* mmap'ed area, guard page included */
    size_t map_size;
#ifdef CONFIG_ASAN
    void *fake_stack_save;
#endif
};

/* Enters @co and then, in order, every coroutine it woke while running. */
void ph_coroutine_enter_internal(AioContext *ctx, Coroutine *co);

/* Queues @co to be entered right after @self (running) yields. */
void ph_coroutine_queue_wakeup(Coroutine *self, Coroutine *co);
