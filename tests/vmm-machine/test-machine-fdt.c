/* The board's device tree and reset ROM, read back from guest memory and compared with QEMU's. */
#include <libfdt.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "machine.h"

typedef struct {
    char *dir;
    char *kernel;       /* a raw "kernel": 4 KiB of a pattern */
    char *initrd;
    PhMachine *m;
    uint8_t *fdt;       /* copy read from guest RAM */
} Fixture;

static char *write_file(Fixture *f, const char *name, size_t len, uint8_t seed)
{
    g_autofree uint8_t *data = g_malloc(len);
    char *path = g_build_filename(f->dir, name, NULL);
    size_t i;

    for (i = 0; i < len; i++) {
        data[i] = (uint8_t)(seed + i * 7);
    }
    g_assert_true(g_file_set_contents(path, (const char *)data, (gssize)len, NULL));
    return path;
}

static void fixture_setup(Fixture *f, gconstpointer data)
{
    f->dir = g_dir_make_tmp("porthole-fdt-XXXXXX", NULL);
    f->kernel = write_file(f, "kernel.bin", 4096, 1);
    f->initrd = write_file(f, "initrd.img", 10000, 2);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    g_clear_pointer(&f->m, ph_machine_free);
    g_free(f->fdt);
    g_remove(f->kernel);
    g_remove(f->initrd);
    g_rmdir(f->dir);
    g_free(f->kernel);
    g_free(f->initrd);
    g_free(f->dir);
}

/* Builds the machine and copies its DTB out of guest RAM. */
static void build(Fixture *f, const PhMachineOptions *opts)
{
    g_autoptr(GError) error = NULL;
    uint8_t header[64];

    f->m = ph_machine_new(opts, &error);
    g_assert_no_error(error);
    g_assert_true(ph_machine_read_phys(f->m, ph_machine_fdt_addr(f->m), header,
                                       sizeof(header), &error));
    g_assert_cmpint(fdt_check_header(header), ==, 0);
    f->fdt = g_malloc(fdt_totalsize(header));
    g_assert_true(ph_machine_read_phys(f->m, ph_machine_fdt_addr(f->m), f->fdt,
                                       fdt_totalsize(header), &error));
    g_assert_no_error(error);
}

static int node(const void *fdt, const char *path)
{
    int off = fdt_path_offset(fdt, path);

    if (off < 0) {
        g_error("node %s: %s", path, fdt_strerror(off));
    }
    return off;
}

static const char *prop_str(const void *fdt, const char *path, const char *name)
{
    int len;
    const char *v = fdt_getprop(fdt, node(fdt, path), name, &len);

    g_assert_nonnull(v);
    g_assert_cmpint(len, >, 0);
    g_assert_cmpint(v[len - 1], ==, '\0');
    return v;
}

/* The property as 32-bit cells; @n gets the count. */
static const fdt32_t *prop_cells(const void *fdt, const char *path, const char *name, int *n)
{
    int len;
    const fdt32_t *v = fdt_getprop(fdt, node(fdt, path), name, &len);

    if (!v) {
        g_error("%s: no property %s", path, name);
    }
    g_assert_cmpint(len % 4, ==, 0);
    *n = len / 4;
    return v;
}

static uint32_t prop_u32(const void *fdt, const char *path, const char *name)
{
    int n;
    const fdt32_t *v = prop_cells(fdt, path, name, &n);

    g_assert_cmpint(n, ==, 1);
    return fdt32_to_cpu(v[0]);
}

static uint64_t prop_u64(const void *fdt, const char *path, const char *name)
{
    int n;
    const fdt32_t *v = prop_cells(fdt, path, name, &n);

    g_assert_cmpint(n, ==, 2);
    return (uint64_t)fdt32_to_cpu(v[0]) << 32 | fdt32_to_cpu(v[1]);
}

static void check_reg(const void *fdt, const char *path, uint64_t addr, uint64_t size)
{
    int n;
    const fdt32_t *v = prop_cells(fdt, path, "reg", &n);

    g_assert_cmpint(n, ==, 4);
    g_assert_cmphex((uint64_t)fdt32_to_cpu(v[0]) << 32 | fdt32_to_cpu(v[1]), ==, addr);
    g_assert_cmphex((uint64_t)fdt32_to_cpu(v[2]) << 32 | fdt32_to_cpu(v[3]), ==, size);
}

