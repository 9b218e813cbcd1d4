/* QMP input-send-event and send-key: QEMU 7.2's commands, over the display layer's input routing. */
#include "config.h"

#include <stdint.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "console.h"
#include "input.h"
#include "qapi-builtin-types.h"
#include "qapi-commands.h"
#include "qapi-types.h"
#include "qmp-error.h"
#include "qmp-return.h"

/*
 * The schema generator has no unions yet, and KeyValue and InputEvent are
 * unions: these two commands are 'gen': false and their arguments are
 * checked here, in the order QEMU's input visitor visits them and with
 * its words (the generator's qapi_input_*() helpers word them).
 */

/* send-key's pause when the client names none: the documented 100 ms. */
#define SEND_KEY_DEFAULT_HOLD_MS 100

/* The union tags, which the schema cannot declare. */
static const char *const key_value_kinds[] = { "number", "qcode" };
enum { KEY_VALUE_NUMBER, KEY_VALUE_QCODE };
static const char *const input_event_kinds[] = { "key", "btn", "rel", "abs" };

typedef struct {
    PhInputKind kind;
    /* key */
    int qcode;
    bool down;
    /* btn */
    PhInputButton button;
    /* rel, abs */
    PhInputAxis axis;
    int64_t value;
} ParsedEvent;

/* A union's members: its tag and its variant. */
static const char *const union_members[] = { "type", "data", NULL };

/*
 * The head of a union, read as QEMU's visitor reads it: @node must be an
 * object with a "type" out of @kinds (its index in *@kind) and a "data"
 * (*@data, named by *@data_path, which must live while the data is
 * parsed).  Returns the object for the caller's final check against
 * union_members once the data is parsed; NULL and @error otherwise.
 */
static JsonObject *parse_union_head(const QapiInputPath *path, JsonNode *node,
                                    const char *const *kinds, int n_kinds, int *kind,
                                    QapiInputPath *data_path, JsonNode **data,
                                    GError **error)
{
    JsonObject *obj = qapi_input_object(path, node, error);
    JsonNode *member;

    if (!obj) {
        return NULL;
    }
    *data_path = (QapiInputPath){ path, "type", 0 };
    member = qapi_input_required(data_path, obj, error);
    if (!member || !qapi_input_enum(data_path, member, kinds, n_kinds, kind, error)) {
        return NULL;
    }
    data_path->name = "data";
    *data = qapi_input_required(data_path, obj, error);
    return *data ? obj : NULL;
}

/* A KeyValue, as the QKeyCode QEMU turns it into. */
static bool parse_key_value(const QapiInputPath *path, JsonNode *node, int *qcode,
                            GError **error)
{
    QapiInputPath mpath;
    JsonNode *member;
    int kind;
    JsonObject *obj = parse_union_head(path, node, key_value_kinds,
                                       G_N_ELEMENTS(key_value_kinds), &kind, &mpath,
                                       &member, error);

    if (!obj) {
        return false;
    }
    if (kind == KEY_VALUE_NUMBER) {
        int64_t number;

        if (!qapi_input_int(&mpath, member, &number, error)) {
            return false;
        }
        *qcode = ph_keymap_qnum_to_qcode(number);
    } else {
        QKeyCode q;

        if (!qapi_input_QKeyCode(&mpath, member, &q, error)) {
            return false;
        }
        *qcode = (int)q;
    }
    return qapi_input_check_members(path, obj, union_members, error);
}

