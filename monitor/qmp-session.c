/* QMP sessions: request queues, replies in request order, QmpReturn, events, local clients. */
#include "config.h"

#include <gio/gio.h>

#include "aio.h"
#include "json-writer.h"
#include "qmp-error.h"
#include "qmp-event.h"
#include "qmp-session-int.h"

G_DEFINE_QUARK(ph-qmp-error-quark, ph_qmp_error)

const char *ph_qmp_error_class_name(const GError *error)
{
    static const char *const names[] = {
        [QMP_ERROR_GENERIC_ERROR] = "GenericError",
        [QMP_ERROR_COMMAND_NOT_FOUND] = "CommandNotFound",
        [QMP_ERROR_DEVICE_NOT_FOUND] = "DeviceNotFound",
        [QMP_ERROR_DEVICE_NOT_ACTIVE] = "DeviceNotActive",
    };

    if (error->domain == QMP_ERROR && error->code >= 0 &&
        (size_t)error->code < G_N_ELEMENTS(names)) {
        return names[error->code];
    }
    return "GenericError";
}

void ph_qmp_session_init(QmpSession *s, const QmpSessionOps *ops, void *transport,
                         bool negotiated)
{
    s->refcount = 1;
    s->ops = ops;
    s->transport = transport;
    g_mutex_init(&s->lock);
    s->negotiated = negotiated;
    g_queue_init(&s->requests);
    g_queue_init(&s->slots);
}

QmpSession *ph_qmp_session_ref(QmpSession *s)
{
    g_atomic_int_inc(&s->refcount);
    return s;
}

static GMutex graveyard_lock;
static GPtrArray *graveyard;    /* JsonNode *, a reference each */

void ph_qmp_node_release(JsonNode *node, bool parsed_elsewhere)
{
    if (!parsed_elsewhere) {
        json_node_unref(node);
        return;
    }
    g_mutex_lock(&graveyard_lock);
    if (!graveyard) {
        graveyard = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
    }
    g_ptr_array_add(graveyard, node);
    g_mutex_unlock(&graveyard_lock);
}

void ph_qmp_node_graveyard_drain(void)
{
    GPtrArray *dead;

    g_mutex_lock(&graveyard_lock);
    dead = graveyard;
    graveyard = NULL;
    g_mutex_unlock(&graveyard_lock);
    if (dead) {
        g_ptr_array_unref(dead);
    }
}

static void request_free(QmpRequest *req)
{
    if (req->node) {
        ph_qmp_node_release(g_steal_pointer(&req->node), req->session->ops->parsed_elsewhere);
    }
    g_clear_error(&req->parse_error);
    g_clear_pointer(&req->session, ph_qmp_session_unref);
    g_free(req);
}

static void slot_free(ReplySlot *slot)
{
    g_clear_pointer(&slot->msg, json_node_unref);
    if (slot->text) {
        g_string_free(slot->text, TRUE);
    }
    g_free(slot);
}

void ph_qmp_session_unref(QmpSession *s)
{
    if (g_atomic_int_dec_and_test(&s->refcount)) {
        s->ops->finalize(s);
    }
}

void ph_qmp_session_destroy(QmpSession *s)
{
    g_assert(g_queue_is_empty(&s->requests));
    g_queue_clear_full(&s->slots, (GDestroyNotify)slot_free);
    g_mutex_clear(&s->lock);
    g_free(s);
}

void ph_qmp_session_mark_closed(QmpSession *s)
{
    GQueue dropped = G_QUEUE_INIT;
    QmpRequest *req;

    ph_qmp_sessions_remove(s);
    g_mutex_lock(&s->lock);
    s->closed = true;
    /* Requests never dispatched are simply dropped; their slots stay until
     * the commands already running complete (and write nothing). */
    while ((req = g_queue_pop_head(&s->requests)) != NULL) {
        g_queue_push_tail(&dropped, req);
    }
    g_mutex_unlock(&s->lock);
    while ((req = g_queue_pop_head(&dropped)) != NULL) {
        request_free(req);
    }
}

bool ph_qmp_session_is_closed(QmpSession *s)
{
    bool closed;

    if (!s) {
        return false;
    }
    g_mutex_lock(&s->lock);
    closed = s->closed;
    g_mutex_unlock(&s->lock);
    return closed;
}

