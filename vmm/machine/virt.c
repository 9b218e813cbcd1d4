/* The riscv64 `virt` board: memory map, devices, images, reset ROM and the monitor's view of it. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>

#include "machine-int.h"

#define PH_MIB (UINT64_C(1) << 20)
#define PH_FW_DYNAMIC_MAGIC UINT64_C(0x4942534f)
#define PH_FW_DYNAMIC_VERSION 2
#define PH_FW_DYNAMIC_NEXT_MODE_S 1

/* See ph_machine_current(). */
static PhMachine *ph_current_machine;

static uint64_t ph_align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static uint64_t ph_align_down(uint64_t v, uint64_t a)
{
    return v & ~(a - 1);
}

/* ---- options ---- */

bool ph_machine_parse_ram_size(const char *text, uint64_t *bytes, GError **error)
{
    const char *p = text;
    uint64_t whole = 0, frac = 0, frac_div = 1, mult = PH_MIB, v;
    bool digits = false;

    if (g_str_has_prefix(p, "size=")) {
        p += 5;
    }
    while (g_ascii_isdigit(*p)) {
        if (whole > UINT64_MAX / 10 / 4) {
            goto bad;
        }
        whole = whole * 10 + (uint64_t)(*p++ - '0');
        digits = true;
    }
    if (*p == '.') {
        p++;
        while (g_ascii_isdigit(*p)) {
            if (frac_div < UINT64_C(1000000000)) {
                frac = frac * 10 + (uint64_t)(*p - '0');
                frac_div *= 10;
            }
            p++;
            digits = true;
        }
    }
    if (!digits) {
        goto bad;
    }
    switch (g_ascii_toupper(*p)) {
    case '\0': mult = PH_MIB; break;
    case 'B': mult = 1; break;
    case 'K': mult = UINT64_C(1) << 10; break;
    case 'M': mult = UINT64_C(1) << 20; break;
    case 'G': mult = UINT64_C(1) << 30; break;
    case 'T': mult = UINT64_C(1) << 40; break;
    default: goto bad;
    }
    if (*p && p[1] != '\0') {
        goto bad;
    }
    if (whole > UINT64_MAX / mult) {
        goto too_big;
    }
    v = whole * mult;
    if (frac) {
        /* frac / frac_div of @mult, without overflow: mult is a power of two. */
        v += (uint64_t)((double)frac / (double)frac_div * (double)mult);
    }
    if (v > PH_VIRT_MAX_RAM) {
        goto too_big;
    }
    if (v < PH_VIRT_MIN_RAM) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "invalid RAM size '%s': at least %" G_GUINT64_FORMAT " MiB are needed",
                    text, PH_VIRT_MIN_RAM >> 20);
        return false;
    }
    /* QEMU rounds to whole pages as well. */
    *bytes = ph_align_up(v, 2 * PH_MIB);
    return true;

too_big:
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                "invalid RAM size '%s': at most %" G_GUINT64_FORMAT " GiB are supported",
                text, PH_VIRT_MAX_RAM >> 30);
    return false;
bad:
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                "invalid RAM size '%s' (use e.g. 128M, 1G or a number of MiB)", text);
    return false;
}

bool ph_machine_parse_display_size(const char *text, unsigned *width,
                                   unsigned *height, GError **error)
{
    guint64 w, h;
    char *end;

    w = g_ascii_strtoull(text, &end, 10);
    if (end == text || (*end != 'x' && *end != 'X')) {
        goto bad;
    }
    text = end + 1;
    h = g_ascii_strtoull(text, &end, 10);
    if (end == text || *end != '\0') {
        goto bad;
    }
    if (w < 16 || h < 16 || w > 8192 || h > 8192) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "invalid display size %" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT
                    ": width and height must be between 16 and 8192", w, h);
        return false;
    }
    *width = (unsigned)w;
    *height = (unsigned)h;
    return true;
bad:
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                "invalid display size '%s' (expected WIDTHxHEIGHT, e.g. 1024x768)", text);
    return false;
}

/* ---- wiring ---- */

