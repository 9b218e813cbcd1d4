/* Input routing: the guest's keyboard and tablet behind display consoles, as QEMU's input core. */
#include "config.h"

#include "input.h"

#include "vm-state.h"

/* What is attached to one console.  Main thread only. */
typedef struct {
    PhConsole *con;
    /* The console's name, to tell whether @con still exists without
     * touching it: a console freed behind our back is not in the list. */
    char *device_id;
    unsigned head;
    PhVirtioInput *keyboard;
    PhVirtioInput *tablet;
    /* The tablet's position; sent on sync when @abs_dirty. */
    unsigned abs[PH_INPUT_AXIS__MAX];
    bool abs_dirty;
} Attachment;

typedef enum {
    QUEUE_DELAY,
    QUEUE_KEY,
} QueueItemType;

typedef struct {
    QueueItemType type;
    unsigned code;     /* QUEUE_KEY: Linux key code */
    bool down;
    uint32_t delay_ms; /* QUEUE_DELAY */
} QueueItem;

/* QEMU's limit on the keyboard queue, and its pause when none is given. */
#define QUEUE_LIMIT 1024
#define QUEUE_DEFAULT_DELAY_MS 10

static GPtrArray *attachments;   /* of Attachment *, in attach order */
static GQueue key_queue = G_QUEUE_INIT;
/* The pause at the head of the queue: a GLib timeout on the main context
 * (no AioContext reference to drop at exit); 0 when none runs. */
static guint key_timer;

static void attachment_free(gpointer p)
{
    Attachment *a = p;

    g_free(a->device_id);
    g_free(a);
}

static bool attachment_alive(Attachment *a)
{
    return ph_console_lookup(a->device_id, (int)a->head) == a->con;
}

/* Forgets attachments whose console is gone. */
static void prune(void)
{
    if (!attachments) {
        return;
    }
    for (guint i = attachments->len; i > 0; i--) {
        if (!attachment_alive(g_ptr_array_index(attachments, i - 1))) {
            g_ptr_array_remove_index(attachments, i - 1);
        }
    }
}

static Attachment *find_attachment(PhConsole *con)
{
    prune();
    if (!attachments || !con) {
        return NULL;
    }
    for (guint i = 0; i < attachments->len; i++) {
        Attachment *a = g_ptr_array_index(attachments, i);

        if (a->con == con) {
            return a;
        }
    }
    return NULL;
}

static bool has_device(Attachment *a, PhInputKind kind)
{
    switch (kind) {
    case PH_INPUT_KIND_KEY:
        return a->keyboard != NULL;
    case PH_INPUT_KIND_BTN:
    case PH_INPUT_KIND_ABS:
        return a->tablet != NULL;
    default:
        return false;
    }
}

/* QEMU's handler search: @con's own device, else the first console (in
 * console order) that has one. */
static Attachment *route(PhConsole *con, PhInputKind kind)
{
    Attachment *own = find_attachment(con);
    Attachment *best = NULL;

    if (own && has_device(own, kind)) {
        return own;
    }
    if (!attachments) {
        return NULL;
    }
    for (guint i = 0; i < attachments->len; i++) {
        Attachment *a = g_ptr_array_index(attachments, i);

        if (has_device(a, kind) &&
            (!best || ph_console_index(a->con) < ph_console_index(best->con))) {
            best = a;
        }
    }
    return best;
}

void ph_console_set_input(PhConsole *con, PhVirtioInput *keyboard, PhVirtioInput *tablet)
{
    Attachment *a;

    g_return_if_fail(con != NULL);
    a = find_attachment(con);
    if (!keyboard && !tablet) {
        if (a) {
            g_ptr_array_remove(attachments, a);
        }
        return;
    }
    if (!a) {
        if (!attachments) {
            attachments = g_ptr_array_new_with_free_func(attachment_free);
        }
        a = g_new0(Attachment, 1);
        a->con = con;
        a->device_id = g_strdup(ph_console_device_id(con));
        a->head = ph_console_head(con);
        g_ptr_array_add(attachments, a);
    }
    a->keyboard = keyboard;
    a->tablet = tablet;
    a->abs_dirty = false;
}

