/* QMP screendump on porthole --headless: a guest that draws a known pattern, PPM and PNG, errors, temp files, disconnects, the stall probe. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <png.h>

#include "ppm-reader.h"
#include "qmp-test-client.h"

#define FB_W 1024
#define FB_H 768
/* The guest adds this to the pixel value for each next pixel. */
#define PATTERN_STEP UINT32_C(0x01020305)

/*
 * The guest, hand-assembled RV64 (no compressed instructions), loaded at
 * the start of RAM by -bios none -kernel:
 *   lui  t0, 0x40000       t0 = framebuffer (0x40000000)
 *   lui  t1, 0xc0          t1 = 1024 * 768 pixels
 *   li   t3, 0             t3 = pixel value
 *   lui  t4, 0x1020
 *   addi t4, t4, 0x305     t4 = PATTERN_STEP
 * 1: sw   t3, 0(t0)
 *   addi t0, t0, 4
 *   add  t3, t3, t4
 *   addi t1, t1, -1
 *   bnez t1, 1b
 * 2: wfi
 *   j    2b
 */
static const uint32_t guest_code[] = {
    0x400002b7, 0x000c0337, 0x00000e13, 0x01020eb7, 0x305e8e93, 0x01c2a023,
    0x00428293, 0x01de0e33, 0xfff30313, 0xfe0318e3, 0x10500073, 0xffdff06f,
};

typedef struct {
    char *tmpdir;     /* sockets and the guest image */
    char *outdir;     /* where the screendumps go: nothing else in it */
    char *socket[2];
    GSubprocess *proc;
} Fixture;

static void child_setup(gpointer data)
{
    /* Die with the test, even when an assertion aborts it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* Starts porthole --headless -S with two QMP sockets; with the drawing
 * guest when @with_machine, with --display-size @size unless NULL, and
 * with PORTHOLE_STALL_PROBE=1 when @probe_env. */
static void start_full(Fixture *f, bool with_machine, const char *size, bool probe_env)
{
    const char *bin = g_getenv("PORTHOLE_BIN");
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_nonnull(bin);
    f->tmpdir = g_dir_make_tmp("screendump-XXXXXX", &error);
    g_assert_no_error(error);
    f->outdir = g_build_filename(f->tmpdir, "out", NULL);
    g_assert_cmpint(g_mkdir(f->outdir, 0755), ==, 0);
    g_ptr_array_add(argv, g_strdup(bin));
    g_ptr_array_add(argv, g_strdup("--headless"));
    g_ptr_array_add(argv, g_strdup("-S"));
    if (with_machine) {
        g_autofree char *image = g_build_filename(f->tmpdir, "guest.bin", NULL);
        uint8_t bytes[sizeof(guest_code)];

        /* Little-endian, whatever the host. */
        for (size_t i = 0; i < G_N_ELEMENTS(guest_code); i++) {
            for (int b = 0; b < 4; b++) {
                bytes[i * 4 + b] = (uint8_t)(guest_code[i] >> (8 * b));
            }
        }
        g_file_set_contents(image, (const char *)bytes, sizeof(bytes), &error);
        g_assert_no_error(error);
        g_ptr_array_add(argv, g_strdup("-bios"));
        g_ptr_array_add(argv, g_strdup("none"));
        g_ptr_array_add(argv, g_strdup("-kernel"));
        g_ptr_array_add(argv, g_strdup(image));
    } else {
        /* As QEMU's -M none: no board, so no console (else the demo guest). */
        g_ptr_array_add(argv, g_strdup("-M"));
        g_ptr_array_add(argv, g_strdup("none"));
    }
    if (size) {
        g_ptr_array_add(argv, g_strdup("--display-size"));
        g_ptr_array_add(argv, g_strdup(size));
    }
    for (int i = 0; i < 2; i++) {
        f->socket[i] = g_strdup_printf("%s/qmp-%d.sock", f->tmpdir, i);
        g_ptr_array_add(argv, g_strdup("--qmp"));
        g_ptr_array_add(argv, g_strdup(f->socket[i]));
    }
    g_ptr_array_add(argv, NULL);

    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    g_subprocess_launcher_set_child_setup(launcher, child_setup, NULL, NULL);
    g_subprocess_launcher_unsetenv(launcher, "DISPLAY");
    g_subprocess_launcher_unsetenv(launcher, "WAYLAND_DISPLAY");
    if (probe_env) {
        g_subprocess_launcher_setenv(launcher, "PORTHOLE_STALL_PROBE", "1", TRUE);
    } else {
        g_subprocess_launcher_unsetenv(launcher, "PORTHOLE_STALL_PROBE");
    }
    f->proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv->pdata, &error);
    g_assert_no_error(error);
}

