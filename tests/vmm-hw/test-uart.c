/* Tests of the ns16550a UART: transmit, receive FIFO, LSR, IIR priorities, THRE rules, DLAB. */
#include <string.h>

#include "uart.h"
#include "hw-test.h"

#define BASE 0x10000000ull
#define RBR (BASE + 0)
#define THR (BASE + 0)
#define DLL (BASE + 0)
#define IER (BASE + 1)
#define DLM (BASE + 1)
#define IIR (BASE + 2)
#define FCR (BASE + 2)
#define LCR (BASE + 3)
#define MCR (BASE + 4)
#define LSR (BASE + 5)
#define MSR (BASE + 6)
#define SCR (BASE + 7)

enum { LINE = 10 };

typedef struct {
    PhBus *bus;
    PhUart *uart;
    HwIrqRec irq;
    GByteArray *out;
    unsigned ready_calls;
} Fixture;

static void capture(void *opaque, const uint8_t *buf, size_t len)
{
    Fixture *f = opaque;
    g_byte_array_append(f->out, buf, (guint)len);
}

static void on_ready(void *opaque)
{
    ((Fixture *)opaque)->ready_calls++;
}

static void setup(Fixture *f, gconstpointer data)
{
    (void)data;
    f->bus = ph_bus_new();
    f->out = g_byte_array_new();
    f->uart = ph_uart_new(f->bus, BASE, hw_irq_line(&f->irq, LINE));
    ph_uart_set_output(f->uart, capture, f);
    ph_uart_set_receive_ready(f->uart, on_ready, f);
}

static void teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    ph_uart_free(f->uart);
    ph_bus_free(f->bus);
    g_byte_array_unref(f->out);
}

static uint8_t rd(Fixture *f, uint64_t pa)
{
    return (uint8_t)hw_rd(f->bus, pa, 1);
}

static void wr(Fixture *f, uint64_t pa, uint8_t v)
{
    hw_wr(f->bus, pa, 1, v);
}

static void test_reset_values(Fixture *f, gconstpointer data)
{
    (void)data;
    g_assert_cmphex(rd(f, IER), ==, 0);
    g_assert_cmphex(rd(f, IIR), ==, 0x01);
    g_assert_cmphex(rd(f, LCR), ==, 0);
    g_assert_cmphex(rd(f, MCR), ==, 0x08);
    g_assert_cmphex(rd(f, LSR), ==, 0x60);
    g_assert_cmphex(rd(f, MSR), ==, 0xb0);
    g_assert_false(hw_irq_level(&f->irq, LINE));
    wr(f, SCR, 0x5a);
    g_assert_cmphex(rd(f, SCR), ==, 0x5a);
    /* As QEMU, only the 8 registers decode: the rest of the 0x100 window
     * and accesses running past register 7 are access faults. */
    uint64_t v;
    g_assert_false(ph_bus_read(f->bus, SCR + 8, 1, &v));
    g_assert_false(ph_bus_read(f->bus, BASE + 5, 4, &v));
    g_assert_false(ph_bus_write(f->bus, BASE + 0xff, 1, 0));
    /* Wider accesses inside the window reach the register at the offset. */
    g_assert_cmphex(hw_rd(f->bus, MCR, 2), ==, 0x08);
}

static void test_polling_transmit(Fixture *f, gconstpointer data)
{
    (void)data;
    const char *msg = "Hello, OpenSBI\n";
    for (const char *p = msg; *p; p++) {
        /* What a polling driver does: wait for THRE, then write. */
        g_assert_true(rd(f, LSR) & 0x20);
        wr(f, THR, (uint8_t)*p);
    }
    g_assert_cmpmem(f->out->data, f->out->len, msg, strlen(msg));
    g_assert_cmphex(rd(f, LSR), ==, 0x60);
    g_assert_false(hw_irq_level(&f->irq, LINE));   /* IER is 0 */
    /* The line was set once (at creation) and never again: an unchanged
     * level is not re-sent (the board's sink wakes the vCPU each time). */
    g_assert_cmpuint(f->irq.calls[LINE], ==, 1);
}

