/* PhWindow: Porthole's main window, one per running machine. */
#include "config.h"

#include "ph-window.h"
#include "ph-display-view.h"
#include "ph-ui-resources.h"

struct _PhWindow {
    GtkApplicationWindow parent_instance;

    GtkStack *stack;
    PhDisplayView *display_view;
};

G_DEFINE_FINAL_TYPE(PhWindow, ph_window, GTK_TYPE_APPLICATION_WINDOW)

void ph_window_set_console(PhWindow *self, PhConsole *console)
{
    g_return_if_fail(PH_IS_WINDOW(self));

    ph_display_view_set_console(self->display_view, console);
    gtk_stack_set_visible_child_name(self->stack, console ? "display" : "placeholder");
}

PhConsole *ph_window_get_console(PhWindow *self)
{
    g_return_val_if_fail(PH_IS_WINDOW(self), NULL);

    return ph_display_view_get_console(self->display_view);
}

/*
 * The application may create the console after the window (the machine
 * starts in startup, the window comes in activate, but nothing promises
 * that order): look again when the window is mapped.
 */
static void ph_window_map(GtkWidget *widget)
{
    PhWindow *self = PH_WINDOW(widget);

    if (!ph_window_get_console(self) && ph_console_first()) {
        ph_window_set_console(self, ph_console_first());
    }
    GTK_WIDGET_CLASS(ph_window_parent_class)->map(widget);
}

static void ph_window_class_init(PhWindowClass *klass)
{
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

    /*
     * The resources are registered by hand rather than by a constructor in
     * the generated file: in a static library that file's object would be
     * dropped by the linker, as nothing refers to it by symbol.
     */
    ph_ui_register_resource();

    /* The template names the type: it must exist before the template is parsed. */
    g_type_ensure(PH_TYPE_DISPLAY_VIEW);
    gtk_widget_class_set_template_from_resource(
        widget_class, "/io/github/porthole_vm/Porthole/ph-window.ui");
    gtk_widget_class_bind_template_child(widget_class, PhWindow, stack);
    gtk_widget_class_bind_template_child(widget_class, PhWindow, display_view);
    widget_class->map = ph_window_map;
}

static void ph_window_init(PhWindow *self)
{
    gtk_widget_init_template(GTK_WIDGET(self));
    ph_window_set_console(self, ph_console_first());
}

PhWindow *ph_window_new(GtkApplication *application)
{
    g_return_val_if_fail(GTK_IS_APPLICATION(application), NULL);

    return g_object_new(PH_TYPE_WINDOW, "application", application, NULL);
}
