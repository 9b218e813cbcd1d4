/* Boots Debian's OpenSBI and U-Boot on `porthole --headless` and drives them through the serial console. */
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "machine-test-util.h"

#define OPENSBI_DIR "/usr/lib/riscv64-linux-gnu/opensbi/generic/"
#define UBOOT_SMODE "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"
#define UBOOT_MMODE "/usr/lib/u-boot/qemu-riscv64/u-boot.bin"

/* Stops autoboot and waits for the prompt. */
static void ph_boot_to_prompt(PhChild *c)
{
    g_assert_true(ph_child_wait_for(c, "Hit any key to stop autoboot", PH_BOOT_TIMEOUT_S));
    ph_child_send(c, " ");
    g_assert_true(ph_child_wait_for(c, "=> ", PH_BOOT_TIMEOUT_S));
}

/* What QEMU 7.2 prints for the same commands (see the README of this folder). */
static void ph_check_uboot_commands(PhChild *c, bool s_mode)
{
    static const char *const slots[] = {
        "virtio_mmio@10008000", "virtio_mmio@10007000", "virtio_mmio@10006000",
        "virtio_mmio@10005000", "virtio_mmio@10004000", "virtio_mmio@10003000",
        "virtio_mmio@10002000", "virtio_mmio@10001000",
    };
    gsize start;
    size_t i;

    /* Longer than the UART's 16-byte FIFO: input waits for the guest to read. */
    ph_child_send(c, "echo 0123456789-abcdefghijklmnopqrstuvwxyz-0123456789\n");
    g_assert_true(ph_child_wait_for(c, "\n0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
                                    60));
    g_assert_true(ph_child_wait_for(c, "=> ", 60));

    ph_child_send(c, "version\n");
    g_assert_true(ph_child_wait_for(c, "U-Boot 2023.01", 60));
    g_assert_true(ph_child_wait_for(c, "riscv64-linux-gnu-gcc (Debian 12.2.0-13) 12.2.0", 60));
    g_assert_true(ph_child_wait_for(c, "=> ", 60));

    start = c->mark;
    ph_child_send(c, "dm tree\n");
    g_assert_true(ph_child_wait_for(c, "=> ", 60));
    {
        g_autofree char *tree = g_strndup(c->out->str + start, c->mark - start);

        g_assert_nonnull(strstr(tree, "ns16550_serial"));
        g_assert_nonnull(strstr(tree, "serial@10000000"));
        g_assert_nonnull(strstr(tree, "test@100000"));
        g_assert_nonnull(strstr(tree, "riscv_cpu"));
        /* S mode: the SBI timer; M mode: the CLINT, as on QEMU. */
        g_assert_nonnull(strstr(tree, s_mode ? "riscv_timer" : "sifive_clint"));
        for (i = 0; i < G_N_ELEMENTS(slots); i++) {
            g_assert_nonnull(strstr(tree, slots[i]));
        }
        /* Only devices that exist: no PCI and no flash as on QEMU. */
        g_assert_null(strstr(tree, "pci@"));
        g_assert_null(strstr(tree, "flash@"));
    }
}

typedef struct {
    const char *firmware;       /* -bios */
    const char *kernel;         /* -kernel, or NULL */
} PhBootCase;

/* OpenSBI + S-mode U-Boot, or M-mode U-Boot alone: prompt, commands, power-off. */
static void test_boot_uboot(gconstpointer data)
{
    const PhBootCase *bc = data;
    const char *args[8];
    PhChild *c;
    int n = 0;

    if (!ph_test_need_file(bc->firmware) ||
        (bc->kernel && !ph_test_need_file(bc->kernel))) {
        return;
    }
    args[n++] = "--headless";
    args[n++] = "-bios";
    args[n++] = bc->firmware;
    if (bc->kernel) {
        args[n++] = "-kernel";
        args[n++] = bc->kernel;
    }
    args[n] = NULL;
    c = ph_child_spawn(args);
    if (bc->kernel) {
        g_assert_true(ph_child_wait_for(c, "OpenSBI v", PH_BOOT_TIMEOUT_S));
        /* fw_dynamic learns the next stage from the ROM's fw_dynamic_info. */
        g_assert_true(ph_child_wait_for(c, "Domain0 Next Address      : 0x0000000080200000",
                                        PH_BOOT_TIMEOUT_S));
        g_assert_true(ph_child_wait_for(c, "Domain0 Next Mode         : S-mode",
                                        PH_BOOT_TIMEOUT_S));
    }
    g_assert_true(ph_child_wait_for(c, "CPU:   rv64imafdc_zicsr_zifencei", PH_BOOT_TIMEOUT_S));
    g_assert_true(ph_child_wait_for(c, "DRAM:  128 MiB", PH_BOOT_TIMEOUT_S));
    ph_boot_to_prompt(c);
    ph_check_uboot_commands(c, bc->kernel != NULL);
    ph_child_send(c, "poweroff\n");
    g_assert_cmpint(ph_child_wait_exit(c, PH_BOOT_TIMEOUT_S), ==, 0);
    ph_child_free(c);
}

/*
 * The same boot watched over QMP: stop really stops the guest (the autoboot
 * countdown freezes), system_reset reboots the firmware, an idle prompt
 * costs almost no CPU, and the guest's power-off sends SHUTDOWN.
 */
