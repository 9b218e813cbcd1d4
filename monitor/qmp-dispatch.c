/* The QMP dispatcher: one coroutine in the iohandler context for every session. */
#include "config.h"

#include <gio/gio.h>

#include "aio.h"
#include "json-writer.h"
#include "qmp-error.h"
#include "qmp-event.h"
#include "qmp-session-int.h"

/* Requests dispatched per trip through the main loop before the
 * dispatcher lets everything else run. */
#define DISPATCH_BATCH 64

/* ---- command registry: written at start-up, read-only after ------------ */

static GHashTable *commands;        /* name -> const QmpCommand * */
static GPtrArray *command_order;    /* const QmpCommand *, registration order */

void ph_qmp_register_commands(const QmpCommand *cmds, size_t n)
{
    size_t i;

    if (!commands) {
        commands = g_hash_table_new(g_str_hash, g_str_equal);
        command_order = g_ptr_array_new();
    }
    for (i = 0; i < n; i++) {
        if (!g_hash_table_contains(commands, cmds[i].name)) {
            g_ptr_array_add(command_order, (gpointer)&cmds[i]);
        }
        g_hash_table_insert(commands, (gpointer)cmds[i].name, (gpointer)&cmds[i]);
    }
}

const QmpCommand *ph_qmp_find_command(const char *name)
{
    return commands ? g_hash_table_lookup(commands, name) : NULL;
}

GPtrArray *ph_qmp_list_commands(void)
{
    GPtrArray *list = g_ptr_array_new();
    guint i;

    for (i = 0; command_order && i < command_order->len; i++) {
        g_ptr_array_add(list, command_order->pdata[i]);
    }
    return list;
}

static void registry_free(void)
{
    g_clear_pointer(&commands, g_hash_table_unref);
    g_clear_pointer(&command_order, g_ptr_array_unref);
}

/* ---- sessions --------------------------------------------------------- */

/* All live sessions, for round-robin dispatch and events.  The lock comes
 * before any session's lock. */
static GMutex sessions_lock;
static GPtrArray *sessions;         /* QmpSession *, a reference each */
static guint next_session;          /* round-robin position */

void ph_qmp_sessions_add(QmpSession *s)
{
    g_mutex_lock(&sessions_lock);
    if (!sessions) {
        sessions = g_ptr_array_new();
    }
    g_ptr_array_add(sessions, ph_qmp_session_ref(s));
    g_mutex_unlock(&sessions_lock);
}

void ph_qmp_sessions_remove(QmpSession *s)
{
    bool found;

    g_mutex_lock(&sessions_lock);
    found = sessions && g_ptr_array_remove(sessions, s);
    g_mutex_unlock(&sessions_lock);
    if (found) {
        ph_qmp_session_unref(s);
    }
}

/* The next request of any session, taking sessions in turn. */
static QmpRequest *pop_any_request(void)
{
    QmpRequest *req = NULL;
    guint i, n;

    g_mutex_lock(&sessions_lock);
    n = sessions ? sessions->len : 0;
    for (i = 0; i < n && !req; i++) {
        QmpSession *s = sessions->pdata[(next_session + i) % n];

        req = ph_qmp_session_pop_request(s);
        if (req) {
            next_session = (next_session + i + 1) % n;
        }
    }
    g_mutex_unlock(&sessions_lock);
    return req;
}

/* ---- events ----------------------------------------------------------- */

void ph_qmp_event_emit(const char *name, JsonObject *data)
{
    JsonObject *obj = json_object_new();
    JsonObject *ts = json_object_new();
    g_autoptr(JsonNode) msg = json_node_new(JSON_NODE_OBJECT);
    gint64 now = g_get_real_time();
    guint i;

    json_object_set_int_member(ts, "seconds", now / G_USEC_PER_SEC);
    json_object_set_int_member(ts, "microseconds", now % G_USEC_PER_SEC);
    json_object_set_object_member(obj, "timestamp", ts);
    json_object_set_string_member(obj, "event", name);
    if (data) {
        json_object_set_object_member(obj, "data", data);
    }
    json_node_take_object(msg, obj);

    g_mutex_lock(&sessions_lock);
    for (i = 0; sessions && i < sessions->len; i++) {
        QmpSession *s = sessions->pdata[i];

        g_mutex_lock(&s->lock);
        if (s->negotiated && !s->closed) {
            ph_qmp_session_output_locked(s, msg, NULL);
        }
        g_mutex_unlock(&s->lock);
    }
    g_mutex_unlock(&sessions_lock);
}

/* ---- dispatch --------------------------------------------------------- */

static QmpSession *current_session; /* main thread */

QmpSession *ph_qmp_current_session(void)
{
    return current_session;
}