static void test_receive_fifo(Fixture *f, gconstpointer data)
{
    (void)data;
    uint8_t buf[20];
    for (unsigned i = 0; i < sizeof(buf); i++) {
        buf[i] = (uint8_t)('a' + i);
    }
    /* Without FIFOs the receiver holds one byte. */
    g_assert_true(ph_uart_can_receive(f->uart));
    g_assert_cmpuint(ph_uart_receive(f->uart, buf, sizeof(buf)), ==, 1);
    g_assert_false(ph_uart_can_receive(f->uart));
    g_assert_cmpuint(ph_uart_receive(f->uart, buf, sizeof(buf)), ==, 0);
    g_assert_cmphex(rd(f, LSR), ==, 0x61);
    g_assert_cmphex(rd(f, RBR), ==, 'a');
    g_assert_cmphex(rd(f, LSR) & 1, ==, 0);
    g_assert_cmpuint(f->ready_calls, ==, 1);

    /* With FIFOs: 16 bytes, DR until the last is read. */
    wr(f, FCR, 0x07);
    g_assert_cmpuint(ph_uart_receive(f->uart, buf, sizeof(buf)), ==, 16);
    g_assert_false(ph_uart_can_receive(f->uart));
    for (unsigned i = 0; i < 16; i++) {
        g_assert_cmphex(rd(f, LSR) & 1, ==, 1);
        g_assert_cmphex(rd(f, RBR), ==, buf[i]);
    }
    g_assert_cmphex(rd(f, LSR) & 1, ==, 0);
    g_assert_true(ph_uart_can_receive(f->uart));
    g_assert_cmpuint(f->ready_calls, ==, 17);
    /* Reading an empty FIFO gives 0 and no wake-up. */
    g_assert_cmphex(rd(f, RBR), ==, 0);
    g_assert_cmpuint(f->ready_calls, ==, 17);

    /* FCR's RX reset empties it. */
    g_assert_cmpuint(ph_uart_receive(f->uart, buf, 5), ==, 5);
    wr(f, FCR, 0x03);
    g_assert_cmphex(rd(f, LSR) & 1, ==, 0);
    g_assert_cmpuint(ph_uart_receive(f->uart, buf, sizeof(buf)), ==, 16);
    /* Turning the FIFOs off flushes them too. */
    wr(f, FCR, 0x00);
    g_assert_cmphex(rd(f, LSR) & 1, ==, 0);
    g_assert_cmphex(rd(f, IIR) & 0xc0, ==, 0);
}

static void test_iir_priorities(Fixture *f, gconstpointer data)
{
    (void)data;
    uint8_t b[4] = { 1, 2, 3, 4 };
    wr(f, IER, 0x0f);
    /* THR is empty: THRE interrupt. */
    g_assert_true(hw_irq_level(&f->irq, LINE));
    ph_uart_receive(f->uart, b, 1);
    /* Received data comes before THRE. */
    g_assert_cmphex(rd(f, IIR), ==, 0x04);
    g_assert_true(hw_irq_level(&f->irq, LINE));
    rd(f, RBR);
    g_assert_cmphex(rd(f, IIR), ==, 0x02);
    g_assert_cmphex(rd(f, IIR), ==, 0x01);   /* acknowledged by the read before */
    g_assert_false(hw_irq_level(&f->irq, LINE));

    /* FIFO mode, trigger 1: data available at once. */
    wr(f, FCR, 0x01);
    ph_uart_receive(f->uart, b, 1);
    g_assert_cmphex(rd(f, IIR), ==, 0xc4);
    rd(f, RBR);
    /* Trigger 4 with one byte: reported as a character timeout. */
    wr(f, FCR, 0x41);
    rd(f, IIR);   /* acknowledge the THRE from the TX reset */
    ph_uart_receive(f->uart, b, 1);
    g_assert_cmphex(rd(f, IIR), ==, 0xcc);
    ph_uart_receive(f->uart, b + 1, 3);
    g_assert_cmphex(rd(f, IIR), ==, 0xc4);
    for (int i = 0; i < 4; i++) {
        g_assert_cmphex(rd(f, RBR), ==, b[i]);
    }
    g_assert_cmphex(rd(f, IIR), ==, 0xc1);
    g_assert_false(hw_irq_level(&f->irq, LINE));

    /* RDI disabled: data does not interrupt. */
    wr(f, IER, 0x00);
    ph_uart_receive(f->uart, b, 1);
    g_assert_false(hw_irq_level(&f->irq, LINE));
    g_assert_cmphex(rd(f, IIR), ==, 0xc1);
}

