/* The machine-state object: run state, pause/resume/reset/power-off, listeners. */
#pragma once

#include <stdbool.h>

#include <glib.h>

#include "runstate.h"

/* Why the machine shut down or reset; QEMU 7.2's ShutdownCause, same order. */
typedef enum {
    PH_SHUTDOWN_CAUSE_NONE,
    PH_SHUTDOWN_CAUSE_HOST_ERROR,
    PH_SHUTDOWN_CAUSE_HOST_QMP_QUIT,
    PH_SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET,
    PH_SHUTDOWN_CAUSE_HOST_SIGNAL,
    PH_SHUTDOWN_CAUSE_HOST_UI,
    PH_SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
    PH_SHUTDOWN_CAUSE_GUEST_RESET,
    PH_SHUTDOWN_CAUSE_GUEST_PANIC,
    PH_SHUTDOWN_CAUSE_SUBSYSTEM_RESET,
    PH_SHUTDOWN_CAUSE_SNAPSHOT_LOAD,
    PH_SHUTDOWN_CAUSE__MAX,
} PhShutdownCause;

const char *ph_shutdown_cause_name(PhShutdownCause cause);
/* QEMU's rule: a cause the guest asked for (guest-shutdown and after). */
bool ph_shutdown_cause_is_guest(PhShutdownCause cause);

typedef enum {
    PH_VM_EVENT_STOP,
    PH_VM_EVENT_RESUME,
    PH_VM_EVENT_RESET,
    PH_VM_EVENT_POWERDOWN,
    PH_VM_EVENT_SHUTDOWN,
} PhVmEventKind;

typedef struct PhVmEvent {
    PhVmEventKind kind;
    PhShutdownCause cause;  /* RESET and SHUTDOWN */
} PhVmEvent;

typedef void PhVmListenerFn(void *opaque, const PhVmEvent *event);
/* Called when an operation has really happened, or failed with @error
 * (borrowed); always from the main loop, never before the call returns. */
typedef void PhVmDoneFn(void *opaque, const GError *error);

/*
 * What actually runs the machine.  Each operation must call @done from the
 * main loop once the vCPUs have really paused, started or reset.  Without a
 * backend (before the VMM is attached) operations complete from a bottom
 * half of the main loop.
 */
typedef struct PhVmBackend {
    void (*pause)(void *opaque, void (*done)(void *done_opaque), void *done_opaque);
    void (*resume)(void *opaque, void (*done)(void *done_opaque), void *done_opaque);
    void (*reset)(void *opaque, void (*done)(void *done_opaque), void *done_opaque);
    /* Asks the guest to power itself down (it may ignore it). */
    void (*powerdown)(void *opaque);
} PhVmBackend;

/*
 * All of the following are for the main thread only.  Operations queue
 * and run one at a time, in the order they were asked for.
 */

/* @start_paused is QEMU's -S: start in "prelaunch" instead of "running". */
void ph_vm_state_init(bool start_paused);
void ph_vm_state_cleanup(void);
void ph_vm_set_backend(const PhVmBackend *backend, void *opaque);

PhRunState ph_vm_get_runstate(void);

void ph_vm_add_listener(PhVmListenerFn *fn, void *opaque);
void ph_vm_remove_listener(PhVmListenerFn *fn, void *opaque);

/* Pauses a running machine (STOP before @done); does nothing otherwise. */
void ph_vm_stop(PhVmDoneFn *done, void *opaque);
/* Starts a paused machine (RESUME before @done); "Resetting the Virtual
 * Machine is required" after a shutdown or an internal error. */
void ph_vm_cont(PhVmDoneFn *done, void *opaque);
/* Resets it (RESET before @done); a machine that was not running is left
 * in "prelaunch", as QEMU does. */
void ph_vm_reset(PhShutdownCause cause, PhVmDoneFn *done, void *opaque);
/* Emits POWERDOWN and asks the guest to power down. */
void ph_vm_powerdown(void);

/*
 * Shuts the machine down for good: run state "shutdown" and SHUTDOWN at
 * once (QEMU sends the event before quit's reply), then the shutdown
 * handler (the application quits) from a bottom half, so that the reply
 * of the command that asked for it still goes out.
 */
void ph_vm_shutdown_request(PhShutdownCause cause);
void ph_vm_set_shutdown_handler(void (*fn)(void *opaque, PhShutdownCause cause),
                                void *opaque);