/* The guest clock in CLINT ticks (10 MHz). */
static uint64_t ph_virt_clock_ticks(void *opaque)
{
    PhMachine *m = opaque;

    return (uint64_t)ph_vm_clock_ns(&m->clock) / (UINT64_C(1000000000) / PH_CLINT_TIMEBASE_HZ);
}

/* Any thread: a CPU interrupt line (@n is the mip bit) changed. */
static void ph_virt_cpu_irq(void *opaque, unsigned n, bool level)
{
    PhMachine *m = opaque;

    if (m->cpu) {
        ph_rv_cpu_set_irq(m->cpu, n, level);
        ph_vcpu_kick(m);
    }
}

static PhIrq ph_virt_cpu_line(PhMachine *m, uint32_t mask)
{
    return (PhIrq){ .set = ph_virt_cpu_irq, .opaque = m, .n = mask };
}

/* vCPU thread: the guest wrote the SiFive test device. */
static void ph_virt_syscon_action(void *opaque, PhSysconAction action, int exit_code)
{
    PhMachine *m = opaque;

    switch (action) {
    case PH_SYSCON_POWEROFF:
        ph_vcpu_guest_stop(m, PH_MACHINE_EV_GUEST_POWEROFF, 0);
        break;
    case PH_SYSCON_RESET:
        ph_vcpu_guest_stop(m, PH_MACHINE_EV_GUEST_RESET, -1);
        break;
    case PH_SYSCON_FAIL:
        /* A failure must never look like success to a script. */
        fprintf(stderr, "porthole: the guest reported failure (code %d)\n", exit_code);
        ph_vcpu_guest_stop(m, PH_MACHINE_EV_GUEST_EXIT,
                           exit_code <= 0 || exit_code > 255 ? 1 : exit_code);
        break;
    }
}

/*
 * The UART sits behind a thin wrapper on its own bus so that the board can
 * see a guest that spins on the line status register waiting for input
 * (OpenSBI's and U-Boot's prompts never WFI): after enough reads in a row
 * that find no data, the runner naps until input, a timer or 5 ms.  Any
 * other access (a transmit, say) starts the count again.
 */
#define PH_UART_REG_LSR 5
#define PH_UART_LSR_DR 0x01
#define PH_UART_IDLE_POLLS 64

static uint64_t ph_virt_uart_read(void *opaque, uint64_t offset, unsigned size)
{
    PhMachine *m = opaque;
    uint64_t v = 0;

    ph_bus_read(m->uart_bus, offset, size, &v);
    if (offset == PH_UART_REG_LSR && !(v & PH_UART_LSR_DR)) {
        if (++m->uart_empty_polls >= PH_UART_IDLE_POLLS) {
            m->uart_empty_polls = 0;
            ph_vcpu_idle_hint(m);
        }
    } else {
        m->uart_empty_polls = 0;
    }
    return v;
}

static void ph_virt_uart_write(void *opaque, uint64_t offset, uint64_t value,
                               unsigned size)
{
    PhMachine *m = opaque;

    m->uart_empty_polls = 0;
    ph_bus_write(m->uart_bus, offset, size, value);
}

static const PhMmioOps ph_virt_uart_ops = {
    .read = ph_virt_uart_read,
    .write = ph_virt_uart_write,
};

/* ---- the reset ROM ---- */