static bool input_full_locked(QmpSession *s)
{
    bool full = s->queued >= QMP_REQ_QUEUE_LEN_MAX ||
                g_queue_get_length(&s->slots) >= QMP_REPLIES_PENDING_MAX;

    if (full) {
        s->input_blocked = true;
    }
    return full;
}

bool ph_qmp_session_input_full(QmpSession *s)
{
    bool full;

    g_mutex_lock(&s->lock);
    full = input_full_locked(s);
    g_mutex_unlock(&s->lock);
    return full;
}

/* Whether a blocked reader may go on now; lock held. */
static bool resume_due_locked(QmpSession *s)
{
    if (s->input_blocked && !s->closed && s->queued <= QMP_REQ_QUEUE_LEN_MAX / 2 &&
        g_queue_get_length(&s->slots) <= QMP_REPLIES_PENDING_MAX / 2) {
        s->input_blocked = false;
        return true;
    }
    return false;
}

static bool is_oob_request(JsonNode *node)
{
    JsonObject *obj;

    if (!node || !JSON_NODE_HOLDS_OBJECT(node)) {
        return false;
    }
    obj = json_node_get_object(node);
    return json_object_has_member(obj, "exec-oob") && !json_object_has_member(obj, "execute");
}

bool ph_qmp_session_input(QmpSession *s, JsonNode *node, GError *parse_error)
{
    QmpRequest *req;
    bool full;

    if (!parse_error && is_oob_request(node)) {
        /* Out-of-band: runs now, on this thread, its reply not ordered. */
        ph_qmp_dispatch_oob(s, node);
        json_node_unref(node);
        return ph_qmp_session_input_full(s);
    }

    req = g_new0(QmpRequest, 1);
    req->session = ph_qmp_session_ref(s);
    req->node = node;
    req->parse_error = parse_error;
    req->slot = g_new0(ReplySlot, 1);

    g_mutex_lock(&s->lock);
    if (s->closed) {
        g_mutex_unlock(&s->lock);
        slot_free(req->slot);
        request_free(req);
        return false;
    }
    g_queue_push_tail(&s->slots, req->slot);
    g_queue_push_tail(&s->requests, req);
    s->queued++;
    full = input_full_locked(s);
    g_mutex_unlock(&s->lock);
    ph_qmp_dispatcher_kick();
    return full;
}

static __thread unsigned cork_depth;
static __thread GPtrArray *corked;      /* QmpSession *, a reference each */

void ph_qmp_session_output_locked(QmpSession *s, JsonNode *msg, const GString *text)
{
    s->ops->output(s, msg, text);
    if (!s->ops->flush) {
        return;
    }
    if (!cork_depth) {
        s->ops->flush(s);
    } else if (!s->flush_queued) {
        s->flush_queued = true;
        if (!corked) {
            corked = g_ptr_array_new();
        }
        g_ptr_array_add(corked, ph_qmp_session_ref(s));
    }
}

void ph_qmp_output_cork(void)
{
    cork_depth++;
}

void ph_qmp_output_uncork(void)
{
    guint i;

    g_assert(cork_depth > 0);
    if (--cork_depth || !corked) {
        return;
    }
    for (i = 0; i < corked->len; i++) {
        QmpSession *s = corked->pdata[i];

        g_mutex_lock(&s->lock);
        s->flush_queued = false;
        if (!s->closed) {
            s->ops->flush(s);
        }
        g_mutex_unlock(&s->lock);
        ph_qmp_session_unref(s);
    }
    g_ptr_array_set_size(corked, 0);
}

/* Sends the replies at the head of the order that are complete.  Lock held. */
static void flush_slots_locked(QmpSession *s)
{
    ReplySlot *slot;

    while ((slot = g_queue_peek_head(&s->slots)) != NULL && slot->complete) {
        g_queue_pop_head(&s->slots);
        if ((slot->msg || slot->text) && !s->closed) {
            ph_qmp_session_output_locked(s, slot->msg, slot->text);
        }
        slot_free(slot);
    }
}

