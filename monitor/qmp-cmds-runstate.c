/* QMP run-state commands: status, stop, cont, reset, powerdown, quit. */
#include "config.h"

#include "qapi-commands.h"
#include "qmp-error.h"
#include "vm-state.h"

G_STATIC_ASSERT((int)RUN_STATE__MAX == (int)PH_RUN_STATE__MAX);

StatusInfo *qmp_query_status(GError **error)
{
    StatusInfo *info = g_new0(StatusInfo, 1);
    PhRunState state = ph_vm_get_runstate();

    info->running = ph_runstate_is_running(state);
    info->singlestep = false;
    /* Same members in the same order: see runstate.h. */
    info->status = (RunState)state;
    return info;
}

/* stop, cont and system_reset complete when the machine has really changed. */
static void vm_op_done(void *opaque, const GError *error)
{
    QmpReturn *ret = opaque;

    if (error) {
        qmp_return_error(ret, g_error_new_literal(QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                                                  error->message));
    } else {
        qmp_return(ret, NULL);
    }
}

void qmp_stop(QmpReturn *ret)
{
    ph_vm_stop(vm_op_done, ret);
}

void qmp_cont(QmpReturn *ret)
{
    ph_vm_cont(vm_op_done, ret);
}

void qmp_system_reset(QmpReturn *ret)
{
    ph_vm_reset(PH_SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET, vm_op_done, ret);
}

bool qmp_system_powerdown(GError **error)
{
    ph_vm_powerdown();
    return true;
}

bool qmp_quit(GError **error)
{
    ph_vm_shutdown_request(PH_SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    return true;
}