static void start(Fixture *f, bool with_machine)
{
    start_full(f, with_machine, NULL, false);
}

static QmpTestClient *connect_client(Fixture *f, int i)
{
    g_autoptr(GError) error = NULL;
    QmpTestClient *c = qmp_test_client_connect(f->socket[i], QMP_TEST_TIMEOUT_MS, &error);

    g_assert_no_error(error);
    qmp_test_client_handshake(c, false, NULL, &error);
    g_assert_no_error(error);
    return c;
}

/*
 * Quits porthole over QMP and checks it exits cleanly: under the
 * sanitizers a leak or an error in the command's paths fails here.
 */
static void stop(Fixture *f, QmpTestClient *c)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *reply = NULL;

    /* The reply may not arrive: the connection can close first. */
    qmp_test_client_send_str(c, "{\"execute\": \"quit\"}\n", &error);
    g_assert_no_error(error);
    reply = qmp_test_client_read_reply(c, QMP_TEST_TIMEOUT_MS, NULL);
    g_assert_true(g_subprocess_wait(f->proc, NULL, &error));
    g_assert_no_error(error);
    g_assert_true(g_subprocess_get_if_exited(f->proc));
    g_assert_cmpint(g_subprocess_get_exit_status(f->proc), ==, 0);
    g_clear_object(&f->proc);
}

static void fixture_setup(Fixture *f, gconstpointer data)
{
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    if (f->proc) {
        g_subprocess_force_exit(f->proc);
        g_subprocess_wait(f->proc, NULL, NULL);
        g_clear_object(&f->proc);
    }
    if (f->tmpdir) {
        qmp_test_remove_tree(f->tmpdir);
    }
    g_free(f->tmpdir);
    g_free(f->outdir);
    g_free(f->socket[0]);
    g_free(f->socket[1]);
}

/* The names in the output directory, sorted, joined by spaces. */
static char *list_outdir(Fixture *f)
{
    return qmp_test_list_dir(f->outdir);
}

/* Sends a screendump and returns the reply line. */
static char *screendump(QmpTestClient *c, const char *path, const char *extra)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *esc = qmp_test_escape(path);
    g_autofree char *cmd = g_strdup_printf(
        "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"%s\"%s}}", esc,
        extra ? extra : "");
    char *reply = qmp_test_client_command(c, cmd, &error);

    g_assert_no_error(error);
    return reply;
}

static void assert_ok(const char *reply)
{
    qmp_test_assert_line(reply, "{\"return\": {}}\r\n");
}

/* 0x00RRGGBB of pixel (x, y) once the guest has drawn. */
static uint32_t expected_pixel(int x, int y, bool drawn)
{
    uint32_t i = (uint32_t)y * FB_W + (uint32_t)x;

    return drawn ? (i * PATTERN_STEP) & 0xffffff : 0;
}

/* Number of pixels of @img (x8r8g8b8) that differ from the pattern. */
static unsigned count_mismatches(pixman_image_t *img, bool drawn)
{
    const uint8_t *bits = (const uint8_t *)pixman_image_get_data(img);
    int stride = pixman_image_get_stride(img);
    unsigned bad = 0;

    g_assert_cmpint(pixman_image_get_width(img), ==, FB_W);
    g_assert_cmpint(pixman_image_get_height(img), ==, FB_H);
    for (int y = 0; y < FB_H; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(bits + (size_t)y * stride);

        for (int x = 0; x < FB_W; x++) {
            bad += (row[x] & 0xffffff) != expected_pixel(x, y, drawn);
        }
    }
    return bad;
}

