/* Tests for ui/ph-display-view under X: the window shows the console's pixels, scaled, follows dirty rectangles, and the real porthole shows its guest's frame (the default demo guest included). */
#include "config.h"

#include <glib/gstdio.h>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <gio/gio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/prctl.h>

#include "aio.h"
#include "bus.h"
#include "console.h"
#include "framebuffer.h"
#include "ph-display-view.h"
#include "ph-window.h"
#include "ppm-reader.h"
#include "qmp-test-client.h"
#include "x11-test-util.h"

#define BASE 0x40000000ull
#define FB_W 320
#define FB_H 240
#define WAIT_S 10

/* Quadrant colours, x8r8g8b8. */
#define RED    0x00ff0000u
#define GREEN  0x0000ff00u
#define BLUE   0x000000ffu
#define WHITE  0x00ffffffu
#define YELLOW 0x00ffff00u

typedef struct {
    PhBus *bus;
    PhFramebuffer *fb;
    PhConsole *console;
    GtkApplication *application;
    PhWindow *window;
    PhDisplayView *view;
    unsigned draws;
} Fixture;

static void guest_fill(PhBus *bus, int x0, int y0, int w, int h, uint32_t colour)
{
    for (int y = y0; y < y0 + h; y++) {
        for (int x = x0; x < x0 + w; x++) {
            /* Through the bus, as a guest store: this marks the page dirty. */
            g_assert_true(ph_bus_write(bus, BASE + ((uint64_t)y * FB_W + (uint64_t)x) * 4, 4,
                                       colour));
        }
    }
}

static void find_view(GtkWidget *widget, gpointer user_data)
{
    PhDisplayView **view = user_data;

    if (PH_IS_DISPLAY_VIEW(widget)) {
        *view = PH_DISPLAY_VIEW(widget);
    } else if (GTK_IS_CONTAINER(widget)) {
        gtk_container_forall(GTK_CONTAINER(widget), find_view, user_data);
    }
}

static gboolean count_draw(GtkWidget *widget, cairo_t *cr, gpointer user_data)
{
    ((Fixture *)user_data)->draws++;
    return FALSE;
}

static void make_window(Fixture *fixture)
{
    fixture->window = ph_window_new(fixture->application);
    g_object_ref_sink(fixture->window);
    fixture->view = NULL;
    find_view(GTK_WIDGET(fixture->window), &fixture->view);
    g_assert_nonnull(fixture->view);
    g_signal_connect(fixture->view, "draw", G_CALLBACK(count_draw), fixture);
}

static void fixture_set_up(Fixture *fixture, gconstpointer data)
{
    g_autoptr(GError) error = NULL;

    *fixture = (Fixture){ 0 };
    fixture->bus = ph_bus_new();
    fixture->fb = ph_framebuffer_new(fixture->bus, BASE, FB_W, FB_H);
    guest_fill(fixture->bus, 0, 0, FB_W / 2, FB_H / 2, RED);
    guest_fill(fixture->bus, FB_W / 2, 0, FB_W / 2, FB_H / 2, GREEN);
    guest_fill(fixture->bus, 0, FB_H / 2, FB_W / 2, FB_H / 2, BLUE);
    guest_fill(fixture->bus, FB_W / 2, FB_H / 2, FB_W / 2, FB_H / 2, WHITE);
    if (data) {
        fixture->console = ph_console_new(fixture->fb, 0);
    }
    fixture->application = gtk_application_new(NULL, G_APPLICATION_NON_UNIQUE);
    g_application_register(G_APPLICATION(fixture->application), NULL, &error);
    g_assert_no_error(error);
    make_window(fixture);
}

static void fixture_tear_down(Fixture *fixture, gconstpointer data)
{
    if (fixture->window) {
        gtk_widget_destroy(GTK_WIDGET(fixture->window));
        g_clear_object(&fixture->window);
    }
    g_clear_object(&fixture->application);
    ph_console_free(fixture->console);
    ph_framebuffer_free(fixture->fb);
    ph_bus_free(fixture->bus);
    /* Let the console's last timer callbacks and GDK's idles go. */
    while (g_main_context_iteration(NULL, FALSE)) {
    }
}

