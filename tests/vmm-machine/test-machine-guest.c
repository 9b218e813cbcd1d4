/* Tiny cross-built guests on `porthole --headless`: HTIF exit codes and putchar, the test device, stop/cont/reset. */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

#include "machine-test-util.h"

/* A guest ELF built next to this test, or NULL (and skipped) without the
 * cross compiler. */
static char *ph_guest(const char *name)
{
    const char *dir = g_getenv("PH_GUEST_DIR");
    char *path = dir ? g_build_filename(dir, name, NULL) : NULL;

    if (!path || !g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_test_skip("the guest binaries need riscv64-unknown-elf-gcc");
        g_free(path);
        return NULL;
    }
    return path;
}

/* Runs @args and returns the exit status; @c_out gets the child for checks. */
static int ph_run_guest(const char *const *args, PhChild **c_out)
{
    PhChild *c = ph_child_spawn(args);
    int status = ph_child_wait_exit(c, PH_BOOT_TIMEOUT_S);

    *c_out = c;
    return status;
}

static void test_htif_pass(void)
{
    g_autofree char *elf = ph_guest("htif-pass.elf");
    PhChild *c;

    if (!elf) {
        return;
    }
    /* The riscv-tests way, and QEMU's spellings. */
    g_assert_cmpint(ph_run_guest((const char *const[]){ "-nographic", "-machine", "virt",
                                                        "-bios", "none", "-kernel", elf,
                                                        NULL },
                                 &c),
                    ==, 0);
    g_assert_null(strstr(c->err->str, "FAIL"));
    ph_child_free(c);
    /* The same binary as firmware. */
    g_assert_cmpint(ph_run_guest((const char *const[]){ "--headless", "-bios", elf, NULL }, &c),
                    ==, 0);
    ph_child_free(c);
}

static void test_htif_fail(void)
{
    g_autofree char *elf = ph_guest("htif-fail3.elf");
    g_autofree char *split = ph_guest("htif-fail5-split.elf");
    PhChild *c;

    if (!elf || !split) {
        return;
    }
    g_assert_cmpint(ph_run_guest((const char *const[]){ "--headless", "-bios", "none",
                                                        "-kernel", elf, NULL },
                                 &c),
                    ==, 3);
    g_assert_nonnull(strstr(c->err->str, "FAIL: test 3"));
    ph_child_free(c);
    /* Two 32-bit stores: the command takes effect with the upper half. */
    g_assert_cmpint(ph_run_guest((const char *const[]){ "--headless", "-bios", "none",
                                                        "-kernel", split, NULL },
                                 &c),
                    ==, 5);
    g_assert_nonnull(strstr(c->err->str, "FAIL: test 5"));
    ph_child_free(c);
}

static void test_htif_putchar(void)
{
    g_autofree char *elf = ph_guest("htif-putchar.elf");
    PhChild *c;

    if (!elf) {
        return;
    }
    g_assert_cmpint(ph_run_guest((const char *const[]){ "--headless", "-bios", "none",
                                                        "-kernel", elf, NULL },
                                 &c),
                    ==, 0);
    g_assert_nonnull(strstr(c->out->str, "Hello from HTIF\n"));
    ph_child_free(c);
}

static void test_syscon(void)
{
    g_autofree char *fail = ph_guest("syscon-fail7.elf");
    g_autofree char *off = ph_guest("syscon-poweroff.elf");
    PhChild *c;

    if (!fail || !off) {
        return;
    }
    g_assert_cmpint(ph_run_guest((const char *const[]){ "--headless", "-bios", "none",
                                                        "-kernel", fail, NULL },
                                 &c),
                    ==, 7);
    ph_child_free(c);
    g_assert_cmpint(ph_run_guest((const char *const[]){ "--headless", "-bios", "none",
                                                        "-kernel", off, NULL },
                                 &c),
                    ==, 0);
    ph_child_free(c);
}

static gsize ph_count(const char *haystack, const char *needle)
{
    gsize n = 0;

    while ((haystack = strstr(haystack, needle))) {
        n++;
        haystack += strlen(needle);
    }
    return n;
}