static void check_cells(const void *fdt, const char *path, const char *name,
                        const uint32_t *want, int want_n)
{
    int n, i;
    const fdt32_t *v = prop_cells(fdt, path, name, &n);

    g_assert_cmpint(n, ==, want_n);
    for (i = 0; i < n; i++) {
        g_assert_cmphex(fdt32_to_cpu(v[i]), ==, want[i]);
    }
}

static void test_fdt_default(Fixture *f, gconstpointer data)
{
    PhMachineOptions opts = {
        .bios = "none", .kernel = f->kernel, .initrd = f->initrd,
        .append = "console=ttyS0 earlycon", .serial = "none",
    };
    const void *fdt;
    char path[64];
    int i, len;
    uint8_t initrd[16], expect[16];

    build(f, &opts);
    fdt = f->fdt;

    /* QEMU 7.2's placement: end of RAM minus the blob, 2 MiB aligned. */
    g_assert_cmphex(ph_machine_fdt_addr(f->m), ==, 0x87e00000);

    g_assert_cmpstr(prop_str(fdt, "/", "compatible"), ==, "riscv-virtio");
    g_assert_cmpstr(prop_str(fdt, "/", "model"), ==, "riscv-virtio,qemu");
    g_assert_cmpuint(prop_u32(fdt, "/", "#address-cells"), ==, 2);
    g_assert_cmpuint(prop_u32(fdt, "/", "#size-cells"), ==, 2);

    g_assert_cmpuint(prop_u32(fdt, "/cpus", "timebase-frequency"), ==, 10000000);
    g_assert_cmpstr(prop_str(fdt, "/cpus/cpu@0", "riscv,isa"), ==,
                    "rv64imafdc_zicsr_zifencei");
    g_assert_cmpstr(prop_str(fdt, "/cpus/cpu@0", "mmu-type"), ==, "riscv,sv48");
    g_assert_cmpstr(prop_str(fdt, "/cpus/cpu@0", "device_type"), ==, "cpu");
    g_assert_cmpstr(prop_str(fdt, "/cpus/cpu@0", "status"), ==, "okay");
    g_assert_cmpstr(prop_str(fdt, "/cpus/cpu@0/interrupt-controller", "compatible"), ==,
                    "riscv,cpu-intc");
    g_assert_cmpuint(prop_u32(fdt, "/cpus/cpu@0/interrupt-controller", "phandle"), ==, 2);
    g_assert_cmpuint(prop_u32(fdt, "/cpus/cpu-map/cluster0/core0", "cpu"), ==,
                     prop_u32(fdt, "/cpus/cpu@0", "phandle"));

    check_reg(fdt, "/memory@80000000", 0x80000000, 128u << 20);
    g_assert_cmpstr(prop_str(fdt, "/memory@80000000", "device_type"), ==, "memory");

    check_reg(fdt, "/soc/serial@10000000", 0x10000000, 0x100);
    g_assert_cmpstr(prop_str(fdt, "/soc/serial@10000000", "compatible"), ==, "ns16550a");
    g_assert_cmpuint(prop_u32(fdt, "/soc/serial@10000000", "interrupts"), ==, 10);
    g_assert_cmpuint(prop_u32(fdt, "/soc/serial@10000000", "clock-frequency"), ==, 3686400);
    g_assert_cmpuint(prop_u32(fdt, "/soc/serial@10000000", "interrupt-parent"), ==, 3);
    check_reg(fdt, "/soc/rtc@101000", 0x101000, 0x1000);
    g_assert_cmpuint(prop_u32(fdt, "/soc/rtc@101000", "interrupts"), ==, 11);
    g_assert_cmpstr(prop_str(fdt, "/soc/rtc@101000", "compatible"), ==, "google,goldfish-rtc");
    check_reg(fdt, "/soc/test@100000", 0x100000, 0x1000);
    g_assert_cmpuint(prop_u32(fdt, "/poweroff", "value"), ==, 0x5555);
    g_assert_cmpuint(prop_u32(fdt, "/reboot", "value"), ==, 0x7777);
    g_assert_cmpuint(prop_u32(fdt, "/poweroff", "regmap"), ==,
                     prop_u32(fdt, "/soc/test@100000", "phandle"));

    check_reg(fdt, "/soc/plic@c000000", 0xc000000, 0x600000);
    g_assert_cmpuint(prop_u32(fdt, "/soc/plic@c000000", "riscv,ndev"), ==, 0x60);
    g_assert_cmpuint(prop_u32(fdt, "/soc/plic@c000000", "phandle"), ==, 3);
    check_cells(fdt, "/soc/plic@c000000", "interrupts-extended",
                (const uint32_t[]){ 2, 11, 2, 9 }, 4);
    check_reg(fdt, "/soc/clint@2000000", 0x2000000, 0x10000);
    check_cells(fdt, "/soc/clint@2000000", "interrupts-extended",
                (const uint32_t[]){ 2, 3, 2, 7 }, 4);
    for (i = 0; i < 8; i++) {
        g_snprintf(path, sizeof(path), "/soc/virtio_mmio@%x", 0x10001000 + i * 0x1000);
        check_reg(fdt, path, 0x10001000 + (uint64_t)i * 0x1000, 0x1000);
        g_assert_cmpuint(prop_u32(fdt, path, "interrupts"), ==, (unsigned)i + 1);
        g_assert_cmpstr(prop_str(fdt, path, "compatible"), ==, "virtio,mmio");
    }

    check_reg(fdt, "/framebuffer@40000000", 0x40000000, 1024 * 768 * 4);
    g_assert_cmpstr(prop_str(fdt, "/framebuffer@40000000", "compatible"), ==,
                    "simple-framebuffer");
    g_assert_cmpstr(prop_str(fdt, "/framebuffer@40000000", "format"), ==, "x8r8g8b8");
    g_assert_cmpuint(prop_u32(fdt, "/framebuffer@40000000", "width"), ==, 1024);
    g_assert_cmpuint(prop_u32(fdt, "/framebuffer@40000000", "height"), ==, 768);
    g_assert_cmpuint(prop_u32(fdt, "/framebuffer@40000000", "stride"), ==, 4096);

    g_assert_cmpstr(prop_str(fdt, "/chosen", "stdout-path"), ==, "/soc/serial@10000000");
    g_assert_cmpstr(prop_str(fdt, "/chosen", "bootargs"), ==, "console=ttyS0 earlycon");
    /* QEMU 7.2: the initrd at the kernel + min(RAM / 2, 128 MiB). */
    g_assert_cmphex(prop_u64(fdt, "/chosen", "linux,initrd-start"), ==,
                    0x80000000 + (64u << 20));
    g_assert_cmphex(prop_u64(fdt, "/chosen", "linux,initrd-end"), ==,
                    0x80000000 + (64u << 20) + 10000);
    g_assert_true(ph_machine_read_phys(f->m, 0x84000000, initrd, sizeof(initrd), NULL));
    for (i = 0; i < 16; i++) {
        expect[i] = (uint8_t)(2 + i * 7);
    }
    g_assert_cmpmem(initrd, sizeof(initrd), expect, sizeof(expect));
    g_assert_nonnull(fdt_getprop(fdt, node(fdt, "/chosen"), "rng-seed", &len));

    /* Only devices that exist. */
    g_assert_cmpint(fdt_path_offset(fdt, "/soc/pci@30000000"), <, 0);
    g_assert_cmpint(fdt_path_offset(fdt, "/flash@20000000"), <, 0);
    g_assert_cmpint(fdt_path_offset(fdt, "/fw-cfg@10100000"), <, 0);
    g_assert_cmpint(fdt_path_offset(fdt, "/pmu"), <, 0);
}