static void test_thre_rules(Fixture *f, gconstpointer data)
{
    (void)data;
    /* Enabling ETBEI with THR empty raises it. */
    wr(f, IER, 0x02);
    g_assert_true(hw_irq_level(&f->irq, LINE));
    g_assert_cmphex(rd(f, IIR), ==, 0x02);
    /* That IIR read acknowledged it. */
    g_assert_false(hw_irq_level(&f->irq, LINE));
    g_assert_cmphex(rd(f, IIR), ==, 0x01);
    /* A transmitted byte empties THR again: a new THRE interrupt. */
    wr(f, THR, 'x');
    g_assert_true(hw_irq_level(&f->irq, LINE));
    unsigned calls = f->irq.calls[LINE];
    wr(f, THR, 'x');
    wr(f, THR, 'x');
    g_assert_cmpuint(f->irq.calls[LINE], ==, calls);
    /* Disabling ETBEI drops the line; enabling it again raises it again. */
    wr(f, IER, 0x00);
    g_assert_false(hw_irq_level(&f->irq, LINE));
    wr(f, IER, 0x02);
    g_assert_true(hw_irq_level(&f->irq, LINE));
    /* Rewriting the same IER value is not an edge: after an ack it stays low. */
    rd(f, IIR);
    wr(f, IER, 0x02);
    g_assert_false(hw_irq_level(&f->irq, LINE));
    /* Reading IIR when something else is reported does not ack THRE. */
    uint8_t b = 'q';
    wr(f, THR, 'y');
    wr(f, IER, 0x03);
    ph_uart_receive(f->uart, &b, 1);
    g_assert_cmphex(rd(f, IIR), ==, 0x04);
    rd(f, RBR);
    g_assert_cmphex(rd(f, IIR), ==, 0x02);
    g_assert_cmpmem(f->out->data, f->out->len, "xxxy", 4);
}

static void test_dlab(Fixture *f, gconstpointer data)
{
    (void)data;
    wr(f, LCR, 0x83);
    g_assert_cmphex(rd(f, DLL), ==, 0x0c);   /* QEMU's reset divisor */
    g_assert_cmphex(rd(f, DLM), ==, 0x00);
    wr(f, DLL, 0x01);
    wr(f, DLM, 0x02);
    g_assert_cmphex(rd(f, DLL), ==, 0x01);
    g_assert_cmphex(rd(f, DLM), ==, 0x02);
    g_assert_cmpuint(f->out->len, ==, 0);   /* the DLL write transmitted nothing */
    wr(f, LCR, 0x03);
    g_assert_cmphex(rd(f, IER), ==, 0x00);  /* the DLM write did not reach IER */
    g_assert_false(hw_irq_level(&f->irq, LINE));
    wr(f, THR, 'z');
    g_assert_cmpuint(f->out->len, ==, 1);
    wr(f, LCR, 0x80);
    g_assert_cmphex(rd(f, DLM), ==, 0x02);
    g_assert_cmphex(rd(f, LCR), ==, 0x80);
}

static void test_loopback(Fixture *f, gconstpointer data)
{
    (void)data;
    wr(f, MCR, 0x10 | 0x0b);
    wr(f, THR, 'L');
    g_assert_cmpuint(f->out->len, ==, 0);
    g_assert_cmphex(rd(f, LSR) & 1, ==, 1);
    g_assert_cmphex(rd(f, RBR), ==, 'L');
    /* Modem outputs come back on the inputs: RTS->CTS, DTR->DSR, OUT2->DCD. */
    g_assert_cmphex(rd(f, MSR), ==, 0x10 | 0x20 | 0x80);
}

static void test_reset(Fixture *f, gconstpointer data)
{
    (void)data;
    uint8_t b = 1;
    wr(f, IER, 0x0f);
    wr(f, FCR, 0x01);
    ph_uart_receive(f->uart, &b, 1);
    g_assert_true(hw_irq_level(&f->irq, LINE));
    ph_uart_reset(f->uart);
    g_assert_false(hw_irq_level(&f->irq, LINE));
    g_assert_cmphex(rd(f, LSR), ==, 0x60);
    g_assert_cmphex(rd(f, IIR), ==, 0x01);
    g_assert_cmphex(rd(f, IER), ==, 0x00);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/vmm-hw/uart/reset-values", Fixture, NULL, setup, test_reset_values, teardown);
    g_test_add("/vmm-hw/uart/polling-transmit", Fixture, NULL, setup, test_polling_transmit,
               teardown);
    g_test_add("/vmm-hw/uart/receive-fifo", Fixture, NULL, setup, test_receive_fifo, teardown);
    g_test_add("/vmm-hw/uart/iir-priorities", Fixture, NULL, setup, test_iir_priorities,
               teardown);
    g_test_add("/vmm-hw/uart/thre-rules", Fixture, NULL, setup, test_thre_rules, teardown);
    g_test_add("/vmm-hw/uart/dlab", Fixture, NULL, setup, test_dlab, teardown);
    g_test_add("/vmm-hw/uart/loopback", Fixture, NULL, setup, test_loopback, teardown);
    g_test_add("/vmm-hw/uart/reset", Fixture, NULL, setup, test_reset, teardown);
    return g_test_run();
}
