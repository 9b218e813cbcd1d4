/* QMP input-send-event and send-key: QEMU 7.2's commands, over the display layer's input routing. */
#include "config.h"

#include <stdint.h>

#include <glib.h>

#include "console.h"
#include "input.h"
#include "qapi-commands.h"
#include "qapi-types.h"
#include "qmp-error.h"

/*
 * The generated marshallers check the arguments (KeyValue and InputEvent
 * are unions) in the order QEMU's input visitor visits them and with its
 * words; these handlers get them converted.  The schema's enums are the
 * display layer's, value for value.
 */
G_STATIC_ASSERT((int)INPUT_EVENT_KIND_KEY == (int)PH_INPUT_KIND_KEY);
G_STATIC_ASSERT((int)INPUT_EVENT_KIND_BTN == (int)PH_INPUT_KIND_BTN);
G_STATIC_ASSERT((int)INPUT_EVENT_KIND_REL == (int)PH_INPUT_KIND_REL);
G_STATIC_ASSERT((int)INPUT_EVENT_KIND_ABS == (int)PH_INPUT_KIND_ABS);
G_STATIC_ASSERT((int)INPUT_EVENT_KIND__MAX == (int)PH_INPUT_KIND__MAX);
G_STATIC_ASSERT((int)INPUT_BUTTON_WHEEL_RIGHT == (int)PH_INPUT_BUTTON_WHEEL_RIGHT);
G_STATIC_ASSERT((int)INPUT_BUTTON__MAX == (int)PH_INPUT_BUTTON__MAX);
G_STATIC_ASSERT((int)INPUT_AXIS_Y == (int)PH_INPUT_AXIS_Y);
G_STATIC_ASSERT((int)INPUT_AXIS__MAX == (int)PH_INPUT_AXIS__MAX);

/* send-key's pause when the client names none: the documented 100 ms. */
#define SEND_KEY_DEFAULT_HOLD_MS 100

/* A KeyValue, as the QKeyCode QEMU turns it into. */
static int key_value_to_qcode(const KeyValue *key)
{
    if (key->type == KEY_VALUE_KIND_NUMBER) {
        return ph_keymap_qnum_to_qcode(key->u.number.data);
    }
    return (int)key->u.qcode.data;
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

bool qmp_input_send_event(bool has_device, const char *device, bool has_head, int64_t head,
                          InputEventList *events, GError **error)
{
    PhConsole *con = NULL;

    /* QEMU's order of checks: the device, the run state, then a handler
     * for every event before any is sent. */
    if (has_device && !find_console(device, has_head, head, &con, error)) {
        return false;
    }
    if (!ph_input_accepting()) {
        g_set_error_literal(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR, "VM not running");
        return false;
    }
    for (const InputEventList *l = events; l; l = l->next) {
        if (!ph_input_has_handler(con, (PhInputKind)l->value->type)) {
            g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                        "Input handler not found for event type %s",
                        InputEventKind_str[l->value->type]);
            return false;
        }
    }
    for (const InputEventList *l = events; l; l = l->next) {
        const InputEvent *ev = l->value;

        switch (ev->type) {
        case INPUT_EVENT_KIND_KEY:
            ph_input_send_qcode(con, key_value_to_qcode(ev->u.key.data->key),
                                ev->u.key.data->down);
            break;
        case INPUT_EVENT_KIND_BTN:
            ph_input_send_button(con, (PhInputButton)ev->u.btn.data->button,
                                 ev->u.btn.data->down);
            break;
        case INPUT_EVENT_KIND_ABS:
            ph_input_send_abs(con, (PhInputAxis)ev->u.abs.data->axis, ev->u.abs.data->value);
            break;
        default:
            /* rel: no handler, rejected above. */
            break;
        }
    }
    ph_input_sync();
    return true;
}

bool qmp_send_key(KeyValueList *keys, bool has_hold_time, int64_t hold_time, GError **error)
{
    g_autofree unsigned *codes = NULL;
    uint32_t delay;
    guint n = 0;

    for (const KeyValueList *l = keys; l; l = l->next) {
        n++;
    }
    codes = g_new0(unsigned, MAX(n, 1u));
    n = 0;
    for (const KeyValueList *l = keys; l; l = l->next) {
        codes[n++] = ph_keymap_qcode_to_linux(key_value_to_qcode(l->value));
    }
    if (!has_hold_time) {
        hold_time = SEND_KEY_DEFAULT_HOLD_MS;
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
