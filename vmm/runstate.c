/* The VM's run states, named as QEMU 7.2's query-status reports them. */
#include "runstate.h"

#include <glib.h>
#include <string.h>

static const char *const runstate_names[PH_RUN_STATE__MAX] = {
    [PH_RUN_STATE_DEBUG] = "debug",
    [PH_RUN_STATE_INMIGRATE] = "inmigrate",
    [PH_RUN_STATE_INTERNAL_ERROR] = "internal-error",
    [PH_RUN_STATE_IO_ERROR] = "io-error",
    [PH_RUN_STATE_PAUSED] = "paused",
    [PH_RUN_STATE_POSTMIGRATE] = "postmigrate",
    [PH_RUN_STATE_PRELAUNCH] = "prelaunch",
    [PH_RUN_STATE_FINISH_MIGRATE] = "finish-migrate",
    [PH_RUN_STATE_RESTORE_VM] = "restore-vm",
    [PH_RUN_STATE_RUNNING] = "running",
    [PH_RUN_STATE_SAVE_VM] = "save-vm",
    [PH_RUN_STATE_SHUTDOWN] = "shutdown",
    [PH_RUN_STATE_SUSPENDED] = "suspended",
    [PH_RUN_STATE_WATCHDOG] = "watchdog",
    [PH_RUN_STATE_GUEST_PANICKED] = "guest-panicked",
    [PH_RUN_STATE_COLO] = "colo",
};

const char *ph_runstate_name(PhRunState state)
{
    /* The cast also rejects negative values smuggled in through the enum. */
    if ((unsigned)state >= PH_RUN_STATE__MAX) {
        return NULL;
    }
    return runstate_names[state];
}

bool ph_runstate_is_running(PhRunState state)
{
    return state == PH_RUN_STATE_RUNNING;
}

bool ph_runstate_from_name(const char *name, PhRunState *state)
{
    g_return_val_if_fail(state != NULL, false);

    if (name == NULL) {
        return false;
    }
    for (unsigned i = 0; i < PH_RUN_STATE__MAX; i++) {
        if (strcmp(name, runstate_names[i]) == 0) {
            *state = (PhRunState)i;
            return true;
        }
    }
    return false;
}