static pixman_image_t *load_ppm(const char *path)
{
    g_autoptr(GError) error = NULL;
    pixman_image_t *img = ph_ppm_load(path, &error);

    g_assert_no_error(error);
    return img;
}

/* Decodes a PNG with libpng's simplified API into an x8r8g8b8 image. */
static pixman_image_t *load_png(const char *path)
{
    png_image image = { .version = PNG_IMAGE_VERSION };
    pixman_image_t *img;
    uint8_t *rgb;

    g_assert_true(png_image_begin_read_from_file(&image, path));
    g_assert_cmpuint(image.format & PNG_FORMAT_FLAG_COLOR, !=, 0);
    g_assert_cmpuint(image.format & PNG_FORMAT_FLAG_ALPHA, ==, 0);
    image.format = PNG_FORMAT_RGB;
    rgb = g_malloc(PNG_IMAGE_SIZE(image));
    g_assert_true(png_image_finish_read(&image, NULL, rgb, 0, NULL));
    img = pixman_image_create_bits(PIXMAN_x8r8g8b8, (int)image.width, (int)image.height,
                                   NULL, 0);
    g_assert_nonnull(img);
    for (uint32_t y = 0; y < image.height; y++) {
        uint32_t *row = (uint32_t *)(void *)((uint8_t *)pixman_image_get_data(img) +
                                             (size_t)y * pixman_image_get_stride(img));

        for (uint32_t x = 0; x < image.width; x++) {
            const uint8_t *p = rgb + ((size_t)y * image.width + x) * 3;

            row[x] = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        }
    }
    png_image_free(&image);
    g_free(rgb);
    return img;
}

/* Screendumps (PPM) until the whole pattern is there: the guest draws it
 * once the CPUs run. */