static void test_boot_qmp(void)
{
    g_autofree char *dir = g_dir_make_tmp("porthole-boot-XXXXXX", NULL);
    g_autofree char *sock = g_build_filename(dir, "qmp.sock", NULL);
    g_autofree char *qmp_arg = g_strdup_printf("unix:%s,server=on,wait=off", sock);
    const char *fw = OPENSBI_DIR "fw_jump.bin";
    g_autofree char *reply = NULL, *event = NULL;
    PhChild *c;
    PhQmp *q;
    double cpu0, cpu1;
    gint64 t0, t1;
    gsize len;

    if (!ph_test_need_file(fw) || !ph_test_need_file(UBOOT_SMODE)) {
        return;
    }
    c = ph_child_spawn((const char *const[]){ "--headless", "-qmp", qmp_arg, "-bios", fw,
                                              "-kernel", UBOOT_SMODE, NULL });
    q = ph_qmp_connect(sock, 60);
    g_assert_nonnull(q);

    /* Paused in the middle of the autoboot countdown: not a byte more. */
    g_assert_true(ph_child_wait_for(c, "Hit any key to stop autoboot", PH_BOOT_TIMEOUT_S));
    reply = ph_qmp_command(q, "{\"execute\":\"stop\"}", "\"return\"", 60);
    g_assert_nonnull(reply);
    g_clear_pointer(&reply, g_free);
    ph_child_drain(c, 300);
    len = c->out->len;
    ph_child_drain(c, 2500);
    g_assert_cmpuint(c->out->len, ==, len);
    reply = ph_qmp_command(q, "{\"execute\":\"query-status\"}", "\"return\"", 60);
    g_assert_nonnull(strstr(reply, "\"paused\""));
    g_clear_pointer(&reply, g_free);

    reply = ph_qmp_command(q, "{\"execute\":\"cont\"}", "\"return\"", 60);
    g_assert_nonnull(reply);
    g_clear_pointer(&reply, g_free);
    ph_child_send(c, " ");
    g_assert_true(ph_child_wait_for(c, "=> ", PH_BOOT_TIMEOUT_S));

    /* Idle at the prompt. */
    ph_child_drain(c, 500);
    cpu0 = ph_child_cpu_seconds(c);
    t0 = g_get_monotonic_time();
    ph_child_drain(c, 2000);
    cpu1 = ph_child_cpu_seconds(c);
    t1 = g_get_monotonic_time();
    {
        double share = (cpu1 - cpu0) / ((double)(t1 - t0) / G_USEC_PER_SEC);

        g_test_message("CPU use at the U-Boot prompt: %.1f %%", share * 100);
        g_assert_cmpfloat(share, <, 0.10);
    }
    /* The prompt still answers after the naps. */
    ph_child_send(c, "version\n");
    g_assert_true(ph_child_wait_for(c, "U-Boot 2023.01", 60));

    /* system_reset: the firmware starts over. */
    reply = ph_qmp_command(q, "{\"execute\":\"system_reset\"}", "\"return\"", 60);
    g_assert_nonnull(reply);
    g_clear_pointer(&reply, g_free);
    event = ph_qmp_wait(q, "\"RESET\"", 60);
    g_assert_nonnull(event);
    g_clear_pointer(&event, g_free);
    g_assert_true(ph_child_wait_for(c, "OpenSBI v", PH_BOOT_TIMEOUT_S));
    ph_boot_to_prompt(c);

    /* The guest powers off: SHUTDOWN, then exit status 0. */
    ph_child_send(c, "poweroff\n");
    event = ph_qmp_wait(q, "\"SHUTDOWN\"", PH_BOOT_TIMEOUT_S);
    g_assert_nonnull(event);
    g_assert_nonnull(strstr(event, "guest-shutdown"));
    g_assert_cmpint(ph_child_wait_exit(c, PH_BOOT_TIMEOUT_S), ==, 0);
    ph_qmp_free(q);
    ph_child_free(c);
    g_remove(sock);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    static const PhBootCase fw_jump = { OPENSBI_DIR "fw_jump.bin", UBOOT_SMODE };
    static const PhBootCase fw_dynamic = { OPENSBI_DIR "fw_dynamic.bin", UBOOT_SMODE };
    static const PhBootCase fw_dynamic_elf = { OPENSBI_DIR "fw_dynamic.elf", UBOOT_SMODE };
    static const PhBootCase mmode = { UBOOT_MMODE, NULL };

    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/machine/boot/opensbi-fw-jump/u-boot", &fw_jump, test_boot_uboot);
    g_test_add_data_func("/machine/boot/opensbi-fw-dynamic/u-boot", &fw_dynamic,
                         test_boot_uboot);
    g_test_add_data_func("/machine/boot/opensbi-fw-dynamic-elf/u-boot", &fw_dynamic_elf,
                         test_boot_uboot);
    g_test_add_data_func("/machine/boot/u-boot-m-mode", &mmode, test_boot_uboot);
    g_test_add_func("/machine/boot/qmp-stop-reset-idle-poweroff", test_boot_qmp);
    return g_test_run();
}
