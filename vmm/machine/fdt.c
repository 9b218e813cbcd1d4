/* The device tree of the virt board, laid out as QEMU 7.2 writes it, for the devices that exist. */
#include "config.h"

#include <libfdt.h>
#include <string.h>

#include <gio/gio.h>

#include "machine-int.h"

#define PH_FDT_MAX_SIZE (64 * 1024)
#define PH_FDT_EXTRA (16 * 1024)

/* Phandles, as QEMU numbers them for one hart. */
enum {
    PH_PHANDLE_CPU = 1,
    PH_PHANDLE_CPU_INTC = 2,
    PH_PHANDLE_PLIC = 3,
    PH_PHANDLE_TEST = 4,
};

/*
 * The sequential-write API keeps errors sticky in @err so the builder reads
 * like the tree; the first failure is reported at the end.
 */
typedef struct {
    void *fdt;
    int err;
} PhFdtWriter;

static void w_check(PhFdtWriter *w, int r)
{
    if (r < 0 && w->err == 0) {
        w->err = r;
    }
}

static void w_begin(PhFdtWriter *w, const char *name)
{
    w_check(w, fdt_begin_node(w->fdt, name));
}

static void w_end(PhFdtWriter *w)
{
    w_check(w, fdt_end_node(w->fdt));
}

static void w_prop(PhFdtWriter *w, const char *name, const void *val, int len)
{
    w_check(w, fdt_property(w->fdt, name, val, len));
}

static void w_str(PhFdtWriter *w, const char *name, const char *val)
{
    w_check(w, fdt_property_string(w->fdt, name, val));
}

static void w_u32(PhFdtWriter *w, const char *name, uint32_t val)
{
    w_check(w, fdt_property_u32(w->fdt, name, val));
}

static void w_u64(PhFdtWriter *w, const char *name, uint64_t val)
{
    w_check(w, fdt_property_u64(w->fdt, name, val));
}

static void w_cells(PhFdtWriter *w, const char *name, const uint32_t *cells, int n)
{
    fdt32_t be[16];
    int i;

    g_assert(n <= (int)G_N_ELEMENTS(be));
    for (i = 0; i < n; i++) {
        be[i] = cpu_to_fdt32(cells[i]);
    }
    w_prop(w, name, be, n * (int)sizeof(fdt32_t));
}

/* reg = <addr size> with #address-cells = #size-cells = 2. */
static void w_reg(PhFdtWriter *w, uint64_t addr, uint64_t size)
{
    uint32_t cells[4] = { (uint32_t)(addr >> 32), (uint32_t)addr,
                          (uint32_t)(size >> 32), (uint32_t)size };

    w_cells(w, "reg", cells, 4);
}

static void ph_fdt_chosen(PhFdtWriter *w, PhMachine *m)
{
    uint32_t seed[8];
    unsigned i;

    w_begin(w, "chosen");
    /* Linux and OpenSBI mix it into their entropy pools, as on QEMU. */
    for (i = 0; i < G_N_ELEMENTS(seed); i++) {
        seed[i] = g_random_int();
    }
    w_cells(w, "rng-seed", seed, G_N_ELEMENTS(seed));
    w_str(w, "stdout-path", "/soc/serial@10000000");
    if (m->opts.append && *m->opts.append) {
        w_str(w, "bootargs", m->opts.append);
    }
    if (m->initrd) {
        w_u64(w, "linux,initrd-start", m->initrd_addr);
        w_u64(w, "linux,initrd-end", m->initrd_addr + m->initrd_size);
    }
    w_end(w);
}

static void ph_fdt_syscon_action(PhFdtWriter *w, const char *name, const char *compat,
                                 uint32_t value)
{
    w_begin(w, name);
    w_u32(w, "value", value);
    w_u32(w, "offset", 0);
    w_u32(w, "regmap", PH_PHANDLE_TEST);
    w_str(w, "compatible", compat);
    w_end(w);
}

static void ph_fdt_cpus(PhFdtWriter *w)
{
    w_begin(w, "cpus");
    w_u32(w, "#address-cells", 1);
    w_u32(w, "#size-cells", 0);
    w_u32(w, "timebase-frequency", PH_CLINT_TIMEBASE_HZ);

    w_begin(w, "cpu@0");
    w_u32(w, "phandle", PH_PHANDLE_CPU);
    w_str(w, "device_type", "cpu");
    w_u32(w, "reg", 0);
    w_str(w, "status", "okay");
    w_str(w, "compatible", "riscv");
    w_str(w, "riscv,isa", PH_VIRT_RISCV_ISA);
    w_str(w, "mmu-type", "riscv,sv48");
    w_begin(w, "interrupt-controller");
    w_u32(w, "#interrupt-cells", 1);
    w_prop(w, "interrupt-controller", NULL, 0);
    w_str(w, "compatible", "riscv,cpu-intc");
    w_u32(w, "phandle", PH_PHANDLE_CPU_INTC);
    w_end(w);
    w_end(w);

    w_begin(w, "cpu-map");
    w_begin(w, "cluster0");
    w_begin(w, "core0");
    w_u32(w, "cpu", PH_PHANDLE_CPU);
    w_end(w);
    w_end(w);
    w_end(w);
    w_end(w);
}