static void wait_pattern(QmpTestClient *c, const char *path)
{
    gint64 deadline = g_get_monotonic_time() + 30 * G_TIME_SPAN_SECOND;

    for (;;) {
        g_autofree char *reply = screendump(c, path, NULL);
        pixman_image_t *img;
        unsigned bad;

        assert_ok(reply);
        img = load_ppm(path);
        bad = count_mismatches(img, true);
        pixman_image_unref(img);
        if (bad == 0) {
            return;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(20 * 1000);
    }
}

static void test_pattern(Fixture *f, gconstpointer data)
{
    g_autoptr(QmpTestClient) c = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *ppm = NULL, *png = NULL, *reply = NULL, *listing = NULL;
    g_autofree char *contents = NULL;
    pixman_image_t *img;
    gsize len;
    struct stat st;
    mode_t mask;

    start(f, true);
    c = connect_client(f, 0);
    ppm = g_build_filename(f->outdir, "shot.ppm", NULL);
    png = g_build_filename(f->outdir, "shot.png", NULL);

    /* Paused before the first instruction: a black screen, and the PPM
     * header exactly as QEMU writes it. */
    reply = screendump(c, ppm, NULL);
    assert_ok(reply);
    g_file_get_contents(ppm, &contents, &len, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(len, ==, strlen("P6\n1024 768\n255\n") + (gsize)FB_W * FB_H * 3);
    g_assert_true(memcmp(contents, "P6\n1024 768\n255\n", 16) == 0);
    img = load_ppm(ppm);
    g_assert_cmpuint(count_mismatches(img, false), ==, 0);
    pixman_image_unref(img);
    /* The mode is QEMU's open(..., 0666) under the umask. */
    mask = umask(0);
    umask(mask);
    g_assert_cmpint(stat(ppm, &st), ==, 0);
    g_assert_cmpuint(st.st_mode & 0777, ==, 0666 & ~mask);

    g_clear_pointer(&reply, g_free);
    reply = qmp_test_client_command(c, "{\"execute\": \"cont\"}", &error);
    g_assert_no_error(error);
    assert_ok(reply);
    wait_pattern(c, ppm);

    /* PNG of the same frame, by device and head too. */
    g_clear_pointer(&reply, g_free);
    reply = screendump(c, png, ", \"format\": \"png\", \"device\": \"fb0\", \"head\": 0");
    assert_ok(reply);
    img = load_png(png);
    g_assert_cmpuint(count_mismatches(img, true), ==, 0);
    pixman_image_unref(img);

    /* An existing file is replaced; explicit "ppm" is the default format. */
    g_clear_pointer(&reply, g_free);
    reply = screendump(c, png, ", \"format\": \"ppm\"");
    assert_ok(reply);
    img = load_ppm(png);
    g_assert_cmpuint(count_mismatches(img, true), ==, 0);
    pixman_image_unref(img);

    /* No temporary file stays behind. */
    listing = list_outdir(f);
    g_assert_cmpstr(listing, ==, "shot.png shot.ppm");
    stop(f, c);
}

static void test_errors(Fixture *f, gconstpointer data)
{
    g_autoptr(QmpTestClient) c = NULL;
    g_autofree char *good = NULL, *missing_dir = NULL, *listing = NULL;
    g_autofree char *expected = NULL;
    char *reply;

    start(f, true);
    c = connect_client(f, 0);
    good = g_build_filename(f->outdir, "x.ppm", NULL);

    reply = screendump(c, good, ", \"device\": \"nodev\"");
    qmp_test_assert_line(reply, "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": "
                                "\"Device 'nodev' not found\"}}\r\n");
    g_free(reply);
    reply = screendump(c, good, ", \"device\": \"fb0\", \"head\": 1");
    qmp_test_assert_line(reply, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                                "\"Device fb0 (head 1) is not bound to a QemuConsole\"}}\r\n");
    g_free(reply);
    reply = screendump(c, good, ", \"head\": 0");
    qmp_test_assert_line(reply, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                                "\"'head' must be specified together with 'device'\"}}\r\n");
    g_free(reply);

    /* A directory that does not exist: QEMU's open() text, nothing made. */
    missing_dir = g_build_filename(f->outdir, "nodir", "x.ppm", NULL);
    reply = screendump(c, missing_dir, ", \"format\": \"png\"");
    expected = g_strdup_printf("{\"error\": {\"class\": \"GenericError\", \"desc\": "
                               "\"failed to open file '%s': No such file or directory\"}}\r\n",
                               missing_dir);
    qmp_test_assert_line(reply, expected);
    g_free(reply);
    g_clear_pointer(&expected, g_free);

    /* The target is a directory: written into as QEMU would, so EISDIR. */
    reply = screendump(c, f->outdir, NULL);
    expected = g_strdup_printf("{\"error\": {\"class\": \"GenericError\", \"desc\": "
                               "\"failed to open file '%s': Is a directory\"}}\r\n",
                               f->outdir);
    qmp_test_assert_line(reply, expected);
    g_free(reply);

    listing = list_outdir(f);
    g_assert_cmpstr(listing, ==, "");
    stop(f, c);
}

static void test_no_machine(Fixture *f, gconstpointer data)
{
    g_autoptr(QmpTestClient) c = NULL;
    g_autofree char *path = NULL, *listing = NULL;
    char *reply;

    start(f, false);
    c = connect_client(f, 0);
    path = g_build_filename(f->outdir, "x.ppm", NULL);
    reply = screendump(c, path, NULL);
    qmp_test_assert_line(reply, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                                "\"There is no console to take a screendump from\"}}\r\n");
    g_free(reply);
    reply = screendump(c, path, ", \"device\": \"fb0\"");
    qmp_test_assert_line(reply, "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": "
                                "\"Device 'fb0' not found\"}}\r\n");
    g_free(reply);
    listing = list_outdir(f);
    g_assert_cmpstr(listing, ==, "");
    stop(f, c);
}

/*
 * Two sessions with screendumps in flight at once each get their own
 * complete file; a session that goes away with one in flight leaves
 * either the complete file or nothing, never a temporary file.
 */
static void test_concurrent_and_cancel(Fixture *f, gconstpointer data)
{
    g_autoptr(QmpTestClient) a = NULL;
    g_autoptr(QmpTestClient) b = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *listing = NULL, *gone = NULL;
    char *reply;

    start(f, true);
    a = connect_client(f, 0);
    b = connect_client(f, 1);
    for (int i = 0; i < 3; i++) {
        g_autofree char *pa = g_strdup_printf("%s/a%d.png", f->outdir, i);
        g_autofree char *pb = g_strdup_printf("%s/b%d.ppm", f->outdir, i);
        g_autofree char *ca = g_strdup_printf(
            "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"%s\", "
            "\"format\": \"png\"}, \"id\": %d}\n", pa, i);
        g_autofree char *cb = g_strdup_printf(
            "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"%s\"}, "
            "\"id\": %d}\n", pb, i);

        qmp_test_client_send_str(a, ca, &error);
        g_assert_no_error(error);
        qmp_test_client_send_str(b, cb, &error);
        g_assert_no_error(error);
    }
    for (int i = 0; i < 3; i++) {
        g_autofree char *want = g_strdup_printf("{\"return\": {}, \"id\": %d}\r\n", i);
        g_autofree char *pa = g_strdup_printf("%s/a%d.png", f->outdir, i);
        g_autofree char *pb = g_strdup_printf("%s/b%d.ppm", f->outdir, i);
        pixman_image_t *img;

        reply = qmp_test_client_read_reply(a, QMP_TEST_TIMEOUT_MS, &error);
        g_assert_no_error(error);
        qmp_test_assert_line(reply, want);
        g_free(reply);
        reply = qmp_test_client_read_reply(b, QMP_TEST_TIMEOUT_MS, &error);
        g_assert_no_error(error);
        qmp_test_assert_line(reply, want);
        g_free(reply);
        img = load_png(pa);
        g_assert_cmpuint(count_mismatches(img, false), ==, 0);
        pixman_image_unref(img);
        img = load_ppm(pb);
        g_assert_cmpuint(count_mismatches(img, false), ==, 0);
        pixman_image_unref(img);
    }

    /* Client b goes away right after asking. */
    gone = g_build_filename(f->outdir, "gone.png", NULL);
    {
        g_autofree char *cmd = g_strdup_printf(
            "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"%s\", "
            "\"format\": \"png\"}}\n", gone);

        qmp_test_client_send_str(b, cmd, &error);
        g_assert_no_error(error);
        g_clear_pointer(&b, qmp_test_client_free);
    }
    /* a's next command runs after that one finished. */
    reply = qmp_test_client_command(a, "{\"execute\": \"query-status\"}", &error);
    g_assert_no_error(error);
    g_assert_true(qmp_test_line_has_member(reply, "return"));
    g_free(reply);
    if (g_file_test(gone, G_FILE_TEST_EXISTS)) {
        pixman_image_t *img = load_png(gone);

        g_assert_cmpuint(count_mismatches(img, false), ==, 0);
        pixman_image_unref(img);
        listing = list_outdir(f);
        g_assert_cmpstr(listing, ==, "a0.png a1.png a2.png b0.ppm b1.ppm b2.ppm gone.png");
    } else {
        listing = list_outdir(f);
        g_assert_cmpstr(listing, ==, "a0.png a1.png a2.png b0.ppm b1.ppm b2.ppm");
    }
    stop(f, a);
}

/*
 * A screendump on one session while another pipelines 100 commands: every
 * reply of the second session arrives, in order, and the dump still
 * completes with the right picture.  The main loop must keep serving the
 * other session while the dump is in flight.
 */
static void test_pipelined(Fixture *f, gconstpointer data)
{
    g_autoptr(QmpTestClient) a = NULL;
    g_autoptr(QmpTestClient) b = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) batch = g_string_new(NULL);
    g_autofree char *shot = NULL, *cmd = NULL, *reply = NULL, *listing = NULL;
    pixman_image_t *img;

    start(f, true);
    a = connect_client(f, 0);
    b = connect_client(f, 1);
    reply = qmp_test_client_command(a, "{\"execute\": \"cont\"}", &error);
    g_assert_no_error(error);
    assert_ok(reply);
    g_clear_pointer(&reply, g_free);
    shot = g_build_filename(f->outdir, "shot.png", NULL);
    /* The pattern is complete and the guest only waits from then on, so
     * any later frame must match it. */
    wait_pattern(a, shot);

    for (int i = 0; i < 100; i++) {
        g_string_append_printf(batch, "{\"execute\": \"query-status\", \"id\": %d}\n", i);
    }
    {
        g_autofree char *esc = qmp_test_escape(shot);

        cmd = g_strdup_printf("{\"execute\": \"screendump\", \"arguments\": {\"filename\": "
                              "\"%s\", \"format\": \"png\"}, \"id\": \"dump\"}\n", esc);
    }
    qmp_test_client_send_str(a, cmd, &error);
    g_assert_no_error(error);
    /* All 100 in one write: they reach the server together. */
    qmp_test_client_send_str(b, batch->str, &error);
    g_assert_no_error(error);

    for (int i = 0; i < 100; i++) {
        g_autofree char *line = qmp_test_client_read_reply(b, QMP_TEST_TIMEOUT_MS, &error);
        g_autofree char *tail = g_strdup_printf(", \"id\": %d}\r\n", i);

        g_assert_no_error(error);
        g_assert_nonnull(line);
        g_assert_true(qmp_test_line_has_member(line, "return"));
        if (!g_str_has_suffix(line, tail)) {
            g_error("reply %d out of order: %s", i, line);
        }
    }
    reply = qmp_test_client_read_reply(a, QMP_TEST_TIMEOUT_MS, &error);
    g_assert_no_error(error);
    qmp_test_assert_line(reply, "{\"return\": {}, \"id\": \"dump\"}\r\n");
    img = load_png(shot);
    g_assert_cmpuint(count_mismatches(img, true), ==, 0);
    pixman_image_unref(img);
    /* Nothing more on b, nothing left behind in the directory. */
    g_assert_true(qmp_test_client_is_quiet(b, 50));
    listing = list_outdir(f);
    g_assert_cmpstr(listing, ==, "shot.png");
    stop(f, a);
}

/* True when the output directory holds a name starting with @prefix. */
static bool outdir_has_prefix(Fixture *f, const char *prefix)
{
    GDir *dir = g_dir_open(f->outdir, 0, NULL);
    const char *name;
    bool found = false;

    g_assert_nonnull(dir);
    while (!found && (name = g_dir_read_name(dir))) {
        found = g_str_has_prefix(name, prefix);
    }
    g_dir_close(dir);
    return found;
}

/*
 * A client that goes away while its screendump is being written: the
 * dump stops, the temporary file is removed, no target file appears,
 * the other session is still served and porthole quits cleanly (under
 * the sanitizers: without a leak).
 *
 * To close the socket for sure in the middle of the dump, porthole is
 * frozen (SIGSTOP) as soon as the temporary file shows up, the client
 * closes, and porthole is let go.  The dump then notices the closed
 * session at the end of its current slice (well under a millisecond).
 * Should the dump still have been in its very last slice, the file is
 * complete and the attempt is made again.
 */
static void test_disconnect_mid_dump(Fixture *f, gconstpointer data)
{
    g_autoptr(QmpTestClient) b = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *reply = NULL, *listing = NULL;
    GPid pid;
    bool cancelled = false;

    /* A big display and PNG: the dump takes tens of milliseconds. */
    start_full(f, true, "1920x1080", false);
    b = connect_client(f, 1);
    reply = qmp_test_client_command(b, "{\"execute\": \"cont\"}", &error);
    g_assert_no_error(error);
    assert_ok(reply);
    pid = (GPid)g_ascii_strtoll(g_subprocess_get_identifier(f->proc), NULL, 10);
    g_assert_cmpint(pid, >, 0);

    for (int attempt = 0; attempt < 10 && !cancelled; attempt++) {
        g_autoptr(QmpTestClient) a = connect_client(f, 0);
        g_autofree char *name = g_strdup_printf("shot%d.png", attempt);
        g_autofree char *tmp_prefix = g_strdup_printf(".%s.", name);
        g_autofree char *path = g_build_filename(f->outdir, name, NULL);
        g_autofree char *esc = qmp_test_escape(path);
        g_autofree char *cmd = g_strdup_printf(
            "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"%s\", "
            "\"format\": \"png\"}}\n", esc);
        gint64 deadline = g_get_monotonic_time() + 30 * G_TIME_SPAN_SECOND;
        bool seen = false;

        qmp_test_client_send_str(a, cmd, &error);
        g_assert_no_error(error);
        while (!g_file_test(path, G_FILE_TEST_EXISTS)) {
            if (outdir_has_prefix(f, tmp_prefix)) {
                g_assert_cmpint(kill(pid, SIGSTOP), ==, 0);
                seen = true;
                break;
            }
            g_assert_cmpint(g_get_monotonic_time(), <, deadline);
            g_usleep(100);
        }
        if (seen && g_file_test(path, G_FILE_TEST_EXISTS)) {
            /* Finished between the look and the stop. */
            seen = false;
        }
        /* The client goes away; porthole sees it once it runs again. */
        g_clear_pointer(&a, qmp_test_client_free);
        if (seen) {
            g_assert_cmpint(kill(pid, SIGCONT), ==, 0);
        }

        /* The dispatcher runs one in-band command at a time: this reply
         * comes once the screendump is over. */
        g_clear_pointer(&reply, g_free);
        reply = qmp_test_client_command(b, "{\"execute\": \"query-status\"}", &error);
        g_assert_no_error(error);
        g_assert_true(qmp_test_line_has_member(reply, "return"));

        g_clear_pointer(&listing, g_free);
        listing = list_outdir(f);
        if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
            /* Cancelled: nothing at all of this dump is left. */
            g_assert_true(seen);
            g_assert_false(outdir_has_prefix(f, tmp_prefix));
            cancelled = true;
        } else {
            /* It got through: the file must then be whole, and the
             * temporary one gone. */
            pixman_image_t *img = load_png(path);

            g_assert_cmpint(pixman_image_get_width(img), ==, 1920);
            g_assert_cmpint(pixman_image_get_height(img), ==, 1080);
            pixman_image_unref(img);
            g_assert_false(outdir_has_prefix(f, tmp_prefix));
            g_test_message("attempt %d: the dump completed before the client left",
                           attempt);
        }
    }
    g_assert_true(cancelled);
    /* Only the completed files of earlier attempts, if any. */
    g_assert_null(strstr(listing, ".shot"));

    /* Still answering, and a clean exit. */
    g_clear_pointer(&reply, g_free);
    {
        g_autofree char *after = g_build_filename(f->outdir, "after.ppm", NULL);

        reply = screendump(b, after, NULL);
    }
    assert_ok(reply);
    stop(f, b);
}

