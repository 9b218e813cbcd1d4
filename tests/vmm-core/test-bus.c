/* Tests for the physical bus: lookup, RAM/ROM/MMIO accesses, overlays, DMA, dirty logging. */
#include <glib.h>
#include <string.h>

#include "bus.h"

typedef struct {
    uint64_t last_offset;
    uint64_t last_value;
    unsigned last_size;
    int writes;
} FakeDev;

static uint64_t fake_read(void *opaque, uint64_t offset, unsigned size)
{
    return 0x1000 + offset * 16 + size;
}

static void fake_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    FakeDev *d = opaque;
    d->last_offset = offset;
    d->last_value = value;
    d->last_size = size;
    d->writes++;
}

static const PhMmioOps fake_ops = { fake_read, fake_write };

static void test_ram_rom_mmio(void)
{
    PhBus *bus = ph_bus_new();
    FakeDev dev = { 0 };
    uint64_t v;

    ph_bus_add_ram(bus, "ram", 0x80000000, 0x100000, 0);
    PhRegion *rom = ph_bus_add_rom(bus, "rom", 0x1000, 0x1000);
    ph_bus_add_mmio(bus, "dev", 0x10000000, 0x100, &fake_ops, &dev);

    /* RAM: little-endian, any size, misaligned inside the region. */
    g_assert_true(ph_bus_write(bus, 0x80000003, 8, 0x1122334455667788ull));
    g_assert_true(ph_bus_read(bus, 0x80000003, 4, &v));
    g_assert_cmphex(v, ==, 0x55667788);
    g_assert_true(ph_bus_read(bus, 0x80000007, 2, &v));
    g_assert_cmphex(v, ==, 0x3344);

    /* ROM: readable, guest writes ignored, loaders write through the host pointer. */
    rom->host[0] = 0x13;
    g_assert_true(ph_bus_write(bus, 0x1000, 1, 0xff));
    g_assert_true(ph_bus_read(bus, 0x1000, 1, &v));
    g_assert_cmphex(v, ==, 0x13);

    /* MMIO: offsets relative to the base, size passed through. */
    g_assert_true(ph_bus_write(bus, 0x10000005, 1, 0x41));
    g_assert_cmpuint(dev.last_offset, ==, 5);
    g_assert_cmphex(dev.last_value, ==, 0x41);
    g_assert_cmpuint(dev.last_size, ==, 1);
    g_assert_true(ph_bus_read(bus, 0x10000010, 4, &v));
    g_assert_cmphex(v, ==, 0x1000 + 0x10 * 16 + 4);

    /* Holes and accesses that run off the end of a region fault. */
    g_assert_false(ph_bus_read(bus, 0x2000, 4, &v));
    g_assert_cmphex(v, ==, 0);
    g_assert_false(ph_bus_write(bus, 0x800ffffe, 4, 0));
    g_assert_false(ph_bus_read(bus, 0xfffffffffffffffcull, 8, &v));
    g_assert_null(ph_bus_lookup(bus, 0x7fffffff));
    g_assert_cmpstr(ph_bus_lookup(bus, 0x800fffff)->name, ==, "ram");

    size_t n;
    PhRegion *const *regions = ph_bus_regions(bus, &n);
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmphex(regions[0]->base, ==, 0x1000);
    g_assert_cmphex(regions[2]->base, ==, 0x80000000);
    ph_bus_free(bus);
}