/* Runs the main loop until @fixture's view has drawn more than @draws times
 * and the X server has the result. */
static void wait_for_draw(Fixture *fixture, unsigned draws)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_S * G_TIME_SPAN_SECOND;

    while (fixture->draws <= draws) {
        if (g_get_monotonic_time() > deadline) {
            g_error("the display view did not draw within %d s", WAIT_S);
        }
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
    gdk_display_sync(gtk_widget_get_display(GTK_WIDGET(fixture->view)));
    while (g_main_context_iteration(NULL, FALSE)) {
    }
}

static void show_window(Fixture *fixture, int width, int height)
{
    GdkRectangle screen;

    /*
     * The GUI tests share one X server and run in parallel: keep out of
     * the top-left corner, where the other tests' windows appear, and
     * raise before reading back (no window manager: the server obeys).
     */
    gdk_monitor_get_geometry(
        gdk_display_get_primary_monitor(gdk_display_get_default()), &screen);
    g_assert_cmpint(screen.width, >=, width + 60);
    g_assert_cmpint(screen.height, >=, height + 80);
    gtk_window_set_default_size(GTK_WINDOW(fixture->window), width, height);
    gtk_window_move(GTK_WINDOW(fixture->window), screen.width - width - 60,
                    screen.height - height - 80);
    gtk_window_present(GTK_WINDOW(fixture->window));
    wait_for_draw(fixture, 0);
}

/* What the X server shows of the view, as a pixbuf (no alpha). */
static GdkPixbuf *grab_view(Fixture *fixture)
{
    GtkWidget *widget = GTK_WIDGET(fixture->view);
    GdkPixbuf *pixbuf;

    gdk_window_raise(gtk_widget_get_window(GTK_WIDGET(fixture->window)));
    gdk_display_sync(gtk_widget_get_display(widget));
    pixbuf = gdk_pixbuf_get_from_window(gtk_widget_get_window(widget), 0, 0,
                                                   gtk_widget_get_allocated_width(widget),
                                                   gtk_widget_get_allocated_height(widget));

    g_assert_nonnull(pixbuf);
    return pixbuf;
}

