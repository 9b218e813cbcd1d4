/* FPU reference program: runs each case of cases.h under QEMU and prints result bits and fflags (or 'i' for illegal) over HTIF. */
#include <stdint.h>

typedef struct {
    uint64_t a, b, c, frm;
    uint64_t out_x, out_f, out_flags;
} PhRefIo;

typedef struct {
    uint64_t a, b, c;
    uint32_t insn;
    uint8_t frm;
    uint8_t is_x;
} PhRefCase;

#include "cases.h"

volatile uint64_t tohost __attribute__((section(".tohost")));
volatile uint64_t fromhost __attribute__((section(".tohost")));

/* Set by the trap handler when the slot raised an illegal instruction. */
volatile uint64_t ph_illegal;

extern uint32_t ph_slot[];
void run_case(PhRefIo *io);
int main(void);

static void ph_putc(char ch)
{
    /* Device 1 (console), command 1 (write). */
    tohost = (1ull << 56) | (1ull << 48) | (uint8_t)ch;
    while (fromhost == 0) {
    }
    fromhost = 0;
}

static void ph_puthex(uint64_t v, int digits)
{
    for (int i = digits - 1; i >= 0; i--) {
        ph_putc("0123456789abcdef"[(v >> (i * 4)) & 15]);
    }
}

int main(void)
{
    PhRefIo io;

    for (unsigned i = 0; i < sizeof(ph_cases) / sizeof(ph_cases[0]); i++) {
        const PhRefCase *c = &ph_cases[i];
        ph_slot[0] = c->insn;
        __asm__ volatile("fence.i" ::: "memory");
        io.a = c->a;
        io.b = c->b;
        io.c = c->c;
        io.frm = c->frm;
        ph_illegal = 0;
        run_case(&io);
        if (ph_illegal) {
            ph_putc('i');
            ph_putc(' ');
            ph_putc('-');
        } else {
            ph_puthex(c->is_x ? io.out_x : io.out_f, 16);
            ph_putc(' ');
            ph_puthex(io.out_flags, 2);
        }
        ph_putc('\n');
    }
    ph_putc('E');
    ph_putc('N');
    ph_putc('D');
    ph_putc('\n');
    return 0;
}
