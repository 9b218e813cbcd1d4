/* `porthole` with no guest options boots the built-in demo guest; its screendumps match the framebuffer pixel for pixel. */
#include "config.h"

#include <errno.h>
#include <png.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "ppm-reader.h"
#include "qmp-test-client.h"

#define FB_BASE 0x40000000u
#define WAIT_MS 20000

typedef struct {
    char *dir;
    char *socket;
    GSubprocess *proc;
    GString *serial;            /* what the guest printed on stdout */
    QmpTestClient *qmp;
} Fixture;

static void child_setup(gpointer data)
{
    /* Die with the test, even when an assertion aborts it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* Reads the guest's serial output (porthole's stdout) until @needle
 * appears, for at most WAIT_MS. */
static bool wait_serial(Fixture *f, const char *needle)
{
    GPollableInputStream *out =
        G_POLLABLE_INPUT_STREAM(g_subprocess_get_stdout_pipe(f->proc));
    gint64 deadline = g_get_monotonic_time() + WAIT_MS * G_TIME_SPAN_MILLISECOND;

    while (!strstr(f->serial->str, needle)) {
        char buf[4096];
        g_autoptr(GError) error = NULL;
        gssize n;

        if (g_get_monotonic_time() > deadline) {
            return false;
        }
        n = g_pollable_input_stream_read_nonblocking(out, buf, sizeof(buf), NULL, &error);
        if (n > 0) {
            g_string_append_len(f->serial, buf, n);
        } else if (n == 0) {
            return false;   /* porthole exited */
        } else {
            g_usleep(10 * 1000);
        }
    }
    return true;
}

/* porthole --headless with nothing but a QMP socket: the default guest. */
static void fixture_set_up(Fixture *f, gconstpointer data)
{
    const char *bin = g_getenv("PORTHOLE_BIN");
    const char *extra = data;
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;

    g_assert_nonnull(bin);
    f->dir = g_dir_make_tmp("ph-default-guest-XXXXXX", &error);
    g_assert_no_error(error);
    f->socket = g_build_filename(f->dir, "qmp.sock", NULL);
    f->serial = g_string_new(NULL);
    g_ptr_array_add(argv, g_strdup(bin));
    g_ptr_array_add(argv, g_strdup("--headless"));
    g_ptr_array_add(argv, g_strdup("-qmp"));
    g_ptr_array_add(argv, g_strdup_printf("unix:%s,server=on,wait=off", f->socket));
    if (extra) {
        g_auto(GStrv) words = g_strsplit(extra, " ", -1);

        for (char **w = words; *w; w++) {
            g_ptr_array_add(argv, g_strdup(*w));
        }
    }
    g_ptr_array_add(argv, NULL);
    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                         G_SUBPROCESS_FLAGS_STDIN_PIPE);
    g_subprocess_launcher_set_child_setup(launcher, child_setup, NULL, NULL);
    f->proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv->pdata, &error);
    g_assert_no_error(error);
    f->qmp = qmp_test_client_connect(f->socket, WAIT_MS, &error);
    g_assert_no_error(error);
    qmp_test_client_handshake(f->qmp, false, NULL, &error);
    g_assert_no_error(error);
}

static void fixture_tear_down(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *reply = NULL;

    /* A clean quit: under the sanitizers a leak fails the exit status. */
    qmp_test_client_send_str(f->qmp, "{\"execute\": \"quit\"}\n", &error);
    g_assert_no_error(error);
    reply = qmp_test_client_read_reply(f->qmp, WAIT_MS, NULL);
    g_assert_true(g_subprocess_wait(f->proc, NULL, &error));
    g_assert_no_error(error);
    g_assert_true(g_subprocess_get_if_exited(f->proc));
    g_assert_cmpint(g_subprocess_get_exit_status(f->proc), ==, 0);
    g_clear_pointer(&f->qmp, qmp_test_client_free);
    g_clear_object(&f->proc);
    qmp_test_remove_tree(f->dir);
    g_free(f->dir);
    g_free(f->socket);
    g_string_free(f->serial, TRUE);
}

/* Runs @command (a JSON line) and checks it returns {} . */
static void command_ok(Fixture *f, const char *command)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *reply = qmp_test_client_command(f->qmp, command, &error);

    g_assert_no_error(error);
    qmp_test_assert_line(reply, "{\"return\": {}}\r\n");
}

static void screendump(Fixture *f, const char *path, const char *format)
{
    g_autofree char *cmd = g_strdup_printf(
        "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"%s\", "
        "\"format\": \"%s\"}}", path, format);

    command_ok(f, cmd);
}

/* Saves @size bytes of guest-physical memory from @addr to @path with
 * pmemsave and returns them (exactly @size bytes, checked). */
