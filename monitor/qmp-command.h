/* QmpCommand: one entry of a (generated) command table. */
#pragma once

#include <stddef.h>

#include <json-glib/json-glib.h>

#include "qmp-return.h"

/* The command flags of the schema. */
typedef enum {
    QCO_NO_OPTIONS = 0,
    QCO_NO_SUCCESS_RESP = 1 << 0,   /* 'success-response': false */
    QCO_ALLOW_OOB = 1 << 1,         /* 'allow-oob': true */
    QCO_ALLOW_PRECONFIG = 1 << 2,   /* 'allow-preconfig': true */
    QCO_COROUTINE = 1 << 3,         /* 'coroutine': true */
    QCO_ASYNC = 1 << 4,             /* 'async': true */
} QmpCommandOptions;

/*
 * A marshaller: checks and converts @args (the "arguments" object, NULL
 * when absent), calls the handler and completes @ret exactly once, now or
 * (for async commands) later.  It runs in the dispatcher coroutine for
 * QCO_COROUTINE commands, on the monitor I/O thread for out-of-band ones,
 * else in a bottom half of the main loop.
 */
typedef void QmpMarshalFn(JsonObject *args, QmpReturn *ret);

typedef struct QmpCommand {
    const char *name;
    QmpMarshalFn *fn;
    unsigned options;               /* QmpCommandOptions */
    const char *const *features;    /* NULL-terminated, or NULL */
} QmpCommand;
