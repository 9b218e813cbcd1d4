/* The ns16550a UART of QEMU's virt board (QEMU serial.c behaviour, reg-shift 0). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "irq.h"

/* The window the device tree describes; like QEMU, only the 8 registers
 * are decoded on the bus, so accesses at 8..0xff are access faults. */
#define PH_UART_SIZE 0x100
#define PH_UART_DECODED_SIZE 8
#define PH_UART_FIFO_SIZE 16

typedef struct PhUart PhUart;

/* @irq is set with the UART's lock held (the sink must not call back). */
PhUart *ph_uart_new(PhBus *bus, uint64_t base, PhIrq irq);
void ph_uart_free(PhUart *u);
/* Board, vCPU stopped: registers to their reset values, FIFOs emptied. */
void ph_uart_reset(PhUart *u);

/* Called on the vCPU thread (no UART lock held) with every run of bytes the
 * guest transmits; the transmitter is instantaneous.  Set before the vCPU runs. */
void ph_uart_set_output(PhUart *u,
                        void (*write)(void *opaque, const uint8_t *buf, size_t len),
                        void *opaque);

/* Any thread: queues as many bytes as the 16-byte RX FIFO has room for and
 * returns how many it took. */
size_t ph_uart_receive(PhUart *u, const uint8_t *buf, size_t len);
/* Any thread: is there room in the RX FIFO? */
bool ph_uart_can_receive(PhUart *u);
/* Called on the vCPU thread (no UART lock held) after every guest read
 * that took a byte out of the receiver, so a host side that found it full
 * can push more.  Set before the vCPU runs. */
void ph_uart_set_receive_ready(PhUart *u, void (*ready)(void *opaque), void *opaque);