static uint8_t *pmemsave(Fixture *f, uint64_t addr, gsize size, const char *path)
{
    g_autofree char *cmd = g_strdup_printf(
        "{\"execute\": \"pmemsave\", \"arguments\": {\"val\": %" G_GUINT64_FORMAT
        ", \"size\": %" G_GSIZE_FORMAT ", \"filename\": \"%s\"}}", addr, size, path);
    g_autoptr(GError) error = NULL;
    char *data = NULL;
    gsize len = 0;

    command_ok(f, cmd);
    g_file_get_contents(path, &data, &len, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(len, ==, size);
    return (uint8_t *)data;
}

/* The framebuffer's bytes, as the guest sees them, from pmemsave. */
static uint8_t *read_framebuffer(Fixture *f, int w, int h)
{
    g_autofree char *path = g_build_filename(f->dir, "fb.bin", NULL);

    return pmemsave(f, FB_BASE, (gsize)w * (gsize)h * 4, path);
}

/* Decodes @path (a PNG) into packed RGB with libpng. */
static uint8_t *load_png_rgb(const char *path, int *w, int *h)
{
    png_image image = { .version = PNG_IMAGE_VERSION };
    uint8_t *rgb;

    g_assert_true(png_image_begin_read_from_file(&image, path));
    image.format = PNG_FORMAT_RGB;
    rgb = g_malloc(PNG_IMAGE_SIZE(image));
    g_assert_true(png_image_finish_read(&image, NULL, rgb, 0, NULL));
    *w = (int)image.width;
    *h = (int)image.height;
    png_image_free(&image);
    return rgb;
}

/* Counts the pixels where the image (x8r8g8b8) differs from the guest's
 * framebuffer bytes (little-endian x8r8g8b8, stride = 4 * width). */
static unsigned long diff_ppm(pixman_image_t *img, const uint8_t *fb)
{
    int w = pixman_image_get_width(img), h = pixman_image_get_height(img);
    int stride = pixman_image_get_stride(img);
    const uint8_t *bits = (const uint8_t *)pixman_image_get_data(img);
    unsigned long diff = 0;

    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(bits + (size_t)y * stride);

        for (int x = 0; x < w; x++) {
            const uint8_t *p = fb + ((size_t)y * w + x) * 4;
            uint32_t guest = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;

            diff += (row[x] & 0xffffffu) != guest;
        }
    }
    return diff;
}

static unsigned long diff_rgb(const uint8_t *rgb, const uint8_t *fb, int w, int h)
{
    unsigned long diff = 0;

    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        /* Framebuffer bytes: blue, green, red, unused. */
        diff += rgb[i * 3] != fb[i * 4 + 2] || rgb[i * 3 + 1] != fb[i * 4 + 1] ||
                rgb[i * 3 + 2] != fb[i * 4];
    }
    return diff;
}

static unsigned distinct_colours(pixman_image_t *img)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);
    int w = pixman_image_get_width(img), h = pixman_image_get_height(img);
    int stride = pixman_image_get_stride(img);
    const uint8_t *bits = (const uint8_t *)pixman_image_get_data(img);

    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(bits + (size_t)y * stride);

        for (int x = 0; x < w; x++) {
            g_hash_table_add(seen, GUINT_TO_POINTER((row[x] & 0xffffffu) + 1));
        }
    }
    return g_hash_table_size(seen);
}

static void test_boots(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *reply = NULL;

    /* The demo guest's banner and prompt, on the serial console. */
    if (!wait_serial(f, "Type 'help'")) {
        g_error("no demo guest banner on the serial console; got: %s", f->serial->str);
    }
    g_assert_nonnull(strstr(f->serial->str, "Porthole demo guest"));
    reply = qmp_test_client_command(f->qmp, "{\"execute\": \"query-status\"}", &error);
    g_assert_no_error(error);
    qmp_test_assert_line(reply, "{\"return\": {\"status\": \"running\", \"singlestep\": false, "
                                "\"running\": true}}\r\n");
}

/*
 * The check: with the guest paused, the PPM and PNG screendumps
 * equal the framebuffer at that moment, byte for byte; and the scene is
 * live (a later frame differs).
 */