/* Completes @slot with @msg or @text (both owned, at most one set). */
static void complete(QmpSession *s, ReplySlot *slot, JsonNode *msg, GString *text)
{
    bool resume = false;

    g_mutex_lock(&s->lock);
    if (!slot) {
        if ((msg || text) && !s->closed) {
            ph_qmp_session_output_locked(s, msg, text);
        }
        if (msg) {
            json_node_unref(msg);
        }
        if (text) {
            g_string_free(text, TRUE);
        }
    } else {
        slot->msg = msg;
        slot->text = text;
        slot->complete = true;
        flush_slots_locked(s);
        resume = resume_due_locked(s);
    }
    g_mutex_unlock(&s->lock);
    if (resume && s->ops->resume_read) {
        s->ops->resume_read(s);
    }
}

void ph_qmp_session_complete(QmpSession *s, ReplySlot *slot, JsonNode *msg)
{
    complete(s, slot, msg, NULL);
}

void ph_qmp_session_complete_text(QmpSession *s, ReplySlot *slot, GString *text)
{
    complete(s, slot, NULL, text);
}

QmpRequest *ph_qmp_session_pop_request(QmpSession *s)
{
    QmpRequest *req;
    bool resume = false;

    g_mutex_lock(&s->lock);
    req = g_queue_pop_head(&s->requests);
    if (req) {
        s->queued--;
        resume = resume_due_locked(s);
    }
    g_mutex_unlock(&s->lock);
    if (resume && s->ops->resume_read) {
        s->ops->resume_read(s);
    }
    return req;
}

void ph_qmp_request_free(QmpRequest *req)
{
    request_free(req);
}

/* ---- replies ---------------------------------------------------------- */

struct QmpReturn {
    QmpSession *session;    /* reference */
    JsonNode *id;           /* owned, may be NULL */
    ReplySlot *slot;        /* NULL: out-of-band, sent at once */
    unsigned options;
};

QmpReturn *ph_qmp_return_new(QmpSession *s, JsonNode *id, ReplySlot *slot,
                             unsigned options)
{
    QmpReturn *ret = g_new0(QmpReturn, 1);

    ret->session = ph_qmp_session_ref(s);
    ret->id = id;
    ret->slot = slot;
    ret->options = options;
    return ret;
}

static void qmp_return_free(QmpReturn *ret)
{
    g_clear_pointer(&ret->id, json_node_unref);
    ph_qmp_session_unref(ret->session);
    g_free(ret);
}

static JsonNode *build_message(const char *key, JsonNode *value, JsonNode *id)
{
    JsonObject *obj = json_object_new();
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);

    json_object_set_member(obj, key, value);
    if (id) {
        json_object_set_member(obj, "id", json_node_copy(id));
    }
    json_node_take_object(node, obj);
    return node;
}

JsonNode *ph_qmp_build_error(const GError *error, JsonNode *id)
{
    JsonObject *err = json_object_new();
    JsonNode *err_node = json_node_new(JSON_NODE_OBJECT);

    json_object_set_string_member(err, "class", ph_qmp_error_class_name(error));
    json_object_set_string_member(err, "desc", error->message);
    json_node_take_object(err_node, err);
    return build_message("error", err_node, id);
}

void qmp_return(QmpReturn *ret, JsonNode *value)
{
    JsonNode *msg = NULL;

    if (!(ret->options & QCO_NO_SUCCESS_RESP)) {
        if (!value) {
            value = json_node_new(JSON_NODE_OBJECT);
            json_node_take_object(value, json_object_new());
        }
        msg = build_message("return", value, ret->id);
    } else if (value) {
        json_node_unref(value);
    }
    ph_qmp_session_complete(ret->session, ret->slot, msg);
    qmp_return_free(ret);
}

void qmp_return_text(QmpReturn *ret, GString *json)
{
    GString *msg = NULL;

    if (!(ret->options & QCO_NO_SUCCESS_RESP)) {
        /* QEMU's member order for a reply: "return", then "id". */
        msg = json;
        g_string_prepend(msg, "{\"return\": ");
        if (ret->id) {
            g_string_append(msg, ", \"id\": ");
            ph_json_write(msg, ret->id);
        }
        g_string_append_c(msg, '}');
    } else {
        g_string_free(json, TRUE);
    }
    ph_qmp_session_complete_text(ret->session, ret->slot, msg);
    qmp_return_free(ret);
}

void qmp_return_error(QmpReturn *ret, GError *error)
{
    ph_qmp_session_complete(ret->session, ret->slot, ph_qmp_build_error(error, ret->id));
    g_error_free(error);
    qmp_return_free(ret);
}