/* The "data" of an event: InputKeyEvent, InputBtnEvent or InputMoveEvent. */
static bool parse_event_data(const QapiInputPath *path, JsonNode *node, ParsedEvent *ev,
                             GError **error)
{
    static const char *const key_members[] = { "key", "down", NULL };
    static const char *const btn_members[] = { "button", "down", NULL };
    static const char *const move_members[] = { "axis", "value", NULL };
    QapiInputPath mpath = { path, NULL, 0 };
    JsonObject *obj = qapi_input_object(path, node, error);
    JsonNode *member;

    if (!obj) {
        return false;
    }
    switch (ev->kind) {
    case PH_INPUT_KIND_KEY:
        mpath.name = "key";
        member = qapi_input_required(&mpath, obj, error);
        if (!member || !parse_key_value(&mpath, member, &ev->qcode, error)) {
            return false;
        }
        mpath.name = "down";
        member = qapi_input_required(&mpath, obj, error);
        if (!member || !qapi_input_bool(&mpath, member, &ev->down, error)) {
            return false;
        }
        return qapi_input_check_members(path, obj, key_members, error);
    case PH_INPUT_KIND_BTN: {
        InputButton button;

        mpath.name = "button";
        member = qapi_input_required(&mpath, obj, error);
        if (!member || !qapi_input_InputButton(&mpath, member, &button, error)) {
            return false;
        }
        ev->button = (PhInputButton)button;
        mpath.name = "down";
        member = qapi_input_required(&mpath, obj, error);
        if (!member || !qapi_input_bool(&mpath, member, &ev->down, error)) {
            return false;
        }
        return qapi_input_check_members(path, obj, btn_members, error);
    }
    default: {
        InputAxis axis;

        mpath.name = "axis";
        member = qapi_input_required(&mpath, obj, error);
        if (!member || !qapi_input_InputAxis(&mpath, member, &axis, error)) {
            return false;
        }
        ev->axis = (PhInputAxis)axis;
        mpath.name = "value";
        member = qapi_input_required(&mpath, obj, error);
        if (!member || !qapi_input_int(&mpath, member, &ev->value, error)) {
            return false;
        }
        return qapi_input_check_members(path, obj, move_members, error);
    }
    }
}

static bool parse_event(const QapiInputPath *path, JsonNode *node, ParsedEvent *ev,
                        GError **error)
{
    QapiInputPath mpath;
    JsonNode *member;
    int kind;
    JsonObject *obj = parse_union_head(path, node, input_event_kinds,
                                       G_N_ELEMENTS(input_event_kinds), &kind, &mpath,
                                       &member, error);

    if (!obj) {
        return false;
    }
    ev->kind = (PhInputKind)kind;
    if (!parse_event_data(&mpath, member, ev, error)) {
        return false;
    }
    return qapi_input_check_members(path, obj, union_members, error);
}

/* QEMU's console lookup by device name, as screendump's. */
static bool find_console(const char *device, bool has_head, int64_t head, PhConsole **con,
                         GError **error)
{
    /* QEMU takes the head as a uint32_t and prints it with %d. */
    uint32_t h = has_head ? (uint32_t)head : 0;

    if (!ph_console_device_exists(device)) {
        g_set_error(error, QMP_ERROR, QMP_ERROR_DEVICE_NOT_FOUND, "Device '%s' not found",
                    device);
        return false;
    }
    *con = h <= INT32_MAX ? ph_console_lookup(device, (int)h) : NULL;
    if (!*con) {
        g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                    "Device %s (head %d) is not bound to a QemuConsole", device, (int)h);
        return false;
    }
    return true;
}