static uint32_t pixel_at(GdkPixbuf *pixbuf, int x, int y)
{
    const guint8 *p;

    g_assert_cmpint(x, >=, 0);
    g_assert_cmpint(y, >=, 0);
    g_assert_cmpint(x, <, gdk_pixbuf_get_width(pixbuf));
    g_assert_cmpint(y, <, gdk_pixbuf_get_height(pixbuf));
    p = gdk_pixbuf_read_pixels(pixbuf) + (gsize)y * gdk_pixbuf_get_rowstride(pixbuf) +
        (gsize)x * gdk_pixbuf_get_n_channels(pixbuf);
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* The widget pixel that shows framebuffer pixel (@fx, @fy). */
static void fb_to_widget(Fixture *fixture, double fx, double fy, int *wx, int *wy)
{
    double ox, oy, scale;

    g_assert_true(ph_display_view_get_image_rect(fixture->view, &ox, &oy, &scale));
    *wx = (int)(ox + fx * scale);
    *wy = (int)(oy + fy * scale);
}

static void assert_shows(Fixture *fixture, GdkPixbuf *pixbuf, double fx, double fy,
                         uint32_t colour)
{
    int wx, wy;

    fb_to_widget(fixture, fx, fy, &wx, &wy);
    g_assert_cmphex(pixel_at(pixbuf, wx, wy), ==, colour);
}

static void assert_quadrants(Fixture *fixture, GdkPixbuf *pixbuf)
{
    assert_shows(fixture, pixbuf, FB_W / 4.0, FB_H / 4.0, RED);
    assert_shows(fixture, pixbuf, FB_W * 3 / 4.0, FB_H / 4.0, GREEN);
    assert_shows(fixture, pixbuf, FB_W / 4.0, FB_H * 3 / 4.0, BLUE);
    assert_shows(fixture, pixbuf, FB_W * 3 / 4.0, FB_H * 3 / 4.0, WHITE);
}

static void test_no_console_placeholder(Fixture *fixture, gconstpointer data)
{
    GtkWidget *child = gtk_bin_get_child(GTK_BIN(fixture->window));

    g_assert_null(ph_console_first());
    g_assert_null(ph_window_get_console(fixture->window));
    g_assert_true(GTK_IS_STACK(child));
    g_assert_cmpstr(gtk_stack_get_visible_child_name(GTK_STACK(child)), ==, "placeholder");
    g_assert_false(ph_display_view_get_image_rect(fixture->view, NULL, NULL, NULL));

    /* A console that comes later is shown when asked. */
    fixture->console = ph_console_new(fixture->fb, 0);
    ph_window_set_console(fixture->window, fixture->console);
    g_assert_true(ph_window_get_console(fixture->window) == fixture->console);
    g_assert_cmpstr(gtk_stack_get_visible_child_name(GTK_STACK(child)), ==, "display");
    g_assert_cmpuint(ph_console_listener_count(fixture->console), ==, 1);
    ph_window_set_console(fixture->window, NULL);
    g_assert_cmpuint(ph_console_listener_count(fixture->console), ==, 0);
    g_assert_cmpstr(gtk_stack_get_visible_child_name(GTK_STACK(child)), ==, "placeholder");
}

static void test_shows_console(Fixture *fixture, gconstpointer data)
{
    GtkWidget *child = gtk_bin_get_child(GTK_BIN(fixture->window));
    g_autoptr(GdkPixbuf) pixbuf = NULL;

    /* The window picked up the first console by itself. */
    g_assert_true(ph_window_get_console(fixture->window) == fixture->console);
    g_assert_cmpstr(gtk_stack_get_visible_child_name(GTK_STACK(child)), ==, "display");
    g_assert_cmpuint(ph_console_listener_count(fixture->console), ==, 1);

    /* Not 1:1, which would hide scaling bugs. */
    show_window(fixture, 400, 320);
    pixbuf = grab_view(fixture);
    assert_quadrants(fixture, pixbuf);
}

static void test_scaled_centred_with_bars(Fixture *fixture, gconstpointer data)
{
    g_autoptr(GdkPixbuf) pixbuf = NULL;
    int vw, vh;
    double ox, oy, scale;

    show_window(fixture, 420, 220);
    pixbuf = grab_view(fixture);
    vw = gdk_pixbuf_get_width(pixbuf);
    vh = gdk_pixbuf_get_height(pixbuf);
    g_assert_true(ph_display_view_get_image_rect(fixture->view, &ox, &oy, &scale));
    /* Wider than 4:3: the height decides, bars left and right. */
    g_assert_cmpfloat_with_epsilon(scale, (double)vh / FB_H, 1e-9);
    g_assert_cmpfloat(scale, <, 1.0);
    g_assert_cmpfloat(ox, >, 10);
    g_assert_cmpfloat(fabs(ox - (vw - FB_W * scale) / 2), <=, 1.0);
    g_assert_cmpfloat(oy, ==, 0);
    g_assert_cmphex(pixel_at(pixbuf, (int)ox / 2, vh / 2), ==, 0);
    g_assert_cmphex(pixel_at(pixbuf, vw - 1 - (int)ox / 2, vh / 2), ==, 0);
    /* The image's corners, just inside. */
    g_assert_cmphex(pixel_at(pixbuf, (int)ox + 2, 2), ==, RED);
    g_assert_cmphex(pixel_at(pixbuf, (int)(ox + FB_W * scale) - 3, vh - 3), ==, WHITE);
}

static void test_follows_updates(Fixture *fixture, gconstpointer data)
{
    g_autoptr(GdkPixbuf) before = NULL;
    g_autoptr(GdkPixbuf) after = NULL;
    gint64 deadline;

    show_window(fixture, 500, 420);
    before = grab_view(fixture);
    assert_quadrants(fixture, before);

    /* A guest store in the red quadrant: the console's refresh finds the
     * dirty rows and the view redraws them. */
    guest_fill(fixture->bus, 10, 10, 40, 30, YELLOW);
    deadline = g_get_monotonic_time() + WAIT_S * G_TIME_SPAN_SECOND;
    for (;;) {
        unsigned draws = fixture->draws;

        wait_for_draw(fixture, draws);
        g_clear_object(&after);
        after = grab_view(fixture);
        {
            int wx, wy;

            fb_to_widget(fixture, 30, 25, &wx, &wy);
            if (pixel_at(after, wx, wy) == YELLOW) {
                break;
            }
        }
        if (g_get_monotonic_time() > deadline) {
            g_error("the view did not show the guest's update within %d s", WAIT_S);
        }
    }
    /* Only what changed changed. */
    assert_shows(fixture, after, 120, 90, RED);
    assert_quadrants(fixture, after);
}

static void test_console_freed_first(Fixture *fixture, gconstpointer data)
{
    g_autoptr(GdkPixbuf) pixbuf = NULL;
    unsigned draws;

    show_window(fixture, 400, 300);
    /* Against the contract, but it must not read freed pixels. */
    ph_console_free(fixture->console);
    fixture->console = NULL;
    ph_framebuffer_free(fixture->fb);
    fixture->fb = NULL;
    g_assert_null(ph_window_get_console(fixture->window));
    draws = fixture->draws;
    gtk_widget_queue_draw(GTK_WIDGET(fixture->view));
    wait_for_draw(fixture, draws);
    pixbuf = grab_view(fixture);
    g_assert_cmphex(pixel_at(pixbuf, 200, 150), ==, 0);
    g_assert_false(ph_display_view_get_image_rect(fixture->view, NULL, NULL, NULL));
}

static void test_view_alone(void)
{
    GtkWidget *view = ph_display_view_new();
    PhBus *bus = ph_bus_new();
    PhFramebuffer *fb = ph_framebuffer_new(bus, BASE, FB_W, FB_H);
    PhConsole *c = ph_console_new(fb, 0);

    g_object_ref_sink(view);
    g_assert_null(ph_display_view_get_console(PH_DISPLAY_VIEW(view)));
    ph_display_view_set_console(PH_DISPLAY_VIEW(view), c);
    g_assert_true(ph_display_view_get_console(PH_DISPLAY_VIEW(view)) == c);
    /* Setting it again does not register twice. */
    ph_display_view_set_console(PH_DISPLAY_VIEW(view), c);
    g_assert_cmpuint(ph_console_listener_count(c), ==, 1);
    /* Destroying the view lets go of the console. */
    gtk_widget_destroy(view);
    g_object_unref(view);
    g_assert_cmpuint(ph_console_listener_count(c), ==, 0);
    ph_console_free(c);
    ph_framebuffer_free(fb);
    ph_bus_free(bus);
}

/*
 * A bare-metal RV64 guest (-bios none -kernel FILE, loaded and entered at
 * 0x80000000) that fills the 320x240 framebuffer at 0x40000000 with four
 * quadrants (red, green / blue, white) and then waits in wfi.
 */
static const uint32_t quadrant_guest[] = {
    0x400002b7, /* lui   t0, 0x40000         framebuffer */
    0x00000417, /* auipc s0, 0                table, below */
    0x05c40413, /* addi  s0, s0, 92 */
    0x00000313, /* li    t1, 0                y */
    0x00000393, /* 1: li t2, 0                x */
    0x0a03be13, /* 2: sltiu t3, t2, 160 */
    0x001e4e13, /* xori  t3, t3, 1            right half */
    0x07833e93, /* sltiu t4, t1, 120 */
    0x001ece93, /* xori  t4, t4, 1            bottom half */
    0x001e9e93, /* slli  t4, t4, 1 */
    0x01de6e33, /* or    t3, t3, t4           quadrant 0..3 */
    0x002e1e13, /* slli  t3, t3, 2 */
    0x008e0e33, /* add   t3, t3, s0 */
    0x000e6f03, /* lwu   t5, 0(t3)            its colour */
    0x01e2a023, /* sw    t5, 0(t0) */
    0x00428293, /* addi  t0, t0, 4 */
    0x00138393, /* addi  t2, t2, 1 */
    0x14000f93, /* li    t6, 320 */
    0xfdf3e6e3, /* bltu  t2, t6, 2b */
    0x00130313, /* addi  t1, t1, 1 */
    0x0f000f93, /* li    t6, 240 */
    0xfbf36ee3, /* bltu  t1, t6, 1b */
    0x10500073, /* 3: wfi */
    0xffdff06f, /* j     3b */
    RED, GREEN, BLUE, WHITE,
};

typedef struct {
    unsigned long count;
    double sum_x, sum_y;
} ColourStats;

/*
 * Reads @window back and looks for the four quadrants: each colour must
 * cover a good part of the area and sit where it belongs relative to the
 * others.  A view that shows nothing (or the placeholder) has none.
 */
static bool window_shows_quadrants(Display *display, Window window, GString *why)
{
    static const uint32_t colours[4] = { RED, GREEN, BLUE, WHITE };
    ColourStats stats[4] = { { 0 } };
    XWindowAttributes attributes;
    XImage *image;
    unsigned long min_count;

    if (!XGetWindowAttributes(display, window, &attributes)) {
        g_string_assign(why, "window gone");
        return false;
    }
    image = XGetImage(display, window, 0, 0, (unsigned)attributes.width,
                      (unsigned)attributes.height, AllPlanes, ZPixmap);
    if (!image) {
        g_string_assign(why, "XGetImage failed");
        return false;
    }
    for (int y = 0; y < attributes.height; y++) {
        for (int x = 0; x < attributes.width; x++) {
            uint32_t p = (uint32_t)XGetPixel(image, x, y) & 0xffffffu;

            for (int c = 0; c < 4; c++) {
                if (p == colours[c]) {
                    stats[c].count++;
                    stats[c].sum_x += x;
                    stats[c].sum_y += y;
                }
            }
        }
    }
    XDestroyImage(image);
    /* Scaled to fit, each quadrant is at least a tenth of the window. */
    min_count = (unsigned long)attributes.width * (unsigned long)attributes.height / 10;
    g_string_printf(why, "%dx%d window; pixels red %lu green %lu blue %lu white %lu "
                    "(want >= %lu each)", attributes.width, attributes.height,
                    stats[0].count, stats[1].count, stats[2].count, stats[3].count,
                    min_count);
    for (int c = 0; c < 4; c++) {
        if (stats[c].count < min_count) {
            return false;
        }
        stats[c].sum_x /= (double)stats[c].count;
        stats[c].sum_y /= (double)stats[c].count;
    }
    return stats[0].sum_x < stats[1].sum_x && stats[2].sum_x < stats[3].sum_x &&
           stats[0].sum_y < stats[2].sum_y && stats[1].sum_y < stats[3].sum_y;
}

static void on_child_exited(GObject *source, GAsyncResult *res, gpointer user_data)
{
    g_subprocess_wait_finish(G_SUBPROCESS(source), res, NULL);
    *(bool *)user_data = true;
}

/*
 * SIGTERM to porthole: it must exit by itself, with status 0, within 10 s.
 * @exited is the flag on_child_exited() sets.
 */
static void terminate_cleanly(GSubprocess *proc, bool *exited)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;

    g_subprocess_send_signal(proc, SIGTERM);
    while (!*exited) {
        g_main_context_iteration(NULL, FALSE);
        if (g_get_monotonic_time() > deadline) {
            g_subprocess_force_exit(proc);
            g_error("porthole did not exit within 10 s of SIGTERM");
        }
        g_usleep(10 * 1000);
    }
    g_assert_true(g_subprocess_get_if_exited(proc));
    g_assert_cmpint(g_subprocess_get_exit_status(proc), ==, 0);
}

