/* PhWindow: Porthole's main window, one per running machine. */
#ifndef PH_WINDOW_H
#define PH_WINDOW_H

#include <gtk/gtk.h>

#include "console.h"

G_BEGIN_DECLS

#define PH_TYPE_WINDOW (ph_window_get_type())
G_DECLARE_FINAL_TYPE(PhWindow, ph_window, PH, WINDOW, GtkApplicationWindow)

/* A new window showing the first console (ph_console_first()) if there is
 * one, else the "No Machine Is Running Yet" placeholder. */
PhWindow *ph_window_new(GtkApplication *application);

/* Shows @console in the display view (NULL: back to the placeholder).
 * For a console created after the window. */
void ph_window_set_console(PhWindow *self, PhConsole *console);
PhConsole *ph_window_get_console(PhWindow *self);

G_END_DECLS

#endif /* PH_WINDOW_H */