static void reply_error(QmpSession *s, ReplySlot *slot, JsonNode *id, GError *error)
{
    ph_qmp_session_complete(s, slot, ph_qmp_build_error(error, id));
    g_error_free(error);
}

/* Checks one member of a request; false (and @error set) on a fault. */
static bool check_member(const char *name, JsonNode *value, bool allow_oob,
                         const char **command, bool *oob, GError **error)
{
    if (g_str_equal(name, "execute") || (g_str_equal(name, "exec-oob") && allow_oob)) {
        if (!JSON_NODE_HOLDS_VALUE(value) ||
            json_node_get_value_type(value) != G_TYPE_STRING) {
            g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                        "QMP input member '%s' must be a string", name);
            return false;
        }
        if (*command) {
            g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                                "QMP input member 'execute' clashes with 'exec-oob'");
            return false;
        }
        *command = json_node_get_string(value);
        *oob = g_str_equal(name, "exec-oob");
    } else if (g_str_equal(name, "arguments")) {
        if (!JSON_NODE_HOLDS_OBJECT(value)) {
            g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                                "QMP input member 'arguments' must be an object");
            return false;
        }
    } else if (!g_str_equal(name, "id")) {
        g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                    "QMP input member '%s' is unexpected", name);
        return false;
    }
    return true;
}

/*
 * QEMU's checks of a request object.  Returns the command name and sets
 * *@oob, or sets @error.
 */
static const char *check_request(JsonObject *obj, bool allow_oob, bool *oob,
                                 GError **error)
{
    g_autoptr(GList) members = NULL;
    const char *command = NULL;
    JsonObjectIter iter;
    const char *name;
    JsonNode *value;
    bool ok = true;
    GList *l;

    /* A well-formed request passes in any order: check it as it came. */
    json_object_iter_init(&iter, obj);
    while (ok && json_object_iter_next(&iter, &name, &value)) {
        ok = check_member(name, value, allow_oob, &command, oob, NULL);
    }
    if (ok && command) {
        return command;
    }

    /* A faulty one gets the error of its first fault in QEMU's QDict
     * order, which decides between several. */
    members = ph_json_object_get_members_qdict_order(obj);
    command = NULL;
    for (l = members; l; l = l->next) {
        if (!check_member(l->data, json_object_get_member(obj, l->data), allow_oob,
                          &command, oob, error)) {
            return NULL;
        }
    }
    g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                        "QMP input lacks member 'execute'");
    return NULL;
}

static Coroutine *dispatcher_co;
static int dispatcher_sleeping;     /* atomic: 1 while it waits for work */
static bool dispatcher_stopping;    /* main thread */

/* A checked request, ready to run its handler. */
typedef struct {
    const QmpCommand *cmd;
    JsonObject *args;       /* borrowed from node */
    JsonNode *node;         /* reference */
    QmpReturn *ret;
    QmpSession *session;    /* borrowed: ret holds a reference */
    bool parsed_elsewhere;  /* node goes back to the I/O thread */
} Call;

/*
 * Checks @node as QEMU does and prepares its call.  On any error the reply
 * goes out (in its slot) and false is returned.
 */
static bool prepare_call(QmpSession *s, JsonNode *node, ReplySlot *slot, Call *call)
{
    GError *error = NULL;
    JsonObject *obj;
    JsonNode *id_member;
    JsonNode *id = NULL;
    JsonNode *args_node;
    const char *name;
    const QmpCommand *cmd;
    bool oob = false, allow_oob, negotiated;

    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        reply_error(s, slot, NULL,
                    g_error_new_literal(QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                                        "QMP input must be a JSON object"));
        return false;
    }
    obj = json_node_get_object(node);
    id_member = json_object_get_member(obj, "id");
    if (id_member) {
        id = json_node_copy(id_member);
    }

    g_mutex_lock(&s->lock);
    allow_oob = s->oob;
    negotiated = s->negotiated;
    g_mutex_unlock(&s->lock);

    name = check_request(obj, allow_oob, &oob, &error);
    if (!name) {
        goto fail;
    }
    cmd = ph_qmp_find_command(name);
    if (!negotiated && cmd && !g_str_equal(name, "qmp_capabilities")) {
        cmd = NULL;
    }
    if (!cmd) {
        if (!negotiated) {
            error = g_error_new_literal(QMP_ERROR, QMP_ERROR_COMMAND_NOT_FOUND,
                                        "Expecting capabilities negotiation with 'qmp_capabilities'");
        } else {
            error = g_error_new(QMP_ERROR, QMP_ERROR_COMMAND_NOT_FOUND,
                                "The command %s has not been found", name);
        }
        goto fail;
    }
    if (oob && !(cmd->options & QCO_ALLOW_OOB)) {
        error = g_error_new(QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                            "The command %s does not support OOB", name);
        goto fail;
    }
    args_node = json_object_get_member(obj, "arguments");
    call->cmd = cmd;
    call->args = args_node ? json_node_get_object(args_node) : NULL;
    call->node = json_node_ref(node);
    call->ret = ph_qmp_return_new(s, id, slot, cmd->options);
    call->session = s;
    call->parsed_elsewhere = s->ops->parsed_elsewhere;
    return true;

