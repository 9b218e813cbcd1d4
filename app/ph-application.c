/* PhApplication: the GtkApplication, its command line, actions and signals. */
#include "config.h"

#include "ph-application.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "monitor-version.h"
#include "ph-window.h"

struct _PhApplication {
    GtkApplication parent_instance;

    /* SIGINT/SIGTERM watches while the GUI runs (between startup and
     * shutdown); 0 otherwise. */
    guint sigint_source;
    guint sigterm_source;
};

G_DEFINE_FINAL_TYPE(PhApplication, ph_application, GTK_TYPE_APPLICATION)

static const GOptionEntry ph_application_options[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Print the version and exit"), NULL },
    { "headless", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Run without a window until interrupted (SIGINT or SIGTERM)"), NULL },
    { NULL }
};

static void ph_application_print_version(void)
{
    int major, minor, micro;

    ph_monitor_version(&major, &minor, &micro);
    printf("porthole %d.%d.%d\n", major, minor, micro);
}

/* Main loop, GUI mode: closes every window, which ends g_application_run. */
static void ph_application_quit(PhApplication *self)
{
    GList *windows;

    while ((windows = gtk_application_get_windows(GTK_APPLICATION(self)))) {
        gtk_widget_destroy(GTK_WIDGET(windows->data));
    }
    g_application_quit(G_APPLICATION(self));
}

static gboolean ph_application_on_quit_signal(gpointer user_data)
{
    ph_application_quit(PH_APPLICATION(user_data));
    return G_SOURCE_CONTINUE;
}

static gboolean ph_application_on_headless_signal(gpointer user_data)
{
    g_main_loop_quit(user_data);
    return G_SOURCE_CONTINUE;
}

/*
 * --headless runs here, before the application registers: registering
 * means GtkApplication's startup, and that opens a display (and exits when
 * there is none).  Headless mode needs no GTK at all, only the main loop
 * that the aio contexts are attached to.
 */
static int ph_application_run_headless(void)
{
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
    guint sigint_source, sigterm_source;

    sigint_source =
        g_unix_signal_add(SIGINT, ph_application_on_headless_signal, loop);
    sigterm_source =
        g_unix_signal_add(SIGTERM, ph_application_on_headless_signal, loop);
    g_main_loop_run(loop);
    g_source_remove(sigint_source);
    g_source_remove(sigterm_source);
    return EXIT_SUCCESS;
}

static int ph_application_handle_local_options(GApplication *application,
                                               GVariantDict *options)
{
    if (g_variant_dict_contains(options, "version")) {
        ph_application_print_version();
        return EXIT_SUCCESS;
    }
    if (g_variant_dict_contains(options, "headless")) {
        return ph_application_run_headless();
    }
    /* Go on: register, start up and activate. */
    return -1;
}

static void ph_application_activate_quit(GSimpleAction *action,
                                         GVariant *parameter,
                                         gpointer user_data)
{
    ph_application_quit(PH_APPLICATION(user_data));
}

static const GActionEntry ph_application_actions[] = {
    { .name = "quit", .activate = ph_application_activate_quit },
};

static void ph_application_startup(GApplication *application)
{
    PhApplication *self = PH_APPLICATION(application);
    static const char *const quit_accels[] = { "<Primary>q", NULL };

    G_APPLICATION_CLASS(ph_application_parent_class)->startup(application);

    g_action_map_add_action_entries(G_ACTION_MAP(self), ph_application_actions,
                                    G_N_ELEMENTS(ph_application_actions), self);
    gtk_application_set_accels_for_action(GTK_APPLICATION(self), "app.quit",
                                          quit_accels);

    self->sigint_source =
        g_unix_signal_add(SIGINT, ph_application_on_quit_signal, self);
    self->sigterm_source =
        g_unix_signal_add(SIGTERM, ph_application_on_quit_signal, self);
}

static void ph_application_activate(GApplication *application)
{
    PhWindow *window = ph_window_new(GTK_APPLICATION(application));

    gtk_window_present(GTK_WINDOW(window));
}

static void ph_application_shutdown(GApplication *application)
{
    PhApplication *self = PH_APPLICATION(application);

    g_clear_handle_id(&self->sigint_source, g_source_remove);
    g_clear_handle_id(&self->sigterm_source, g_source_remove);

    G_APPLICATION_CLASS(ph_application_parent_class)->shutdown(application);
}

static void ph_application_class_init(PhApplicationClass *klass)
{
    GApplicationClass *app_class = G_APPLICATION_CLASS(klass);

    app_class->handle_local_options = ph_application_handle_local_options;
    app_class->startup = ph_application_startup;
    app_class->activate = ph_application_activate;
    app_class->shutdown = ph_application_shutdown;
}

static void ph_application_init(PhApplication *self)
{
    GApplication *application = G_APPLICATION(self);

    g_application_add_main_option_entries(application, ph_application_options);
    g_application_set_option_context_summary(
        application, _("A desktop console for a RISC-V virtual machine."));
}

PhApplication *ph_application_new(void)
{
    /*
     * Non-unique: every invocation runs its own machine, and registration
     * then works without a D-Bus session bus too.  (One property per line.)
     */
    /* clang-format off */
    return g_object_new(PH_TYPE_APPLICATION,
                        "application-id", PORTHOLE_APP_ID,
                        "flags", G_APPLICATION_NON_UNIQUE,
                        NULL);
    /* clang-format on */
}
