/*
 * GUI smoke test: the real porthole binary maps a top-level window named
 * "Porthole" on the current X display, and exits with status 0 on SIGTERM.
 */
#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>

#define WINDOW_TIMEOUT_S 20
#define EXIT_TIMEOUT_S   10
#define WINDOW_NAME      "Porthole"

/* Windows come and go while we walk the tree: ignore BadWindow and co. */
static int ignore_x_error(Display *display, XErrorEvent *event)
{
    return 0;
}

static bool net_wm_name_is(Display *display, Window window, const char *name)
{
    Atom net_wm_name = XInternAtom(display, "_NET_WM_NAME", False);
    Atom utf8_string = XInternAtom(display, "UTF8_STRING", False);
    Atom type = None;
    int format = 0;
    unsigned long n_items = 0, bytes_after = 0;
    unsigned char *value = NULL;
    bool match = false;

    if (XGetWindowProperty(display, window, net_wm_name, 0, 1024, False,
                           utf8_string, &type, &format, &n_items, &bytes_after,
                           &value) == Success &&
        value && type == utf8_string && format == 8) {
        match = n_items == strlen(name) && memcmp(value, name, n_items) == 0;
    }
    if (value) {
        XFree(value);
    }
    return match;
}

static bool wm_name_is(Display *display, Window window, const char *name)
{
    XTextProperty text = { 0 };
    bool match = false;

    if (XGetWMName(display, window, &text) && text.value && text.format == 8) {
        match = text.nitems == strlen(name) &&
                memcmp(text.value, name, text.nitems) == 0;
    }
    if (text.value) {
        XFree(text.value);
    }
    return match;
}

static bool is_viewable(Display *display, Window window)
{
    XWindowAttributes attributes;

    return XGetWindowAttributes(display, window, &attributes) &&
           attributes.map_state == IsViewable;
}

/*
 * Looks for a viewable window whose _NET_WM_NAME and WM_NAME are both
 * @name.  Without a window manager top-levels are children of the root;
 * under a reparenting one they are grandchildren, so look two levels down.
 */
static Window find_window(Display *display, Window parent, const char *name,
                          int depth)
{
    Window root, parent_return, *children = NULL;
    unsigned int n_children = 0;
    Window found = None;

    if (!XQueryTree(display, parent, &root, &parent_return, &children,
                    &n_children)) {
        return None;
    }
    for (unsigned int i = 0; i < n_children && found == None; i++) {
        if (net_wm_name_is(display, children[i], name) &&
            wm_name_is(display, children[i], name) &&
            is_viewable(display, children[i])) {
            found = children[i];
        } else if (depth > 1) {
            found = find_window(display, children[i], name, depth - 1);
        }
    }
    if (children) {
        XFree(children);
    }
    return found;
}

static void on_child_exited(GObject *source, GAsyncResult *res,
                            gpointer user_data)
{
    bool *exited = user_data;

    g_subprocess_wait_finish(G_SUBPROCESS(source), res, NULL);
    *exited = true;
}

static void test_window_appears_and_sigterm_exits(void)
{
    const char *bin = g_getenv("PORTHOLE_BIN");
    const char *display_name = g_getenv("DISPLAY");
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GSubprocess) proc = NULL;
    g_autoptr(GError) error = NULL;
    Display *display;
    Window window = None;
    bool exited = false;
    gint64 deadline;

    g_assert_nonnull(bin);
    if (!display_name || !*display_name) {
        g_error("no X display: run the GUI tests under xvfb-run, "
                "or configure with -Dgui_tests=false");
    }
    display = XOpenDisplay(NULL);
    g_assert_nonnull(display);
    XSetErrorHandler(ignore_x_error);

    /* The child's stdout would corrupt this test's TAP stream. */
    launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    proc = g_subprocess_launcher_spawn(launcher, &error, bin, NULL);
    g_assert_no_error(error);
    g_subprocess_wait_async(proc, NULL, on_child_exited, &exited);

    deadline = g_get_monotonic_time() + WINDOW_TIMEOUT_S * G_TIME_SPAN_SECOND;
    while (g_get_monotonic_time() < deadline) {
        while (g_main_context_iteration(NULL, FALSE)) {
        }
        if (exited) {
            g_error("porthole exited (wait status %#x) before showing a "
                    "window",
                    g_subprocess_get_status(proc));
        }
        window =
            find_window(display, DefaultRootWindow(display), WINDOW_NAME, 2);
        if (window != None) {
            break;
        }
        g_usleep(100 * 1000);
    }
    if (window == None) {
        g_subprocess_force_exit(proc);
        g_subprocess_wait(proc, NULL, NULL);
        g_error("no viewable window named \"%s\" within %d s", WINDOW_NAME,
                WINDOW_TIMEOUT_S);
    }
    g_test_message("found window 0x%lx", (unsigned long)window);

    g_subprocess_send_signal(proc, SIGTERM);
    deadline = g_get_monotonic_time() + EXIT_TIMEOUT_S * G_TIME_SPAN_SECOND;
    while (!exited) {
        g_main_context_iteration(NULL, FALSE);
        if (g_get_monotonic_time() > deadline) {
            g_subprocess_force_exit(proc);
            g_error("porthole did not exit within %d s of SIGTERM",
                    EXIT_TIMEOUT_S);
        }
        g_usleep(10 * 1000);
    }
    g_assert_true(g_subprocess_get_if_exited(proc));
    g_assert_cmpint(g_subprocess_get_exit_status(proc), ==, 0);

    XCloseDisplay(display);
}

int main(int argc, char *argv[])
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/gui/smoke/window-appears-and-sigterm-exits",
                    test_window_appears_and_sigterm_exits);

    return g_test_run();
}
