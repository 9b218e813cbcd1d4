/* QMP error classes as a GError domain; the dispatcher maps them to QEMU's names. */
#pragma once

#include <glib.h>

#define QMP_ERROR (ph_qmp_error_quark())

/* QEMU's ErrorClass values that Porthole uses. */
typedef enum {
    QMP_ERROR_GENERIC_ERROR,
    QMP_ERROR_COMMAND_NOT_FOUND,
    QMP_ERROR_DEVICE_NOT_FOUND,
    QMP_ERROR_DEVICE_NOT_ACTIVE,
} QmpErrorClass;

GQuark ph_qmp_error_quark(void);

/* The "class" member for @error: its QMP_ERROR code's name, and
 * "GenericError" for every other domain. */
const char *ph_qmp_error_class_name(const GError *error);