static uint32_t ph_rv_enc_i(uint32_t opcode, uint32_t rd, uint32_t funct3,
                            uint32_t rs1, uint32_t imm)
{
    return (imm & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
}

static void ph_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void ph_put_le64(uint8_t *p, uint64_t v)
{
    ph_put_le32(p, (uint32_t)v);
    ph_put_le32(p + 4, (uint32_t)(v >> 32));
}

/*
 * Like QEMU's: a0 = mhartid, a1 = DTB, a2 = fw_dynamic_info, jump to the
 * firmware.  The two addresses and the info follow the code, found
 * PC-relative so that nothing depends on where the ROM sits.
 */
static void ph_virt_write_rom(PhMachine *m)
{
    enum { T0 = 5, A0 = 10, A1 = 11, A2 = 12 };
    enum { OFF_START = 0x18, OFF_FDT = 0x20, OFF_INFO = 0x28 };
    const uint32_t code[] = {
        0x17 | T0 << 7,                               /* auipc t0, 0 */
        ph_rv_enc_i(0x13, A2, 0, T0, OFF_INFO),       /* addi a2, t0, info */
        ph_rv_enc_i(0x73, A0, 2, 0, 0xf14),           /* csrr a0, mhartid */
        ph_rv_enc_i(0x03, A1, 3, T0, OFF_FDT),        /* ld a1, fdt(t0) */
        ph_rv_enc_i(0x03, T0, 3, T0, OFF_START),      /* ld t0, start(t0) */
        ph_rv_enc_i(0x67, 0, 0, T0, 0),               /* jr t0 */
    };
    uint8_t *rom = m->rom->host;
    size_t i;

    memset(rom, 0, PH_VIRT_MROM_SIZE);
    for (i = 0; i < G_N_ELEMENTS(code); i++) {
        ph_put_le32(rom + 4 * i, code[i]);
    }
    ph_put_le64(rom + OFF_START, m->start_addr);
    ph_put_le64(rom + OFF_FDT, m->fdt_addr);
    /* struct fw_dynamic_info: magic, version, next_addr, next_mode, options, boot_hart */
    ph_put_le64(rom + OFF_INFO + 0, PH_FW_DYNAMIC_MAGIC);
    ph_put_le64(rom + OFF_INFO + 8, PH_FW_DYNAMIC_VERSION);
    ph_put_le64(rom + OFF_INFO + 16, m->kernel_entry);
    ph_put_le64(rom + OFF_INFO + 24, PH_FW_DYNAMIC_NEXT_MODE_S);
    ph_put_le64(rom + OFF_INFO + 32, 0);
    ph_put_le64(rom + OFF_INFO + 40, 0);
}

static uint8_t *ph_virt_ram_at(PhMachine *m, uint64_t addr)
{
    /* Callers checked that the range lies in RAM. */
    return m->ram->host + (addr - PH_VIRT_DRAM_BASE);
}

static void ph_virt_write_image(PhMachine *m, const PhLoadedImage *img)
{
    guint i;

    for (i = 0; img->segments && i < img->segments->len; i++) {
        const PhImageSegment *seg = &g_array_index(img->segments, PhImageSegment, i);
        uint8_t *dst = ph_virt_ram_at(m, seg->addr);

        if (seg->size) {
            memcpy(dst, seg->data, seg->size);
        }
        memset(dst + seg->size, 0, seg->mem_size - seg->size);
    }
}

void ph_virt_write_images(PhMachine *m)
{
    ph_virt_write_image(m, &m->bios);
    ph_virt_write_image(m, &m->kernel);
    if (m->initrd) {
        memcpy(ph_virt_ram_at(m, m->initrd_addr), m->initrd, m->initrd_size);
    }
    memcpy(ph_virt_ram_at(m, m->fdt_addr), m->fdt, m->fdt_size);
    ph_virt_write_rom(m);
    /* Host writes bypass the hart's code-page tracking (it is stopped). */
    ph_rv_cpu_flush_code(m->cpu);
}

void ph_virt_reset_devices(PhMachine *m)
{
    int i;

    ph_clint_reset(m->clint);
    ph_plic_reset(m->plic);
    ph_uart_reset(m->uart);
    ph_goldfish_rtc_reset(m->rtc);
    for (i = 0; i < PH_VIRT_VIRTIO_COUNT; i++) {
        ph_virtio_mmio_reset(m->virtio[i]);
    }
    if (m->htif) {
        ph_htif_reset(m->htif);
    }
    ph_framebuffer_invalidate(m->fb);
    ph_rv_cpu_reset(m->cpu, PH_VIRT_MROM_BASE);
}

/* ---- images ---- */

static bool ph_virt_overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

static bool ph_virt_image_overlaps(const PhLoadedImage *img, uint64_t addr, uint64_t len)
{
    guint i;

    for (i = 0; img->segments && i < img->segments->len; i++) {
        const PhImageSegment *seg = &g_array_index(img->segments, PhImageSegment, i);

        if (ph_virt_overlaps(seg->addr, seg->mem_size, addr, len)) {
            return true;
        }
    }
    return false;
}

static bool ph_virt_load_images(PhMachine *m, GError **error)
{
    const char *bios = m->opts.bios;
    uint64_t firmware_end = PH_VIRT_DRAM_BASE;
    uint64_t dram_end = PH_VIRT_DRAM_BASE + m->ram_size;

    if (!bios && m->opts.kernel) {
        bios = PH_VIRT_DEFAULT_BIOS;
        if (!g_file_test(bios, G_FILE_TEST_EXISTS)) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                        "the default firmware %s is missing (install Debian's "
                        "opensbi package, or use -bios FILE or -bios none)", bios);
            return false;
        }
    }
    if (bios && strcmp(bios, "none") != 0) {
        if (!ph_loader_load(bios, PH_VIRT_DRAM_BASE, PH_VIRT_DRAM_BASE, m->ram_size,
                            &m->bios, error)) {
            return false;
        }
        firmware_end = m->bios.high;
    } else if (!bios && !m->opts.kernel && m->opts.bios_data) {
        if (!ph_loader_load_data(m->opts.bios_name ? m->opts.bios_name : "firmware",
                                 m->opts.bios_data, m->opts.bios_size, PH_VIRT_DRAM_BASE,
                                 PH_VIRT_DRAM_BASE, m->ram_size, &m->bios, error)) {
            return false;
        }
        firmware_end = m->bios.high;
    }
    m->start_addr = PH_VIRT_DRAM_BASE;

    if (m->opts.kernel) {
        uint64_t kernel_start = ph_align_up(firmware_end, 2 * PH_MIB);

        if (kernel_start >= dram_end) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                        "%s: no room in RAM after the firmware", m->opts.kernel);
            return false;
        }
        if (!ph_loader_load(m->opts.kernel, kernel_start, PH_VIRT_DRAM_BASE,
                            m->ram_size, &m->kernel, error)) {
            return false;
        }
        m->kernel_entry = m->kernel.entry;
        if (m->bios.kind == PH_IMAGE_NONE) {
            /* No firmware: the ROM starts the kernel itself. */
            m->start_addr = m->kernel_entry;
        }
    }

    if (m->opts.initrd) {
        g_autoptr(GError) local = NULL;
        g_autofree char *data = NULL;
        gsize len = 0;

        if (!m->opts.kernel) {
            g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                "-initrd needs -kernel");
            return false;
        }
        if (!g_file_get_contents(m->opts.initrd, &data, &len, &local)) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                        "could not load initrd '%s': %s", m->opts.initrd, local->message);
            return false;
        }
        /* QEMU 7.2: far enough above the kernel for it to unpack itself. */
        m->initrd_addr = m->kernel_entry + MIN(m->ram_size / 2, 128 * PH_MIB);
        if (!ph_loader_range_ok(m->initrd_addr, len, PH_VIRT_DRAM_BASE, m->ram_size)) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                        "%s: %" G_GSIZE_FORMAT " bytes at 0x%" G_GINT64_MODIFIER
                        "x do not fit in RAM", m->opts.initrd, len, m->initrd_addr);
            return false;
        }
        m->initrd = (uint8_t *)g_steal_pointer(&data);
        m->initrd_size = len;
    }
    return true;
}

