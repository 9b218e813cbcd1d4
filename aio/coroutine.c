/* Coroutines: mmap'ed stacks, a ucontext bootstrap, sigsetjmp switching. */
#include "config.h"

/*
 * glibc's fortified longjmp refuses to jump to a frame on another stack,
 * which is exactly what switching coroutines does.
 */
#ifdef _FORTIFY_SOURCE
#undef _FORTIFY_SOURCE
#endif

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <glib.h>

#include "aio-context.h"
#include "coroutine-int.h"

#ifdef CONFIG_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* Finished coroutines kept per thread for reuse. */
#define POOL_MAX 64

typedef struct CoroutineThread {
    /* Stands for the thread's own stack: the caller of top-level enters. */
    Coroutine leader;
    /* The coroutine running on this thread (&leader outside coroutines). */
    Coroutine *current;
    CoroutineQueue pool;
    unsigned pool_size;
} CoroutineThread;

static void coroutine_free(Coroutine *co);

static void co_thread_destroy(void *data)
{
    CoroutineThread *t = data;
    Coroutine *co;

    while ((co = STAILQ_FIRST(&t->pool)) != NULL) {
        STAILQ_REMOVE_HEAD(&t->pool, co_queue_next);
        coroutine_free(co);
    }
    g_free(t);
}

static GPrivate co_thread_key = G_PRIVATE_INIT(co_thread_destroy);
static __thread CoroutineThread *co_thread_cache;
static unsigned long stacks_allocated; /* atomic */

/*
 * Never inlined: a coroutine may yield on one thread and resume on another,
 * and the compiler must not reuse a thread-local address computed before
 * the switch.
 */
static __attribute__((noinline)) CoroutineThread *co_thread_get(void)
{
    CoroutineThread *t = co_thread_cache;

    if (G_UNLIKELY(!t)) {
        t = g_new0(CoroutineThread, 1);
        t->current = &t->leader;
        STAILQ_INIT(&t->pool);
#ifdef CONFIG_ASAN
        pthread_attr_t attr;
        if (pthread_getattr_np(pthread_self(), &attr) == 0) {
            pthread_attr_getstack(&attr, &t->leader.stack, &t->leader.stack_size);
            pthread_attr_destroy(&attr);
        }
#endif
        g_private_set(&co_thread_key, t);
        co_thread_cache = t;
    }
    return t;
}

static void start_switch_fiber(CoroutineAction action, void **fake_stack_save,
                               const void *bottom, size_t size)
{
#ifdef CONFIG_ASAN
    __sanitizer_start_switch_fiber(action == COROUTINE_TERMINATE ? NULL
                                                                 : fake_stack_save,
                                   bottom, size);
#endif
}

static void finish_switch_fiber(void *fake_stack_save)
{
#ifdef CONFIG_ASAN
    const void *bottom_old;
    size_t size_old;

    __sanitizer_finish_switch_fiber(fake_stack_save, &bottom_old, &size_old);
#endif
}

#ifdef CONFIG_ASAN
#define FAKE_STACK(co) (&(co)->fake_stack_save)
#define FAKE_STACK_VALUE(co) ((co)->fake_stack_save)
#else
#define FAKE_STACK(co) NULL
#define FAKE_STACK_VALUE(co) NULL
#endif

static CoroutineAction coroutine_switch(Coroutine *from, Coroutine *to,
                                        CoroutineAction action)
{
    int ret;

    co_thread_get()->current = to;
    ret = sigsetjmp(from->env, 0);
    if (ret == 0) {
#ifdef CONFIG_ASAN
        if (action == COROUTINE_TERMINATE) {
            from->fake_stack_save = NULL;
        }
#endif
        start_switch_fiber(action, FAKE_STACK(from), to->stack, to->stack_size);
        siglongjmp(to->env, action);
    }
    finish_switch_fiber(FAKE_STACK_VALUE(from));
    return ret;
}

union trampoline_arg {
    void *p;
    int i[2];
};

/*
 * First code on a new stack.  It records a jump target for the first enter,
 * goes straight back to the creator, and from then on runs one entry
 * function per life of the coroutine: a pooled coroutine comes back here.
 */
