/* The ns16550a UART of QEMU's virt board (QEMU serial.c behaviour, reg-shift 0). */
#include "uart.h"

#include <glib.h>

#include "hw-int.h"

/* Register numbers (offset & 7). */
enum {
    UART_RBR_THR = 0,   /* DLAB: DLL */
    UART_IER = 1,       /* DLAB: DLM */
    UART_IIR_FCR = 2,
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_MSR = 6,
    UART_SCR = 7,
};

#define IER_RDI 0x01
#define IER_THRI 0x02
#define IER_RLSI 0x04
#define IER_MSI 0x08

#define IIR_NO_INT 0x01
#define IIR_MSI 0x00
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_CTI 0x0c
#define IIR_ID 0x0e
#define IIR_FIFO_BITS 0xc0

#define FCR_FE 0x01
#define FCR_RFR 0x02
#define FCR_XFR 0x04
#define FCR_ITL_MASK 0xc0

#define LCR_DLAB 0x80

#define MCR_LOOP 0x10
#define MCR_OUT2 0x08

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_BI 0x10
#define LSR_INT_ANY 0x1e
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_ANY_DELTA 0x0f
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_DCD 0x80

struct PhUart {
    PhIrqOut irq;   /* under @lock */
    /* Set before the vCPU runs, read-only afterwards. */
    void (*output)(void *opaque, const uint8_t *buf, size_t len);
    void *output_opaque;
    void (*ready)(void *opaque);
    void *ready_opaque;

    /* Guarded by @lock: the host side receives from any thread. */
    GMutex lock;
    uint8_t rx[PH_UART_FIFO_SIZE];
    unsigned rx_head, rx_count;
    uint16_t divider;
    uint8_t ier, iir, fcr, lcr, mcr, lsr, msr, scr;
    unsigned rx_trigger;     /* FIFO interrupt trigger level */
    bool thr_ipending;
};

/* How many bytes the receiver holds: 16 in FIFO mode, 1 (RBR) otherwise. */
static unsigned uart_rx_capacity_locked(PhUart *u)
{
    return (u->fcr & FCR_FE) ? PH_UART_FIFO_SIZE : 1;
}

/* Recomputes IIR and the line, in QEMU's priority order.  The line is set
 * with the lock held; the sink only touches atomics (see uart.h). */
static void uart_update_irq_locked(PhUart *u)
{
    uint8_t id = IIR_NO_INT;

    if ((u->ier & IER_RLSI) && (u->lsr & LSR_INT_ANY)) {
        id = IIR_RLSI;
    } else if ((u->ier & IER_RDI) && (u->lsr & LSR_DR)) {
        /* QEMU reports data below the FIFO trigger level after a character
         * timeout; reporting it at once as a timeout is what drivers cope
         * with, and needs no timer. */
        bool below = (u->fcr & FCR_FE) && u->rx_count < u->rx_trigger;
        id = below ? IIR_CTI : IIR_RDI;
    } else if ((u->ier & IER_THRI) && u->thr_ipending) {
        id = IIR_THRI;
    } else if ((u->ier & IER_MSI) && (u->msr & MSR_ANY_DELTA)) {
        id = IIR_MSI;
    }
    u->iir = id | (u->iir & IIR_FIFO_BITS);
    ph_irq_out_set(&u->irq, id != IIR_NO_INT);
}

static bool uart_push_rx_locked(PhUart *u, uint8_t byte)
{
    if (u->rx_count >= uart_rx_capacity_locked(u)) {
        return false;
    }
    u->rx[(u->rx_head + u->rx_count) % PH_UART_FIFO_SIZE] = byte;
    u->rx_count++;
    u->lsr |= LSR_DR;
    return true;
}

static void uart_flush_rx_locked(PhUart *u)
{
    u->rx_head = 0;
    u->rx_count = 0;
    u->lsr &= ~(LSR_DR | LSR_BI);
}