fail:
    reply_error(s, slot, id, error);
    g_clear_pointer(&id, json_node_unref);
    return false;
}

static void run_call(Call *call)
{
    call->cmd->fn(call->args, call->ret);
    ph_qmp_node_release(call->node, call->parsed_elsewhere);
}

void ph_qmp_dispatch_oob(QmpSession *s, JsonNode *node)
{
    Call call;

    if (prepare_call(s, node, NULL, &call)) {
        run_call(&call);
    }
}

/* Plain and async handlers queued by the dispatcher, run in order. */
typedef struct {
    Call calls[DISPATCH_BATCH];
    unsigned n;
} Batch;

/*
 * Runs the batch's handlers from a one-shot bottom half of the main
 * context, outside coroutine context, while the dispatcher waits.
 */
static void batch_bh(void *opaque)
{
    Batch *batch = opaque;
    unsigned i;

    /* Replies of synchronous handlers leave together, after the batch. */
    ph_qmp_output_cork();
    for (i = 0; i < batch->n; i++) {
        current_session = batch->calls[i].session;
        run_call(&batch->calls[i]);
    }
    current_session = NULL;
    ph_qmp_output_uncork();
    aio_co_wake(dispatcher_co);
}

static void coroutine_fn batch_flush(Batch *batch)
{
    if (batch->n) {
        aio_bh_schedule_oneshot(ph_main_aio_context(), batch_bh, batch);
        ph_coroutine_yield();
        batch->n = 0;
    }
}

/* Waits until a request is queued, or the dispatcher should stop. */
static QmpRequest *coroutine_fn wait_request(void)
{
    for (;;) {
        QmpRequest *req = pop_any_request();

        if (req || dispatcher_stopping) {
            return req;
        }
        __atomic_store_n(&dispatcher_sleeping, 1, __ATOMIC_SEQ_CST);
        req = pop_any_request();
        if (!req) {
            ph_coroutine_yield();
            continue;
        }
        if (!__atomic_exchange_n(&dispatcher_sleeping, 0, __ATOMIC_SEQ_CST)) {
            /* Somebody woke us meanwhile: take that wake-up first. */
            ph_coroutine_yield();
        }
        return req;
    }
}

/*
 * In-band requests, one at a time in arrival order (sessions in turn).  A
 * coroutine handler runs right here and may yield; consecutive plain
 * handlers are run together from one bottom half, which keeps their order
 * and saves a trip through the loop for each.
 */
static void coroutine_fn dispatcher_entry(void *opaque)
{
    Batch batch = { .n = 0 };

    for (;;) {
        QmpRequest *req = wait_request();
        unsigned handled = 0;

        while (req) {
            Call call;

            if (req->parse_error) {
                ph_qmp_session_complete(req->session, req->slot,
                                        ph_qmp_build_error(req->parse_error, NULL));
            } else if (prepare_call(req->session, req->node, req->slot, &call)) {
                if (call.cmd->options & QCO_COROUTINE) {
                    batch_flush(&batch);
                    current_session = call.session;
                    run_call(&call);
                    current_session = NULL;
                } else {
                    batch.calls[batch.n++] = call;
                    /* Negotiation changes how the session's next requests
                     * are checked: run it before looking at them. */
                    if (batch.n == DISPATCH_BATCH ||
                        g_str_equal(call.cmd->name, "qmp_capabilities")) {
                        batch_flush(&batch);
                    }
                }
            }
            ph_qmp_request_free(req);
            req = ++handled < DISPATCH_BATCH ? pop_any_request() : NULL;
        }
        batch_flush(&batch);
        if (dispatcher_stopping) {
            break;
        }
        if (handled == DISPATCH_BATCH) {
            /* Let the rest of the loop run between batches. */
            ph_co_yield_to_loop();
        }
    }
    dispatcher_co = NULL;
}

void ph_qmp_dispatcher_kick(void)
{
    if (__atomic_exchange_n(&dispatcher_sleeping, 0, __ATOMIC_SEQ_CST)) {
        aio_co_wake(dispatcher_co);
    }
}

void ph_qmp_dispatcher_start(void)
{
    g_assert(!dispatcher_co);
    dispatcher_stopping = false;
    dispatcher_co = ph_coroutine_create(dispatcher_entry, NULL);
    aio_co_enter(ph_iohandler_aio_context(), dispatcher_co);
}

void ph_qmp_dispatcher_stop(void)
{
    dispatcher_stopping = true;
    ph_qmp_dispatcher_kick();
    registry_free();
}
