/* The display console: one per display head, a surface over the framebuffer, listeners and fresh-frame waits. */
#include "config.h"

#include "console.h"

#include <stdio.h>
#include <string.h>

struct PhConsole {
    /* Two kinds of reference: the global list's (dropped by
     * ph_console_free()) and one per coroutine waiting in
     * ph_console_wait_update(), so a waiter woken by ph_console_free()
     * can still read @closed.  Main thread only, like everything here. */
    unsigned refcnt;
    bool closed;   /* set once by ph_console_free() */

    PhFramebuffer *fb;   /* not owned */
    unsigned head;
    char *device_id;

    pixman_image_t *surface;   /* over fb's pixels; NULL once closed */
    int width, height, stride;

    /* PhDisplayListener *; while @walking > 0 an unregistered slot is set
     * to NULL instead of removed, so that the walk's indexes stay valid. */
    GPtrArray *listeners;
    unsigned walking;
    unsigned n_listeners;

    PhTimer *refresh_timer;   /* armed only while n_listeners > 0 */
    PhBH *done_bh;            /* graphic_hw_update()'s completion */
    CoQueue update_queue;     /* ph_console_wait_update() waiters */
};

/* Every live console in creation order; main thread only. */
static GList *ph_console_list;

static void ph_console_ref(PhConsole *c)
{
    c->refcnt++;
}

static void ph_console_unref(PhConsole *c)
{
    g_assert(c->refcnt > 0);
    if (--c->refcnt > 0) {
        return;
    }
    g_assert(c->closed);
    g_ptr_array_unref(c->listeners);
    g_free(c->device_id);
    g_free(c);
}

/* (Re)creates the surface from the framebuffer's current geometry; false
 * when it was already up to date. */
static bool ph_console_update_surface(PhConsole *c)
{
    int w = (int)ph_framebuffer_width(c->fb);
    int h = (int)ph_framebuffer_height(c->fb);
    int stride = (int)ph_framebuffer_stride(c->fb);

    if (c->surface && w == c->width && h == c->height && stride == c->stride) {
        return false;
    }
    if (c->surface) {
        pixman_image_unref(c->surface);
    }
    c->width = w;
    c->height = h;
    c->stride = stride;
    /* The framebuffer's layout is x8r8g8b8 in host order with a stride
     * that is a multiple of 4, exactly what pixman wants: no copy. */
    c->surface = pixman_image_create_bits(PIXMAN_x8r8g8b8, w, h,
                                          (uint32_t *)ph_framebuffer_pixels(c->fb),
                                          stride);
    g_assert(c->surface);   /* only fails on bad arguments, never here */
    return true;
}

static void ph_console_walk_end(PhConsole *c)
{
    if (--c->walking == 0) {
        for (guint i = c->listeners->len; i-- > 0;) {
            if (!g_ptr_array_index(c->listeners, i)) {
                g_ptr_array_remove_index(c->listeners, i);
            }
        }
    }
}

static void ph_console_notify_update(PhConsole *c, int x, int y, int w, int h)
{
    c->walking++;
    guint n = c->listeners->len;
    for (guint i = 0; i < n && !c->closed; i++) {
        PhDisplayListener *dl = g_ptr_array_index(c->listeners, i);
        if (dl && dl->ops->gfx_update) {
            dl->ops->gfx_update(dl, x, y, w, h);
        }
    }
    ph_console_walk_end(c);
}

static void ph_console_notify_switch(PhConsole *c)
{
    c->walking++;
    guint n = c->listeners->len;
    for (guint i = 0; i < n && !c->closed; i++) {
        PhDisplayListener *dl = g_ptr_array_index(c->listeners, i);
        if (dl && dl->ops->gfx_switch) {
            dl->ops->gfx_switch(dl, c->surface);
        }
    }
    ph_console_walk_end(c);
}