static void uart_write_fcr_locked(PhUart *u, uint8_t val)
{
    static const unsigned triggers[4] = { 1, 4, 8, 14 };

    /* Switching the FIFOs on or off flushes them, as on the real chip. */
    if ((val ^ u->fcr) & FCR_FE) {
        val |= FCR_RFR | FCR_XFR;
    }
    if (val & FCR_RFR) {
        uart_flush_rx_locked(u);
    }
    if (val & FCR_XFR) {
        u->lsr |= LSR_THRE | LSR_TEMT;
        u->thr_ipending = true;
    }
    u->fcr = val & 0xc9;
    if (u->fcr & FCR_FE) {
        u->iir |= IIR_FIFO_BITS;
        u->rx_trigger = triggers[(u->fcr & FCR_ITL_MASK) >> 6];
    } else {
        u->iir &= ~IIR_FIFO_BITS;
        u->rx_trigger = 1;
    }
}

static uint64_t uart_read(void *opaque, uint64_t offset, unsigned size)
{
    PhUart *u = opaque;
    uint8_t ret = 0;
    bool freed = false;

    (void)size;   /* every size reads the one byte register at @offset */
    g_mutex_lock(&u->lock);
    switch (offset) {
    case UART_RBR_THR:
        if (u->lcr & LCR_DLAB) {
            ret = u->divider & 0xff;
            break;
        }
        if (u->rx_count) {
            ret = u->rx[u->rx_head];
            u->rx_head = (u->rx_head + 1) % PH_UART_FIFO_SIZE;
            u->rx_count--;
            freed = true;
        }
        if (u->rx_count == 0) {
            u->lsr &= ~(LSR_DR | LSR_BI);
        }
        uart_update_irq_locked(u);
        break;
    case UART_IER:
        ret = (u->lcr & LCR_DLAB) ? u->divider >> 8 : u->ier;
        break;
    case UART_IIR_FCR:
        ret = u->iir;
        /* Reading IIR acknowledges a THRE interrupt it reports. */
        if ((ret & IIR_ID) == IIR_THRI) {
            u->thr_ipending = false;
            uart_update_irq_locked(u);
        }
        break;
    case UART_LCR:
        ret = u->lcr;
        break;
    case UART_MCR:
        ret = u->mcr;
        break;
    case UART_LSR:
        ret = u->lsr;
        if (u->lsr & (LSR_BI | LSR_OE)) {
            u->lsr &= ~(LSR_BI | LSR_OE);
            uart_update_irq_locked(u);
        }
        break;
    case UART_MSR:
        if (u->mcr & MCR_LOOP) {
            /* Loopback: the modem outputs come back as inputs. */
            ret = (u->mcr & 0x0c) << 4;
            ret |= (u->mcr & 0x02) << 3;
            ret |= (u->mcr & 0x01) << 5;
        } else {
            ret = u->msr;
            if (u->msr & MSR_ANY_DELTA) {
                u->msr &= 0xf0;
                uart_update_irq_locked(u);
            }
        }
        break;
    case UART_SCR:
        ret = u->scr;
        break;
    }
    g_mutex_unlock(&u->lock);

    if (freed && u->ready) {
        u->ready(u->ready_opaque);
    }
    return ret;
}

