/* QmpReturn: the pending reply to one QMP request. */
#pragma once

#include <stdbool.h>

#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct QmpReturn QmpReturn;

/*
 * Completes the request with success.  @value (owned, may be NULL for
 * `{}`) becomes the "return" member.  Callable from any thread and from
 * any callback, exactly once per QmpReturn; the QmpReturn is gone after.
 */
void qmp_return(QmpReturn *ret, JsonNode *value);

/* The same with the "return" value already serialized, as QEMU would
 * print it (@json owned).  Generated marshallers use this: it spares a
 * json-glib tree per reply. */
void qmp_return_text(QmpReturn *ret, GString *json);

/* Completes the request with @error (owned): its message becomes "desc",
 * its QMP_ERROR code (GenericError otherwise) "class". */
void qmp_return_error(QmpReturn *ret, GError *error);

/* True once the session that sent the request is gone: the handler may
 * stop early; completing still frees it and writes nothing. */
bool qmp_return_is_cancelled(QmpReturn *ret);