static void test_screendump_is_framebuffer(Fixture *f, gconstpointer data)
{
    g_autofree char *ppm = g_build_filename(f->dir, "a.ppm", NULL);
    g_autofree char *png = g_build_filename(f->dir, "a.png", NULL);
    g_autofree char *later = g_build_filename(f->dir, "b.ppm", NULL);
    g_autofree uint8_t *fb = NULL, *rgb = NULL;
    g_autoptr(GError) error = NULL;
    pixman_image_t *img, *img2;
    int w, h, pw, ph;

    if (!wait_serial(f, "Type 'help'")) {
        g_error("the demo guest did not start; serial: %s", f->serial->str);
    }
    /* Past the boot screen, into the animated scene. */
    g_usleep(G_USEC_PER_SEC);
    command_ok(f, "{\"execute\": \"stop\"}");
    screendump(f, ppm, "ppm");
    screendump(f, png, "png");
    img = ph_ppm_load(ppm, &error);
    g_assert_no_error(error);
    w = pixman_image_get_width(img);
    h = pixman_image_get_height(img);
    if (data) {
        g_assert_cmpint(w, ==, 800);
        g_assert_cmpint(h, ==, 600);
    } else {
        g_assert_cmpint(w, ==, 1024);
        g_assert_cmpint(h, ==, 768);
    }
    fb = read_framebuffer(f, w, h);
    g_assert_cmpuint(diff_ppm(img, fb), ==, 0);
    rgb = load_png_rgb(png, &pw, &ph);
    g_assert_cmpint(pw, ==, w);
    g_assert_cmpint(ph, ==, h);
    g_assert_cmpuint(diff_rgb(rgb, fb, w, h), ==, 0);
    /* A real picture, not an empty or one-colour screen. */
    g_assert_cmpuint(distinct_colours(img), >=, 64);

    /* Running again, the scene moves on. */
    command_ok(f, "{\"execute\": \"cont\"}");
    g_usleep(300 * 1000);
    command_ok(f, "{\"execute\": \"stop\"}");
    screendump(f, later, "ppm");
    img2 = ph_ppm_load(later, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(diff_ppm(img2, fb), >, (unsigned long)w * h / 100);
    pixman_image_unref(img);
    pixman_image_unref(img2);
    command_ok(f, "{\"execute\": \"cont\"}");
}

/* Runs @line and checks that it fails with a GenericError saying @desc. */
static void command_fails(Fixture *f, const char *line, const char *desc)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *reply = qmp_test_client_command(f->qmp, line, &error);
    g_autofree char *expected = g_strdup_printf(
        "{\"error\": {\"class\": \"GenericError\", \"desc\": \"%s\"}}\r\n", desc);

    g_assert_no_error(error);
    qmp_test_assert_line(reply, expected);
}

/*
 * The guest in RAM is the committed demo image, and the memory commands
 * answer with QEMU 7.2's texts; a failed save leaves no file.
 */
static void test_memory_commands(Fixture *f, gconstpointer data)
{
    g_autofree char *image = g_test_build_filename(G_TEST_DIST, "..", "guest",
                                                   "porthole-demo.bin", NULL);
    g_autofree char *ram = g_build_filename(f->dir, "ram.bin", NULL);
    g_autofree char *hole = g_build_filename(f->dir, "hole.bin", NULL);
    g_autofree char *bad = g_build_filename(f->dir, "bad.bin", NULL);
    g_autofree char *cmd = NULL, *listing = NULL, *code = NULL;
    g_autofree uint8_t *saved = NULL, *zeros = NULL;
    g_autoptr(GError) error = NULL;
    gsize code_len = 0;

    command_ok(f, "{\"execute\": \"stop\"}");
    /* The first 256 bytes are code, which the guest never writes. */
    saved = pmemsave(f, 0x80000000u, 256, ram);
    g_file_get_contents(image, &code, &code_len, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(code_len, >=, 256);
    g_assert_cmpmem(saved, 256, code, 256);

    /* A hole reads as zeros (QEMU's unassigned memory). */
    zeros = pmemsave(f, 256, 64, hole);
    for (gsize i = 0; i < 64; i++) {
        g_assert_cmpint(zeros[i], ==, 0);
    }

    command_fails(f, "{\"execute\": \"pmemsave\", \"arguments\": {\"val\": 0, \"size\": 16, "
                     "\"filename\": \"/nonexistent/dir/x\"}}",
                  "Could not open '/nonexistent/dir/x': No such file or directory");
    cmd = g_strdup_printf("{\"execute\": \"memsave\", \"arguments\": {\"val\": 2147483648, "
                          "\"size\": 16, \"filename\": \"%s\", \"cpu-index\": 3}}", bad);
    command_fails(f, cmd, "Parameter 'cpu-index' expects a CPU number");
    g_free(cmd);
    /* Nothing in RAM or ROM there: the virtual read fails half-way. */
    cmd = g_strdup_printf("{\"execute\": \"memsave\", \"arguments\": {\"val\": "
                          "281474976710656, \"size\": 16, \"filename\": \"%s\"}}", bad);
    command_fails(f, cmd, "Invalid addr 0x0001000000000000/size 16 specified");
    g_free(cmd);
    cmd = g_strdup_printf("{\"execute\": \"pmemsave\", \"arguments\": {\"val\": 0, "
                          "\"size\": -1, \"filename\": \"%s\"}}", bad);
    command_fails(f, cmd, "Parameter 'size' expects a non-negative number of bytes");
    /* No file, and no temporary file, from the failures. */
    listing = qmp_test_list_dir(f->dir);
    g_assert_cmpstr(listing, ==, "hole.bin qmp.sock ram.bin");
    command_ok(f, "{\"execute\": \"cont\"}");
}

int main(int argc, char *argv[])
{
    g_test_init(&argc, &argv, NULL);

    g_test_add("/default-guest/boots", Fixture, NULL, fixture_set_up, test_boots,
               fixture_tear_down);
    g_test_add("/default-guest/screendump-is-framebuffer", Fixture, NULL, fixture_set_up,
               test_screendump_is_framebuffer, fixture_tear_down);
    g_test_add("/default-guest/screendump-is-framebuffer-800x600", Fixture,
               "--display-size 800x600", fixture_set_up, test_screendump_is_framebuffer,
               fixture_tear_down);
    g_test_add("/default-guest/memory-commands", Fixture, NULL, fixture_set_up,
               test_memory_commands, fixture_tear_down);
    return g_test_run();
}
