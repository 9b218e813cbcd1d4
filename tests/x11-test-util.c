/* X11 helpers for the GUI tests that run the real porthole and find its window. */
#include "x11-test-util.h"

#include <stdbool.h>

#include <X11/Xatom.h>
#include <glib.h>

static int ignore_x_error(Display *display, XErrorEvent *event)
{
    return 0;
}

Display *x11_test_open_display(void)
{
    Display *display = XOpenDisplay(NULL);

    g_assert_nonnull(display);
    XSetErrorHandler(ignore_x_error);
    return display;
}

static bool window_has_pid(Display *display, Window window, unsigned long pid)
{
    Atom net_wm_pid = XInternAtom(display, "_NET_WM_PID", False);
    Atom type = None;
    int format = 0;
    unsigned long n_items = 0, bytes_after = 0;
    unsigned char *value = NULL;
    bool match = false;

    if (XGetWindowProperty(display, window, net_wm_pid, 0, 1, False, XA_CARDINAL, &type,
                           &format, &n_items, &bytes_after, &value) == Success &&
        value && type == XA_CARDINAL && format == 32 && n_items == 1) {
        match = *(unsigned long *)value == pid;
    }
    if (value) {
        XFree(value);
    }
    return match;
}

Window x11_test_find_window_of(Display *display, unsigned long pid)
{
    Window root, parent, *children = NULL;
    unsigned int n_children = 0;
    Window found = None;

    if (!XQueryTree(display, DefaultRootWindow(display), &root, &parent, &children,
                    &n_children)) {
        return None;
    }
    for (unsigned int i = 0; i < n_children && found == None; i++) {
        XWindowAttributes attributes;

        if (window_has_pid(display, children[i], pid) &&
            XGetWindowAttributes(display, children[i], &attributes) &&
            attributes.map_state == IsViewable) {
            found = children[i];
        }
    }
    if (children) {
        XFree(children);
    }
    return found;
}