/* The member @name of a {"return": {...}} reply, as an integer. */
static gint64 return_member(const char *reply, const char *name)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) error = NULL;
    JsonObject *ret;

    json_parser_load_from_data(parser, reply, -1, &error);
    g_assert_no_error(error);
    ret = json_object_get_object_member(json_node_get_object(json_parser_get_root(parser)),
                                        "return");
    g_assert_nonnull(ret);
    g_assert_true(json_object_has_member(ret, name));
    return json_object_get_int_member(ret, name);
}

#define PROBE_OFF_ERROR                                                                 \
    "{\"error\": {\"class\": \"GenericError\", \"desc\": \"The main-loop stall probe "  \
    "is not running: start it with x-main-loop-stall-probe or "                         \
    "PORTHOLE_STALL_PROBE=1\"}}\r\n"

/* Reads the probe and checks the figures are sane: ticks came, about one a
 * millisecond, and no stall longer than the window. */
static void check_probe(QmpTestClient *c, gint64 window_us, gint64 *stall_us)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *reply = qmp_test_client_command(
        c, "{\"execute\": \"x-query-main-loop-stall\"}", &error);
    gint64 ticks, stall, busy;

    g_assert_no_error(error);
    ticks = return_member(reply, "ticks");
    stall = return_member(reply, "max-stall-us");
    busy = return_member(reply, "max-busy-us");
    g_test_message("probe: %" G_GINT64_FORMAT " ticks, max stall %" G_GINT64_FORMAT
                   " us, max busy %" G_GINT64_FORMAT " us", ticks, stall, busy);
    /* A loaded host delays ticks, but one of them must have come; never
     * more than one per millisecond of wall time. */
    g_assert_cmpint(ticks, >=, 1);
    g_assert_cmpint(ticks, <=, window_us / 1000 + 1);
    g_assert_cmpint(stall, >=, 0);
    g_assert_cmpint(stall, <=, window_us);
    g_assert_cmpint(busy, >=, 0);
    g_assert_cmpint(busy, <=, window_us);
    if (stall_us) {
        *stall_us = stall;
    }
}