PhVirtioInput *ph_console_get_keyboard(PhConsole *con)
{
    Attachment *a = find_attachment(con);

    return a ? a->keyboard : NULL;
}

PhVirtioInput *ph_console_get_tablet(PhConsole *con)
{
    Attachment *a = find_attachment(con);

    return a ? a->tablet : NULL;
}

bool ph_input_has_handler(PhConsole *con, PhInputKind kind)
{
    return route(con, kind) != NULL;
}

bool ph_input_accepting(void)
{
    PhRunState s = ph_vm_get_runstate();

    return s == PH_RUN_STATE_RUNNING || s == PH_RUN_STATE_SUSPENDED;
}

void ph_input_send_key(PhConsole *con, unsigned linux_code, bool down)
{
    Attachment *a;

    if (!ph_input_accepting() || linux_code == 0 || linux_code > PH_INPUT_KEY_MAX) {
        return;
    }
    a = route(con, PH_INPUT_KIND_KEY);
    if (a) {
        ph_virtio_input_send_key(a->keyboard, linux_code, down);
    }
}

void ph_input_send_qcode(PhConsole *con, int qcode, bool down)
{
    /* Unmapped codes send nothing, as QEMU's virtio keyboard. */
    unsigned code = ph_keymap_qcode_to_linux(qcode);

    if (code) {
        ph_input_send_key(con, code, down);
    }
}

/* Motion waiting for a sync goes before anything else of that tablet, so
 * that a click lands where the batch moved the pointer to. */
static void flush_abs(Attachment *a)
{
    if (a->abs_dirty) {
        a->abs_dirty = false;
        ph_virtio_input_send_abs(a->tablet, a->abs[PH_INPUT_AXIS_X], a->abs[PH_INPUT_AXIS_Y]);
    }
}

void ph_input_send_button(PhConsole *con, PhInputButton button, bool down)
{
    static const unsigned short codes[PH_INPUT_BUTTON__MAX] = {
        [PH_INPUT_BUTTON_LEFT] = PH_INPUT_BTN_LEFT,
        [PH_INPUT_BUTTON_MIDDLE] = PH_INPUT_BTN_MIDDLE,
        [PH_INPUT_BUTTON_RIGHT] = PH_INPUT_BTN_RIGHT,
        [PH_INPUT_BUTTON_WHEEL_UP] = PH_INPUT_BTN_GEAR_UP,
        [PH_INPUT_BUTTON_WHEEL_DOWN] = PH_INPUT_BTN_GEAR_DOWN,
        [PH_INPUT_BUTTON_SIDE] = PH_INPUT_BTN_SIDE,
        [PH_INPUT_BUTTON_EXTRA] = PH_INPUT_BTN_EXTRA,
        /* QEMU 7.2's tablet has no horizontal wheel: left/right send
         * nothing. */
    };
    Attachment *a;

    if (!ph_input_accepting() || (unsigned)button >= PH_INPUT_BUTTON__MAX) {
        return;
    }
    a = route(con, PH_INPUT_KIND_BTN);
    if (!a) {
        return;
    }
    flush_abs(a);
    /* QEMU 7.2's tablet: a wheel press is one REL_WHEEL step; its release
     * goes out as the gear button's release. */
    if (down && button == PH_INPUT_BUTTON_WHEEL_UP) {
        ph_virtio_input_send_wheel(a->tablet, 1);
    } else if (down && button == PH_INPUT_BUTTON_WHEEL_DOWN) {
        ph_virtio_input_send_wheel(a->tablet, -1);
    } else if (codes[button]) {
        ph_virtio_input_send_button(a->tablet, codes[button], down);
    }
}

