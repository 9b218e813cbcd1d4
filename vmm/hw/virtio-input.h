/* virtio-input keyboard and tablet, as QEMU's virtio-keyboard / virtio-tablet. */
#pragma once

#include <stdbool.h>

#include "virtio-mmio.h"

#define PH_VIRTIO_ID_INPUT 18
/* Events kept while the guest has no buffers; the oldest are dropped. */
#define PH_VIRTIO_INPUT_QUEUE_LEN 256
#define PH_VIRTIO_INPUT_ABS_MAX 32767

typedef struct PhVirtioInput PhVirtioInput;

PhVirtioInput *ph_virtio_input_new_keyboard(void);
PhVirtioInput *ph_virtio_input_new_tablet(void);
/* The device to hand to ph_virtio_mmio_new(), which then owns it. */
PhVirtioDevice *ph_virtio_input_device(PhVirtioInput *in);

/* Any thread; each call ends with EV_SYN. */
void ph_virtio_input_send_key(PhVirtioInput *in, unsigned linux_keycode, bool down);
/* 0..32767 each (clamped). */
void ph_virtio_input_send_abs(PhVirtioInput *in, unsigned x, unsigned y);
void ph_virtio_input_send_button(PhVirtioInput *in, unsigned linux_btn, bool down);
void ph_virtio_input_send_wheel(PhVirtioInput *in, int delta);
