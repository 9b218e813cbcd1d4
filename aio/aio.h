/* The aio layer in one include: contexts, coroutines, locks, channels. */
#pragma once

#include "aio-context.h"
#include "channel.h"
#include "co-mutex.h"
#include "co-queue.h"
#include "coroutine.h"
#include "iothread.h"