void ph_input_send_abs(PhConsole *con, PhInputAxis axis, int64_t value)
{
    Attachment *a;

    if (!ph_input_accepting() || (unsigned)axis >= PH_INPUT_AXIS__MAX) {
        return;
    }
    a = route(con, PH_INPUT_KIND_ABS);
    if (!a) {
        return;
    }
    a->abs[axis] = (unsigned)CLAMP(value, 0, PH_INPUT_ABS_MAX);
    a->abs_dirty = true;
}

void ph_input_send_wheel(PhConsole *con, int delta)
{
    Attachment *a;

    if (!ph_input_accepting() || delta == 0) {
        return;
    }
    a = route(con, PH_INPUT_KIND_BTN);
    if (a) {
        flush_abs(a);
        ph_virtio_input_send_wheel(a->tablet, delta);
    }
}

void ph_input_sync(void)
{
    prune();
    if (!attachments) {
        return;
    }
    for (guint i = 0; i < attachments->len; i++) {
        Attachment *a = g_ptr_array_index(attachments, i);

        if (a->tablet) {
            flush_abs(a);
        }
    }
}

unsigned ph_input_abs_from_pixel(int pixel, int size)
{
    uint64_t v;

    if (size <= 0) {
        return 0;
    }
    pixel = CLAMP(pixel, 0, size - 1);
    /* The pixel's centre: the guest's floor(v * size / 32768) then lands
     * on @pixel exactly for any size up to 32768. */
    v = ((uint64_t)pixel * 2 + 1) * (PH_INPUT_ABS_MAX + 1) / ((uint64_t)size * 2);
    return (unsigned)MIN(v, (uint64_t)PH_INPUT_ABS_MAX);
}

/* ---- the keyboard queue (QEMU's kbd_queue, for send-key) ---- */

static gboolean queue_process(gpointer opaque);

static void queue_arm(uint32_t delay_ms)
{
    key_timer = g_timeout_add(delay_ms, queue_process, NULL);
}

/* The pause at the head is over: play what follows, up to the next one. */
static gboolean queue_process(gpointer opaque)
{
    QueueItem *item = g_queue_pop_head(&key_queue);

    key_timer = 0;
    g_free(item);
    while ((item = g_queue_peek_head(&key_queue))) {
        if (item->type == QUEUE_DELAY) {
            queue_arm(item->delay_ms);
            break;
        }
        g_queue_pop_head(&key_queue);
        ph_input_send_key(NULL, item->code, item->down);
        g_free(item);
    }
    return G_SOURCE_REMOVE;
}

void ph_input_queue_key(unsigned linux_code, bool down)
{
    if (g_queue_is_empty(&key_queue)) {
        ph_input_send_key(NULL, linux_code, down);
    } else if (g_queue_get_length(&key_queue) < QUEUE_LIMIT) {
        QueueItem *item = g_new0(QueueItem, 1);

        item->type = QUEUE_KEY;
        item->code = linux_code;
        item->down = down;
        g_queue_push_tail(&key_queue, item);
    }
}

void ph_input_queue_delay(uint32_t delay_ms)
{
    QueueItem *item;
    bool start;

    if (!ph_input_accepting() || g_queue_get_length(&key_queue) >= QUEUE_LIMIT) {
        return;
    }
    start = g_queue_is_empty(&key_queue);
    item = g_new0(QueueItem, 1);
    item->type = QUEUE_DELAY;
    item->delay_ms = delay_ms ? delay_ms : QUEUE_DEFAULT_DELAY_MS;
    g_queue_push_tail(&key_queue, item);
    if (start) {
        queue_arm(item->delay_ms);
    }
}

unsigned ph_input_queue_length(void)
{
    return g_queue_get_length(&key_queue);
}

void ph_input_reset(void)
{
    g_queue_clear_full(&key_queue, g_free);
    g_clear_handle_id(&key_timer, g_source_remove);
    g_clear_pointer(&attachments, g_ptr_array_unref);
}
