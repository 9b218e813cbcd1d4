/* The virtio-mmio (version 2) transport, split virtqueues and the device interface. */
#include "virtio-mmio.h"

#include <string.h>

#include "hw-int.h"

#define VIRTIO_MMIO_MAGIC 0x74726976   /* "virt" */
#define VIRTIO_MMIO_VENDOR 0x554d4551  /* "QEMU", as QEMU reports */

enum {
    REG_MAGIC = 0x000,
    REG_VERSION = 0x004,
    REG_DEVICE_ID = 0x008,
    REG_VENDOR_ID = 0x00c,
    REG_DEVICE_FEATURES = 0x010,
    REG_DEVICE_FEATURES_SEL = 0x014,
    REG_DRIVER_FEATURES = 0x020,
    REG_DRIVER_FEATURES_SEL = 0x024,
    REG_QUEUE_SEL = 0x030,
    REG_QUEUE_NUM_MAX = 0x034,
    REG_QUEUE_NUM = 0x038,
    REG_QUEUE_READY = 0x044,
    REG_QUEUE_NOTIFY = 0x050,
    REG_INTERRUPT_STATUS = 0x060,
    REG_INTERRUPT_ACK = 0x064,
    REG_STATUS = 0x070,
    REG_QUEUE_DESC_LOW = 0x080,
    REG_QUEUE_DESC_HIGH = 0x084,
    REG_QUEUE_DRIVER_LOW = 0x090,
    REG_QUEUE_DRIVER_HIGH = 0x094,
    REG_QUEUE_DEVICE_LOW = 0x0a0,
    REG_QUEUE_DEVICE_HIGH = 0x0a4,
    REG_SHM_SEL = 0x0ac,
    REG_SHM_LEN_LOW = 0x0b0,
    REG_SHM_LEN_HIGH = 0x0b4,
    REG_SHM_BASE_LOW = 0x0b8,
    REG_SHM_BASE_HIGH = 0x0bc,
    REG_CONFIG_GENERATION = 0x0fc,
    REG_CONFIG = 0x100,
};

#define INT_USED_BUFFER 1u
#define INT_CONFIG 2u

#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_DESC_F_INDIRECT 4
#define VRING_AVAIL_F_NO_INTERRUPT 1

typedef struct VirtQueue {
    uint32_t num;          /* QueueNum; 0 = not set up */
    bool ready;
    uint64_t desc, avail, used;
    uint16_t last_avail;   /* next avail ring slot to take */
    uint16_t used_idx;     /* next used ring slot to fill */
} VirtQueue;

/* Transport state lives next to the device's and is guarded by dev->lock. */
struct PhVirtioMmio {
    PhBus *bus;
    PhIrqOut irq;
    PhVirtioDevice *dev;   /* NULL: empty slot */
    uint32_t device_features_sel;
    uint32_t driver_features_sel;
    uint64_t driver_features;
    uint32_t queue_sel;
    uint32_t status;
    uint32_t isr;
    uint32_t config_generation;
    uint32_t shm_sel;
    bool broken;           /* a malformed ring was seen: NEEDS_RESET */
    VirtQueue vq[PH_VIRTIO_MAX_QUEUES];
};

void ph_virtio_device_init(PhVirtioDevice *dev, const PhVirtioDeviceOps *ops)
{
    dev->ops = ops;
    dev->transport = NULL;
    g_mutex_init(&dev->lock);
}

void ph_virtio_device_free(PhVirtioDevice *dev)
{
    if (!dev) {
        return;
    }
    g_mutex_clear(&dev->lock);
    dev->ops->free(dev);
}

/* Ring features are the transport's: indirect descriptors are always
 * understood (EVENT_IDX is not offered). */
static uint64_t mmio_device_features(PhVirtioMmio *m)
{
    return m->dev->ops->features | (1ull << PH_VIRTIO_F_VERSION_1) |
           (1ull << PH_VIRTIO_F_INDIRECT_DESC);
}

/* The line is set with dev->lock held; the sink only touches atomics. */
static void mmio_update_irq_locked(PhVirtioMmio *m)
{
    ph_irq_out_set(&m->irq, m->isr != 0);
}

/* Back to the state after power-on; the device is told. */
static void mmio_reset_locked(PhVirtioMmio *m)
{
    m->device_features_sel = 0;
    m->driver_features_sel = 0;
    m->driver_features = 0;
    m->queue_sel = 0;
    m->status = 0;
    m->isr = 0;
    m->shm_sel = 0;
    m->broken = false;
    memset(m->vq, 0, sizeof(m->vq));
    if (m->dev->ops->reset) {
        m->dev->ops->reset(m->dev);
    }
    mmio_update_irq_locked(m);
}