static void coroutine_trampoline(int i0, int i1)
{
    union trampoline_arg arg = { .i = { i0, i1 } };
    Coroutine *co = arg.p;
    sigjmp_buf *creator = co->entry_arg;

    finish_switch_fiber(NULL);
    if (!sigsetjmp(co->env, 0)) {
        Coroutine *self = co_thread_get()->current;
        start_switch_fiber(COROUTINE_YIELD, FAKE_STACK(co), self->stack,
                           self->stack_size);
        siglongjmp(*creator, 1);
    }
    finish_switch_fiber(FAKE_STACK_VALUE(co));

    for (;;) {
        co->entry(co->entry_arg);
        coroutine_switch(co, co->caller, COROUTINE_TERMINATE);
    }
}

static Coroutine *coroutine_new(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    Coroutine *co = g_new0(Coroutine, 1);
    ucontext_t uc;
    sigjmp_buf old_env;
    union trampoline_arg arg = { 0 };
#ifdef CONFIG_ASAN
    void *fake_stack_save = NULL;
#endif

    co->map_size = PH_COROUTINE_STACK_SIZE + page;
    co->map = mmap(NULL, co->map_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (co->map == MAP_FAILED) {
        g_error("cannot allocate a coroutine stack: %s", g_strerror(errno));
    }
    /* The guard page sits below the stack, which grows down into it. */
    if (mprotect(co->map, page, PROT_NONE) != 0) {
        g_error("cannot protect a coroutine guard page: %s", g_strerror(errno));
    }
    co->stack = (char *)co->map + page;
    co->stack_size = PH_COROUTINE_STACK_SIZE;
    __atomic_fetch_add(&stacks_allocated, 1, __ATOMIC_RELAXED);

    if (getcontext(&uc) != 0) {
        g_error("getcontext: %s", g_strerror(errno));
    }
    uc.uc_link = NULL; /* the trampoline never returns */
    uc.uc_stack.ss_sp = co->stack;
    uc.uc_stack.ss_size = co->stack_size;
    uc.uc_stack.ss_flags = 0;
    arg.p = co;
    co->entry_arg = &old_env;
    makecontext(&uc, (void (*)(void))coroutine_trampoline, 2, arg.i[0], arg.i[1]);

    if (!sigsetjmp(old_env, 0)) {
#ifdef CONFIG_ASAN
        start_switch_fiber(COROUTINE_YIELD, &fake_stack_save, co->stack,
                           co->stack_size);
#endif
        /* Not swapcontext(): the jump back is the trampoline's siglongjmp,
         * and ASan warns about (and half-supports) swapcontext. */
        setcontext(&uc);
    }
#ifdef CONFIG_ASAN
    finish_switch_fiber(fake_stack_save);
#endif
    return co;
}

static void coroutine_free(Coroutine *co)
{
    munmap(co->map, co->map_size);
    g_free(co);
}

Coroutine *ph_coroutine_create(CoroutineEntry *entry, void *opaque)
{
    CoroutineThread *t = co_thread_get();
    Coroutine *co = STAILQ_FIRST(&t->pool);

    if (co) {
        STAILQ_REMOVE_HEAD(&t->pool, co_queue_next);
        t->pool_size--;
    } else {
        co = coroutine_new();
    }
    co->entry = entry;
    co->entry_arg = opaque;
    co->caller = NULL;
    co->ctx = NULL;
    co->scheduled = NULL;
    co->locks_held = 0;
    STAILQ_INIT(&co->co_queue_wakeup);
    return co;
}

static void coroutine_release(Coroutine *co)
{
    CoroutineThread *t = co_thread_get();

    if (t->pool_size < POOL_MAX) {
        STAILQ_INSERT_HEAD(&t->pool, co, co_queue_next);
        t->pool_size++;
    } else {
        coroutine_free(co);
    }
}

void ph_coroutine_pool_drain(void)
{
    CoroutineThread *t = co_thread_get();
    Coroutine *co;

    while ((co = STAILQ_FIRST(&t->pool)) != NULL) {
        STAILQ_REMOVE_HEAD(&t->pool, co_queue_next);
        coroutine_free(co);
    }
    t->pool_size = 0;
}

unsigned ph_coroutine_pool_size(void)
{
    return co_thread_get()->pool_size;
}

unsigned long ph_coroutine_stacks_allocated(void)
{
    return __atomic_load_n(&stacks_allocated, __ATOMIC_RELAXED);
}

/* Marks coroutines waiting in another coroutine's wakeup list. */
static const char co_wakeup_tag[] = "aio_co_enter";

void ph_coroutine_queue_wakeup(Coroutine *self, Coroutine *co)
{
    const char *old = NULL;

    if (!__atomic_compare_exchange_n(&co->scheduled, &old, co_wakeup_tag, false,
                                     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        fprintf(stderr, "porthole: coroutine %p woken while already scheduled by %s()\n",
                (void *)co, old);
        abort();
    }
    STAILQ_INSERT_TAIL(&self->co_queue_wakeup, co, co_queue_next);
}

void ph_coroutine_enter_internal(AioContext *ctx, Coroutine *co)
{
    CoroutineQueue pending = STAILQ_HEAD_INITIALIZER(pending);
    Coroutine *from = ph_coroutine_self();
    bool direct = true;

    STAILQ_INSERT_TAIL(&pending, co, co_queue_next);
    while (!STAILQ_EMPTY(&pending)) {
        Coroutine *to = STAILQ_FIRST(&pending);
        const char *scheduled = g_atomic_pointer_get(&to->scheduled);
        CoroutineAction ret;

        STAILQ_REMOVE_HEAD(&pending, co_queue_next);
        if (!direct && scheduled == co_wakeup_tag) {
            g_atomic_pointer_set(&to->scheduled, NULL);
        } else if (scheduled) {
            fprintf(stderr, "porthole: coroutine %p entered while it is scheduled by %s()\n",
                    (void *)to, scheduled);
            abort();
        }
        direct = false;
        if (to->caller) {
            fprintf(stderr, "porthole: coroutine %p re-entered while it is running\n",
                    (void *)to);
            abort();
        }
        to->caller = from;
        g_atomic_pointer_set(&to->ctx, ctx);

        ret = coroutine_switch(from, to, COROUTINE_ENTER);

        /* What `to` woke while it ran goes before the rest of our list. */
        STAILQ_CONCAT(&to->co_queue_wakeup, &pending);
        STAILQ_CONCAT(&pending, &to->co_queue_wakeup);

        switch (ret) {
        case COROUTINE_YIELD:
            break;
        case COROUTINE_TERMINATE:
            if (to->locks_held) {
                fprintf(stderr, "porthole: coroutine %p ended holding %u CoMutex(es)\n",
                        (void *)to, to->locks_held);
                abort();
            }
            coroutine_release(to);
            break;
        default:
            abort();
        }
    }
}

void ph_coroutine_enter_ctx(AioContext *ctx, Coroutine *co)
{
    ph_coroutine_enter_internal(ctx, co);
}

void ph_coroutine_enter(Coroutine *co)
{
    ph_coroutine_enter_internal(ph_current_aio_context(), co);
}

void ph_coroutine_enter_if_inactive(Coroutine *co)
{
    if (!ph_coroutine_entered(co)) {
        ph_coroutine_enter(co);
    }
}

void coroutine_fn ph_coroutine_yield(void)
{
    Coroutine *self = ph_coroutine_self();
    Coroutine *to = self->caller;

    if (!to) {
        fprintf(stderr, "porthole: ph_coroutine_yield() called outside a coroutine\n");
        abort();
    }
    self->caller = NULL;
    coroutine_switch(self, to, COROUTINE_YIELD);
}

Coroutine *ph_coroutine_self(void)
{
    return co_thread_get()->current;
}

bool ph_in_coroutine(void)
{
    return co_thread_get()->current->caller != NULL;
}

bool ph_coroutine_entered(Coroutine *co)
{
    return co->caller != NULL;
}

AioContext *ph_coroutine_get_aio_context(Coroutine *co)
{
    return g_atomic_pointer_get(&co->ctx);
}
