/* A headless Porthole monitor with the test-only commands, for the protocol tests. */
#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "aio.h"
#include "monitor.h"
#include "qmp-session-int.h"
#include "test_qapi-commands.h"
#include "vm-state.h"

static gboolean on_signal(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_CONTINUE;
}

static void on_shutdown(void *loop, PhShutdownCause cause)
{
    g_main_loop_quit(loop);
}

int main(int argc, char **argv)
{
    g_auto(GStrv) qmp = NULL;
    g_autofree char *name = NULL;
    gboolean paused = FALSE;
    GOptionEntry entries[] = {
        { "qmp", 0, 0, G_OPTION_ARG_STRING_ARRAY, &qmp, "QMP address", "ADDRESS" },
        { "name", 0, 0, G_OPTION_ARG_STRING, &name, "VM name", "NAME" },
        { "paused", 'S', 0, G_OPTION_ARG_NONE, &paused, "Start paused", NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) octx = g_option_context_new("- QMP test server");
    g_autoptr(GError) error = NULL;
    GMainLoop *loop;
    PhMonitorOptions options = { 0 };
    int status = 0;

    g_option_context_add_main_entries(octx, entries, NULL);
    if (!g_option_context_parse(octx, &argc, &argv, &error)) {
        fprintf(stderr, "%s\n", error->message);
        return 2;
    }
    ph_aio_init();
    loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGINT, on_signal, loop);
    g_unix_signal_add(SIGTERM, on_signal, loop);
    ph_vm_state_init(paused);
    ph_vm_set_shutdown_handler(on_shutdown, loop);
    ph_qmp_register_commands(test_qmp_commands, test_qmp_commands_len);
    options.qmp_specs = (const char *const *)qmp;
    options.vm_name = name;
    options.announce = true;
    if (ph_monitor_start(&options, &error)) {
        g_main_loop_run(loop);
    } else {
        fprintf(stderr, "qmp-test-server: %s\n", error->message);
        status = 1;
    }
    ph_monitor_stop();
    ph_vm_state_cleanup();
    g_main_loop_unref(loop);
    ph_aio_shutdown();
    return status;
}