static bool ph_virt_place_fdt(PhMachine *m, GError **error)
{
    uint64_t dram_end = PH_VIRT_DRAM_BASE + m->ram_size;
    /* QEMU 7.2: at the end of RAM, but below 3 GiB for 32-bit code. */
    uint64_t top = MIN(dram_end, 3072 * PH_MIB);

    m->fdt = ph_virt_build_fdt(m, error);
    if (!m->fdt) {
        return false;
    }
    if (m->fdt_size > top - PH_VIRT_DRAM_BASE) {
        goto no_room;
    }
    m->fdt_addr = ph_align_down(top - m->fdt_size, 2 * PH_MIB);
    if (m->fdt_addr < PH_VIRT_DRAM_BASE ||
        ph_virt_image_overlaps(&m->bios, m->fdt_addr, m->fdt_size) ||
        ph_virt_image_overlaps(&m->kernel, m->fdt_addr, m->fdt_size) ||
        (m->initrd && ph_virt_overlaps(m->initrd_addr, m->initrd_size, m->fdt_addr,
                                       m->fdt_size))) {
        goto no_room;
    }
    return true;
no_room:
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                "the images leave no room for the device tree in %" G_GUINT64_FORMAT
                " MiB of RAM (use a larger -m)", m->ram_size >> 20);
    return false;
}

