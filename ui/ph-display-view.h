/* PhDisplayView: a widget that shows a display console's surface, scaled to fit. */
#ifndef PH_DISPLAY_VIEW_H
#define PH_DISPLAY_VIEW_H

#include <gtk/gtk.h>

#include "console.h"

G_BEGIN_DECLS

#define PH_TYPE_DISPLAY_VIEW (ph_display_view_get_type())
G_DECLARE_FINAL_TYPE(PhDisplayView, ph_display_view, PH, DISPLAY_VIEW, GtkDrawingArea)

GtkWidget *ph_display_view_new(void);

/*
 * Shows @console (NULL: nothing, a black area).  The view registers itself
 * as a listener of @console and unregisters on the next call or when it is
 * destroyed.  The console must be freed only after the view has let it go
 * or been destroyed; if it is freed first anyway, the view notices (its
 * listener's console becomes NULL) and draws black.
 */
void ph_display_view_set_console(PhDisplayView *self, PhConsole *console);
PhConsole *ph_display_view_get_console(PhDisplayView *self);

/*
 * Where the surface is drawn inside the widget's allocation, in widget
 * pixels: the scaled, centred rectangle (the rest is black bars).  False
 * when there is no surface.  Any pointer may be NULL.  For tests and for
 * mapping pointer events.
 */
gboolean ph_display_view_get_image_rect(PhDisplayView *self, double *x, double *y,
                                        double *scale);

G_END_DECLS

#endif /* PH_DISPLAY_VIEW_H */
