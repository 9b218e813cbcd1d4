/* virtio-input keyboard and tablet, as QEMU's virtio-keyboard / virtio-tablet. */
#include "virtio-input.h"

#include <string.h>

/* Config selectors (virtio spec, 5.8.4). */
enum {
    CFG_UNSET = 0x00,
    CFG_ID_NAME = 0x01,
    CFG_ID_SERIAL = 0x02,
    CFG_ID_DEVIDS = 0x03,
    CFG_PROP_BITS = 0x10,
    CFG_EV_BITS = 0x11,
    CFG_ABS_INFO = 0x12,
};

/* Linux input event codes used here. */
#define EV_SYN 0x00
#define EV_KEY 0x01
#define EV_REL 0x02
#define EV_ABS 0x03
#define EV_LED 0x11
#define EV_REP 0x14
#define SYN_REPORT 0
#define REL_WHEEL 0x08
#define ABS_X 0x00
#define ABS_Y 0x01
#define BTN_GEAR_DOWN 0x150
#define BTN_GEAR_UP 0x151
#define BUS_VIRTUAL 0x06

#define EVENTQ 0
#define STATUSQ 1

#define CFG_PAYLOAD 128

/* One config answer: what the driver reads after selecting (select, subsel). */
typedef struct InputConfig {
    uint8_t select, subsel, size;
    uint8_t u[CFG_PAYLOAD];
} InputConfig;

typedef struct InputEvent {
    uint16_t type, code;
    uint32_t value;
} InputEvent;

struct PhVirtioInput {
    PhVirtioDevice vdev;   /* first: the transport hands us this pointer */
    InputConfig *configs;
    unsigned n_configs;
    unsigned config_len;   /* 8 + the largest answer, as QEMU sizes it */
    /* Guarded by vdev.lock. */
    uint8_t select, subsel;
    InputConfig current;   /* the answer to the current select/subsel */
    InputEvent pending[PH_VIRTIO_INPUT_QUEUE_LEN];
    unsigned head, count;
    PhVirtqElem elem;      /* scratch for popping buffers */
};

static PhVirtioInput *to_input(PhVirtioDevice *dev)
{
    return (PhVirtioInput *)dev;
}

static InputConfig *add_config(PhVirtioInput *in, uint8_t select, uint8_t subsel)
{
    in->configs = g_renew(InputConfig, in->configs, in->n_configs + 1);
    InputConfig *c = &in->configs[in->n_configs++];
    memset(c, 0, sizeof(*c));
    c->select = select;
    c->subsel = subsel;
    return c;
}

static void add_string(PhVirtioInput *in, uint8_t select, const char *s)
{
    InputConfig *c = add_config(in, select, 0);
    /* QEMU's size is sizeof() the literal, so it counts the NUL. */
    c->size = (uint8_t)MIN(strlen(s) + 1, (size_t)CFG_PAYLOAD);
    memcpy(c->u, s, c->size);
}

static void add_devids(PhVirtioInput *in, uint16_t product, uint16_t version)
{
    InputConfig *c = add_config(in, CFG_ID_DEVIDS, 0);
    const uint16_t ids[4] = { BUS_VIRTUAL, 0x0627, product, version };
    for (int i = 0; i < 4; i++) {
        c->u[2 * i] = (uint8_t)ids[i];
        c->u[2 * i + 1] = (uint8_t)(ids[i] >> 8);
    }
    c->size = 8;
}

/* A bitmap config whose size is up to its last non-zero byte, as QEMU's
 * virtio_input_extend_config() computes it. */
static InputConfig *add_bitmap(PhVirtioInput *in, uint8_t subsel, const unsigned *bits,
                               unsigned n, uint8_t min_size)
{
    InputConfig *c = add_config(in, CFG_EV_BITS, subsel);
    c->size = min_size;
    for (unsigned i = 0; i < n; i++) {
        if (bits[i] / 8 < CFG_PAYLOAD) {
            c->u[bits[i] / 8] |= (uint8_t)(1u << (bits[i] % 8));
            c->size = (uint8_t)MAX(c->size, bits[i] / 8 + 1);
        }
    }
    return c;
}

static void add_absinfo(PhVirtioInput *in, uint8_t axis)
{
    InputConfig *c = add_config(in, CFG_ABS_INFO, axis);
    /* min 0, max, fuzz 0, flat 0, res 0 (le32 each) */
    uint32_t max = PH_VIRTIO_INPUT_ABS_MAX;
    for (int k = 0; k < 4; k++) {
        c->u[4 + k] = (uint8_t)(max >> (8 * k));
    }
    c->size = 20;
}

/* Selecting fills the answer; an unknown pair answers all zeroes,
 * select and subsel included (size 0 is what the spec asks; QEMU clears
 * the rest too). */
static void input_select_locked(PhVirtioInput *in)
{
    memset(&in->current, 0, sizeof(in->current));
    for (unsigned i = 0; i < in->n_configs; i++) {
        if (in->configs[i].select == in->select && in->configs[i].subsel == in->subsel) {
            in->current = in->configs[i];
            break;
        }
    }
}

