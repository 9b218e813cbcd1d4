/* PhDisplayView: a widget that shows a display console's surface, scaled to fit. */
#include "config.h"

#include "ph-display-view.h"

#include <math.h>
#include <string.h>

#include "input.h"

struct _PhDisplayView {
    GtkDrawingArea parent_instance;

    PhConsole *console;           /* what set_console() was given, or NULL */
    PhDisplayListener listener;   /* registered on @console while it lives */

    /*
     * The console's surface and a cairo image over the same pixels (no
     * copy: pixman's x8r8g8b8 is cairo's RGB24).  The pixman reference
     * keeps the image object valid across the console's own switches.
     */
    pixman_image_t *image;
    cairo_surface_t *surface;
    /* Surface rectangles reported changed and not yet drawn: cairo is told
     * about them (mark_dirty) right before the next paint. */
    cairo_region_t *pending;

    /*
     * Input forwarded to the console's keyboard and tablet.  The keys and
     * buttons the guest was told are down, so that losing the focus
     * releases them (else one stays stuck down in the guest), and the
     * smooth-scroll distance not yet sent as whole wheel steps.
     */
    guint8 keys_down[(PH_INPUT_KEY_MAX + 1 + 7) / 8];
    guint buttons_down;           /* bit n: PhInputButton n */
    double scroll_rest;
};

G_DEFINE_FINAL_TYPE(PhDisplayView, ph_display_view, GTK_TYPE_DRAWING_AREA)

static void ph_display_view_drop_surface(PhDisplayView *self)
{
    g_clear_pointer(&self->surface, cairo_surface_destroy);
    g_clear_pointer(&self->image, pixman_image_unref);
    if (self->pending) {
        cairo_region_destroy(self->pending);
        self->pending = cairo_region_create();
    }
}

/*
 * The console can be freed behind our back (its listeners are dropped
 * without a callback): then the pixels under our cairo surface may be
 * gone, so forget them before anything reads them.
 */
static bool ph_display_view_has_live_surface(PhDisplayView *self)
{
    if (self->surface && !self->listener.con) {
        ph_display_view_drop_surface(self);
        self->console = NULL;
    }
    return self->surface != NULL;
}

/* The surface's placement in a @width x @height area: scaled to fit with
 * its aspect ratio, centred on whole pixels. */
static void ph_display_view_layout(PhDisplayView *self, int width, int height,
                                   double *x, double *y, double *scale)
{
    int sw = cairo_image_surface_get_width(self->surface);
    int sh = cairo_image_surface_get_height(self->surface);
    double s = 1.0;

    if (sw > 0 && sh > 0 && width > 0 && height > 0) {
        s = MIN((double)width / sw, (double)height / sh);
    }
    *scale = s;
    /* Rounded, not floored: when one side fits exactly, rounding error
     * must not give a -1 offset. */
    *x = floor((width - sw * s) / 2.0 + 0.5);
    *y = floor((height - sh * s) / 2.0 + 0.5);
}

gboolean ph_display_view_get_image_rect(PhDisplayView *self, double *x, double *y,
                                        double *scale)
{
    g_return_val_if_fail(PH_IS_DISPLAY_VIEW(self), FALSE);

    if (!ph_display_view_has_live_surface(self)) {
        return FALSE;
    }
    double ox, oy, s;

    ph_display_view_layout(self, gtk_widget_get_allocated_width(GTK_WIDGET(self)),
                           gtk_widget_get_allocated_height(GTK_WIDGET(self)), &ox, &oy, &s);
    if (x) {
        *x = ox;
    }
    if (y) {
        *y = oy;
    }
    if (scale) {
        *scale = s;
    }
    return TRUE;
}

static void ph_display_view_gfx_update(PhDisplayListener *dl, int x, int y, int w, int h)
{
    PhDisplayView *self = dl->opaque;
    GtkWidget *widget = GTK_WIDGET(self);
    cairo_rectangle_int_t rect = { x, y, w, h };
    double ox, oy, s;
    int x0, y0, x1, y1;

    if (!self->surface || w <= 0 || h <= 0) {
        return;
    }
    cairo_region_union_rectangle(self->pending, &rect);
    ph_display_view_layout(self, gtk_widget_get_allocated_width(widget),
                           gtk_widget_get_allocated_height(widget), &ox, &oy, &s);
    /* One widget pixel more on each side: the scaling filter reads the
     * neighbours of the changed pixels. */
    x0 = (int)floor(ox + x * s) - 1;
    y0 = (int)floor(oy + y * s) - 1;
    x1 = (int)ceil(ox + (x + w) * s) + 1;
    y1 = (int)ceil(oy + (y + h) * s) + 1;
    gtk_widget_queue_draw_area(widget, x0, y0, x1 - x0, y1 - y0);
}

