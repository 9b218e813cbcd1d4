/* The monitor's start and stop, and the bridge from machine events to QMP events. */
#include "config.h"

#include <stdio.h>

#include "monitor.h"
#include "qapi-commands.h"
#include "qapi-events.h"
#include "qmp-server.h"
#include "qmp-session-int.h"
#include "vm-state.h"

static char *vm_name;

const char *ph_monitor_vm_name(void)
{
    return vm_name;
}

static ShutdownCause to_qapi_cause(PhShutdownCause cause)
{
    ShutdownCause out = SHUTDOWN_CAUSE_NONE;

    ShutdownCause_from_str(ph_shutdown_cause_name(cause), &out);
    return out;
}

static void vm_event_cb(void *opaque, const PhVmEvent *ev)
{
    switch (ev->kind) {
    case PH_VM_EVENT_STOP:
        qapi_event_send_stop();
        break;
    case PH_VM_EVENT_RESUME:
        qapi_event_send_resume();
        break;
    case PH_VM_EVENT_RESET:
        qapi_event_send_reset(ph_shutdown_cause_is_guest(ev->cause),
                              to_qapi_cause(ev->cause));
        break;
    case PH_VM_EVENT_POWERDOWN:
        qapi_event_send_powerdown();
        break;
    case PH_VM_EVENT_SHUTDOWN:
        qapi_event_send_shutdown(ph_shutdown_cause_is_guest(ev->cause),
                                 to_qapi_cause(ev->cause));
        break;
    }
}

bool ph_monitor_start(const PhMonitorOptions *options, GError **error)
{
    g_autofree char *default_path = NULL;
    const char *default_specs[2] = { NULL, NULL };
    const char *const *specs = options->qmp_specs;

    vm_name = g_strdup(options->vm_name);
    ph_qmp_register_commands(qmp_commands, qmp_commands_len);
    ph_vm_add_listener(vm_event_cb, NULL);
    ph_qmp_dispatcher_start();
    ph_qmp_server_start();

    if (!specs || !specs[0]) {
        default_path = ph_qmp_server_default_path();
        default_specs[0] = default_path;
        specs = default_specs;
    }
    for (; *specs; specs++) {
        g_autofree char *address = NULL;

        if (!ph_qmp_server_listen(*specs, &address, error)) {
            return false;
        }
        if (options->announce) {
            printf("QMP: listening on %s\n", address);
            fflush(stdout);
        }
    }
    return true;
}

void ph_monitor_stop(void)
{
    ph_qmp_server_stop();
    ph_qmp_dispatcher_stop();
    ph_vm_remove_listener(vm_event_cb, NULL);
    g_clear_pointer(&vm_name, g_free);
}