bool qmp_return_is_cancelled(QmpReturn *ret)
{
    return ph_qmp_session_is_closed(ret->session);
}

/* ---- in-process sessions ------------------------------------------------- */

/*
 * Rebuilds every object of @node with its members inserted in reverse
 * order.  QEMU's QDict lists the newest of two members that share a hash
 * bucket first, and so does ph_json_write(); a tree parsed from QEMU-ordered
 * text therefore needs its members the other way round to print as that
 * text again.
 */
static JsonNode *qemu_order_tree(JsonNode *node)
{
    if (JSON_NODE_HOLDS_OBJECT(node)) {
        JsonObject *in = json_node_get_object(node);
        g_autoptr(GList) members = json_object_get_members(in);
        JsonObject *out = json_object_new();
        JsonNode *res = json_node_new(JSON_NODE_OBJECT);
        GList *l;

        for (l = g_list_last(members); l; l = l->prev) {
            json_object_set_member(out, l->data,
                                   qemu_order_tree(json_object_get_member(in, l->data)));
        }
        json_node_take_object(res, out);
        return res;
    }
    if (JSON_NODE_HOLDS_ARRAY(node)) {
        JsonArray *in = json_node_get_array(node);
        JsonArray *out = json_array_sized_new(json_array_get_length(in));
        JsonNode *res = json_node_new(JSON_NODE_ARRAY);
        guint i;

        for (i = 0; i < json_array_get_length(in); i++) {
            json_array_add_element(out, qemu_order_tree(json_array_get_element(in, i)));
        }
        json_node_take_array(res, out);
        return res;
    }
    return json_node_copy(node);
}

typedef struct LocalTransport {
    QmpSessionMessageFn *fn;
    void *opaque;
    GQueue inbox;           /* JsonNode *, protected by the session lock */
    PhBH *deliver_bh;       /* main context */
    QmpSession *session;
} LocalTransport;

static void local_output(QmpSession *s, JsonNode *msg, const GString *text)
{
    LocalTransport *t = s->transport;

    g_autoptr(JsonNode) parsed = msg ? NULL : json_from_string(text->str, NULL);

    /* In-process clients get trees: a serialized reply is turned back into
     * one (our own output, so it always parses), in an order that prints
     * the same again. */
    g_return_if_fail(msg || parsed);
    g_queue_push_tail(&t->inbox, msg ? json_node_ref(msg) : qemu_order_tree(parsed));
    ph_bh_schedule(t->deliver_bh);
}

static void local_finalize(QmpSession *s)
{
    LocalTransport *t = s->transport;

    g_queue_clear_full(&t->inbox, (GDestroyNotify)json_node_unref);
    ph_bh_delete(t->deliver_bh);
    g_free(t);
    ph_qmp_session_destroy(s);
}

static const QmpSessionOps local_ops = {
    .output = local_output,
    .finalize = local_finalize,
};

static void local_deliver_bh(void *opaque)
{
    LocalTransport *t = opaque;
    QmpSession *s = t->session;

    for (;;) {
        JsonNode *msg;
        bool closed;

        g_mutex_lock(&s->lock);
        msg = g_queue_pop_head(&t->inbox);
        closed = s->closed;
        g_mutex_unlock(&s->lock);
        if (!msg) {
            break;
        }
        if (!closed) {
            t->fn(t->opaque, msg);
        }
        json_node_unref(msg);
    }
}

QmpSession *ph_qmp_session_new_local(QmpSessionMessageFn *fn, void *opaque)
{
    QmpSession *s = g_new0(QmpSession, 1);
    LocalTransport *t = g_new0(LocalTransport, 1);

    t->fn = fn;
    t->opaque = opaque;
    t->session = s;
    g_queue_init(&t->inbox);
    t->deliver_bh = aio_bh_new(ph_main_aio_context(), local_deliver_bh, t);
    ph_qmp_session_init(s, &local_ops, t, true);
    ph_qmp_sessions_add(s);
    return s;
}

void ph_qmp_session_execute(QmpSession *session, JsonNode *request)
{
    ph_qmp_session_input(session, json_node_copy(request), NULL);
}

void ph_qmp_session_close(QmpSession *session)
{
    ph_qmp_session_mark_closed(session);
    ph_qmp_session_unref(session);
}
