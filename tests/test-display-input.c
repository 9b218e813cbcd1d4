/* GUI test under X: the real porthole window forwards XTest pointer motion, clicks and typing to its demo guest, which reports them on its serial port. */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <X11/Xlib.h>
#include <X11/keysym.h>
#include <X11/extensions/XTest.h>
#include <gio/gio.h>
#include <glib.h>

#include "qmp-test-client.h"
#include "x11-test-util.h"

#define TIMEOUT_S 60
/* The window, and the guest's default framebuffer. */
#define WIN_W 800
#define WIN_H 500
#define FB_W 1024
#define FB_H 768

typedef struct {
    char *dir;
    GSubprocess *proc;
    bool exited;
    Display *display;
    Window window;
    int serial;
    GString *out;
    gsize mark;
} Gui;

static void die_with_test(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static void on_child_exited(GObject *source, GAsyncResult *res, gpointer user_data)
{
    g_subprocess_wait_finish(G_SUBPROCESS(source), res, NULL);
    *(bool *)user_data = true;
}

/* Reads the guest's serial port until @needle shows up after the mark,
 * and with @line the rest of its line too; returns that rest ("" without
 * @line). */
static char *serial_wait(Gui *g, const char *needle, bool line)
{
    gint64 deadline = g_get_monotonic_time() + TIMEOUT_S * G_TIME_SPAN_SECOND;

    for (;;) {
        const char *hit = strstr(g->out->str + g->mark, needle);

        if (hit) {
            const char *rest = hit + strlen(needle);
            const char *eol = line ? strstr(rest, "\r\n") : rest;

            if (eol) {
                g->mark = (gsize)(eol - g->out->str);
                return g_strndup(rest, (gsize)(eol - rest));
            }
        }
        if (g->exited) {
            g_error("porthole exited while waiting for \"%s\"", needle);
        }
        if (g_get_monotonic_time() >= deadline) {
            g_autofree char *seen = g_strescape(g->out->str + g->mark, NULL);

            g_error("no \"%s\" from the guest; it wrote \"%s\"", needle, seen);
        }
        while (g_main_context_iteration(NULL, FALSE)) {
        }
        qmp_test_read_some(g->serial, g->out, 50);
    }
}

static Gui *gui_start(void)
{
    Gui *g = g_new0(Gui, 1);
    const char *bin = g_getenv("PORTHOLE_BIN");
    g_autoptr(GError) error = NULL;
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *serial_path = NULL;
    unsigned long pid;
    gint64 deadline;
    XWindowAttributes attributes;
    int event_base, error_base, major, minor;

    g_assert_nonnull(bin);
    g->display = x11_test_open_display();
    g_assert_true(XTestQueryExtension(g->display, &event_base, &error_base, &major, &minor));
    g->dir = g_dir_make_tmp("ph-display-input-XXXXXX", &error);
    g_assert_no_error(error);
    serial_path = g_build_filename(g->dir, "serial.sock", NULL);
    g->out = g_string_new(NULL);

    g_ptr_array_add(argv, g_strdup(bin));
    g_ptr_array_add(argv, g_strdup_printf("--qmp=unix:%s/qmp.sock,server=on,wait=off", g->dir));
    g_ptr_array_add(argv, g_strdup_printf("--serial=unix:%s,server=on,wait=off", serial_path));
    g_ptr_array_add(argv, NULL);
    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    g_subprocess_launcher_set_child_setup(launcher, die_with_test, NULL, NULL);
    g->proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv->pdata, &error);
    g_assert_no_error(error);
    pid = strtoul(g_subprocess_get_identifier(g->proc), NULL, 10);
    g_subprocess_wait_async(g->proc, NULL, on_child_exited, &g->exited);
    g->serial = qmp_test_connect_unix(serial_path, TIMEOUT_S * 1000);

    deadline = g_get_monotonic_time() + TIMEOUT_S * G_TIME_SPAN_SECOND;
    while ((g->window = x11_test_find_window_of(g->display, pid)) == None) {
        while (g_main_context_iteration(NULL, FALSE)) {
        }
        if (g->exited) {
            g_error("porthole exited before showing a window");
        }
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(50000);
    }
    /* Top left, away from the other GUI tests' windows, wider than the
     * guest's 4:3 so that the view has black bars left and right. */
    XMoveResizeWindow(g->display, g->window, 0, 0, WIN_W, WIN_H);
    XRaiseWindow(g->display, g->window);
    XSync(g->display, False);
    do {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(50000);
        XGetWindowAttributes(g->display, g->window, &attributes);
    } while (attributes.width != WIN_W || attributes.height != WIN_H);
    /* The guest is up (its prompt), and GTK has laid the window out. */
    g_free(serial_wait(g, "> ", false));
    g_usleep(300000);
    return g;
}