static void uart_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PhUart *u = opaque;
    uint8_t val = (uint8_t)value;
    bool transmit = false;

    (void)size;
    g_mutex_lock(&u->lock);
    switch (offset) {
    case UART_RBR_THR:
        if (u->lcr & LCR_DLAB) {
            u->divider = (u->divider & 0xff00) | val;
            break;
        }
        /* The transmitter is instantaneous: the byte leaves at once, so THR
         * is empty again and a THRE interrupt is due (QEMU's serial_xmit). */
        if (u->mcr & MCR_LOOP) {
            /* The host side never overruns (it is told how much fits),
             * but the guest can in loopback: as QEMU, a full FIFO keeps
             * its contents and a lone RBR is overwritten. */
            if (!uart_push_rx_locked(u, val)) {
                u->lsr |= LSR_OE;
                if (!(u->fcr & FCR_FE)) {
                    u->rx[u->rx_head] = val;
                }
            }
        } else {
            transmit = true;
        }
        u->lsr |= LSR_THRE | LSR_TEMT;
        u->thr_ipending = true;
        uart_update_irq_locked(u);
        break;
    case UART_IER:
        if (u->lcr & LCR_DLAB) {
            u->divider = (uint16_t)((u->divider & 0x00ff) | (val << 8));
            break;
        }
        {
            uint8_t changed = (u->ier ^ val) & 0x0f;
            u->ier = val & 0x0f;
            /* Enabling THRI with THR empty raises the interrupt, even if it
             * had been acknowledged through IIR before (QEMU, Bochs). */
            if (changed & IER_THRI) {
                u->thr_ipending = (u->ier & IER_THRI) && (u->lsr & LSR_THRE);
            }
            if (changed) {
                uart_update_irq_locked(u);
            }
        }
        break;
    case UART_IIR_FCR:
        uart_write_fcr_locked(u, val);
        uart_update_irq_locked(u);
        break;
    case UART_LCR:
        u->lcr = val;
        break;
    case UART_MCR:
        u->mcr = val & 0x1f;
        break;
    case UART_LSR:
    case UART_MSR:
        break;   /* read-only */
    case UART_SCR:
        u->scr = val;
        break;
    }
    g_mutex_unlock(&u->lock);

    if (transmit && u->output) {
        u->output(u->output_opaque, &val, 1);
    }
}

static const PhMmioOps uart_ops = {
    .read = uart_read,
    .write = uart_write,
};

PhUart *ph_uart_new(PhBus *bus, uint64_t base, PhIrq irq)
{
    PhUart *u = g_new0(PhUart, 1);
    ph_irq_out_init(&u->irq, irq);
    g_mutex_init(&u->lock);
    ph_uart_reset(u);
    ph_bus_add_mmio(bus, "serial", base, PH_UART_DECODED_SIZE, &uart_ops, u);
    return u;
}

void ph_uart_free(PhUart *u)
{
    if (!u) {
        return;
    }
    g_mutex_clear(&u->lock);
    g_free(u);
}

void ph_uart_reset(PhUart *u)
{
    g_mutex_lock(&u->lock);
    uart_flush_rx_locked(u);
    u->divider = 0x0c;
    u->ier = 0;
    u->iir = IIR_NO_INT;
    u->fcr = 0;
    u->lcr = 0;
    u->mcr = MCR_OUT2;
    u->lsr = LSR_TEMT | LSR_THRE;
    u->msr = MSR_DCD | MSR_DSR | MSR_CTS;
    u->scr = 0;
    u->rx_trigger = 1;
    u->thr_ipending = false;
    ph_irq_out_forget(&u->irq);
    uart_update_irq_locked(u);
    g_mutex_unlock(&u->lock);
}

void ph_uart_set_output(PhUart *u,
                        void (*write)(void *opaque, const uint8_t *buf, size_t len),
                        void *opaque)
{
    u->output = write;
    u->output_opaque = opaque;
}

void ph_uart_set_receive_ready(PhUart *u, void (*ready)(void *opaque), void *opaque)
{
    u->ready = ready;
    u->ready_opaque = opaque;
}

size_t ph_uart_receive(PhUart *u, const uint8_t *buf, size_t len)
{
    size_t taken = 0;

    g_mutex_lock(&u->lock);
    /* As QEMU, the outside world still feeds the receiver in loopback,
     * so the host side never waits for a wake-up that cannot come. */
    while (taken < len && uart_push_rx_locked(u, buf[taken])) {
        taken++;
    }
    if (taken) {
        uart_update_irq_locked(u);
    }
    g_mutex_unlock(&u->lock);
    return taken;
}

bool ph_uart_can_receive(PhUart *u)
{
    g_mutex_lock(&u->lock);
    bool room = u->rx_count < uart_rx_capacity_locked(u);
    g_mutex_unlock(&u->lock);
    return room;
}
