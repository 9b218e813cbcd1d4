/* Porthole's version as the QMP greeting and `porthole --version` report it. */
#ifndef PH_MONITOR_VERSION_H
#define PH_MONITOR_VERSION_H

/* The numeric version; any of the pointers may be NULL. */
void ph_monitor_version(int *major, int *minor, int *micro);

/* The greeting's "package" string: "porthole-<version>", static storage. */
const char *ph_monitor_package_string(void);

#endif /* PH_MONITOR_VERSION_H */