/* A malformed ring: the device stops using it until the driver resets it,
 * and tells the driver through NEEDS_RESET and a config interrupt. */
static void mmio_mark_broken_locked(PhVirtioMmio *m)
{
    if (m->broken) {
        return;
    }
    m->broken = true;
    m->status |= PH_VIRTIO_STATUS_NEEDS_RESET;
    if (m->status & PH_VIRTIO_STATUS_DRIVER_OK) {
        m->isr |= INT_CONFIG;
        mmio_update_irq_locked(m);
    }
}

static VirtQueue *mmio_selected_vq(PhVirtioMmio *m)
{
    return m->queue_sel < m->dev->ops->num_queues ? &m->vq[m->queue_sel] : NULL;
}

static uint32_t mmio_read_reg_locked(PhVirtioMmio *m, uint64_t offset)
{
    VirtQueue *vq = mmio_selected_vq(m);

    switch (offset) {
    case REG_MAGIC:
        return VIRTIO_MMIO_MAGIC;
    case REG_VERSION:
        return 2;
    case REG_DEVICE_ID:
        return m->dev->ops->device_id;
    case REG_VENDOR_ID:
        return VIRTIO_MMIO_VENDOR;
    case REG_DEVICE_FEATURES:
        if (m->device_features_sel > 1) {
            return 0;
        }
        return (uint32_t)(mmio_device_features(m) >> (32 * m->device_features_sel));
    case REG_QUEUE_NUM_MAX:
        return vq ? PH_VIRTIO_QUEUE_MAX : 0;
    case REG_QUEUE_READY:
        return vq ? vq->ready : 0;
    case REG_INTERRUPT_STATUS:
        return m->isr;
    case REG_STATUS:
        return m->status;
    case REG_SHM_LEN_LOW:
    case REG_SHM_LEN_HIGH:
    case REG_SHM_BASE_LOW:
    case REG_SHM_BASE_HIGH:
        return UINT32_MAX;   /* no shared memory regions: length -1 */
    case REG_CONFIG_GENERATION:
        return m->config_generation;
    default:
        /* Write-only (QEMU 7.2 also treats QueueNum and the queue
         * addresses so) or reserved. */
        return 0;
    }
}

static void mmio_set_addr(uint64_t *addr, bool high, uint32_t value)
{
    if (high) {
        *addr = (*addr & 0xffffffffull) | (uint64_t)value << 32;
    } else {
        *addr = (*addr & ~0xffffffffull) | value;
    }
}

static void mmio_write_status_locked(PhVirtioMmio *m, uint32_t value)
{
    value &= 0xff;
    if (value == 0) {
        mmio_reset_locked(m);
        return;
    }
    uint32_t old = m->status;
    /* FEATURES_OK only sticks for a subset of what we offer; the driver
     * re-reads the status to learn whether it was accepted.  (Like QEMU,
     * a driver that leaves out VERSION_1 is not refused.) */
    if ((value & PH_VIRTIO_STATUS_FEATURES_OK) && !(old & PH_VIRTIO_STATUS_FEATURES_OK) &&
        (m->driver_features & ~mmio_device_features(m))) {
        value &= ~PH_VIRTIO_STATUS_FEATURES_OK;
    }
    /* NEEDS_RESET is the device's to set and only a reset clears it. */
    m->status = (value & ~PH_VIRTIO_STATUS_NEEDS_RESET) |
                (old & PH_VIRTIO_STATUS_NEEDS_RESET);
    if ((m->status & PH_VIRTIO_STATUS_DRIVER_OK) && !(old & PH_VIRTIO_STATUS_DRIVER_OK) &&
        m->dev->ops->driver_ok) {
        m->dev->ops->driver_ok(m->dev);
    }
}