static void ph_console_notify_refresh(PhConsole *c)
{
    c->walking++;
    guint n = c->listeners->len;
    for (guint i = 0; i < n && !c->closed; i++) {
        PhDisplayListener *dl = g_ptr_array_index(c->listeners, i);
        if (dl && dl->ops->refresh) {
            dl->ops->refresh(dl);
        }
    }
    ph_console_walk_end(c);
}

/* Passes the rows the guest wrote since the last fetch to the listeners.
 * With no listener the bits are still consumed: a listener that registers
 * later starts with a full update anyway. */
static void ph_console_flush_dirty(PhConsole *c)
{
    unsigned first, end;

    if (!ph_framebuffer_fetch_dirty_rows(c->fb, &first, &end)) {
        return;
    }
    first = MIN(first, (unsigned)c->height);
    end = MIN(end, (unsigned)c->height);
    if (end > first) {
        ph_console_notify_update(c, 0, (int)first, c->width, (int)(end - first));
    }
}

static void ph_console_arm_refresh(PhConsole *c)
{
    ph_timer_mod_ns(c->refresh_timer,
                    ph_clock_ns() + (int64_t)PH_CONSOLE_REFRESH_MS * 1000000);
}

static void ph_console_refresh_cb(void *opaque)
{
    PhConsole *c = opaque;

    /* Freeing the console from a listener callback is not allowed; the
     * reference only keeps our own bookkeeping valid if it happens. */
    ph_console_ref(c);
    ph_console_flush_dirty(c);
    ph_console_notify_refresh(c);
    if (!c->closed && c->n_listeners > 0) {
        ph_console_arm_refresh(c);
    }
    ph_console_unref(c);
}

static void ph_console_done_bh(void *opaque)
{
    graphic_hw_update_done(opaque);
}

/* The device id of @fb: the one its other consoles have, or the lowest
 * free "fb<N>". */
static char *ph_console_pick_device_id(PhFramebuffer *fb)
{
    for (GList *l = ph_console_list; l; l = l->next) {
        PhConsole *o = l->data;
        if (o->fb == fb) {
            return g_strdup(o->device_id);
        }
    }
    for (unsigned n = 0;; n++) {
        char *id = g_strdup_printf("fb%u", n);
        if (!ph_console_device_exists(id)) {
            return id;
        }
        g_free(id);
    }
}

PhConsole *ph_console_new(PhFramebuffer *fb, unsigned head)
{
    PhConsole *c = g_new0(PhConsole, 1);

    g_assert(fb);
    c->refcnt = 1;
    c->fb = fb;
    c->head = head;
    c->device_id = ph_console_pick_device_id(fb);
    c->listeners = g_ptr_array_new();
    c->refresh_timer = aio_timer_new(ph_main_aio_context(), ph_console_refresh_cb, c);
    c->done_bh = aio_bh_new(ph_main_aio_context(), ph_console_done_bh, c);
    ph_co_queue_init(&c->update_queue);
    ph_console_update_surface(c);
    ph_console_list = g_list_append(ph_console_list, c);
    return c;
}

void ph_console_free(PhConsole *c)
{
    if (!c) {
        return;
    }
    g_assert(!c->closed);
    c->closed = true;
    ph_console_list = g_list_remove(ph_console_list, c);

    for (guint i = 0; i < c->listeners->len; i++) {
        PhDisplayListener *dl = g_ptr_array_index(c->listeners, i);
        if (dl) {
            dl->con = NULL;
        }
    }
    if (c->walking == 0) {
        g_ptr_array_set_size(c->listeners, 0);
    } else {
        for (guint i = 0; i < c->listeners->len; i++) {
            g_ptr_array_index(c->listeners, i) = NULL;
        }
    }
    c->n_listeners = 0;

    ph_timer_free(c->refresh_timer);
    c->refresh_timer = NULL;
    ph_bh_delete(c->done_bh);
    c->done_bh = NULL;
    pixman_image_unref(c->surface);
    c->surface = NULL;

    /* Waiters hold their own reference and see @closed. */
    ph_co_enter_all(&c->update_queue);
    ph_console_unref(c);
}

PhFramebuffer *ph_console_framebuffer(PhConsole *c)
{
    return c->fb;
}