/* Layout: select, subsel, size, reserved[5], u[128]. */
static uint8_t input_config_byte(PhVirtioInput *in, uint32_t offset)
{
    switch (offset) {
    case 0:
        return in->current.select;
    case 1:
        return in->current.subsel;
    case 2:
        return in->current.size;
    default:
        return offset >= 8 && offset < 8 + CFG_PAYLOAD ? in->current.u[offset - 8] : 0;
    }
}

static uint32_t input_config_read(PhVirtioDevice *dev, uint32_t offset, unsigned size)
{
    PhVirtioInput *in = to_input(dev);
    uint32_t value = 0;
    if ((uint64_t)offset + size > in->config_len) {
        return size >= 4 ? UINT32_MAX : (1u << (8 * size)) - 1;   /* as QEMU */
    }
    for (unsigned i = 0; i < size; i++) {
        /* offset + i cannot wrap: offset < the MMIO window size */
        value |= (uint32_t)input_config_byte(in, offset + i) << (8 * i);
    }
    return value;
}

static void input_config_write(PhVirtioDevice *dev, uint32_t offset, uint32_t value,
                               unsigned size)
{
    PhVirtioInput *in = to_input(dev);
    bool changed = false;
    if ((uint64_t)offset + size > in->config_len) {
        return;
    }
    /* Only select and subsel are writable. */
    for (unsigned i = 0; i < size; i++) {
        uint8_t b = (uint8_t)(value >> (8 * i));
        if (offset + i == 0) {
            in->select = b;
            changed = true;
        } else if (offset + i == 1) {
            in->subsel = b;
            changed = true;
        }
    }
    if (changed) {
        input_select_locked(in);
    }
}

/* Hands queued events to the guest's buffers while both exist. */
static void input_flush_locked(PhVirtioInput *in)
{
    bool pushed = false;
    while (in->count > 0) {
        if (ph_virtio_queue_pop(&in->vdev, EVENTQ, &in->elem) != 1) {
            break;
        }
        const InputEvent *e = &in->pending[in->head];
        uint8_t raw[8] = {
            (uint8_t)e->type, (uint8_t)(e->type >> 8),
            (uint8_t)e->code, (uint8_t)(e->code >> 8),
            (uint8_t)e->value, (uint8_t)(e->value >> 8),
            (uint8_t)(e->value >> 16), (uint8_t)(e->value >> 24),
        };
        size_t n = ph_virtq_elem_write(&in->vdev, &in->elem, 0, raw, sizeof(raw));
        ph_virtio_queue_push(&in->vdev, EVENTQ, &in->elem, (uint32_t)n);
        pushed = true;
        in->head = (in->head + 1) % PH_VIRTIO_INPUT_QUEUE_LEN;
        in->count--;
    }
    if (pushed) {
        ph_virtio_queue_notify(&in->vdev, EVENTQ);
    }
}

/* The status queue (LED state from the guest) is taken and ignored. */
static void input_drain_status_locked(PhVirtioInput *in)
{
    bool pushed = false;
    while (ph_virtio_queue_pop(&in->vdev, STATUSQ, &in->elem) == 1) {
        ph_virtio_queue_push(&in->vdev, STATUSQ, &in->elem, 0);
        pushed = true;
    }
    if (pushed) {
        ph_virtio_queue_notify(&in->vdev, STATUSQ);
    }
}

static void input_queue_notify(PhVirtioDevice *dev, unsigned q)
{
    PhVirtioInput *in = to_input(dev);
    if (q == EVENTQ) {
        input_flush_locked(in);
    } else if (q == STATUSQ) {
        input_drain_status_locked(in);
    }
}

static void input_driver_ok(PhVirtioDevice *dev)
{
    PhVirtioInput *in = to_input(dev);
    input_flush_locked(in);
    input_drain_status_locked(in);
}

static void input_reset(PhVirtioDevice *dev)
{
    PhVirtioInput *in = to_input(dev);
    in->select = 0;
    in->subsel = 0;
    input_select_locked(in);
    in->head = 0;
    in->count = 0;
}

static void input_free(PhVirtioDevice *dev)
{
    PhVirtioInput *in = to_input(dev);
    g_free(in->configs);
    g_free(in);
}

static const PhVirtioDeviceOps input_ops = {
    .device_id = PH_VIRTIO_ID_INPUT,
    .num_queues = 2,
    .features = 0,
    .config_read = input_config_read,
    .config_write = input_config_write,
    .queue_notify = input_queue_notify,
    .driver_ok = input_driver_ok,
    .reset = input_reset,
    .free = input_free,
};

static PhVirtioInput *input_new(void)
{
    PhVirtioInput *in = g_new0(PhVirtioInput, 1);
    ph_virtio_device_init(&in->vdev, &input_ops);
    return in;
}

