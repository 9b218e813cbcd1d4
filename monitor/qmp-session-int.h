/* Session internals shared by the dispatcher, the socket server and the sessions. */
#pragma once

#include <stdbool.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "qmp-command.h"
#include "qmp-return.h"
#include "qmp-session.h"

/* In-band requests a session may have queued for dispatch; at the limit a
 * socket session stops reading until the dispatcher has taken half. */
#define QMP_REQ_QUEUE_LEN_MAX 8
/* Dispatched requests (async ones, typically) a session may have waiting
 * for their replies before it stops reading, which bounds its memory. */
#define QMP_REPLIES_PENDING_MAX 64

typedef struct QmpSessionOps {
    /* Queues a message for sending: @msg (borrowed), or else @text, the
     * message already serialized.  Session lock held, in order. */
    void (*output)(QmpSession *s, JsonNode *msg, const GString *text);
    /* Sends what output() queued; session lock held.  NULL: output()
     * delivers by itself. */
    void (*flush)(QmpSession *s);
    /* The queue has room again (any thread, lock not held). */
    void (*resume_read)(QmpSession *s);
    /* The last reference is gone: free the transport's part and then (at
     * once or later, from whichever thread is safe) ph_qmp_session_destroy(). */
    void (*finalize)(QmpSession *s);
    /* Requests were parsed on another thread (the monitor I/O thread),
     * which should also free them: see ph_qmp_node_release(). */
    bool parsed_elsewhere;
} QmpSessionOps;

/* A reply's place in the session's reply order. */
typedef struct ReplySlot {
    /* The reply once complete, as a tree or as text; neither if none is
     * sent. */
    JsonNode *msg;
    GString *text;
    bool complete;
} ReplySlot;

typedef struct QmpRequest {
    QmpSession *session;    /* reference */
    JsonNode *node;         /* the message, or NULL after a parse error */
    GError *parse_error;
    ReplySlot *slot;
} QmpRequest;

struct QmpSession {
    int refcount;                   /* atomic */
    const QmpSessionOps *ops;
    void *transport;                /* owned by ops */

    /*
     * Protects everything below.  Taken by the monitor I/O thread (input,
     * out-of-band commands), the main loop (dispatch, completions) and any
     * thread that completes a QmpReturn or emits an event.  Lock order:
     * the dispatcher's session list lock, then this.
     */
    GMutex lock;
    bool negotiated;                /* qmp_capabilities done */
    bool oob;                       /* the "oob" capability is on */
    bool closed;                    /* the client is gone */
    GQueue requests;                /* QmpRequest *, waiting for dispatch */
    GQueue slots;                   /* ReplySlot *, in request order */
    unsigned queued;                /* length of @requests */
    bool flush_queued;              /* in this thread's corked list */
    bool input_blocked;             /* the reader waits for room */
};

void ph_qmp_session_init(QmpSession *s, const QmpSessionOps *ops, void *transport,
                         bool negotiated);
QmpSession *ph_qmp_session_ref(QmpSession *s);
void ph_qmp_session_unref(QmpSession *s);
void ph_qmp_session_destroy(QmpSession *s);

/*
 * Sends a message to @s (lock held, not closed).  While the calling thread
 * has output corked, the sending waits for the uncork, so that a batch of
 * replies leaves in one write.
 */
void ph_qmp_session_output_locked(QmpSession *s, JsonNode *msg, const GString *text);
void ph_qmp_output_cork(void);
void ph_qmp_output_uncork(void);

/* Marks @s closed, drops its queued requests, and unregisters it. */
void ph_qmp_session_mark_closed(QmpSession *s);
/* True once the client of @s is gone (any thread; false for a NULL @s,
 * a command run without a session): long commands stop early then. */
bool ph_qmp_session_is_closed(QmpSession *s);

/* Takes @node (owned) or @parse_error (owned) from the client: runs an
 * out-of-band command at once (caller's thread), or queues it in-band and
 * wakes the dispatcher.  Returns what ph_qmp_session_input_full() would. */
bool ph_qmp_session_input(QmpSession *s, JsonNode *node, GError *parse_error);

/*
 * For the reader: true when the queue (or the replies pending) is full.
 * Then resume_read() is called once it has drained to half, so that a
 * pipelining client is fed in batches rather than one request per wake-up.
 */
bool ph_qmp_session_input_full(QmpSession *s);

/*
 * Drops a reference to a request's node.  A node parsed on the monitor I/O
 * thread goes back there to be freed (ph_qmp_node_graveyard_drain()): a
 * thread that frees what it allocated reuses the memory at once, while
 * freeing it on the main thread costs both threads' allocators.
 */
void ph_qmp_node_release(JsonNode *node, bool parsed_elsewhere);
/* Frees the nodes given back so far (the monitor I/O thread, or anyone
 * once it has stopped). */
void ph_qmp_node_graveyard_drain(void);

/* The next queued request of @s (dispatcher, main thread), or NULL. */
QmpRequest *ph_qmp_session_pop_request(QmpSession *s);
void ph_qmp_request_free(QmpRequest *req);

/* ---- dispatcher (qmp-dispatch.c) ---- */

/* Registers commands (tables stay owned by the caller, static). */
void ph_qmp_register_commands(const QmpCommand *cmds, size_t n);
const QmpCommand *ph_qmp_find_command(const char *name);
/* In registration order. */
GPtrArray *ph_qmp_list_commands(void);

void ph_qmp_dispatcher_start(void);
void ph_qmp_dispatcher_stop(void);

/* Session list for round-robin dispatch and for events. */
void ph_qmp_sessions_add(QmpSession *s);
void ph_qmp_sessions_remove(QmpSession *s);
/* Wakes the dispatcher after a request was queued (any thread). */
void ph_qmp_dispatcher_kick(void);

/* Runs an out-of-band request right away on the calling thread (the
 * monitor I/O thread); its reply is not ordered behind in-band ones. */
void ph_qmp_dispatch_oob(QmpSession *s, JsonNode *node);

/* The session whose command is running in the main loop (NULL outside). */
QmpSession *ph_qmp_current_session(void);

/* Builds the reply messages, QEMU's member order. */
JsonNode *ph_qmp_build_error(const GError *error, JsonNode *id);
void ph_qmp_session_complete(QmpSession *s, ReplySlot *slot, JsonNode *msg);
/* The same with the message already serialized (@text owned). */
void ph_qmp_session_complete_text(QmpSession *s, ReplySlot *slot, GString *text);
QmpReturn *ph_qmp_return_new(QmpSession *s, JsonNode *id, ReplySlot *slot,
                             unsigned options);