/* The ROM at 0x1000 hands the hart id, the DTB and fw_dynamic_info over. */
static void test_reset_rom(Fixture *f, gconstpointer data)
{
    PhMachineOptions opts = { .bios = "none", .kernel = f->kernel, .serial = "none" };
    uint32_t code[6];
    uint64_t words[2], info[6];
    g_autoptr(GError) error = NULL;

    build(f, &opts);
    g_assert_true(ph_machine_read_phys(f->m, 0x1000, code, sizeof(code), &error));
    g_assert_cmphex(code[0], ==, 0x00000297);   /* auipc t0, 0 */
    g_assert_cmphex(code[1], ==, 0x02828613);   /* addi a2, t0, 40 */
    g_assert_cmphex(code[2], ==, 0xf1402573);   /* csrr a0, mhartid */
    g_assert_cmphex(code[3], ==, 0x0202b583);   /* ld a1, 32(t0) */
    g_assert_cmphex(code[4], ==, 0x0182b283);   /* ld t0, 24(t0) */
    g_assert_cmphex(code[5], ==, 0x00028067);   /* jr t0 */
    g_assert_true(ph_machine_read_phys(f->m, 0x1018, words, sizeof(words), &error));
    g_assert_cmphex(words[0], ==, 0x80000000);  /* -bios none: the kernel itself */
    g_assert_cmphex(words[1], ==, ph_machine_fdt_addr(f->m));
    g_assert_true(ph_machine_read_phys(f->m, 0x1028, info, sizeof(info), &error));
    g_assert_cmphex(info[0], ==, 0x4942534f);
    g_assert_cmpuint(info[1], ==, 2);
    g_assert_cmphex(info[2], ==, 0x80000000);
    g_assert_cmpuint(info[3], ==, 1);           /* next mode: S */
    g_assert_cmpuint(info[4], ==, 0);
    g_assert_cmpuint(info[5], ==, 0);
}

