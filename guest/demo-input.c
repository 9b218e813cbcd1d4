/* The demo guest's virtio-input driver: virtio-mmio version 2, one eventq per device, kept full. */
#include "demo-input.h"

#include <stddef.h>

#include "mmio.h"

/* virtio-mmio registers (virtio 1.x, 4.2.2). */
#define VM_MAGIC 0x000
#define VM_VERSION 0x004
#define VM_DEVICE_ID 0x008
#define VM_DEVICE_FEATURES 0x010
#define VM_DEVICE_FEATURES_SEL 0x014
#define VM_DRIVER_FEATURES 0x020
#define VM_DRIVER_FEATURES_SEL 0x024
#define VM_QUEUE_SEL 0x030
#define VM_QUEUE_NUM_MAX 0x034
#define VM_QUEUE_NUM 0x038
#define VM_QUEUE_READY 0x044
#define VM_QUEUE_NOTIFY 0x050
#define VM_INTERRUPT_STATUS 0x060
#define VM_INTERRUPT_ACK 0x064
#define VM_STATUS 0x070
#define VM_QUEUE_DESC_LOW 0x080
#define VM_QUEUE_DESC_HIGH 0x084
#define VM_QUEUE_DRIVER_LOW 0x090
#define VM_QUEUE_DRIVER_HIGH 0x094
#define VM_QUEUE_DEVICE_LOW 0x0a0
#define VM_QUEUE_DEVICE_HIGH 0x0a4
#define VM_CONFIG 0x100

#define VIRTIO_MAGIC 0x74726976u        /* "virt" */
#define VIRTIO_ID_INPUT 18

#define ST_ACKNOWLEDGE 1u
#define ST_DRIVER 2u
#define ST_DRIVER_OK 4u
#define ST_FEATURES_OK 8u
#define ST_NEEDS_RESET 0x40u
#define ST_FAILED 0x80u

#define ISR_USED 1u
#define ISR_CONFIG 2u

#define VIRTQ_DESC_F_WRITE 2u

/* virtio-input config space: select, subsel, size, reserved[5], payload. */
#define CFG_SELECT 0
#define CFG_SUBSEL 1
#define CFG_SIZE 2
#define CFG_EV_BITS 0x11

/* The SiFive PLIC of the virt board; context 0 is hart 0's M mode. */
#define PLIC_BASE UINT64_C(0x0c000000)
#define PLIC_ENABLE_CTX0 (PLIC_BASE + 0x2000)
#define PLIC_THRESHOLD_CTX0 (PLIC_BASE + 0x200000)
#define PLIC_CLAIM_CTX0 (PLIC_BASE + 0x200004)
#define PLIC_MAX_SOURCE 1023u

#define MIE_MEIE (UINT64_C(1) << 11)

/* Buffers per eventq: a burst of 64 events needs no wait for the guest. */
#define VQ_N 64u

typedef struct {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} vq_desc;

typedef struct {
    uint16_t type, code;
    uint32_t value;
} vin_event;

/* One device's split virtqueue and its buffers (alignments: 2.7 of the spec). */
typedef struct {
    vq_desc desc[VQ_N];
    struct {
        uint16_t flags, idx;
        uint16_t ring[VQ_N];
        uint16_t used_event;
    } avail;
    struct {
        uint16_t flags, idx;
        struct {
            uint32_t id, len;
        } ring[VQ_N];
        uint16_t avail_event;
    } used __attribute__((aligned(4)));
    vin_event ev[VQ_N];
    uint8_t outstanding[VQ_N];          /* buffer is the device's: guards against bad ids */
} __attribute__((aligned(16))) vq_mem;

typedef struct {
    uint64_t base;
    uint32_t irq;
    int slot;
    ph_vin_kind kind;
    unsigned num;
    uint16_t last_used, avail_idx;
    int ok;
} vin_dev;

static vq_mem mem[PH_VIN_SLOTS];
static vin_dev devs[PH_VIN_SLOTS];
static int n_devs;
static uint64_t n_events;

/* Orders our ring writes against the device's view (and its against ours). */
static inline void fence(void)
{
    __asm__ volatile("fence rw, rw" ::: "memory");
}

/* Does the device report any code of event type @ev? (size of the EV_BITS answer) */
static int has_ev(uint64_t base, uint8_t ev)
{
    uint8_t size;

    wr8(base + VM_CONFIG + CFG_SELECT, CFG_EV_BITS);
    wr8(base + VM_CONFIG + CFG_SUBSEL, ev);
    size = rd8(base + VM_CONFIG + CFG_SIZE);
    return size > 0 && size <= 128;
}

