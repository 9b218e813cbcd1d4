/* Bare-metal program that runs the trace ops on QEMU's virt board and prints what it read. */
#include "ops.h"

#define FAULT_MARK 0xfa17fa17fa17fa17ull

static uint64_t results[QEMU_TRACE_N_OPS];
static volatile int faulted;

uint64_t guest_trap(uint64_t mepc);
void guest_main(void);

/* Access faults from devices that do not decode an access: note and skip
 * the (uncompressed, 4-byte) load or store. */
uint64_t guest_trap(uint64_t mepc)
{
    faulted = 1;
    return mepc + 4;
}

static void put_char(char c)
{
    volatile uint8_t *uart = (volatile uint8_t *)U;
    while (!(uart[5] & 0x20)) {
    }
    uart[0] = (uint8_t)c;
}

static void put_str(const char *s)
{
    while (*s) {
        put_char(*s++);
    }
}

static void put_dec(unsigned v)
{
    char buf[12];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) {
        put_char(buf[--n]);
    }
}

static void put_hex(uint64_t v)
{
    for (int i = 60; i >= 0; i -= 4) {
        put_char("0123456789abcdef"[(v >> i) & 15]);
    }
}

void guest_main(void)
{
    /* All accesses first: printing uses the UART under test. */
    for (unsigned i = 0; i < QEMU_TRACE_N_OPS; i++) {
        const QemuTraceOp *o = &qemu_trace_ops[i];
        uint64_t v = 0;
        faulted = 0;
        if (o->op != 'w') {
            switch (o->size) {
            case 1: v = *(volatile uint8_t *)o->addr; break;
            case 2: v = *(volatile uint16_t *)o->addr; break;
            case 4: v = *(volatile uint32_t *)o->addr; break;
            default: v = *(volatile uint64_t *)o->addr; break;
            }
        } else {
            switch (o->size) {
            case 1: *(volatile uint8_t *)o->addr = (uint8_t)o->val; break;
            case 2: *(volatile uint16_t *)o->addr = (uint16_t)o->val; break;
            case 4: *(volatile uint32_t *)o->addr = (uint32_t)o->val; break;
            default: *(volatile uint64_t *)o->addr = o->val; break;
            }
        }
        results[i] = faulted ? FAULT_MARK : v;
    }
    /* Leave the UART as a printer wants it. */
    volatile uint8_t *uart = (volatile uint8_t *)U;
    uart[1] = 0;
    uart[3] = 3;
    uart[4] = 0;
    for (unsigned i = 0; i < QEMU_TRACE_N_OPS; i++) {
        if (qemu_trace_ops[i].op == 'w' && results[i] != FAULT_MARK) {
            continue;
        }
        put_dec(i);
        put_char(' ');
        if (results[i] == FAULT_MARK) {
            put_str("FAULT");
        } else {
            put_hex(results[i]);
        }
        put_char('\n');
    }
    *(volatile uint32_t *)0x100000 = 0x5555;   /* power off */
    for (;;) {
    }
}