/* ---- life cycle ---- */

PhMachine *ph_machine_new(const PhMachineOptions *opts, GError **error)
{
    PhMachine *m = g_new0(PhMachine, 1);
    PhRvCpuConfig cpu_config = { 0 };
    int i;

    m->opts.ram_size = opts->ram_size;
    m->opts.bios = g_strdup(opts->bios);
    m->opts.bios_data = opts->bios_data ? g_memdup2(opts->bios_data, opts->bios_size) : NULL;
    m->opts.bios_size = opts->bios_data ? opts->bios_size : 0;
    m->opts.bios_name = g_strdup(opts->bios_name);
    m->opts.kernel = g_strdup(opts->kernel);
    m->opts.initrd = g_strdup(opts->initrd);
    m->opts.append = g_strdup(opts->append);
    m->opts.dtb = g_strdup(opts->dtb);
    m->opts.serial = g_strdup(opts->serial);
    m->ram_size = opts->ram_size ? opts->ram_size : PH_VIRT_DEFAULT_RAM;
    m->fb_width = opts->fb_width ? opts->fb_width : PH_VIRT_DEFAULT_FB_WIDTH;
    m->fb_height = opts->fb_height ? opts->fb_height : PH_VIRT_DEFAULT_FB_HEIGHT;
    m->exit_status = -1;
    ph_vcpu_init(m);

    if (m->ram_size < PH_VIRT_MIN_RAM || m->ram_size > PH_VIRT_MAX_RAM ||
        (m->ram_size & (PH_PAGE_SIZE - 1))) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "invalid RAM size %" G_GUINT64_FORMAT " bytes", m->ram_size);
        goto fail;
    }
    if (!ph_serial_check_spec(opts->serial, error)) {
        goto fail;
    }

    ph_vm_clock_init(&m->clock);
    ph_vm_clock_stop(&m->clock);
    m->bus = ph_bus_new();
    m->rom = ph_bus_add_rom(m->bus, "riscv_virt_board.mrom", PH_VIRT_MROM_BASE,
                            PH_VIRT_MROM_SIZE);
    m->syscon = ph_syscon_new(m->bus, PH_VIRT_TEST_BASE, ph_virt_syscon_action, m);
    m->clint = ph_clint_new(m->bus, PH_VIRT_CLINT_BASE,
                            ph_virt_cpu_line(m, PH_RV_MIP_MSIP),
                            ph_virt_cpu_line(m, PH_RV_MIP_MTIP), ph_virt_clock_ticks, m);
    m->plic = ph_plic_new(m->bus, PH_VIRT_PLIC_BASE, PH_VIRT_PLIC_SOURCES,
                          ph_virt_cpu_line(m, PH_RV_MIP_MEIP),
                          ph_virt_cpu_line(m, PH_RV_MIP_SEIP));
    m->rtc = ph_goldfish_rtc_new(m->bus, PH_VIRT_RTC_BASE,
                                 ph_plic_source(m->plic, PH_VIRT_RTC_IRQ));
    m->uart_bus = ph_bus_new();
    m->uart = ph_uart_new(m->uart_bus, 0, ph_plic_source(m->plic, PH_VIRT_UART0_IRQ));
    ph_bus_add_mmio(m->bus, "serial", PH_VIRT_UART0_BASE, PH_UART_SIZE,
                    &ph_virt_uart_ops, m);
    m->keyboard = ph_virtio_input_new_keyboard();
    m->tablet = ph_virtio_input_new_tablet();
    for (i = 0; i < PH_VIRT_VIRTIO_COUNT; i++) {
        PhVirtioDevice *dev = NULL;

        if (i == PH_VIRT_KEYBOARD_SLOT) {
            dev = ph_virtio_input_device(m->keyboard);
        } else if (i == PH_VIRT_TABLET_SLOT) {
            dev = ph_virtio_input_device(m->tablet);
        }
        m->virtio[i] = ph_virtio_mmio_new(
            m->bus, PH_VIRT_VIRTIO_BASE + (uint64_t)i * PH_VIRT_VIRTIO_STRIDE,
            ph_plic_source(m->plic, PH_VIRT_VIRTIO_IRQ + (unsigned)i), dev);
    }
    m->fb = ph_framebuffer_new(m->bus, PH_VIRT_FB_BASE, m->fb_width, m->fb_height);
    m->ram = ph_bus_add_ram(m->bus, "riscv_virt_board.ram", PH_VIRT_DRAM_BASE,
                            m->ram_size, 0);

    cpu_config.bus = m->bus;
    cpu_config.hart_id = 0;
    cpu_config.get_time = ph_clint_read_time;
    cpu_config.time_opaque = m->clint;
    m->cpu = ph_rv_cpu_new(&cpu_config);

    if (!ph_virt_load_images(m, error) || !ph_virt_place_fdt(m, error)) {
        goto fail;
    }
    {
        /* HTIF: the kernel's symbols win over the firmware's. */
        const PhLoadedImage *img = m->kernel.has_tohost ? &m->kernel : &m->bios;

        if (img->has_tohost) {
            m->htif = ph_htif_new(m, img->tohost,
                                  img->has_fromhost ? img->fromhost : UINT64_MAX, error);
            if (!m->htif) {
                goto fail;
            }
        }
    }
    m->serial = ph_serial_new(m, opts->serial, error);
    if (!m->serial) {
        goto fail;
    }
    ph_virt_reset_devices(m);
    ph_virt_write_images(m);
    return m;

