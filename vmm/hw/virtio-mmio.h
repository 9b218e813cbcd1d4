/* The virtio-mmio (version 2) transport, split virtqueues and the device interface. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "irq.h"

#define PH_VIRTIO_MMIO_SIZE 0x200
#define PH_VIRTIO_QUEUE_MAX 1024      /* QueueNumMax, and the longest chain */
#define PH_VIRTIO_MAX_QUEUES 8
#define PH_VIRTIO_F_VERSION_1 32
#define PH_VIRTIO_F_INDIRECT_DESC 28

/* Device status bits. */
#define PH_VIRTIO_STATUS_ACKNOWLEDGE 1
#define PH_VIRTIO_STATUS_DRIVER 2
#define PH_VIRTIO_STATUS_DRIVER_OK 4
#define PH_VIRTIO_STATUS_FEATURES_OK 8
#define PH_VIRTIO_STATUS_NEEDS_RESET 0x40
#define PH_VIRTIO_STATUS_FAILED 0x80

typedef struct PhVirtioMmio PhVirtioMmio;
typedef struct PhVirtioDevice PhVirtioDevice;

/*
 * What a device model provides.  Every callback runs with the device's
 * lock (PhVirtioDevice.lock) held: on the vCPU thread for register
 * accesses, or on whatever thread the device itself took the lock on.
 */
typedef struct PhVirtioDeviceOps {
    uint32_t device_id;
    unsigned num_queues;              /* <= PH_VIRTIO_MAX_QUEUES */
    uint64_t features;                /* VERSION_1, INDIRECT_DESC added by the transport */
    /* Device-specific config space (offset from 0x100); @size is 1, 2 or 4;
     * any offset is allowed (reads past the end give all-ones, as QEMU). */
    uint32_t (*config_read)(PhVirtioDevice *dev, uint32_t offset, unsigned size);
    void (*config_write)(PhVirtioDevice *dev, uint32_t offset, uint32_t value,
                         unsigned size);
    /* The driver notified queue @q (which is ready). */
    void (*queue_notify)(PhVirtioDevice *dev, unsigned q);
    /* The driver set DRIVER_OK (the device may push buffered data). */
    void (*driver_ok)(PhVirtioDevice *dev);
    /* The transport was reset (status 0 written, or board reset). */
    void (*reset)(PhVirtioDevice *dev);
    void (*free)(PhVirtioDevice *dev);
} PhVirtioDeviceOps;

/* Embedded at the start of a device model's struct. */
struct PhVirtioDevice {
    const PhVirtioDeviceOps *ops;
    /* Guards the transport's and the device's state; taken by the
     * transport for every register access and by the device's own
     * any-thread entry points.  The interrupt line is set with it held. */
    GMutex lock;
    PhVirtioMmio *transport;          /* set by ph_virtio_mmio_new() */
};

/* For device models: initialises the embedded part. */
void ph_virtio_device_init(PhVirtioDevice *dev, const PhVirtioDeviceOps *ops);
/* Frees a device that was never attached to a transport. */
void ph_virtio_device_free(PhVirtioDevice *dev);

/*
 * A transport at @base (QEMU virt: 8 slots from 0x10001000, 0x1000 apart,
 * IRQs 1..8).  @dev NULL is an empty slot (magic, version 2, device ID 0).
 * The transport takes ownership of @dev and frees it with itself.
 */
PhVirtioMmio *ph_virtio_mmio_new(PhBus *bus, uint64_t base, PhIrq irq,
                                 PhVirtioDevice *dev);
void ph_virtio_mmio_free(PhVirtioMmio *m);
/* Board, vCPU stopped: as if the driver wrote status 0. */
void ph_virtio_mmio_reset(PhVirtioMmio *m);

/* ---- for device models, with dev->lock held ---- */

/* One descriptor of a chain: guest-physical address and length. */
typedef struct PhVirtqSeg {
    uint64_t addr;
    uint32_t len;
} PhVirtqSeg;

/* A popped descriptor chain: @out (device-readable) then @in (device-writable). */
typedef struct PhVirtqElem {
    uint16_t head;
    unsigned n_out, n_in;
    uint64_t out_len, in_len;         /* total bytes */
    PhVirtqSeg out[PH_VIRTIO_QUEUE_MAX];
    PhVirtqSeg in[PH_VIRTIO_QUEUE_MAX];
} PhVirtqElem;

/* Is the driver running (DRIVER_OK, not NEEDS_RESET) and queue @q ready? */
bool ph_virtio_queue_ready(PhVirtioDevice *dev, unsigned q);
/*
 * Takes the next available chain of queue @q into @elem: 1 on success, 0
 * if the driver has made none available, -1 if the ring is malformed (the
 * device is then marked NEEDS_RESET and the driver told; nothing more is
 * taken from it until reset).
 */
int ph_virtio_queue_pop(PhVirtioDevice *dev, unsigned q, PhVirtqElem *elem);
/* Copies into the device-writable part of @elem; returns bytes written. */
size_t ph_virtq_elem_write(PhVirtioDevice *dev, const PhVirtqElem *elem,
                           size_t offset, const void *buf, size_t len);
/* Copies from the device-readable part of @elem; returns bytes read. */
size_t ph_virtq_elem_read(PhVirtioDevice *dev, const PhVirtqElem *elem,
                          size_t offset, void *buf, size_t len);
/* Returns @elem to the driver in the used ring with @written bytes. */
void ph_virtio_queue_push(PhVirtioDevice *dev, unsigned q, const PhVirtqElem *elem,
                          uint32_t written);
/* Raises the used-buffer interrupt (after one or more pushes), unless the
 * driver asked for none (VIRTQ_AVAIL_F_NO_INTERRUPT). */
void ph_virtio_queue_notify(PhVirtioDevice *dev, unsigned q);
/* Bumps ConfigGeneration and raises the configuration-change interrupt. */
void ph_virtio_config_changed(PhVirtioDevice *dev);