static void test_porthole_shows_guest(void)
{
    const char *bin = g_getenv("PORTHOLE_BIN");
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = NULL, *image_path = NULL, *qmp = NULL;
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GString) why = g_string_new("no window");
    Display *display;
    Window window = None;
    bool exited = false, shown = false, moved = false;
    unsigned long pid;
    gint64 deadline;

    g_assert_nonnull(bin);
    dir = g_dir_make_tmp("ph-display-view-XXXXXX", &error);
    g_assert_no_error(error);
    image_path = g_build_filename(dir, "quadrants.bin", NULL);
    qmp = g_strdup_printf("unix:%s/qmp.sock,server=on,wait=off", dir);
    /* RISC-V is little-endian, like the hosts this runs on: checked here. */
    g_assert_cmpint(G_BYTE_ORDER, ==, G_LITTLE_ENDIAN);
    g_file_set_contents(image_path, (const char *)quadrant_guest, sizeof(quadrant_guest),
                        &error);
    g_assert_no_error(error);

    display = x11_test_open_display();

    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    proc = g_subprocess_launcher_spawn(launcher, &error, bin, "-bios", "none", "-kernel",
                                       image_path, "--display-size", "320x240", "--qmp",
                                       qmp, NULL);
    g_assert_no_error(error);
    pid = strtoul(g_subprocess_get_identifier(proc), NULL, 10);
    g_subprocess_wait_async(proc, NULL, on_child_exited, &exited);

    deadline = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
    while (!shown && g_get_monotonic_time() < deadline) {
        while (g_main_context_iteration(NULL, FALSE)) {
        }
        if (exited) {
            g_error("porthole exited (wait status %#x) before showing the guest",
                    g_subprocess_get_status(proc));
        }
        if (window == None) {
            window = x11_test_find_window_of(display, pid);
        }
        if (window != None) {
            if (!moved) {
                /*
                 * Into the bottom-right corner, away from the other GUI
                 * tests' windows (they share this X server), and smaller
                 * than 320x240 so the view scales down.
                 */
                XMoveResizeWindow(display, window,
                                  DisplayWidth(display, DefaultScreen(display)) - 300,
                                  DisplayHeight(display, DefaultScreen(display)) - 300, 280,
                                  260);
                moved = true;
            }
            XRaiseWindow(display, window);
            XSync(display, False);
            shown = window_shows_quadrants(display, window, why);
        }
        if (!shown) {
            g_usleep(100 * 1000);
        }
    }
    if (!shown) {
        g_subprocess_force_exit(proc);
        g_subprocess_wait(proc, NULL, NULL);
        g_error("porthole's window does not show the guest's quadrants: %s", why->str);
    }
    g_test_message("%s", why->str);

    terminate_cleanly(proc, &exited);
    XCloseDisplay(display);
    g_unlink(image_path);
    g_rmdir(dir);
}

