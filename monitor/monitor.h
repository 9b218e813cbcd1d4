/* The monitor as the application sees it: start QMP, stop it. */
#pragma once

#include <stdbool.h>

#include <glib.h>

typedef struct PhMonitorOptions {
    /* -qmp/--qmp specs; NULL or empty: the default socket. */
    const char *const *qmp_specs;
    /* -name: what query-name reports (NULL: no name). */
    const char *vm_name;
    /* Print each address listened on to stdout (the application does). */
    bool announce;
} PhMonitorOptions;

/*
 * Registers the commands, starts the dispatcher and the monitor I/O thread,
 * and listens (printing the addresses if asked).  Needs
 * ph_aio_init() and ph_vm_state_init() first.
 */
bool ph_monitor_start(const PhMonitorOptions *options, GError **error);
void ph_monitor_stop(void);

/* -name, for query-name. */
const char *ph_monitor_vm_name(void);