fail:
    ph_machine_free(m);
    return NULL;
}

void ph_machine_free(PhMachine *m)
{
    int i;

    if (!m) {
        return;
    }
    if (ph_current_machine == m) {
        ph_current_machine = NULL;
    }
    ph_vcpu_stop(m);
    g_clear_pointer(&m->serial, ph_serial_free);
    g_clear_pointer(&m->htif, ph_htif_free);
    g_clear_pointer(&m->cpu, ph_rv_cpu_free);
    for (i = 0; i < PH_VIRT_VIRTIO_COUNT; i++) {
        g_clear_pointer(&m->virtio[i], ph_virtio_mmio_free);
    }
    g_clear_pointer(&m->fb, ph_framebuffer_free);
    g_clear_pointer(&m->uart, ph_uart_free);
    g_clear_pointer(&m->rtc, ph_goldfish_rtc_free);
    g_clear_pointer(&m->plic, ph_plic_free);
    g_clear_pointer(&m->clint, ph_clint_free);
    g_clear_pointer(&m->syscon, ph_syscon_free);
    g_clear_pointer(&m->uart_bus, ph_bus_free);
    g_clear_pointer(&m->bus, ph_bus_free);
    ph_loaded_image_clear(&m->bios);
    ph_loaded_image_clear(&m->kernel);
    g_free(m->initrd);
    g_free(m->fdt);
    ph_vcpu_cleanup(m);
    g_free((char *)m->opts.bios);
    g_free((void *)m->opts.bios_data);
    g_free((char *)m->opts.bios_name);
    g_free((char *)m->opts.kernel);
    g_free((char *)m->opts.initrd);
    g_free((char *)m->opts.append);
    g_free((char *)m->opts.dtb);
    g_free((char *)m->opts.serial);
    g_free(m);
}

PhMachine *ph_machine_current(void)
{
    return ph_current_machine;
}

bool ph_machine_start(PhMachine *m, GError **error)
{
    if (!ph_serial_start(m->serial, error)) {
        return false;
    }
    if (!ph_vcpu_start(m, ph_vm_get_runstate() == PH_RUN_STATE_RUNNING, error)) {
        return false;
    }
    ph_current_machine = m;
    return true;
}