/* -m and --display-size reach the tree; a bigger RAM moves the DTB up. */
static void test_fdt_sizes(Fixture *f, gconstpointer data)
{
    PhMachineOptions opts = {
        .bios = "none", .kernel = f->kernel, .serial = "none",
        .ram_size = 256u << 20, .fb_width = 640, .fb_height = 480,
    };
    g_autofree char *mtree = NULL;

    build(f, &opts);
    check_reg(f->fdt, "/memory@80000000", 0x80000000, 256u << 20);
    g_assert_cmphex(ph_machine_fdt_addr(f->m), ==, 0x8fe00000);
    g_assert_cmpuint(prop_u32(f->fdt, "/framebuffer@40000000", "width"), ==, 640);
    g_assert_cmpuint(prop_u32(f->fdt, "/framebuffer@40000000", "stride"), ==, 2560);
    g_assert_cmpuint(ph_framebuffer_width(ph_machine_framebuffer(f->m)), ==, 640);

    mtree = ph_machine_mtree_text(f->m);
    g_assert_true(g_str_has_prefix(mtree, "address-space: memory\n"
                                          "  0000000000000000-ffffffffffffffff (prio 0, i/o): "
                                          "system\n"));
    g_assert_nonnull(strstr(mtree, "    0000000000001000-000000000000ffff (prio 0, rom): "
                                   "riscv_virt_board.mrom\n"));
    g_assert_nonnull(strstr(mtree, "    0000000080000000-000000008fffffff (prio 0, ram): "
                                   "riscv_virt_board.ram\n"));
    g_assert_nonnull(strstr(mtree, "    0000000010000000-00000000100000ff (prio 0, i/o): "
                                   "serial\n"));
}

/*
 * Structure against QEMU 7.2 itself: every node we have (but the
 * framebuffer, which QEMU lacks) exists in QEMU's tree at the same path with
 * the same compatible, reg, interrupts and interrupts-extended; QEMU's other
 * nodes are the devices Porthole leaves out on purpose.
 */
static void compare_subtree(const void *ours, const void *qemu, int off, const char *path)
{
    static const char *const props[] = {
        "compatible", "reg", "interrupts", "interrupts-extended", "interrupt-parent",
        "#address-cells", "#size-cells", "#interrupt-cells", "timebase-frequency",
        "clock-frequency", "device_type", "value", "offset", "regmap", "phandle",
        "stdout-path", "mmu-type", "interrupt-controller", "ranges",
    };
    int child;
    size_t i;

    if (g_str_has_prefix(path, "/framebuffer@")) {
        return;
    }
    {
        int qoff = fdt_path_offset(qemu, *path ? path : "/");

        if (qoff < 0) {
            g_error("QEMU has no node %s", path);
        }
        for (i = 0; i < G_N_ELEMENTS(props); i++) {
            int len1, len2;
            const void *a = fdt_getprop(ours, off, props[i], &len1);
            const void *b = fdt_getprop(qemu, qoff, props[i], &len2);

            /* Sizes that follow the options (RAM) are checked elsewhere. */
            if (g_str_equal(path, "/memory@80000000") && g_str_equal(props[i], "reg")) {
                continue;
            }
            if (!a && !b) {
                continue;
            }
            if (!a || !b || len1 != len2 || memcmp(a, b, (size_t)len1) != 0) {
                g_error("%s: property %s differs from QEMU's", path, props[i]);
            }
        }
    }
    fdt_for_each_subnode(child, ours, off) {
        g_autofree char *sub = g_strdup_printf("%s/%s", path, fdt_get_name(ours, child, NULL));

        compare_subtree(ours, qemu, child, sub);
    }
}