/* A guest that prints all the time: stop silences it, cont resumes it,
 * system_reset restarts it, -S holds it until cont. */
static void test_stop_cont_reset(void)
{
    g_autofree char *elf = ph_guest("uart-loop.elf");
    g_autofree char *dir = NULL, *sock = NULL, *qmp_arg = NULL, *r = NULL;
    PhChild *c;
    PhQmp *q;
    gsize len;

    if (!elf) {
        return;
    }
    dir = g_dir_make_tmp("porthole-guest-XXXXXX", NULL);
    sock = g_build_filename(dir, "qmp.sock", NULL);
    qmp_arg = g_strdup_printf("unix:%s,server=on,wait=off", sock);
    c = ph_child_spawn((const char *const[]){ "--headless", "-S", "-qmp", qmp_arg, "-bios",
                                              "none", "-kernel", elf, NULL });
    q = ph_qmp_connect(sock, 60);
    g_assert_nonnull(q);

    /* -S: nothing runs before cont. */
    ph_child_drain(c, 1000);
    g_assert_null(strstr(c->out->str, "BOOT"));
    r = ph_qmp_command(q, "{\"execute\":\"cont\"}", "\"return\"", 60);
    g_assert_nonnull(r);
    g_clear_pointer(&r, g_free);
    g_assert_true(ph_child_wait_for(c, "BOOT\n", 60));
    g_assert_true(ph_child_wait_for(c, "tick\n", 60));

    r = ph_qmp_command(q, "{\"execute\":\"stop\"}", "\"return\"", 60);
    g_assert_nonnull(r);
    g_clear_pointer(&r, g_free);
    r = ph_qmp_wait(q, "\"STOP\"", 1);
    g_clear_pointer(&r, g_free);
    ph_child_drain(c, 200);
    len = c->out->len;
    ph_child_drain(c, 1500);
    g_assert_cmpuint(c->out->len, ==, len);
    c->mark = len;      /* only new output counts from here */

    r = ph_qmp_command(q, "{\"execute\":\"cont\"}", "\"return\"", 60);
    g_assert_nonnull(r);
    g_clear_pointer(&r, g_free);
    g_assert_true(ph_child_wait_for(c, "tick\n", 60));
    g_assert_cmpuint(c->out->len, >, len);

    g_assert_cmpuint(ph_count(c->out->str, "BOOT"), ==, 1);
    r = ph_qmp_command(q, "{\"execute\":\"system_reset\"}", "\"return\"", 60);
    g_assert_nonnull(r);
    g_clear_pointer(&r, g_free);
    g_assert_true(ph_child_wait_for(c, "BOOT\n", 60));
    g_assert_cmpuint(ph_count(c->out->str, "BOOT"), ==, 2);

    r = ph_qmp_command(q, "{\"execute\":\"quit\"}", "\"return\"", 60);
    g_assert_nonnull(r);
    g_assert_cmpint(ph_child_wait_exit(c, 60), ==, 0);
    ph_qmp_free(q);
    ph_child_free(c);
    g_remove(sock);
    g_rmdir(dir);
}

/* A guest idling in WFI costs (almost) no host CPU, and the timer still
 * wakes it: ticks keep coming at the guest's pace. */
static void test_wfi_idle(void)
{
    g_autofree char *elf = ph_guest("wfi-idle.elf");
    PhChild *c;
    double cpu0, cpu1, share;
    gint64 t0, t1;
    guint ticks0, ticks1;

    if (!elf) {
        return;
    }
    c = ph_child_spawn((const char *const[]){ "--headless", "-bios", "none", "-kernel", elf,
                                              NULL });
    g_assert_true(ph_child_wait_for(c, "tick\n", 60));
    cpu0 = ph_child_cpu_seconds(c);
    t0 = g_get_monotonic_time();
    ticks0 = ph_count(c->out->str, "tick");
    ph_child_drain(c, 2500);
    cpu1 = ph_child_cpu_seconds(c);
    t1 = g_get_monotonic_time();
    ticks1 = ph_count(c->out->str, "tick");

    share = (cpu1 - cpu0) / ((double)(t1 - t0) / G_USEC_PER_SEC);
    g_test_message("CPU use of a guest idling in WFI: %.2f %%, %u ticks in %.1f s",
                   share * 100, ticks1 - ticks0, (double)(t1 - t0) / G_USEC_PER_SEC);
    /* 5 ticks a second; allow for a slow, loaded machine but not for none. */
    g_assert_cmpuint(ticks1 - ticks0, >=, 6);
    g_assert_cmpuint(ticks1 - ticks0, <=, 16);
    g_assert_cmpfloat(share, <, 0.05);
    ph_child_free(c);
}