int ph_machine_exit_status(PhMachine *m)
{
    int status;

    g_mutex_lock(&m->lock);
    status = m->exit_status;
    g_mutex_unlock(&m->lock);
    return status;
}

/* ---- the monitor's view ---- */

PhRvCpu *ph_machine_cpu(PhMachine *m)
{
    return m->cpu;
}

PhBus *ph_machine_bus(PhMachine *m)
{
    return m->bus;
}

uint64_t ph_machine_ram_size(PhMachine *m)
{
    return m->ram_size;
}

uint64_t ph_machine_fdt_addr(PhMachine *m)
{
    return m->fdt_addr;
}

PhFramebuffer *ph_machine_framebuffer(PhMachine *m)
{
    return m->fb;
}

PhVirtioInput *ph_machine_keyboard(PhMachine *m)
{
    return m->keyboard;
}

PhVirtioInput *ph_machine_tablet(PhMachine *m)
{
    return m->tablet;
}

void ph_machine_dump_registers(PhMachine *m, GString *out)
{
    ph_rv_cpu_dump_registers(m->cpu, out);
}

bool ph_machine_read_phys(PhMachine *m, uint64_t addr, void *buf, size_t len,
                          GError **error)
{
    if (!ph_bus_dma_read(m->bus, addr, buf, len)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "Cannot access memory at 0x%" G_GINT64_MODIFIER "x", addr);
        return false;
    }
    return true;
}

void ph_machine_dump_phys(PhMachine *m, uint64_t addr, void *buf, size_t len)
{
    uint8_t *dst = buf;

    while (len) {
        uint64_t in_page = PH_PAGE_SIZE - (addr & (PH_PAGE_SIZE - 1));
        size_t chunk = (size_t)MIN((uint64_t)len, in_page);

        if (!ph_bus_dma_read(m->bus, addr, dst, chunk)) {
            memset(dst, 0, chunk);
        }
        dst += chunk;
        len -= chunk;
        addr += chunk;   /* wraps at 2^64, as the address space does */
    }
}

bool ph_machine_read_virt(PhMachine *m, uint64_t vaddr, void *buf, size_t len,
                          GError **error)
{
    uint8_t *dst = buf;

    while (len) {
        uint64_t in_page = PH_PAGE_SIZE - (vaddr & (PH_PAGE_SIZE - 1));
        size_t chunk = (size_t)MIN((uint64_t)len, in_page);
        uint64_t paddr;

        if (!ph_rv_cpu_debug_translate(m->cpu, vaddr, &paddr)) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                        "Cannot access memory at virtual address 0x%" G_GINT64_MODIFIER
                        "x", vaddr);
            return false;
        }
        if (!ph_machine_read_phys(m, paddr, dst, chunk, error)) {
            return false;
        }
        dst += chunk;
        len -= chunk;
        vaddr += chunk;
    }
    return true;
}

char *ph_machine_mtree_text(PhMachine *m)
{
    static const char *const kinds[] = {
        [PH_REGION_RAM] = "ram", [PH_REGION_ROM] = "rom", [PH_REGION_MMIO] = "i/o",
    };
    GString *out = g_string_new("address-space: memory\n"
                                "  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n");
    PhRegion *const *regions;
    size_t n, i;

    regions = ph_bus_regions(m->bus, &n);
    for (i = 0; i < n; i++) {
        const PhRegion *r = regions[i];
        /* An overlay on RAM wins, as a higher-priority subregion in QEMU. */
        int prio = r->kind == PH_REGION_MMIO && r->base >= PH_VIRT_DRAM_BASE ? 1 : 0;

        g_string_append_printf(out,
                               "    %016" G_GINT64_MODIFIER "x-%016" G_GINT64_MODIFIER
                               "x (prio %d, %s): %s\n",
                               r->base, r->base + r->size - 1, prio,
                               (unsigned)r->kind < G_N_ELEMENTS(kinds) ? kinds[r->kind] : "i/o",
                               r->name);
    }
    g_string_append_c(out, '\n');
    return g_string_free(out, FALSE);
}