static void test_stall_probe(Fixture *f, gconstpointer data)
{
    g_autoptr(QmpTestClient) c = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;
    char *reply;
    gint64 t0;

    start(f, true);
    c = connect_client(f, 0);

    /* Off unless asked for. */
    reply = qmp_test_client_command(c, "{\"execute\": \"x-query-main-loop-stall\"}", &error);
    g_assert_no_error(error);
    qmp_test_assert_line(reply, PROBE_OFF_ERROR);
    g_free(reply);

    t0 = g_get_monotonic_time();
    reply = qmp_test_client_command(
        c, "{\"execute\": \"x-main-loop-stall-probe\", \"arguments\": {\"enable\": true}}",
        &error);
    g_assert_no_error(error);
    assert_ok(reply);
    g_free(reply);
    g_usleep(100 * 1000);
    check_probe(c, g_get_monotonic_time() - t0, NULL);

    /* Reading reset it; a screendump in between is seen by the probe. */
    t0 = g_get_monotonic_time();
    path = g_build_filename(f->outdir, "x.png", NULL);
    reply = screendump(c, path, ", \"format\": \"png\"");
    assert_ok(reply);
    g_free(reply);
    g_usleep(20 * 1000);
    check_probe(c, g_get_monotonic_time() - t0, NULL);

    /* Stopped: the error again; stopping twice is fine. */
    for (int i = 0; i < 2; i++) {
        reply = qmp_test_client_command(
            c, "{\"execute\": \"x-main-loop-stall-probe\", \"arguments\": {\"enable\": false}}",
            &error);
        g_assert_no_error(error);
        assert_ok(reply);
        g_free(reply);
    }
    reply = qmp_test_client_command(c, "{\"execute\": \"x-query-main-loop-stall\"}", &error);
    g_assert_no_error(error);
    qmp_test_assert_line(reply, PROBE_OFF_ERROR);
    g_free(reply);
    stop(f, c);
}

