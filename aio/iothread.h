/* PhIOThread: a thread that runs its own AioContext (the monitor I/O thread). */
#pragma once

#include <glib.h>

#include "aio-context.h"

typedef struct PhIOThread PhIOThread;

/* Starts the thread; its AioContext is its home context. */
PhIOThread *ph_iothread_new(const char *name);
AioContext *ph_iothread_get_aio_context(PhIOThread *iothread);

/* Stops the loop after what is due has run, joins and frees the thread. */
void ph_iothread_free(PhIOThread *iothread);