static bool input_send_event(JsonObject *args, GError **error)
{
    static const char *const members[] = { "device", "head", "events", NULL };
    const QapiInputPath root = { NULL, NULL, 0 };
    QapiInputPath mpath = { &root, NULL, 0 };
    g_autoptr(JsonNode) args_node = qapi_args_node(args);
    g_autofree char *device = NULL;
    g_autofree ParsedEvent *events = NULL;
    bool has_head = false;
    int64_t head = 0;
    JsonObject *obj = qapi_input_object(&root, args_node, error);
    JsonArray *array;
    JsonNode *member;
    PhConsole *con = NULL;
    guint n;

    if (!obj) {
        return false;
    }
    mpath.name = "device";
    member = json_object_get_member(obj, "device");
    if (member && !qapi_input_str(&mpath, member, &device, error)) {
        return false;
    }
    mpath.name = "head";
    member = json_object_get_member(obj, "head");
    if (member) {
        has_head = true;
        if (!qapi_input_int(&mpath, member, &head, error)) {
            return false;
        }
    }
    mpath.name = "events";
    member = qapi_input_required(&mpath, obj, error);
    if (!member || !(array = qapi_input_array(&mpath, member, error))) {
        return false;
    }
    n = json_array_get_length(array);
    events = g_new0(ParsedEvent, MAX(n, 1u));
    for (guint i = 0; i < n; i++) {
        const QapiInputPath epath = { &mpath, NULL, i };

        if (!parse_event(&epath, json_array_get_element(array, i), &events[i], error)) {
            return false;
        }
    }
    if (!qapi_input_check_members(&root, obj, members, error)) {
        return false;
    }

    /* QEMU's order of checks: the device, the run state, then a handler
     * for every event before any is sent. */
    if (device && !find_console(device, has_head, head, &con, error)) {
        return false;
    }
    if (!ph_input_accepting()) {
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR, "VM not running");
        return false;
    }
    for (guint i = 0; i < n; i++) {
        if (!ph_input_has_handler(con, events[i].kind)) {
            g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                        "Input handler not found for event type %s",
                        input_event_kinds[events[i].kind]);
            return false;
        }
    }
    for (guint i = 0; i < n; i++) {
        const ParsedEvent *ev = &events[i];

        switch (ev->kind) {
        case PH_INPUT_KIND_KEY:
            ph_input_send_qcode(con, ev->qcode, ev->down);
            break;
        case PH_INPUT_KIND_BTN:
            ph_input_send_button(con, ev->button, ev->down);
            break;
        case PH_INPUT_KIND_ABS:
            ph_input_send_abs(con, ev->axis, ev->value);
            break;
        default:
            /* rel: no handler, rejected above. */
            break;
        }
    }
    ph_input_sync();
    return true;
}

void qmp_marshal_input_send_event(JsonObject *args, QmpReturn *ret)
{
    GError *err = NULL;

    if (!input_send_event(args, &err)) {
        qmp_return_error(ret, err);
        return;
    }
    qmp_return(ret, NULL);
}

static bool send_key(JsonObject *args, GError **error)
{
    static const char *const members[] = { "keys", "hold-time", NULL };
    const QapiInputPath root = { NULL, NULL, 0 };
    QapiInputPath mpath = { &root, NULL, 0 };
    g_autoptr(JsonNode) args_node = qapi_args_node(args);
    g_autofree unsigned *codes = NULL;
    JsonObject *obj = qapi_input_object(&root, args_node, error);
    JsonArray *array;
    JsonNode *member;
    int64_t hold_time = SEND_KEY_DEFAULT_HOLD_MS;
    uint32_t delay;
    guint n;

    if (!obj) {
        return false;
    }
    mpath.name = "keys";
    member = qapi_input_required(&mpath, obj, error);
    if (!member || !(array = qapi_input_array(&mpath, member, error))) {
        return false;
    }
    n = json_array_get_length(array);
    codes = g_new0(unsigned, MAX(n, 1u));
    for (guint i = 0; i < n; i++) {
        const QapiInputPath kpath = { &mpath, NULL, i };
        int qcode;

        if (!parse_key_value(&kpath, json_array_get_element(array, i), &qcode, error)) {
            return false;
        }
        codes[i] = ph_keymap_qcode_to_linux(qcode);
    }
    mpath.name = "hold-time";
    member = json_object_get_member(obj, "hold-time");
    if (member && !qapi_input_int(&mpath, member, &hold_time, error)) {
        return false;
    }
    if (!qapi_input_check_members(&root, obj, members, error)) {
        return false;
    }

    /*
     * QEMU: press each key in order with a pause after each, then release
     * them in reverse order, again with a pause after each; the keyboard
     * queue plays it out from a timer.  0 is QEMU's own short default; a
     * negative time (QEMU would wait ~49 days) gets the same.
     */
    delay = hold_time <= 0 ? 0 : (uint32_t)MIN(hold_time, (int64_t)UINT32_MAX);
    for (guint i = 0; i < n; i++) {
        ph_input_queue_key(codes[i], true);
        ph_input_queue_delay(delay);
    }
    for (guint i = n; i > 0; i--) {
        ph_input_queue_key(codes[i - 1], false);
        ph_input_queue_delay(delay);
    }
    return true;
}

void qmp_marshal_send_key(JsonObject *args, QmpReturn *ret)
{
    GError *err = NULL;

    if (!send_key(args, &err)) {
        qmp_return_error(ret, err);
        return;
    }
    qmp_return(ret, NULL);
}