static void test_fdt_vs_qemu(Fixture *f, gconstpointer data)
{
    PhMachineOptions opts = { .bios = "none", .kernel = f->kernel, .serial = "none" };
    g_autofree char *qemu = g_find_program_in_path("qemu-system-riscv64");
    g_autofree char *dtb = g_build_filename(f->dir, "qemu.dtb", NULL);
    g_autofree char *machine_arg = g_strdup_printf("virt,dumpdtb=%s", dtb);
    g_autofree char *contents = NULL;
    const char *argv[] = { qemu, "-M", machine_arg, "-nographic", "-bios", "none", NULL };
    static const char *const absent[] = {
        "/pmu", "/fw-cfg@10100000", "/flash@20000000", "/platform-bus@4000000",
        "/soc/pci@30000000",
    };
    int status = -1, child;
    size_t i;

    if (!qemu) {
        g_test_skip("qemu-system-riscv64 is not installed");
        return;
    }
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL,
                               G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, NULL));
    if (!g_file_get_contents(dtb, &contents, NULL, NULL)) {
        g_test_skip("QEMU did not dump its device tree");
        return;
    }
    g_remove(dtb);
    g_assert_cmpint(fdt_check_header(contents), ==, 0);

    build(f, &opts);
    compare_subtree(f->fdt, contents, 0, "");
    /* ... and the other way round. */
    fdt_for_each_subnode(child, contents, 0) {
        g_autofree char *p = g_strdup_printf("/%s", fdt_get_name(contents, child, NULL));
        bool skip = false;

        for (i = 0; i < G_N_ELEMENTS(absent); i++) {
            skip |= g_str_equal(p, absent[i]);
        }
        if (!skip && fdt_path_offset(f->fdt, p) < 0) {
            g_error("QEMU's node %s is missing", p);
        }
    }
    fdt_for_each_subnode(child, contents, fdt_path_offset(contents, "/soc")) {
        g_autofree char *p = g_strdup_printf("/soc/%s", fdt_get_name(contents, child, NULL));
        bool skip = false;

        for (i = 0; i < G_N_ELEMENTS(absent); i++) {
            skip |= g_str_equal(p, absent[i]);
        }
        if (!skip && fdt_path_offset(f->fdt, p) < 0) {
            g_error("QEMU's node %s is missing", p);
        }
    }
}

/* -dtb: the user's blob, with /chosen/bootargs set; garbage is an error. */
static void test_user_dtb(Fixture *f, gconstpointer data)
{
    g_autofree char *good = g_build_filename(f->dir, "good.dtb", NULL);
    g_autofree char *bad = g_build_filename(f->dir, "bad.dtb", NULL);
    PhMachineOptions opts = { .bios = "none", .kernel = f->kernel, .serial = "none" };
    g_autoptr(GError) error = NULL;
    PhMachine *m;

    /* Our own tree, renamed, as the user's file. */
    build(f, &opts);
    g_assert_cmpint(fdt_setprop_inplace(f->fdt, 0, "model", "riscv-virtio,quux",
                                        sizeof("riscv-virtio,quux")), ==, 0);
    g_assert_true(g_file_set_contents(good, (const char *)f->fdt, fdt_totalsize(f->fdt), NULL));
    g_clear_pointer(&f->m, ph_machine_free);
    g_clear_pointer(&f->fdt, g_free);

    opts.dtb = good;
    opts.append = "quiet";
    build(f, &opts);
    g_assert_cmpstr(prop_str(f->fdt, "/", "model"), ==, "riscv-virtio,quux");
    g_assert_cmpstr(prop_str(f->fdt, "/chosen", "bootargs"), ==, "quiet");

    g_assert_true(g_file_set_contents(bad, "not a device tree at all, no no no", -1, NULL));
    opts.dtb = bad;
    m = ph_machine_new(&opts, &error);
    g_assert_null(m);
    g_assert_nonnull(strstr(error->message, "not a valid device tree"));
    g_clear_error(&error);

    opts.dtb = "/nonexistent.dtb";
    m = ph_machine_new(&opts, &error);
    g_assert_null(m);
    g_assert_nonnull(strstr(error->message, "/nonexistent.dtb"));
    g_remove(good);
    g_remove(bad);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/machine/fdt/default", Fixture, NULL, fixture_setup, test_fdt_default,
               fixture_teardown);
    g_test_add("/machine/fdt/sizes-and-mtree", Fixture, NULL, fixture_setup, test_fdt_sizes,
               fixture_teardown);
    g_test_add("/machine/fdt/same-as-qemu", Fixture, NULL, fixture_setup, test_fdt_vs_qemu,
               fixture_teardown);
    g_test_add("/machine/fdt/user-dtb", Fixture, NULL, fixture_setup, test_user_dtb,
               fixture_teardown);
    g_test_add("/machine/rom/reset-vector", Fixture, NULL, fixture_setup, test_reset_rom,
               fixture_teardown);
    return g_test_run();
}