static void test_page_host(void)
{
    PhBus *bus = ph_bus_new();
    FakeDev dev = { 0 };
    PhRegion *ram = ph_bus_add_ram(bus, "ram", 0x80000000, 0x10000, 0);
    ph_bus_add_rom(bus, "rom", 0x1000, 0x1000);
    ph_bus_add_ram(bus, "fb", 0x40000000, 0x2000, PH_REGION_DIRTY_LOG);
    ph_bus_add_mmio(bus, "dev", 0x10000000, 0x1000, &fake_ops, &dev);
    /* An HTIF-like overlay on the third page of RAM. */
    ph_bus_add_mmio(bus, "htif", 0x80002000, 0x10, &fake_ops, &dev);

    g_assert_true(ph_bus_page_host(bus, 0x80001000, true) == ram->host + 0x1000);
    g_assert_nonnull(ph_bus_page_host(bus, 0x1000, false));
    g_assert_null(ph_bus_page_host(bus, 0x1000, true));
    g_assert_nonnull(ph_bus_page_host(bus, 0x40000000, false));
    g_assert_null(ph_bus_page_host(bus, 0x40000000, true));
    g_assert_null(ph_bus_page_host(bus, 0x10000000, false));
    g_assert_null(ph_bus_page_host(bus, 0x80002000, false));
    g_assert_null(ph_bus_page_host(bus, 0x80002000, true));

    /* The overlay wins for its bytes; the rest of the page is still RAM. */
    uint64_t v;
    g_assert_true(ph_bus_write(bus, 0x80002008, 8, 0x77));
    g_assert_cmpint(dev.writes, ==, 1);
    g_assert_cmpuint(dev.last_offset, ==, 8);
    g_assert_true(ph_bus_write(bus, 0x80002010, 4, 0x99));
    g_assert_cmpint(dev.writes, ==, 1);
    g_assert_true(ph_bus_read(bus, 0x80002010, 4, &v));
    g_assert_cmphex(v, ==, 0x99);
    ph_bus_free(bus);
}

static void test_dma_and_dirty(void)
{
    PhBus *bus = ph_bus_new();
    ph_bus_add_ram(bus, "low", 0x80000000, 0x1000, 0);
    ph_bus_add_ram(bus, "high", 0x80001000, 0x1000, 0);
    PhRegion *fb = ph_bus_add_ram(bus, "fb", 0x40000000, 70 * PH_PAGE_SIZE,
                                  PH_REGION_DIRTY_LOG);
    char buf[32] = "across two regions";
    char back[32] = { 0 };
    unsigned long bits[2];

    /* DMA may span adjacent regions, but not holes. */
    g_assert_true(ph_bus_dma_write(bus, 0x80000ff0, buf, sizeof(buf)));
    g_assert_true(ph_bus_dma_read(bus, 0x80000ff0, back, sizeof(back)));
    g_assert_cmpstr(back, ==, buf);
    g_assert_false(ph_bus_dma_read(bus, 0x80001ff0, back, sizeof(back)));
    g_assert_null(ph_bus_ram_ptr(bus, 0x80000ff0, 32));
    g_assert_nonnull(ph_bus_ram_ptr(bus, 0x80000fe0, 32));

    /* Nothing dirty at first. */
    g_assert_false(ph_region_fetch_dirty(fb, 0, 70, bits));

    /* A guest store marks its page; a DMA write marks every page it touches. */
    g_assert_true(ph_bus_write(bus, 0x40000000 + 65 * PH_PAGE_SIZE + 4, 4, 1));
    g_assert_true(ph_bus_dma_write(bus, 0x40000ffe, buf, 4));
    g_assert_true(ph_region_fetch_dirty(fb, 0, 70, bits));
    g_assert_cmphex(bits[0], ==, 0x3);
    g_assert_cmphex(bits[1], ==, 1ul << 1);
    /* Fetching clears. */
    g_assert_false(ph_region_fetch_dirty(fb, 0, 70, bits));

    /* A window that starts mid-bitmap reports bits relative to its start. */
    ph_region_mark_dirty(fb, 66 * PH_PAGE_SIZE, 1);
    g_assert_true(ph_region_fetch_dirty(fb, 64, 6, bits));
    g_assert_cmphex(bits[0], ==, 1ul << 2);
    ph_bus_free(bus);
}

static void test_bad_overlap_aborts(void)
{
    if (g_test_subprocess()) {
        PhBus *bus = ph_bus_new();
        ph_bus_add_ram(bus, "ram", 0x80000000, 0x10000, 0);
        ph_bus_add_ram(bus, "clash", 0x80008000, 0x10000, 0);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bus/ram-rom-mmio", test_ram_rom_mmio);
    g_test_add_func("/bus/page-host", test_page_host);
    g_test_add_func("/bus/dma-and-dirty", test_dma_and_dirty);
    g_test_add_func("/bus/bad-overlap-aborts", test_bad_overlap_aborts);
    return g_test_run();
}