static void mmio_write_reg_locked(PhVirtioMmio *m, uint64_t offset, uint32_t value)
{
    VirtQueue *vq = mmio_selected_vq(m);

    switch (offset) {
    case REG_DEVICE_FEATURES_SEL:
        m->device_features_sel = value;
        break;
    case REG_DRIVER_FEATURES:
        /* Features are fixed once FEATURES_OK is set. */
        if (m->driver_features_sel <= 1 && !(m->status & PH_VIRTIO_STATUS_FEATURES_OK)) {
            mmio_set_addr(&m->driver_features, m->driver_features_sel == 1, value);
        }
        break;
    case REG_DRIVER_FEATURES_SEL:
        m->driver_features_sel = value;
        break;
    case REG_QUEUE_SEL:
        m->queue_sel = value;
        break;
    case REG_QUEUE_NUM:
        if (vq && value <= PH_VIRTIO_QUEUE_MAX) {
            vq->num = value;
        }
        break;
    case REG_QUEUE_READY:
        if (vq) {
            vq->ready = value & 1;
            if (vq->ready) {
                /* The rings start empty (driver and device indexes at 0). */
                vq->last_avail = 0;
                vq->used_idx = 0;
            }
        }
        break;
    case REG_QUEUE_NOTIFY:
        if (value < m->dev->ops->num_queues && ph_virtio_queue_ready(m->dev, value) &&
            m->dev->ops->queue_notify) {
            m->dev->ops->queue_notify(m->dev, value);
        }
        break;
    case REG_INTERRUPT_ACK:
        m->isr &= ~value;
        mmio_update_irq_locked(m);
        break;
    case REG_STATUS:
        mmio_write_status_locked(m, value);
        break;
    case REG_QUEUE_DESC_LOW:
    case REG_QUEUE_DESC_HIGH:
        if (vq) {
            mmio_set_addr(&vq->desc, offset == REG_QUEUE_DESC_HIGH, value);
        }
        break;
    case REG_QUEUE_DRIVER_LOW:
    case REG_QUEUE_DRIVER_HIGH:
        if (vq) {
            mmio_set_addr(&vq->avail, offset == REG_QUEUE_DRIVER_HIGH, value);
        }
        break;
    case REG_QUEUE_DEVICE_LOW:
    case REG_QUEUE_DEVICE_HIGH:
        if (vq) {
            mmio_set_addr(&vq->used, offset == REG_QUEUE_DEVICE_HIGH, value);
        }
        break;
    case REG_SHM_SEL:
        m->shm_sel = value;
        break;
    default:
        break;   /* read-only or reserved */
    }
}

static uint64_t mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    PhVirtioMmio *m = opaque;
    uint64_t value = 0;

    if (!m->dev) {
        /* An empty slot answers just enough for a driver to skip it. */
        if (size != 4) {
            return 0;
        }
        switch (offset) {
        case REG_MAGIC:
            return VIRTIO_MMIO_MAGIC;
        case REG_VERSION:
            return 2;
        case REG_VENDOR_ID:
            return VIRTIO_MMIO_VENDOR;
        default:
            return 0;
        }
    }
    g_mutex_lock(&m->dev->lock);
    if (offset >= REG_CONFIG) {
        if ((size == 1 || size == 2 || size == 4) && m->dev->ops->config_read) {
            value = m->dev->ops->config_read(m->dev, (uint32_t)(offset - REG_CONFIG), size);
        }
    } else if (size == 4 && !(offset & 3)) {
        value = mmio_read_reg_locked(m, offset);
    }
    g_mutex_unlock(&m->dev->lock);
    return value;
}

static void mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PhVirtioMmio *m = opaque;

    if (!m->dev) {
        return;
    }
    g_mutex_lock(&m->dev->lock);
    if (offset >= REG_CONFIG) {
        if ((size == 1 || size == 2 || size == 4) && m->dev->ops->config_write) {
            m->dev->ops->config_write(m->dev, (uint32_t)(offset - REG_CONFIG),
                                      (uint32_t)value, size);
        }
    } else if (size == 4 && !(offset & 3)) {
        mmio_write_reg_locked(m, offset, (uint32_t)value);
    }
    g_mutex_unlock(&m->dev->lock);
}

static const PhMmioOps virtio_mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
};

PhVirtioMmio *ph_virtio_mmio_new(PhBus *bus, uint64_t base, PhIrq irq,
                                 PhVirtioDevice *dev)
{
    PhVirtioMmio *m = g_new0(PhVirtioMmio, 1);
    m->bus = bus;
    ph_irq_out_init(&m->irq, irq);
    m->dev = dev;
    if (dev) {
        g_assert(dev->ops->num_queues <= PH_VIRTIO_MAX_QUEUES);
        g_mutex_lock(&dev->lock);
        dev->transport = m;
        g_mutex_unlock(&dev->lock);
    }
    ph_bus_add_mmio(bus, "virtio-mmio", base, PH_VIRTIO_MMIO_SIZE, &virtio_mmio_ops, m);
    return m;
}