static void ph_display_view_gfx_switch(PhDisplayListener *dl, pixman_image_t *image)
{
    PhDisplayView *self = dl->opaque;

    ph_display_view_drop_surface(self);
    if (image && pixman_image_get_format(image) == PIXMAN_x8r8g8b8) {
        self->image = pixman_image_ref(image);
        self->surface = cairo_image_surface_create_for_data(
            (unsigned char *)pixman_image_get_data(image), CAIRO_FORMAT_RGB24,
            pixman_image_get_width(image), pixman_image_get_height(image),
            pixman_image_get_stride(image));
        if (cairo_surface_status(self->surface) != CAIRO_STATUS_SUCCESS) {
            /* A stride cairo does not accept: show nothing rather than garbage. */
            g_warning("display view: cannot wrap a %dx%d surface (stride %d)",
                      pixman_image_get_width(image), pixman_image_get_height(image),
                      pixman_image_get_stride(image));
            ph_display_view_drop_surface(self);
        }
    }
    /* The size changed perhaps, and everything is new: redraw it all. */
    gtk_widget_queue_draw(GTK_WIDGET(self));
}

static const PhDisplayListenerOps ph_display_view_listener_ops = {
    .name = "gtk",
    .gfx_update = ph_display_view_gfx_update,
    .gfx_switch = ph_display_view_gfx_switch,
};

void ph_display_view_set_console(PhDisplayView *self, PhConsole *console)
{
    g_return_if_fail(PH_IS_DISPLAY_VIEW(self));

    if (self->console == console && (!console || self->listener.con)) {
        return;
    }
    ph_console_unregister_listener(&self->listener);
    ph_display_view_drop_surface(self);
    self->console = console;
    if (console) {
        /* Calls gfx_switch and a full gfx_update right away. */
        ph_console_register_listener(console, &self->listener);
    }
    gtk_widget_queue_draw(GTK_WIDGET(self));
}

PhConsole *ph_display_view_get_console(PhDisplayView *self)
{
    g_return_val_if_fail(PH_IS_DISPLAY_VIEW(self), NULL);

    return self->listener.con ? self->console : NULL;
}

