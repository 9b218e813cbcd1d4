/* PhApplication: the GtkApplication, its command line, actions and signals. */
#include "config.h"

#include "ph-application.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "console.h"
#include "input.h"
#include "machine.h"
#include "monitor-version.h"
#include "monitor.h"
#include "ph-window.h"
#include "vm-state.h"

struct _PhApplication {
    GtkApplication parent_instance;

    /* SIGINT/SIGTERM watches while the GUI runs (between startup and
     * shutdown); 0 otherwise. */
    guint sigint_source;
    guint sigterm_source;

    /* From the command line (handle_local_options). */
    char **qmp_specs;
    char *vm_name;
    gboolean start_paused;
    bool headless;

    /* The guest (-bios / -kernel, else the built-in demo guest), or NULL
     * with -M none: the window's placeholder. */
    PhMachineOptions machine_options;
    PhMachine *machine;
    /* The display console of the machine's framebuffer (screendump, the
     * display view); freed before the machine. */
    PhConsole *console;
    int exit_status;        /* what the guest asked for, or -1 */

    /* --headless: the loop that runs instead of the GUI. */
    GMainLoop *headless_loop;
    bool machine_started;
    bool failed;            /* start-up failed: exit non-zero */
};

G_DEFINE_FINAL_TYPE(PhApplication, ph_application, GTK_TYPE_APPLICATION)

