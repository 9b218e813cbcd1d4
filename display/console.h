/* The display console: one per display head, a surface over the framebuffer, listeners and fresh-frame waits. */
#pragma once

#include <stdbool.h>

#include <glib.h>
#include <pixman.h>

#include "aio.h"
#include "framebuffer.h"

G_BEGIN_DECLS

/*
 * A PhConsole is QEMU's QemuConsole for Porthole's linear framebuffer.
 *
 * Threads: everything here runs on the main loop thread (the thread that
 * called ph_aio_init()).  The vCPU thread only writes guest memory; the
 * framebuffer's dirty bits are the one thing shared with it, and
 * ph_framebuffer_fetch_dirty_rows() is safe from any thread.
 *
 * Timers and bottom halves live in ph_main_aio_context(), so they run in
 * the GLib main loop (and in nested aio_poll() on the main context).
 */
typedef struct PhConsole PhConsole;
typedef struct PhDisplayListener PhDisplayListener;

/* The refresh period of a console that has listeners: 60 Hz at most. */
#define PH_CONSOLE_REFRESH_MS 16

/*
 * What a UI implements (QEMU's DisplayChangeListenerOps).  Every callback
 * is optional and runs on the main loop thread.
 *
 * gfx_update: pixels in the rectangle changed; x, y, w, h are in surface
 *   pixels and always inside the surface.  Only called when something did
 *   change.
 * gfx_switch: the console has a new surface (on registration, and after a
 *   resize).  The previous surface may be gone once this returns; a
 *   listener that keeps one beyond that takes its own pixman_image_ref().
 *   A full-surface gfx_update follows.
 * refresh: once per refresh tick (after any gfx_update of that tick), for
 *   the UI's own periodic work.
 */
typedef struct PhDisplayListenerOps {
    const char *name;
    void (*gfx_update)(PhDisplayListener *dl, int x, int y, int w, int h);
    void (*gfx_switch)(PhDisplayListener *dl, pixman_image_t *surface);
    void (*refresh)(PhDisplayListener *dl);
} PhDisplayListenerOps;

/*
 * Embedded in (or allocated by) the UI's own object; the UI owns the
 * memory and keeps it alive while registered.  @con is set by
 * ph_console_register_listener() and cleared by unregistering.
 */
struct PhDisplayListener {
    const PhDisplayListenerOps *ops;
    PhConsole *con;
    void *opaque;   /* free for the UI's use */
};

/*
 * Creates the console for head @head of @fb and appends it to the global
 * list of consoles (creation order is QEMU's console index order).  @fb is
 * not owned and must outlive the console.
 *
 * The console's device id (what QMP's screendump `device` names) is
 * "fb<N>": consoles of the same framebuffer share it, and each other
 * framebuffer gets the lowest N not in use.
 */
PhConsole *ph_console_new(PhFramebuffer *fb, unsigned head);

/*
 * Removes @c from the global list, drops its listeners (their @con
 * becomes NULL; no callback runs) and wakes every coroutine waiting in
 * ph_console_wait_update(), which then returns false.  NULL is ignored.
 * Must not be called from inside one of @c's listener callbacks.
 */
void ph_console_free(PhConsole *c);

PhFramebuffer *ph_console_framebuffer(PhConsole *c);
unsigned ph_console_head(PhConsole *c);
const char *ph_console_device_id(PhConsole *c);
/* The position of @c in the global list (QEMU's console index). */
int ph_console_index(PhConsole *c);
int ph_console_width(PhConsole *c);
int ph_console_height(PhConsole *c);

/*
 * A PIXMAN_x8r8g8b8 image whose bits are the framebuffer's own pixels
 * (no copy; the stride is the device's).  Owned by the console: valid
 * until the next gfx_switch or ph_console_free(); take a
 * pixman_image_ref() to keep the image object longer (its bits are still
 * the framebuffer's, so not beyond the framebuffer's life).
 */
pixman_image_t *ph_console_surface(PhConsole *c);

/*
 * The framebuffer's geometry may have changed: makes a new surface and
 * tells every listener through gfx_switch and a full gfx_update.  Nothing
 * happens when the geometry is the same.  (The size is fixed at machine
 * start today; this is where a future mode change goes.)
 */
void ph_console_resize(PhConsole *c);

/*
 * Lookup for screendump.  @device NULL: the first console (@head is not
 * looked at; screendump rejects a head without a device itself).
 * Otherwise the console of device @device at head @head, or NULL.
 */
PhConsole *ph_console_lookup(const char *device, int head);
/* True when some console has device id @device (to tell QEMU's
 * "Device 'x' not found" from "not bound to a console at that head"). */
bool ph_console_device_exists(const char *device);
/* The first console, or NULL when there is none. */
PhConsole *ph_console_first(void);

/*
 * Registers @dl on @c: @dl->con = @c, then gfx_switch(surface) and a full
 * gfx_update for @dl alone.  The refresh timer runs while at least one
 * listener is registered.  @dl must not already be registered.
 */
void ph_console_register_listener(PhConsole *c, PhDisplayListener *dl);
/* Unregisters @dl (no-op when it is not registered).  May be called from
 * any listener callback, including @dl's own. */
void ph_console_unregister_listener(PhDisplayListener *dl);
unsigned ph_console_listener_count(PhConsole *c);

/*
 * Asks the device for a fresh frame.  For the linear framebuffer: fetches
 * the dirty rows now and passes them to the listeners as one rectangle,
 * then completes with graphic_hw_update_done() from a bottom half (never
 * synchronously, so a caller that queues itself right after this call
 * is woken).  Several calls before that bottom half runs complete once.
 */
void graphic_hw_update(PhConsole *c);
/* The device's frame is done: wakes every coroutine waiting in the
 * console's CoQueue at the time of the call. */
void graphic_hw_update_done(PhConsole *c);

/*
 * Coroutine context (main thread): graphic_hw_update(@c), then yields
 * in the console's CoQueue until graphic_hw_update_done().  Returns true
 * with a fresh frame in the surface; false when @c was freed meanwhile,
 * and then @c must not be used any more.
 */
bool coroutine_fn ph_console_wait_update(PhConsole *c);

G_END_DECLS