static void ph_fdt_device(PhFdtWriter *w, const char *kind, uint64_t base,
                          uint64_t size, unsigned irq, const char *compat,
                          size_t compat_len)
{
    g_autofree char *name = g_strdup_printf("%s@%" G_GINT64_MODIFIER "x", kind, base);

    w_begin(w, name);
    if (irq) {
        w_u32(w, "interrupts", irq);
        w_u32(w, "interrupt-parent", PH_PHANDLE_PLIC);
    }
    if (strcmp(kind, "serial") == 0) {
        w_u32(w, "clock-frequency", 0x384000);
    }
    w_reg(w, base, size);
    w_prop(w, "compatible", compat, (int)compat_len);
}

static void ph_fdt_soc(PhFdtWriter *w)
{
    static const char test_compat[] = "sifive,test1\0sifive,test0\0syscon";
    static const char plic_compat[] = "sifive,plic-1.0.0\0riscv,plic0";
    static const char clint_compat[] = "sifive,clint0\0riscv,clint0";
    static const char rtc_compat[] = "google,goldfish-rtc";
    static const char uart_compat[] = "ns16550a";
    static const char virtio_compat[] = "virtio,mmio";
    int i;

    w_begin(w, "soc");
    w_u32(w, "#address-cells", 2);
    w_u32(w, "#size-cells", 2);
    w_str(w, "compatible", "simple-bus");
    w_prop(w, "ranges", NULL, 0);

    ph_fdt_device(w, "rtc", PH_VIRT_RTC_BASE, PH_GOLDFISH_RTC_SIZE, PH_VIRT_RTC_IRQ,
                  rtc_compat, sizeof(rtc_compat));
    w_end(w);
    ph_fdt_device(w, "serial", PH_VIRT_UART0_BASE, PH_UART_SIZE, PH_VIRT_UART0_IRQ,
                  uart_compat, sizeof(uart_compat));
    w_end(w);

    w_begin(w, "test@100000");
    w_u32(w, "phandle", PH_PHANDLE_TEST);
    w_reg(w, PH_VIRT_TEST_BASE, PH_SYSCON_SIZE);
    w_prop(w, "compatible", test_compat, sizeof(test_compat));
    w_end(w);

    /* QEMU lists the slots from the last one down. */
    for (i = PH_VIRT_VIRTIO_COUNT - 1; i >= 0; i--) {
        ph_fdt_device(w, "virtio_mmio",
                      PH_VIRT_VIRTIO_BASE + (uint64_t)i * PH_VIRT_VIRTIO_STRIDE,
                      PH_VIRT_VIRTIO_STRIDE, PH_VIRT_VIRTIO_IRQ + (unsigned)i,
                      virtio_compat, sizeof(virtio_compat));
        w_end(w);
    }

    w_begin(w, "plic@c000000");
    w_u32(w, "phandle", PH_PHANDLE_PLIC);
    /* QEMU 7.2 says 0x60 here although its PLIC has sources 1..95. */
    w_u32(w, "riscv,ndev", PH_VIRT_PLIC_SOURCES);
    w_reg(w, PH_VIRT_PLIC_BASE, PH_PLIC_SIZE);
    {
        /* Context 0: M external (11), context 1: S external (9). */
        const uint32_t ext[] = { PH_PHANDLE_CPU_INTC, 11, PH_PHANDLE_CPU_INTC, 9 };

        w_cells(w, "interrupts-extended", ext, 4);
    }
    w_prop(w, "interrupt-controller", NULL, 0);
    w_prop(w, "compatible", plic_compat, sizeof(plic_compat));
    w_u32(w, "#address-cells", 0);
    w_u32(w, "#interrupt-cells", 1);
    w_end(w);

    w_begin(w, "clint@2000000");
    {
        /* M software (3) and M timer (7). */
        const uint32_t ext[] = { PH_PHANDLE_CPU_INTC, 3, PH_PHANDLE_CPU_INTC, 7 };

        w_cells(w, "interrupts-extended", ext, 4);
    }
    w_reg(w, PH_VIRT_CLINT_BASE, PH_CLINT_SIZE);
    w_prop(w, "compatible", clint_compat, sizeof(clint_compat));
    w_end(w);

    w_end(w);
}

