/* The demo guest's virtio-input driver: virtio-mmio 2 keyboards and tablets, woken by the PLIC. */
#pragma once

#include <stdint.h>

#define PH_VIN_SLOTS 8
#define PH_VIN_MMIO_BASE UINT64_C(0x10001000)
#define PH_VIN_MMIO_STRIDE UINT64_C(0x1000)

/* Linux input event types and codes the demo understands. */
#define PH_EV_SYN 0x00
#define PH_EV_KEY 0x01
#define PH_EV_REL 0x02
#define PH_EV_ABS 0x03
#define PH_ABS_X 0x00
#define PH_ABS_Y 0x01
#define PH_BTN_LEFT 0x110
#define PH_BTN_RIGHT 0x111
#define PH_BTN_MIDDLE 0x112

typedef enum {
    PH_VIN_KEYBOARD = 1,        /* reports EV_KEY and no EV_ABS */
    PH_VIN_TABLET = 2,          /* reports EV_ABS */
} ph_vin_kind;

/* Called for every event, in the order the device wrote them. */
typedef void (*ph_vin_handler)(ph_vin_kind kind, uint16_t type, uint16_t code, uint32_t value);

/*
 * Probes the eight virtio-mmio slots and starts every input device found.
 * @irq[n] is slot n's PLIC source from the device tree, 0 when unknown
 * (then 1 + n, as on QEMU's virt board).  Enables the sources for the M
 * context of hart 0 and MEIE, so that WFI wakes on input (MIE stays off:
 * no trap is taken).  Returns the number of devices started.
 */
int ph_vin_init(const uint32_t irq[PH_VIN_SLOTS]);

/*
 * Claims and acknowledges pending interrupts, hands up to @budget events
 * to @handler and gives the buffers back.  Returns 1 when events were left
 * for the next call, else 0.  Safe to call at any time, also with no
 * device; a call from inside @handler does nothing.
 */
int ph_vin_poll(ph_vin_handler handler, unsigned budget);

/* The devices started, for `info`: slot, PLIC source and kind of the @i-th; 0 past the end. */
int ph_vin_device(int i, int *slot, uint32_t *irq, ph_vin_kind *kind);

/* Events and interrupts seen so far (for `info`). */
uint64_t ph_vin_events(void);
