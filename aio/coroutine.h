/* Coroutines: stackful, cooperative, cheap to switch; QEMU's semantics. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/queue.h>

/*
 * Marks a function that may only be called from coroutine context (it may
 * yield).  Purely documentation; it expands to nothing.
 */
#define coroutine_fn

typedef struct Coroutine Coroutine;
typedef struct AioContext AioContext;
typedef void coroutine_fn CoroutineEntry(void *opaque);

/* Default stack size of a coroutine, not counting its guard page. */
#define PH_COROUTINE_STACK_SIZE (1u << 20)

/*
 * Creates a coroutine that will run @entry(@opaque) when first entered.
 * Its stack is mmap'ed with a guard page below it; a finished coroutine
 * goes back to a per-thread pool and is reused by the next create.
 */
Coroutine *ph_coroutine_create(CoroutineEntry *entry, void *opaque);

/*
 * Transfers control to @co until it yields or terminates, in the calling
 * thread's current AioContext.  Entering a coroutine that is running, or
 * one that is scheduled to run from a context, aborts: that is a
 * programming error.  A terminated coroutine is freed (to the pool).
 */
void ph_coroutine_enter(Coroutine *co);

/* Same, recording @ctx as the context @co runs in from now on. */
void ph_coroutine_enter_ctx(AioContext *ctx, Coroutine *co);

/* Enters @co only if it is not already running (nor its caller chain). */
void ph_coroutine_enter_if_inactive(Coroutine *co);

/*
 * Gives control back to whoever entered the current coroutine.  Aborts when
 * called outside coroutine context.
 */
void coroutine_fn ph_coroutine_yield(void);

/*
 * The running coroutine, or in a thread's non-coroutine context a
 * per-thread "leader" object that stands for it (never NULL).
 */
Coroutine *ph_coroutine_self(void);

/* True when the caller runs inside a coroutine. */
bool ph_in_coroutine(void);

/* True while @co is running: it was entered and has not yielded since. */
bool ph_coroutine_entered(Coroutine *co);

/* The context @co last ran in (NULL if it never ran in one). */
AioContext *ph_coroutine_get_aio_context(Coroutine *co);

/* Pool statistics, for tests: coroutines currently kept for reuse by the
 * calling thread, and the total number of stacks ever allocated. */
unsigned ph_coroutine_pool_size(void);
unsigned long ph_coroutine_stacks_allocated(void);

/* Frees the calling thread's pool (also done automatically at thread exit). */
void ph_coroutine_pool_drain(void);