/* Done adding answers: the config space is as long as the largest. */
static void input_finish_config(PhVirtioInput *in)
{
    unsigned largest = 0;
    for (unsigned i = 0; i < in->n_configs; i++) {
        largest = MAX(largest, in->configs[i].size);
    }
    in->config_len = 8 + largest;
    in->select = 0;
    in->subsel = 0;
    input_select_locked(in);
}

/* The keys QEMU 7.2's virtio-keyboard advertises (EV_KEY bitmap as read
 * from its config space): every Linux key its key-code map produces. */
static const uint8_t qemu_keyboard_keys[] = {
    0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xcf, 0x7b, 0xff, 0xff, 0xbe,
    0xfe, 0xff, 0xdf, 0x00, 0xf8, 0x78, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
};

PhVirtioInput *ph_virtio_input_new_keyboard(void)
{
    PhVirtioInput *in = input_new();
    add_string(in, CFG_ID_NAME, "QEMU Virtio Keyboard");
    add_devids(in, 0x0001, 0x0001);
    add_bitmap(in, EV_REP, NULL, 0, 1);
    static const unsigned leds[] = { 0, 1, 2 };   /* NUML, CAPSL, SCROLLL */
    add_bitmap(in, EV_LED, leds, G_N_ELEMENTS(leds), 1);
    InputConfig *keys = add_bitmap(in, EV_KEY, NULL, 0, 0);
    memcpy(keys->u, qemu_keyboard_keys, sizeof(qemu_keyboard_keys));
    keys->size = sizeof(qemu_keyboard_keys);
    input_finish_config(in);
    return in;
}

PhVirtioInput *ph_virtio_input_new_tablet(void)
{
    PhVirtioInput *in = input_new();
    add_string(in, CFG_ID_NAME, "QEMU Virtio Tablet");
    add_devids(in, 0x0003, 0x0002);   /* QEMU 7.2 reports version 2 */
    static const unsigned rel[] = { REL_WHEEL };
    add_bitmap(in, EV_REL, rel, G_N_ELEMENTS(rel), 1);
    static const unsigned abs[] = { ABS_X, ABS_Y };
    add_bitmap(in, EV_ABS, abs, G_N_ELEMENTS(abs), 1);
    add_absinfo(in, ABS_X);
    add_absinfo(in, ABS_Y);
    /* Left, right, middle, side, extra, and the gear buttons QEMU 7.2
     * lists (its wheel itself goes out as REL_WHEEL, as here). */
    static const unsigned buttons[] = { 0x110, 0x111, 0x112, 0x113, 0x114,
                                        BTN_GEAR_DOWN, BTN_GEAR_UP };
    add_bitmap(in, EV_KEY, buttons, G_N_ELEMENTS(buttons), 0);
    input_finish_config(in);
    return in;
}

PhVirtioDevice *ph_virtio_input_device(PhVirtioInput *in)
{
    return &in->vdev;
}

/* With the lock held: queues one event, dropping the oldest when full. */
static void input_queue_event_locked(PhVirtioInput *in, uint16_t type, uint16_t code,
                                     uint32_t value)
{
    if (in->count == PH_VIRTIO_INPUT_QUEUE_LEN) {
        in->head = (in->head + 1) % PH_VIRTIO_INPUT_QUEUE_LEN;
        in->count--;
    }
    in->pending[(in->head + in->count) % PH_VIRTIO_INPUT_QUEUE_LEN] =
        (InputEvent){ type, code, value };
    in->count++;
}

/* Any thread: queues @n events plus EV_SYN and hands over what fits. */
static void input_send(PhVirtioInput *in, const InputEvent *events, unsigned n)
{
    g_mutex_lock(&in->vdev.lock);
    for (unsigned i = 0; i < n; i++) {
        input_queue_event_locked(in, events[i].type, events[i].code, events[i].value);
    }
    input_queue_event_locked(in, EV_SYN, SYN_REPORT, 0);
    input_flush_locked(in);
    g_mutex_unlock(&in->vdev.lock);
}

void ph_virtio_input_send_key(PhVirtioInput *in, unsigned linux_keycode, bool down)
{
    InputEvent e = { EV_KEY, (uint16_t)linux_keycode, down ? 1 : 0 };
    input_send(in, &e, 1);
}

void ph_virtio_input_send_abs(PhVirtioInput *in, unsigned x, unsigned y)
{
    InputEvent e[2] = {
        { EV_ABS, ABS_X, MIN(x, (unsigned)PH_VIRTIO_INPUT_ABS_MAX) },
        { EV_ABS, ABS_Y, MIN(y, (unsigned)PH_VIRTIO_INPUT_ABS_MAX) },
    };
    input_send(in, e, 2);
}

void ph_virtio_input_send_button(PhVirtioInput *in, unsigned linux_btn, bool down)
{
    InputEvent e = { EV_KEY, (uint16_t)linux_btn, down ? 1 : 0 };
    input_send(in, &e, 1);
}

void ph_virtio_input_send_wheel(PhVirtioInput *in, int delta)
{
    InputEvent e = { EV_REL, REL_WHEEL, (uint32_t)delta };
    input_send(in, &e, 1);
}
