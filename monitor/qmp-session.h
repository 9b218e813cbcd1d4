/* QMP sessions: socket clients and in-process clients of the one dispatcher. */
#pragma once

#include <stdbool.h>

#include <json-glib/json-glib.h>

typedef struct QmpSession QmpSession;

/*
 * An in-process client (the GUI, the HMP pane): every reply and every
 * event reaches @fn in the main loop, in order.  @message is borrowed.
 * The session starts out negotiated, with no out-of-band support.
 */
typedef void QmpSessionMessageFn(void *opaque, JsonNode *message);

QmpSession *ph_qmp_session_new_local(QmpSessionMessageFn *fn, void *opaque);

/* Queues @request (borrowed) on an in-process session, as a socket client
 * would send it.  Main thread. */
void ph_qmp_session_execute(QmpSession *session, JsonNode *request);

/* Ends the session: its pending commands see qmp_return_is_cancelled(),
 * nothing more is delivered, and it is freed once they are done. */
void ph_qmp_session_close(QmpSession *session);