static void ph_fdt_framebuffer(PhFdtWriter *w, PhMachine *m)
{
    w_begin(w, "framebuffer@40000000");
    w_str(w, "compatible", "simple-framebuffer");
    w_reg(w, PH_VIRT_FB_BASE, ph_framebuffer_size(m->fb));
    w_u32(w, "width", ph_framebuffer_width(m->fb));
    w_u32(w, "height", ph_framebuffer_height(m->fb));
    w_u32(w, "stride", ph_framebuffer_stride(m->fb));
    /* Linux's simplefb name for XRGB8888 (cairo's RGB24 byte layout). */
    w_str(w, "format", "x8r8g8b8");
    w_str(w, "status", "okay");
    w_end(w);
}

static void *ph_fdt_generate(PhMachine *m, GError **error)
{
    PhFdtWriter w = { .fdt = g_malloc0(PH_FDT_MAX_SIZE) };

    w_check(&w, fdt_create(w.fdt, PH_FDT_MAX_SIZE));
    w_check(&w, fdt_finish_reservemap(w.fdt));
    w_begin(&w, "");
    w_u32(&w, "#address-cells", 2);
    w_u32(&w, "#size-cells", 2);
    w_str(&w, "compatible", "riscv-virtio");
    w_str(&w, "model", "riscv-virtio,qemu");

    ph_fdt_chosen(&w, m);
    ph_fdt_syscon_action(&w, "poweroff", "syscon-poweroff", 0x5555);
    ph_fdt_syscon_action(&w, "reboot", "syscon-reboot", 0x7777);

    {
        g_autofree char *name = g_strdup_printf("memory@%" G_GINT64_MODIFIER "x",
                                                PH_VIRT_DRAM_BASE);

        w_begin(&w, name);
        w_str(&w, "device_type", "memory");
        w_reg(&w, PH_VIRT_DRAM_BASE, m->ram_size);
        w_end(&w);
    }
    ph_fdt_cpus(&w);
    ph_fdt_soc(&w);
    ph_fdt_framebuffer(&w, m);
    w_end(&w);
    w_check(&w, fdt_finish(w.fdt));
    if (w.err == 0) {
        w_check(&w, fdt_pack(w.fdt));
    }
    if (w.err) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                    "could not build the device tree: %s", fdt_strerror(w.err));
        g_free(w.fdt);
        return NULL;
    }
    return w.fdt;
}

/* -dtb: the user's tree, with /chosen updated as QEMU does (bootargs, initrd). */
static void *ph_fdt_load_user(PhMachine *m, GError **error)
{
    g_autofree char *contents = NULL;
    g_autoptr(GError) local = NULL;
    g_autofree void *fdt = NULL;
    const char *path = m->opts.dtb;
    gsize len = 0;
    int chosen, r;

    if (!g_file_get_contents(path, &contents, &len, &local)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                    "could not load device tree '%s': %s", path, local->message);
        return NULL;
    }
    if (len < FDT_V1_SIZE || fdt_check_header(contents) != 0 ||
        fdt_totalsize(contents) > len || fdt_totalsize(contents) > PH_FDT_MAX_SIZE * 16) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "'%s' is not a valid device tree blob", path);
        return NULL;
    }
    fdt = g_malloc0(fdt_totalsize(contents) + PH_FDT_EXTRA);
    r = fdt_open_into(contents, fdt, (int)(fdt_totalsize(contents) + PH_FDT_EXTRA));
    if (r == 0) {
        chosen = fdt_path_offset(fdt, "/chosen");
        if (chosen < 0) {
            chosen = fdt_add_subnode(fdt, 0, "chosen");
        }
        r = chosen < 0 ? chosen : 0;
    }
    if (r == 0 && m->opts.append && *m->opts.append) {
        r = fdt_setprop_string(fdt, chosen, "bootargs", m->opts.append);
    }
    if (r == 0 && m->initrd) {
        r = fdt_setprop_u64(fdt, chosen, "linux,initrd-start", m->initrd_addr);
        if (r == 0) {
            r = fdt_setprop_u64(fdt, chosen, "linux,initrd-end",
                                m->initrd_addr + m->initrd_size);
        }
    }
    if (r == 0) {
        r = fdt_pack(fdt);
    }
    if (r != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "'%s' is not a valid device tree blob (%s)", path, fdt_strerror(r));
        return NULL;
    }
    return g_steal_pointer(&fdt);
}

void *ph_virt_build_fdt(PhMachine *m, GError **error)
{
    void *fdt = m->opts.dtb ? ph_fdt_load_user(m, error) : ph_fdt_generate(m, error);

    if (fdt) {
        m->fdt_size = fdt_totalsize(fdt);
    }
    return fdt;
}