void ph_virtio_mmio_free(PhVirtioMmio *m)
{
    if (!m) {
        return;
    }
    ph_virtio_device_free(m->dev);
    g_free(m);
}

void ph_virtio_mmio_reset(PhVirtioMmio *m)
{
    if (!m->dev) {
        return;
    }
    g_mutex_lock(&m->dev->lock);
    ph_irq_out_forget(&m->irq);
    mmio_reset_locked(m);
    g_mutex_unlock(&m->dev->lock);
}

/* ---- split virtqueues ---- */

bool ph_virtio_queue_ready(PhVirtioDevice *dev, unsigned q)
{
    PhVirtioMmio *m = dev->transport;
    return m && q < dev->ops->num_queues && !m->broken &&
           (m->status & PH_VIRTIO_STATUS_DRIVER_OK) &&
           m->vq[q].ready && m->vq[q].num > 0;
}

static bool guest_read16(PhVirtioMmio *m, uint64_t pa, uint16_t *out)
{
    uint8_t b[2];
    if (!ph_bus_dma_read(m->bus, pa, b, sizeof(b))) {
        return false;
    }
    *out = (uint16_t)(b[0] | b[1] << 8);
    return true;
}

typedef struct VringDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VringDesc;

static bool read_desc(PhVirtioMmio *m, uint64_t table, uint32_t i, VringDesc *d)
{
    uint8_t b[16];
    if (!ph_bus_dma_read(m->bus, table + (uint64_t)i * 16, b, sizeof(b))) {
        return false;
    }
    d->addr = 0;
    for (int k = 7; k >= 0; k--) {
        d->addr = d->addr << 8 | b[k];
    }
    d->len = (uint32_t)b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16 |
             (uint32_t)b[11] << 24;
    d->flags = (uint16_t)(b[12] | b[13] << 8);
    d->next = (uint16_t)(b[14] | b[15] << 8);
    return true;
}

/* Appends one buffer to @elem; false if the chain is malformed. */
static bool elem_add(PhVirtioMmio *m, PhVirtqElem *elem, const VringDesc *d)
{
    /* Every byte must be guest RAM, so later copies cannot fail half-way
     * for a well-behaved guest; a hostile one just gets NEEDS_RESET. */
    if (d->len > 0 && !ph_bus_ram_ptr(m->bus, d->addr, d->len)) {
        return false;
    }
    if (elem->n_out + elem->n_in >= PH_VIRTIO_QUEUE_MAX) {
        return false;
    }
    if (d->flags & VRING_DESC_F_WRITE) {
        elem->in[elem->n_in++] = (PhVirtqSeg){ d->addr, d->len };
        elem->in_len += d->len;
    } else {
        if (elem->n_in) {
            return false;   /* device-readable after device-writable */
        }
        elem->out[elem->n_out++] = (PhVirtqSeg){ d->addr, d->len };
        elem->out_len += d->len;
    }
    return true;
}

/* Walks the chain starting at @head of a table of @size entries; visits
 * at most @size descriptors, which also stops loops. */
static bool walk_chain(PhVirtioMmio *m, PhVirtqElem *elem, uint64_t table,
                       uint32_t size, uint32_t head, bool indirect)
{
    uint32_t i = head;
    for (uint32_t visited = 0;; visited++) {
        VringDesc d;
        if (i >= size || visited >= size || !read_desc(m, table, i, &d)) {
            return false;
        }
        if (d.flags & VRING_DESC_F_INDIRECT) {
            /* One level only, a whole number of descriptors, no NEXT. */
            if (indirect || (d.flags & VRING_DESC_F_NEXT) || d.len == 0 ||
                d.len % 16 != 0 || d.len / 16 > PH_VIRTIO_QUEUE_MAX) {
                return false;
            }
            if (!walk_chain(m, elem, d.addr, d.len / 16, 0, true)) {
                return false;
            }
        } else if (!elem_add(m, elem, &d)) {
            return false;
        }
        if (!(d.flags & VRING_DESC_F_NEXT)) {
            return true;
        }
        i = d.next;
    }
}