static const GOptionEntry ph_application_options[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Print the version and exit"), NULL },
    { "headless", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Run without a window until interrupted (SIGINT or SIGTERM)"), NULL },
    { "qmp", 0, 0, G_OPTION_ARG_STRING_ARRAY, NULL,
      N_("Serve QMP on a UNIX socket path, unix:PATH[,server=on,wait=off] or "
         "tcp:HOST:PORT (default: a socket in $XDG_RUNTIME_DIR/porthole)"),
      N_("ADDRESS") },
    { "name", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Name of the virtual machine, as query-name reports it"), N_("NAME") },
    { "paused", 'S', 0, G_OPTION_ARG_NONE, NULL,
      N_("Do not start the CPU at start-up (as QEMU's -S)"), NULL },
    { "bios", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Firmware to load at 0x80000000 (raw or ELF), or \"none\""), N_("FILE") },
    { "kernel", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Kernel to boot (ELF, raw or Linux Image)"), N_("FILE") },
    { "initrd", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Initial RAM disk for the kernel"), N_("FILE") },
    { "append", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Kernel command line"), N_("CMDLINE") },
    { "dtb", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Device tree blob to use instead of the generated one"), N_("FILE") },
    { "m", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("RAM size (128M, 1G, or a number of MiB; default 128M)"), N_("SIZE") },
    { "serial", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Where the serial port goes: stdio, none or "
         "unix:PATH,server=on[,wait=off]"), N_("DEVICE") },
    { "nographic", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Same as --headless, with the serial port on stdio"), NULL },
    { "machine", 'M', 0, G_OPTION_ARG_STRING, NULL,
      N_("Machine type: \"virt\" (the default), or \"none\" for no guest at all"),
      N_("TYPE") },
    { "smp", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Number of CPUs (only 1)"), N_("N") },
    { "display-size", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Size of the guest's framebuffer (default 1024x768)"), N_("WxH") },
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

/* The machine shut down for good (QMP quit, guest power-off): we are done. */
static void ph_application_on_vm_shutdown(void *opaque, PhShutdownCause cause)
{
    PhApplication *self = opaque;

    if (self->headless_loop) {
        g_main_loop_quit(self->headless_loop);
    } else {
        ph_application_quit(self);
    }
}

/* Machine state, monitor and guest, in both modes.  False (and a message
 * on stderr) if the monitor cannot listen where it was asked to. */
static bool ph_application_start_machine(PhApplication *self)
{
    g_autoptr(GError) error = NULL;
    PhMonitorOptions options = {
        .qmp_specs = (const char *const *)self->qmp_specs,
        .vm_name = self->vm_name,
        .announce = true,
    };

    ph_vm_state_init(self->start_paused);
    ph_vm_set_shutdown_handler(ph_application_on_vm_shutdown, self);
    self->machine_started = true;
    if (!ph_monitor_start(&options, &error)) {
        g_printerr("porthole: %s\n", error->message);
        return false;
    }
    if (self->machine && !ph_machine_start(self->machine, &error)) {
        g_printerr("porthole: %s\n", error->message);
        return false;
    }
    return true;
}

static void ph_application_stop_machine(PhApplication *self)
{
    if (self->machine) {
        /* The vCPU thread stops before the state it reports to goes away. */
        self->exit_status = ph_machine_exit_status(self->machine);
        g_clear_pointer(&self->console, ph_console_free);
        g_clear_pointer(&self->machine, ph_machine_free);
    }
    if (self->machine_started) {
        ph_monitor_stop();
        ph_vm_state_cleanup();
        self->machine_started = false;
    }
}

static bool ph_application_fail(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static bool ph_application_fail(GError **error, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_propagate_error(error, g_error_new_valist(G_OPTION_ERROR,
                                                G_OPTION_ERROR_BAD_VALUE, fmt, ap));
    va_end(ap);
    return false;
}

/* The demo guest built into the executable (app/porthole-guest.gresource.xml). */
#define PH_DEMO_GUEST_RESOURCE "/io/github/porthole_vm/Porthole/guest/porthole-demo.bin"

/*
 * The guest's options: checked here so that a mistake ends Porthole with
 * a message before anything starts, and the board built.  Without -bios
 * and -kernel the board runs the built-in demo guest; `-M none` (as on
 * QEMU) makes no machine at all: only the monitor runs.
 */
static bool ph_application_parse_machine(PhApplication *self, GVariantDict *options,
                                         GError **error)
{
    PhMachineOptions *mo = &self->machine_options;
    g_autofree char *machine = NULL, *smp = NULL, *mem = NULL, *display = NULL;
    g_autofree char *bios = NULL, *kernel = NULL, *initrd = NULL, *dtb = NULL;
    g_autofree char *append = NULL, *serial = NULL;
    g_autoptr(GBytes) demo = NULL;

    g_variant_dict_lookup(options, "machine", "s", &machine);
    g_variant_dict_lookup(options, "smp", "s", &smp);
    g_variant_dict_lookup(options, "m", "s", &mem);
    g_variant_dict_lookup(options, "display-size", "s", &display);
    g_variant_dict_lookup(options, "bios", "^ay", &bios);
    g_variant_dict_lookup(options, "kernel", "^ay", &kernel);
    g_variant_dict_lookup(options, "initrd", "^ay", &initrd);
    g_variant_dict_lookup(options, "dtb", "^ay", &dtb);
    g_variant_dict_lookup(options, "append", "s", &append);
    g_variant_dict_lookup(options, "serial", "s", &serial);

    if (machine && (g_str_equal(machine, "none") || g_str_equal(machine, "type=none"))) {
        if (bios || kernel) {
            return ph_application_fail(error, _("machine 'none' has no CPU to run "
                                                "-bios or -kernel"));
        }
        return true;
    }
    if (machine && !g_str_equal(machine, "virt") && !g_str_has_prefix(machine, "virt,") &&
        !g_str_equal(machine, "type=virt") && !g_str_has_prefix(machine, "type=virt,")) {
        return ph_application_fail(error,
                                   _("unsupported machine type '%s' (only 'virt' or 'none')"),
                                   machine);
    }
    if (smp && !g_str_equal(smp, "1") && !g_str_equal(smp, "cpus=1")) {
        return ph_application_fail(error, _("only one CPU is supported (-smp 1)"));
    }
    if (mem && !ph_machine_parse_ram_size(mem, &mo->ram_size, error)) {
        return false;
    }
    if (display &&
        !ph_machine_parse_display_size(display, &mo->fb_width, &mo->fb_height, error)) {
        return false;
    }
    if (append && !kernel) {
        return ph_application_fail(error, _("-append only allowed with -kernel option"));
    }
    if (initrd && !kernel) {
        return ph_application_fail(error, _("-initrd only allowed with -kernel option"));
    }
    mo->bios = bios;
    mo->kernel = kernel;
    mo->initrd = initrd;
    mo->dtb = dtb;
    mo->append = append;
    /* -nographic / --headless: the console is the terminal, as on QEMU. */
    mo->serial = serial ? serial : self->headless ? "stdio" : NULL;
    if (!bios && !kernel) {
        demo = g_resources_lookup_data(PH_DEMO_GUEST_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                       error);
        if (!demo) {
            return false;
        }
        mo->bios_data = g_bytes_get_data(demo, &mo->bios_size);
        mo->bios_name = _("the demo guest");
    }
    self->machine = ph_machine_new(mo, error);
    if (self->machine) {
        self->console = ph_console_new(ph_machine_framebuffer(self->machine), 0);
        ph_console_set_input(self->console, ph_machine_keyboard(self->machine),
                             ph_machine_tablet(self->machine));
    }
    /* The machine copied what it keeps. */
    *mo = (PhMachineOptions){ 0 };
    return self->machine != NULL;
}

/*
 * --headless runs here, before the application registers: registering
 * means GtkApplication's startup, and that opens a display (and exits when
 * there is none).  Headless mode needs no GTK at all, only the main loop
 * that the aio contexts are attached to.
 */
static int ph_application_run_headless(PhApplication *self)
{
    g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
    guint sigint_source, sigterm_source;
    int status = EXIT_SUCCESS;

    self->headless_loop = loop;
    sigint_source =
        g_unix_signal_add(SIGINT, ph_application_on_headless_signal, loop);
    sigterm_source =
        g_unix_signal_add(SIGTERM, ph_application_on_headless_signal, loop);
    if (ph_application_start_machine(self)) {
        g_main_loop_run(loop);
    } else {
        status = EXIT_FAILURE;
    }
    ph_application_stop_machine(self);
    g_source_remove(sigint_source);
    g_source_remove(sigterm_source);
    self->headless_loop = NULL;
    if (status == EXIT_SUCCESS && self->exit_status >= 0) {
        status = self->exit_status;
    }
    return status;
}

static int ph_application_handle_local_options(GApplication *application,
                                               GVariantDict *options)
{
    PhApplication *self = PH_APPLICATION(application);

    if (g_variant_dict_contains(options, "version")) {
        ph_application_print_version();
        return EXIT_SUCCESS;
    }
    g_variant_dict_lookup(options, "qmp", "^as", &self->qmp_specs);
    g_variant_dict_lookup(options, "name", "s", &self->vm_name);
    self->start_paused = g_variant_dict_contains(options, "paused");
    self->headless = g_variant_dict_contains(options, "headless") ||
                     g_variant_dict_contains(options, "nographic");
    {
        g_autoptr(GError) error = NULL;

        if (!ph_application_parse_machine(self, options, &error)) {
            g_printerr("porthole: %s\n", error->message);
            return EXIT_FAILURE;
        }
    }
    if (self->headless) {
        return ph_application_run_headless(self);
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

    if (!ph_application_start_machine(self)) {
        /* Nothing to show without the machine it was asked to run. */
        g_application_quit(application);
        self->failed = true;
    }
}

static void ph_application_activate(GApplication *application)
{
    if (PH_APPLICATION(application)->failed) {
        return;
    }
    PhWindow *window = ph_window_new(GTK_APPLICATION(application));

    gtk_window_present(GTK_WINDOW(window));
}

static void ph_application_shutdown(GApplication *application)
{
    PhApplication *self = PH_APPLICATION(application);

    g_clear_handle_id(&self->sigint_source, g_source_remove);
    g_clear_handle_id(&self->sigterm_source, g_source_remove);
    ph_application_stop_machine(self);

    G_APPLICATION_CLASS(ph_application_parent_class)->shutdown(application);
}

static void ph_application_finalize(GObject *object)
{
    PhApplication *self = PH_APPLICATION(object);

    g_clear_pointer(&self->qmp_specs, g_strfreev);
    g_clear_pointer(&self->vm_name, g_free);
    g_clear_pointer(&self->console, ph_console_free);
    g_clear_pointer(&self->machine, ph_machine_free);
    G_OBJECT_CLASS(ph_application_parent_class)->finalize(object);
}

bool ph_application_failed(PhApplication *self)
{
    return self->failed;
}

int ph_application_guest_exit_status(PhApplication *self)
{
    return self->exit_status;
}

static void ph_application_class_init(PhApplicationClass *klass)
{
    GApplicationClass *app_class = G_APPLICATION_CLASS(klass);

    G_OBJECT_CLASS(klass)->finalize = ph_application_finalize;

    app_class->handle_local_options = ph_application_handle_local_options;
    app_class->startup = ph_application_startup;
    app_class->activate = ph_application_activate;
    app_class->shutdown = ph_application_shutdown;
}

static void ph_application_init(PhApplication *self)
{
    GApplication *application = G_APPLICATION(self);

    self->exit_status = -1;
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