static void fail(uint64_t base)
{
    wr32(base + VM_STATUS, rd32(base + VM_STATUS) | ST_FAILED);
}

static void plic_enable(uint32_t src)
{
    uint64_t en = PLIC_ENABLE_CTX0 + 4 * (uint64_t)(src / 32);

    wr32(PLIC_BASE + 4 * (uint64_t)src, 1);     /* priority 1: above threshold 0 */
    wr32(en, rd32(en) | (UINT32_C(1) << (src % 32)));
}

/* Brings up the device in slot @slot (3.1.1 of the spec); 1 when it runs. */
static int dev_start(int slot, uint32_t irq)
{
    uint64_t base = PH_VIN_MMIO_BASE + (uint64_t)slot * PH_VIN_MMIO_STRIDE;
    vin_dev *d = &devs[n_devs];
    vq_mem *q = &mem[n_devs];
    uint32_t max;
    ph_vin_kind kind;
    unsigned num;

    if (rd32(base + VM_MAGIC) != VIRTIO_MAGIC || rd32(base + VM_VERSION) != 2 ||
        rd32(base + VM_DEVICE_ID) != VIRTIO_ID_INPUT) {
        return 0;
    }
    wr32(base + VM_STATUS, 0);
    for (int i = 0; i < 1000 && rd32(base + VM_STATUS) != 0; i++) {
    }
    wr32(base + VM_STATUS, ST_ACKNOWLEDGE);
    wr32(base + VM_STATUS, ST_ACKNOWLEDGE | ST_DRIVER);

    /* Modern only: VIRTIO_F_VERSION_1 (bit 32), nothing else. */
    wr32(base + VM_DEVICE_FEATURES_SEL, 1);
    if (!(rd32(base + VM_DEVICE_FEATURES) & 1)) {
        fail(base);
        return 0;
    }
    wr32(base + VM_DRIVER_FEATURES_SEL, 0);
    wr32(base + VM_DRIVER_FEATURES, 0);
    wr32(base + VM_DRIVER_FEATURES_SEL, 1);
    wr32(base + VM_DRIVER_FEATURES, 1);
    wr32(base + VM_STATUS, ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK);
    if (!(rd32(base + VM_STATUS) & ST_FEATURES_OK)) {
        fail(base);
        return 0;
    }

    if (has_ev(base, PH_EV_ABS)) {
        kind = PH_VIN_TABLET;
    } else if (has_ev(base, PH_EV_KEY)) {
        kind = PH_VIN_KEYBOARD;
    } else {
        fail(base);             /* a virtio-input device we have no use for */
        return 0;
    }

    /* eventq: the largest power of two up to VQ_N the device takes. */
    wr32(base + VM_QUEUE_SEL, 0);
    max = rd32(base + VM_QUEUE_NUM_MAX);
    if (max == 0 || rd32(base + VM_QUEUE_READY) != 0) {
        fail(base);
        return 0;
    }
    for (num = VQ_N; num > max; num /= 2) {
    }
    for (unsigned i = 0; i < VQ_N; i++) {
        q->desc[i].addr = (uint64_t)(uintptr_t)&q->ev[i];
        q->desc[i].len = sizeof(q->ev[i]);
        q->desc[i].flags = VIRTQ_DESC_F_WRITE;
        q->desc[i].next = 0;
        q->avail.ring[i] = (uint16_t)i;
        q->outstanding[i] = i < num;
    }
    q->avail.flags = 0;
    q->avail.idx = (uint16_t)num;
    q->used.flags = 0;
    q->used.idx = 0;
    fence();
    wr32(base + VM_QUEUE_NUM, num);
    wr32(base + VM_QUEUE_DESC_LOW, (uint32_t)(uintptr_t)q->desc);
    wr32(base + VM_QUEUE_DESC_HIGH, (uint32_t)((uint64_t)(uintptr_t)q->desc >> 32));
    wr32(base + VM_QUEUE_DRIVER_LOW, (uint32_t)(uintptr_t)&q->avail);
    wr32(base + VM_QUEUE_DRIVER_HIGH, (uint32_t)((uint64_t)(uintptr_t)&q->avail >> 32));
    wr32(base + VM_QUEUE_DEVICE_LOW, (uint32_t)(uintptr_t)&q->used);
    wr32(base + VM_QUEUE_DEVICE_HIGH, (uint32_t)((uint64_t)(uintptr_t)&q->used >> 32));
    wr32(base + VM_QUEUE_READY, 1);

    d->base = base;
    d->irq = irq;
    d->slot = slot;
    d->kind = kind;
    d->num = num;
    d->last_used = 0;
    d->avail_idx = (uint16_t)num;
    d->ok = 1;
    n_devs++;

    if (irq > 0 && irq <= PLIC_MAX_SOURCE) {
        plic_enable(irq);
    }
    wr32(base + VM_STATUS, ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
    wr32(base + VM_QUEUE_NOTIFY, 0);
    return 1;
}

int ph_vin_init(const uint32_t irq[PH_VIN_SLOTS])
{
    if (n_devs) {
        return n_devs;
    }
    wr32(PLIC_THRESHOLD_CTX0, 0);
    for (int slot = 0; slot < PH_VIN_SLOTS; slot++) {
        dev_start(slot, irq[slot] ? irq[slot] : (uint32_t)slot + 1);
    }
    if (n_devs) {
        __asm__ volatile("csrs mie, %0" ::"r"(MIE_MEIE));
    }
    return n_devs;
}

/* Acknowledges the device's interrupt; a device that asks to be reset is dropped. */
static void dev_ack(vin_dev *d)
{
    uint32_t isr = rd32(d->base + VM_INTERRUPT_STATUS);

    if (isr) {
        wr32(d->base + VM_INTERRUPT_ACK, isr & (ISR_USED | ISR_CONFIG));
    }
    if ((isr & ISR_CONFIG) && (rd32(d->base + VM_STATUS) & ST_NEEDS_RESET)) {
        d->ok = 0;
        wr32(d->base + VM_STATUS, 0);       /* reset: its line goes quiet */
    }
}

/* Takes the used buffers of @d, hands their events on, and makes them available again. */
static int dev_drain(vin_dev *d, vq_mem *q, ph_vin_handler handler, unsigned *budget)
{
    uint16_t used_idx = *(volatile uint16_t *)&q->used.idx;
    uint16_t taken[VQ_N];
    unsigned n_taken = 0;
    int more = 0;

    fence();
    if ((uint16_t)(used_idx - d->last_used) > d->num) {
        /* More used than ever made available: the device is broken. */
        d->ok = 0;
        wr32(d->base + VM_STATUS, 0);
        return 0;
    }
    while (d->last_used != used_idx) {
        uint32_t id;
        vin_event ev;

        if (*budget == 0) {
            more = 1;
            break;
        }
        id = *(volatile uint32_t *)&q->used.ring[d->last_used % d->num].id;
        d->last_used++;
        if (id >= d->num || !q->outstanding[id]) {
            continue;           /* not one of ours, or returned twice: skip it */
        }
        q->outstanding[id] = 0;
        ev = *(volatile vin_event *)&q->ev[id];
        (*budget)--;
        n_events++;
        handler(d->kind, ev.type, ev.code, ev.value);
        taken[n_taken++] = (uint16_t)id;
    }
    /* Each buffer comes back once (at most num of them), then goes out again. */
    for (unsigned i = 0; i < n_taken; i++) {
        q->avail.ring[d->avail_idx % d->num] = taken[i];
        q->outstanding[taken[i]] = 1;
        d->avail_idx++;
    }
    if (n_taken) {
        fence();
        *(volatile uint16_t *)&q->avail.idx = d->avail_idx;
        fence();
        wr32(d->base + VM_QUEUE_NOTIFY, 0);
    }
    return more;
}

int ph_vin_poll(ph_vin_handler handler, unsigned budget)
{
    static int busy;
    int more = 0;

    /* A handler that polls again would take buffers from under us. */
    if (!n_devs || busy) {
        return 0;
    }
    busy = 1;
    /* Ack before draining: an event written after the drain raises the line again. */
    for (int k = 0; k < 16; k++) {
        uint32_t id = rd32(PLIC_CLAIM_CTX0);

        if (!id) {
            break;
        }
        for (int i = 0; i < n_devs; i++) {
            if (devs[i].ok && devs[i].irq == id) {
                dev_ack(&devs[i]);
            }
        }
        wr32(PLIC_CLAIM_CTX0, id);
    }
    for (int i = 0; i < n_devs; i++) {
        if (devs[i].ok) {
            more |= dev_drain(&devs[i], &mem[i], handler, &budget);
        }
    }
    busy = 0;
    return more;
}

int ph_vin_device(int i, int *slot, uint32_t *irq, ph_vin_kind *kind)
{
    if (i < 0 || i >= n_devs) {
        return 0;
    }
    *slot = devs[i].slot;
    *irq = devs[i].irq;
    *kind = devs[i].kind;
    return 1;
}

uint64_t ph_vin_events(void)
{
    return n_events;
}