int ph_virtio_queue_pop(PhVirtioDevice *dev, unsigned q, PhVirtqElem *elem)
{
    PhVirtioMmio *m = dev->transport;
    if (!ph_virtio_queue_ready(dev, q)) {
        return m && m->broken ? -1 : 0;
    }
    VirtQueue *vq = &m->vq[q];
    uint16_t avail_idx;
    if (!guest_read16(m, vq->avail + 2, &avail_idx)) {
        goto broken;
    }
    uint16_t waiting = (uint16_t)(avail_idx - vq->last_avail);
    if (waiting == 0) {
        return 0;
    }
    if (waiting > vq->num) {
        goto broken;   /* the driver claims more than the ring holds */
    }
    /* Read the ring entry and descriptors only after the index. */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    uint16_t head;
    if (!guest_read16(m, vq->avail + 4 + 2ull * (vq->last_avail % vq->num), &head) ||
        head >= vq->num) {
        goto broken;
    }
    elem->head = head;
    elem->n_out = elem->n_in = 0;
    elem->out_len = elem->in_len = 0;
    if (!walk_chain(m, elem, vq->desc, vq->num, head, false)) {
        goto broken;
    }
    vq->last_avail++;
    return 1;

broken:
    mmio_mark_broken_locked(m);
    return -1;
}

static size_t elem_copy(PhVirtioDevice *dev, const PhVirtqSeg *segs, unsigned n,
                        size_t offset, void *buf, size_t len, bool to_guest)
{
    PhVirtioMmio *m = dev->transport;
    size_t done = 0;
    for (unsigned i = 0; i < n && done < len; i++) {
        if (offset >= segs[i].len) {
            offset -= segs[i].len;
            continue;
        }
        size_t chunk = MIN((size_t)segs[i].len - offset, len - done);
        uint64_t pa = segs[i].addr + offset;
        bool ok = to_guest
            ? ph_bus_dma_write(m->bus, pa, (const uint8_t *)buf + done, chunk)
            : ph_bus_dma_read(m->bus, pa, (uint8_t *)buf + done, chunk);
        if (!ok) {
            break;
        }
        done += chunk;
        offset = 0;
    }
    return done;
}

size_t ph_virtq_elem_write(PhVirtioDevice *dev, const PhVirtqElem *elem,
                           size_t offset, const void *buf, size_t len)
{
    return elem_copy(dev, elem->in, elem->n_in, offset, (void *)buf, len, true);
}

size_t ph_virtq_elem_read(PhVirtioDevice *dev, const PhVirtqElem *elem,
                          size_t offset, void *buf, size_t len)
{
    return elem_copy(dev, elem->out, elem->n_out, offset, buf, len, false);
}

void ph_virtio_queue_push(PhVirtioDevice *dev, unsigned q, const PhVirtqElem *elem,
                          uint32_t written)
{
    PhVirtioMmio *m = dev->transport;
    if (!ph_virtio_queue_ready(dev, q)) {
        return;
    }
    VirtQueue *vq = &m->vq[q];
    uint8_t entry[8];
    uint32_t id = elem->head;
    for (int k = 0; k < 4; k++) {
        entry[k] = (uint8_t)(id >> (8 * k));
        entry[4 + k] = (uint8_t)(written >> (8 * k));
    }
    uint64_t slot = vq->used + 4 + 8ull * (vq->used_idx % vq->num);
    if (!ph_bus_dma_write(m->bus, slot, entry, sizeof(entry))) {
        mmio_mark_broken_locked(m);
        return;
    }
    /* The entry must be visible before the index that publishes it. */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    vq->used_idx++;
    uint8_t idx[2] = { (uint8_t)vq->used_idx, (uint8_t)(vq->used_idx >> 8) };
    if (!ph_bus_dma_write(m->bus, vq->used + 2, idx, sizeof(idx))) {
        mmio_mark_broken_locked(m);
    }
}

void ph_virtio_queue_notify(PhVirtioDevice *dev, unsigned q)
{
    PhVirtioMmio *m = dev->transport;
    if (!ph_virtio_queue_ready(dev, q)) {
        return;
    }
    uint16_t flags;
    if (!guest_read16(m, m->vq[q].avail, &flags)) {
        mmio_mark_broken_locked(m);
        return;
    }
    if (flags & VRING_AVAIL_F_NO_INTERRUPT) {
        return;
    }
    m->isr |= INT_USED_BUFFER;
    mmio_update_irq_locked(m);
}

void ph_virtio_config_changed(PhVirtioDevice *dev)
{
    PhVirtioMmio *m = dev->transport;
    if (!m) {
        return;
    }
    m->config_generation++;
    if (m->status & PH_VIRTIO_STATUS_DRIVER_OK) {
        m->isr |= INT_CONFIG;
        mmio_update_irq_locked(m);
    }
}
