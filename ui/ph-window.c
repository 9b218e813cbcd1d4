/* PhWindow: Porthole's main window, one per running machine. */
#include "config.h"

#include "ph-window.h"
#include "ph-ui-resources.h"

struct _PhWindow {
    GtkApplicationWindow parent_instance;
};

G_DEFINE_FINAL_TYPE(PhWindow, ph_window, GTK_TYPE_APPLICATION_WINDOW)

static void ph_window_class_init(PhWindowClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    /*
     * The resources are registered by hand rather than by a constructor in
     * the generated file: in a static library that file's object would be
     * dropped by the linker, as nothing refers to it by symbol.
     */
    ph_ui_register_resource();

    gtk_widget_class_set_template_from_resource(
        widget_class, "/io/github/porthole_vm/Porthole/ph-window.ui");
}

static void ph_window_init(PhWindow *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
}

PhWindow *ph_window_new(GtkApplication *application)
{
    g_return_val_if_fail(GTK_IS_APPLICATION(application), NULL);

    return g_object_new(PH_TYPE_WINDOW, "application", application, NULL);
}
