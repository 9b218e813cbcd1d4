/* X11 helpers for the GUI tests that run the real porthole and find its window. */
#pragma once

#include <X11/Xlib.h>

/*
 * Opens the X server of $DISPLAY (the test fails without one), with X
 * errors ignored: the windows a test looks at belong to other processes
 * and may go away under it.
 */
Display *x11_test_open_display(void);

/* The viewable top-level window of process @pid (no window manager: a
 * child of the root), or None. */
Window x11_test_find_window_of(Display *display, unsigned long pid);
