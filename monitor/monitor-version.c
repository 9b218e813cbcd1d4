/* Porthole's version as the QMP greeting and `porthole --version` report it. */
#include "config.h"

#include "monitor-version.h"

#include <stddef.h>

void ph_monitor_version(int *major, int *minor, int *micro)
{
    if (major != NULL) {
        *major = PORTHOLE_VERSION_MAJOR;
    }
    if (minor != NULL) {
        *minor = PORTHOLE_VERSION_MINOR;
    }
    if (micro != NULL) {
        *micro = PORTHOLE_VERSION_MICRO;
    }
}

const char *ph_monitor_package_string(void)
{
    return "porthole-" PORTHOLE_VERSION;
}