static void die_with_test(gpointer data)
{
    /* Even when an assertion aborts the test. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* A pixel of an XImage as 0xRRGGBB (24-bit TrueColor, as Xvfb's). */
static uint32_t ximage_rgb(XImage *image, int x, int y)
{
    return (uint32_t)XGetPixel(image, x, y) & 0xffffffu;
}

static double channel_diff(uint32_t a, uint32_t b)
{
    double d = 0;

    for (int shift = 0; shift < 24; shift += 8) {
        d += fabs((double)((a >> shift) & 0xff) - (double)((b >> shift) & 0xff));
    }
    return d / 3;
}

/*
 * Mean per-channel difference between the frame @img as the view would
 * place it (top-left @ox, @oy, @scale) and the window image, on a grid of
 * sample points; @shift moves the frame sample (a control that must be
 * far worse when the window really shows this frame).
 */
static double window_vs_frame(XImage *image, pixman_image_t *img, double ox, double oy,
                              double scale, int shift)
{
    int w = pixman_image_get_width(img), h = pixman_image_get_height(img);
    int stride = pixman_image_get_stride(img) / 4;
    const uint32_t *bits = pixman_image_get_data(img);
    double sum = 0;
    int n = 0;

    for (int gy = 1; gy < 48; gy++) {
        for (int gx = 1; gx < 64; gx++) {
            int fx = gx * w / 64, fy = gy * h / 48;
            int sx = MIN(fx + shift, w - 1);
            int wx = (int)(ox + (fx + 0.5) * scale);
            int wy = (int)(oy + (fy + 0.5) * scale);

            if (wx < 0 || wy < 0 || wx >= image->width || wy >= image->height) {
                return 255;
            }
            sum += channel_diff(ximage_rgb(image, wx, wy),
                                bits[(size_t)fy * stride + sx] & 0xffffffu);
            n++;
        }
    }
    return sum / n;
}

/*
 * `porthole` with no guest options boots the demo guest and shows it: the
 * window, read back from the X server, matches the guest's screendump
 * taken while it is paused (so both are the same frame).
 */
static void test_porthole_shows_default_guest(void)
{
    const char *bin = g_getenv("PORTHOLE_BIN");
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = NULL, *socket = NULL, *qmp = NULL, *ppm = NULL, *cmd = NULL;
    g_autofree char *reply = NULL;
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(QmpTestClient) client = NULL;
    pixman_image_t *frame;
    Display *display;
    Window window = None;
    XImage *image;
    bool exited = false;
    unsigned long pid;
    gint64 deadline;
    int width, height, top, bottom, left, right, fw, fh;
    double scale, ox, oy, best = 255, control;

    g_assert_nonnull(bin);
    dir = g_dir_make_tmp("ph-default-view-XXXXXX", &error);
    g_assert_no_error(error);
    socket = g_build_filename(dir, "qmp.sock", NULL);
    qmp = g_strdup_printf("unix:%s,server=on,wait=off", socket);
    ppm = g_build_filename(dir, "frame.ppm", NULL);

    display = x11_test_open_display();
    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    g_subprocess_launcher_set_child_setup(launcher, die_with_test, NULL, NULL);
    proc = g_subprocess_launcher_spawn(launcher, &error, bin, "--qmp", qmp, NULL);
    g_assert_no_error(error);
    pid = strtoul(g_subprocess_get_identifier(proc), NULL, 10);
    g_subprocess_wait_async(proc, NULL, on_child_exited, &exited);

    deadline = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
    while (window == None && g_get_monotonic_time() < deadline) {
        while (g_main_context_iteration(NULL, FALSE)) {
        }
        if (exited) {
            g_error("porthole exited (wait status %#x) before showing a window",
                    g_subprocess_get_status(proc));
        }
        window = x11_test_find_window_of(display, pid);
        if (window == None) {
            g_usleep(100 * 1000);
        }
    }
    g_assert_true(window != None);
    /* Wide and low: the frame is scaled to the height, with black bars
     * left and right; the top-left corner, above the other tests' windows. */
    XMoveResizeWindow(display, window, 0, 0, 1000, 500);
    XRaiseWindow(display, window);
    XSync(display, False);

    client = qmp_test_client_connect(socket, 20000, &error);
    g_assert_no_error(error);
    qmp_test_client_handshake(client, false, NULL, &error);
    g_assert_no_error(error);
    /* Past the boot screen, into the live scene. */
    g_usleep(1500 * 1000);
    reply = qmp_test_client_command(client, "{\"execute\": \"stop\"}", &error);
    g_assert_no_error(error);
    qmp_test_assert_line(reply, "{\"return\": {}}\r\n");
    g_clear_pointer(&reply, g_free);
    cmd = g_strdup_printf("{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"%s\"}}",
                          ppm);
    reply = qmp_test_client_command(client, cmd, &error);
    g_assert_no_error(error);
    qmp_test_assert_line(reply, "{\"return\": {}}\r\n");
    frame = ph_ppm_load(ppm, &error);
    g_assert_no_error(error);
    fw = pixman_image_get_width(frame);
    fh = pixman_image_get_height(frame);
    g_assert_cmpint(fw, ==, 1024);
    g_assert_cmpint(fh, ==, 768);

    /* The paused frame reaches the window at the next refresh (16 ms). */
    g_usleep(500 * 1000);
    XSync(display, False);
    {
        XWindowAttributes attributes;

        g_assert_true(XGetWindowAttributes(display, window, &attributes));
        width = attributes.width;
        height = attributes.height;
    }
    image = XGetImage(display, window, 0, 0, (unsigned)width, (unsigned)height, AllPlanes,
                      ZPixmap);
    g_assert_nonnull(image);
    /*
     * Find the view: from a point in the left bar (black), its black
     * extends up to the header bar and down to the window's bottom edge;
     * along the middle row, from the left edge of the view to the right.
     */
    {
        int bx = width / 20, my = height / 2;

        g_assert_cmphex(ximage_rgb(image, bx, my), ==, 0);
        top = my;
        while (top > 0 && ximage_rgb(image, bx, top - 1) == 0) {
            top--;
        }
        bottom = my;
        while (bottom < height && ximage_rgb(image, bx, bottom) == 0) {
            bottom++;
        }
        left = bx;
        while (left > 0 && ximage_rgb(image, left - 1, my) == 0) {
            left--;
        }
        right = width - 1 - bx;
        g_assert_cmphex(ximage_rgb(image, right, my), ==, 0);
        while (right < width && ximage_rgb(image, right, my) == 0) {
            right++;
        }
    }
    g_assert_cmpint(bottom - top, >, height / 2);
    scale = MIN((double)(right - left) / fw, (double)(bottom - top) / fh);
    ox = left + ((double)(right - left) - fw * scale) / 2;
    oy = top + ((double)(bottom - top) - fh * scale) / 2;
    /* The view centres on whole pixels: allow for its rounding. */
    for (int dx = -1; dx <= 1; dx++) {
        for (int dy = 0; dy <= 1; dy++) {
            best = MIN(best, window_vs_frame(image, frame, floor(ox) + dx, floor(oy) + dy,
                                             scale, 0));
        }
    }
    control = window_vs_frame(image, frame, floor(ox), floor(oy), scale, 24);
    g_test_message("window %dx%d, view %d,%d-%d,%d, scale %.3f: mean difference %.2f "
                   "(shifted frame: %.2f)", width, height, left, top, right, bottom, scale,
                   best, control);
    /* Scaling blends neighbours; the frame itself is within a few levels. */
    g_assert_cmpfloat(best, <, 8.0);
    g_assert_cmpfloat(control, >, best * 2);
    XDestroyImage(image);
    pixman_image_unref(frame);

    terminate_cleanly(proc, &exited);
    XCloseDisplay(display);
    qmp_test_remove_tree(dir);
}

int main(int argc, char *argv[])
{
    g_setenv("LC_ALL", "C", TRUE);
    /* No window manager decorations or animations to wait for. */
    g_setenv("GTK_CSD", "0", TRUE);
    gtk_test_init(&argc, &argv, NULL);
    ph_aio_init();

    g_test_add("/ui/display-view/no-console-placeholder", Fixture, NULL, fixture_set_up,
               test_no_console_placeholder, fixture_tear_down);
    g_test_add("/ui/display-view/shows-console", Fixture, GINT_TO_POINTER(1),
               fixture_set_up, test_shows_console, fixture_tear_down);
    g_test_add("/ui/display-view/scaled-centred-with-bars", Fixture, GINT_TO_POINTER(1),
               fixture_set_up, test_scaled_centred_with_bars, fixture_tear_down);
    g_test_add("/ui/display-view/follows-updates", Fixture, GINT_TO_POINTER(1),
               fixture_set_up, test_follows_updates, fixture_tear_down);
    g_test_add("/ui/display-view/console-freed-first", Fixture, GINT_TO_POINTER(1),
               fixture_set_up, test_console_freed_first, fixture_tear_down);
    g_test_add_func("/ui/display-view/view-alone", test_view_alone);
    g_test_add_func("/ui/display-view/porthole-shows-guest", test_porthole_shows_guest);
    g_test_add_func("/ui/display-view/porthole-shows-default-guest",
                    test_porthole_shows_default_guest);

    int ret = g_test_run();
    ph_aio_shutdown();
    return ret;
}