/* PORTHOLE_STALL_PROBE=1 starts the probe with porthole. */
static void test_stall_probe_env(Fixture *f, gconstpointer data)
{
    g_autoptr(QmpTestClient) c = NULL;
    gint64 t0 = g_get_monotonic_time();

    start_full(f, false, NULL, true);
    c = connect_client(f, 0);
    g_usleep(50 * 1000);
    check_probe(c, g_get_monotonic_time() - t0, NULL);
    stop(f, c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/screendump/pattern", Fixture, NULL, fixture_setup, test_pattern,
               fixture_teardown);
    g_test_add("/screendump/errors", Fixture, NULL, fixture_setup, test_errors,
               fixture_teardown);
    g_test_add("/screendump/no-machine", Fixture, NULL, fixture_setup, test_no_machine,
               fixture_teardown);
    g_test_add("/screendump/concurrent-and-cancel", Fixture, NULL, fixture_setup,
               test_concurrent_and_cancel, fixture_teardown);
    g_test_add("/screendump/pipelined", Fixture, NULL, fixture_setup, test_pipelined,
               fixture_teardown);
    g_test_add("/screendump/disconnect-mid-dump", Fixture, NULL, fixture_setup,
               test_disconnect_mid_dump, fixture_teardown);
    g_test_add("/screendump/stall-probe", Fixture, NULL, fixture_setup, test_stall_probe,
               fixture_teardown);
    g_test_add("/screendump/stall-probe-env", Fixture, NULL, fixture_setup,
               test_stall_probe_env, fixture_teardown);
    return g_test_run();
}