unsigned ph_console_head(PhConsole *c)
{
    return c->head;
}

const char *ph_console_device_id(PhConsole *c)
{
    return c->device_id;
}

int ph_console_index(PhConsole *c)
{
    return g_list_index(ph_console_list, c);
}

int ph_console_width(PhConsole *c)
{
    return c->width;
}

int ph_console_height(PhConsole *c)
{
    return c->height;
}

pixman_image_t *ph_console_surface(PhConsole *c)
{
    return c->surface;
}

void ph_console_resize(PhConsole *c)
{
    if (c->closed || !ph_console_update_surface(c)) {
        return;
    }
    ph_console_notify_switch(c);
    if (!c->closed) {
        ph_console_notify_update(c, 0, 0, c->width, c->height);
    }
}

PhConsole *ph_console_first(void)
{
    return ph_console_list ? ph_console_list->data : NULL;
}

PhConsole *ph_console_lookup(const char *device, int head)
{
    if (!device) {
        return ph_console_first();
    }
    for (GList *l = ph_console_list; l; l = l->next) {
        PhConsole *c = l->data;
        if (head >= 0 && c->head == (unsigned)head && strcmp(c->device_id, device) == 0) {
            return c;
        }
    }
    return NULL;
}

bool ph_console_device_exists(const char *device)
{
    for (GList *l = ph_console_list; l; l = l->next) {
        PhConsole *c = l->data;
        if (device && strcmp(c->device_id, device) == 0) {
            return true;
        }
    }
    return false;
}

void ph_console_register_listener(PhConsole *c, PhDisplayListener *dl)
{
    g_assert(dl && dl->ops);
    g_assert(!dl->con);
    g_assert(!c->closed);

    dl->con = c;
    g_ptr_array_add(c->listeners, dl);
    if (c->n_listeners++ == 0) {
        /* Rows written while nobody watched are in the full update below;
         * with other listeners the bits are theirs to fetch. */
        unsigned first, end;
        ph_framebuffer_fetch_dirty_rows(c->fb, &first, &end);
        ph_console_arm_refresh(c);
    }
    /* The new listener starts from a complete picture; the others have
     * one already and are not bothered. */
    if (dl->ops->gfx_switch) {
        dl->ops->gfx_switch(dl, c->surface);
    }
    if (dl->con == c && dl->ops->gfx_update) {
        dl->ops->gfx_update(dl, 0, 0, c->width, c->height);
    }
}

void ph_console_unregister_listener(PhDisplayListener *dl)
{
    PhConsole *c = dl ? dl->con : NULL;
    guint i;

    if (!c) {
        return;
    }
    dl->con = NULL;
    if (!g_ptr_array_find(c->listeners, dl, &i)) {
        return;
    }
    if (c->walking > 0) {
        g_ptr_array_index(c->listeners, i) = NULL;
    } else {
        g_ptr_array_remove_index(c->listeners, i);
    }
    if (--c->n_listeners == 0) {
        ph_timer_del(c->refresh_timer);
    }
}

unsigned ph_console_listener_count(PhConsole *c)
{
    return c->n_listeners;
}

void graphic_hw_update(PhConsole *c)
{
    if (c->closed) {
        return;
    }
    ph_console_flush_dirty(c);
    /* Complete later, so that a caller that waits right after this call
     * is already in the queue when the wake-up comes. */
    if (!c->closed) {
        ph_bh_schedule(c->done_bh);
    }
}

void graphic_hw_update_done(PhConsole *c)
{
    ph_co_enter_all(&c->update_queue);
}

bool coroutine_fn ph_console_wait_update(PhConsole *c)
{
    bool fresh;

    g_assert(ph_in_coroutine());
    if (c->closed) {
        return false;
    }
    ph_console_ref(c);
    graphic_hw_update(c);
    if (!c->closed) {
        ph_co_queue_wait(&c->update_queue, NULL);
    }
    fresh = !c->closed;
    ph_console_unref(c);
    return fresh;
}