static gboolean ph_display_view_draw(GtkWidget *widget, cairo_t *cr)
{
    PhDisplayView *self = PH_DISPLAY_VIEW(widget);
    int width = gtk_widget_get_allocated_width(widget);
    int height = gtk_widget_get_allocated_height(widget);
    int n_rects;
    double ox, oy, s;
    cairo_pattern_t *pattern;

    /* The bars, and everything when there is no surface. */
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_paint(cr);
    if (!ph_display_view_has_live_surface(self)) {
        return TRUE;
    }

    /* The guest wrote these pixels behind cairo's back. */
    n_rects = cairo_region_num_rectangles(self->pending);
    for (int i = 0; i < n_rects; i++) {
        cairo_rectangle_int_t r;

        cairo_region_get_rectangle(self->pending, i, &r);
        cairo_surface_mark_dirty_rectangle(self->surface, r.x, r.y, r.width, r.height);
    }
    cairo_region_destroy(self->pending);
    self->pending = cairo_region_create();

    ph_display_view_layout(self, width, height, &ox, &oy, &s);
    cairo_save(cr);
    cairo_translate(cr, ox, oy);
    cairo_scale(cr, s, s);
    cairo_rectangle(cr, 0, 0, cairo_image_surface_get_width(self->surface),
                    cairo_image_surface_get_height(self->surface));
    cairo_clip(cr);
    cairo_set_source_surface(cr, self->surface, 0, 0);
    pattern = cairo_get_source(cr);
    /* Pad: the edge pixels are not blended with the black around them. */
    cairo_pattern_set_extend(pattern, CAIRO_EXTEND_PAD);
    cairo_pattern_set_filter(pattern, s == 1.0 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_restore(cr);
    return TRUE;
}

/* ---- input: keyboard and pointer to the guest ---- */

/* The console input goes to, or NULL when there is none to show. */
static PhConsole *ph_display_view_input_console(PhDisplayView *self)
{
    return ph_display_view_has_live_surface(self) ? self->console : NULL;
}

/*
 * The tablet position of widget point (@wx, @wy): the surface pixel under
 * it, clamped to the surface, so that motion over the black bars holds the
 * pointer at the nearest edge.  False when nothing is shown.
 */
static gboolean ph_display_view_to_abs(PhDisplayView *self, double wx, double wy,
                                       unsigned *ax, unsigned *ay)
{
    double ox, oy, s, fx, fy;
    int sw, sh;

    if (!ph_display_view_get_image_rect(self, &ox, &oy, &s) || !(s > 0)) {
        return FALSE;
    }
    sw = cairo_image_surface_get_width(self->surface);
    sh = cairo_image_surface_get_height(self->surface);
    /* Clamped as doubles first: the cast of an out-of-range double is UB. */
    fx = CLAMP(floor((wx - ox) / s), 0.0, (double)MAX(sw - 1, 0));
    fy = CLAMP(floor((wy - oy) / s), 0.0, (double)MAX(sh - 1, 0));
    *ax = ph_input_abs_from_pixel((int)fx, sw);
    *ay = ph_input_abs_from_pixel((int)fy, sh);
    return TRUE;
}

static void ph_display_view_send_motion(PhDisplayView *self, PhConsole *con, double wx,
                                        double wy)
{
    unsigned ax, ay;

    if (ph_display_view_to_abs(self, wx, wy, &ax, &ay)) {
        ph_input_send_abs(con, PH_INPUT_AXIS_X, ax);
        ph_input_send_abs(con, PH_INPUT_AXIS_Y, ay);
    }
}

/* GDK's hardware keycode is the evdev code + 8 on X11 and on Wayland. */
static gboolean ph_display_view_linux_key(GdkEventKey *event, unsigned *code)
{
    if (event->hardware_keycode <= 8 || event->hardware_keycode - 8u > PH_INPUT_KEY_MAX) {
        return FALSE;
    }
    *code = event->hardware_keycode - 8u;
    return TRUE;
}

static gboolean ph_display_view_key_event(GtkWidget *widget, GdkEventKey *event)
{
    PhDisplayView *self = PH_DISPLAY_VIEW(widget);
    PhConsole *con = ph_display_view_input_console(self);
    gboolean down = event->type == GDK_KEY_PRESS;
    unsigned code;

    if (!con || !ph_display_view_linux_key(event, &code)) {
        return FALSE;
    }
    if (down) {
        self->keys_down[code / 8] |= (guint8)(1u << (code % 8));
    } else {
        self->keys_down[code / 8] &= (guint8)~(1u << (code % 8));
    }
    /* A repeated press goes out as another press, as QEMU's GTK UI. */
    ph_input_send_key(con, code, down);
    ph_input_sync();
    return TRUE;
}

static gboolean ph_display_view_motion(GtkWidget *widget, GdkEventMotion *event)
{
    PhDisplayView *self = PH_DISPLAY_VIEW(widget);
    PhConsole *con = ph_display_view_input_console(self);

    if (con) {
        ph_display_view_send_motion(self, con, event->x, event->y);
        ph_input_sync();
    }
    return FALSE;
}

static gboolean ph_display_view_button_map(guint gdk_button, PhInputButton *button)
{
    switch (gdk_button) {
    case 1:
        *button = PH_INPUT_BUTTON_LEFT;
        return TRUE;
    case 2:
        *button = PH_INPUT_BUTTON_MIDDLE;
        return TRUE;
    case 3:
        *button = PH_INPUT_BUTTON_RIGHT;
        return TRUE;
    case 8:
        *button = PH_INPUT_BUTTON_SIDE;
        return TRUE;
    case 9:
        *button = PH_INPUT_BUTTON_EXTRA;
        return TRUE;
    default:
        return FALSE;
    }
}

static gboolean ph_display_view_button_event(GtkWidget *widget, GdkEventButton *event)
{
    PhDisplayView *self = PH_DISPLAY_VIEW(widget);
    PhConsole *con = ph_display_view_input_console(self);
    gboolean down = event->type == GDK_BUTTON_PRESS;
    PhInputButton button;

    if (event->type == GDK_BUTTON_PRESS) {
        gtk_widget_grab_focus(widget);
    } else if (event->type != GDK_BUTTON_RELEASE) {
        /* GDK_2BUTTON_PRESS and the like come on top of the plain presses. */
        return TRUE;
    }
    if (!con || !ph_display_view_button_map(event->button, &button)) {
        return TRUE;
    }
    /* Where the click is, first: no motion event may have come before. */
    ph_display_view_send_motion(self, con, event->x, event->y);
    if (down) {
        self->buttons_down |= 1u << button;
    } else {
        self->buttons_down &= ~(1u << button);
    }
    ph_input_send_button(con, button, down);
    ph_input_sync();
    return TRUE;
}

static gboolean ph_display_view_scroll(GtkWidget *widget, GdkEventScroll *event)
{
    PhDisplayView *self = PH_DISPLAY_VIEW(widget);
    PhConsole *con = ph_display_view_input_console(self);
    int steps = 0;

    if (!con) {
        return FALSE;
    }
    switch (event->direction) {
    case GDK_SCROLL_UP:
        steps = 1;
        break;
    case GDK_SCROLL_DOWN:
        steps = -1;
        break;
    case GDK_SCROLL_SMOOTH:
        /* Whole steps only; the rest waits for the next event.  Positive
         * delta_y is towards the user, the wheel's negative direction. */
        self->scroll_rest += CLAMP(event->delta_y, -1000.0, 1000.0);
        while (self->scroll_rest >= 1.0) {
            self->scroll_rest -= 1.0;
            steps--;
        }
        while (self->scroll_rest <= -1.0) {
            self->scroll_rest += 1.0;
            steps++;
        }
        break;
    default:
        /* QEMU 7.2's tablet has no horizontal wheel. */
        return TRUE;
    }
    if (steps) {
        ph_display_view_send_motion(self, con, event->x, event->y);
        ph_input_send_wheel(con, steps);
        ph_input_sync();
    }
    return TRUE;
}

/* Everything the guest was told is held goes up. */
static void ph_display_view_release_all(PhDisplayView *self)
{
    PhConsole *con = ph_display_view_input_console(self);

    for (unsigned code = 0; code <= PH_INPUT_KEY_MAX; code++) {
        if (self->keys_down[code / 8] & (1u << (code % 8))) {
            if (con) {
                ph_input_send_key(con, code, FALSE);
            }
        }
    }
    for (unsigned b = 0; b < PH_INPUT_BUTTON__MAX; b++) {
        if (con && (self->buttons_down & (1u << b))) {
            ph_input_send_button(con, (PhInputButton)b, FALSE);
        }
    }
    memset(self->keys_down, 0, sizeof(self->keys_down));
    self->buttons_down = 0;
    if (con) {
        ph_input_sync();
    }
}

static gboolean ph_display_view_focus_out(GtkWidget *widget, GdkEventFocus *event)
{
    ph_display_view_release_all(PH_DISPLAY_VIEW(widget));
    return FALSE;
}

static void ph_display_view_dispose(GObject *object)
{
    PhDisplayView *self = PH_DISPLAY_VIEW(object);

    ph_console_unregister_listener(&self->listener);
    self->console = NULL;
    ph_display_view_drop_surface(self);
    G_OBJECT_CLASS(ph_display_view_parent_class)->dispose(object);
}

static void ph_display_view_finalize(GObject *object)
{
    PhDisplayView *self = PH_DISPLAY_VIEW(object);

    g_clear_pointer(&self->pending, cairo_region_destroy);
    G_OBJECT_CLASS(ph_display_view_parent_class)->finalize(object);
}

static void ph_display_view_class_init(PhDisplayViewClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS(klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    object_class->dispose = ph_display_view_dispose;
    object_class->finalize = ph_display_view_finalize;
    widget_class->draw = ph_display_view_draw;
    widget_class->key_press_event = ph_display_view_key_event;
    widget_class->key_release_event = ph_display_view_key_event;
    widget_class->motion_notify_event = ph_display_view_motion;
    widget_class->button_press_event = ph_display_view_button_event;
    widget_class->button_release_event = ph_display_view_button_event;
    widget_class->scroll_event = ph_display_view_scroll;
    widget_class->focus_out_event = ph_display_view_focus_out;
    gtk_widget_class_set_css_name(widget_class, "ph-display-view");
}

static void ph_display_view_init(PhDisplayView *self)
{
    self->listener.ops = &ph_display_view_listener_ops;
    self->listener.opaque = self;
    self->pending = cairo_region_create();
    gtk_widget_set_hexpand(GTK_WIDGET(self), TRUE);
    gtk_widget_set_vexpand(GTK_WIDGET(self), TRUE);
    /* Keys go to the focus widget: a click on the view gives it the focus. */
    gtk_widget_set_can_focus(GTK_WIDGET(self), TRUE);
    gtk_widget_add_events(GTK_WIDGET(self),
                          GDK_POINTER_MOTION_MASK | GDK_BUTTON_PRESS_MASK |
                              GDK_BUTTON_RELEASE_MASK | GDK_SCROLL_MASK |
                              GDK_SMOOTH_SCROLL_MASK | GDK_KEY_PRESS_MASK |
                              GDK_KEY_RELEASE_MASK | GDK_FOCUS_CHANGE_MASK);
}

GtkWidget *ph_display_view_new(void)
{
    return g_object_new(PH_TYPE_DISPLAY_VIEW, NULL);
}
