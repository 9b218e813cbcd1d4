/* PhApplication: the GtkApplication, its command line, actions and signals. */
#ifndef PH_APPLICATION_H
#define PH_APPLICATION_H

#include <stdbool.h>

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PH_TYPE_APPLICATION (ph_application_get_type())
G_DECLARE_FINAL_TYPE(PhApplication, ph_application, PH, APPLICATION,
                     GtkApplication)

PhApplication *ph_application_new(void);

/* True when start-up failed (the error was printed): exit non-zero. */
bool ph_application_failed(PhApplication *self);

/* The exit status the guest asked for (HTIF, SiFive test device) once the
 * machine has shut down, or -1. */
int ph_application_guest_exit_status(PhApplication *self);

G_END_DECLS

#endif /* PH_APPLICATION_H */
