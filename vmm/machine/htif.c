/* HTIF: the tohost/fromhost words of ISA test binaries (exit with a status, putchar). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include <gio/gio.h>

#include "machine-int.h"

/*
 * The protocol of riscv-tests and QEMU's spike/htif: the guest stores a
 * 64-bit command in tohost (device << 56 | command << 48 | payload); it takes
 * effect when the upper half is written (a 64-bit store, or the second of
 * two 32-bit ones).  The words are an MMIO overlay on the RAM that holds
 * them, so only their 8 bytes each leave the fast path.
 */
struct PhHtif {
    PhMachine *m;
    uint64_t tohost, fromhost;      /* vCPU thread; reset to 0 */
};

#define PH_HTIF_DEV_SYSTEM 0
#define PH_HTIF_DEV_CONSOLE 1
#define PH_HTIF_CMD_PUTCHAR 1

static uint64_t ph_htif_get(uint64_t word, uint64_t offset, unsigned size)
{
    uint64_t v = word >> (8 * offset);

    return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

static uint64_t ph_htif_put(uint64_t word, uint64_t offset, unsigned size, uint64_t value)
{
    uint64_t mask = size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;

    return (word & ~(mask << (8 * offset))) | ((value & mask) << (8 * offset));
}

static void ph_htif_command(PhHtif *h)
{
    uint64_t v = h->tohost;
    unsigned dev = (unsigned)(v >> 56), cmd = (unsigned)(v >> 48) & 0xff;
    uint64_t payload = v & ((1ull << 48) - 1);

    if (dev == PH_HTIF_DEV_SYSTEM && cmd == 0 && (payload & 1)) {
        uint64_t code = payload >> 1;

        if (code != 0) {
            fprintf(stderr, "porthole: FAIL: test %" PRIu64 " (tohost = 0x%" PRIx64 ")\n",
                    code, v);
        }
        /* Never let a failure read as exit status 0. */
        ph_vcpu_guest_stop(h->m, PH_MACHINE_EV_GUEST_EXIT, code == 0 ? 0 : (int)MIN(code, 255));
        h->tohost = 0;
        return;
    }
    if (dev == PH_HTIF_DEV_CONSOLE && cmd == PH_HTIF_CMD_PUTCHAR) {
        uint8_t c = (uint8_t)payload;

        ph_serial_write(h->m->serial, &c, 1);
        h->fromhost = (v >> 48 << 48) | 0x100 | c;
    }
    /* Anything else (syscall proxy, getchar) is not offered: acknowledge. */
    h->tohost = 0;
}

static uint64_t ph_htif_read(void *opaque, uint64_t offset, unsigned size)
{
    PhHtif *h = opaque;

    return offset < 8 && offset + size <= 8 ? ph_htif_get(h->tohost, offset, size) : 0;
}

static void ph_htif_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PhHtif *h = opaque;

    if (offset >= 8 || offset + size > 8) {
        return;
    }
    h->tohost = ph_htif_put(h->tohost, offset, size, value);
    if (offset + size == 8 && h->tohost != 0) {
        ph_htif_command(h);
    }
}

static uint64_t ph_htif_from_read(void *opaque, uint64_t offset, unsigned size)
{
    PhHtif *h = opaque;

    return offset < 8 && offset + size <= 8 ? ph_htif_get(h->fromhost, offset, size) : 0;
}

static void ph_htif_from_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PhHtif *h = opaque;

    if (offset < 8 && offset + size <= 8) {
        h->fromhost = ph_htif_put(h->fromhost, offset, size, value);
    }
}

static const PhMmioOps ph_htif_tohost_ops = {
    .read = ph_htif_read,
    .write = ph_htif_write,
};

static const PhMmioOps ph_htif_fromhost_ops = {
    .read = ph_htif_from_read,
    .write = ph_htif_from_write,
};

PhHtif *ph_htif_new(PhMachine *m, uint64_t tohost, uint64_t fromhost, GError **error)
{
    PhHtif *h;

    if (!ph_loader_range_ok(tohost, 8, PH_VIRT_DRAM_BASE, m->ram_size) ||
        (tohost & 7) ||
        (fromhost != UINT64_MAX &&
         (!ph_loader_range_ok(fromhost, 8, PH_VIRT_DRAM_BASE, m->ram_size) ||
          (fromhost & 7) || (fromhost < tohost + 8 && tohost < fromhost + 8)))) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "the image's tohost/fromhost symbols (0x%" PRIx64 "/0x%" PRIx64
                    ") are not aligned words in RAM", tohost, fromhost);
        return NULL;
    }
    h = g_new0(PhHtif, 1);
    h->m = m;
    ph_bus_add_mmio(m->bus, "htif.tohost", tohost, 8, &ph_htif_tohost_ops, h);
    if (fromhost != UINT64_MAX) {
        ph_bus_add_mmio(m->bus, "htif.fromhost", fromhost, 8, &ph_htif_fromhost_ops, h);
    }
    return h;
}

void ph_htif_free(PhHtif *h)
{
    g_free(h);
}

void ph_htif_reset(PhHtif *h)
{
    h->tohost = 0;
    h->fromhost = 0;
}
