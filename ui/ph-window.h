/* PhWindow: Porthole's main window, one per running machine. */
#ifndef PH_WINDOW_H
#define PH_WINDOW_H

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PH_TYPE_WINDOW (ph_window_get_type())
G_DECLARE_FINAL_TYPE(PhWindow, ph_window, PH, WINDOW, GtkApplicationWindow)

PhWindow *ph_window_new(GtkApplication *application);

G_END_DECLS

#endif /* PH_WINDOW_H */