/* -serial unix:PATH,server: a tool connects to the socket and reads the
 * guest's console there, not on stdout; a second client after the first
 * leaves gets it too. */
static void test_serial_unix(void)
{
    g_autofree char *elf = ph_guest("uart-loop.elf");
    g_autofree char *dir = NULL, *sock = NULL, *serial_arg = NULL;
    PhChild *c;

    if (!elf) {
        return;
    }
    dir = g_dir_make_tmp("porthole-serial-XXXXXX", NULL);
    sock = g_build_filename(dir, "serial.sock", NULL);
    serial_arg = g_strdup_printf("unix:%s,server=on,wait=off", sock);
    c = ph_child_spawn((const char *const[]){ "--headless", "-serial", serial_arg, "-bios",
                                              "none", "-kernel", elf, NULL });
    for (int round = 0; round < 2; round++) {
        g_autoptr(GSocketClient) client = g_socket_client_new();
        g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(sock);
        g_autoptr(GSocketConnection) conn = NULL;
        g_autoptr(GString) got = g_string_new(NULL);
        gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

        while (!conn && g_get_monotonic_time() < deadline) {
            conn = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL, NULL);
            if (!conn) {
                g_usleep(20000);
            }
        }
        g_assert_nonnull(conn);
        GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
        while (!strstr(got->str, "tick\ntick\n") && g_get_monotonic_time() < deadline) {
            char buf[256];
            gssize n = g_input_stream_read(in, buf, sizeof(buf), NULL, NULL);
            g_assert_cmpint(n, >, 0);
            g_string_append_len(got, buf, n);
        }
        g_assert_nonnull(strstr(got->str, "tick\ntick\n"));
        g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
    }
    /* The console went to the socket, not to stdout. */
    ph_child_drain(c, 100);
    g_assert_null(strstr(c->out->str, "tick"));
    ph_child_free(c);
    g_remove(sock);
    g_rmdir(dir);
}

/* Bad images end Porthole with a message before anything runs. */
static void test_bad_options(void)
{
    static const char *const bad[][8] = {
        { "--headless", "-bios", "/nonexistent/fw.bin", NULL },
        { "--headless", "-machine", "spike", "-bios", "none", NULL },
        { "--headless", "-smp", "2", "-bios", "none", NULL },
        { "--headless", "-m", "lots", "-bios", "none", NULL },
        { "--headless", "-m", "1T", "-bios", "none", NULL },
        { "--headless", "--display-size", "10x", "-bios", "none", NULL },
        { "--headless", "-serial", "tcp:1234", "-bios", "none", NULL },
        { "--headless", "-append", "console=ttyS0", "-bios", "none", NULL },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        PhChild *c;

        g_test_message("case %zu", i);
        g_assert_cmpint(ph_run_guest(bad[i], &c), ==, 1);
        g_assert_true(g_str_has_prefix(c->err->str, "porthole: "));
        ph_child_free(c);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/machine/htif/pass", test_htif_pass);
    g_test_add_func("/machine/htif/fail", test_htif_fail);
    g_test_add_func("/machine/htif/putchar", test_htif_putchar);
    g_test_add_func("/machine/syscon/fail-and-poweroff", test_syscon);
    g_test_add_func("/machine/run/stop-cont-reset", test_stop_cont_reset);
    g_test_add_func("/machine/run/wfi-idle", test_wfi_idle);
    g_test_add_func("/machine/serial/unix", test_serial_unix);
    g_test_add_func("/machine/options/bad", test_bad_options);
    return g_test_run();
}
