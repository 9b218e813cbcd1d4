/* The SiFive test device (power-off / reset / fail) of QEMU's virt board. */
#include "syscon.h"

#include <glib.h>

#define FINISHER_FAIL 0x3333
#define FINISHER_PASS 0x5555
#define FINISHER_RESET 0x7777

struct PhSyscon {
    void (*action)(void *opaque, PhSysconAction action, int exit_code);
    void *opaque;
};

static uint64_t syscon_read(void *opaque, uint64_t offset, unsigned size)
{
    (void)opaque;
    (void)offset;
    (void)size;
    return 0;
}

static void syscon_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PhSyscon *s = opaque;

    /* QEMU's sifive_test decodes 16- and 32-bit stores to offset 0. */
    if (offset != 0 || (size != 2 && size != 4) || !s->action) {
        return;
    }
    uint32_t status = value & 0xffff;
    int code = (int)((value >> 16) & 0xffff);
    switch (status) {
    case FINISHER_FAIL:
        s->action(s->opaque, PH_SYSCON_FAIL, code);
        break;
    case FINISHER_PASS:
        s->action(s->opaque, PH_SYSCON_POWEROFF, 0);
        break;
    case FINISHER_RESET:
        s->action(s->opaque, PH_SYSCON_RESET, 0);
        break;
    default:
        break;
    }
}

static const PhMmioOps syscon_ops = {
    .read = syscon_read,
    .write = syscon_write,
};

PhSyscon *ph_syscon_new(PhBus *bus, uint64_t base,
                        void (*action)(void *opaque, PhSysconAction action, int exit_code),
                        void *opaque)
{
    PhSyscon *s = g_new0(PhSyscon, 1);
    s->action = action;
    s->opaque = opaque;
    ph_bus_add_mmio(bus, "riscv.sifive.test", base, PH_SYSCON_SIZE, &syscon_ops, s);
    return s;
}

void ph_syscon_free(PhSyscon *s)
{
    g_free(s);
}
