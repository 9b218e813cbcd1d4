/* The VM's run states, named as QEMU 7.2's query-status reports them. */
#ifndef PH_VMM_RUNSTATE_H
#define PH_VMM_RUNSTATE_H

#include <stdbool.h>

/*
 * Same members, same order and same wire names as QEMU's RunState
 * (qapi/run-state.json in QEMU 7.2), so that query-status and the STOP /
 * RESUME events read exactly like QEMU's to existing QMP clients.
 */
typedef enum PhRunState {
    PH_RUN_STATE_DEBUG,
    PH_RUN_STATE_INMIGRATE,
    PH_RUN_STATE_INTERNAL_ERROR,
    PH_RUN_STATE_IO_ERROR,
    PH_RUN_STATE_PAUSED,
    PH_RUN_STATE_POSTMIGRATE,
    PH_RUN_STATE_PRELAUNCH,
    PH_RUN_STATE_FINISH_MIGRATE,
    PH_RUN_STATE_RESTORE_VM,
    PH_RUN_STATE_RUNNING,
    PH_RUN_STATE_SAVE_VM,
    PH_RUN_STATE_SHUTDOWN,
    PH_RUN_STATE_SUSPENDED,
    PH_RUN_STATE_WATCHDOG,
    PH_RUN_STATE_GUEST_PANICKED,
    PH_RUN_STATE_COLO,
    PH_RUN_STATE__MAX,
} PhRunState;

/* The wire name ("running", "guest-panicked", ...); NULL if out of range. */
const char *ph_runstate_name(PhRunState state);

/* What query-status reports as "running": true only for RUN_STATE_RUNNING. */
bool ph_runstate_is_running(PhRunState state);

/*
 * Looks up a wire name (exact, case-sensitive, as QAPI enums are).  Returns
 * false and leaves *state untouched for an unknown name or NULL.
 */
bool ph_runstate_from_name(const char *name, PhRunState *state);

#endif /* PH_VMM_RUNSTATE_H */