static void gui_stop(Gui *g)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;

    g_subprocess_send_signal(g->proc, SIGTERM);
    while (!g->exited) {
        g_main_context_iteration(NULL, FALSE);
        if (g_get_monotonic_time() > deadline) {
            g_subprocess_force_exit(g->proc);
            g_error("porthole did not exit within 10 s of SIGTERM");
        }
        g_usleep(10000);
    }
    g_assert_true(g_subprocess_get_if_exited(g->proc));
    g_assert_cmpint(g_subprocess_get_exit_status(g->proc), ==, 0);
    close(g->serial);
    XCloseDisplay(g->display);
    g_object_unref(g->proc);
    qmp_test_remove_tree(g->dir);
    g_free(g->dir);
    g_string_free(g->out, TRUE);
    g_free(g);
}

/* Moves the pointer to window point (@x, @y) and clicks @button there;
 * returns the pixel the guest says the click was at. */
static void click(Gui *g, int x, int y, unsigned button, const char *name, int *gx, int *gy)
{
    g_autofree char *needle = g_strdup_printf("mouse: %s button at ", name);
    g_autofree char *at = NULL;
    int rx, ry;
    Window child;

    XTranslateCoordinates(g->display, g->window, DefaultRootWindow(g->display), x, y, &rx,
                          &ry, &child);
    XTestFakeMotionEvent(g->display, DefaultScreen(g->display), rx, ry, CurrentTime);
    XTestFakeButtonEvent(g->display, button, True, CurrentTime);
    XTestFakeButtonEvent(g->display, button, False, CurrentTime);
    XFlush(g->display);
    at = serial_wait(g, needle, true);
    if (sscanf(at, "%d,%d", gx, gy) != 2) {
        g_error("the guest reported \"%s\"", at);
    }
    g_test_message("click at window (%d, %d): guest pixel (%d, %d)", x, y, *gx, *gy);
}

static void type_keysym(Gui *g, KeySym sym)
{
    KeyCode code = XKeysymToKeycode(g->display, sym);

    g_assert_cmpuint(code, !=, 0);
    XTestFakeKeyEvent(g->display, code, True, CurrentTime);
    XTestFakeKeyEvent(g->display, code, False, CurrentTime);
    XFlush(g->display);
    g_usleep(20000);
}

static void test_window_forwards_input(void)
{
    Gui *g = gui_start();
    int x1, y1, x2, y2, x3, y3, x4, y4;
    double sx, sy;

    /* Two clicks inside the picture give its scale: the same on both axes,
     * and a click between them lands where that scale says. */
    click(g, WIN_W / 2, WIN_H / 2, 1, "left", &x1, &y1);
    click(g, WIN_W / 2 + 120, WIN_H / 2 + 90, 1, "left", &x2, &y2);
    g_assert_cmpint(x2, >, x1);
    g_assert_cmpint(y2, >, y1);
    g_assert_cmpint(x1, >, 0);
    g_assert_cmpint(x1, <, FB_W - 1);
    g_assert_cmpint(y1, >, 0);
    g_assert_cmpint(y1, <, FB_H - 1);
    sx = 120.0 / (x2 - x1);
    sy = 90.0 / (y2 - y1);
    g_assert_cmpfloat(fabs(sx - sy), <, 0.05);
    /* The window's height bounds the picture: it is scaled down. */
    g_assert_cmpfloat(sx, <, 1.0);
    g_assert_cmpfloat(sx, >, 0.3);
    click(g, WIN_W / 2 + 60, WIN_H / 2 + 45, 3, "right", &x3, &y3);
    g_assert_cmpint(abs(x3 - (x1 + (int)(60 / sx))), <=, 2);
    g_assert_cmpint(abs(y3 - (y1 + (int)(45 / sy))), <=, 2);

    /* In the black bars left and right (about 100 pixels wide here), the
     * pointer holds at the edge.  40 pixels in: clear of the resize
     * border of GTK's client-side decorations. */
    click(g, 40, WIN_H / 2, 2, "middle", &x4, &y4);
    g_assert_cmpint(x4, ==, 0);
    g_assert_cmpint(abs(y4 - y1), <=, 2);
    click(g, WIN_W - 40, WIN_H / 2 + 45, 1, "left", &x4, &y4);
    g_assert_cmpint(x4, ==, FB_W - 1);
    g_assert_cmpint(abs(y4 - y3), <=, 2);

    /* The click gave the view the focus: typing reaches the guest, whose
     * line editor runs the command. */
    XSetInputFocus(g->display, g->window, RevertToPointerRoot, CurrentTime);
    type_keysym(g, XK_h);
    type_keysym(g, XK_e);
    type_keysym(g, XK_l);
    type_keysym(g, XK_p);
    type_keysym(g, XK_Return);
    g_free(serial_wait(g, "help", false));
    g_free(serial_wait(g, "Commands:", false));
    gui_stop(g);
}

int main(int argc, char *argv[])
{
    g_test_init(&argc, &argv, NULL);
    if (!g_getenv("DISPLAY")) {
        g_test_skip("needs an X server (DISPLAY)");
    }
    g_test_add_func("/ui/display-input/window-forwards-input", test_window_forwards_input);
    return g_test_run();
}
